"""Checking a project file by file: in worker processes, and from the on-disk cache.

:func:`flowlint.engine.check_paths` loads every file and then runs every rule on the
project.  This module splits that pipeline where files meet, at the cross-flow rules:

* per file (:func:`check_file`, in a worker process or in this one): read, load, and run
  the rules marked ``per_file`` on a project of that one file, giving a :class:`FileUnit`;
* once, in this process: the other (cross-flow) rules over every file's flows.

Sending IR between processes means pickling it, which is not free: pickling and
unpickling a whole flow costs about half of what loading it does, and the unpickling
happens serially in this process.  So a unit leaves the process that loaded it as a
*project view* (:func:`project_view`): the flows without what only per-file rules read
(expression values, variables, in-flow references, the file text); flows the secured-data
taint analysis may walk keep everything.  That is about 40% of the bytes and of the time
(docs/performance.md), and it is also what the cache stores per file.  This process is one
of the jobs: it checks chunks of files itself, and those are not pickled at all.

The warm path (:func:`collect` with a cache) goes further: when the edited files still
offer other files the same *interface* (flow names and types, attribute names of data
actions, transfer and call targets; see :func:`interface_of`), only the edited files and
the files whose findings point into them are checked again, against thin stand-ins
(:func:`dependency_view`) for the rest.

Output does not depend on the number of jobs or on the cache: findings are gathered in the
order one process emits them (per file and rule), and ``finalize`` sorts them.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic
from flowlint.engine import build_project, deployments_of, table_for
from flowlint.ir import (
    DATA_GET_KINDS,
    DATA_SET_KINDS,
    Action,
    ActionKind,
    DataAttribute,
    Flow,
    Loc,
    Project,
    SourceFile,
    SourceFormat,
    Value,
)
from flowlint.loaders.result import LoadResult

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from flowlint.cache import Cache, Snapshot
    from flowlint.registry import Rule
    from flowlint.tables import ActionTable

#: Below this much work, a process pool costs more than it saves (fork, pickling, a
#: worker's own first-use set-up): about 150 flows.
MIN_PARALLEL_FILES = 16
MIN_PARALLEL_BYTES = 2 * 1024 * 1024
#: The warm path re-checks at most this share of the files; more edits take the full path.
MAX_WARM_SHARE = 0.1

#: Kinds whose flows the taint analysis may walk (directly, or through modules): keep them whole.
_TAINT_KINDS = frozenset({ActionKind.GET_SECURED_DATA, ActionKind.CALL_COMMON_MODULE})
#: Participant, conversation and secured data actions.
_DATA_KINDS = DATA_SET_KINDS | DATA_GET_KINDS
#: Kinds that link flows (as in flowlint.analysis.flowgraph, plus Transfer to ACD overrides).
_EDGE_KINDS = frozenset({ActionKind.TRANSFER_TO_FLOW, ActionKind.TRANSFER_TO_SECURE_FLOW,
                         ActionKind.CALL_COMMON_MODULE, ActionKind.CALL_BOT_FLOW,
                         ActionKind.CALL_DIGITAL_BOT_FLOW})


@dataclass(slots=True)
class FileUnit:
    """One file, loaded and checked by the per-file rules."""

    path: str
    fmt: str
    #: sha256 of the bytes loaded; None when the file could not be read.
    digest: str | None
    result: LoadResult
    #: Per-file rule code -> findings, in emission order.
    local: dict[str, list[Diagnostic]] = field(default_factory=lambda: {})
    #: What other files' findings can depend on (see :func:`interface_of`).
    interface: str = ""
    #: Some flow is kept whole (taint); its interface is then its content.
    full: bool = False
    #: The text has ``flowlint`` in it: suppression comments need the file's actions.
    directives: bool = False


@dataclass(slots=True)
class Collected:
    """What :func:`collect` hands back to ``check_paths`` (findings not yet finalized)."""

    project: Project
    diagnostics: list[Diagnostic]
    files_checked: int
    #: How the run went, for benchmarks and tests: "full", "warm" or "unchanged".
    mode: str = "full"
    rechecked: int = 0


# --------------------------------------------------------------------------- one file


def per_file_rules(config: Config) -> list[Rule]:
    from flowlint.registry import all_rules

    return [r for r in all_rules() if r.per_file and config.is_enabled(r.info.code)]


def cross_flow_rules(config: Config) -> list[Rule]:
    from flowlint.registry import all_rules

    return [r for r in all_rules() if not r.per_file and config.is_enabled(r.info.code)]


def check_file(path: str, fmt: str, config: Config, table: ActionTable, rules: Sequence[Rule]) -> FileUnit:
    """Load one file and run the per-file ``rules`` on it (as ``run_rules`` would in a project)."""
    from flowlint.context import Context
    from flowlint.loaders import read_and_load
    from flowlint.registry import run_check

    result, data = read_and_load(path, fmt, table, deployments_of(config, path))
    unit = FileUnit(path, fmt, hashlib.sha256(data).hexdigest() if data is not None else None, result)
    if result.not_a_flow:
        unit.interface = "not a flow"
        return unit
    ctx = Context(Project(list(result.flows), [result.source] if result.source is not None else []), config)
    for rule in rules:
        unit.local[rule.info.code] = run_check(rule, ctx)
    unit.full = any(needs_whole_flow(flow) for flow in result.flows)
    unit.interface = interface_of(result, unit.digest, unit.full)
    source = result.source
    unit.directives = source is not None and source.format is SourceFormat.YAML and "flowlint" in source.text
    return unit


def needs_whole_flow(flow: Flow) -> bool:
    """Whether the taint analysis (FL003) may walk this flow: keep all of it then."""
    return (flow.type == "commonmodule"
            or any(v.is_secure for v in flow.variables)
            or any(v.is_secure for c in flow.containers for v in c.variables)
            or any(a.kind in _TAINT_KINDS for a in flow.actions))


def _kept_value(path: str) -> bool:
    """Values the cross-flow analyses read on every flow (must-set loops, in-queue overrides)."""
    return path == "loopCount" or path.startswith("overrideInQueueFlow")


def project_view(unit: FileUnit, undo: list[tuple[object, str, object]] | None = None) -> None:
    """Strip, in place, what only per-file rules read (they have run), so that the unit is
    cheaper to pickle; cross-flow rules and suppression comments see no difference.
    With ``undo``, record what was replaced so that :func:`restore` can put it back."""
    result = unit.result

    def put(obj: object, name: str, value: object) -> None:
        if undo is not None:
            undo.append((obj, name, getattr(obj, name)))
        setattr(obj, name, value)

    for flow in result.flows:
        if needs_whole_flow(flow):
            continue
        put(flow, "variables", [])
        put(flow, "references", [])
        for container in flow.containers:
            put(container, "variables", [])
        for action in flow.actions:
            put(action, "values", [(path, value) for path, value in action.values if _kept_value(path)])
            put(action, "bindings", [])
    source = result.source
    if source is not None and source.locator is not None:
        from flowlint.loaders.json_positions import JsonLocator, make_locator  # loaded with the JSON file

        if isinstance(source.locator, JsonLocator) and source.locator.parsed:
            # A parsed locator does not survive pickling (lark tokens lose their end positions):
            # ship the text, to parse again on demand.  Spans resolved so far stay in their Locs.
            put(source, "locator", make_locator(source.text))
    if source is not None and not unit.full and not unit.directives:
        put(source, "text", "")  # positions are resolved (YAML) or kept by the locator (JSON)


def restore(undo: list[tuple[object, str, object]]) -> None:
    for obj, name, value in reversed(undo):
        setattr(obj, name, value)


def view_bytes(unit: FileUnit) -> bytes:
    """The pickled project view of ``unit``, which itself stays whole."""
    import pickle

    undo: list[tuple[object, str, object]] = []
    project_view(unit, undo)
    try:
        return pickle.dumps(unit, pickle.HIGHEST_PROTOCOL)
    finally:
        restore(undo)


def interface_of(result: LoadResult, digest: str | None, full: bool) -> str:
    """A digest of everything findings in *other* files may depend on, positions aside.

    This is the contract for cross-flow rules: from a flow other than the one a finding is
    in, they may read its name, types, data actions (kind, attribute names and where they
    are) and the actions that link it to other flows (kind, target, in-queue override).
    Positions only show up in findings that name this file, and those are re-checked.
    Anything else (control flow, expressions) is read only from flows the taint analysis
    walks (modules, secured data, module calls), whose interface is their whole content.
    A cross-flow rule needing more must extend this function and :func:`dependency_view`.
    """
    if full or digest is None:
        return f"content:{digest}"
    from flowlint.analysis.attributes import literal_name

    parts: list[object] = [len(result.flows), bool(result.diagnostics)]
    for flow in result.flows:
        parts.append((flow.name, flow.type, flow.type_key, tuple(flow.compatible_flow_types)))
        for action in flow.actions:
            if action.kind in _DATA_KINDS:
                parts.append((action.kind.value, tuple((literal_name(a), a.name.kind.value, a.name.text)
                                                       for a in action.attributes)))
            elif action.kind in _EDGE_KINDS or action.kind is ActionKind.TRANSFER_TO_ACD:
                target = action.target.text if action.target is not None else None
                parts.append((action.kind.value, target,
                              tuple(v.text for p, v in action.values if p.startswith("overrideInQueueFlow"))))
    return "shape:" + hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


class Links(NamedTuple):
    """What ties a file's flows to other files' in cross-flow rules: names, case-folded (an
    over-approximation of the exact-else-folded lookups the rules make, which is safe).
    A named tuple: a snapshot holds one per file, and tuples pickle fastest."""

    #: The file's flows: (name, type, type key); stand-ins for them in a warm run's project.
    flows: tuple[tuple[str, str, str], ...] = ()
    #: Flow names: duplicates (FL105) and flow links resolve by them.
    names: tuple[str, ...] = ()
    #: Literal attribute names of data actions: Sets and Gets meet by them (FL001, FL005).
    attributes: tuple[str, ...] = ()
    #: Flow names its actions link to (transfers, module and bot calls, in-queue overrides).
    targets: tuple[str, ...] = ()


def links_of(result: LoadResult) -> Links:
    from flowlint.analysis.attributes import literal_name
    from flowlint.analysis.flowgraph import flow_link

    attributes: set[str] = set()
    targets: set[str] = set()
    for flow in result.flows:
        for action in flow.actions:
            if action.kind in _DATA_KINDS:
                attributes.update(name.lower() for name in map(literal_name, action.attributes) if name is not None)
            else:
                value = flow_link(action)
                if value is not None and value.text:
                    targets.add(value.text.lower())
    return Links(tuple((f.name, f.type, f.type_key) for f in result.flows),
                 tuple(sorted({f.name.lower() for f in result.flows})), tuple(sorted(attributes)),
                 tuple(sorted(targets)))


def neighbourhood(links: Sequence[Links], recheck: Iterable[int], config: Config) -> set[int]:
    """The files whose flows cross-flow rules may read when re-checking the files ``recheck``
    (indexes into ``links``): those setting or getting the same attribute names (FL001,
    FL005), those with flows of the same names (FL105), and every file with a flow that can
    run before theirs, transitively, through flow links and config ``flow-links`` (FL005).
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
    configured: dict[str, list[str]] = {}
    for after, befores in config.flow_links.items():
        configured.setdefault(after.lower(), []).extend(before.lower() for before in befores)
    found = set(recheck)
    frontier: list[str] = []
    for index in found.copy():
        for name in links[index].attributes:
            found.update(by_attribute[name])
        for name in links[index].names:
            found.update(by_name[name])
        frontier.extend(links[index].names)
    seen: set[str] = set()
    while frontier:
        name = frontier.pop()
        if name in seen:
            continue
        seen.add(name)
        earlier = list(by_target.get(name, ()))
        for before in configured.get(name, ()):
            earlier.extend(by_name.get(before, ()))
        for index in earlier:
            found.add(index)
            frontier.extend(links[index].names)
    return found


