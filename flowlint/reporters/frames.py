"""Code frames: the source lines of a span with a caret underline, as ruff and actionlint
show them.

Columns are code points of the file's text; what is drawn is terminal cells: tabs expand to
the next multiple of four, wide characters (CJK, emoji) take two cells and combining marks
none, so the carets sit under the span whatever the line holds.  Control characters are
drawn as U+FFFD (a frame never sends a terminal escape from a file), very long lines are
cut to a window around the span, and masked texts (values written to secured data) are
drawn as asterisks wherever they appear.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from flowlint.ir import ActionKind, Project, Span, ValueKind

TAB = 4
#: Lines longer than this (code points) are shown as a window around the span.
MAX_LINE = 160
#: Spans over more lines than this show their first and last lines only.
MAX_LINES = 4
_YAML_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def split_lines(text: str, path: str) -> list[str]:
    """Lines as the file's positions count them (JSON: ``\\n`` only; YAML: libyaml's breaks)."""
    if path.lower().endswith(".json"):
        return [line.removesuffix("\r") for line in text.split("\n")]
    return _YAML_BREAKS.split(text)


def cells(char: str) -> int:
    """Terminal cells a (non-tab, printable) character takes."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _printable(char: str) -> str:
    return "\ufffd" if unicodedata.category(char) == "Cc" and char != "\t" else char


def draw(line: str, start: int, end: int) -> tuple[str, int, int]:
    """``line`` as drawn, with the cells where code points ``[start, end)`` begin and end."""
    out: list[str] = []
    width = 0
    first = last = -1
    for index, char in enumerate(line):
        if index == start:
            first = width
        if index == end:
            last = width
        if char == "\t":
            pad = TAB - width % TAB
            out.append(" " * pad)
            width += pad
        else:
            char = _printable(char)
            out.append(char)
            width += cells(char)
    first = width if first < 0 else first
    last = width if last < 0 else last
    return "".join(out), first, max(last, first)


def mask(line: str, masked: Iterable[str]) -> str:
    """Every occurrence of a masked text replaced by as many asterisks (columns unchanged)."""
    for secret in masked:
        if secret in line:
            line = line.replace(secret, "*" * len(secret))
    return line


def frame(lines: list[str], span: Span, masked: Iterable[str] = (), mark: str = "^") -> Iterator[tuple[int | None, str, str]]:
    """(line number or None for an elision, drawn line, underline) for each line of ``span``."""
    last = span.end_line
    if span.end_column == 1 and last > span.line:
        last -= 1  # a span ending at the start of a line does not reach into it
    last = min(last, len(lines))
    numbers = list(range(span.line, last + 1))
    if len(numbers) > MAX_LINES:
        numbers = [*numbers[:MAX_LINES - 1], -1, numbers[-1]]
    for number in numbers:
        if number < 0:
            yield None, "...", ""
            continue
        line = mask(lines[number - 1], masked)
        start = span.column - 1 if number == span.line else len(line) - len(line.lstrip(" \t"))
        end = span.end_column - 1 if number == span.end_line else len(line)
        start, end = min(start, len(line)), min(max(end, start), len(line))
        prefix = ""
        if len(line) > MAX_LINE:  # a window around the span's start
            begin = max(0, start - MAX_LINE // 3)
            stop = min(len(line), begin + MAX_LINE)
            prefix = "…" if begin else ""
            suffix = "…" if stop < len(line) else ""
            line = prefix + line[begin:stop] + suffix
            start, end = start - begin + len(prefix), min(end, stop) - begin + len(prefix)
        drawn, first, after = draw(line, start, end)
        yield number, drawn.rstrip(), " " * first + mark * max(1, after - first)


def secured_literals(project: Project) -> frozenset[str]:
    """Texts written to secured data (literals, and string literals in expressions) that a
    frame must not show: a lint finding is no reason to print a secret into a CI log."""
    found: set[str] = set()
    for flow in project.flows:
        for action in flow.actions:
            if action.kind is not ActionKind.SET_SECURED_DATA:
                continue
            for attribute in action.attributes:
                value = attribute.value
                if value is None or value.text is None:
                    continue
                if value.kind is ValueKind.EXP:
                    found.update(m.group(1) for m in _STRING.finditer(value.text))
                else:
                    found.add(value.text)
    return frozenset(text for text in found if text.strip())
