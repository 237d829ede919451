"""End-to-end tests of ``flowlint lsp``: a pytest-lsp client drives the real server process.

The workspace (tests/lsp/workspace) has three flows: Main IVR sets ``AccountId`` and
``KundenNummer😀`` and transfers to Support; Support gets ``accountId`` and
``kundenNummer😀`` (two FL001s; the second sits after a placeholder and an emoji on a
flow-style line) and transfers to Billing, which gets ``AccountId`` correctly.
"""

from __future__ import annotations

import asyncio
import json
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, cast

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

WORKSPACE = Path(__file__).parent / "lsp" / "workspace"
PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS


class Client(LanguageClient):
    """Records every publishDiagnostics, so tests can tell which files were re-published."""

    published: list[types.PublishDiagnosticsParams]


def _record(client: Client, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _register_capability(client: Client, params: types.RegistrationParams) -> None:
    return None


def make_client() -> Client:
    client = Client(converter_factory=default_converter)  # pyright: ignore[reportUnknownMemberType]
    client.published = []
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, PUBLISH: _record,
                                   types.CLIENT_REGISTER_CAPABILITY: _register_capability})
    return client


# pytest-lsp's decorator is untyped; this is the one shape used here.
lsp_fixture = cast(Callable[..., Callable[[Callable[..., Any]], Any]],
                   pytest_lsp.fixture)  # pyright: ignore[reportUnknownMemberType]


@lsp_fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "flowlint.lsp"],
                                              client_factory=make_client))
async def client(lsp_client: Client) -> AsyncIterator[None]:
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(WORKSPACE, target)
    return target


def uri(path: Path) -> str:
    return path.as_uri()


async def start(client: Client, root: Path, *, options: Any = None,
                encodings: list[str] | None = None) -> types.InitializeResult:
    capabilities = client_capabilities("visual-studio-code")
    if encodings is not None:
        capabilities.general = types.GeneralClientCapabilities(position_encodings=encodings)
    return await client.initialize_session(types.InitializeParams(
        capabilities=capabilities, root_uri=uri(root), initialization_options=options,
        workspace_folders=[types.WorkspaceFolder(uri=uri(root), name="ws")]))


async def diagnostics(client: Client, path: Path,
                      until: Callable[[list[types.Diagnostic]], bool] = lambda found: True,
                      timeout: float = 15.0) -> list[types.Diagnostic]:
    """The file's diagnostics once ``until`` holds (waiting for publications as needed)."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            current = client.diagnostics.get(uri(path))
            if current is not None and until(list(current)):
                return list(current)
            await client.wait_for_notification(PUBLISH)

    return await asyncio.wait_for(wait(), timeout)


async def indexed(client: Client, timeout: float = 15.0) -> None:
    """Wait for the server's "indexed N file(s)" log message (the initial index is done)."""

    async def wait() -> None:
        while not any("indexed" in m.message for m in client.log_messages):
            await client.wait_for_notification(types.WINDOW_LOG_MESSAGE)

    await asyncio.wait_for(wait(), timeout)


def codes(found: Sequence[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in found)


def open_doc(client: Client, path: Path, text: str | None = None, version: int = 1) -> str:
    text = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri(path), language_id="yaml", version=version, text=text)))
    return text


