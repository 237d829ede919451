"""Incremental analysis of a project held in memory: the language server's engine.

A :class:`ResidentProject` keeps, per file, its load result, its per-file findings and
what ties it to other files (:class:`~flowlint.pipeline.units.Links`, the interface digest
of :func:`~flowlint.pipeline.units.interface_of`), plus the cross-flow findings of the
last analysis.  On an edit it re-runs the per-file rules on the edited files only, and
the cross-flow rules for the files whose findings can change:

* the edit keeps the file's interface (a prompt text, an expression, a comment): the
  edited files and the files whose findings point into them (their positions may move);
* the interface changed (an attribute renamed, a transfer added, a flow renamed): also
  every file sharing an attribute or flow name with the file before or after the edit,
  every file that refers to those flow names, and every file whose flows can run after
  the edited ones (their Get-before-Set and scope depend on what runs before them).

The cross-flow rules then run over those files, the files around them that their
findings may read (:func:`~flowlint.pipeline.incremental.neighbourhood`) and name-only
stand-ins for the rest.  Anything the shortcut does not model (modules and secured-data
flows, whose interface is their whole content; data action writers; the first run)
takes the full path.  A property test holds the two paths equal, finding for finding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic
from flowlint.ir import ActionKind, Project
from flowlint.loaders.result import LoadResult
from flowlint.pipeline.incremental import earlier_files, name_only_view
from flowlint.pipeline.units import (
    Links,
    build_project,
    cross_flow_rules,
    interface_of,
    links_of,
    needs_whole_flow,
    per_file_rules,
    run_cross_flow_rules,
    run_per_file_rules,
)

#: Above this share of the files, re-checking a neighbourhood costs about what a full
#: analysis does: take the full path (simpler, and certainly right).
MAX_SHARE = 0.3


@dataclass(slots=True, eq=False)
class _Entry:
    result: LoadResult
    #: Per-file rule code -> findings (not finalized).
    local: dict[str, list[Diagnostic]]
    links: Links
    interface: str
    full: bool
    #: Where everything lies that findings in other files may point at (Set and Get names,
    #: linking actions, flow names): an edit that keeps these re-checks no other file.
    positions: tuple[object, ...] = ()
    #: A digest of what this file's own cross-flow findings read of it beyond its interface
    #: and positions (control flow, action names, guarded and unused reads): an edit that
    #: keeps all three (a prompt's text, a comment) needs no cross-flow work at all.
    own: str = ""
    #: Its Sets and Gets (kind, name as written), its flows (name, type, compatible types) and
    #: its links (kind, target, case-folded): what an interface change changed, precisely.
    attributes: frozenset[tuple[str, str]] = frozenset()
    flows: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    links_out: frozenset[tuple[str, str]] = frozenset()
    #: Cross-flow findings located in this file (not finalized), from the last analysis.
    cross: list[Diagnostic] = field(default_factory=lambda: [])
    #: Name-only stand-in, made on first use.
    stub: LoadResult | None = None
    #: The file's findings, finalized (suppressions applied); None: to compute.
    final: list[Diagnostic] | None = None


@dataclass(slots=True)
class Outcome:
    """Finalized findings by file display path, and how the analysis went."""

    findings: dict[str, list[Diagnostic]]
    #: "full" or "incremental"; the number of files whose cross-flow findings were recomputed.
    mode: str
    rechecked: int


#: ``flowlint.engine.finalize``: configuration, deployment merging, suppression comments
#: (handed in: the pipeline's parts do not reach back into the engine).
Finalize = Callable[..., list[Diagnostic]]


class ResidentProject:
    """One project (files sharing a configuration) kept analysed between edits."""

    def __init__(self, config: Config, finalize: Finalize) -> None:
        self.config = config
        self._finalize = finalize
        self._entries: dict[str, _Entry] = {}
        self._order: list[str] = []
        self._orphans: list[Diagnostic] = []
        #: Finalized findings by file, kept between outcomes (see :meth:`_finalized`), and
        #: those a file's finalizing placed in another file (by the file they came from).
        self._final: dict[str, list[Diagnostic]] = {}
        self._strays: dict[str, list[Diagnostic]] = {}
        #: Inverted indexes over the entries (case-folded names -> paths), kept up to date
        #: edit by edit: rebuilding them would cost more than analysing an edit.
        self._by_set: dict[str, set[str]] = {}
        self._by_name: dict[str, set[str]] = {}
        self._by_target: dict[str, set[str]] = {}
        self._by_attribute: dict[str, set[str]] = {}

    def update(self, results: Mapping[str, LoadResult], extra: Iterable[Diagnostic] = ()) -> Outcome:
        """Bring the analysis up to date with ``results`` (display path -> load result, every
        file of the project; unchanged files pass the same result object as before).
        ``extra`` findings (repository-stage findings) are finalized with their files."""
        removed = [path for path in self._entries if path not in results]
        changed = [path for path, result in results.items()
                   if path not in self._entries or self._entries[path].result is not result]
        old = {path: self._entries[path] for path in changed + removed if path in self._entries}
        for path in removed:
            self._unindex(path, self._entries.pop(path))
        for path in changed:
            if path in old:
                self._unindex(path, old[path])
            entry = self._entries[path] = self._entry(results[path])
            self._index(path, entry)
            if path in old:  # kept unless re-checked: an edit that moves nothing leaves them right
                entry.cross = old[path].cross
        self._order = sorted(results)
        recheck = self._recheck(changed, removed, old)
        if recheck is None:
            self._analyse_all()
            mode, count = "full", len(self._order)
        else:
            self._analyse(recheck)
            mode, count = "incremental", len(recheck)
        return Outcome(self._finalized(list(extra)), mode, count)

    # -- what to re-check ----------------------------------------------------------------
    def _entry(self, result: LoadResult) -> _Entry:
        if result.not_a_flow:
            return _Entry(result, {}, Links(), "not a flow", False)
        ctx_project = Project(list(result.flows), [result.source] if result.source is not None else [])
        local = run_per_file_rules(ctx_project, self.config, per_file_rules(self.config))
        full = any(needs_whole_flow(flow) for flow in result.flows)
        # A file kept whole always takes the full path (see _recheck): its interface is not compared.
        attributes, flows, links_out = _facts(result)
        return _Entry(result, local, links_of(result), interface_of(result, "", full), full,
                      _positions(result), _own(result), attributes, flows, links_out)

    def _recheck(self, changed: list[str], removed: list[str], old: dict[str, _Entry]) -> set[str] | None:
        """Files whose cross-flow findings must be recomputed; None: analyse everything."""
        if not changed and not removed:
            return set()
        if not old and len(changed) == len(self._entries):
            return None  # the first analysis
        if any(e.full for e in old.values()) or any(self._entries[p].full for p in changed):
            return None  # modules and secured data: module summaries and taint cross files
        config = self.config
        if config.data_action_writers or config.data_actions:
            return None  # a data action may write any attribute: every Get may depend on it
        added = {p for p in changed if p not in old}  # new files: everything about them is new
        recheck = added | {p for p in changed if p in old and (
            old[p].own != self._entries[p].own or old[p].positions != self._entries[p].positions
            or old[p].interface != self._entries[p].interface)}
        moved = set(removed) | {p for p in changed if p in old and old[p].positions != self._entries[p].positions}
        if moved:
            for path, entry in self._entries.items():
                if path not in recheck and any(_points_into(d, moved) for d in entry.cross):
                    recheck.add(path)
        if not added and not removed and all(old[p].interface == self._entries[p].interface for p in changed):
            return recheck
        # What the interface change changed: attribute names whose Sets or Gets differ, flow
        # names of flows renamed, retyped, added or removed, and link targets gained or lost.
        attributes: set[str] = set()
        names: set[str] = set()
        targets: set[str] = set()
        roots: set[str] = set()  # files whose later flows may see something else run before them
        for path in [*changed, *removed]:
            before, after = old.get(path), self._entries.get(path)
            attributes.update(name.casefold() for _, name in _attrs(before) ^ _attrs(after))
            if _attrs(before) != _attrs(after):
                roots.add(path)
            if (before.flows if before else ()) != (after.flows if after else ()):
                names.update(n for e in (before, after) if e is not None for n in e.links.names)
                # Findings elsewhere name the flows setting an attribute they read.
                attributes.update(a for e in (before, after) if e is not None for a in e.links.attributes)
                roots.add(path)
            targets.update(t for _, t in _links(before) ^ _links(after))
        for name in attributes:
            recheck.update(self._by_attribute.get(name, ()))
        for name in names:
            recheck.update(self._by_name.get(name, ()))
            recheck.update(self._by_target.get(name, ()))
        for name in targets:
            gained_or_lost = self._by_name.get(name, set())
            recheck.update(gained_or_lost)
            roots.update(gained_or_lost)  # a flow that runs before theirs came or went
        if names:  # an FL106 did-you-mean picks among every flow name
            recheck.update(p for p, e in self._entries.items() if any(d.code == "FL106" for d in e.cross))
        recheck |= self._successors(roots)
        if len(recheck) > max(1, int(len(self._entries) * MAX_SHARE)):
            return None
        return recheck

    # -- indexes -------------------------------------------------------------------------
    def _keys(self, entry: _Entry) -> list[tuple[dict[str, set[str]], Iterable[str]]]:
        sets = {name.casefold() for kind, name in entry.attributes if kind.startswith("set")}
        return [(self._by_set, sets), (self._by_name, entry.links.names), (self._by_target, entry.links.targets),
                (self._by_attribute, entry.links.attributes)]

    def _index(self, path: str, entry: _Entry) -> None:
        for index, keys in self._keys(entry):
            for key in keys:
                index.setdefault(key, set()).add(path)

    def _unindex(self, path: str, entry: _Entry) -> None:
        for index, keys in self._keys(entry):
            for key in keys:
                found = index.get(key)
                if found is not None:
                    found.discard(path)
                    if not found:
                        del index[key]

    def _around(self, recheck: set[str]) -> set[str]:
        """What the cross-flow findings of ``recheck`` may read: the files setting a name they
        get (FL001, FL005, FL006), with flows of their names (FL105, exports beside YAML), and
        every file with a flow that can run before theirs, transitively (FL005, scopes)."""
        found = set(recheck)
        for path in recheck:
            entry = self._entries.get(path)
            if entry is None:
                continue
            for kind, name in entry.attributes:
                if kind.startswith("get"):
                    found.update(self._by_set.get(name.casefold(), ()))
            for name in entry.links.names:
                found.update(self._by_name.get(name, ()))
        found |= earlier_files(recheck, self._names_of, self._by_target, self._by_name, self.config)
        return found

    def _names_of(self, path: str) -> tuple[str, ...]:
        entry = self._entries.get(path)
        return entry.links.names if entry is not None else ()

    def _successors(self, paths: set[str]) -> set[str]:
        """Files with a flow that can run after a flow of ``paths``, transitively (through
        transfers, calls, in-queue overrides and config ``flow-links``)."""
        by_name = self._by_name
        configured: dict[str, list[str]] = {}
        for after, befores in self.config.flow_links.items():
            for before in befores:
                configured.setdefault(before.lower(), []).append(after.lower())
        found: set[str] = set()
        pending = list(paths)
        while pending:
            entry = self._entries.get(pending.pop())
            if entry is None:
                continue
            targets = list(entry.links.targets)
            for name in entry.links.names:
                targets.extend(configured.get(name, ()))
            for target in targets:
                for path in by_name.get(target, ()):
                    if path not in found and path not in paths:
                        found.add(path)
                        pending.append(path)
        return found

    # -- analysis ------------------------------------------------------------------------
    def _analyse_all(self) -> None:
        results = [self._entries[path].result for path in self._order]
        project, _ = build_project(results)
        cross = run_cross_flow_rules(project, self.config, cross_flow_rules(self.config))
        self._store(cross, set(self._order))

    def _analyse(self, recheck: set[str]) -> None:
        if not recheck:
            return
        around = self._around(recheck)
        results: list[LoadResult] = []
        for path in self._order:
            entry = self._entries[path]
            if path in around:
                results.append(entry.result)
            elif not entry.result.not_a_flow:
                if entry.stub is None:
                    source = entry.result.source
                    entry.stub = name_only_view(path, source.format.value if source is not None else None,
                                                entry.links)
                results.append(entry.stub)
        project, _ = build_project(results)
        cross = run_cross_flow_rules(project, self.config, cross_flow_rules(self.config), frozenset(recheck))
        self._store(cross, recheck)

    def _store(self, cross: dict[str, list[Diagnostic]], paths: set[str]) -> None:
        by_file: dict[str, list[Diagnostic]] = {path: [] for path in paths}
        orphans: list[Diagnostic] = []
        from flowlint.registry import all_rules

        for rule in all_rules():  # registry order, as a full analysis gathers them
            for diagnostic in cross.get(rule.info.code, ()):
                if diagnostic.file in by_file:
                    by_file[diagnostic.file].append(diagnostic)
                elif diagnostic.file not in self._entries:
                    orphans.append(diagnostic)  # "." (a rule's internal error)
        for path, found in by_file.items():
            entry = self._entries.get(path)
            if entry is not None:
                entry.cross = found
                entry.final = None
        self._orphans = orphans

    def _finalized(self, extra: list[Diagnostic]) -> dict[str, list[Diagnostic]]:
        """Each file's findings finalized on their own (configuration, deployment merging,
        its suppression comments): the same as finalizing the whole project's at once,
        since all of these are per file, and an edit re-finalizes only what changed.  A file
        whose findings did not change keeps the same (sorted) list object from one outcome to
        the next, so that publishing can skip it at a glance."""
        final = self._final
        for path in [p for p in final if p not in self._entries]:
            del final[path]
        for path in self._order:
            entry = self._entries[path]
            if entry.final is not None:
                continue
            found = list(entry.result.diagnostics)
            for diagnostics in entry.local.values():
                found.extend(diagnostics)
            found.extend(entry.cross)
            project, _ = build_project([entry.result])
            finalized = self._finalize(found, self.config, project=project)
            entry.final = [d for d in finalized if d.file == path]
            self._strays[path] = [d for d in finalized if d.file != path]  # none seen; kept if ever
            if entry.final:
                final[path] = entry.final
            else:
                final.pop(path, None)
        by_file = dict(final)
        grouped: dict[str, list[Diagnostic]] = {}
        for diagnostic in self._finalize(extra + self._orphans, self.config) if extra or self._orphans else ():
            grouped.setdefault(diagnostic.file, []).append(diagnostic)
        for path, found in self._strays.items():
            if path in self._entries:
                for diagnostic in found:
                    grouped.setdefault(diagnostic.file, []).append(diagnostic)
        if grouped:
            for file, found in grouped.items():
                by_file[file] = sorted([*by_file.get(file, []), *found], key=lambda d: d.sort_key)
        return by_file


def _positions(result: LoadResult) -> tuple[object, ...]:
    found: list[object] = []
    for flow in result.flows:
        found.append(flow.file.resolve(flow.name_loc))
        for action in flow.actions:
            if action.attributes or action.target is not None or action.kind in _LINKING:
                found.append((action.index, action.name, flow.file.resolve(action.loc)))
                found.extend(flow.file.resolve(a.name.loc) for a in action.attributes)
    return tuple(found)


def _facts(result: LoadResult) -> tuple[frozenset[tuple[str, str]], tuple[tuple[str, str, tuple[str, ...]], ...],
                                        frozenset[tuple[str, str]]]:
    from flowlint.analysis.flowgraph import flow_link

    attributes: set[tuple[str, str]] = set()
    links: set[tuple[str, str]] = set()
    for flow in result.flows:
        for action in flow.actions:
            for attribute in action.attributes:
                attributes.add((action.kind.value, attribute.name.text or ""))
            target = flow_link(action)
            if target is not None and target.text:
                links.add((action.kind.value, target.text.casefold()))
    flows = tuple((f.name, f.type, tuple(f.compatible_flow_types)) for f in result.flows)
    return frozenset(attributes), flows, frozenset(links)


def _attrs(entry: _Entry | None) -> frozenset[tuple[str, str]]:
    return entry.attributes if entry is not None else frozenset()


def _links(entry: _Entry | None) -> frozenset[tuple[str, str]]:
    return entry.links_out if entry is not None else frozenset()


def _own(result: LoadResult) -> str:
    parts: list[object] = []
    for flow in result.flows:
        parts.append((flow.name, flow.type, flow.entry_container, tuple(flow.compatible_flow_types),
                      tuple((c.kind, c.name, c.ref_id, c.entry) for c in flow.containers)))
        for action in flow.actions:
            parts.append((action.kind, action.key, action.name, action.container, tuple(action.succ),
                          action.target.text if action.target is not None else None,
                          tuple((a.name.kind, a.name.text, a.guarded_by is not None, a.unused,
                                 a.variable.text if a.variable is not None else None) for a in action.attributes),
                          tuple((path, value.text) for path, value in action.values if path == "loopCount")))
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


#: Actions other files' findings may name (FL005 names a data action call).
_LINKING = frozenset({ActionKind.CALL_DATA_ACTION, ActionKind.TRANSFER_TO_ACD})


def _points_into(diagnostic: Diagnostic, paths: set[str]) -> bool:
    return any(r.file in paths for r in diagnostic.related) or any(p in diagnostic.message for p in paths)
