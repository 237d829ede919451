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
from flowlint.loaders.yaml_scalar import index_to_position, offset_map


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


def expression_loc(value: Value, start: int, end: int) -> Loc:
    """The location of ``value.text[start:end]``; the value's own location when unknown."""
    loc = value.loc
    source = loc.file
    scalar = value.scalar
    if scalar is None or source.format != SourceFormat.YAML or not source.text or value.text is None:
        return loc
    positions = offset_map(source.text, scalar)
    if len(positions) != len(value.text) + 1:  # not the scalar this text came from
        return loc
    line, column = index_to_position(source.text, positions[min(max(start, 0), len(value.text))])
    end_line, end_column = index_to_position(source.text, positions[min(max(end, start, 0), len(value.text))])
    if (end_line, end_column) <= (line, column):
        end_line, end_column = line, column + 1
    return Loc(source, loc.logical, Span(line, column, end_line, end_column), loc.pointer)
