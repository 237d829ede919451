"""``flowlint lsp``: the language server (pygls 2.x, push diagnostics).

Threads: pygls runs the protocol on an asyncio loop; analyses run on one worker thread
that owns the :class:`WorkspaceModel`.  Handlers on the loop only read the latest
immutable :class:`Snapshot`, so hover and friends never wait for a lock, and requests
that need positions first let pending edits settle (a few tens of milliseconds).

Scheduling: every event adds paths to a pending set and arms a timer: ``didChange`` with
the debounce delay, everything else at once.  When the timer fires and an analysis is
running, the next one starts as soon as it ends, so analyses never pile up.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO, ParamSpec, TypeVar, cast

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from flowlint import __version__
from flowlint.config import FLOWLINT_TOML, PYPROJECT_TOML, Config, ConfigError, load_config
from flowlint.loaders.discover import EXPORT_PREFIX, JSON_SUFFIX, TERRAFORM_SUFFIXES, YAML_SUFFIXES
from flowlint.lsp import features, map_command
from flowlint.lsp.convert import DEFAULT_DOCS_URL, PublishCache, uri_of
from flowlint.lsp.model import Document, Snapshot, WorkspaceModel
from flowlint.lsp.positions import Pos

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_DEBOUNCE_MS = 50
#: How long a request waits for pending edits to be analysed before answering from what it has.
SETTLE_TIMEOUT = 5.0
#: Flow files, and TOML files: discovered configurations and an explicit ``configFile``.
_WATCH_GLOBS = ([f"**/*{suffix}" for suffix in (*YAML_SUFFIXES, JSON_SUFFIX, *TERRAFORM_SUFFIXES)]
                + [f"**/*{EXPORT_PREFIX}*", "**/*.toml", "**/.gitignore"])


@dataclass(slots=True)
class Settings:
    """What a client may set (``initializationOptions`` or the ``flowlint`` settings section)."""

    #: Configuration file (absolute, or relative to the first workspace folder); None: discover.
    config_file: str | None = None
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    docs_url: str = DEFAULT_DOCS_URL
    #: Log each analysis's duration (window/logMessage), for diagnosing slowness.
    log_timings: bool = False


def parse_settings(raw: object, base: Settings | None = None) -> Settings:
    """Read client settings, tolerating anything: unknown keys and wrong types are ignored.

    Accepts ``{"flowlint": {...}}`` or the section itself; keys ``configFile``,
    ``debounceMs``, ``docsUrl`` and ``logTimings``.
    """
    settings = Settings(**{name: getattr(base, name) for name in Settings.__slots__}) if base else Settings()
    if not isinstance(raw, dict):
        return settings
    section = cast(dict[str, object], raw)
    nested = section.get("flowlint")
    if isinstance(nested, dict):
        section = cast(dict[str, object], nested)
    if "configFile" in section:
        value = section["configFile"]
        settings.config_file = value if isinstance(value, str) and value.strip() else None
    debounce = section.get("debounceMs")
    if isinstance(debounce, int | float) and not isinstance(debounce, bool) and 0 <= debounce <= 10_000:
        settings.debounce_ms = int(debounce)
    docs = section.get("docsUrl")
    if isinstance(docs, str) and docs:
        settings.docs_url = docs
    timings = section.get("logTimings")
    if isinstance(timings, bool):
        settings.log_timings = timings
    return settings


class FlowlintProtocol(LanguageServerProtocol):
    """Answers requests whose params do not deserialize with an error response.

    pygls raises while decoding such a message, before it knows the request, and the
    client would wait forever for an answer.
    """

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            structured: Any = super().structure_message(data)  # pyright: ignore[reportUnknownMemberType]
            return structured
        except JsonRpcException as error:
            if "id" in data and "method" in data:
                message = f"invalid params for {data['method']}: {error.__cause__ or error}"
                response = JsonRpcInvalidParams(message).to_response_error()
                self._send_response(data["id"], error=response)  # pyright: ignore[reportUnknownMemberType]
            raise


class FlowlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(  # pyright: ignore[reportUnknownMemberType]
            "flowlint", __version__, protocol_cls=FlowlintProtocol)
        self.settings = Settings()
        self.model = WorkspaceModel()
        self.snapshot: Snapshot = self.model.snapshot
        #: Absolute path -> last diagnostics sent (files with none are absent).
        self.published: dict[str, list[types.Diagnostic]] = {}
        #: Absolute path -> the URI the client used for it (published back verbatim).
        self.uris: dict[str, str] = {}
        self.roots: list[str] = []
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowlint-analysis")
        self._pending: set[str] = set()
        self._rescan = False
        self._config: Config | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._running = False
        self._again = False
        self._done = asyncio.Event()
        self._indexed = False
        #: LSP conversions of the findings, kept per file between publications.
        self._converted = PublishCache()
        self._last_change = -1e9

    # ------------------------------------------------------------------ logging

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # noqa: BLE001 - logging must never be what kills the server
            logger.exception("cannot send window/logMessage")

    def log_failure(self, done: Future[Any], what: str) -> bool:
        """Log a failed request to the client (its future is done); True if it failed."""
        if done.cancelled():
            return True
        error = done.exception()
        if error is not None:
            self.log(f"flowlint: {what}: {error}", types.MessageType.Warning)
        return error is not None

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls shows a popup (window/showMessage); a log entry is enough and less noisy.
        self.log(f"flowlint: internal error: {error}", types.MessageType.Error)

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return encoding.value if isinstance(encoding, types.PositionEncodingKind) else str(encoding or "utf-16")

    # ------------------------------------------------------------------ configuration

    def load_config(self) -> Config:
        explicit = self.settings.config_file
        self.model.explicit_config = explicit is not None  # else: each file's nearest configuration
        if explicit is not None and self.roots and not os.path.isabs(explicit):
            explicit = os.path.join(self.roots[0], explicit)
        try:
            return load_config(self.roots[:1] or [os.getcwd()], explicit)
        except ConfigError as error:
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error,
                message=f"flowlint: {error} (using the default configuration)"))
            self.log(f"flowlint: configuration error: {error}", types.MessageType.Error)
            return Config()

    def reload_config(self) -> None:
        self.schedule(config=self.load_config())

    # ------------------------------------------------------------------ documents

    def path_of(self, uri: str) -> str | None:
        if not uri.startswith("file:"):
            return None  # untitled buffers and virtual documents have no place in the project
        path = to_fs_path(uri)
        return os.path.abspath(path) if path else None

    def documents(self) -> dict[str, Document]:
        found: dict[str, Document] = {}
        for uri, document in self.workspace.text_documents.items():
            path = self.path_of(uri)
            if path is not None:
                found[path] = Document(document.source, document.version)
        return found

    # ------------------------------------------------------------------ scheduling

    def schedule(self, paths: Iterable[str] = (), *, delay: float = 0.0, rescan: bool = False,
                 config: Config | None = None) -> None:
        """Note what changed and (re)arm the analysis timer."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if delay and self._timer is None and not self._running and now - self._last_change >= delay:
            delay = 0.0  # an isolated edit is analysed at once; only bursts of edits wait for a pause
        self._last_change = now
        self._pending.update(paths)
        self._rescan |= rescan
        if config is not None:
            self._config = config
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        self._timer = None
        if self._running:
            self._again = True
            return
        self._running = True
        self._done.clear()
        asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._again = False
                paths, self._pending = self._pending, set()
                rescan, self._rescan = self._rescan, False
                config, self._config = self._config, None
                started = time.perf_counter()
                update = functools.partial(self.model.update, paths, self.documents(), rescan=rescan,
                                           config=config, roots=self.roots if rescan else None)
                try:
                    snapshot = await loop.run_in_executor(self._worker, _without_gc, update)
                except Exception:  # noqa: BLE001 - keep serving with the last good snapshot
                    self.log("flowlint: analysis failed\n" + traceback.format_exc(), types.MessageType.Error)
                    snapshot = self.snapshot
                analysed = time.perf_counter()
                try:
                    if rescan and not self._indexed:
                        self._indexed = True
                        self.log(f"flowlint: indexed {len(snapshot.files)} file(s) under "
                                 f"{', '.join(self.roots) or 'no workspace folder'} in "
                                 f"{(time.perf_counter() - started) * 1000:.0f} ms", types.MessageType.Info)
                    if snapshot is not self.snapshot:
                        self.snapshot = snapshot
                        if snapshot.error:
                            self.log(snapshot.error, types.MessageType.Error)
                        self.publish(snapshot)
                    if self.settings.log_timings:
                        self.log(f"flowlint: {len(paths)} changed path(s), {len(snapshot.files)} file(s): analysis "
                                 f"{(analysed - started) * 1000:.1f} ms, publishing "
                                 f"{(time.perf_counter() - analysed) * 1000:.1f} ms")
                except Exception:  # noqa: BLE001
                    self.log("flowlint: cannot publish\n" + traceback.format_exc(), types.MessageType.Error)
                finally:
                    # Garbage is collected once the findings are out, not in the middle of an analysis.
                    await loop.run_in_executor(self._worker, _settle_heap if rescan else _collect)
                if not self._again:
                    break
        finally:
            self._running = False
            self._done.set()

    async def settle(self) -> Snapshot:
        """The snapshot after every pending change has been analysed (or the timeout passed)."""
        if self._timer is not None:
            self._timer.cancel()
            self._fire()
        if self._running:
            try:
                await asyncio.wait_for(self._done.wait(), SETTLE_TIMEOUT)
            except TimeoutError:
                pass
        return self.snapshot

    def publish(self, snapshot: Snapshot, *, force: bool = False) -> None:
        """Send diagnostics for every file whose list changed (an empty list clears a file)."""
        current = self._converted.publishable(snapshot, self.encoding, self.settings.docs_url)
        for path in sorted(set(self.published) | set(current)):
            new = current.get(path, [])
            if not force and self.published.get(path, []) == new:
                continue
            state = snapshot.files.get(path)
            uri = self.uris.get(path) or uri_of(path)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=new, version=state.version if state is not None else None))
            if new:
                self.published[path] = new
            else:
                self.published.pop(path, None)

    async def fresh(self, uri: str) -> tuple[Snapshot, str] | None:
        """The snapshot and path for a request about ``uri``, once the document's edits are in."""
        path = self.path_of(uri)
        if path is None:
            return None
        snapshot = self.snapshot
        document = self.workspace.text_documents.get(uri)
        state = snapshot.files.get(path)
        if state is None or (document is not None and state.version != document.version) or self._pending:
            snapshot = await self.settle()
        return snapshot, path


