"""``--format sarif``: SARIF 2.1.0 as GitHub code scanning accepts it.

- ``tool.driver.rules``: every registered rule (id, name, short/full description, help
  text and markdown, default level); results refer to them by ``ruleId`` and ``ruleIndex``.
- Locations: ``artifactLocation.uri`` relative to the repository root (git work tree,
  else the current directory) with ``uriBaseId: %SRCROOT%``; columns are Unicode code
  points (``run.columnKind``), ``endColumn`` exclusive, as flowlint's spans.  Exports have
  no lines: ``startLine`` 1, and the logical location is in the message and in
  ``logicalLocations`` (which every result carries).
- ``relatedLocations`` carry the evidence elsewhere (the Set site of FL001, ...).
- ``partialFingerprints["flowlint/v1"]``: sha256 of code, path, flow, logical location and
  attribute — no line, so an alert survives edits above it.
- No ``snippet`` or ``contextRegion``: source text could include secured values.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import urllib.parse
from collections import Counter
from typing import TYPE_CHECKING

from flowlint import __version__
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import Span
from flowlint.registry import RuleInfo, all_rules

if TYPE_CHECKING:
    from flowlint.reporters import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "flowlint/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
#: GitHub truncates longer descriptions.
_MAX_DESCRIPTION = 1024


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_DESCRIPTION else text[: _MAX_DESCRIPTION - 1] + "…"


def _rule(info: RuleInfo) -> dict[str, object]:
    from flowlint.reporters.rules_markdown import rule_section

    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": _clip(info.summary)},
        "fullDescription": {"text": _clip(info.why)},
        "help": {"text": f"{info.summary}\n\n{info.why}", "markdown": rule_section(info, level=3)},
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {"tags": ["flowlint", "genesys-cloud-architect"]},
    }


def _region(span: Span | None) -> dict[str, int]:
    if span is None:
        return {"startLine": 1}
    region = {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line,
              "endColumn": span.end_column}
    if (span.end_line, span.end_column) <= (span.line, span.column):  # empty span: one character
        region["endLine"], region["endColumn"] = span.line, span.column + 1
    return region


def _physical(path: str, span: Span | None, base: str) -> dict[str, object]:
    from flowlint.reporters import relative_uri

    relative = relative_uri(path, base)
    if relative is not None:
        # A URI reference: percent-encode the path's bytes (spaces, '#', names that are not UTF-8).
        uri = urllib.parse.quote(os.fsencode(relative), safe="/")
        artifact: dict[str, object] = {"uri": uri, "uriBaseId": "%SRCROOT%"}
    else:  # outside the repository: an absolute file URI still locates it
        artifact = {"uri": pathlib.Path(os.path.realpath(path)).as_uri()}
    return {"artifactLocation": artifact, "region": _region(span)}


def fingerprint(diagnostic: Diagnostic, relative: str, occurrence: int) -> str:
    parts = [diagnostic.code, relative, diagnostic.flow or "", diagnostic.logical, diagnostic.attribute or ""]
    if occurrence:  # identical keys must stay distinct alerts
        parts.append(str(occurrence))
    # surrogateescape: a file name that is not UTF-8 hashes as its own bytes.
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _message(diagnostic: Diagnostic) -> str:
    if diagnostic.span is None and diagnostic.logical and diagnostic.logical != "file":
        return f"{diagnostic.message} (at {diagnostic.logical})"
    return diagnostic.message


def to_sarif(report: Report) -> dict[str, object]:
    from flowlint.reporters import display_path

    rules = list(all_rules())
    index = {rule.info.code: position for position, rule in enumerate(rules)}
    seen: Counter[tuple[str, str, str, str, str]] = Counter()
    results: list[dict[str, object]] = []
    for diagnostic in report.diagnostics:
        relative = display_path(diagnostic.file, report.base)
        key = (diagnostic.code, relative, diagnostic.flow or "", diagnostic.logical, diagnostic.attribute or "")
        occurrence = seen[key]
        seen[key] += 1
        location: dict[str, object] = {"physicalLocation": _physical(diagnostic.file, diagnostic.span, report.base)}
        if diagnostic.logical:
            location["logicalLocations"] = [{"fullyQualifiedName": diagnostic.logical}]
        result: dict[str, object] = {
            "ruleId": diagnostic.code,
            "level": _LEVEL[diagnostic.severity],
            "message": {"text": _message(diagnostic)},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT: fingerprint(diagnostic, relative, occurrence)},
        }
        if diagnostic.code in index:
            result["ruleIndex"] = index[diagnostic.code]
        if diagnostic.related:
            related: list[dict[str, object]] = []
            for number, item in enumerate(diagnostic.related, start=1):
                entry: dict[str, object] = {"id": number, "physicalLocation": _physical(item.file, item.span, report.base),
                                            "message": {"text": item.message}}
                if item.logical:
                    entry["logicalLocations"] = [{"fullyQualifiedName": item.logical}]
                related.append(entry)
            result["relatedLocations"] = related
        results.append(result)
    driver: dict[str, object] = {
        "name": "flowlint",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(rule.info) for rule in rules],
    }
    run: dict[str, object] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render_report(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
