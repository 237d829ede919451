"""The language server survives hostile clients (issue 8).

Raw JSON-RPC over the server's stdio (``RawSession`` of test_lsp.py), because no typed
client sends broken frames: malformed messages and unknown methods, a 20 MB didChange,
rapid edits while the workspace is being indexed, and a client that disappears, after
which the server exits by itself and leaves no process behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_lsp import CLI_LSP, WORKSPACE, RawSession, uri

Message = dict[str, Any]


class Session(RawSession):
    """A raw session that keeps every message, and the latest diagnostics of each file."""

    def __init__(self, root: Path, stderr: Path) -> None:
        # The server logs each malformed message with a traceback: keep that in a file.
        command = [sys.executable, "-c", f"import sys; sys.stderr = open({str(stderr)!r}, 'w', buffering=1); "
                   "from flowlint.cli import main; main()", "lsp"]
        super().__init__(command, root)
        self.stderr = stderr
        self.published: dict[str, list[Message]] = {}
        self.logs: list[str] = []

    def _next(self, deadline: float) -> Message:
        message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
        if message.get("method") == "textDocument/publishDiagnostics":
            self.published[message["params"]["uri"]] = message["params"]["diagnostics"]
        elif message.get("method") == "window/logMessage":
            self.logs.append(message["params"]["message"])
        return message

    def response(self, id_: int, timeout: float = 15.0) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("id") == id_ and "method" not in message:
                return message

    def wait(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            self._next(deadline)

    def diagnostics(self, path: Path, until: Callable[[list[Message]], bool], timeout: float = 30.0) -> list[Message]:
        self.wait(lambda: uri(path) in self.published and until(self.published[uri(path)]), timeout)
        return self.published[uri(path)]

    def start(self, root: Path) -> None:
        self.send({"id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": uri(root), "capabilities": {},
            "workspaceFolders": [{"uri": uri(root), "name": "ws"}]}})
        assert "capabilities" in self.response(1)["result"]
        self.send({"method": "initialized", "params": {}})

    def open(self, path: Path, text: str, version: int = 1) -> None:
        self.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri(path), "languageId": "yaml", "version": version, "text": text}}})

    def change(self, path: Path, text: str, version: int) -> None:
        self.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}})

    def hover(self, id_: int, path: Path, line: int, character: int) -> Message:
        self.send({"id": id_, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}}})
        return self.response(id_)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(WORKSPACE, target)
    return target


@pytest.fixture
def session(root: Path, tmp_path: Path) -> Iterator[Session]:
    session = Session(root, tmp_path / "server.log")
    try:
        yield session
    finally:
        if session.process.poll() is None:
            session.process.kill()
            session.process.wait(10)


def codes(found: list[Message]) -> list[str]:
    return sorted(str(d["code"]) for d in found)


def _hover_still_works(session: Session, root: Path, id_: int) -> None:
    """billing.yaml's Get of AccountId hovers as in test_lsp.py: the server is serving."""
    billing = root / "flows" / "billing.yaml"
    hover = session.hover(id_, billing, 21, 28)["result"]
    assert "**`AccountId`**" in hover["contents"]["value"]


def test_malformed_frames_messages_and_unknown_methods(session: Session, root: Path) -> None:
    session.start(root)
    billing = uri(root / "flows" / "billing.yaml")
    frames = [
        b"Content-Length: 12\r\n\r\n" + b"\xff\xfe not utf8",  # body that is not UTF-8
        b"Content-Type: application/vscode-jsonrpc\r\nContent-Length: 2\r\n\r\n[]",  # an empty batch
        b"X-Unknown: header\r\nContent-Length: 9\r\n\r\n[1, 2, 3]",  # a batch of junk
    ]
    for frame in frames:
        session.writer.write(frame)
        session.writer.flush()
    for body in [b"{not json", b"null", b'"a string"', b"42", b"{}", b'{"jsonrpc": "2.0"}',
                 b'{"jsonrpc": "2.0", "id": 70}', b'{"jsonrpc": "2.0", "id": 71, "result": {}}',
                 b'{"jsonrpc": "1.0", "id": 72, "method": "flowlint/x"}', b'{"jsonrpc": "2.0", "method": 5}']:
        session.send(body)
    session.send({"method": "flowlint/unknownNotification", "params": {"a": [1]}})
    session.send({"method": "$/cancelRequest", "params": {"id": 123456}})
    session.send({"method": "$/setTrace", "params": {"value": "verbose"}})
    session.send({"id": 10, "method": "flowlint/unknownRequest", "params": None})
    assert session.response(10)["error"]["code"] == -32601
    session.send({"id": 11, "method": "textDocument/hover", "params": None})
    assert "error" in session.response(11)
    session.send({"id": 12, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": billing}, "position": {"line": 10**9, "character": 10**9}}})
    assert "error" not in session.response(12)
    session.send({"id": 13, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": billing}, "position": {"line": -1, "character": -5}}})
    session.response(13)
    # Documents no editor should send: not files, a directory, never opened, far outside.
    session.open(Path("/"), "inboundCall: [")
    session.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "untitled:Untitled-1", "languageId": "yaml", "version": 1, "text": "inboundCall:\n  name: x\n"}}})
    session.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "http://example.com/a.yaml", "languageId": "yaml", "version": 1, "text": "x"}}})
    session.change(root / "flows" / "never-opened.yaml", "inboundCall: {", 3)
    session.send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri(root / "nope.yaml")}}})
    _hover_still_works(session, root, 14)
    session.close()
    assert session.process.returncode == 0