def name_only_view(path: str, source_format: str | None, links: Links) -> LoadResult:
    """A file's flows with their names and types only: what a warm run's project needs of a
    file outside the neighbourhood of the edit.  Their positions are unknown (empty Locs):
    a finding that would show one makes the warm run give up (see :func:`_warm`)."""
    source = SourceFile(path, SourceFormat(source_format)) if source_format is not None else None
    file = source or SourceFile(path, SourceFormat.YAML)
    flows = [Flow(name, kind, key, file, Loc(file, ""), Loc(file, "")) for name, kind, key in links.flows]
    return LoadResult(source, flows, [], False)


def dependency_view(result: LoadResult, known: Callable[[str], bool]) -> LoadResult:
    """A thin stand-in for a file whose own findings are cached: what cross-flow rules may
    read when checking *other* files (see :func:`interface_of`), positions resolved.
    ``known`` tells whether a flow name resolves in the project (other links add no edge)."""
    old = result.source
    source = SourceFile(old.path, old.format) if old is not None else None
    flows: list[Flow] = []
    for flow in result.flows:
        file = source or SourceFile(flow.file.path, flow.file.format)
        stub = Flow(flow.name, flow.type, flow.type_key, file, _stub_loc(flow.loc, file),
                    _stub_loc(flow.name_loc, file), compatible_flow_types=list(flow.compatible_flow_types),
                    deployment=flow.deployment, root=flow.root)
        for action in flow.actions:
            kept = _stub_action(action, len(stub.actions), file, known)
            if kept is not None:
                stub.actions.append(kept)
        flows.append(stub)
    return LoadResult(source, flows, [], result.not_a_flow)


