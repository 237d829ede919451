"""The on-disk cache: per-file results keyed by content, and the last run of each project.

Layout (everything below the cache directory, ``.flowlint_cache`` by default)::

    CACHEDIR.TAG, .gitignore          mark the directory as a cache (backup tools, git)
    v1-<environment>/units/xx/<key>   one FileUnit (project view) per (path, content sha256)
    v1-<environment>/projects/<key>   the last run of one project (its directories): a Snapshot

The *environment* is a digest of everything besides a file's bytes that changes what
loading and rules produce: flowlint's version and source files (sizes and mtimes, so an
edited checkout never reads stale entries), the Python version and the configuration
(action aliases, severities, external names, flow links...).  Paths are part of a key
because they are part of the IR (``SourceFile.path``) and of every finding.

Entries are written to a temporary file and renamed into place, so concurrent runs never
see half an entry; an entry that does not unpickle, or unpickles to something else than
expected, is ignored and recomputed.  Unpickling is restricted to flowlint's own data
classes, so a planted cache file cannot run code through ``pickle``, and nothing is written
through a symlink leading out of the cache directory.  The cache is best effort: when it
cannot be written (read-only tree, disk full) flowlint just checks.  Units are not expired
one by one: at most four environments are kept (the least recently used go), and
``rm -rf .flowlint_cache`` is always safe.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, cast

from flowlint import __version__
from flowlint.config import Config
from flowlint.deploy.hcl import TfFile
from flowlint.diagnostics import Diagnostic
from flowlint.pipeline.facts import FileFacts, FileFindings
from flowlint.pipeline.units import FileUnit

if TYPE_CHECKING:
    from flowlint.pipeline.resident import ResidentProject

#: Bump when the layout or the pickled classes change shape.
FORMAT = 16
DEFAULT_DIR = ".flowlint_cache"
#: Environments (versions, configurations: one per project of a monorepo) kept side by side;
#: older ones are removed.
MAX_ENVIRONMENTS = 16
#: Project snapshots kept per environment (one per distinct set of linted directories).
MAX_PROJECTS = 16

_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by flowlint.\n"
        "# For information about cache directory tags, see https://bford.info/cachedir/\n")


#: Files per page: findings are pickled by page, so that a re-check re-pickles only the
#: pages it changed.
PAGE = 64


@dataclass(slots=True)
class Snapshot:
    """A project's last run: what the incremental engine needs to pick up from it
    (:meth:`flowlint.pipeline.resident.ResidentProject.restore`) without loading any file."""

    #: Every file's facts, in project order.
    files: list[FileFacts] = field(default_factory=lambda: [])
    #: Pickled lists of :class:`~flowlint.pipeline.facts.FileFindings`, one per page of files.
    findings: list[bytes] = field(default_factory=lambda: [])
    #: Cross-flow findings located in no linted file (a rule's internal error).
    orphans: list[Diagnostic] = field(default_factory=lambda: [])
    #: The engine itself, kept by a resident server (:class:`Memory`), never stored.
    resident: ResidentProject | None = field(default=None, compare=False, repr=False)

    def __getstate__(self) -> tuple[list[FileFacts], list[bytes], list[Diagnostic]]:
        return self.files, self.findings, self.orphans

    def __setstate__(self, state: tuple[list[FileFacts], list[bytes], list[Diagnostic]]) -> None:
        self.files, self.findings, self.orphans = state
        self.resident = None


class Memory:
    """What a resident server (:mod:`flowlint.daemon.server`) keeps between runs: the last
    snapshot of each project with its engine (files already loaded stay loaded), and cache
    writes put off until the reply has gone.  A snapshot file changed by another process
    since is read again."""

    def __init__(self) -> None:
        #: Snapshot file -> (its stat key when we wrote or read it; None: not on disk yet, snapshot).
        self.snapshots: dict[str, tuple[tuple[int, int, int] | None, Snapshot]] = {}
        self.pending: list[Callable[[], None]] = []

    def get(self, path: str) -> Snapshot | None:
        found = self.snapshots.get(path)
        if found is not None and found[0] is not None and found[0] == _file_key(path):
            self.snapshots[path] = self.snapshots.pop(path)  # most recently used last
            return found[1]
        return None

    def keep(self, path: str, key: tuple[int, int, int] | None, snapshot: Snapshot) -> None:
        self.snapshots.pop(path, None)
        self.snapshots[path] = (key, snapshot)
        while len(self.snapshots) > MAX_PROJECTS:  # least recently used first
            del self.snapshots[next(iter(self.snapshots))]

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        for write in pending:
            write()

    def clear(self) -> None:
        self.snapshots.clear()
        self.pending.clear()


#: Set by a resident server; None in a one-shot ``flowlint`` process.
MEMORY: Memory | None = None


def _file_key(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _dumps(value: object) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def snapshot_of(resident: ResidentProject, previous: Snapshot | None) -> Snapshot:
    """The record of ``resident`` after a run: only the pages of findings holding a changed
    file are pickled again when the files are those of ``previous``."""
    files, findings, orphans = resident.state()
    changed = resident.take_changed()
    if previous is not None and len(previous.files) == len(files) and all(
            a.path == b.path for a, b in zip(previous.files, files)):
        pages = list(previous.findings)
        for page in sorted({index // PAGE for index, facts in enumerate(files) if facts.path in changed}):
            pages[page] = _dumps(findings[page * PAGE:(page + 1) * PAGE])
    else:
        pages = [_dumps(findings[start:start + PAGE]) for start in range(0, len(findings), PAGE)]
    # A resident server keeps the engine: its next run need not restore it.
    return Snapshot(files, pages, orphans, resident if MEMORY is not None else None)


def _load(data: bytes) -> object:
    try:
        return _SafeUnpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - corrupt or foreign: the caller does a full run
        return None


def findings_of(snapshot: Snapshot) -> list[FileFindings] | None:
    """The findings of every file of ``snapshot``; None when they do not unpickle."""
    found: list[FileFindings] = []
    for page in snapshot.findings:
        items = _load(page)
        if not isinstance(items, list) or not all(isinstance(i, FileFindings) for i in cast(list[object], items)):
            return None
        found.extend(cast(list[FileFindings], items))
    return found if len(found) == len(snapshot.files) else None


class Cache:
    """Entries of one environment (flowlint version and configuration) in ``directory``."""

    def __init__(self, directory: str, config: Config | None, *, shared: str | None = None) -> None:
        # Absolute: a resident server writes entries after the request, from another directory.
        self.directory = directory = os.path.abspath(directory)
        # ``shared``: entries that depend on flowlint's code only (parsed Terraform files).
        self.environment = environment(config or Config()) if shared is None else \
            _sha(f"{shared}\0{__version__}\0{sys.version_info[:2]}\0{code_fingerprint()}")
        self.root = os.path.join(directory, f"v{FORMAT}-{self.environment[:20]}")
        self._inside: set[str] = set()  # directories known to resolve inside the cache

    # -- per-file units ------------------------------------------------------------------
    def get_unit(self, path: str, digest: str) -> FileUnit | None:
        unit = self._read(self._unit_path(path, digest))
        if isinstance(unit, FileUnit) and unit.path == path and unit.digest == digest:
            return unit
        return None

    def put_bytes(self, path: str, digest: str, data: bytes) -> None:
        """Store a pickled :class:`FileUnit` (already a project view) for ``path`` at ``digest``."""
        self._write(self._unit_path(path, digest), data)

    def _unit_path(self, path: str, digest: str) -> str:
        key = _sha(f"{path}\0{digest}")
        return os.path.join(self.root, "units", key[:2], key)

    # -- parsed Terraform files (a cache made with ``shared="terraform"``) ----------------
    def get_parsed(self, path: str, digest: str) -> TfFile | None:
        found = self._read(self._unit_path(path, digest))
        return found if isinstance(found, TfFile) and found.path == path else None

    def put_parsed(self, path: str, digest: str, parsed: TfFile) -> None:
        self._write(self._unit_path(path, digest), _dumps(parsed))

    # -- project snapshots ---------------------------------------------------------------
    def get_snapshot(self, files: Sequence[tuple[str, str]]) -> Snapshot | None:
        target = self._project_path(files)
        if MEMORY is None:
            found = self._read(target)
            return found if isinstance(found, Snapshot) else None
        kept = MEMORY.get(target)
        if kept is not None:
            return kept
        key = _file_key(target)
        found = self._read(target)
        if not isinstance(found, Snapshot):
            return None
        if key is not None and key == _file_key(target):  # the file we read, not a newer one
            MEMORY.keep(target, key, found)
        return found

    def put_snapshot(self, files: Sequence[tuple[str, str]], snapshot: Snapshot) -> None:
        target = self._project_path(files)
        if MEMORY is None:
            self._put_snapshot(target, snapshot)
            return
        MEMORY.keep(target, None, snapshot)  # not usable until written: see Memory.get
        memory = MEMORY

        def write() -> None:
            key = self._put_snapshot(target, snapshot)
            if key is not None and target in memory.snapshots and memory.snapshots[target][1] is snapshot:
                memory.snapshots[target] = (key, snapshot)

        MEMORY.pending.append(write)

    def _put_snapshot(self, target: str, snapshot: Snapshot) -> tuple[int, int, int] | None:
        key = self._write(target, _dumps(snapshot))
        if key is not None:
            self._prune(os.path.dirname(target), MAX_PROJECTS)
            try:
                os.utime(self.root)  # in use: environments are pruned least recently used first
            except OSError:
                pass
        return key

    def _project_path(self, files: Sequence[tuple[str, str]]) -> str:
        # By directories, not files: a file added or removed is an edit the engine takes
        # incrementally; checking another part of the tree (a pre-commit hook's staged
        # files) keeps a snapshot of its own.
        directories = sorted({os.path.dirname(path) for path, _ in files})
        return os.path.join(self.root, "projects", _sha("\0".join(directories)))

    # -- files ---------------------------------------------------------------------------
    def _read(self, path: str) -> object:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        return _load(data)  # missing, truncated, corrupt or foreign: None, and flowlint recomputes

    def _write(self, path: str, data: bytes) -> tuple[int, int, int] | None:
        """Write ``path`` atomically: the entry's file key (inode, size, mtime), None on failure."""
        directory = os.path.dirname(path)
        try:
            # A symlink planted in the cache must not make us create or write anything elsewhere.
            if not os.path.isdir(directory):
                if not self._contained(_existing(directory)):
                    return None
                self._create(directory)
            if not self._contained(directory):
                return None
            import tempfile  # its imports cost more than a small check: only when writing

            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    st = os.fstat(handle.fileno())  # the inode moves with the rename
                os.replace(temporary, path)  # atomic: readers see the old entry or the new one
            except BaseException:
                _remove(temporary)
                raise
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def _contained(self, directory: str) -> bool:
        """``directory`` resolves inside the cache directory, or lies above it (not created yet)."""
        if directory not in self._inside:
            top = os.path.realpath(self.directory)
            real = os.path.realpath(directory)
            above = os.path.commonpath([os.path.abspath(directory), os.path.abspath(self.directory)])
            if os.path.commonpath([real, top]) != top and above != os.path.abspath(directory):
                return False
            self._inside.add(directory)
        return True

    def _create(self, directory: str) -> None:
        fresh_root = not os.path.isdir(self.directory)
        os.makedirs(directory, exist_ok=True)
        if fresh_root or not os.path.exists(os.path.join(self.directory, "CACHEDIR.TAG")):
            for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "# created by flowlint\n*\n")):
                with open(os.path.join(self.directory, name), "w", encoding="utf-8") as handle:
                    handle.write(text)
        self._prune(self.directory, MAX_ENVIRONMENTS, keep=os.path.basename(self.root), dirs=True)

    @staticmethod
    def _prune(directory: str, limit: int, keep: str = "", dirs: bool = False) -> None:
        """Remove the least recently written entries of ``directory`` beyond ``limit``."""
        try:
            names = [n for n in os.listdir(directory) if not n.startswith(".") and n != "CACHEDIR.TAG"]
            if len(names) <= limit:
                return
            aged = sorted(names, key=lambda n: os.stat(os.path.join(directory, n)).st_mtime_ns)
            for name in aged[: len(names) - limit]:
                if name == keep:
                    continue
                target = os.path.join(directory, name)
                if dirs and os.path.isdir(target):
                    import shutil

                    shutil.rmtree(target, ignore_errors=True)
                elif not dirs:
                    _remove(target)
        except OSError:
            pass  # another run pruned first


