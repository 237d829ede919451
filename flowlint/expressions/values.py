"""The expressions of a project, and where in its files a range of one lies.

In Archy YAML the expression is a scalar's decoded value, so offsets go through
:mod:`flowlint.loaders.yaml_scalar` (escapes, folding, block indentation).  Exports and
API JSON carry no usable scalar positions: those findings stay at the value's location.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from flowlint.expressions.analysis import calls
from flowlint.expressions.ast import Call
from flowlint.expressions.parser import ParseResult, parsed
from flowlint.ir import Action, Flow, Loc, Project, SourceFormat, Span, Value, ValueKind
from flowlint.loaders.placeholders import PLACEHOLDER_RE
from flowlint.loaders.yaml_scalar import decode, index_to_position, offset_map


class ExpressionValue(NamedTuple):
    flow: Flow
    action: Action
    #: The field path of the value inside the action (``condition``, ``statements[0].string.value``).
    field: str
    value: Value
    result: ParseResult


def expression_values(project: Project) -> Iterator[ExpressionValue]:
    """Every ``exp`` value of every action, with its (shared, cached) parse."""
    for flow in project.flows:
        for action in flow.actions:
            for field, value in action.values:
                if value.kind == ValueKind.EXP:
                    yield ExpressionValue(flow, action, field, value, parsed(value))


def expression_calls(project: Project) -> Iterator[tuple[ExpressionValue, Call]]:
    """Every function call in every parsable ``exp`` value, with the value it is in."""
    for found in expression_values(project):
        if found.result.ast is not None:
            for call in calls(found.result.ast):
                yield found, call


def _template_offset(template: str, deployed: str, offset: int, end: bool = False) -> int:
    """Where ``deployed[offset]`` comes from in ``template`` (the scalar as written, with its
    placeholders): the same character in literal text, the placeholder (its start, or its
    end for the end of a range) inside a substituted value."""
    pieces = PLACEHOLDER_RE.split(template)
    marks = [m for m in PLACEHOLDER_RE.finditer(template)]
    at_template = at_deployed = 0
    offset = min(max(offset, 0), len(deployed))
    for index, literal in enumerate(pieces):
        found = deployed.find(literal, at_deployed) if index else (0 if deployed.startswith(literal) else -1)
        if found < 0:
            return min(at_template, len(template))
        if index and offset < found:  # inside the value that replaced the previous placeholder
            mark = marks[index - 1]
            return mark.end() if end else mark.start()
        if offset <= found + len(literal):
            return at_template + (offset - found)
        at_template += len(literal)
        at_deployed = found + len(literal)
        if index < len(marks):
            at_template = marks[index].end()
    return len(template)


def expression_loc(value: Value, start: int, end: int) -> Loc:
    """The location of ``value.text[start:end]``; the value's own location when unknown."""
    loc = value.loc
    source = loc.file
    scalar = value.scalar
    if scalar is None or source.format != SourceFormat.YAML or not source.text or value.text is None:
        return loc
    positions = offset_map(source.text, scalar)
    if len(positions) != len(value.text) + 1:
        # A deployed value: placeholders were replaced by texts of other lengths.
        template = decode(source.text, scalar)
        if len(positions) != len(template) + 1 or not source.placeholders:
            return loc  # not the scalar this text came from
        start, end = _template_offset(template, value.text, start), _template_offset(template, value.text, end, True)
        line, column = index_to_position(source.text, positions[start])
        end_line, end_column = index_to_position(source.text, positions[end])
        return Loc(source, loc.logical, Span(line, column, max(end_line, line),
                                             end_column if end_line > line or end_column > column else column + 1),
                   loc.pointer)
    line, column = index_to_position(source.text, positions[min(max(start, 0), len(value.text))])
    end_line, end_column = index_to_position(source.text, positions[min(max(end, start, 0), len(value.text))])
    if (end_line, end_column) <= (line, column):
        end_line, end_column = line, column + 1
    return Loc(source, loc.logical, Span(line, column, end_line, end_column), loc.pointer)
