"""Map offsets inside a YAML scalar's decoded value back to the file.

An expression error at offset 17 of ``exp: "If(\\"a\\",\\n  x"`` must be reported at the
line and column of the character in the *file* that produced value character 17, through
escapes, quote doubling, line folding and block-scalar indentation.  This module replays
libyaml's scanner for one scalar (the same steps as ``yaml_parser_scan_flow_scalar``,
``..._plain_scalar`` and ``..._block_scalar``) and records, for every value character,
the index of the source character that produced it: the backslash of an escape, the
first quote of ``''``, the line break a folded space or newline came from.

Maps are computed once per scalar and cached.  Nothing here raises on odd input: a
scalar the replay cannot follow maps every offset to the scalar's start.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache

from flowlint.ir import ScalarSource

_BREAKS = "\r\n\x85\u2028\u2029"
_BLANKS = " \t"
_BLANKZ = _BLANKS + _BREAKS
# libyaml turns CR, CRLF, LF and NEL into "\n" and keeps LS / PS as they are.
_LINE_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b",
    "f": "\x0c", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "'": "'", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def value_offset_to_position(text: str, scalar: ScalarSource, offset: int) -> tuple[int, int]:
    """1-based (line, column) in ``text`` of value offset ``offset`` (clamped to the value).

    ``offset == len(value)`` maps to just after the source of the last value character.
    """
    return index_to_position(text, value_offset_to_index(text, scalar, offset))


def value_offset_to_index(text: str, scalar: ScalarSource, offset: int) -> int:
    """Code-point index in ``text`` of the source of value character ``offset``."""
    positions = offset_map(text, scalar)
    return positions[min(max(offset, 0), len(positions) - 1)]


def decode(text: str, scalar: ScalarSource) -> str:
    """The scalar's value as libyaml decodes it (what the offsets refer to)."""
    verbatim = _verbatim(text, scalar)
    if verbatim is not None:
        return text[verbatim.start : verbatim.stop - 1]
    return _replay(text, scalar)[0]


def offset_map(text: str, scalar: ScalarSource) -> Sequence[int]:
    """For each value offset 0..len(value), the index in ``text`` it comes from."""
    verbatim = _verbatim(text, scalar)
    if verbatim is not None:
        return verbatim
    return _replay(text, scalar)[1]


#: What stops a flow scalar from being its own source text: a line break (folding), an
#: escape or a doubled quote.
_NOT_VERBATIM = {
    "": re.compile(r"[\r\n\x85\u2028\u2029]"),
    '"': re.compile(r'[\r\n\x85\u2028\u2029\\]'),
    "'": re.compile(r"[\r\n\x85\u2028\u2029']"),
}


def _verbatim(text: str, scalar: ScalarSource) -> range | None:
    """The offset map of a one-line scalar without escapes, whose value is its text: the
    common case, mapped in O(1) (replaying a 5 MB expression took seconds)."""
    pattern = _NOT_VERBATIM.get(scalar.style or "")
    if pattern is None:
        return None
    end = min(scalar.end, len(text))
    start = _skip_properties(text, scalar.start, end)
    if scalar.style:  # quoted: the value lies between the quotes
        if end - start < 2 or text[start] != scalar.style or text[end - 1] != scalar.style:
            return None
        start, end = start + 1, end - 1
    if pattern.search(text, start, end) is not None:
        return None
    return range(start, end + 1)