def _stub_loc(loc: Loc, file: SourceFile) -> Loc:
    return Loc(file, loc.logical, loc.file.resolve(loc))


def _stub_value(value: Value, file: SourceFile) -> Value:
    return Value(value.kind, value.text, _stub_loc(value.loc, file), None, value.data)


def _stub_action(action: Action, index: int, file: SourceFile, known: Callable[[str], bool]) -> Action | None:
    if action.kind in _DATA_KINDS:
        stub = Action(index, action.kind, action.key, action.name, _stub_loc(action.loc, file), 0)
        stub.attributes = [DataAttribute(_stub_value(a.name, file), _stub_loc(a.loc, file)) for a in action.attributes]
        return stub
    if action.kind in _EDGE_KINDS:
        target = action.target
        if target is None or not target.text or not known(target.text):
            return None  # no edge in the flow graph (FL106 findings are the source file's own)
        stub = Action(index, action.kind, action.key, action.name, _stub_loc(action.loc, file), 0)
        stub.target = _stub_value(target, file)
        return stub
    if action.kind is ActionKind.TRANSFER_TO_ACD:
        overrides = [(p, _stub_value(v, file)) for p, v in action.values if p.startswith("overrideInQueueFlow")]
        if not overrides:
            return None
        stub = Action(index, action.kind, action.key, action.name, _stub_loc(action.loc, file), 0)
        stub.values = overrides
        return stub
    return None