def _without_gc(update: Callable[[], Snapshot]) -> Snapshot:
    """Run an analysis with the cyclic GC paused; :func:`_collect` runs it after publishing.

    An analysis allocates enough to trigger several collections, and a full one walks
    every object of the workspace model: tens of milliseconds added to an edit's latency.
    """
    gc.disable()
    return update()


def _collect() -> None:
    gc.collect()
    gc.enable()


def _settle_heap() -> None:
    """After (re)indexing: collect, then move the workspace model out of the GC's reach.

    A 500-flow workspace is about 100,000 long-lived GC-tracked objects that every full
    collection would walk again.  Later edits replace one file's objects, which reference
    counting frees (the IR has no reference cycles); the per-analysis garbage, which has
    cycles, stays collectable.
    """
    gc.collect()
    gc.freeze()
    gc.enable()


def guard_notification(server: FlowlintServer) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Catch and log every exception of a notification handler: the server keeps running."""

    def decorate(handler: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(handler)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | None:
            try:
                return handler(*args, **kwargs)
            except Exception:  # noqa: BLE001
                server.log(f"flowlint: error in {handler.__name__}\n{traceback.format_exc()}",
                           types.MessageType.Error)
                return None

        return wrapped

    return decorate


_Handler = Callable[P, Coroutine[Any, Any, R]]


def guard_request(server: FlowlintServer) -> Callable[[_Handler[P, R]], _Handler[P, R]]:
    """Log a request handler's exception, then answer the request with an internal error."""

    def decorate(handler: _Handler[P, R]) -> _Handler[P, R]:
        @functools.wraps(handler)
        async def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await handler(*args, **kwargs)
            except Exception as error:
                server.log(f"flowlint: error in {handler.__name__}\n{traceback.format_exc()}",
                           types.MessageType.Error)
                raise JsonRpcInternalError(f"flowlint: {type(error).__name__}: {error}") from error

        return wrapped

    return decorate


