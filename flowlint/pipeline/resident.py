"""The incremental analysis engine, shared by the language server, ``--daemon`` and the
cached command line.

A :class:`ResidentProject` keeps, per file, its :class:`~flowlint.pipeline.facts.FileFacts`
(interface, links, Sets and Gets, flows, where other files' findings point), its findings
(:class:`~flowlint.pipeline.facts.FileFindings`) and, when loaded, its IR; plus inverted
indexes over the names that tie files together.  On an edit it takes the edited files'
new units (loaded, per-file rules run) and re-runs the cross-flow rules for the files whose
findings can change:

* the edit keeps the file's interface (a prompt text, an expression, a comment): the
  edited files and the files whose findings point into them (their positions may move);
  none at all when the positions and what the file's own findings read are kept too;
* the interface changed (an attribute renamed, a transfer added, a flow renamed): also
  every file sharing an attribute or flow name with the file before or after the edit,
  every file that refers to those flow names, and every file whose flows can run after
  the edited ones (their Get-before-Set and scope depend on what runs before them);
* a flow the taint analysis walks changed (it calls a module, or reads secured data): also
  the modules it calls when it may pass them secured data (their findings depend on it); a common
  module changed: also every flow calling it (module summaries, tainted outputs) and the
  flows after those (the Sets inside a module run in its callers).

The cross-flow rules then run over those files, the files around them that their
findings may read (:meth:`ResidentProject._around`) and name-only stand-ins for the rest,
with findings wanted in the re-checked files only.  A configuration change, a call of a
data action that may write any attribute added, removed or renamed, a rule's internal
error and the first run take the full path, as does an edit whose re-check would reach
more than :data:`MAX_SHARE` of the files.  Property tests hold the two paths equal, finding
for finding (tests/test_lsp_incremental.py, tests/test_cache.py).

Where the IR comes from is the caller's part: the language server hands in every file's
unit and keeps them; the command line restores the engine from the cache's snapshot
(:meth:`ResidentProject.restore`) and hands in a ``load`` that reads a file's unit from
the cache when the analysis reaches it; ``--daemon`` keeps the engine between runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar
from dataclasses import dataclass

from flowlint.config import Config
from flowlint.deploy.model import DataActionEffect
from flowlint.diagnostics import Diagnostic
from flowlint.ir import ActionKind, Flow, Loc, Project, SourceFile, SourceFormat
from flowlint.loaders.result import LoadResult
from flowlint.pipeline.facts import FileFacts, FileFindings, StatKey, facts_of
from flowlint.pipeline.units import (
    FileUnit,
    Links,
    assemble,
    build_project,
    cross_flow_rules,
    per_file_rules,
    run_cross_flow_rules,
    unit_of,
)

#: Above this share of the files, re-checking a neighbourhood costs about what a full
#: analysis does: take the full path (simpler, and certainly right).
MAX_SHARE = 0.3


class StateUnavailable(Exception):
    """The analysis needs the IR of a file that ``load`` could not give (a cache entry gone):
    the caller starts over from the files."""


@dataclass(slots=True, eq=False)
class _Entry:
    facts: FileFacts
    findings: FileFindings
    #: The file's unit (IR and per-file findings); None: not loaded (``load`` gives it).
    unit: FileUnit | None
    #: Name-only stand-in, made on first use.
    stub: LoadResult | None = None
    #: The file's findings, finalized (suppressions applied); None: to compute.
    final: list[Diagnostic] | None = None


@dataclass(slots=True)
class Outcome:
    """Finalized findings by file display path, and how the analysis went."""

    findings: dict[str, list[Diagnostic]]
    #: "full", "incremental" or "unchanged"; the number of files whose cross-flow findings
    #: were recomputed.
    mode: str
    rechecked: int


#: ``flowlint.engine.finalize``: configuration, deployment merging, suppression comments
#: (handed in: the pipeline's parts do not reach back into the engine).
Finalize = Callable[..., list[Diagnostic]]
#: Gives a file's unit from its facts (the cache, by path and digest); None: gone.
Load = Callable[[FileFacts], "FileUnit | None"]


class ResidentProject:
    """One project (files sharing a configuration) kept analysed between edits."""

    def __init__(self, config: Config, finalize: Finalize | None = None, load: Load | None = None) -> None:
        self.config = config
        self._finalize = finalize
        self.load = load
        self._entries: dict[str, _Entry] = {}
        self._order: list[str] = []
        self._orphans: list[Diagnostic] = []
        #: Paths whose facts or findings changed since :meth:`take_changed`.
        self._changed: set[str] = set()
        #: The editor's load results by path (:meth:`update_results` compares by identity).
        self._results: dict[str, LoadResult] = {}
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
        self._by_data_action: dict[str, set[str]] = {}
        #: Paths whose findings are to be finalized again (the editor's outcomes).
        self._unfinal: set[str] = set()

    @classmethod
    def restore(cls, config: Config, files: Sequence[FileFacts], findings: Sequence[FileFindings],
                orphans: Sequence[Diagnostic], load: Load) -> ResidentProject:
        """The engine as a previous run left it (a cache snapshot), no file loaded."""
        project = cls(config, load=load)
        for facts, found in zip(files, findings, strict=True):
            entry = project._entries[facts.path] = _Entry(facts, found, None)
            project._index(facts.path, entry)
        project._order = [facts.path for facts in files]
        project._orphans = list(orphans)
        return project

    # -- state ---------------------------------------------------------------------------
    def facts(self, path: str) -> FileFacts | None:
        entry = self._entries.get(path)
        return entry.facts if entry is not None else None

    def state(self) -> tuple[list[FileFacts], list[FileFindings], list[Diagnostic]]:
        """Facts and findings of every file (in project order), and the findings in no file."""
        entries = self._ordered()
        return [e.facts for e in entries], [e.findings for e in entries], list(self._orphans)

    def take_changed(self) -> set[str]:
        """Paths whose facts or findings changed since the last call (what to store again)."""
        changed, self._changed = self._changed, set()
        return changed

    def set_stat(self, path: str, stat: StatKey | None) -> None:
        """Record the stat key of an unchanged file (see ``FileFacts.stat``)."""
        self._entries[path].facts.stat = stat

    def loaded(self) -> bool:
        return all(entry.unit is not None for entry in self._entries.values())

    # -- updates -------------------------------------------------------------------------
    def update(self, order: Sequence[str] | None, fresh: Mapping[str, FileUnit]) -> tuple[str, int]:
        """Bring the analysis up to date: ``order`` is every file of the project (in project
        order; None: the same files as last time), ``fresh`` the units of the files added or
        changed since the last update.  Returns the mode ("full", "incremental" or
        "unchanged") and the number of files whose cross-flow findings were recomputed.
        Raises :class:`StateUnavailable` when a file's unit is needed and cannot be loaded."""
        if order is None:
            removed: list[str] = []
            changed = [path for path in fresh if path in self._entries]
            if len(changed) != len(fresh):
                raise ValueError("a new file needs the project's order")
        else:
            wanted = set(order)
            removed = [path for path in self._entries if path not in wanted]
            changed = [path for path in order if path in fresh]
            missing = [path for path in order if path not in fresh and path not in self._entries]
            if missing:
                raise ValueError(f"no unit for new file {missing[0]}")
        old = {path: self._entries[path] for path in changed + removed if path in self._entries}
        for path in removed:
            self._unindex(path, self._entries.pop(path))
            self._final.pop(path, None)
            self._strays.pop(path, None)
            self._unfinal.discard(path)
        for path in changed:
            if path in old:
                self._unindex(path, old[path])
            unit = fresh[path]
            facts = facts_of(unit)
            entry = self._entries[path] = _Entry(facts, FileFindings(list(unit.result.diagnostics), unit.local), unit)
            self._index(path, entry)
            if path in old:  # kept unless re-checked: an edit that moves nothing leaves them right
                entry.findings.cross = old[path].findings.cross
        self._changed.update(changed)
        self._unfinal.update(changed)
        if order is not None:
            self._order = list(order)
        if not changed and not removed:
            return "unchanged", 0
        recheck = self._recheck(changed, removed, old)
        if recheck is None:
            self._analyse_all()
            return "full", len(self._order)
        self._analyse(recheck)
        return "incremental", len(recheck)

    def update_results(self, results: Mapping[str, LoadResult], extra: Iterable[Diagnostic] = (),
                       changed: Iterable[str] | None = None) -> Outcome:
        """The editor's update: ``results`` (display path -> load result) is every file of
        the project, unchanged files passing the same result object as before; ``changed``,
        when the files are those of the last update, the only ones that may have changed.
        ``extra`` findings (repository-stage findings) are finalized with their files."""
        rules = per_file_rules(self.config)
        if changed is not None and self._results and len(results) == len(self._results):
            candidates = {path: results[path] for path in changed if path in results}
            fresh = {path: unit_of(path, "", "", result, self.config, rules) for path, result in candidates.items()
                     if self._results.get(path) is not result}
            self._results.update(candidates)
            mode, count = self.update(None, fresh)
        else:
            fresh = {path: unit_of(path, "", "", result, self.config, rules) for path, result in results.items()
                     if self._results.get(path) is not result}
            self._results = dict(results)
            mode, count = self.update(sorted(results), fresh)
        return Outcome(self._finalized(list(extra)), mode, count)

    def diagnostics(self) -> list[Diagnostic]:
        """Every finding, not finalized, in the order a full run gathers them (loaders in
        file order, then each rule in registry order)."""
        entries = self._ordered()
        cross: dict[str, list[Diagnostic]] = {}
        for entry in entries:
            for diagnostic in entry.findings.cross:
                cross.setdefault(diagnostic.code, []).append(diagnostic)
        for diagnostic in self._orphans:
            cross.setdefault(diagnostic.code, []).append(diagnostic)
        return assemble(self.config, (e.findings.load for e in entries), [e.findings.local for e in entries], cross)

    def report_project(self) -> Project:
        """What reporting needs of the files: every file's source, and the IR of those with
        suppression comments (finalizing) or secured data (code frames mask its literals)."""
        if self.loaded():
            return build_project(e.unit.result for e in self._ordered() if e.unit is not None)[0]
        results: list[LoadResult] = []
        for path in self._order:
            facts = self._entries[path].facts
            if facts.directives or facts.secured:
                results.append(self._unit(path).result)
            elif not facts.not_a_flow and facts.source_format is not None:
                results.append(LoadResult(SourceFile(path, SourceFormat(facts.source_format)), [], [], False))
        return build_project(results)[0]

    def _ordered(self) -> list[_Entry]:
        return [self._entries[path] for path in self._order]

    def _unit(self, path: str) -> FileUnit:
        entry = self._entries[path]
        if entry.unit is None:
            unit = self.load(entry.facts) if self.load is not None else None
            if unit is None:
                raise StateUnavailable(path)
            entry.unit = unit
        return entry.unit

    # -- what to re-check ----------------------------------------------------------------
    def _recheck(self, changed: list[str], removed: list[str], old: dict[str, _Entry]) -> set[str] | None:
        """Files whose cross-flow findings must be recomputed; None: analyse everything."""
        if not changed and not removed:
            return set()
        if not old and len(changed) == len(self._entries):
            return None  # the first analysis
        if self._orphans:
            return None  # a rule failed last time: its findings are in no file
        if self._writers() and any(_calls(old[p].facts if p in old else None) != _calls(self.facts(p))
                                   for p in [*changed, *removed]):
            return None  # a call of a data action writing any attribute came, went or moved: any Get may note it
        added = {p for p in changed if p not in old}  # new files: everything about them is new
        facts = {p: self._entries[p].facts for p in changed}
        recheck = added | {p for p in changed if p in old and (
            old[p].facts.own != facts[p].own or old[p].facts.positions != facts[p].positions
            or old[p].facts.interface != facts[p].interface)}
        # What the taint analysis and module summaries read across files: a flow kept whole
        # passes its secured data into the modules it calls (their findings), and a module's
        # body is read by every flow calling it (summaries, tainted outputs) and by the flows
        # after those (FL005 counts the Sets inside the modules a flow calls).
        roots: set[str] = set()  # files whose later flows may see something else run before them
        for path in [*changed, *removed]:
            for version in (old[path].facts if path in old else None, facts.get(path)):
                if version is None or not version.full or (path not in recheck and path not in removed):
                    continue
                if _is_module(version) or self._may_pass_secured_data(version):
                    recheck |= self._callees({path}, version)
                if _is_module(version):
                    callers = self._callers(version.links.names)
                    recheck |= callers
                    roots |= callers
        moved = set(removed) | {p for p in changed if p in old and old[p].facts.positions != facts[p].positions}
        if moved:
            for path, entry in self._entries.items():
                if path not in recheck and any(_points_into(d, moved) for d in entry.findings.cross):
                    recheck.add(path)
        if not added and not removed and all(old[p].facts.interface == facts[p].interface
                                             and old[p].facts.deployed == facts[p].deployed for p in changed):
            return self._bounded(recheck | self._successors(roots))
        # What the interface change changed: attribute names whose Sets or Gets differ, flow
        # names of flows renamed, retyped, added or removed, and link targets gained or lost.
        attributes: set[str] = set()
        names: set[str] = set()
        targets: set[str] = set()
        for path in [*changed, *removed]:
            before = old[path].facts if path in old else None
            after = facts.get(path)
            attributes.update(name.casefold() for _, name in _attrs(before) ^ _attrs(after))
            if _attrs(before) != _attrs(after):
                roots.add(path)
            if _placed(before) != _placed(after):  # flows renamed, retyped, or deployed elsewhere
                names.update(n for f in (before, after) if f is not None for n in f.links.names)
                # Findings elsewhere name the flows setting an attribute they read.
                attributes.update(a for f in (before, after) if f is not None for a in f.links.attributes)
                roots.add(path)
            moved_links = _links(before) ^ _links(after)
            targets.update(t for _, t in moved_links)
            if any(kind == _MODULE_CALL for kind, _ in moved_links):
                roots.add(path)  # the Sets of the modules it calls run in it: flows after it see others
        for name in attributes:
            recheck.update(self._by_attribute.get(name, ()))
        for name in names:
            recheck.update(self._by_name.get(name, ()))
            recheck.update(self._by_target.get(name, ()))
        for name in targets:
            gained_or_lost = self._by_name.get(name, set())
            recheck.update(gained_or_lost)
            roots.update(gained_or_lost)  # a flow that runs before theirs came or went
        for after in self._configured_after(names):  # config flow-links from a name that came or went
            gained_or_lost = self._by_name.get(after, set())
            recheck.update(gained_or_lost)
            roots.update(gained_or_lost)
        if names:  # an FL106 did-you-mean picks among every flow name
            recheck.update(p for p, e in self._entries.items() if any(d.code == "FL106" for d in e.findings.cross))
        return self._bounded(recheck | self._successors(roots))

    def _bounded(self, recheck: set[str]) -> set[str] | None:
        return None if len(recheck) > max(1, int(len(self._entries) * MAX_SHARE)) else recheck

    def _is_module_file(self, path: str) -> bool:
        entry = self._entries.get(path)
        return entry is not None and _is_module(entry.facts)

    def _may_pass_secured_data(self, facts: FileFacts) -> bool:
        """Whether a flow may pass secured data into the modules it calls: it has a source of
        its own, or a module it calls has one (its outputs are then tainted)."""
        return facts.sources or any(
            (callee := self.facts(path)) is not None and callee.sources
            for target in facts.links.targets for path in self._by_name.get(target, ()))

    def _callees(self, paths: set[str], facts: FileFacts | None = None) -> set[str]:
        """The module files the flows of ``paths`` call, transitively (``facts``: of the one
        path, as it was before an edit)."""
        found: set[str] = set()
        pending = list(paths)
        first = facts
        while pending:
            path = pending.pop()
            current = first if first is not None else self.facts(path)
            first = None
            if current is None:
                continue
            for target in current.links.targets:
                for callee in self._by_name.get(target, ()):
                    if callee not in found and self._is_module_file(callee):
                        found.add(callee)
                        pending.append(callee)
        return found

    def _callers(self, names: Iterable[str]) -> set[str]:
        """The files calling the modules of these (case-folded) names, transitively through
        modules calling modules."""
        found: set[str] = set()
        pending = list(names)
        seen: set[str] = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            for caller in self._by_target.get(name, ()):
                if caller not in found:
                    found.add(caller)
                    if self._is_module_file(caller):
                        pending.extend(self._names_of(caller))
        return found

    # -- indexes -------------------------------------------------------------------------
    def _keys(self, entry: _Entry) -> list[tuple[dict[str, set[str]], Iterable[str]]]:
        facts = entry.facts
        sets = {name.casefold() for kind, name in facts.attributes if kind.startswith("set")}
        links = facts.links
        return [(self._by_set, sets), (self._by_name, links.names), (self._by_target, links.targets),
                (self._by_attribute, links.attributes), (self._by_data_action, links.data_actions)]

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
            for kind, name in entry.facts.attributes:
                if kind.startswith("get"):
                    found.update(self._by_set.get(name.casefold(), ()))
            for name in entry.facts.links.names:
                found.update(self._by_name.get(name, ()))
        found |= earlier_files(recheck, self._names_of, self._by_target, self._by_name, self.config)
        # The taint analysis and module summaries: the modules the re-checked flows call
        # (summaries, tainted outputs); for a re-checked module, every flow calling it (the
        # secured data they pass in) and the modules those call; for a module setting a name
        # read here, the modules calling it (its Sets run in their callers).
        found |= self._callees(recheck)
        modules = {path for path in recheck if self._is_module_file(path)}
        if modules:
            callers = self._callers(n for path in modules for n in self._names_of(path))
            found |= callers | self._callees(callers)
        setters = {path for path in found if self._is_module_file(path)}
        found |= {path for path in self._callers(n for p in setters for n in self._names_of(p))
                  if self._is_module_file(path)}
        if self._writers():  # FL005 names a data action call anywhere in the deployment
            for paths in self._by_data_action.values():
                found |= paths
        return found

    def _writers(self) -> bool:
        """Whether some data action may write any participant attribute (FL005 notes it)."""
        config = self.config
        return bool(config.data_action_writers) or any(
            d.effect is DataActionEffect.WRITES_PARTICIPANT_DATA for d in config.data_actions)

    def _names_of(self, path: str) -> tuple[str, ...]:
        entry = self._entries.get(path)
        return entry.facts.links.names if entry is not None else ()

    def _configured_after(self, names: Iterable[str]) -> list[str]:
        """Flow names config ``flow-links`` puts after any of ``names`` (all case-folded)."""
        after = self._flow_links_after()
        return [name for before in names for name in after.get(before, ())]

    def _flow_links_after(self) -> dict[str, list[str]]:
        """Config ``flow-links`` from before to after: case-folded flow name -> the names after it."""
        found: dict[str, list[str]] = {}
        for after, befores in self.config.flow_links.items():
            for before in befores:
                found.setdefault(before.lower(), []).append(after.lower())
        return found

    def _successors(self, paths: set[str]) -> set[str]:
        """Files with a flow that can run after a flow of ``paths``, transitively (through
        transfers, calls, in-queue overrides and config ``flow-links``)."""
        by_name = self._by_name
        configured = self._flow_links_after()
        found: set[str] = set()
        pending = list(paths)
        while pending:
            entry = self._entries.get(pending.pop())
            if entry is None:
                continue
            targets = list(entry.facts.links.targets)
            for name in entry.facts.links.names:
                targets.extend(configured.get(name, ()))
            for target in targets:
                for path in by_name.get(target, ()):
                    if path not in found and path not in paths:
                        found.add(path)
                        pending.append(path)
        return found

    # -- analysis ------------------------------------------------------------------------
    def _analyse_all(self) -> None:
        results = [self._unit(path).result for path in self._order if not self._entries[path].facts.not_a_flow]
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
            facts = entry.facts
            if facts.not_a_flow:
                continue
            if path in around:
                results.append(self._unit(path).result)
            else:
                if entry.stub is None:
                    entry.stub = name_only_view(path, facts.source_format, facts.links, facts.deployed)
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
                if found != entry.findings.cross:
                    self._changed.add(path)
                entry.findings.cross = found
                entry.final = None
                self._unfinal.add(path)
        self._orphans = orphans

    def _finalized(self, extra: list[Diagnostic]) -> dict[str, list[Diagnostic]]:
        """Each file's findings finalized on their own (configuration, deployment merging,
        its suppression comments): the same as finalizing the whole project's at once,
        since all of these are per file, and an edit re-finalizes only what changed.  A file
        whose findings did not change keeps the same (sorted) list object from one outcome to
        the next, so that publishing can skip it at a glance."""
        assert self._finalize is not None, "the editor's engine is made with a finalize"
        final = self._final
        unfinal, self._unfinal = self._unfinal, set()
        for path in unfinal:
            entry = self._entries.get(path)
            if entry is None or entry.final is not None:
                continue
            found = list(entry.findings.load)
            for diagnostics in entry.findings.local.values():
                found.extend(diagnostics)
            found.extend(entry.findings.cross)
            project, _ = build_project([self._unit(path).result])
            finalized = self._finalize(found, self.config, project=project)
            entry.final = [d for d in finalized if d.file == path]
            strays = [d for d in finalized if d.file != path]  # none seen; kept if ever
            if strays:
                self._strays[path] = strays
            else:
                self._strays.pop(path, None)
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


