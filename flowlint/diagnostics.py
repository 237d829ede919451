"""Diagnostics: what a rule reports, independent of the output format."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

from flowlint.ir import Loc, Span


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}


class Applicability(enum.StrEnum):
    """How sure a fix is (as ruff's): ``--fix`` applies safe fixes, ``--unsafe-fixes`` adds the
    unsafe ones, and display-only fixes are offered in the editor alone (one of several choices)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class Edit(NamedTuple):
    """Replace the code points at ``span`` (1-based, end exclusive, lines counted as the
    file's format counts them) with ``text``.  ``expected`` is the text the span held when
    the fix was made: an edit never applies to other text (a stale fix, a template)."""

    span: Span
    text: str
    expected: str


@dataclass(slots=True, frozen=True)
class Fix:
    """Minimal text edits that resolve one finding (never a re-dump of the file)."""

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(slots=True, frozen=True)
class Related:
    """A second location that explains a finding (the Set site for a case mismatch, ...)."""

    message: str
    file: str
    span: Span | None
    logical: str


@dataclass(slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    file: str
    span: Span | None
    #: Logical location (container / action / field); always present, the only one for exports.
    logical: str = ""
    flow: str | None = None
    #: The participant-data attribute name the finding concerns, if any.
    attribute: str | None = None
    related: tuple[Related, ...] = field(default=())
    #: The resource (or options file) deploying the flow this finding is about, if any.
    deployment: str | None = None
    #: Ways to fix the finding: at most one safe or unsafe fix (what ``--fix`` applies), or
    #: several display-only ones (the editor offers each).
    fixes: tuple[Fix, ...] = field(default=())

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        line, column = (self.span.line, self.span.column) if self.span else (0, 0)
        return (self.file, line, column, self.code, self.message)


def at(code: str, severity: Severity, message: str, loc: Loc, *, flow: str | None = None,
       attribute: str | None = None, related: tuple[Related, ...] = ()) -> Diagnostic:
    """Build a diagnostic at an IR location (resolving lazy JSON positions)."""
    return Diagnostic(code, severity, message, loc.file.path, loc.file.resolve(loc), loc.logical,
                      flow, attribute, related)


def related_at(message: str, loc: Loc) -> Related:
    return Related(message, loc.file.path, loc.file.resolve(loc), loc.logical)


def where(loc: Loc) -> str:
    """Short human location for messages: ``file:line`` or ``file (logical location)``."""
    span = loc.file.resolve(loc)
    if span is not None:
        return f"{loc.file.path}:{span.line}"
    return f"{loc.file.path} ({loc.logical})"
