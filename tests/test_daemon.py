"""``flowlint check --daemon``: the resident server answers exactly what a one-shot check
does (output bytes, exit code, files written), follows edits, and fails safe."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowlint import launcher
from flowlint.daemon import protocol
from flowlint.daemon.server import Server

pytestmark = pytest.mark.skipif(not protocol.available(), reason="needs Unix sockets")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def env() -> Iterator[dict[str, str]]:
    """An environment with its own runtime directory (so its own server), stopped afterwards.
    The directory is short: socket paths are limited to about 100 bytes."""
    runtime = tempfile.mkdtemp(prefix="fl-")
    variables = {**os.environ, "XDG_RUNTIME_DIR": runtime, "FLOWLINT_DAEMON_IDLE": "120"}
    variables.pop("FLOWLINT_DAEMON", None)
    variables.pop("NO_COLOR", None)
    try:
        yield variables
    finally:
        flowlint("daemon", "stop", env=variables)
        shutil.rmtree(runtime, ignore_errors=True)


def flowlint(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """``python -m flowlint``: the console entry point (the launcher), as users run it."""
    return subprocess.run([sys.executable, "-m", "flowlint", *args], capture_output=True, env=env, cwd=cwd,
                          timeout=120, check=False)


def served(env: dict[str, str]) -> int:
    status = flowlint("daemon", "status", env=env)
    assert status.returncode == 0, (status.stdout, status.stderr)
    text = status.stdout.decode()
    return int(text.split(" check(s) served")[0].rsplit(" ", 1)[1])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLES, root)
    return root


def test_launcher_routes_only_check_with_daemon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOWLINT_DAEMON", raising=False)
    assert launcher.wants_daemon(["check", ".", "--daemon"])
    assert not launcher.wants_daemon(["check", "."])
    assert not launcher.wants_daemon(["rules", "--daemon"])
    assert not launcher.wants_daemon(["check", "--", "--daemon"])  # a path named --daemon
    assert not launcher.wants_daemon(["check", "--daemon", "--no-daemon"])
    monkeypatch.setenv("FLOWLINT_DAEMON", "1")
    assert launcher.wants_daemon(["check"]) and not launcher.wants_daemon(["check", "--no-daemon"])


def test_same_output_as_a_one_shot_check_and_follows_edits(env: dict[str, str], project: Path) -> None:
    assert flowlint("daemon", "status", env=env).returncode == 1
    started = flowlint("daemon", "start", env=env)
    assert started.returncode == 0 and b"running" in started.stdout, started.stderr
    for output_format in ("text", "json", "sarif"):
        args = ("check", ".", "--format", output_format, "--cache-dir", "../cache")
        one_shot = flowlint(*args, "--no-daemon", env=env, cwd=project)
        resident = flowlint(*args, "--daemon", env=env, cwd=project)
        assert one_shot.returncode == 1 and one_shot.stdout, one_shot.stderr
        assert (resident.returncode, resident.stdout, resident.stderr) == (
            one_shot.returncode, one_shot.stdout, one_shot.stderr), output_format
        assert served(env) == {"text": 1, "json": 2, "sarif": 3}[output_format]  # the server answered
    # An edit (a finding goes away) is seen at once, with the cache and memory warm.
    support = project / "flows" / "support.yaml"
    text = support.read_text(encoding="utf-8")
    assert "lit: accountId" in text
    support.write_text(text.replace("lit: accountId", "lit: AccountId"), encoding="utf-8")
    resident = flowlint("check", ".", "--cache-dir", "../cache", "--daemon", env=env, cwd=project)
    one_shot = flowlint("check", ".", "--no-cache", env=env, cwd=project)
    assert b"FL001" not in resident.stdout and (resident.returncode, resident.stdout, resident.stderr) == (
        one_shot.returncode, one_shot.stdout, one_shot.stderr)
    # FLOWLINT_DAEMON=1 does the same as --daemon.
    flowlint("check", ".", "--cache-dir", "../cache", env={**env, "FLOWLINT_DAEMON": "1"}, cwd=project)
    assert served(env) == 5


def test_client_context_is_the_servers_for_the_request(env: dict[str, str], project: Path) -> None:
    """Working directory (relative paths, output files), environment (NO_COLOR), standard
    error and exit 2 all come across; the server's own directory is left alone."""
    flowlint("daemon", "start", env=env)
    written = flowlint("check", "flows", "--format", "json", "-o", "report.json", "--daemon", env=env, cwd=project)
    assert written.returncode == 1 and written.stdout == b"" and (project / "report.json").is_file()
    assert b'"flows/support.yaml"' in (project / "report.json").read_bytes() or b"support.yaml" in (
        project / "report.json").read_bytes()
    coloured = flowlint("check", ".", "--color", "always", "--daemon", env=env, cwd=project)
    assert b"\x1b[" in coloured.stdout
    plain = flowlint("check", ".", "--daemon", env=env, cwd=project)  # auto: not a terminal
    assert b"\x1b[" not in plain.stdout
    (project / "bad.toml").write_text("select = 3\n", encoding="utf-8")
    broken = flowlint("check", ".", "--config", "bad.toml", "--daemon", env=env, cwd=project)
    one_shot = flowlint("check", ".", "--config", "bad.toml", env=env, cwd=project)
    assert broken.returncode == 2 and broken.stderr == one_shot.stderr and b"select" in broken.stderr
    usage = flowlint("check", "--format", "nope", "--daemon", env=env, cwd=project)
    assert usage.returncode == 2 and b"nope" in usage.stderr
    assert served(env) == 5


