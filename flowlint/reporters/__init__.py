"""Output formats. Each reporter turns a :class:`Report` (sorted diagnostics) into text.

Reporter modules are imported on demand (:func:`render`) so that ``flowlint --version``
and the other commands never pay for them.  No reporter prints anything but messages,
names, codes and positions: never a value from a flow (secured data stays secret), and a source
snippet only in the full format's code frames (flow files only, secured literals masked).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Protocol, cast

from flowlint.diagnostics import Diagnostic

#: ``--format`` name -> module under flowlint.reporters.
FORMATS = {
    "full": "full",
    "concise": "text",
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
}


@dataclass(slots=True)
class Report:
    """Everything a reporter may show."""

    diagnostics: list[Diagnostic]
    #: Flow files read (the whole project, in ``--project`` mode).
    files_checked: int
    #: Files reported on, for per-file formats (JUnit); diagnostics' files are added.
    files: list[str] = field(default_factory=lambda: [])
    #: Directory that repository-relative paths (SARIF, GitHub) are relative to.
    base: str = field(default_factory=os.getcwd)
    #: Findings hidden by ``--baseline``, and baseline entries no longer found.
    baselined: int = 0
    baseline_fixed: int = 0
    #: Text format options.
    color: bool = False
    statistics: bool = False
    #: ``--quiet``: findings only, no summary line.
    quiet: bool = False
    #: Findings ``--fix`` fixed (the text formats' summary says so).
    fixed: int = 0
    #: The full format: a flow file's text for code frames (None: no frame for that file).
    source: Callable[[str], str | None] = field(default=lambda _: None)
    #: The full format: texts never shown in a frame (values written to secured data).
    masked: frozenset[str] = frozenset()


class _Reporter(Protocol):
    def render_report(self, report: Report) -> str: ...


def render(output_format: str, report: Report) -> str:
    module = importlib.import_module(f"flowlint.reporters.{FORMATS[output_format]}")
    return cast(_Reporter, module).render_report(report)


def repo_root(start: str | None = None) -> str | None:
    """The enclosing git work tree (a directory holding ``.git``, a directory or a
    worktree's file), walking up from ``start`` (default: the current directory)."""
    here = Path(os.path.realpath(start or os.getcwd()))
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return str(directory)
    return None


def relative_uri(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` with forward slashes and no ``./``; None if outside.

    Symlinks are resolved on both sides (GitHub does not show results in symlinked files).
    """
    absolute = os.path.realpath(path)
    try:
        relative = os.path.relpath(absolute, os.path.realpath(base))
    except ValueError:  # another drive on Windows
        return None
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return Path(relative).as_posix()


def display_path(path: str, base: str) -> str:
    """Repository-relative path if below ``base``, else the path as given (POSIX, no ``./``)."""
    relative = relative_uri(path, base)
    if relative is not None:
        return relative
    text = Path(path).as_posix()
    return text[2:] if text.startswith("./") else text
