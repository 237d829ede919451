"""Where the resident server listens, and how messages are framed.

Kept to the standard library's cheapest modules: the client imports this before anything
else, on every ``flowlint check --daemon``.

Messages are frames: a 4-byte big-endian length, then that many bytes.  A request is one
frame of JSON; a reply is a frame of JSON (``exit``, or ``error``/``stale``), then for a
check the command's standard output and standard error as two raw frames (bytes exactly as
the command would have written them).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
import zlib
from typing import Any, cast

from flowlint import __version__

#: Bumped when requests or replies change shape: a client never talks to an older server.
PROTOCOL = 1
#: A request is a command line and an environment: anything bigger is not ours.
MAX_REQUEST = 8 * 1024 * 1024
#: Replies carry reports (SARIF of a large project can be big).
MAX_REPLY = 1024 * 1024 * 1024
#: Default idle time before the server exits, seconds.
DEFAULT_IDLE = 15 * 60
#: Unix socket paths are limited to about 104 bytes (macOS) / 108 (Linux).
_MAX_SOCKET_PATH = 100


def idle_timeout() -> float:
    """``FLOWLINT_DAEMON_IDLE`` (seconds) if set to a sensible number, else :data:`DEFAULT_IDLE`."""
    try:
        value = float(os.environ.get("FLOWLINT_DAEMON_IDLE", ""))
    except ValueError:
        return DEFAULT_IDLE
    return value if 0 < value <= 7 * 24 * 3600 else DEFAULT_IDLE  # nan, inf, 0 and negatives: the default


class ProtocolError(Exception):
    """A peer sent something that is not a frame of the expected size or shape."""


def available() -> bool:
    return hasattr(socket, "AF_UNIX") and hasattr(os, "getuid")


def _candidate_dirs() -> list[str]:
    """Where a socket may be, in order of preference (see :func:`runtime_dir`)."""
    candidates: list[str] = []
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isabs(xdg):
        candidates.append(os.path.join(xdg, "flowlint"))
    candidates.append(os.path.join(os.environ.get("TMPDIR") or "/tmp", f"flowlint-{os.getuid()}"))
    candidates.append(f"/tmp/flowlint-{os.getuid()}")
    return list(dict.fromkeys(candidates))


def _private(directory: str) -> bool:
    try:
        st = os.lstat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def all_sockets() -> list[str]:
    """Every server socket of this user in any of the places a server may listen, whichever
    installation started it: each installation (a project's venv, pre-commit's environment,
    pipx) has its own server and socket name, but ``flowlint daemon status`` shows them all."""
    if not available():
        return []
    found: list[str] = []
    for directory in _candidate_dirs():
        if not _private(directory):
            continue
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            path = os.path.join(directory, name)
            if name.endswith(".sock") and path not in found:
                try:
                    if stat.S_ISSOCK(os.lstat(path).st_mode):
                        found.append(path)
                except OSError:
                    continue
    return found


def runtime_dir(create: bool) -> str | None:
    """A directory for the socket that only this user can enter (None: none can be had).

    ``$XDG_RUNTIME_DIR/flowlint`` when the session has one, else ``$TMPDIR/flowlint-<uid>``
    (``/tmp`` by default).  A directory someone else owns, or that others may enter, is
    refused: its socket could be anybody's server.
    """
    if not available():
        return None
    for directory in _candidate_dirs():
        if len(directory) + 24 > _MAX_SOCKET_PATH:
            continue
        if create:
            try:
                os.mkdir(directory, 0o700)
            except FileExistsError:
                pass
            except OSError:
                continue
        if _private(directory):
            return directory
    return None


def server_id() -> str:
    """Which server a client may talk to: same interpreter, same flowlint installation."""
    package = os.path.dirname(os.path.abspath(__file__))
    text = f"{PROTOCOL}\0{__version__}\0{sys.executable}\0{package}".encode("utf-8", "surrogatepass")
    # A name, not a secret (the directory is private): two CRCs, as hashlib's OpenSSL start-up costs 2 ms.
    return f"{zlib.crc32(text):08x}{zlib.crc32(text[::-1]):08x}"


def socket_path(create: bool = False) -> str | None:
    directory = runtime_dir(create)
    return None if directory is None else os.path.join(directory, f"{server_id()}.sock")


def send_frame(sock: socket.socket, data: bytes) -> None:
    sock.sendall(len(data).to_bytes(4, "big"))
    sock.sendall(data)


def recv_frame(sock: socket.socket, limit: int) -> bytes:
    size = int.from_bytes(_recv_exactly(sock, 4), "big")
    if size > limit:
        raise ProtocolError(f"frame of {size} bytes (limit {limit})")
    return _recv_exactly(sock, size)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = sock.recv(min(remaining, 1024 * 1024))
        if not chunk:
            raise ProtocolError("connection closed mid-frame")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def send_json(sock: socket.socket, message: dict[str, Any]) -> None:
    # ensure_ascii: file names that are not UTF-8 travel as lone surrogates, escaped.
    send_frame(sock, json.dumps(message, ensure_ascii=True).encode("ascii"))


def recv_json(sock: socket.socket, limit: int) -> dict[str, Any]:
    try:
        message: object = json.loads(recv_frame(sock, limit))
    except (UnicodeDecodeError, ValueError) as error:
        raise ProtocolError(f"not a JSON frame: {error}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    return cast(dict[str, Any], message)
