"""The client side of ``flowlint check --daemon``: forward the command, or say it cannot.

Imported by :mod:`flowlint.launcher` before click or any of flowlint's rules, so it must
stay cheap: the whole point is to skip that start-up.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Any

from flowlint.daemon import protocol

#: How long a client waits to be accepted: the server may be busy with another check.
CONNECT_TIMEOUT = 2.0


def run_check(argv: list[str]) -> int | None:
    """Run ``flowlint <argv>`` in the resident server and relay its output; the exit code,
    or None when there is no usable server (the caller checks in its own process; a server
    is started in the background for the next run)."""
    path = protocol.socket_path(create=True)
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory is gone: let the local check say so
        return None
    if path is None:
        return None
    sock = connect(path)
    if sock is None:
        start_server(path)
        return None
    with sock:
        request: dict[str, Any] = {
            "op": "check",
            "protocol": protocol.PROTOCOL,
            "argv": argv,
            "cwd": cwd,
            "env": dict(os.environ),
            "umask": _umask(),
            "stdout": _stream_info(sys.stdout),
            "stderr": _stream_info(sys.stderr),
        }
        try:
            protocol.send_json(sock, request)
            reply = protocol.recv_json(sock, protocol.MAX_REPLY)
            if "exit" not in reply:  # stale (flowlint changed on disk) or refused: check here
                if reply.get("stale"):
                    start_server(path)
                return None
            out = protocol.recv_frame(sock, protocol.MAX_REPLY)
            err = protocol.recv_frame(sock, protocol.MAX_REPLY)
        except (OSError, protocol.ProtocolError):
            return None  # the server died mid-way: nothing was printed yet, so check here
    _write(sys.stdout, out)
    _write(sys.stderr, err)
    code = reply["exit"]
    return code if isinstance(code, int) else 2


def request(op: str, path: str | None = None) -> dict[str, Any] | None:
    """A control request (``status``, ``stop``) to the running server; None if none runs."""
    path = path or protocol.socket_path()
    sock = connect(path) if path is not None else None
    if sock is None:
        return None
    with sock:
        try:
            protocol.send_json(sock, {"op": op, "protocol": protocol.PROTOCOL})
            return protocol.recv_json(sock, protocol.MAX_REPLY)
        except (OSError, protocol.ProtocolError):
            return None


def connect(path: str) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(CONNECT_TIMEOUT)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        return None
    sock.settimeout(None)  # a check of a large project takes as long as it takes
    return sock


def start_server(path: str, idle: float | None = None) -> None:
    """Start a server for ``path`` in the background, detached from this terminal and session."""
    import subprocess

    idle = idle or protocol.idle_timeout()

    try:
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            # -P: the working directory ("/") must not shadow installed modules.
            [sys.executable, "-P", "-m", "flowlint.daemon.server", path, "--idle-timeout", str(idle)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd="/", close_fds=True, start_new_session=True)
    except OSError:
        pass  # no server then: every run checks in its own process


def _stream_info(stream: Any) -> dict[str, Any]:
    try:
        tty = bool(stream.isatty())
    except (AttributeError, ValueError):
        tty = False
    return {"tty": tty, "encoding": getattr(stream, "encoding", None) or "utf-8",
            "errors": getattr(stream, "errors", None) or "strict"}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write(stream: Any, data: bytes) -> None:
    if not data:
        return
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # a text-only stream (tests capturing output): decode as the server encoded
        stream.write(data.decode(getattr(stream, "encoding", None) or "utf-8", "replace"))
