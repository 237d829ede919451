"""One project's files through the pipeline: cache, incremental engine, executor, rules.

:func:`collect` takes the flow files of one project (in project order) and the project's
configuration, and returns every finding before ``finalize``: the load-time findings, each
file's per-file findings, and the cross-flow findings of the project.  The cache and the
executor are parts it plugs in: with a cache directory, the project's last run is picked
up by the incremental engine (:mod:`flowlint.pipeline.resident`, the language server's
too), which re-checks what the changed files can change and loads the units of only the
files it reaches; files whose content is new are checked by the executor
(:mod:`flowlint.pipeline.executors`).  Output does not depend on either.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flowlint.config import Config
from flowlint.pipeline.changes import digests_of
from flowlint.pipeline.executors import compute
from flowlint.ir import Project
from flowlint.pipeline.facts import FileFacts
from flowlint.pipeline.resident import Load, ResidentProject, StateUnavailable
from flowlint.pipeline.units import (
    Collected,
    FileUnit,
    assemble,
    build_project,
    cross_flow_rules,
    run_cross_flow_rules,
    table_for,
    view_bytes,
)

if TYPE_CHECKING:
    from flowlint.cache import Cache, Snapshot
    from flowlint.tables import ActionTable


def collect(files: Sequence[tuple[str, str]], config: Config, *, jobs: int = 1,
            cache_dir: str | None = None) -> Collected:
    """Check ``files`` ((path, format), in project order): findings before ``finalize``."""
    enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of acyclic objects (IR, units): rescanning them is waste
    try:
        if cache_dir is None:
            return _uncached(files, config, jobs)
        return _cached(files, config, jobs, cache_dir)
    finally:
        if enabled:
            # Everything allocated meanwhile is still in the youngest generation: the first
            # collection after enabling would walk all of it (0.4 s at 5,000 flows).  Frozen,
            # it is left to reference counting; a resident server unfreezes between requests.
            gc.freeze()
            gc.enable()


def _uncached(files: Sequence[tuple[str, str]], config: Config, jobs: int) -> Collected:
    """Every file loaded and checked, the cross-flow rules over all of them."""
    computed = compute([(i, path, fmt) for i, (path, fmt) in enumerate(files)], config, table_for(config), jobs, None)
    units = [unit for _, unit, _ in sorted(computed, key=lambda item: item[0])]
    project, _ = build_project(u.result for u in units)
    cross = run_cross_flow_rules(project, config, cross_flow_rules(config))
    diagnostics = assemble(config, (u.result.diagnostics for u in units), [u.local for u in units], cross)
    return Collected(project, diagnostics, sum(1 for u in units if not u.result.not_a_flow), "full", len(units))


def _cached(files: Sequence[tuple[str, str]], config: Config, jobs: int, cache_dir: str) -> Collected:
    from flowlint.cache import Cache, snapshot_of

    cache = Cache(cache_dir, config)
    table = table_for(config)
    started = time.time_ns()
    snapshot = cache.get_snapshot(files)
    digests, stats = digests_of(files, snapshot, started)
    paths = [path for path, _ in files]

    def load(facts: FileFacts) -> FileUnit | None:
        return cache.get_unit(facts.path, facts.digest) if facts.digest else None

    found: tuple[ResidentProject, str, int, Project] | None = None
    resident = _restored(snapshot, config, load) if snapshot is not None else None
    if resident is not None:
        try:
            mode, count = resident.update(paths, _fresh(files, digests, resident, cache, config, table, jobs))
            found = resident, mode, count, resident.report_project()
        except StateUnavailable:  # a unit the analysis needs left the cache: start over
            found = None
    if found is None:
        resident = ResidentProject(config, load=load)
        mode, count = resident.update(paths, _fresh(files, digests, resident, cache, config, table, jobs))
        found = resident, mode, count, resident.report_project()
    resident, mode, count, project = found
    restamped = False
    for path, digest, key in zip(paths, digests, stats):
        facts = resident.facts(path)
        # A stat key vouches for the content it was taken with: a unit's may be newer.
        trusted = key if facts is not None and facts.digest == digest else None
        if facts is not None and facts.stat != trusted:
            resident.set_stat(path, trusted)
            restamped = True
    if mode != "unchanged" or restamped:
        cache.put_snapshot(files, snapshot_of(resident, snapshot))
    checked = sum(1 for path in paths if not _not_a_flow(resident.facts(path)))
    return Collected(project, resident.diagnostics(), checked, "warm" if mode == "incremental" else mode, count)


def _not_a_flow(facts: FileFacts | None) -> bool:
    return facts is None or facts.not_a_flow


def _restored(snapshot: Snapshot, config: Config, load: Load) -> ResidentProject | None:
    """The engine as the last run left it: kept by a resident server, else rebuilt from the
    snapshot (None when it does not unpickle)."""
    from flowlint.cache import findings_of

    resident = snapshot.resident
    if resident is None:
        findings = findings_of(snapshot)
        if findings is None:
            return None
        resident = ResidentProject.restore(config, snapshot.files, findings, snapshot.orphans, load)
    # The same configuration (the cache's environment says so): this run's objects.
    resident.config = config
    resident.load = load
    return resident


def _fresh(files: Sequence[tuple[str, str]], digests: list[str | None], resident: ResidentProject, cache: Cache,
           config: Config, table: ActionTable, jobs: int) -> dict[str, FileUnit]:
    """Units of the files new or changed since ``resident``'s last run: from the cache when
    their content was seen before, else checked by the executor (and stored)."""
    fresh: dict[str, FileUnit] = {}
    todo: list[tuple[int, str, str]] = []
    for index, (path, fmt) in enumerate(files):
        digest = digests[index]
        facts = resident.facts(path)
        if facts is not None and digest is not None and facts.digest == digest and facts.fmt == fmt:
            continue
        unit = cache.get_unit(path, digest) if digest is not None else None
        if unit is None:
            todo.append((index, path, fmt))
        else:
            fresh[path] = unit
    for _, unit, stored in compute(todo, config, table, jobs, cache):
        fresh[unit.path] = unit
        if unit.digest is not None and not stored:
            cache.put_bytes(unit.path, unit.digest, view_bytes(unit))
    return fresh
