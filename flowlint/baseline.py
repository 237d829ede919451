"""Baselines: adopt flowlint on a repository that already has findings.

``flowlint check --write-baseline FILE`` records the current findings; ``--baseline FILE``
then reports only findings that are not in it.  A finding is keyed by (code, file, flow,
logical location, attribute) — never by line or message — so editing a flow above an
old finding does not resurface it.  Identical keys are counted: a second, new finding of
the same kind in the same place is reported.  Files are stored relative to the baseline
file's directory (POSIX separators), so the baseline works from any working directory.

The file is JSON, sorted, one finding per entry, so that its diffs review well::

    {"version": 1, "tool": "flowlint", "findings": [
      {"code": "FL005", "file": "flows/support.yaml", "flow": "Support",
       "logical": "task \\"Route\\" > getParticipantData \\"Read\\" > attributes[1].name",
       "attribute": "CallbackNumber", "count": 1}]}

Only names are stored (codes, paths, flow and attribute names, logical locations), never
a message or a value.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, cast

from flowlint.diagnostics import Diagnostic

VERSION = 1


class BaselineError(Exception):
    """An unreadable or invalid baseline file; ``str(error)`` is the user-facing message."""


class Key(NamedTuple):
    code: str
    file: str
    flow: str
    logical: str
    attribute: str


@dataclass(slots=True)
class Filtered:
    #: Findings not in the baseline (to report).
    new: list[Diagnostic]
    #: How many findings the baseline hid.
    known: int
    #: Baseline entries no longer found (fixed, or moved to another logical location).
    fixed: int


def _relative(path: str, base: str) -> str:
    absolute = os.path.realpath(path)
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        return Path(absolute).as_posix()
    return Path(relative).as_posix()


def key_of(diagnostic: Diagnostic, base: str) -> Key:
    return Key(diagnostic.code, _relative(diagnostic.file, base), diagnostic.flow or "", diagnostic.logical,
               diagnostic.attribute or "")


def _base_dir(baseline_path: str) -> str:
    return os.path.dirname(os.path.realpath(baseline_path))


def counts(diagnostics: Iterable[Diagnostic], baseline_path: str) -> Counter[Key]:
    base = _base_dir(baseline_path)
    return Counter(key_of(d, base) for d in diagnostics)


def render(keys: Counter[Key]) -> str:
    findings: list[dict[str, object]] = [
        {"code": k.code, "file": k.file, "flow": k.flow, "logical": k.logical, "attribute": k.attribute, "count": n}
        for k, n in sorted(keys.items(), key=lambda item: (item[0].file, item[0].code, item[0].flow,
                                                             item[0].logical, item[0].attribute))
    ]
    doc = {"version": VERSION, "tool": "flowlint", "findings": findings}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write(path: str, diagnostics: Iterable[Diagnostic]) -> tuple[int, int, int]:
    """Write exactly ``diagnostics`` as the baseline (so fixed findings drop out).

    Returns (findings written, added since the previous file, dropped since it); the
    previous file, if unreadable, counts as empty.
    """
    current = counts(diagnostics, path)
    try:
        previous = load(path)
    except BaselineError:
        previous = Counter[Key]()
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(render(current), encoding="utf-8")
        os.replace(temporary, target)  # atomic: a crash never leaves half a baseline
    except OSError as error:
        raise BaselineError(f"{path}: cannot write baseline: {error.strerror or error}") from error
    added = sum((current - previous).values())
    dropped = sum((previous - current).values())
    return sum(current.values()), added, dropped


def load(path: str) -> Counter[Key]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise BaselineError(f"{path}: baseline file not found (create it with --write-baseline)") from error
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: cannot read baseline: {error}") from error
    try:
        doc: object = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}:{error.lineno}:{error.colno}: invalid JSON in baseline: {error.msg}") from error
    if not isinstance(doc, dict):
        raise BaselineError(f"{path}: not a flowlint baseline (expected a JSON object)")
    data = cast(dict[str, object], doc)
    if data.get("version") != VERSION:
        raise BaselineError(f"{path}: unsupported baseline version {data.get('version')!r} (expected {VERSION}); "
                            "rewrite it with --write-baseline")
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: 'findings' must be a list")
    keys: Counter[Key] = Counter()
    for number, entry in enumerate(cast(list[object], entries), start=1):
        if not isinstance(entry, dict):
            raise BaselineError(f"{path}: finding {number} must be an object")
        item = cast(dict[str, object], entry)
        fields = [item.get(name, "") for name in Key._fields]
        count = item.get("count", 1)
        if not all(isinstance(value, str) for value in fields) or not isinstance(count, int) or count < 1:
            raise BaselineError(f"{path}: finding {number} is malformed (string fields "
                                f"{', '.join(Key._fields)} and a positive integer 'count')")
        keys[Key(*cast(list[str], fields))] += count
    return keys


def apply(diagnostics: list[Diagnostic], path: str, linted_files: Iterable[str] = ()) -> Filtered:
    """Drop findings recorded in the baseline at ``path`` (raises :class:`BaselineError`).

    ``fixed`` counts only entries of ``linted_files``: an entry for a file this run did not
    read is not known to be fixed.
    """
    remaining = load(path)
    base = _base_dir(path)
    linted = {_relative(f, base) for f in linted_files}
    new: list[Diagnostic] = []
    known = 0
    for diagnostic in diagnostics:
        key = key_of(diagnostic, base)
        if remaining[key] > 0:
            remaining[key] -= 1
            known += 1
        else:
            new.append(diagnostic)
    return Filtered(new, known, sum(n for k, n in remaining.items() if n > 0 and k.file in linted))