def create_server() -> FlowlintServer:
    server = FlowlintServer()
    notification = guard_notification(server)
    request = guard_request(server)

    @server.feature(types.INITIALIZE)
    @notification
    def initialize(params: types.InitializeParams) -> None:
        server.settings = parse_settings(params.initialization_options)
        folders = [to_fs_path(f.uri) for f in params.workspace_folders or []]
        if not folders and params.root_uri:
            folders = [to_fs_path(params.root_uri)]
        elif not folders and params.root_path:
            folders = [params.root_path]
        server.roots = [os.path.abspath(f) for f in folders if f]
        if server.roots and os.path.isdir(server.roots[0]):
            # Messages name files relative to the working directory, as the CLI does.
            os.chdir(server.roots[0])
        server.model = WorkspaceModel(server.roots, server.load_config())
        server.model.explicit_config = server.settings.config_file is not None

    @server.feature(types.INITIALIZED)
    @notification
    def initialized(params: types.InitializedParams) -> None:
        server.schedule(rescan=True)
        capabilities = server.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if watched is not None and watched.dynamic_registration:
            registered = server.client_register_capability(types.RegistrationParams(registrations=[
                types.Registration(
                    id="flowlint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in _WATCH_GLOBS]))]))
            registered.add_done_callback(lambda done: server.log_failure(done, "cannot watch files"))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @notification
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        path = server.path_of(params.text_document.uri)
        if path is not None:
            server.uris[path] = params.text_document.uri
            server.schedule([path])

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @notification
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        path = server.path_of(params.text_document.uri)
        if path is not None:
            server.schedule([path], delay=server.settings.debounce_ms / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @notification
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        path = server.path_of(params.text_document.uri)
        if path is not None:
            server.schedule([path])

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @notification
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        path = server.path_of(params.text_document.uri)
        if path is not None:
            server.schedule([path])  # back to the disk's content, or out of the project

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @notification
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        paths: set[str] = set()
        config_changed = False
        rescan = False
        for change in params.changes:
            path = server.path_of(change.uri)
            if path is None:
                continue
            name = os.path.basename(path)
            if name in (FLOWLINT_TOML, PYPROJECT_TOML) or path == server.model.config.path:
                config_changed = True
            if name == ".gitignore":
                rescan = True  # what the workspace holds may change anywhere below it
            paths.add(path)
            if change.type == types.FileChangeType.Deleted:  # maybe a directory: drop what was under it
                prefix = path.rstrip(os.sep) + os.sep
                paths.update(p for p in server.snapshot.files if p.startswith(prefix))
        if config_changed:
            server.schedule(paths, config=server.load_config())
        else:
            server.schedule(paths, rescan=rescan)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    @notification
    def did_change_folders(params: types.DidChangeWorkspaceFoldersParams) -> None:
        server.roots = [os.path.abspath(to_fs_path(f.uri) or f.uri) for f in server.workspace.folders.values()]
        server.schedule(rescan=True)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @notification
    def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        settings: object = params.settings
        if isinstance(settings, dict) and settings:
            apply_settings(cast(dict[str, object], settings))
            return
        capabilities = server.client_capabilities.workspace
        if capabilities is not None and capabilities.configuration:
            # Pull model: the notification only says "something changed"; ask for our section.
            future = server.workspace_configuration(types.ConfigurationParams(
                items=[types.ConfigurationItem(section="flowlint")]))
            future.add_done_callback(lambda done: apply_settings(
                (done.result() or [None])[0] if not server.log_failure(done, "cannot read settings") else None))

    def apply_settings(raw: object) -> None:
        try:
            before = server.settings
            server.settings = parse_settings(raw, before)
            if server.settings.docs_url != before.docs_url:
                server.publish(server.snapshot, force=True)
            server.reload_config()
        except Exception:  # noqa: BLE001
            server.log("flowlint: cannot apply settings\n" + traceback.format_exc(), types.MessageType.Error)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @request
    async def hover(params: types.HoverParams) -> types.Hover | None:
        found = await server.fresh(params.text_document.uri)
        if found is None:
            return None
        snapshot, path = found
        return features.hover(snapshot, path, _pos(params.position), server.encoding)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @request
    async def definition(params: types.DefinitionParams) -> list[types.Location] | None:
        found = await server.fresh(params.text_document.uri)
        if found is None:
            return None
        snapshot, path = found
        return features.definition(snapshot, path, _pos(params.position), server.encoding)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @request
    async def references(params: types.ReferenceParams) -> list[types.Location] | None:
        found = await server.fresh(params.text_document.uri)
        if found is None:
            return None
        snapshot, path = found
        return features.references(snapshot, path, _pos(params.position), server.encoding,
                                   params.context.include_declaration)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @request
    async def document_symbol(
            params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | list[types.SymbolInformation] | None:
        found = await server.fresh(params.text_document.uri)
        if found is None:
            return None
        snapshot, path = found
        symbols = features.document_symbols(snapshot, path, server.encoding)
        text_capabilities = server.client_capabilities.text_document
        symbol_capabilities = text_capabilities.document_symbol if text_capabilities else None
        if symbol_capabilities is not None and symbol_capabilities.hierarchical_document_symbol_support:
            return symbols
        return _flatten(params.text_document.uri, symbols, None)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    @request
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        only = params.context.only
        if only is not None and not any(types.CodeActionKind.QuickFix.value.startswith(kind) for kind in only):
            return None
        found = await server.fresh(params.text_document.uri)
        if found is None:
            return None
        snapshot, path = found
        document = server.workspace.text_documents.get(params.text_document.uri)
        state = snapshot.files.get(path)
        if document is not None and (state is None or state.version != document.version):
            return None  # edits are still coming in: positions would be off
        return features.code_actions(snapshot, path, _pos(params.range.start), _pos(params.range.end),
                                     server.encoding, server.settings.docs_url) or None

    @server.command(map_command.COMMAND)
    @request
    async def show_map(*args: Any) -> dict[str, str]:
        """Write the workspace's map (HTML) and return its path and URI for the editor to open."""
        docs = server.settings.docs_url
        config_file = server.settings.config_file
        if config_file is not None and server.roots and not os.path.isabs(config_file):
            config_file = os.path.join(server.roots[0], config_file)
        loop = asyncio.get_running_loop()
        try:
            path = await loop.run_in_executor(server._worker, functools.partial(  # pyright: ignore[reportPrivateUsage]
                map_command.write_workspace_map, list(server.roots), config_file, docs))
        except (ConfigError, OSError) as error:
            raise JsonRpcInvalidParams(f"flowlint: cannot write the map: {error}") from error
        return {"path": path, "uri": uri_of(path)}

    @server.feature(types.SHUTDOWN)
    @notification
    def shutdown(params: None) -> None:
        if server._timer is not None:  # pyright: ignore[reportPrivateUsage]
            server._timer.cancel()  # pyright: ignore[reportPrivateUsage]
        server._worker.shutdown(wait=False, cancel_futures=True)  # pyright: ignore[reportPrivateUsage]

    return server


def _pos(position: types.Position) -> Pos:
    return Pos(position.line, position.character)


def _flatten(uri: str, symbols: list[types.DocumentSymbol], container: str | None) -> list[types.SymbolInformation]:
    """SymbolInformation for clients without hierarchical document symbols."""
    flat: list[types.SymbolInformation] = []
    for symbol in symbols:
        flat.append(types.SymbolInformation(name=symbol.name, kind=symbol.kind, container_name=container,
                                            location=types.Location(uri=uri, range=symbol.range)))
        flat.extend(_flatten(uri, list(symbol.children or []), symbol.name))
    return flat


class ResyncingInput:
    """stdin for pygls' reader, able to recover from a malformed frame.

    pygls matches a whole header line against ``Content-Length: <digits>``; after a frame
    whose length it cannot read, that frame's body is glued to the next header line and
    every later message is lost (the server stays up but deaf). Cutting a line at
    ``Content-Length:`` puts the reader back in step at the next well-formed frame.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw

    def readline(self) -> bytes:
        line = self._raw.readline()
        cut = line.find(b"Content-Length:")
        return line[cut:] if cut > 0 else line

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(size)


def serve(tcp: str | None = None) -> None:
    """Run the server on stdio, or on ``HOST:PORT`` over TCP (for debugging)."""
    server = create_server()
    if tcp is None:
        server.start_io(cast(BinaryIO, ResyncingInput(sys.stdin.buffer)))
        return
    host, _, port = tcp.rpartition(":")
    server.start_tcp(host or "127.0.0.1", int(port))
