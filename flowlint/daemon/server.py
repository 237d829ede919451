"""The resident server behind ``flowlint check --daemon``.

Run as ``python -m flowlint.daemon.server SOCKET [--idle-timeout SECONDS]`` (the client
starts it; ``flowlint daemon start`` too).  One request at a time: a check runs the same
click command as a fresh process would, in the client's working directory, environment and
umask, with standard output and error captured as the client's streams would encode them.
What makes it fast is what stays in memory between requests: every module imported, and
each project's incremental engine (:class:`flowlint.cache.Memory`: the one the language
server uses, with every file it loaded still loaded); cache files are written after the
reply has gone.

The server exits after ``--idle-timeout`` seconds without a request, on ``stop``, and when
flowlint's own files change on disk (it answers ``stale`` and the client checks itself).
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import socket
import sys
import time
import traceback
from typing import TYPE_CHECKING, Any, cast

from flowlint.daemon import protocol

if TYPE_CHECKING:
    from flowlint.cache import Memory

#: A connected client has this long to send its request (a stuck one must not block others).
REQUEST_TIMEOUT = 10.0
#: ... and this long to take each part of the reply.
REPLY_TIMEOUT = 60.0
#: Quiet seconds after a request before the server tidies its heap (off every client's clock).
HOUSEKEEPING_AFTER = 1.0


class _Capture(io.TextIOWrapper):
    """A text stream standing in for one of the client's: same encoding, same isatty()."""

    def __init__(self, info: dict[str, Any]) -> None:
        self._bytes = io.BytesIO()
        super().__init__(self._bytes, encoding=str(info.get("encoding") or "utf-8"),
                         errors=str(info.get("errors") or "strict"), write_through=True)
        self._tty = bool(info.get("tty"))

    def isatty(self) -> bool:
        return self._tty

    def captured(self) -> bytes:
        self.flush()
        return self._bytes.getvalue()


class _Terminated(BaseException):
    """SIGTERM or SIGHUP while waiting for a request."""


