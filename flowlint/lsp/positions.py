"""Positions: IR spans (1-based lines, code-point columns, end exclusive) <-> LSP positions.

LSP positions are 0-based lines and columns counted in the negotiated encoding's code
units: UTF-16 by default, UTF-8 or UTF-32 when the client offers them.  The two sides
also disagree on what a line break is: libyaml (YAML 1.1) breaks lines at ``\\x85``,
``\\u2028`` and ``\\u2029`` as well as at CR/LF, the Lark JSON locator only at ``\\n``,
and LSP at ``\\n``, ``\\r\\n`` and ``\\r``.  So a span is first turned into code-point
*offsets* with the loader's line rules, and offsets into LSP positions with LSP's.

Offsets are indexes into the text the loader parsed (:attr:`SourceFile.text`); the
editor's text may carry one leading BOM more (the loaders strip it), which ``prefix``
accounts for.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from flowlint.ir import SourceFormat, Span

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"

LSP_BREAKS = re.compile(r"\r\n|\r|\n")
_YAML_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_JSON_BREAKS = re.compile(r"\n")


class Pos(NamedTuple):
    """A 0-based LSP position: line and column in code units of some encoding."""

    line: int
    character: int


class LineIndex:
    """Line starts of one text under one set of line-break rules."""

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, breaks: re.Pattern[str] = LSP_BREAKS) -> None:
        self.text = text
        self.starts = [0]
        #: Where each line's content ends (its line break excluded).
        self.ends: list[int] = []
        for match in breaks.finditer(text):
            self.ends.append(match.start())
            self.starts.append(match.end())
        self.ends.append(len(text))

    def offset(self, line: int, column: int) -> int:
        """Offset of 0-based ``line`` and code-point ``column``, clamped to the line's content."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[line]
        return start + max(0, min(column, self.ends[line] - start))

    def location(self, offset: int) -> tuple[int, int]:
        """0-based line and code-point column of ``offset``."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, min(offset, self.ends[line]) - self.starts[line]

    def line_text(self, line: int) -> str:
        return self.text[self.starts[line]:self.ends[line]]


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in code units of ``encoding``."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def column_from_units(line: str, count: int, encoding: str) -> int:
    """Code-point column of ``count`` code units into ``line``.

    A position inside a character (half a surrogate pair, part of a UTF-8 sequence)
    snaps to that character's start; past the end it clamps to the line's end.
    """
    if encoding == UTF32 or line.isascii():
        return max(0, min(count, len(line)))
    seen = 0
    for column, char in enumerate(line):
        width = units(char, encoding)
        if seen + width > count:
            return column
        seen += width
    return len(line)


class PositionMapper:
    """Converts between IR spans, offsets into the parsed text, and LSP positions of one file."""

    __slots__ = ("source_index", "editor_index", "prefix")

    def __init__(self, source_text: str, source_format: SourceFormat, editor_text: str | None = None) -> None:
        breaks = _JSON_BREAKS if source_format == SourceFormat.JSON else _YAML_BREAKS
        self.source_index = LineIndex(source_text, breaks)
        editor = source_text if editor_text is None else editor_text
        self.editor_index = LineIndex(editor)
        self.prefix = 1 if editor.startswith("\ufeff") and not source_text.startswith("\ufeff") else 0

    def offsets(self, span: Span) -> tuple[int, int]:
        """Start and end (exclusive) offsets of an IR span in the parsed text."""
        start = self.source_index.offset(span.line - 1, span.column - 1)
        end = self.source_index.offset(span.end_line - 1, span.end_column - 1)
        return start, max(start, end)

    def position(self, offset: int, encoding: str) -> Pos:
        line, column = self.editor_index.location(offset + self.prefix)
        text = self.editor_index.line_text(line)
        return Pos(line, units(text[:column], encoding))

    def lsp_range(self, span: Span | None, encoding: str) -> tuple[Pos, Pos]:
        """The LSP range of a span; a span-less location (exports) is the file's first character."""
        if span is None:
            return Pos(0, 0), Pos(0, 0)
        start, end = self.offsets(span)
        return self.position(start, encoding), self.position(end, encoding)

    def offset_at(self, position: Pos, encoding: str) -> int:
        """Offset in the parsed text of an LSP position (clamped to the text)."""
        index = self.editor_index
        if position.line >= len(index.starts):
            return max(0, len(index.text) - self.prefix)
        line = max(0, position.line)
        column = column_from_units(index.line_text(line), position.character, encoding)
        return max(0, index.starts[line] + column - self.prefix)
