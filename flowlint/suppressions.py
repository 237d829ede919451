"""Inline suppression comments in Archy YAML, and FL900 for the ones that suppress nothing.

Two forms, in YAML comments::

    - getParticipantData:   # flowlint: disable=FL005      (this action)
    # flowlint: disable=FL001,get-before-set                (the action on the next line)
    # flowlint: disable-file=FL001                          (the whole file, anywhere in it)

Codes or rule names, comma-separated; text after the list is a free-form reason.  A
line comment targets, in this order: the action that starts on the next code line (for a
comment alone on its line), else the innermost action whose lines contain the comment,
else just the next code line (alone) or its own line (trailing).  A finding is
suppressed when its start lies inside the target action's extent (or on the target line)
and its code is listed.

Exports and JSON have no comments: ``per-file-ignores`` covers them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from flowlint.config import Config
from flowlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from flowlint.ir import Action, Project, SourceFile, SourceFormat, Span

UNUSED_CODE = "FL900"

#: ``# flowlint: <anything>``; what follows is parsed by _DIRECTIVE_RE (else "not understood").
_COMMENT_RE = re.compile(r"#[ \t]*flowlint[ \t]*:[ \t]*")
_DIRECTIVE_RE = re.compile(
    r"(?P<kind>disable-file|disable)[ \t]*=[ \t]*"
    r"(?P<codes>[A-Za-z][A-Za-z0-9_-]*(?:[ \t]*,[ \t]*[A-Za-z][A-Za-z0-9_-]*)*)"
)
_CODE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
#: PyYAML's line breaks, so that line numbers agree with the loader's.
_LINE_BREAK_RE = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(slots=True)
class CodeRef:
    """One code (or rule name) as written in a directive, with its columns for FL900."""

    text: str
    #: The rule code it names; None for an unknown code or name.
    code: str | None
    column: int
    end_column: int
    used: bool = False


@dataclass(slots=True)
class Directive:
    path: str
    line: int
    #: Column of the ``#``.
    column: int
    file_level: bool
    codes: list[CodeRef] = field(default_factory=lambda: [])
    #: Set when the comment starts with ``flowlint:`` but is not a directive we understand.
    malformed: str | None = None
    #: Target action extent, or None with ``target_line`` set for a line-scoped directive.
    extent: Span | None = None
    target_line: int | None = None
    #: Logical location of the target (stable across line shifts, for FL900 baselines).
    logical: str = ""
    #: The line's text and the line break after it ("" on the last line), for FL900's fixes.
    line_text: str = ""
    line_break: str = ""

    def covers(self, diagnostic: Diagnostic) -> bool:
        if self.file_level:
            return True
        span = diagnostic.span
        if span is None:
            return False
        if self.extent is not None:
            start = (self.extent.line, self.extent.column)
            end = (self.extent.end_line, self.extent.end_column)
            return start <= (span.line, span.column) < end
        return span.line == self.target_line


def scan(text: str, path: str = "") -> list[Directive]:
    """Every ``# flowlint:`` comment in a YAML text (targets not yet resolved)."""
    if "flowlint" not in text:  # the common case: no regex work at all
        return []
    from flowlint.registry import rules_by_code

    by_code = rules_by_code()
    by_name = {rule.info.name: code for code, rule in by_code.items()}
    lines = _LINE_BREAK_RE.split(text)
    breaks = [m.group(0) for m in _LINE_BREAK_RE.finditer(text)]
    candidates: list[tuple[int, re.Match[str]]] = []
    for number, line in enumerate(lines, start=1):
        for match in _COMMENT_RE.finditer(line):
            start = match.start()
            if start == 0 or line[start - 1] in " \t":  # YAML: '#' starts a comment only after a blank
                candidates.append((number, match))
                break
    if not candidates:
        return []
    inside = _scalar_ranges(text)
    directives: list[Directive] = []
    for number, match in candidates:
        column = match.start() + 1
        if any(_within(ranges, number, column) for ranges in inside):
            continue  # '# flowlint:' inside a quoted or block scalar is data, not a comment
        line = lines[number - 1]
        rest_at = match.end()
        parsed = _DIRECTIVE_RE.match(line, rest_at)
        if parsed is None:
            shown = line[match.start():].rstrip()
            directives.append(Directive(path, number, column, False, malformed=shown))
            continue
        directive = Directive(path, number, column, parsed["kind"] == "disable-file", line_text=line,
                              line_break=breaks[number - 1] if number <= len(breaks) else "")
        codes_at = parsed.start("codes")
        for code_match in _CODE_RE.finditer(parsed["codes"]):
            written = code_match.group(0)
            upper = written.upper()
            code = upper if upper in by_code else by_name.get(written.lower())
            directive.codes.append(CodeRef(written, code, codes_at + code_match.start() + 1,
                                           codes_at + code_match.end() + 1))
        directives.append(directive)
    return directives


