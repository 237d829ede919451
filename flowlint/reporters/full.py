"""``--format full``: each finding's concise line, then its source lines with the span
underlined, its related locations with their own frames, and the fix ``--fix`` would apply.

Findings in Architect exports (no lines) name their logical location instead of a frame;
files other than flows (Terraform, options files: where credentials are written) get none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowlint.diagnostics import Applicability, Diagnostic, Related
from flowlint.ir import Span
from flowlint.reporters.frames import frame, split_lines
from flowlint.reporters.text import SEVERITY_COLOR, footer, format_diagnostic, style

if TYPE_CHECKING:
    from flowlint.reporters import Report


class _Frames:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.lines: dict[str, list[str] | None] = {}

    def of(self, path: str, span: Span | None, mark: str, tint: str) -> list[tuple[str, str, str]]:
        """(gutter, line, underline) rows; empty when the file has no frame to show."""
        if span is None:
            return []
        if path not in self.lines:
            text = self.report.source(path)
            self.lines[path] = split_lines(text, path) if text is not None else None
        lines = self.lines[path]
        if lines is None or span.line > len(lines):
            return []
        color = self.report.color
        return [(str(number) if number is not None else "...", drawn,
                 style(underline, color, fg=tint, bold=True))
                for number, drawn, underline in frame(lines, span, self.report.masked, mark)]


def _rows(rows: list[tuple[str, str, str]], width: int, color: bool) -> list[str]:
    bar = style("|", color, fg="blue", bold=True)
    out: list[str] = []
    for number, drawn, underline in rows:
        out.append(f"{style(number.rjust(width), color, fg='blue', bold=True)} {bar} {drawn}".rstrip())
        if underline:
            out.append(f"{' ' * width} {bar} {underline}")
    return out


def _related_head(related: Related) -> str:
    if related.span is not None:
        return f"{related.file}:{related.span.line}:{related.span.column}: {related.message}"
    where = f" (at {related.logical})" if related.logical and related.logical != "file" else ""
    return f"{related.file}{where}: {related.message}"


def render_diagnostic(diagnostic: Diagnostic, frames: _Frames) -> list[str]:
    color = frames.report.color
    tint = SEVERITY_COLOR[diagnostic.severity]
    own = frames.of(diagnostic.file, diagnostic.span, "^", tint)
    related = [(r, frames.of(r.file, r.span, "-", "cyan")) for r in diagnostic.related]
    width = max([len(n) for n, _, _ in own] + [len(n) for _, rows in related for n, _, _ in rows] + [1])
    lines = [format_diagnostic(diagnostic, color), *_rows(own, width, color)]
    for item, rows in related:
        lines.append(f"{' ' * width} {style('=', color, fg='blue', bold=True)} related: {_related_head(item)}")
        lines.extend(_rows(rows, width, color))
    fix = diagnostic.fixes[0] if len(diagnostic.fixes) == 1 else None
    if fix is not None and fix.applicability is not Applicability.DISPLAY_ONLY:
        how = "--fix" if fix.applicability is Applicability.SAFE else "--fix --unsafe-fixes"
        lines.append(f"{' ' * width} {style('=', color, fg='blue', bold=True)} fix: {fix.title} ({how})")
    return lines


def render_report(report: Report) -> str:
    frames = _Frames(report)
    lines: list[str] = []
    for diagnostic in report.diagnostics:
        lines.extend(render_diagnostic(diagnostic, frames))
        lines.append("")
    return "\n".join(lines + footer(report)) + "\n" if lines or not report.quiet else ""
