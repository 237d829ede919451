"""The warm path: re-check only what an edit can change.

When a project's last run is in the cache (:class:`flowlint.cache.Snapshot`) and the edited
files still offer other files the same *interface* (flow names and types, attribute names
of data actions, transfer and call targets; see :func:`flowlint.pipeline.units.interface_of`),
only the edited files and the files whose findings point into them are checked again, against
thin stand-ins for the files around them (:func:`neighbourhood`: same attribute or flow names,
every transitive predecessor through flow links) and name-only stand-ins for the rest.  A
result that could differ from a full run makes it give up (None), and the caller does the
full run: output never depends on which path was taken.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic
from flowlint.ir import Flow, Loc, Project, SourceFile, SourceFormat
from flowlint.loaders.result import LoadResult
from flowlint.pipeline.units import (
    Collected,
    FileUnit,
    Links,
    assemble,
    build_project,
    check_file,
    cross_flow_rules,
    links_of,
    per_file_rules,
    run_cross_flow_rules,
    view_bytes,
)

if TYPE_CHECKING:
    from flowlint.cache import Cache, Snapshot
    from flowlint.tables import ActionTable

#: The warm path re-checks at most this share of the files; more edits take the full path.
MAX_WARM_SHARE = 0.1


def neighbourhood(links: Sequence[Links], recheck: Iterable[int], config: Config) -> set[int]:
    """The files whose flows cross-flow rules may read when re-checking the files ``recheck``
    (indexes into ``links``): those setting or getting the same attribute names (FL001,
    FL005), those with flows of the same names (FL105), every file with a flow that can
    run before theirs, transitively, through flow links and config ``flow-links`` (FL005),
    and, when the repository has data actions that write attributes, every file calling a
    data action (FL005: it may write any attribute).
    Every other file only lends its flow names (lookups, FL106 suggestions)."""
    by_name: dict[str, list[int]] = {}
    by_attribute: dict[str, list[int]] = {}
    by_target: dict[str, list[int]] = {}
    for index, link in enumerate(links):
        for name in link.names:
            by_name.setdefault(name, []).append(index)
        for name in link.attributes:
            by_attribute.setdefault(name, []).append(index)
        for name in link.targets:
            by_target.setdefault(name, []).append(index)
    rechecked = list(recheck)
    found = set(rechecked)
    for index in rechecked:
        for name in links[index].attributes:
            found.update(by_attribute[name])
        for name in links[index].names:
            found.update(by_name[name])
    found |= earlier_files(rechecked, lambda index: links[index].names, by_target, by_name, config)
    # A data action may write any attribute of the conversation it is given (FL005 names
    # it): files calling one are few, and every Get of their deployment may depend on them.
    if config.data_action_writers or any(d.effect.value == "writes participant data" for d in config.data_actions):
        found.update(index for index, link in enumerate(links) if link.data_actions)
    return found


_File = TypeVar("_File")


def earlier_files(files: Iterable[_File], names_of: Callable[[_File], Iterable[str]],
                  by_target: Mapping[str, Iterable[_File]], by_name: Mapping[str, Iterable[_File]],
                  config: Config) -> set[_File]:
    """Every file with a flow that can run before a flow of ``files``, transitively: through
    the links other flows make to their names (``by_target``: case-folded target -> files)
    and config ``flow-links`` (``by_name``: case-folded flow name -> files)."""
    configured: dict[str, list[str]] = {}
    for after, befores in config.flow_links.items():
        configured.setdefault(after.lower(), []).extend(before.lower() for before in befores)
    found: set[_File] = set()
    frontier = [name for file in files for name in names_of(file)]
    seen: set[str] = set()
    while frontier:
        name = frontier.pop()
        if name in seen:
            continue
        seen.add(name)
        earlier = list(by_target.get(name, ()))
        for before in configured.get(name, ()):
            earlier.extend(by_name.get(before, ()))
        for file in earlier:
            if file not in found:
                found.add(file)
                frontier.extend(names_of(file))
    return found


def name_only_view(path: str, source_format: str | None, links: Links) -> LoadResult:
    """A file's flows with their names and types only: what a warm run's project needs of a
    file outside the neighbourhood of the edit.  Their positions are unknown (empty Locs):
    a finding that would show one makes the warm run give up (see :func:`_warm`)."""
    source = SourceFile(path, SourceFormat(source_format)) if source_format is not None else None
    file = source or SourceFile(path, SourceFormat.YAML)
    flows = [Flow(name, kind, key, file, Loc(file, ""), Loc(file, "")) for name, kind, key in links.flows]
    return LoadResult(source, flows, [], False)


#: A file's stat key: size, mtime, ctime (ns), inode, device.
StatKey = tuple[int, int, int, int, int]
#: File-system clocks can be coarse: a stat key is trusted only for a file unchanged since
#: this long before the run that recorded it started (git trusts its index the same way).
_RACY_NS = 2_000_000_000


def stat_key(path: str) -> StatKey | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def digests_of(files: Sequence[tuple[str, str]], snapshot: Snapshot | None,
             started: int) -> tuple[list[str | None], list[StatKey | None]]:
    """Content digests, and the stat keys worth recording with them.  A file whose stat key
    is the one ``snapshot`` recorded keeps its digest: reading and hashing every file is
    the largest part of a re-check over thousands of files."""
    records = snapshot.files if snapshot is not None and len(snapshot.files) == len(files) else None
    digests: list[str | None] = []
    stats: list[StatKey | None] = []
    for index, (path, fmt) in enumerate(files):
        key = stat_key(path)
        record = records[index] if records is not None else None
        if (key is not None and record is not None and record.stat == key and record.path == path
                and record.fmt == fmt):
            digests.append(record.digest)
            stats.append(key)
            continue
        digests.append(digest_of(path))
        # Recorded only if the file held still while read, and had for a while before.
        stable = key is not None and key == stat_key(path) and key[2] < started - _RACY_NS
        stats.append(key if stable else None)
    return digests, stats


def digest_of(path: str) -> str | None:
    # The loaders' reader: never blocks on a pipe, never reads past the size limit.
    from flowlint.loaders import read_flow_bytes

    try:
        data = read_flow_bytes(path)
    except OSError:
        return None
    return None if data is None else hashlib.sha256(data).hexdigest()


def known_names(project: Project) -> Callable[[str], bool]:
    """Whether a flow name resolves as in the flow graph (exactly, else ignoring case)."""
    exact = {flow.name for flow in project.flows}
    folded = {flow.name.lower() for flow in project.flows}
    return lambda name: name in exact or name.lower() in folded


def warm(files: Sequence[tuple[str, str]], digests: list[str | None], stats: list[StatKey | None],
          snapshot: Snapshot, cache: Cache, config: Config, table: ActionTable,
          units: list[FileUnit | None]) -> Collected | None:
    """Re-check only edited files, and files whose findings point into them, when the edits
    keep every interface.  None means "do a full run" (``units`` keeps what got loaded)."""
    from flowlint.cache import decode, update_snapshot

    records = snapshot.files
    if (snapshot.orphans or len(records) != len(files) or any(d is None for d in digests)
            or any(r.path != p or r.fmt != f for r, (p, f) in zip(records, files))):
        return None
    changed = [i for i, record in enumerate(records) if record.digest != digests[i]]
    if len(changed) > max(1, int(len(files) * MAX_WARM_SHARE)):
        return None
    rules = per_file_rules(config)
    fresh: dict[int, FileUnit] = {}
    for index in changed:
        path, fmt = files[index]
        digest = digests[index]
        unit = cache.get_unit(path, digest) if digest is not None else None
        if unit is None:
            unit = check_file(path, fmt, config, table, rules)
            if unit.digest is not None:
                cache.put_bytes(path, unit.digest, view_bytes(unit))
        units[index] = fresh[index] = unit
    if any(fresh[i].interface != records[i].interface or fresh[i].full or records[i].full for i in changed):
        return None
    details = decode(snapshot)
    if details is None:
        return None
    changed_paths = {records[i].path for i in changed}
    recheck = set(changed)
    for index, record in enumerate(records):
        if index not in recheck and any(_points_into(d, changed_paths)
                                        for found in details[index].cross.values() for d in found):
            recheck.add(index)
    # Re-checking a flow kept whole (modules, module calls, secured data) needs the others of
    # its kind whole too: module summaries, secured outputs and callers' taint come from them.
    whole = any(records[i].full for i in recheck)
    views: dict[int, FileUnit] = dict(fresh)
    for index, record in enumerate(records):
        if index in views or not (index in recheck or record.directives or (whole and record.full)):
            continue
        unit = cache.get_unit(record.path, record.digest) if record.digest is not None else None
        if unit is None:
            return None
        views[index] = unit
    if changed:
        from flowlint.cache import decode_stub

        links = [links_of(fresh[i].result) if i in fresh else record.links for i, record in enumerate(records)]
        around = neighbourhood(links, recheck, config)
        results: list[LoadResult] = []
        outside: set[str] = set()
        for index, record in enumerate(records):
            if index in views:
                results.append(views[index].result)
            elif index in around:
                stub = decode_stub(snapshot, index)
                if stub is None:
                    return None
                results.append(stub)
            elif not record.not_a_flow:
                results.append(name_only_view(record.path, record.source_format, record.links))
                outside.add(record.path)
        project, _ = build_project(results)
        anchored = _by_file(run_cross_flow_rules(project, config, cross_flow_rules(config)))
        new_cross = {i: anchored.get(records[i].path, {}) for i in recheck}
        if any(_points_into(d, outside) for found in new_cross.values() for ds in found.values() for d in ds):
            return None  # would show a position of a file outside the neighbourhood: not expected, but safe
        known = known_names(project)
        fresh_stats = {i: stats[i] if fresh[i].digest == digests[i] else None for i in fresh}
        cache.put_snapshot(files, update_snapshot(snapshot, details, fresh, fresh_stats, new_cross, known))
    else:  # nothing to re-check: the files (for reporting) and what suppression comments need
        results = []
        for index, record in enumerate(records):
            if index in views:
                results.append(views[index].result)
            elif not record.not_a_flow and record.source_format is not None:
                results.append(LoadResult(SourceFile(record.path, SourceFormat(record.source_format)), [], [], False))
        project, _ = build_project(results)
    cross: dict[str, list[Diagnostic]] = {}
    for found in details:
        for code, diagnostics in found.cross.items():
            cross.setdefault(code, []).extend(diagnostics)
    diagnostics = assemble(config, (d.load for d in details), [d.local for d in details], cross)
    checked = sum(1 for r in records if not r.not_a_flow)
    return Collected(project, diagnostics, checked, "warm" if changed else "unchanged", len(recheck))


def _points_into(diagnostic: Diagnostic, paths: set[str]) -> bool:
    return any(r.file in paths for r in diagnostic.related) or any(p in diagnostic.message for p in paths)


def _by_file(cross: dict[str, list[Diagnostic]]) -> dict[str, dict[str, list[Diagnostic]]]:
    found: dict[str, dict[str, list[Diagnostic]]] = {}
    for code, diagnostics in cross.items():
        for diagnostic in diagnostics:
            found.setdefault(diagnostic.file, {}).setdefault(code, []).append(diagnostic)
    return found
