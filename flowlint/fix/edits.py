"""Which fixes apply, and applying their edits to a text.

Edits are located by :class:`~flowlint.ir.Span` (lines and code-point columns of the text the
check read).  A fix applies whole or not at all: not when one of its edits overlaps an edit
already taken (it is left for the next round), nor when the text at a span is not the text
the fix was made for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flowlint.diagnostics import Applicability, Diagnostic, Edit, Fix
from flowlint.ir import SourceFormat, Span

#: Line breaks as each format's positions count them (libyaml's; JSON counts only ``\n``).
_BREAKS = {SourceFormat.YAML: re.compile("\r\n|[\r\n\x85\u2028\u2029]"), SourceFormat.JSON: re.compile("\n")}


def applicable(diagnostic: Diagnostic, unsafe: bool = False) -> Fix | None:
    """The fix ``--fix`` may apply to ``diagnostic`` (``unsafe``: ``--unsafe-fixes``)."""
    allowed = {Applicability.SAFE, Applicability.UNSAFE} if unsafe else {Applicability.SAFE}
    fixes = [fix for fix in diagnostic.fixes if fix.applicability in allowed]
    return fixes[0] if len(fixes) == 1 and len(diagnostic.fixes) == 1 else None


class Lines:
    """Span -> offsets in one text."""

    def __init__(self, text: str, source_format: SourceFormat = SourceFormat.YAML) -> None:
        self.text = text
        breaks = _BREAKS.get(source_format, _BREAKS[SourceFormat.YAML])
        self.starts = [0, *(m.end() for m in breaks.finditer(text))]

    def offset(self, line: int, column: int) -> int | None:
        """Offset of a 1-based position; None when it is not in the text."""
        if not 1 <= line <= len(self.starts) or column < 1:
            return None
        start = self.starts[line - 1]
        limit = self.starts[line] if line < len(self.starts) else len(self.text)
        offset = start + column - 1
        return offset if offset <= limit else None

    def offsets(self, span: Span) -> tuple[int, int] | None:
        start, end = self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)
        if start is None or end is None or end < start:
            return None
        return start, end


@dataclass(slots=True)
class Applied:
    text: str
    #: Fixes applied, in text order; ``skipped``: left for a later round (overlapping edits).
    fixes: list[Fix] = field(default_factory=lambda: [])
    skipped: list[Fix] = field(default_factory=lambda: [])
    #: Fixes whose spans no longer hold the text they were made for.
    stale: list[Fix] = field(default_factory=lambda: [])


def apply_fixes(text: str, fixes: Iterable[Fix], source_format: SourceFormat = SourceFormat.YAML) -> Applied:
    """``text`` with every fix that fits applied (the same fix twice counts once)."""
    lines = Lines(text, source_format)
    taken: list[tuple[int, int, str]] = []
    result = Applied(text)
    seen: set[tuple[Edit, ...]] = set()
    located: list[tuple[tuple[int, int], Fix, list[tuple[int, int, str]]]] = []
    for fix in fixes:
        if fix.edits in seen:
            continue
        seen.add(fix.edits)
        places: list[tuple[int, int, str]] = []
        for edit in fix.edits:
            found = lines.offsets(edit.span)
            if found is None or text[found[0]:found[1]] != edit.expected:
                break
            places.append((found[0], found[1], edit.text))
        else:
            if places:
                located.append((min((s, e) for s, e, _ in places), fix, places))
                continue
        result.stale.append(fix)
    for _, fix, places in sorted(located, key=lambda item: item[0]):
        if any(_overlap(place, other) for place in places for other in taken):
            result.skipped.append(fix)
            continue
        taken.extend(places)
        result.fixes.append(fix)
    pieces: list[str] = []
    at = 0
    for start, end, new in sorted(taken):
        pieces += [text[at:start], new]
        at = end
    pieces.append(text[at:])
    result.text = "".join(pieces)
    return result


def _overlap(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Two edits conflict when their ranges share a code point, or both insert at one place
    (or one inserts inside or at an edge of the other: the order would be a guess)."""
    if a[0] == a[1] or b[0] == b[1]:
        return b[0] <= a[0] <= b[1] or a[0] <= b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]