class Server:
    def __init__(self, path: str, idle: float) -> None:
        self.path = path
        self.idle = idle
        self.started = time.time()
        self.requests = 0
        self.fingerprint = ""

    # -- life cycle ------------------------------------------------------------------------
    def serve(self) -> int:
        import fcntl

        lock = open(self.path + ".lock", "a")  # noqa: SIM115 - held for the server's lifetime
        if not _lock(lock, fcntl):
            return 0  # another server owns this socket
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_mask = os.umask(0o177)  # the socket is created 0600
        try:
            try:
                os.unlink(self.path)  # a dead server's socket: we hold the lock, so no live one
            except FileNotFoundError:
                pass
            listener.bind(self.path)
            listener.listen(16)
            inode = os.stat(self.path).st_ino
        except OSError:  # something else sits at the path: clients keep checking in their own process
            listener.close()
            lock.close()
            return 1
        finally:
            os.umask(old_mask)
        _preload()
        from flowlint import cache

        # Taken with everything imported, as each request's is: the two must differ only
        # when flowlint's files changed on disk.
        self.fingerprint = cache.code_fingerprint()
        cache.MEMORY = cache.Memory()
        try:
            self._loop(listener, cache.MEMORY)
        finally:
            listener.close()
            try:
                if os.stat(self.path).st_ino == inode:
                    os.unlink(self.path)
            except OSError:
                pass
            lock.close()
        return 0

    def _loop(self, listener: socket.socket, memory: Memory) -> None:
        import signal

        busy = [False]
        terminated = [False]

        def terminate(signum: int, frame: object) -> None:
            # Idle: leave at once (the finally clause removes the socket); busy: after the reply.
            terminated[0] = True
            if not busy[0]:
                raise _Terminated

        signal.signal(signal.SIGTERM, terminate)
        signal.signal(signal.SIGHUP, terminate)
        untidy = False
        try:
            while not terminated[0]:
                listener.settimeout(HOUSEKEEPING_AFTER if untidy else self.idle)
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    if not untidy:
                        return  # idle
                    _tidy()
                    untidy = False
                    continue
                busy[0] = True
                with conn:
                    keep_going = self._handle(conn, memory)
                memory.flush()  # cache files: after the reply, off the client's clock
                busy[0] = False
                untidy = True
                if not keep_going:
                    return
        except _Terminated:
            return

    # -- requests --------------------------------------------------------------------------
    def _handle(self, conn: socket.socket, memory: Memory) -> bool:
        """Serve one connection; False when the server should exit."""
        conn.settimeout(REQUEST_TIMEOUT)
        try:
            request = protocol.recv_json(conn, protocol.MAX_REQUEST)
        except (OSError, protocol.ProtocolError):
            return True  # not a client of ours, or gone: nothing to answer
        conn.settimeout(REPLY_TIMEOUT)
        try:
            if request.get("protocol") != protocol.PROTOCOL:
                protocol.send_json(conn, {"error": "protocol mismatch"})
                return True
            op = request.get("op")
            if op == "status":
                protocol.send_json(conn, self._status())
                return True
            if op == "stop":
                protocol.send_json(conn, {"stopping": True, "pid": os.getpid()})
                return False
            if op != "check":
                protocol.send_json(conn, {"error": f"unknown request {op!r}"})
                return True
            from flowlint.cache import code_fingerprint

            if code_fingerprint.__wrapped__() != self.fingerprint:
                protocol.send_json(conn, {"stale": True})  # the client checks with the new code
                return False
            self.requests += 1
            code, out, err = self._check(request, memory)
            protocol.send_json(conn, {"exit": code})
            protocol.send_frame(conn, out)
            protocol.send_frame(conn, err)
        except (OSError, protocol.ProtocolError):
            pass  # the client went away; the next one is served
        return True

    def _status(self) -> dict[str, Any]:
        import resource

        return {"pid": os.getpid(), "socket": self.path, "uptime": round(time.time() - self.started, 1),
                "requests": self.requests, "idle_timeout": self.idle,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "python": sys.executable}

    def _check(self, request: dict[str, Any], memory: Memory) -> tuple[int, bytes, bytes]:
        argv = _strings(request.get("argv"))
        cwd = request.get("cwd")
        env = request.get("env")
        if argv is None or not isinstance(cwd, str) or not isinstance(env, dict):
            return 2, b"", b"flowlint: malformed request to the flowlint server\n"
        variables = {str(k): str(v) for k, v in cast(dict[object, object], env).items()}
        out = _Capture(request.get("stdout") or {})
        err = _Capture(request.get("stderr") or {})
        saved = (os.getcwd(), dict(os.environ), sys.stdout, sys.stderr)
        umask = request.get("umask")
        old_mask = os.umask(umask if isinstance(umask, int) else 0o022)
        code = 2
        try:
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(variables)
            sys.stdout, sys.stderr = out, err
            code = _run_cli(argv)
        except OSError as error:  # the working directory vanished
            err.write(f"flowlint: {error}\n")
        except BaseException:  # noqa: BLE001 - a bug must not take the server down
            err.write("flowlint: internal error in the flowlint server (please report this):\n")
            err.write(traceback.format_exc())
            memory.clear()  # what it held may be half-updated
        finally:
            sys.stdout, sys.stderr = saved[2], saved[3]
            os.environ.clear()
            os.environ.update(saved[1])
            os.umask(old_mask)
            try:
                os.chdir(saved[0])
            except OSError:
                os.chdir("/")
        return code, out.captured(), err.captured()


def _tidy() -> None:
    """A full collection once requests stop coming: a check freezes what it allocated
    (``flowlint.pipeline.collect``), and some of it is garbage now.  What survives is frozen
    again, so that checks never walk the server's long-lived state."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _run_cli(argv: list[str]) -> int:
    from flowlint.cli import main

    try:
        main.main(args=argv, prog_name="flowlint", standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    return 0


def _lock(handle: Any, fcntl: Any, wait: float = 5.0) -> bool:
    """Take the server lock; wait a little for a server that is shutting down (stale code)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


#: What a check imports: loaded at start, so that the first request does not pay for it.
_PRELOAD = ("flowlint.cli", "flowlint.engine", "flowlint.pipeline.collect", "flowlint.context", "flowlint.loaders.archy_yaml",
            "flowlint.loaders.export", "flowlint.loaders.flow_json", "flowlint.reporters", "flowlint.suppressions",
            "flowlint.baseline")


def _preload() -> None:
    import importlib

    for name in _PRELOAD:
        importlib.import_module(name)
    from flowlint.registry import all_rules

    all_rules()


def _strings(value: object) -> list[str] | None:
    if not isinstance(value, list):
        return None
    items = cast(list[object], value)
    return [item for item in items if isinstance(item, str)] if all(isinstance(i, str) for i in items) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flowlint.daemon.server",
                                     description="The resident server behind `flowlint check --daemon`.")
    parser.add_argument("socket", help="Unix socket path to listen on")
    parser.add_argument("--idle-timeout", type=float, default=protocol.DEFAULT_IDLE,
                        help="exit after this many seconds without a request")
    args = parser.parse_args(argv)
    return Server(args.socket, args.idle_timeout).serve()


if __name__ == "__main__":
    sys.exit(main())
