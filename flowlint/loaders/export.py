"""Architect export files (``*.i3InboundFlow`` etc.): base64 of percent-encoded JSON.

Decoding cost is dominated by percent-decoding (``urllib.parse.unquote`` loops in Python
over every ``%XX``, about 80% of a naive load).  :func:`percent_decode` maps ``%`` to
``=`` and lets the C quoted-printable decoder (``binascii.a2b_qp``) do the work, which is
about 20x faster; inputs where that trick is not exact fall back to the stdlib.
"""

from __future__ import annotations

import binascii
import json
import os
from typing import cast
from urllib.parse import unquote_to_bytes

from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import SourceFile, SourceFormat
from flowlint.loaders.flow_json import load_flow_document, parse_json
from flowlint.loaders.result import LoadResult
from flowlint.tables import ActionTable, action_table, flow_type_by_extension

_PERCENT_TO_EQUALS = bytes.maketrans(b"%", b"=")
_WHITESPACE = b" \t\r\n\x0b\x0c"


def percent_decode(data: bytes) -> bytes:
    """``urllib.parse.unquote_to_bytes`` at C speed (exports never use ``+`` for space)."""
    count = data.count(b"%")
    if count == 0:
        return data
    # Quoted-printable treats "=" and "=<newline>" specially; the percent-encoded text of an
    # export has neither a literal "=" (encoded as %3D) nor raw line breaks.
    if b"=" not in data and b"\n" not in data and b"\r" not in data:
        decoded = binascii.a2b_qp(data.translate(_PERCENT_TO_EQUALS))
        # Every well-formed %XX shrinks the text by exactly 2; a malformed one by less.
        if len(decoded) == len(data) - 2 * count:
            return decoded
    return unquote_to_bytes(data)


def _failure(path: str, message: str) -> LoadResult:
    source = SourceFile(path, SourceFormat.EXPORT, "")
    return LoadResult(source, diagnostics=[Diagnostic("FL100", Severity.ERROR, message, path, None, "")])


def decode_export(data: bytes) -> tuple[str | None, str]:
    """Decoded JSON text of an export, or ``(None, reason)`` when it cannot be decoded."""
    compact = data.translate(None, _WHITESPACE)  # tolerate line-wrapped or padded files
    if not compact:
        return None, "the file is empty"
    try:
        decoded = binascii.a2b_base64(compact, strict_mode=True)
    except binascii.Error as error:
        return None, f"not valid base64 ({error})"
    if decoded[:1] != b"{":  # plain (not percent-encoded) JSON is accepted as is
        decoded = percent_decode(decoded)
    try:
        return decoded.decode("utf-8"), ""
    except UnicodeDecodeError as error:
        return None, f"base64 decodes to bytes that are not UTF-8 (invalid byte at offset {error.start})"


def load_export_bytes(path: str, data: bytes, table: ActionTable | None = None) -> LoadResult:
    """Load one export file; any decoding problem becomes one FL100 diagnostic."""
    text, reason = decode_export(data)
    if text is None:
        return _failure(path, reason)
    try:
        doc: object = parse_json(text)
    except json.JSONDecodeError as error:
        return _failure(path, f"decoded text is not valid JSON: {error.msg} at line {error.lineno} "
                              f"column {error.colno} of the decoded document")
    except RecursionError:
        return _failure(path, "decoded text is not valid JSON: nested too deeply")
    if not (isinstance(doc, dict) and "flowSequenceItemList" in doc):
        return _failure(path, "decoded JSON is not a flow document (no flowSequenceItemList)")
    info = flow_type_by_extension().get(os.path.splitext(path)[1].lower())
    source = SourceFile(path, SourceFormat.EXPORT, text)
    return load_flow_document(source, cast(object, doc), table or action_table(),
                              type_hint=info.type if info is not None else None)
