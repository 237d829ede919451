"""One project's files through the pipeline: cache, warm path, executor, rules.

:func:`collect` takes the flow files of one project (in project order) and the project's
configuration, and returns every finding before ``finalize``: the load-time findings, each
file's per-file findings, and the cross-flow findings of the project.  The cache and the
executor are parts it plugs in: with a cache directory, files whose content is known come
from it, and an edit that keeps every interface takes the warm path
(:mod:`flowlint.pipeline.incremental`); the others are checked by the executor
(:mod:`flowlint.pipeline.executors`).  Output does not depend on either.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flowlint.config import Config
from flowlint.pipeline.executors import compute
from flowlint.pipeline.incremental import StatKey, digests_of, known_names, warm
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
    from flowlint.cache import Cache


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
        digests, stats = digests_of(files, snapshot, started)
        if snapshot is not None:
            found = warm(files, digests, stats, snapshot, cache, config, table, units)
            if found is not None:
                return found
        for index, (path, _) in enumerate(files):
            digest = digests[index]
            if units[index] is None and digest is not None:
                units[index] = cache.get_unit(path, digest)
    todo = [(i, *files[i]) for i, unit in enumerate(units) if unit is None]
    computed = compute(todo, config, table, jobs, cache)
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
        cache.put_snapshot(files, snapshot_of(done, cross, known_names(project), kept))
    checked = sum(1 for u in done if not u.result.not_a_flow)
    return Collected(project, diagnostics, checked, "full", len(todo))
