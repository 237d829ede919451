"""The language server's workspace model: one load result per file, one analysis per update.

Files are loaded one by one (an open document from the editor's text, any other file from
disk) and kept; an update re-loads only the files it is told about, rebuilds the project
from the kept results and re-runs every rule, which is what makes cross-file findings
(FL001, FL005, ...) appear and disappear in files nobody touched.  Whole-project rule runs
are cheap next to loading, so no finer-grained invalidation is attempted.

The model has no LSP dependency: the server, the tests and the benchmark all drive it.  It
is not thread-safe; the server calls :meth:`WorkspaceModel.update` from one worker thread
at a time and only ever reads the immutable :class:`Snapshot` objects it returns.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from flowlint.analysis.attributes import AttributeTable, build_attribute_table
from flowlint.config import Config
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.engine import build_project, finalize, run_rules, table_for
from flowlint.ir import Project, SourceFile, SourceFormat
from flowlint.loaders import LoadResult, decode_text, load_bytes
from flowlint.loaders.discover import SKIP_DIRS, discover, file_format
from flowlint.lsp.positions import PositionMapper
from flowlint.tables import ActionTable


@dataclass(frozen=True, slots=True)
class Document:
    """An editor buffer: its unsaved text and the editor's version number."""

    text: str
    version: int | None = None


@dataclass(eq=False)
class FileState:
    """One loaded file."""

    path: str
    #: The path as shown in messages (relative to the working directory when below it).
    display: str
    fmt: str
    result: LoadResult
    #: The bytes loaded (the editor text encoded as UTF-8 for open documents): equal bytes
    #: mean nothing to re-load.
    data: bytes
    #: The text as the editor sees it, when it decodes; positions are converted against it.
    text: str | None
    #: Editor version for open documents, None for files read from disk.
    version: int | None

    @cached_property
    def mapper(self) -> PositionMapper | None:
        source = self.result.source
        if source is None or source.format == SourceFormat.EXPORT or self.text is None:
            return None  # export findings carry no spans: they sit at the file's start
        return PositionMapper(source.text, source.format, self.text)

    @property
    def source(self) -> SourceFile | None:
        return self.result.source


@dataclass(eq=False)
class Snapshot:
    """The outcome of one analysis; never modified after it is returned."""

    generation: int
    config: Config
    files: dict[str, FileState]
    project: Project
    #: Absolute path -> findings in that file (sorted); files without findings are absent.
    diagnostics: dict[str, list[Diagnostic]]
    #: display path -> absolute path, for diagnostics and related locations.
    paths: dict[str, str] = field(default_factory=lambda: {})
    #: Set when the rules raised: the message and traceback to log (findings are load-time only).
    error: str | None = None

    @cached_property
    def attributes(self) -> AttributeTable:
        return build_attribute_table(self.project)

    def path_of(self, display: str) -> str:
        return self.paths.get(display) or os.path.abspath(display)

    def file_of(self, source: SourceFile) -> FileState | None:
        return self.files.get(self.path_of(source.path))


