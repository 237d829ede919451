"""Loaders: files on disk (or editor buffers) -> IR flows plus load-time diagnostics."""

from __future__ import annotations

import codecs
import gc
import os
import stat
from collections.abc import Generator
from contextlib import contextmanager

from flowlint.deploy.model import Deployment
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.analysis.reads import annotate
from flowlint.ir import SourceFile, SourceFormat, Span
from flowlint.loaders.result import LoadResult
from flowlint.tables import ActionTable

__all__ = ["MAX_FILE_BYTES", "LoadResult", "decode_text", "load_bytes", "load_file", "overlay", "read_and_load",
           "read_flow_bytes"]

#: Flow files larger than this are reported (FL100), not loaded: the largest real flows are
#: under 1 MB, and loading takes about 50 times a file's size in memory.
MAX_FILE_BYTES = 20 * 1024 * 1024


def decode_text(data: bytes) -> str:
    """Decode file bytes: UTF-8 (with or without BOM) or UTF-16/32 with a BOM.

    Raises UnicodeDecodeError with the offending byte offset for anything else.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8")


def _unreadable(path: str, fmt: SourceFormat, message: str, span: Span | None = None) -> LoadResult:
    source = SourceFile(path, fmt)
    return LoadResult(source, diagnostics=[Diagnostic("FL100", Severity.ERROR, message, path, span, "file")])


def _at(text: str, index: int) -> Span:
    """The one-character span at ``index`` of ``text`` (lines counted as YAML counts them)."""
    from flowlint.loaders.yaml_scalar import index_to_position

    line, column = index_to_position(text, index)
    return Span(line, column, line, column + 1)


def _may_be_flow(data: bytes, fmt: str) -> bool:
    """Cheap test on raw bytes: could this file be a flow (exports always are)?"""
    if fmt == "json":
        return b"flowSequenceItemList" in data
    if fmt == "yaml":
        from flowlint.loaders.archy_yaml import looks_like_flow

        return looks_like_flow(data.decode("utf-8-sig", errors="replace")) is not None
    return True


def load_bytes(path: str, data: bytes, fmt: str, table: ActionTable | None = None,
               deployments: tuple[Deployment, ...] = ()) -> LoadResult:
    """Load one file's bytes with the loader for ``fmt`` ('yaml', 'export' or 'json'); an
    Archy YAML file is loaded once per deployment (see :mod:`flowlint.loaders.deployed`)."""
    if len(data) > MAX_FILE_BYTES:
        return _too_large(path, data, fmt)
    with _gc_paused():
        result = _load_bytes(path, data, fmt, table, deployments)
        for flow in result.flows:
            annotate(flow)  # facts of the whole flow that outlive its values (guarded reads...)
        return result


@contextmanager
def _gc_paused() -> Generator[None]:
    """Loading allocates millions of small acyclic objects (nodes, IR): the cyclic garbage
    collector would rescan them over and over (80% of the time on a 5 MB flow).  Reference
    counting frees them; the collector runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _too_large(path: str, data: bytes, fmt: str) -> LoadResult:
    """FL100 for a flow file over the size limit; files that are no flow stay skipped."""
    source_format = SourceFormat.JSON if fmt == "json" else SourceFormat.YAML
    if not _may_be_flow(data, fmt):
        return LoadResult(SourceFile(path, source_format), not_a_flow=True)
    return _unreadable(path, source_format, f"file is too large to lint (over {MAX_FILE_BYTES // 2**20} MB)")


def _load_bytes(path: str, data: bytes, fmt: str, table: ActionTable | None,
                deployments: tuple[Deployment, ...]) -> LoadResult:
    if fmt == "export":
        from flowlint.loaders.export import load_export_bytes

        return load_export_bytes(path, data, table)
    source_format = SourceFormat.JSON if fmt == "json" else SourceFormat.YAML
    try:
        text = decode_text(data)
    except UnicodeDecodeError as error:
        if not _may_be_flow(data, fmt):
            return LoadResult(SourceFile(path, source_format), not_a_flow=True)
        decoded = bytes(error.object)  # after a byte-order mark, if any
        offset = error.start + len(data) - len(decoded)
        prefix = decoded[:error.start].decode("utf-8", errors="replace")
        return _unreadable(path, source_format, f"file is not valid UTF-8 (byte {offset}: {error.reason})",
                           _at(prefix, len(prefix)) if error.encoding == "utf-8" else None)
    if "\x00" in text:
        from flowlint.loaders.archy_yaml import looks_like_flow

        if fmt == "yaml" and looks_like_flow(text) is not None:
            nul = text.index("\x00")
            return _unreadable(path, source_format, f"file contains a NUL character at offset {nul}",
                               _at(text, nul))
        if fmt == "yaml":
            return LoadResult(SourceFile(path, source_format), not_a_flow=True)
    if fmt == "json":
        from flowlint.loaders.flow_json import load_json_text

        return load_json_text(path, text, table)
    from flowlint.loaders.deployed import load_deployed

    return load_deployed(path, text, table, deployments)


def load_file(path: str, fmt: str, table: ActionTable | None = None,
              deployments: tuple[Deployment, ...] = ()) -> LoadResult:
    """Read and load one file; unreadable files give FL100, never an exception."""
    return read_and_load(path, fmt, table, deployments)[0]


def read_and_load(path: str, fmt: str, table: ActionTable | None = None,
                  deployments: tuple[Deployment, ...] = ()) -> tuple[LoadResult, bytes | None]:
    """:func:`load_file`, also returning the bytes it loaded (None when unreadable), so that
    a cache can key the result by exactly the content that produced it."""
    try:
        data = read_flow_bytes(path)
    except IsADirectoryError:
        return _unreadable(path, SourceFormat.YAML, "is a directory, not a flow file"), None
    except OSError as error:
        return _unreadable(path, SourceFormat.YAML, f"cannot read file: {error.strerror or error}"), None
    if data is None:
        return _unreadable(path, SourceFormat.YAML, "not a regular file (a named pipe, socket or device); "
                                                    "flowlint reads only regular files"), None
    try:
        return load_bytes(path, data, fmt, table, deployments), data
    except Exception as error:  # noqa: BLE001 - one bad file must never stop the project
        return _unreadable(path, SourceFormat.YAML,
                           f"internal error while loading this file ({type(error).__name__}: {error}); "
                           "please report it to the flowlint maintainers"), data


#: Contents that replace files on disk for one run (``flowlint check -``: the flow read from
#: standard input), by absolute path; see :func:`overlay`.
_OVERLAY: dict[str, bytes] = {}


@contextmanager
def overlay(contents: dict[str, bytes]) -> Generator[None]:
    """Read ``contents`` (absolute path -> bytes) instead of those files, for this block."""
    saved = dict(_OVERLAY)
    _OVERLAY.update(contents)
    try:
        yield
    finally:
        _OVERLAY.clear()
        _OVERLAY.update(saved)


def read_flow_bytes(path: str, limit: int = MAX_FILE_BYTES + 1) -> bytes | None:
    """The file's bytes (at most ``limit``: one past the size limit); None for a FIFO, socket
    or device; OSError (IsADirectoryError for a directory) when it cannot be read.

    Checked before opening (a socket cannot be opened, a named pipe would block), and again
    after: opened non-blocking, in case a pipe took the file's place meanwhile.
    """
    if _OVERLAY:
        replaced = _OVERLAY.get(os.path.abspath(path))
        if replaced is not None:
            return replaced[:limit]
    mode = os.stat(path).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(mode):
        return None
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return handle.read(limit)
