"""Loaders: files on disk (or editor buffers) -> IR flows plus load-time diagnostics."""

from __future__ import annotations

import codecs

from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import SourceFile, SourceFormat
from flowlint.loaders.result import LoadResult
from flowlint.tables import ActionTable

__all__ = ["LoadResult", "decode_text", "load_bytes", "load_file"]


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


def _unreadable(path: str, fmt: SourceFormat, message: str) -> LoadResult:
    source = SourceFile(path, fmt)
    return LoadResult(source, diagnostics=[Diagnostic("FL100", Severity.ERROR, message, path, None, "file")])


def load_bytes(path: str, data: bytes, fmt: str, table: ActionTable | None = None) -> LoadResult:
    """Load one file's bytes with the loader for ``fmt`` ('yaml', 'export' or 'json')."""
    if fmt == "export":
        from flowlint.loaders.export import load_export_bytes

        return load_export_bytes(path, data, table)
    source_format = SourceFormat.JSON if fmt == "json" else SourceFormat.YAML
    try:
        text = decode_text(data)
    except UnicodeDecodeError as error:
        if fmt == "json":
            return LoadResult(SourceFile(path, source_format), not_a_flow=True)
        from flowlint.loaders.archy_yaml import looks_like_flow

        if looks_like_flow(data.decode("utf-8", errors="replace")) is None:
            return LoadResult(SourceFile(path, source_format), not_a_flow=True)
        return _unreadable(path, source_format,
                           f"file is not valid UTF-8 (byte {error.start}: {error.reason})")
    if "\x00" in text:
        from flowlint.loaders.archy_yaml import looks_like_flow

        if fmt == "yaml" and looks_like_flow(text) is not None:
            return _unreadable(path, source_format,
                               f"file contains a NUL character at offset {text.index(chr(0))}")
        if fmt == "yaml":
            return LoadResult(SourceFile(path, source_format), not_a_flow=True)
    if fmt == "json":
        from flowlint.loaders.flow_json import load_json_text

        return load_json_text(path, text, table)
    from flowlint.loaders.archy_yaml import load_yaml_text

    return load_yaml_text(path, text, table)


def load_file(path: str, fmt: str, table: ActionTable | None = None) -> LoadResult:
    """Read and load one file; unreadable files give FL100, never an exception."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        return _unreadable(path, SourceFormat.YAML, "is a directory, not a flow file")
    except OSError as error:
        return _unreadable(path, SourceFormat.YAML, f"cannot read file: {error.strerror or error}")
    try:
        return load_bytes(path, data, fmt, table)
    except Exception as error:  # noqa: BLE001 - one bad file must never stop the project
        return _unreadable(path, SourceFormat.YAML,
                           f"internal error while loading this file ({type(error).__name__}: {error}); "
                           "please report it to the flowlint maintainers")