def _existing(path: str) -> str:
    """``path`` or its nearest ancestor that exists."""
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def environment(config: Config) -> str:
    """Digest of what, besides a file's bytes, decides its cached results."""
    state = dataclasses.asdict(dataclasses.replace(config, deployments=None))
    if config.deployments is not None:  # its sets would repr in a per-process order
        state["deployments"] = config.deployments.fingerprint()
    return _sha(f"{__version__}\0{FORMAT}\0{sys.version_info[:2]}\0{code_fingerprint()}\0{state!r}")


@cache
def code_fingerprint() -> str:
    """flowlint's own files (name, size, mtime): an edited checkout must not reuse entries."""
    import importlib.util

    roots: list[str] = []
    for package in ("flowlint", "flowlint.rules", "flowlint.grammars"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations is not None:
            roots.extend(spec.submodule_search_locations)
    parts: list[str] = []
    for root in roots:
        for directory, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".json", ".lark")):
                    stat = os.stat(os.path.join(directory, name))
                    parts.append(f"{os.path.relpath(os.path.join(directory, name), root)}:{stat.st_size}:"
                                 f"{stat.st_mtime_ns}")
    return _sha("\n".join(parts))


#: Modules whose own classes a cache entry may contain (data classes, enums, named tuples).
_MODULES = frozenset({"flowlint.ir", "flowlint.diagnostics", "flowlint.loaders.result", "flowlint.pipeline.units",
                      "flowlint.pipeline.facts",
                      "flowlint.cache", "flowlint.loaders.json_positions", "flowlint.deploy.hcl"})
_CLASSES = frozenset({("lark.lexer", "Token"), ("builtins", "set"), ("builtins", "frozenset"),
                      ("builtins", "slice"), ("builtins", "complex"), ("builtins", "bytearray")})


class _SafeUnpickler(pickle.Unpickler):
    """Only flowlint's data classes: unpickling a cache file never calls anything else."""

    def find_class(self, module: str, name: str) -> type:
        # Checked before anything is imported: importing a module can run its code.
        if module in _MODULES or (module, name) in _CLASSES:
            found: object = super().find_class(module, name)
            if isinstance(found, type) and ((module, name) in _CLASSES or found.__module__ == module):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not expected in a flowlint cache entry")

