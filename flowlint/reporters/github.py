"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=F,line=L,endLine=EL,col=C,endColumn=EC,title=CODE::MESSAGE``; ``warning``
and ``notice`` (info) likewise.  What GitHub needs (actions/toolkit, and bugs other
linters hit):

- ``file`` relative to the repository root, forward slashes, no ``./``;
- ``col``/``endColumn`` only on single-line spans, ``endColumn >= col`` (GitHub rejects
  the annotation otherwise); ``endColumn`` is inclusive here;
- escaping: ``%`` ``\\r`` ``\\n`` in the message, plus ``:`` and ``,`` in properties —
  which also keeps a flow's text from injecting workflow commands;
- the message repeats ``path:line:col: CODE [severity]`` so the raw log stays useful, and
  a plain summary line follows: GitHub shows only 10 annotations per type per step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowlint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from flowlint.reporters import Report

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic, base: str) -> str:
    from flowlint.reporters import display_path
    from flowlint.reporters.text import location

    path = display_path(diagnostic.file, base)
    properties = [("file", path)]
    span = diagnostic.span
    if span is None:
        properties.append(("line", "1"))
    else:
        properties += [("line", str(span.line)), ("endLine", str(max(span.end_line, span.line)))]
        if span.end_line == span.line:
            properties += [("col", str(span.column)), ("endColumn", str(max(span.column, span.end_column - 1)))]
    properties.append(("title", diagnostic.code))
    where, suffix = location(diagnostic)
    where = path + where[len(diagnostic.file):]  # same path as the annotation's file
    message = f"{where}: {diagnostic.code} [{diagnostic.severity.value}] {diagnostic.message}{suffix}"
    rendered = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{_COMMAND[diagnostic.severity]} {rendered}::{escape_data(message)}"


def render_report(report: Report) -> str:
    from flowlint.reporters.text import summary

    lines = [annotation(d, report.base) for d in report.diagnostics]
    lines.append(summary(report.diagnostics, report.files_checked))
    return "\n".join(lines) + "\n"