# --------------------------------------------------------------------------- the project


def run_cross_flow_rules(project: Project, config: Config, rules: Sequence[Rule]) -> dict[str, list[Diagnostic]]:
    from flowlint.analysis.shadowing import cross_flow_view
    from flowlint.context import Context
    from flowlint.registry import run_check

    ctx = Context(cross_flow_view(project, config.yaml_shadows_exports), config)
    return {rule.info.code: run_check(rule, ctx) for rule in rules}


def assemble(config: Config, load: Iterable[list[Diagnostic]], local: Sequence[dict[str, list[Diagnostic]]],
             cross: dict[str, list[Diagnostic]]) -> list[Diagnostic]:
    """All findings in the order ``check_paths`` gathers them: loaders (file order), then each
    rule in registry order over the files in order."""
    from flowlint.registry import all_rules

    found: list[Diagnostic] = [d for diagnostics in load for d in diagnostics]
    for rule in all_rules():
        code = rule.info.code
        if rule.per_file:
            for unit_local in local:
                found.extend(unit_local.get(code, ()))
        else:
            found.extend(cross.get(code, ()))
    return found


def collect(files: Sequence[tuple[str, str]], config: Config, *, jobs: int = 1,
            cache_dir: str | None = None) -> Collected:
    """Check ``files`` ((path, format), in project order): findings before ``finalize``."""
    enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of acyclic objects (IR, units): rescanning them is waste
    try:
        return _collect(files, config, jobs, cache_dir)
    finally:
        if enabled:
            # Everything allocated meanwhile is still in the youngest generation: the first
            # collection after enabling would walk all of it (0.4 s at 5,000 flows).  Frozen,
            # it is left to reference counting; a resident server unfreezes between requests.
            gc.freeze()
            gc.enable()