def _scalar_ranges(text: str) -> list[tuple[int, int, int, int]]:
    """(line, column, end_line, end_column) of every YAML scalar token, 1-based, end exclusive.

    Only called for files that mention ``flowlint:`` in a possible comment.  Placeholders
    are replaced by same-length tokens first (as the loader does) so templates scan.
    """
    import yaml

    from flowlint.loaders import placeholders

    substituted, _ = placeholders.substitute(text)
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    scanner: Callable[..., Iterable[object]] = yaml.scan  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    ranges: list[tuple[int, int, int, int]] = []
    try:
        for token in scanner(substituted, Loader=loader_class):
            if isinstance(token, yaml.ScalarToken):
                start, end = token.start_mark, token.end_mark
                ranges.append((start.line + 1, start.column + 1, end.line + 1, end.column + 1))
    except yaml.YAMLError:
        pass  # broken YAML: keep the scalars seen so far; the file gets FL100 anyway
    return ranges


def _within(scalar: tuple[int, int, int, int], line: int, column: int) -> bool:
    return (scalar[0], scalar[1]) <= (line, column) < (scalar[2], scalar[3])


def resolve_targets(directives: list[Directive], source: SourceFile, actions: list[tuple[Action, str]]) -> None:
    """Attach each line directive to its action (or line); ``actions`` are (action, logical)."""
    lines = _LINE_BREAK_RE.split(source.text)
    spans: list[tuple[Span, int, str]] = []  # (extent, last content line, logical)
    for action, logical in actions:
        if action.extent is not None:
            spans.append((action.extent, _last_content_line(lines, action.extent), logical))
    for directive in directives:
        if directive.file_level or directive.malformed:
            continue
        line_text = lines[directive.line - 1]
        alone = not line_text[: directive.column - 1].strip()
        next_line = _next_code_line(lines, directive.line) if alone else None
        if next_line is not None:
            starting = [s for s in spans if s[0].line == next_line]
            if starting:
                extent, _, logical = min(starting, key=lambda s: s[0].column)
                directive.extent, directive.logical = extent, logical
                continue
        containing = [s for s in spans if s[0].line <= directive.line <= s[1]
                      and (s[0].line, s[0].column) <= (directive.line, directive.column)]
        if containing:
            # Innermost: nested actions start later (and end no later) than their parents.
            extent, _, logical = max(containing, key=lambda s: (s[0].line, s[0].column))
            directive.extent, directive.logical = extent, logical
            continue
        directive.target_line = next_line if next_line is not None else directive.line
        directive.logical = f"line after comment {directive.line}" if alone else f"line {directive.line}"


def _last_content_line(lines: list[str], extent: Span) -> int:
    """The last line holding the action's own text.

    The YAML end mark is where the *next* token starts, often on a later line after blank
    lines or comments; a comment down there belongs to what follows, not to this action.
    """
    last = min(extent.end_line, len(lines))  # libyaml's end mark can lie past a last line without a break
    if last == extent.end_line and not lines[last - 1][: extent.end_column - 1].strip():
        last -= 1
    while last > extent.line:
        text = lines[last - 1].strip()
        if text and not text.startswith("#"):
            break
        last -= 1
    return last