def index_to_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``index``, counting line breaks the way libyaml does."""
    starts = _line_starts(text)
    line = bisect.bisect_right(starts, index)
    return line, index - starts[line - 1] + 1


@lru_cache(maxsize=64)
def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _LINE_BREAK_RE.finditer(text)]


@lru_cache(maxsize=4096)
def _replay(text: str, scalar: ScalarSource) -> tuple[str, tuple[int, ...]]:
    end, style = min(scalar.end, len(text)), scalar.style or ""
    start = _skip_properties(text, scalar.start, end)
    out = _Out(start + (1 if style in ("'", '"') else 0))
    try:
        if style in ("|", ">"):
            _block(text, start, end, style == "|", _parent_indent(text, start), out)
        else:
            _flow(text, start, end, style, out)
    except IndexError:  # a span that is not the scalar it claims to be
        return "", (start,)
    return "".join(out.chars), (*out.sources, out.end)


def _skip_properties(text: str, i: int, end: int) -> int:
    """The scalar's own start: libyaml's start mark is on its tag or anchor, if any."""
    while i < end and text[i] in "!&":
        while i < end and text[i] not in _BLANKZ:
            i += 1
        while i < end and text[i] in _BLANKZ:
            i += 1
    return i


class _Out:
    """The value being rebuilt, with the source index of each character."""

    __slots__ = ("chars", "sources", "end")

    def __init__(self, empty_end: int) -> None:
        self.chars: list[str] = []
        self.sources: list[int] = []
        #: Where the source of the last character ends (the position of offset len(value)).
        self.end = empty_end

    def emit(self, chars: str, source: int, source_end: int) -> None:
        for char in chars:
            self.chars.append(char)
            self.sources.append(source)
        self.end = source_end


def _break_end(text: str, i: int) -> int:
    return i + 2 if text.startswith("\r\n", i) else i + 1


def _normal_break(char: str) -> str:
    return char if char in "\u2028\u2029" else "\n"


def _flow(text: str, start: int, end: int, style: str, out: _Out) -> None:
    """Plain, single- and double-quoted scalars: escapes, ``''`` and line folding."""
    double, single = style == '"', style == "'"
    i = start + 1 if double or single else start
    stop = end - 1 if double or single else end  # the closing quote is not content
    while i < stop:
        leading_blanks = False
        while i < stop and text[i] not in _BLANKZ:
            char = text[i]
            if single and char == "'":
                out.emit("'", i, i + 2)  # '' inside single quotes
                i += 2
            elif double and char == "\\":
                if text[i + 1] in _BREAKS:  # escaped line break: joins the lines, no space
                    i = _break_end(text, i + 1)
                    leading_blanks = True
                    break
                i = _escape(text, i, out)
            else:
                out.emit(char, i, i + 1)
                i += 1
        if i >= stop:
            break
        # A run of blanks and breaks: kept as is within a line; folded across lines.
        whitespaces: list[int] = []
        leading_break: tuple[str, int, int] | None = None
        trailing: list[tuple[str, int, int]] = []
        while i < stop and text[i] in _BLANKZ:
            if text[i] in _BLANKS:
                if not leading_blanks:
                    whitespaces.append(i)
                i += 1
                continue
            after = _break_end(text, i)
            found = (_normal_break(text[i]), i, after)
            if not leading_blanks:
                whitespaces.clear()  # blanks before a line break are dropped
                leading_break, leading_blanks = found, True
            else:
                trailing.append(found)
            i = after
        if not leading_blanks:
            for w in whitespaces:
                out.emit(text[w], w, w + 1)
        elif leading_break is not None and leading_break[0] == "\n" and not trailing:
            out.emit(" ", leading_break[1], leading_break[2])  # a single break folds to a space
        else:
            if leading_break is not None and leading_break[0] != "\n":
                out.emit(*leading_break)
            for found in trailing:  # each further (blank) line is one newline
                out.emit(*found)


def _escape(text: str, i: int, out: _Out) -> int:
    """Decode the escape at ``text[i] == '\\\\'``; return the index after it."""
    code = text[i + 1]
    if code in _SIMPLE_ESCAPES:
        out.emit(_SIMPLE_ESCAPES[code], i, i + 2)
        return i + 2
    width = _HEX_ESCAPES.get(code)
    if width is None:
        raise IndexError(f"unknown escape \\{code}")  # libyaml rejects it; so do we
    digits = text[i + 2 : i + 2 + width]
    try:
        out.emit(chr(int(digits, 16)), i, i + 2 + width)
    except ValueError as exc:
        raise IndexError("bad hexadecimal escape") from exc
    return i + 2 + width


def _block(text: str, start: int, end: int, literal: bool, parent: int, out: _Out) -> None:
    """Literal ``|`` and folded ``>`` scalars with chomping and indentation indicators."""
    i = start + 1
    chomping, increment = 0, 0
    while i < end and text[i] in "+-123456789":
        if text[i] in "+-":
            chomping = 1 if text[i] == "+" else -1
        else:
            increment = int(text[i])
        i += 1
    while i < end and text[i] not in _BREAKS:  # blanks and a comment after the header
        i += 1
    if i < end:
        i = _break_end(text, i)
    indent = (parent + increment if parent >= 0 else increment) if increment else 0
    trailing: list[tuple[str, int, int]] = []
    i, column, indent = _block_breaks(text, i, end, indent, parent, trailing)
    leading_break: tuple[str, int, int] | None = None
    leading_blank = False
    while column == indent and i < end:
        trailing_blank = text[i] in _BLANKS
        if not literal and leading_break is not None and leading_break[0] == "\n" \
                and not leading_blank and not trailing_blank:
            if not trailing:  # folded: a line break between two text lines is a space
                out.emit(" ", leading_break[1], leading_break[2])
        elif leading_break is not None:
            out.emit(*leading_break)
        for found in trailing:
            out.emit(*found)
        trailing.clear()
        leading_blank = text[i] in _BLANKS
        while i < end and text[i] not in _BREAKS:
            out.emit(text[i], i, i + 1)
            i += 1
        leading_break = None
        if i < end:
            after = _break_end(text, i)
            leading_break = (_normal_break(text[i]), i, after)
            i = after
        i, column, indent = _block_breaks(text, i, end, indent, parent, trailing)
    if chomping != -1 and leading_break is not None:  # clip and keep: the final line break
        out.emit(*leading_break)
    if chomping == 1:  # keep: the trailing blank lines too
        for found in trailing:
            out.emit(*found)


def _block_breaks(
    text: str, i: int, end: int, indent: int, parent: int, breaks: list[tuple[str, int, int]]
) -> tuple[int, int, int]:
    """Skip indentation and empty lines (collecting their breaks); settle an auto indent.

    Returns the index and column reached and the indentation of the scalar.
    """
    column = max_indent = 0
    while True:
        while (not indent or column < indent) and i < end and text[i] == " ":
            i += 1
            column += 1
        max_indent = max(max_indent, column)
        if i < end and text[i] in _BREAKS:
            after = _break_end(text, i)
            breaks.append((_normal_break(text[i]), i, after))
            i, column = after, 0
            continue
        break
    if not indent:
        indent = max(max_indent, parent + 1, 1)
    return i, column, indent


def _parent_indent(text: str, start: int) -> int:
    """libyaml's indentation of the collection holding the block scalar at ``start``.

    Only an explicit indentation indicator (``|2``) depends on it.  Read from the line of
    the indicator: ``key: |`` and ``- key: |`` give the key's column, ``- |`` the dash's;
    ``--- |`` or an indicator alone on its line gives -1 (document level).
    """
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    words = text[line_start:start].split()
    while words and words[-1][:1] in ("!", "&"):  # a tag or anchor before the indicator
        words.pop()
    prefix = text[line_start:start]
    if words and words[-1].endswith(":"):
        column = len(prefix) - len(prefix.lstrip(" "))
        while prefix.startswith(("- ", "-\t"), column):
            column += 1
            while column < len(prefix) and prefix[column] in _BLANKS:
                column += 1
        return column
    if words and words[-1] == "-":
        return prefix.rstrip().rfind("-")
    return -1