BROKEN_HEADERS = [b"Content-Length: abc\r\n\r\n{}", b"Content-Length: -5\r\n\r\n{}",
                  b"Content-Length: 99999999999999999999\r\n\r\n{}", b"Content-Length: 100000\r\n\r\n{}"]


@pytest.mark.parametrize("frame", BROKEN_HEADERS, ids=["not-a-number", "negative", "huge", "longer-than-sent"])
def test_a_broken_frame_header_then_the_client_leaves(session: Session, root: Path, frame: bytes) -> None:
    """Framing lost for good: whatever the server does then, it exits when stdin ends."""
    session.start(root)
    session.writer.write(frame)
    session.writer.flush()
    assert session.process.stdin is not None
    session.process.stdin.close()
    session.process.wait(15)


def test_an_unparsable_frame_header_does_not_leave_a_deaf_server(session: Session, root: Path) -> None:
    session.start(root)
    session.writer.write(b"Content-Length: abc\r\n\r\n{}")
    session.writer.flush()
    for id_ in (40, 41):
        session.send({"id": id_, "method": "flowlint/unknownRequest", "params": {}})
    if session.process.poll() is None:  # exiting (the editor restarts it) would do too
        assert session.response(41, timeout=1.5)["error"]["code"] == -32601


def _support(root: Path) -> Path:
    return root / "flows" / "support.yaml"


def test_a_twenty_megabyte_did_change(session: Session, root: Path) -> None:
    """The buffer is reported (FL100: too large) in bounded time, and the next edit is linted."""
    support = _support(root)
    text = support.read_text(encoding="utf-8")
    session.start(root)
    session.open(support, text)
    normal = codes(session.diagnostics(support, lambda found: "FL001" in codes(found)))
    huge = text + "# " + "x" * (20 * 2**20) + "\n"
    started = time.monotonic()
    session.change(support, huge, 2)
    found = session.diagnostics(support, lambda found: codes(found) == ["FL100"], timeout=60)
    elapsed = time.monotonic() - started
    assert "too large" in found[0]["message"]
    print(f"\n20 MB didChange: FL100 published after {elapsed:.2f} s")
    session.change(support, text, 3)
    assert codes(session.diagnostics(support, lambda found: codes(found) == normal)) == normal
    _hover_still_works(session, root, 20)
    session.close()
    assert session.process.returncode == 0


def test_rapid_edits_while_indexing(session: Session, root: Path, corpus: Path) -> None:
    """200 edits sent while the server indexes a big workspace: what stays published is the
    analysis of the last version (no late result of an older one), and requests are
    answered meanwhile."""
    shutil.copytree(corpus, root / "corpus")
    support = _support(root)
    text = support.read_text(encoding="utf-8")
    assert "lit: accountId" in text and "lit: kundenNummer😀" in text  # two FL001s
    session.start(root)
    session.open(support, text)
    started = time.monotonic()
    for version in range(2, 202):
        # Two FL001s, one, or broken YAML (FL100): never none, until the last version.
        edited = text.replace("lit: accountId", "lit: AccountId") if version % 2 else text
        session.change(support, edited + ("  oops: [\n" if version % 7 == 0 else ""), version)
    session.change(support, text.replace("lit: accountId", "lit: AccountId").replace(
        "lit: kundenNummer😀", "lit: KundenNummer😀"), 202)
    session.diagnostics(support, lambda found: found == [], timeout=60)
    print(f"\n200 edits during indexing: the last version's (clean) result after {time.monotonic() - started:.2f} s")
    _hover_still_works(session, root, 30)
    time.sleep(1.0)
    session.wait(lambda: session.messages.empty(), 5)
    assert session.published[uri(support)] == []
    session.close()
    assert session.process.returncode == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())  # a zombie has exited


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_client_closes_the_pipes_mid_index(session: Session, root: Path, corpus: Path) -> None:
    """No shutdown, no exit: stdin just ends while the index is being built."""
    shutil.copytree(corpus, root / "corpus")
    session.start(root)
    session.open(_support(root), _support(root).read_text(encoding="utf-8"))
    pid = session.process.pid
    children = _children(pid)
    assert session.process.stdin is not None
    session.process.stdin.close()
    assert session.process.wait(20) == 0
    assert not [child for child in children if _alive(child)]


CLIENT = textwrap.dedent("""
    import json, subprocess, sys, time
    server = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=sys.argv[1])
    print(server.pid, flush=True)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"processId": None, "rootUri": None, "capabilities": {}}}).encode()
    server.stdin.write(b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body)
    server.stdin.flush()
    time.sleep(600)
""")


@pytest.mark.skipif(not Path("/proc").is_dir() or not hasattr(signal, "SIGKILL"), reason="POSIX with /proc")
def test_a_killed_client_leaves_no_server_behind(root: Path, corpus: Path) -> None:
    """The editor dies (SIGKILL): its end of the pipes closes, and the server exits."""
    shutil.copytree(corpus, root / "corpus")
    client = subprocess.Popen([sys.executable, "-c", CLIENT, str(root), *CLI_LSP], stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout is not None
        server = int(client.stdout.readline())
        time.sleep(1.0)  # initialised, indexing
        assert _alive(server)
        client.send_signal(signal.SIGKILL)
        client.wait(10)
        deadline = time.monotonic() + 20
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(server), "the server outlived its client"
    finally:
        if client.poll() is None:
            client.kill()