def _collect(files: Sequence[tuple[str, str]], config: Config, jobs: int, cache_dir: str | None) -> Collected:
    table = table_for(config)
    units: list[FileUnit | None] = [None] * len(files)
    cache: Cache | None = None
    digests: list[str | None] = []
    stats: list[StatKey | None] = []
    if cache_dir is not None:
        from flowlint.cache import Cache

        cache = Cache(cache_dir, config)
        started = time.time_ns()
        snapshot = cache.get_snapshot(files)
        digests, stats = _digests(files, snapshot, started)
        if snapshot is not None:
            warm = _warm(files, digests, stats, snapshot, cache, config, table, units)
            if warm is not None:
                return warm
        for index, (path, _) in enumerate(files):
            digest = digests[index]
            if units[index] is None and digest is not None:
                units[index] = cache.get_unit(path, digest)
    todo = [(i, *files[i]) for i, unit in enumerate(units) if unit is None]
    computed = _compute(todo, config, table, jobs, cache)
    for index, unit, _ in computed:
        units[index] = unit
    done = [u for u in units if u is not None]
    assert len(done) == len(files)  # every file has its unit: indexes below are file indexes
    project, _ = build_project(u.result for u in done)
    cross = run_cross_flow_rules(project, config, cross_flow_rules(config))
    diagnostics = assemble(config, (u.result.diagnostics for u in done), [u.local for u in done], cross)
    if cache is not None:
        from flowlint.cache import snapshot_of

        for _, unit, stored in computed:
            if unit.digest is not None and not stored:
                cache.put_bytes(unit.path, unit.digest, view_bytes(unit))
        # A stat key vouches for the content it was taken with: the one a worker loaded, maybe not.
        kept = [stats[i] if unit.digest == digests[i] else None for i, unit in enumerate(done)]
        cache.put_snapshot(files, snapshot_of(done, cross, _known_names(project), kept))
    checked = sum(1 for u in done if not u.result.not_a_flow)
    return Collected(project, diagnostics, checked, "full", len(todo))


#: A file's stat key: size, mtime, ctime (ns), inode, device.
StatKey = tuple[int, int, int, int, int]
#: File-system clocks can be coarse: a stat key is trusted only for a file unchanged since
#: this long before the run that recorded it started (git trusts its index the same way).
_RACY_NS = 2_000_000_000


def _stat_key(path: str) -> StatKey | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _digests(files: Sequence[tuple[str, str]], snapshot: Snapshot | None,
             started: int) -> tuple[list[str | None], list[StatKey | None]]:
    """Content digests, and the stat keys worth recording with them.  A file whose stat key
    is the one ``snapshot`` recorded keeps its digest: reading and hashing every file is
    the largest part of a re-check over thousands of files."""
    records = snapshot.files if snapshot is not None and len(snapshot.files) == len(files) else None
    digests: list[str | None] = []
    stats: list[StatKey | None] = []
    for index, (path, fmt) in enumerate(files):
        key = _stat_key(path)
        record = records[index] if records is not None else None
        if (key is not None and record is not None and record.stat == key and record.path == path
                and record.fmt == fmt):
            digests.append(record.digest)
            stats.append(key)
            continue
        digests.append(_digest(path))
        # Recorded only if the file held still while read, and had for a while before.
        stable = key is not None and key == _stat_key(path) and key[2] < started - _RACY_NS
        stats.append(key if stable else None)
    return digests, stats


def _digest(path: str) -> str | None:
    # The loaders' reader: never blocks on a pipe, never reads past the size limit.
    from flowlint.loaders import read_flow_bytes

    try:
        data = read_flow_bytes(path)
    except OSError:
        return None
    return None if data is None else hashlib.sha256(data).hexdigest()


def _known_names(project: Project) -> Callable[[str], bool]:
    """Whether a flow name resolves as in the flow graph (exactly, else ignoring case)."""
    exact = {flow.name for flow in project.flows}
    folded = {flow.name.lower() for flow in project.flows}
    return lambda name: name in exact or name.lower() in folded


# --------------------------------------------------------------------------- the warm path