def _next_code_line(lines: list[str], line: int) -> int | None:
    for number in range(line + 1, len(lines) + 1):
        text = lines[number - 1].strip()
        if text and not text.startswith("#"):
            return number
    return None


def collect(project: Project) -> dict[str, list[Directive]]:
    """Directives per YAML file path, with their targets resolved."""
    found: dict[str, list[Directive]] = {}
    actions_by_file: dict[int, list[tuple[Action, str]]] | None = None  # built once, if any file has directives
    for source in project.files:
        if source.format is not SourceFormat.YAML or not source.text:
            continue
        directives = scan(source.text, source.path)
        if directives:
            if actions_by_file is None:
                actions_by_file = {}
                for flow in project.flows:
                    actions_by_file.setdefault(id(flow.file), []).extend((a, a.loc.logical) for a in flow.actions)
            resolve_targets(directives, source, actions_by_file.get(id(source), []))
            found.setdefault(source.path, []).extend(directives)
    return found


def apply(diagnostics: Iterable[Diagnostic], project: Project, config: Config) -> tuple[list[Diagnostic], int]:
    """Drop suppressed findings and add FL900 for unused directives.

    Returns (kept findings including FL900, number suppressed).  FL900 findings are
    subject to the configuration (select/ignore/per-file-ignores, severity) and to
    ``disable-file=FL900``; they are not themselves line-suppressible.
    """
    directives = collect(project)
    if not directives:
        return list(diagnostics), 0
    kept: list[Diagnostic] = []
    suppressed = 0
    broken_files: set[str] = set()
    for diagnostic in diagnostics:
        if diagnostic.code == "FL100":
            broken_files.add(diagnostic.file)
        if _suppress(diagnostic, directives.get(diagnostic.file, ())):
            suppressed += 1
        else:
            kept.append(diagnostic)
    for path, file_directives in directives.items():
        if path in broken_files:
            continue  # findings of an unparsable file are missing: nothing can be judged unused
        for unused in _unused(file_directives, config):
            if _suppress(unused, [d for d in file_directives if d.file_level]):
                suppressed += 1
            else:
                kept.append(unused)
    return kept, suppressed


def _suppress(diagnostic: Diagnostic, directives: Iterable[Directive]) -> bool:
    hit = False
    for directive in directives:
        if directive.malformed or not directive.covers(diagnostic):
            continue
        for ref in directive.codes:
            if ref.code == diagnostic.code:
                ref.used = True
                hit = True
    return hit


def _unused(directives: list[Directive], config: Config) -> Iterator[Diagnostic]:
    from flowlint.registry import rule_info

    if not config.is_enabled_for(UNUSED_CODE, directives[0].path):
        return
    severity = Severity(config.severity.get(UNUSED_CODE, rule_info(UNUSED_CODE).severity))
    for directive in directives:
        path = directive.path
        flagged = {id(ref) for ref in directive.codes
                   if ref.code is None or (not ref.used and ref.code != UNUSED_CODE
                                           and config.is_enabled_for(ref.code, path))}
        fixes = _fixes(directive, flagged)
        if directive.malformed is not None:
            span = Span(directive.line, directive.column, directive.line, directive.column + len(directive.malformed))
            yield _fl900(severity, path, span, directive,
                         "flowlint comment not understood" + _did_you_mean(directive.malformed)
                         + ": expected `# flowlint: disable=CODE[,CODE...]` or "
                         "`# flowlint: disable-file=CODE[,CODE...]`")
            continue
        kind = "disable-file" if directive.file_level else "disable"
        for ref in directive.codes:
            span = Span(directive.line, ref.column, directive.line, ref.end_column)
            if ref.code is None:
                yield _fl900(severity, path, span, directive,
                             f"unknown rule '{ref.text}' in `# flowlint: {kind}`; `flowlint rules` lists them",
                             ref.text, fixes.get(id(ref)))
            elif not ref.used and ref.code != UNUSED_CODE and config.is_enabled_for(ref.code, path):
                # A rule switched off for this file did not run, so its suppression cannot be judged.
                scope = _scope(directive)
                yield _fl900(severity, path, span, directive,
                             f"unused suppression: no {ref.code} finding {scope}; remove '{ref.text}' "
                             f"from the comment", ref.code, fixes.get(id(ref)))


