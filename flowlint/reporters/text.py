"""``path:line:col: CODE [severity] message`` lines plus a summary."""

from __future__ import annotations

from collections import Counter

from flowlint.diagnostics import Diagnostic, Severity


def format_diagnostic(diagnostic: Diagnostic) -> str:
    if diagnostic.span is not None:
        where = f"{diagnostic.file}:{diagnostic.span.line}:{diagnostic.span.column}"
        suffix = ""
    else:
        # Exports have no lines: point at the file and say where inside the flow.
        where = f"{diagnostic.file}:1:1"
        suffix = f" (at {diagnostic.logical})" if diagnostic.logical and diagnostic.logical != "file" else ""
    return f"{where}: {diagnostic.code} [{diagnostic.severity.value}] {diagnostic.message}{suffix}"


def summary(diagnostics: list[Diagnostic], files_checked: int) -> str:
    if not diagnostics:
        return f"All clear: {files_checked} flow file(s) checked, no findings."
    counts = Counter(d.severity for d in diagnostics)
    parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in Severity if counts[s]]
    return f"Found {len(diagnostics)} finding(s) in {files_checked} flow file(s): {', '.join(parts)}."


def render(diagnostics: list[Diagnostic], files_checked: int) -> str:
    lines = [format_diagnostic(d) for d in diagnostics]
    lines.append(summary(diagnostics, files_checked))
    return "\n".join(lines) + "\n"