def _placed(facts: FileFacts | None) -> tuple[object, ...]:
    return (facts.flows, facts.deployed) if facts is not None else ()


def _attrs(facts: FileFacts | None) -> frozenset[tuple[str, str]]:
    return facts.attributes if facts is not None else frozenset()


_MODULE_CALL = ActionKind.CALL_COMMON_MODULE.value


def _is_module(facts: FileFacts) -> bool:
    return any(kind == "commonmodule" for _, kind, _ in facts.flows)


def _calls(facts: FileFacts | None) -> tuple[tuple[str, ...], tuple[tuple[str, str, tuple[str, ...]], ...]]:
    """The data actions a file calls, and its flows when it calls any (FL005 names the flow)."""
    if facts is None or not facts.links.data_actions:
        return (), ()
    return facts.links.data_actions, facts.flows


def _links(facts: FileFacts | None) -> frozenset[tuple[str, str]]:
    return facts.links_out if facts is not None else frozenset()


def _points_into(diagnostic: Diagnostic, paths: set[str]) -> bool:
    return any(r.file in paths for r in diagnostic.related) or any(p in diagnostic.message for p in paths)


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


def name_only_view(path: str, source_format: str | None, links: Links,
                   deployed: Sequence[tuple[str | None, str]]) -> LoadResult:
    """A file's flows with their names, types and deployments only: what a re-check needs of
    a file outside the neighbourhood of the edit (flow lookups, FL106 suggestions)."""
    source = SourceFile(path, SourceFormat(source_format)) if source_format is not None else None
    file = source or SourceFile(path, SourceFormat.YAML)
    flows = [Flow(name, kind, key, file, Loc(file, ""), Loc(file, ""), deployment=deployment, root=root)
             for (name, kind, key), (deployment, root) in zip(links.flows, deployed, strict=True)]
    return LoadResult(source, flows, [], False)