def change_doc(client: Client, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position_of(text: str, needle: str, encoding: str = "utf-16", nth: int = 0) -> types.Position:
    """LSP position of the ``nth`` occurrence of ``needle``, computed with Python's own codecs."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start)
    before = text[text.rfind("\n", 0, start) + 1:start]
    units = {"utf-16": utf16(before), "utf-8": len(before.encode("utf-8")), "utf-32": len(before)}[encoding]
    return types.Position(line=line, character=units)


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply UTF-16 edits the way an editor does (last edit first)."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        line = lines[position.line]
        units = 0
        column = 0
        while column < len(line) and units < position.character:
            units += utf16(line[column])
            column += 1
        return sum(len(x) + 1 for x in lines[: position.line]) + column

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


# --------------------------------------------------------------------------- diagnostics


@pytest.mark.asyncio
async def test_index_publishes_workspace_findings_with_details(client: Client, root: Path) -> None:
    result = await start(client, root)
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
    support = root / "flows" / "support.yaml"
    found = await diagnostics(client, support, lambda d: len(d) == 2)  # nothing is open: the index did it
    assert codes(found) == ["FL001", "FL001"]
    first = min(found, key=lambda d: d.range.start.line)
    text = support.read_text(encoding="utf-8")
    start_pos = position_of(text, "accountId")
    assert first.range == types.Range(start_pos, types.Position(start_pos.line, start_pos.character + 9))
    assert first.source == "flowlint" and first.severity == types.DiagnosticSeverity.Error
    assert first.code_description is not None
    assert first.code_description.href.endswith("docs/rules.md#fl001-attribute-name-case-mismatch")
    assert "set as 'AccountId'" in first.message and "flows/main.yaml:17" in first.message
    (related,) = first.related_information or []
    main_text = (root / "flows" / "main.yaml").read_text(encoding="utf-8")
    set_pos = position_of(main_text, "AccountId")
    assert related.location.uri == uri(root / "flows" / "main.yaml")
    assert related.location.range.start == set_pos
    # Files without findings get nothing (not even an empty list).
    assert uri(root / "flows" / "main.yaml") not in client.diagnostics
    assert uri(root / "flows" / "billing.yaml") not in client.diagnostics

    # UTF-16 range of a non-ASCII name that follows a placeholder and an emoji on the same line.
    second = max(found, key=lambda d: d.range.start.line)
    start_pos = position_of(text, "kundenNummer😀")
    # Code points would be one less: the earlier 😀 is two UTF-16 units; the name's own 😀 adds one more.
    assert start_pos.character == text.splitlines()[start_pos.line].index("kundenNummer😀") + 1
    end = types.Position(start_pos.line, start_pos.character + utf16("kundenNummer😀"))
    assert second.range == types.Range(start_pos, end)
    (related,) = second.related_information or []
    set_pos = position_of(main_text, "KundenNummer😀")
    assert related.location.range == types.Range(set_pos, types.Position(set_pos.line, set_pos.character + 14))


@pytest.mark.asyncio
async def test_diagnostics_on_open_of_a_file_outside_the_workspace(client: Client, root: Path) -> None:
    await start(client, root)
    await indexed(client)
    outside = root.parent / "scratch" / "draft.yaml"  # not under the workspace folder, never saved
    text = (root / "flows" / "billing.yaml").read_text(encoding="utf-8").replace(
        "name: Billing", "name: Draft").replace("lit: AccountId", "lit: ACCOUNTID")
    open_doc(client, outside, text)
    (found,) = await diagnostics(client, outside, lambda d: bool(d))
    assert found.code == "FL001" and "set as 'AccountId'" in found.message
    assert found.range.start == position_of(text, "ACCOUNTID")
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri(outside))))
    assert await diagnostics(client, outside, lambda d: not d) == []  # it left the project: cleared


@pytest.mark.asyncio
async def test_utf8_when_the_client_asks_for_it(client: Client, root: Path) -> None:
    result = await start(client, root, encodings=["utf-8", "utf-16"])
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    support = root / "flows" / "support.yaml"
    found = await diagnostics(client, support, lambda d: len(d) == 2)
    text = support.read_text(encoding="utf-8")
    second = max(found, key=lambda d: d.range.start.line)
    start_pos = position_of(text, "kundenNummer😀", "utf-8")
    assert second.range.start == start_pos
    assert second.range.end.character - start_pos.character == len("kundenNummer😀".encode())


@pytest.mark.asyncio
async def test_edit_in_one_flow_raises_and_clears_findings_in_closed_files(client: Client, root: Path) -> None:
    await start(client, root)
    main, support, billing = (root / "flows" / n for n in ("main.yaml", "support.yaml", "billing.yaml"))
    await diagnostics(client, support, lambda d: len(d) == 2)
    text = open_doc(client, main)
    # Renaming the Set to the Get's spelling clears support's first FL001 (support.yaml is not open)
    # and makes Billing's exact-case Get a case mismatch: FL001 appears in a third file.
    change_doc(client, main, text.replace("lit: AccountId", "lit: accountId"), 2)
    found = await diagnostics(client, support, lambda d: len(d) == 1)
    assert "kundenNummer" in found[0].message
    (billing_finding,) = await diagnostics(client, billing, lambda d: len(d) == 1)
    assert billing_finding.code == "FL001" and "set as 'accountId'" in billing_finding.message
    # A name nobody gets: support's and billing's Gets now read an attribute no flow sets (FL005).
    change_doc(client, main, text.replace("lit: AccountId", "lit: AccountNumber"), 3)
    found = await diagnostics(client, support, lambda d: "FL005" in codes(d))
    assert codes(found) == ["FL001", "FL005"]
    assert codes(await diagnostics(client, billing, lambda d: codes(d) == ["FL005"])) == ["FL005"]
    # Back to the original: billing is clean again (an empty list is published) and main was never dirty.
    before = len(client.published)
    change_doc(client, main, text, 4)
    assert await diagnostics(client, billing, lambda d: not d) == []
    await diagnostics(client, support, lambda d: codes(d) == ["FL001", "FL001"])
    republished = {p.uri for p in client.published[before:]}
    assert uri(main) not in republished


@pytest.mark.asyncio
async def test_unsaved_text_close_and_watched_files(client: Client, root: Path) -> None:
    await start(client, root)
    support = root / "flows" / "support.yaml"
    await diagnostics(client, support, lambda d: len(d) == 2)
    text = open_doc(client, support)
    fixed = text.replace("lit: accountId", "lit: AccountId").replace("kundenNummer😀", "KundenNummer😀")
    change_doc(client, support, fixed, 2)
    assert await diagnostics(client, support, lambda d: not d) == []
    assert client.published[-1].version == 2
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri(support))))
    assert len(await diagnostics(client, support, lambda d: len(d) == 2)) == 2  # unsaved edits are gone

    # Files changed on disk behind the editor's back (workspace/didChangeWatchedFiles).
    extra = root / "flows" / "extra.yaml"
    extra.write_text((root / "flows" / "main.yaml").read_text(encoding="utf-8")
                     .replace("name: Main IVR", "name: Extra").replace("AccountId", "accountId"), encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=uri(extra), type=types.FileChangeType.Created)]))
    assert len(await diagnostics(client, support, lambda d: len(d) == 1)) == 1  # someone sets 'accountId' now
    extra.unlink()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=uri(extra), type=types.FileChangeType.Deleted)]))
    assert len(await diagnostics(client, support, lambda d: len(d) == 2)) == 2


# --------------------------------------------------------------------------- code actions


@pytest.mark.asyncio
async def test_fl001_quick_fixes_give_a_clean_file(client: Client, root: Path) -> None:
    await start(client, root)
    support = root / "flows" / "support.yaml"
    text = open_doc(client, support)
    version = 1
    for _ in range(2):
        found = await diagnostics(client, support, lambda d: bool(d))
        target = found[0]
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(support)), range=target.range,
            context=types.CodeActionContext(diagnostics=[target])))
        assert actions is not None
        fixes = [a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("Use ")]
        (fix,) = fixes
        assert fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix and fix.edit and fix.edit.changes
        text = apply(text, fix.edit.changes[uri(support)])
        version += 1
        remaining = len(found) - 1
        change_doc(client, support, text, version)
        await diagnostics(client, support, lambda d: len(d) == remaining)
    assert "lit: AccountId" in text and "lit: KundenNummer😀}" in text
    assert list(client.diagnostics[uri(support)]) == []


@pytest.mark.asyncio
async def test_disable_and_other_code_action_requests(client: Client, root: Path) -> None:
    await start(client, root)
    support = root / "flows" / "support.yaml"
    text = open_doc(client, support)
    # Give 'Read account' a finding of a second rule: a Get of an attribute no flow sets (FL005).
    text = text.replace("                    variable: Task.account\n", (
        "                    variable: Task.account\n"
        "                - attribute:\n"
        "                    name:\n"
        "                      lit: Nobody\n"
        "                    variable: Task.account\n"), 1)
    change_doc(client, support, text, 2)
    await diagnostics(client, support, lambda d: codes(d) == ["FL001", "FL001", "FL005"])
    version = 2
    for code in ("FL001", "FL005"):
        found = client.diagnostics[uri(support)]
        target = min((d for d in found if d.code == code), key=lambda d: d.range.start.line)
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(support)), range=target.range,
            context=types.CodeActionContext(diagnostics=[target])))
        disable = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.title.startswith("Disable")]
        (action,) = disable
        assert action.title == f"Disable {code} for this action" and action.edit and action.edit.changes
        (edit,) = action.edit.changes[uri(support)]
        lines = text.split("\n")
        if code == "FL001":
            # A new comment line, indented like the action's list item, right above it.
            assert edit.range.start == edit.range.end == types.Position(edit.range.start.line, 0)
            assert lines[edit.range.start.line].strip() == "- getParticipantData:"
            assert edit.new_text == lines[edit.range.start.line].split("-")[0] + "# flowlint: disable=FL001\n"
        else:
            # The same action already has a directive above it: the code is appended to its list.
            assert lines[edit.range.start.line].strip() == "# flowlint: disable=FL001"
            assert edit.new_text == ",FL005" and edit.range.start.character == len(lines[edit.range.start.line])
        text = apply(text, [edit])
        version += 1
        change_doc(client, support, text, version)
        await diagnostics(client, support, lambda d, m=target.message: all(x.message != m for x in d))
    # The suppressions are used (no FL900); only the second action's FL001 is left.
    found = await diagnostics(client, support, lambda d: len(d) == 1)
    assert codes(found) == ["FL001"] and "kundenNummer" in found[0].message

    # Nothing away from findings, nothing when only refactorings are asked for.
    nowhere = types.Range(types.Position(2, 0), types.Position(2, 3))
    none = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(support)), range=nowhere,
        context=types.CodeActionContext(diagnostics=[])))
    assert not none
    found = client.diagnostics[uri(support)]
    refactor_only = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(support)), range=found[0].range,
        context=types.CodeActionContext(diagnostics=list(found), only=[types.CodeActionKind.Refactor])))
    assert not refactor_only


# --------------------------------------------------------------------------- navigation


@pytest.mark.asyncio
async def test_hover_definition_references_symbols(client: Client, root: Path) -> None:
    await start(client, root)
    main, support, billing = (root / "flows" / n for n in ("main.yaml", "support.yaml", "billing.yaml"))
    billing_text = open_doc(client, billing)
    main_text = main.read_text(encoding="utf-8")
    at = position_of(billing_text, "AccountId")
    inside = types.Position(at.line, at.character + 3)

    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(billing)), position=inside))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    value = hover.contents.value
    assert "**`AccountId`**" in value and "participant data" in value
    assert "Set Participant Data 'Remember caller' in flow 'Main IVR', flows/main.yaml:17:28" in value
    assert ("Get Participant Data 'Read account' into `Task.account` in flow 'Billing', "
            "flows/billing.yaml:22:28") in value
    assert "`accountId`" in value  # Support's misspelling is named as a different attribute
    assert hover.range is not None and hover.range.start == at

    definition = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(billing)), position=inside))
    set_pos = position_of(main_text, "AccountId")
    assert isinstance(definition, list)
    assert [(d.uri, d.range.start) for d in definition if isinstance(d, types.Location)] == [(uri(main), set_pos)]

    # From the misspelt Get, definition still finds the Set it meant.
    support_text = support.read_text(encoding="utf-8")
    misspelt = position_of(support_text, "accountId")
    definition = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(support)), position=misspelt))
    assert isinstance(definition, list) and [d.uri for d in definition if isinstance(d, types.Location)] == [uri(main)]

    references = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri(billing)), position=inside,
        context=types.ReferenceContext(include_declaration=True)))
    assert references is not None
    assert sorted((r.uri, r.range.start.line) for r in references) == sorted(
        [(uri(main), set_pos.line), (uri(billing), at.line)])
    gets_only = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri(billing)), position=inside,
        context=types.ReferenceContext(include_declaration=False)))
    assert [r.uri for r in gets_only or []] == [uri(billing)]

    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(billing)), position=types.Position(0, 0)))
    assert nothing is None

    # Document symbols: the flow, its task, the task's actions.
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri(support))))
    assert symbols is not None
    (flow,) = symbols
    assert isinstance(flow, types.DocumentSymbol) and flow.name == "Support"
    (task,) = flow.children or []
    assert task.name == "Route" and task.kind == types.SymbolKind.Function
    assert [a.name for a in task.children or []] == ["Read account", "Read customer", "To Billing"]
    for child in task.children or []:
        assert task.range.start <= child.range.start and child.range.end <= task.range.end


# --------------------------------------------------------------------------- robustness and settings


@pytest.mark.asyncio
async def test_broken_document_gets_fl100_and_the_rest_keeps_working(client: Client, root: Path) -> None:
    await start(client, root)
    support, main = root / "flows" / "support.yaml", root / "flows" / "main.yaml"
    await diagnostics(client, support, lambda d: len(d) == 2)
    text = open_doc(client, main)
    change_doc(client, main, text.replace("name: Main IVR", "name: [Main IVR"), 2)
    (broken,) = await diagnostics(client, main, lambda d: bool(d))
    assert broken.code == "FL100" and "invalid YAML" in broken.message
    # Main's Sets are gone from the project: support's Gets now read attributes no flow sets.
    await diagnostics(client, support, lambda d: codes(d) == ["FL005", "FL005"])
    change_doc(client, main, text, 3)
    assert await diagnostics(client, main, lambda d: not d) == []
    await diagnostics(client, support, lambda d: codes(d) == ["FL001", "FL001"])


#: ``flowlint lsp`` through the click command line, as editors start it.
CLI_LSP = [sys.executable, "-c", "from flowlint.cli import main; main()", "lsp"]


class Stream(Protocol):
    def write(self, data: bytes, /) -> int: ...
    def flush(self) -> None: ...
    def readline(self) -> bytes: ...
    def read(self, size: int, /) -> bytes: ...


class RawSession:
    """The server over a bare pipe or socket, for messages no typed client would send."""

    def __init__(self, command: list[str], cwd: Path, tcp_port: int | None = None) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        if tcp_port is None:
            assert self.process.stdin is not None and self.process.stdout is not None
            self.writer: Stream = self.process.stdin
            self.reader: Stream = self.process.stdout
        else:
            deadline = time.monotonic() + 15
            while True:
                try:
                    connection = socket.create_connection(("127.0.0.1", tcp_port), timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        raise
                    time.sleep(0.1)
            connection.settimeout(None)
            self.writer = self.reader = connection.makefile("rwb")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stdout = self.reader
        while True:
            length = 0
            while (line := stdout.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            self.messages.put(json.loads(stdout.read(length)))

    def send(self, message: dict[str, Any] | bytes) -> None:
        body = message if isinstance(message, bytes) else json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.writer.flush()

    def response(self, id_: int, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if message.get("id") == id_ and "method" not in message:
                return message

    def close(self) -> None:
        self.send({"id": 999, "method": "shutdown"})
        self.response(999)
        self.send({"method": "exit"})
        self.process.wait(10)


def test_malformed_requests_get_error_responses_and_the_server_keeps_serving(root: Path) -> None:
    session = RawSession(CLI_LSP, root)
    try:
        session.send({"id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": uri(root), "capabilities": {}}})
        assert "capabilities" in session.response(1)["result"]
        session.send({"method": "initialized", "params": {}})
        billing = uri(root / "flows" / "billing.yaml")
        session.send({"id": 2, "method": "textDocument/hover", "params": {"textDocument": {"uri": billing}}})
        error = session.response(2)["error"]
        assert error["code"] == -32602 and "textDocument/hover" in error["message"]
        session.send({"id": 3, "method": "textDocument/definition", "params": "nonsense"})
        assert session.response(3)["error"]["code"] == -32602
        session.send({"id": 4, "method": "flowlint/unknown", "params": {}})
        assert session.response(4)["error"]["code"] == -32601
        session.send(b"{not json")
        session.send({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": billing}}})
        # Still serving: a good hover on the attribute name of billing.yaml's Get.
        session.send({"id": 5, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": billing}, "position": {"line": 21, "character": 28}}})
        hover = session.response(5)["result"]
        assert "**`AccountId`**" in hover["contents"]["value"]
        session.close()
        assert session.process.returncode == 0
    finally:
        if session.process.poll() is None:
            session.process.kill()


def test_tcp_for_debugging(root: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = RawSession([*CLI_LSP, "--tcp", f"127.0.0.1:{port}"], root, tcp_port=port)
    try:
        session.send({"id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": uri(root), "capabilities": {}}})
        assert session.response(1)["result"]["serverInfo"]["name"] == "flowlint"
        session.send({"method": "initialized", "params": {}})
        session.close()
    finally:
        session.process.kill()
        session.process.wait(10)


def test_version_does_not_load_the_language_server() -> None:
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", "from flowlint.cli import main; main()",
                          "--version"], capture_output=True, text=True, check=True)
    assert "flowlint, version" in run.stdout
    assert "pygls" not in run.stderr and "lsprotocol" not in run.stderr


@pytest.mark.asyncio
async def test_config_file_from_initialization_options(client: Client, root: Path) -> None:
    (root / "strict.toml").write_text('ignore = ["FL001"]\nexclude = ["flows/ignored.yaml"]\n', encoding="utf-8")
    support = root / "flows" / "support.yaml"
    ignored = root / "flows" / "ignored.yaml"  # a second Support, with the same two FL001s
    ignored.write_text(support.read_text(encoding="utf-8").replace("name: Support", "name: Ignored"),
                       encoding="utf-8")
    await start(client, root, options={"flowlint": {"configFile": "strict.toml"}})
    await indexed(client)
    # FL001 is ignored, and ignored.yaml is excluded: not indexed at all.
    assert client.published == []
    assert any("indexed 3 file(s)" in m.message for m in client.log_messages)
    # Switching settings at runtime: no config file given -> discovery finds none -> defaults.
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"flowlint": {"configFile": None}}))
    assert codes(await diagnostics(client, support, lambda d: len(d) == 2)) == ["FL001", "FL001"]
    assert codes(await diagnostics(client, ignored, lambda d: len(d) == 2)) == ["FL001", "FL001"]
    # Pull model: the notification carries no settings, the server asks (workspace/configuration).
    client.set_configuration({"configFile": "strict.toml"}, section="flowlint")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert await diagnostics(client, support, lambda d: not d) == []
    assert await diagnostics(client, ignored, lambda d: not d) == []  # excluded again: cleared


@pytest.mark.asyncio
async def test_discovered_config_and_bad_config(client: Client, root: Path) -> None:
    (root / ".flowlint.toml").write_text('select = ["FL005"]\n', encoding="utf-8")
    await start(client, root, options={"configFile": "missing.toml"})
    # A missing explicit config is reported and the server falls back to the defaults.
    support = root / "flows" / "support.yaml"
    assert len(await diagnostics(client, support, lambda d: len(d) == 2)) == 2
    assert any("missing.toml" in m.message for m in client.messages)
    # Without an explicit file, discovery finds .flowlint.toml (only FL005 selected): support is clean.
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"flowlint": {"configFile": None}}))
    assert await diagnostics(client, support, lambda d: not d) == []
    # The configuration file changes on disk: the workspace is re-checked with it.
    (root / ".flowlint.toml").write_text('select = ["FL001"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri(root / ".flowlint.toml"), type=types.FileChangeType.Changed)]))
    assert codes(await diagnostics(client, support, lambda d: len(d) == 2)) == ["FL001", "FL001"]
