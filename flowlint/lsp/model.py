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
from dataclasses import dataclass, field, replace
from functools import cached_property

from flowlint.analysis.attributes import AttributeTable, build_attribute_table
from flowlint.config import Config, ConfigError, ConfigResolver
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.engine import finalize
from flowlint.pipeline.resident import Outcome, ResidentProject
from flowlint.pipeline.units import build_project, table_for
from flowlint.ir import Project, SourceFile, SourceFormat
from flowlint.loaders import LoadResult, decode_text, load_bytes, read_flow_bytes
from flowlint.deploy.data_actions import is_export
from flowlint.deploy.model import DataActionDefinition, Deployments
from flowlint.deploy.options import MAX_OPTIONS_BYTES, may_be_options
from flowlint.deploy.repository import read_repository
from flowlint.loaders.gitignore import GitIgnore, work_tree
from flowlint.loaders.discover import SKIP_DIRS, TERRAFORM, TERRAFORM_SUFFIXES, discover_configured, file_format
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
    #: Absolute path -> findings in that file (sorted); files without findings are absent.
    diagnostics: dict[str, list[Diagnostic]]
    #: display path -> absolute path, for diagnostics and related locations.
    paths: dict[str, str] = field(default_factory=lambda: {})
    #: Set when the rules raised: the message and traceback to log (findings are load-time only).
    error: str | None = None
    #: How the workspace's flow files are deployed (Terraform, options files), by display path.
    deployments: Deployments = field(default_factory=Deployments)

    @cached_property
    def project(self) -> Project:
        """Every flow of the workspace (made on first use: hover and navigation read it, an
        edit need not pay for it)."""
        return build_project(state.result for state in self.files.values())[0]

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
        self.snapshot = Snapshot(0, self.config, {}, {})
        self._paths: dict[str, str] = {}
        #: Terraform files of the workspace (absolute paths), and the open ones' text.
        self.terraform: set[str] = set()
        self.deployments = Deployments()
        #: Findings of the repository stage (in .tf and options files: FL100, FL111, FL115, FL116).
        self.repository_findings: list[Diagnostic] = []
        #: Data actions of the workspace that write conversation attributes (repository stage).
        self.data_actions: list[DataActionDefinition] = []
        #: Each project's analysis, kept between edits (by configuration and data actions).
        self._residents: dict[tuple[int, tuple[DataActionDefinition, ...]], ResidentProject] = {}
        #: Each file's project configuration, for the resolver that found it (a walk up the
        #: directories per file and per edit costs more than the analysis of a small edit).
        self._config_of: dict[str, Config] = {}
        self._config_resolver_of_cache: ConfigResolver | None = None
        #: The last grouping of the files into projects, and what it depends on.
        self._groups: tuple[tuple[object, ...], list[tuple[Config, list[str]]]] | None = None
        #: How the last analysis went (tests and benchmarks read it).
        self.last_outcome: Outcome | None = None
        self._options_files: set[str] = set()
        self._ignores: dict[str, GitIgnore] = {}
        #: The nearest configuration file of each directory (projects); see :meth:`_projects`.
        self._resolver = ConfigResolver()
        #: The configuration was named by the client (``configFile``): one project.
        self.explicit_config = False

    # ------------------------------------------------------------------ scope

    def in_workspace(self, path: str) -> bool:
        """Whether ``path`` (absolute) is a flow file the workspace index includes."""
        if file_format(path) is None or self.config_for(os.path.dirname(path)).is_excluded(path):
            return False
        for root in self.roots:
            relative = os.path.relpath(path, root)
            if relative == os.curdir or relative.startswith(os.pardir):
                continue
            if any(part in SKIP_DIRS for part in relative.split(os.sep)[:-1]):
                return False
            return not self._git_ignored(path)
        return False

    def _git_ignored(self, path: str) -> bool:
        """Whether git ignores ``path`` or a directory above it (as a rescan would skip it)."""
        if not self.config.respect_gitignore:
            return False
        tree = work_tree(path)
        if tree is None:
            return False
        ignore = self._ignores.get(tree)
        if ignore is None:
            ignore = self._ignores[tree] = GitIgnore(tree)
        relative = ignore.relative(os.path.dirname(path))
        if relative is None:
            return False
        parts = relative.split("/") if relative else []
        for depth in range(len(parts)):
            if ignore.ignored_in("/".join(parts[:depth]), parts[depth], True):
                return True
        return ignore.ignored_in(relative, os.path.basename(path))

    def accepts_document(self, path: str) -> bool:
        """Open documents are linted wherever they are, unless excluded or not flow files."""
        return file_format(path) is not None and not self.config.is_excluded(path)

    def discover(self) -> list[str]:
        """Flow files and Terraform files of the workspace folders (absolute paths)."""
        found: list[str] = []
        for root in self.roots:
            if os.path.isdir(root):
                found.extend(os.path.abspath(path) for path, _, _ in discover_configured([root], self.config_for))
        return found

    def config_for(self, directory: str) -> Config:
        """The configuration of files in ``directory``: its project's (see :meth:`_projects`)."""
        if self.explicit_config:
            return self.config
        try:
            config = self._resolver.for_directory(directory)
        except ConfigError:
            return self.config
        return self.config if config.path is None or config.path == self.config.path else config

    def is_terraform(self, path: str) -> bool:
        return path.lower().endswith(TERRAFORM_SUFFIXES) and not self.config.is_excluded(path)

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
            self._ignores.clear()  # .gitignore files may have changed
            self._resolver = ConfigResolver()  # and configuration files
            paths.update(self.files)
            paths.update(self.terraform)
            paths.update(self.discover())
            paths.update(documents)
        dirty = self._redeploy(paths, documents, rescan)
        refreshed: set[str] = set()
        for path in sorted(paths):
            if self._refresh(path, documents.get(path)):
                refreshed.add(path)
        if not (dirty or refreshed) and self.snapshot.generation > 0:
            return self.snapshot
        # With the same files as before, only the refreshed ones are handed to the engines
        # (the others pass the same load results): no per-edit work over every file.
        self.snapshot = self._analyse(None if rescan or dirty else refreshed)
        return self.snapshot

    def _redeploy(self, paths: set[str], documents: Mapping[str, Document], rescan: bool) -> bool:
        """Read again how flow files are deployed when a Terraform or options file changed
        (or everything did); add the flow files whose deployments changed to ``paths``.
        True when the repository stage's own findings changed."""
        touched = [p for p in paths if self.is_terraform(p)]
        options = [p for p in paths if p in self._options_files or (file_format(p) == "yaml" and self._options_text(
            p, documents))]
        if not (rescan or touched or options or any(is_export(p) for p in paths)):
            return False
        for path in touched:
            if (path in documents or (self.in_root(path) and os.path.isfile(path))):
                self.terraform.add(path)
            else:
                self.terraform.discard(path)
        flows = set(self.files) | {p for p in paths if file_format(p) is not None}
        files = sorted([(self._display(p), file_format(p) or "yaml") for p in flows if file_format(p) is not None]
                       + [(self._display(p), TERRAFORM) for p in self.terraform])

        def text_of(display: str) -> str | None:
            document = documents.get(self._paths.get(display) or os.path.abspath(display))
            return document.text if document is not None else None

        repository = read_repository(files, self.config, text_of)
        old = self.deployments
        self.deployments = repository.deployments
        self._options_files = {os.path.abspath(d.origin.path) for found in repository.deployments.by_file.values()
                               for d in found if d.kind == "options"}
        for display in set(old.by_file) | set(repository.deployments.by_file):
            if old.for_file(display) != repository.deployments.for_file(display):
                paths.add(self._paths.get(display) or os.path.abspath(display))
                self.files.pop(self._paths.get(display) or os.path.abspath(display), None)  # re-load it
        generated = {self._paths.get(d) or os.path.abspath(d) for d in repository.deployments.generated}
        for path in generated & set(self.files):
            self.files.pop(path, None)  # a templatefile() render: the template is the flow
        changed = repository.findings != self.repository_findings or repository.data_actions != self.data_actions
        self.repository_findings = repository.findings
        self.data_actions = repository.data_actions
        return changed or bool(old.by_file != repository.deployments.by_file)

    def in_root(self, path: str) -> bool:
        for root in self.roots:
            relative = os.path.relpath(path, root)
            if not (relative == os.curdir or relative.startswith(os.pardir)):
                return not any(part in SKIP_DIRS for part in relative.split(os.sep)[:-1]) \
                    and not self._git_ignored(path)
        return False

    def _options_text(self, path: str, documents: Mapping[str, Document]) -> bool:
        """Whether ``path`` now looks like an Archy options file (its editor text, else the disk)."""
        document = documents.get(path)
        if document is not None:
            return may_be_options(document.text.encode("utf-8", "surrogatepass"))
        try:
            data = read_flow_bytes(path)  # never blocks on a named pipe
        except OSError:
            return False
        return data is not None and len(data) <= MAX_OPTIONS_BYTES and may_be_options(data)

    def _refresh(self, path: str, document: Document | None) -> bool:
        """Bring one file up to date; True when its load result changed."""
        if path.lower().endswith(TERRAFORM_SUFFIXES):
            return False  # read by _redeploy
        generated = self.deployments.generated
        if generated and os.path.abspath(path) in generated and not self.deployments.for_file(self._display(path)):
            return self.files.pop(path, None) is not None
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
            result = load_bytes(display, data, fmt, self.table, self.deployments.for_file(display))
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

    def _analyse(self, refreshed: set[str] | None = None) -> Snapshot:
        """Analyse the files; ``refreshed``: the only files whose load results changed since
        the last analysis (None: any may have)."""
        previous = self.snapshot.files
        same = len(previous) == len(self.files) and previous.keys() == self.files.keys()
        if same:
            files = {path: self.files[path] for path in previous}  # the same files: already sorted
        else:
            files = dict(sorted(self.files.items()))
        changed = refreshed if same and refreshed is not None else None
        error: str | None = None
        by_file: dict[str, list[Diagnostic]] = {}
        used: dict[tuple[int, tuple[DataActionDefinition, ...]], ResidentProject] = {}
        for index, (config, states) in enumerate(self._projects(files, same)):
            # As the command line does: each project's flows together, with its configuration;
            # kept analysed between edits (flowlint.pipeline.resident), which re-checks only
            # the files an edit can change.
            key = (id(config), tuple(self.data_actions))
            resident = used[key] = self._residents.get(key) or ResidentProject(
                replace(config, data_actions=key[1]) if key[1] else config, finalize)
            extra = self.repository_findings if index == 0 else []
            try:
                results = {state.display: state.result for state in states}
                outcome = resident.update_results(results, extra, None if changed is None else
                                                  [files[p].display for p in changed if p in files])
            except Exception:  # noqa: BLE001 - a rule bug must not take the editor's findings down with it
                error = "flowlint: a rule failed; only load-time findings are shown\n" + traceback.format_exc()
                used.pop(key, None)
                project, found = build_project(state.result for state in states)
                outcome_findings: dict[str, list[Diagnostic]] = {}
                for diagnostic in finalize(found + list(extra), config, project=project):  # sorted
                    outcome_findings.setdefault(diagnostic.file, []).append(diagnostic)
            else:
                outcome_findings = outcome.findings
                self.last_outcome = outcome
            for display, found in outcome_findings.items():
                path = self._paths.get(display) or os.path.abspath(display)
                # The same (sorted) list while a file's findings do not change: the server
                # then republishes nothing for it without looking inside.
                previous = by_file.get(path)
                by_file[path] = found if previous is None else sorted([*previous, *found], key=lambda d: d.sort_key)
        self._residents = used
        return Snapshot(self.snapshot.generation + 1, self.config, files, by_file,
                        dict(self._paths), error, self.deployments)

    def _projects(self, files: Mapping[str, FileState], same: bool = False) -> list[tuple[Config, list[FileState]]]:
        """The files grouped by project: the nearest configuration file above each (the
        model's own configuration for its project and for files without one), unless the
        model's configuration was named explicitly (it then applies to everything).
        ``same``: the files are those of the last call (the grouping is reused)."""
        if self.explicit_config:
            return [(self.config, list(files.values()))]
        key = (self._resolver, self.config)
        cached = self._groups
        if same and cached is not None and all(a is b for a, b in zip(cached[0], key)):
            return [(config, [files[path] for path in paths]) for config, paths in cached[1]]
        groups: dict[str | None, tuple[Config, list[FileState]]] = {}
        if self._config_resolver_of_cache is not self._resolver:  # configuration files re-read
            self._config_of.clear()
            self._config_resolver_of_cache = self._resolver
        for state in files.values():
            config = self._config_of.get(state.path)
            if config is None:
                try:
                    config = self._resolver.for_path(state.path)
                except ConfigError:
                    config = self.config  # a broken nested file: the server reports configuration errors
                if config.path is None or config.path == self.config.path:
                    config = self.config
                self._config_of[state.path] = config
            groups.setdefault(config.path, (config, []))[1].append(state)
        top = groups.pop(self.config.path, (self.config, []))
        found = [top, *(groups[name] for name in sorted(groups, key=lambda k: k or ""))]
        self._groups = (key, [(config, [state.path for state in states]) for config, states in found])
        return found