def _did_you_mean(comment: str) -> str:
    """A hint for a misspelt directive (``disabel=``, ``disable_file=``, ``disable FL001``)."""
    import difflib

    word = re.match(r"[A-Za-z_-]*", _COMMENT_RE.sub("", comment, count=1))
    written = word.group(0) if word else ""
    if not written:
        return ""
    normal = written.lower().replace("_", "-")
    close = [normal] if normal in _KINDS else difflib.get_close_matches(normal, _KINDS, n=1, cutoff=0.7)
    if not close:
        return ""
    return f" (did you mean `{close[0]}=`?)"


_KINDS = ["disable", "disable-file"]


def _scope(directive: Directive) -> str:
    if directive.file_level:
        return "in this file"
    if directive.extent is not None:
        return "in the action below" if directive.extent.line > directive.line else "in this action"
    return "on the next line" if directive.target_line != directive.line else "on this line"


def _fl900(severity: Severity, path: str, span: Span, directive: Directive, message: str,
           code: str | None = None, fix: Fix | None = None) -> Diagnostic:
    kind = "disable-file" if directive.file_level else "disable"
    written = f"# flowlint: {kind}={code}" if code else "# flowlint:"
    logical = f"{directive.logical} > {written}" if directive.logical else written
    return Diagnostic(UNUSED_CODE, severity, message, path, span, logical, fixes=(fix,) if fix is not None else ())


def _fixes(directive: Directive, flagged: set[int]) -> dict[int, Fix]:
    """The fix of each flagged code (by ``id``): the whole comment goes when every code in it
    is flagged alike, else the code leaves its list (with one separator).  Removing an unused
    code is safe (the re-check proves nothing surfaces); an unknown one may be a misspelt
    rule the author meant, so removing it is unsafe."""
    refs = directive.codes
    if not flagged or not directive.line_text:
        return {}
    sure = {id(ref): Applicability.SAFE if ref.code is not None else Applicability.UNSAFE for ref in refs}
    line, text = directive.line, directive.line_text
    kinds = {sure[id(ref)] for ref in refs}
    if len(flagged) == len(refs) and len(kinds) == 1:
        if not text[: directive.column - 1].strip():  # alone on its line: the line goes, break included
            edit = Edit(Span(line, 1, line + 1, 1) if directive.line_break else Span(line, 1, line, len(text) + 1),
                        "", text + directive.line_break)
        else:  # after code: from the blanks before the '#' to the end of the line
            start = len(text[: directive.column - 1].rstrip(" \t")) + 1
            edit = Edit(Span(line, start, line, len(text) + 1), "", text[start - 1:])
        whole = Fix("Remove the unused suppression comment", (edit,), kinds.pop())
        return {id(ref): whole for ref in refs}
    found: dict[int, Fix] = {}
    for index, ref in enumerate(refs):
        if id(ref) not in flagged:
            continue
        if index + 1 < len(refs):  # "A, " before the next code
            start, end = ref.column, refs[index + 1].column
        else:  # ", A" after the previous code
            start, end = refs[index - 1].end_column, ref.end_column
        edit = Edit(Span(line, start, line, end), "", text[start - 1:end - 1])
        found[id(ref)] = Fix(f"Remove '{ref.text}' from the suppression comment", (edit,), sure[id(ref)])
    return found