def _warm(files: Sequence[tuple[str, str]], digests: list[str | None], stats: list[StatKey | None],
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
        known = _known_names(project)
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


# --------------------------------------------------------------------------- worker processes


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _compute(todo: list[tuple[int, str, str]], config: Config, table: ActionTable, jobs: int,
             cache: Cache | None) -> list[tuple[int, FileUnit, bool]]:
    """Check the files of ``todo`` ((index, path, format)): (index, unit, stored), where
    ``stored`` says that a worker process already put the unit in the cache."""
    rules = per_file_rules(config)
    if jobs <= 1 or len(todo) < MIN_PARALLEL_FILES or sum(_size(p) for _, p, _ in todo) < MIN_PARALLEL_BYTES:
        return [(index, _checked_here(path, fmt, config, table, rules), False) for index, path, fmt in todo]
    import pickle
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait  # 20 ms of imports

    # This process is one of the jobs: while jobs - 1 workers take chunks from the front, it
    # checks chunks from the back itself, and those need no pickling at all.
    pending = deque(_chunks(todo, jobs))
    workers = jobs - 1
    # One file here first: workers are forked from this process, so what its first check sets
    # up (the YAML loader, the expression parser's tables...) is not set up again in each.
    index, path, fmt = pending[-1].pop()
    found: list[tuple[int, FileUnit, bool]] = [(index, _checked_here(path, fmt, config, table, rules), False)]
    if not pending[-1]:
        pending.pop()
    running: set[Future[list[tuple[int, bytes]]]] = set()
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_init_worker,
                             initargs=(config, cache.directory if cache else None)) as pool:
        while pending or running:
            while pending and len(running) < 2 * workers:  # one chunk queued behind each running one
                running.add(pool.submit(_check_chunk, pending.popleft()))
            if pending:
                found.extend((index, _checked_here(path, fmt, config, table, rules), False)
                             for index, path, fmt in pending.pop())
            else:
                wait(running, return_when=FIRST_COMPLETED)
            for future in [f for f in running if f.done()]:
                running.discard(future)
                found.extend((index, pickle.loads(data), True) for index, data in future.result())
    return found


def _checked_here(path: str, fmt: str, config: Config, table: ActionTable, rules: Sequence[Rule]) -> FileUnit:
    unit = check_file(path, fmt, config, table, rules)
    project_view(unit)  # the project keeps what it keeps of workers' units: a third of the memory
    return unit


def _chunks(todo: list[tuple[int, str, str]], jobs: int) -> list[list[tuple[int, str, str]]]:
    """About six chunks per job, of similar total size (biggest files dealt first)."""
    count = max(1, min(len(todo), jobs * 6))
    chunks: list[list[tuple[int, str, str]]] = [[] for _ in range(count)]
    totals = [0] * count
    for item in sorted(todo, key=lambda item: -_size(item[1])):
        smallest = totals.index(min(totals))
        chunks[smallest].append(item)
        totals[smallest] += max(_size(item[1]), 1)
    return [chunk for chunk in chunks if chunk]


def _context() -> BaseContext:
    import multiprocessing

    # fork shares the parent's imports: a worker starts in microseconds, not a fresh interpreter's 100 ms.
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


_worker: tuple[Config, ActionTable, list[Rule], Cache | None] | None = None


def _init_worker(config: Config, cache_dir: str | None) -> None:
    global _worker
    gc.disable()  # a worker allocates acyclic IR only, and exits
    import signal

    for name in ("SIGTERM", "SIGHUP"):  # forked from a resident server: not its handlers
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    cache: Cache | None = None
    if cache_dir is not None:
        from flowlint.cache import Cache

        cache = Cache(cache_dir, config)
    _worker = (config, table_for(config), per_file_rules(config), cache)


def _check_chunk(chunk: list[tuple[int, str, str]]) -> list[tuple[int, bytes]]:
    """Worker side: check each file and send back its pickled project view (stored in the
    cache too, from here, so that writing entries is spread over the workers)."""
    import pickle

    assert _worker is not None
    config, table, rules, cache = _worker
    found: list[tuple[int, bytes]] = []
    for index, path, fmt in chunk:
        unit = check_file(path, fmt, config, table, rules)
        project_view(unit)
        data = pickle.dumps(unit, pickle.HIGHEST_PROTOCOL)
        if cache is not None and unit.digest is not None:
            cache.put_bytes(path, unit.digest, data)
        found.append((index, data))
    return found
