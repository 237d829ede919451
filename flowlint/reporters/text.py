"""``--format concise`` (also ``text``): ``path:line:col: CODE [severity] message`` lines plus
a summary.  The full format (:mod:`flowlint.reporters.full`) starts each finding with the
same line.

Colour (ANSI) only when asked: the CLI decides (TTY, ``NO_COLOR``, ``--color``).
``--statistics`` adds one line per code with its count before the summary.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from flowlint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from flowlint.reporters import Report

SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def style(text: str, color: bool, **styles: str | bool) -> str:
    if not color:
        return text
    import click

    return click.style(text, **styles)  # pyright: ignore[reportArgumentType]


def location(diagnostic: Diagnostic) -> tuple[str, str]:
    """(``path:line:col``, suffix naming the logical location for files without lines)."""
    if diagnostic.span is not None:
        return f"{diagnostic.file}:{diagnostic.span.line}:{diagnostic.span.column}", ""
    # Exports have no lines: point at the file and say where inside the flow.
    suffix = f" (at {diagnostic.logical})" if diagnostic.logical and diagnostic.logical != "file" else ""
    return f"{diagnostic.file}:1:1", suffix


def format_diagnostic(diagnostic: Diagnostic, color: bool = False) -> str:
    where, suffix = location(diagnostic)
    tint = SEVERITY_COLOR[diagnostic.severity]
    return (f"{style(where, color, bold=True)}: {style(diagnostic.code, color, fg=tint, bold=True)} "
            f"{style(f'[{diagnostic.severity.value}]', color, fg=tint)} {diagnostic.message}{suffix}")


def summary(diagnostics: list[Diagnostic], files_checked: int) -> str:
    if not diagnostics:
        return f"All clear: {files_checked} flow file(s) checked, no findings."
    counts = Counter(d.severity for d in diagnostics)
    parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in Severity if counts[s]]
    return f"Found {len(diagnostics)} finding(s) in {files_checked} flow file(s): {', '.join(parts)}."


def statistics(diagnostics: list[Diagnostic]) -> list[str]:
    """``count  CODE  severity  name``, most frequent first (ties by code)."""
    from flowlint.registry import rules_by_code

    rules = rules_by_code()
    counts = Counter(d.code for d in diagnostics)
    severities = {d.code: d.severity.value for d in diagnostics}
    width = len(str(max(counts.values(), default=0)))
    lines: list[str] = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        name = rules[code].info.name if code in rules else ""
        lines.append(f"{count:>{width}}  {code}  {severities[code]:<7}  {name}".rstrip())
    return lines


def render(diagnostics: list[Diagnostic], files_checked: int) -> str:
    lines = [format_diagnostic(d) for d in diagnostics]
    lines.append(summary(diagnostics, files_checked))
    return "\n".join(lines) + "\n"


def render_report(report: Report) -> str:
    lines = [format_diagnostic(d, report.color) for d in report.diagnostics] + footer(report)
    return "\n".join(lines) + "\n" if lines else ""


def footer(report: Report) -> list[str]:
    """Statistics (if asked) and the summary line (unless ``--quiet``)."""
    color = report.color
    lines: list[str] = []
    if report.statistics and report.diagnostics:
        lines.extend(statistics(report.diagnostics))
    if report.quiet:
        return lines
    line = summary(report.diagnostics, report.files_checked)
    if report.fixed:
        line = f"Fixed {report.fixed} finding(s). {line}"
    notes: list[str] = []
    if report.baselined:
        notes.append(f"{report.baselined} known finding(s) hidden by the baseline")
    if report.baseline_fixed:
        notes.append(f"{report.baseline_fixed} baseline entr{'y' if report.baseline_fixed == 1 else 'ies'} "
                     "no longer found (rewrite it with --write-baseline)")
    if notes:
        line += f" {'; '.join(notes)}."
    lines.append(style(line, color, bold=True))
    return lines
