"""``flowlint check --fix``: apply fixes, re-check, keep only what introduces no finding.

Rounds, as ruff's: the applicable fixes of the current findings are applied (overlapping
ones wait for the next round), the project is checked again on the fixed texts (nothing is
written yet), and a round whose fixes bring a finding that was not there before is narrowed
down (by file, then by halves) until the fixes that caused it are dropped.  Only Archy YAML
files (``.yaml``, ``.yml``, ``.tftpl``) in UTF-8 are ever rewritten: Architect exports and API
JSON never are.  Files are written last, each at once (a temporary file renamed over it,
its permissions kept), and only if nothing changed them meanwhile.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flowlint.diagnostics import Diagnostic, Fix
from flowlint.fix.edits import applicable, apply_fixes
from flowlint.ir import SourceFormat

#: Suffixes of the files --fix may rewrite (Archy YAML and its Terraform templates).
FIXABLE_SUFFIXES = (".yaml", ".yml", ".tftpl")
#: Rounds of fixing before giving up on reaching a fixed point.
MAX_ROUNDS = 10

#: Re-check the project with these files' contents (absolute path -> bytes) in place of the disk's.
Check = Callable[[dict[str, bytes]], list[Diagnostic]]


@dataclass(slots=True)
class FileFix:
    """One file: its bytes as read, its text before and after, the fixes applied to it."""

    path: str
    data: bytes
    before: str
    after: str
    bom: bool
    fixes: list[Fix] = field(default_factory=lambda: [])
    #: Findings the fixes resolve (one fix can resolve several: an unused comment's codes).
    findings: int = 0

    def encoded(self) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + self.after.encode("utf-8")


@dataclass(slots=True)
class Outcome:
    #: Files the fixes change (path as reported -> what changed), in path order.
    files: dict[str, FileFix]
    #: The findings of the fixed project (the last re-check), or the given ones if nothing changed.
    diagnostics: list[Diagnostic]
    #: Fixes left out because the re-check found a finding they would introduce.
    rejected: list[Fix] = field(default_factory=lambda: [])
    #: Why a file with fixes was not touched (its encoding...).
    notes: list[str] = field(default_factory=lambda: [])

    @property
    def fixed(self) -> int:
        """Findings fixed."""
        return sum(f.findings for f in self.files.values())


def fixable_file(path: str, formats: dict[str, SourceFormat]) -> bool:
    """Archy YAML only: exports and API JSON are never rewritten."""
    return formats.get(path) == SourceFormat.YAML and path.lower().endswith(FIXABLE_SUFFIXES)


def fix_project(diagnostics: list[Diagnostic], check: Check, formats: dict[str, SourceFormat], *,
                unsafe: bool = False, wanted: Callable[[str], bool] = lambda _: True) -> Outcome:
    """Fix what can be fixed among ``diagnostics`` (found by checking the files as they are
    on disk); nothing is written here (:func:`write`)."""
    states: dict[str, FileFix] = {}
    outcome = Outcome({}, diagnostics)
    rejected: set[tuple[str, Fix]] = set()
    current = diagnostics
    for _ in range(MAX_ROUNDS):
        candidates: dict[str, list[Fix]] = {}
        for diagnostic in current:
            path = diagnostic.file
            fix = applicable(diagnostic, unsafe)
            if fix is None or (path, fix) in rejected or not fixable_file(path, formats) or not wanted(path):
                continue
            if path not in states:
                state = _read(path, outcome.notes)
                if state is None:
                    formats = {**formats, path: SourceFormat.EXPORT}  # never again
                    continue
                states[path] = state
            candidates.setdefault(path, []).append(fix)
        trial = {path: taken for path, fixes in candidates.items()
                 if (taken := apply_fixes(states[path].after, fixes).fixes)}
        if not trial:
            break
        after = _narrow(trial, states, current, check, rejected, outcome)
        if after is None:
            continue  # every fix of the round was dropped: the next round tries the others
        for path, fixes in trial.items():
            state = states[path]
            state.after = apply_fixes(state.after, fixes).text
            state.fixes.extend(fixes)
            state.findings += sum(1 for d in current if d.file == path and applicable(d, unsafe) in fixes)
        current = after
    outcome.diagnostics = current
    outcome.files = {path: state for path, state in sorted(states.items()) if state.after != state.before}
    return outcome


def _narrow(trial: dict[str, list[Fix]], states: dict[str, FileFix], current: list[Diagnostic], check: Check,
            rejected: set[tuple[str, Fix]], outcome: Outcome) -> list[Diagnostic] | None:
    """Re-check with ``trial`` applied; drop (in place) the fixes that bring a new finding.
    Returns the findings with the remaining fixes applied, None when none remain."""
    before = Counter(_key(d) for d in current)
    while trial:
        texts = {path: state.after for path, state in states.items()}
        for path, fixes in trial.items():
            texts[path] = apply_fixes(texts[path], fixes).text
        overlay = {os.path.abspath(path): _encode(text, states[path].bom) for path, text in texts.items()}
        after = check(overlay)
        new = Counter(_key(d) for d in after) - before
        if not new:
            return after
        files = {key[1] for key in new}
        blamed = [path for path in trial if path in files] or list(trial)
        for path in blamed:
            fixes = trial[path]
            if len(fixes) == 1:
                rejected.add((path, fixes[0]))
                outcome.rejected.append(fixes[0])
                del trial[path]
            else:
                trial[path] = fixes[: len(fixes) // 2]  # the other half waits for the next round
    return None


_LINE_NUMBER = re.compile(r"\b(line|comment|lines) \d+")


def _key(diagnostic: Diagnostic) -> tuple[str, str, str | None, str]:
    """A finding's identity across edits that move lines (messages name lines: left out) or
    rename the flow (a placeholder in its name fixed)."""
    return (diagnostic.code, diagnostic.file, diagnostic.attribute, _LINE_NUMBER.sub(r"\1 #", diagnostic.logical))


def _encode(text: str, bom: bool) -> bytes:
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def _read(path: str, notes: list[str]) -> FileFix | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        notes.append(f"{path}: not fixed: cannot read it ({error.strerror or error})")
        return None
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = (data[3:] if bom else data).decode("utf-8")
    except UnicodeDecodeError:
        notes.append(f"{path}: not fixed: only UTF-8 files are rewritten")
        return None
    return FileFix(path, data, text, text, bom)


def write(files: Iterable[FileFix]) -> tuple[list[FileFix], list[str]]:
    """Write each fixed file (unless it changed since it was read); (written, problems)."""
    written: list[FileFix] = []
    problems: list[str] = []
    for fixed in files:
        target = os.path.realpath(fixed.path)  # a symbolic link keeps pointing at the fixed file
        try:
            with open(target, "rb") as handle:
                if handle.read() != fixed.data:
                    problems.append(f"{fixed.path}: not fixed: it changed while flowlint was checking it")
                    continue
            _replace(target, fixed.encoded())
        except OSError as error:
            problems.append(f"{fixed.path}: not fixed: {error.strerror or error}")
            continue
        written.append(fixed)
    return written, problems


def _replace(target: str, data: bytes) -> None:
    directory = os.path.dirname(target) or "."
    mode = os.stat(target).st_mode
    handle, temporary = tempfile.mkstemp(prefix=".flowlint-fix-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
