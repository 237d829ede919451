"""Executors: where files are loaded and checked, in this process or in a pool of workers.

:func:`compute` is the one entry point; whether it forks workers depends on the work (a
pool costs more than it saves below about 150 flows) and ``jobs``.  This process is one of
the jobs: it checks chunks itself, and those need no pickling.  Results are the same
whatever the executor: units are gathered by file index, and findings are ordered later.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flowlint.config import Config
from flowlint.pipeline.units import FileUnit, check_file, per_file_rules, project_view, table_for

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from flowlint.cache import Cache
    from flowlint.registry import Rule
    from flowlint.tables import ActionTable

#: Below this much work, a process pool costs more than it saves (fork, pickling, a
#: worker's own first-use set-up): about 150 flows.
MIN_PARALLEL_FILES = 16
MIN_PARALLEL_BYTES = 2 * 1024 * 1024


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def compute(todo: list[tuple[int, str, str]], config: Config, table: ActionTable, jobs: int,
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