def test_no_server_starts_one_and_checks_in_process(env: dict[str, str], project: Path) -> None:
    first = flowlint("check", ".", "--daemon", env=env, cwd=project)
    one_shot = flowlint("check", ".", env=env, cwd=project)
    assert (first.returncode, first.stdout) == (one_shot.returncode, one_shot.stdout)
    deadline = time.monotonic() + 30
    while flowlint("daemon", "status", env=env).returncode != 0:  # started in the background
        assert time.monotonic() < deadline, "no server was started"
        time.sleep(0.2)
    again = flowlint("check", ".", "--daemon", env=env, cwd=project)
    assert (again.returncode, again.stdout) == (one_shot.returncode, one_shot.stdout)
    assert served(env) == 1
    stopped = flowlint("daemon", "stop", env=env)
    assert b"stopped" in stopped.stdout
    assert flowlint("daemon", "status", env=env).returncode == 1
    assert not list(Path(env["XDG_RUNTIME_DIR"], "flowlint").glob("*.sock"))


def test_garbage_and_vanishing_clients_do_not_stop_the_server(env: dict[str, str], project: Path) -> None:
    flowlint("daemon", "start", env=env)
    path = socket_path(env)
    for payload in (b"", b"\xff\xff\xff\xff", b"\x00\x00\x00\x05{oops", b"\x00\x00\x00\x02[]",
                    b"\x00\x00\x00\x0f{\"protocol\": 1}"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(path)
            sock.sendall(payload)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:  # a check whose client is gone at once
        sock.connect(path)
        protocol.send_json(sock, {"op": "check", "protocol": protocol.PROTOCOL, "argv": ["check", str(project)],
                                  "cwd": str(project), "env": env})
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        protocol.send_json(sock, {"op": "check", "protocol": protocol.PROTOCOL, "argv": "check", "cwd": 3,
                                  "env": {}})
        assert protocol.recv_json(sock, 1 << 20) == {"exit": 2}
        assert protocol.recv_frame(sock, 1 << 20) == b""
        assert b"malformed" in protocol.recv_frame(sock, 1 << 20)
    result = flowlint("check", ".", "--daemon", env=env, cwd=project)
    assert result.returncode == 1 and b"FL001" in result.stdout


def socket_path(env: dict[str, str]) -> str:
    saved = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = env["XDG_RUNTIME_DIR"]
    try:
        path = protocol.socket_path(create=True)
    finally:
        if saved is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = saved
    assert path is not None
    return path


def test_changed_flowlint_code_makes_the_server_step_down(tmp_path: Path) -> None:
    """A server whose flowlint files changed on disk answers ``stale`` and exits; the client
    then checks in its own process (and starts a fresh server)."""
    server = Server(str(tmp_path / "s.sock"), 60)
    server.fingerprint = "not the code on disk"
    ours, theirs = socket.socketpair()
    with ours, theirs:
        protocol.send_json(theirs, {"op": "check", "protocol": protocol.PROTOCOL, "argv": ["check"], "cwd": "/",
                                    "env": {}})
        from flowlint.cache import Memory

        assert server._handle(ours, Memory()) is False  # pyright: ignore[reportPrivateUsage]
        assert protocol.recv_json(theirs, 1 << 20) == {"stale": True}


def test_runtime_directory_must_be_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "run"
    (shared / "flowlint").mkdir(parents=True)
    (shared / "flowlint").chmod(0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    found = protocol.runtime_dir(create=False)
    assert found != str(shared / "flowlint")  # others may enter it: refused
    (shared / "flowlint").chmod(0o700)
    assert protocol.runtime_dir(create=False) == str(shared / "flowlint")


def test_concurrent_clients_are_served_one_at_a_time(env: dict[str, str], project: Path) -> None:
    flowlint("daemon", "start", env=env)
    one_shot = flowlint("check", ".", "--format", "json", env=env, cwd=project)
    command = [sys.executable, "-m", "flowlint", "check", ".", "--format", "json", "--daemon"]
    clients = [subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(4)]
    results = [(client.communicate(timeout=120), client.returncode) for client in clients]
    assert all(out == one_shot.stdout and not err and code == 1 for (out, err), code in results)
    assert served(env) == 4


def test_something_else_at_the_socket_path_means_checking_in_process(env: dict[str, str], project: Path) -> None:
    path = Path(socket_path(env))
    assert path.parent == Path(env["XDG_RUNTIME_DIR"], "flowlint")
    path.mkdir()  # not a socket, and the server cannot remove it
    (path / "keep").write_text("x", encoding="utf-8")
    result = flowlint("check", ".", "--daemon", env=env, cwd=project)
    assert result.returncode == 1 and b"FL001" in result.stdout
    started = flowlint("daemon", "start", "--idle-timeout", "5", env={**env}, cwd=project)
    assert started.returncode != 0 and b"did not start" in started.stderr


def test_sigterm_removes_the_socket(env: dict[str, str]) -> None:
    import signal

    flowlint("daemon", "start", env=env)
    path = Path(socket_path(env))
    assert path.exists()
    status = flowlint("daemon", "status", env=env).stdout.decode()
    pid = int(status.split("pid ")[1].split(",")[0])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while path.exists():
        assert time.monotonic() < deadline, "the socket is still there"
        time.sleep(0.05)
    assert flowlint("daemon", "status", env=env).returncode == 1


def test_idle_timeout_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for text, expected in (("30", 30.0), ("", protocol.DEFAULT_IDLE), ("soon", protocol.DEFAULT_IDLE),
                           ("0", protocol.DEFAULT_IDLE), ("-5", protocol.DEFAULT_IDLE), ("nan", protocol.DEFAULT_IDLE),
                           ("inf", protocol.DEFAULT_IDLE)):
        monkeypatch.setenv("FLOWLINT_DAEMON_IDLE", text)
        assert protocol.idle_timeout() == expected, text
