"""``--format json``: a stable machine contract.

``{"version": 1, "diagnostics": [{rule, severity, message, file, line, column, end_line,
end_column, flow, attribute, logical, related}], "summary": {...}}``; positions are 1-based,
``end_column`` exclusive; null when the file format has no lines (exports).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

from flowlint.diagnostics import Diagnostic, Related, Severity
from flowlint.ir import Span

if TYPE_CHECKING:
    from flowlint.reporters import Report


def _position(span: Span | None) -> dict[str, int | None]:
    if span is None:
        return {"line": None, "column": None, "end_line": None, "end_column": None}
    return {"line": span.line, "column": span.column, "end_line": span.end_line, "end_column": span.end_column}


def _related(related: Related) -> dict[str, object]:
    return {"message": related.message, "file": related.file, **_position(related.span), "logical": related.logical}


def to_dict(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "rule": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "file": diagnostic.file,
        **_position(diagnostic.span),
        "flow": diagnostic.flow,
        "attribute": diagnostic.attribute,
        "logical": diagnostic.logical,
        "related": [_related(r) for r in diagnostic.related],
    }


def render(diagnostics: list[Diagnostic], files_checked: int) -> str:
    counts = Counter(d.severity.value for d in diagnostics)
    doc = {
        "version": 1,
        "diagnostics": [to_dict(d) for d in diagnostics],
        "summary": {"files": files_checked, **{s.value: counts.get(s.value, 0) for s in Severity}},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_report(report: Report) -> str:
    return render(report.diagnostics, report.files_checked)