class WorkspaceModel:
    """Every flow file of the workspace folders plus the open documents, and their findings."""

    def __init__(self, roots: Iterable[str] = (), config: Config | None = None) -> None:
        self.roots = [os.path.abspath(root) for root in roots]
        self.config = config or Config()
        self.table: ActionTable = table_for(self.config)
        self.files: dict[str, FileState] = {}
        self.snapshot = Snapshot(0, self.config, {}, Project(), {})
        self._paths: dict[str, str] = {}

    # ------------------------------------------------------------------ scope

    def in_workspace(self, path: str) -> bool:
        """Whether ``path`` (absolute) is a flow file the workspace index includes."""
        if file_format(path) is None or self.config.is_excluded(path):
            return False
        for root in self.roots:
            relative = os.path.relpath(path, root)
            if relative == os.curdir or relative.startswith(os.pardir):
                continue
            return not any(part in SKIP_DIRS for part in relative.split(os.sep)[:-1])
        return False

    def accepts_document(self, path: str) -> bool:
        """Open documents are linted wherever they are, unless excluded or not flow files."""
        return file_format(path) is not None and not self.config.is_excluded(path)

    def discover(self) -> list[str]:
        found: list[str] = []
        for root in self.roots:
            if os.path.isdir(root):
                found.extend(os.path.abspath(path) for path, _ in discover([root], self.config.is_excluded))
        return found

    # ------------------------------------------------------------------ updates

    def update(self, changed: Iterable[str], documents: Mapping[str, Document], *,
               rescan: bool = False, config: Config | None = None,
               roots: Iterable[str] | None = None) -> Snapshot:
        """Re-load the ``changed`` paths (all files when ``rescan``) and re-analyse.

        ``documents`` are the editor's open documents (absolute path -> text): they win over
        the disk.  A changed path that is neither open nor a workspace flow file on disk
        leaves the project.  Returns the previous snapshot object when nothing changed.
        """
        if roots is not None:
            self.roots = [os.path.abspath(root) for root in roots]
            rescan = True
        if config is not None:
            self.config = config
            self.table = table_for(config)
            self.files.clear()  # action aliases may differ: every file must be re-loaded
            rescan = True
        paths = set(changed)
        if rescan:
            paths.update(self.files)
            paths.update(self.discover())
            paths.update(documents)
        dirty = False
        for path in sorted(paths):
            dirty |= self._refresh(path, documents.get(path))
        if not dirty and self.snapshot.generation > 0:
            return self.snapshot
        self.snapshot = self._analyse()
        return self.snapshot

    def _refresh(self, path: str, document: Document | None) -> bool:
        """Bring one file up to date; True when its load result changed."""
        old = self.files.get(path)
        fmt = file_format(path)
        if document is not None and fmt is not None and self.accepts_document(path):
            data = document.text.encode("utf-8", "surrogatepass")
            if old is not None and old.data == data:
                if old.version != document.version:
                    old.version = document.version
                return False
            self.files[path] = self._load(path, fmt, data, document.text, document.version)
            return True
        if fmt is not None and self.in_workspace(path) and os.path.isfile(path):
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                data = None
            if data is not None:
                if old is not None and old.data == data and old.version is None:
                    return False
                self.files[path] = self._load(path, fmt, data, None, None)
                return True
        return self.files.pop(path, None) is not None

    def _load(self, path: str, fmt: str, data: bytes, text: str | None, version: int | None) -> FileState:
        display = self._display(path)
        try:
            result = load_bytes(display, data, fmt, self.table)
        except Exception as error:  # noqa: BLE001 - one bad buffer must never stop the server
            result = LoadResult(SourceFile(display, SourceFormat.YAML), diagnostics=[Diagnostic(
                "FL100", Severity.ERROR,
                f"internal error while loading this file ({type(error).__name__}: {error}); "
                "please report it to the flowlint maintainers", display, None, "file")])
        if text is None and fmt != "export":
            try:
                text = decode_text(data)
            except UnicodeDecodeError:
                text = None
        return FileState(path, display, fmt, result, data, text, version)

    def _display(self, path: str) -> str:
        """Messages name files as the CLI does: relative to the working directory when below it."""
        relative = os.path.relpath(path)
        display = path if relative.startswith(os.pardir) else relative
        self._paths[display] = path
        return display

    def _analyse(self) -> Snapshot:
        files = dict(sorted(self.files.items()))
        project, found = build_project(state.result for state in files.values())
        error: str | None = None
        try:
            found.extend(run_rules(project, self.config))
        except Exception:  # noqa: BLE001 - a rule bug must not take the editor's findings down with it
            error = "flowlint: a rule failed; only load-time findings are shown\n" + traceback.format_exc()
        by_file: dict[str, list[Diagnostic]] = {}
        for diagnostic in finalize(found, self.config, project=project):  # project: inline suppressions
            path = self._paths.get(diagnostic.file) or os.path.abspath(diagnostic.file)
            by_file.setdefault(path, []).append(diagnostic)
        return Snapshot(self.snapshot.generation + 1, self.config, files, project, by_file,
                        dict(self._paths), error)
