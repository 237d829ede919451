"""Command line: ``flowlint check | rules | explain | expr``.

Exit codes: 0 clean, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from flowlint import __version__

if TYPE_CHECKING:
    from flowlint.config import ConfigResolver
    from flowlint.diagnostics import Diagnostic
    from flowlint.engine import CheckResult
    from flowlint.ir import Project
    from flowlint.overrides import Overrides
    from flowlint.reporters.map_model import MapModel


EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: Formats for a person reading (colour, --statistics); "text" is the old name of "concise".
TEXT_FORMATS = ("full", "concise", "text")
#: Default cache directory name (already skipped by file discovery).
DEFAULT_CACHE_DIR = ".flowlint_cache"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="flowlint")
def main() -> None:
    """Static linter for Genesys Cloud Architect flows."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format",
              type=click.Choice(["full", "concise", "text", "json", "sarif", "github", "junit"]), default=None,
              help="Output format: full (each finding with its source lines; the default on a terminal), concise "
                   "(one line per finding; the default otherwise; 'text' is the same), json, sarif, github, junit.")
@click.option("--fix", "fix", is_flag=True, help="Apply safe fixes in place (Archy YAML only) and report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, --fix-only or --diff: apply unsafe fixes as well "
                                                   "(they change what the flow does).")
@click.option("--fix-only", is_flag=True, help="Apply fixes and report nothing else (exit 0 unless an error).")
@click.option("--diff", "diff", is_flag=True, help="Print the fixes as a unified diff and write nothing "
                                                   "(exit 1 if there would be changes).")
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of standard output.")
@click.option("--config", "config_args", multiple=True, metavar="FILE | KEY=VALUE",
              help="A configuration file for every path (default: each file's nearest .flowlint.toml or "
                   "pyproject.toml [tool.flowlint]), or a TOML 'key = value' overriding that key of every "
                   "configuration (repeatable).")
@click.option("--select", "select", multiple=True, metavar="CODES",
              help="Rule codes, prefixes or names to enable, comma-separated (replaces the configuration's).")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Add to the selected rules.")
@click.option("--ignore", "ignore", multiple=True, metavar="CODES",
              help="Rule codes, prefixes or names to disable, comma-separated (added to the configuration's).")
@click.option("--exclude", "exclude", multiple=True, metavar="GLOBS",
              help="Globs of files not to lint, comma-separated (replaces the configuration's exclude).")
@click.option("--extend-exclude", multiple=True, metavar="GLOBS", help="Add to the excluded globs.")
@click.option("--stdin-filename", type=click.Path(dir_okay=False),
              help="With the path '-': the name of the flow read from standard input; the project around it is "
                   "linted for cross-flow rules, and only its findings are reported.")
@click.option("--show-files", is_flag=True, help="List the files that would be linted (per project) and exit.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no warnings.")
@click.option("--strict", is_flag=True, help="Exit 2 when no flow file is found under PATHS (default: a warning).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="warning", show_default=True,
              help="Exit 1 only if a reported finding has at least this severity (all findings are shown).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (2 still means an error).")
@click.option("--color", "color_choice", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the text format (auto: on a terminal, unless NO_COLOR is set).")
@click.option("--statistics", is_flag=True, help="Text format: add a count of findings per rule code.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False),
              help="Record the current findings in this baseline file (exactly these: fixed ones drop out) "
                   "and exit 0.")
@click.option("--project", "whole_project", is_flag=True,
              help="Lint the whole project (the configuration file's directory, else the git work tree, else the "
                   "current directory) so cross-flow rules see every flow, but report only findings in PATHS "
                   "or pointing into them (the pre-commit hook's mode).")
@click.option("--report-all", is_flag=True, help="With --project: report every finding in the project.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for loading and per-file rules (default: the number of CPUs; 1 = no workers).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help=f"Cache directory (default: {DEFAULT_CACHE_DIR} in the configuration file's directory, else the "
                   "git work tree, else the current directory).")
@click.option("--respect-gitignore/--no-respect-gitignore", "respect_gitignore", default=None,
              help="Skip files that git ignores when walking directories (default: on, or config "
                   "respect-gitignore); files named explicitly are always linted.")
@click.option("--substitute", "substitute", multiple=True, metavar="KEY=VALUE",
              help="Archy substitution value for {{KEY}} in flow files that no Terraform resource deploys "
                   "(repeatable; wins over the configuration's [substitutions] and options files).")
@click.option("--substitutions", "options_files", multiple=True, type=click.Path(dir_okay=False),
              help="An Archy options file (YAML with a top-level substitutions: mapping) for the flows that no "
                   "Terraform resource deploys: the flow its file: key names, else those in its directory "
                   "(repeatable).")
@click.option("--daemon/--no-daemon", "_daemon", default=False,
              help="Check in a resident server that keeps flowlint loaded and each project's last run in memory "
                   "(started in the background on first use, exits after 15 idle minutes; see `flowlint daemon`). "
                   "Same output, a fraction of the time for a re-check. Also FLOWLINT_DAEMON=1.")
def check(paths: tuple[str, ...], output_format: str | None, output_file: str | None, config_args: tuple[str, ...],
          select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...],
          exclude: tuple[str, ...], extend_exclude: tuple[str, ...], stdin_filename: str | None,
          show_files: bool, quiet: bool, strict: bool,
          fail_on: str, exit_zero: bool, color_choice: str, statistics: bool, baseline_file: str | None,
          write_baseline_file: str | None, whole_project: bool, report_all: bool, jobs: int | None,
          no_cache: bool, cache_dir: str | None, respect_gitignore: bool | None, substitute: tuple[str, ...],
          options_files: tuple[str, ...], _daemon: bool, fix: bool = False, unsafe_fixes: bool = False,
          fix_only: bool = False, diff: bool = False) -> None:
    """Lint flow files (Archy YAML, .i3* exports, API JSON) under PATHS (default: .).

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage,
    configuration or internal error.
    """
    from flowlint.config import ConfigError, ConfigResolver, load_config
    from flowlint.diagnostics import Severity
    from flowlint.engine import check_paths, discover_projects
    from flowlint.overrides import adjuster

    if output_format is None:  # like ruff: code frames for a person, one line per finding for logs and scripts
        output_format = "full" if output_file is None and sys.stdout.isatty() else "concise"
    if statistics and output_format not in TEXT_FORMATS:
        raise click.UsageError("--statistics applies to --format full, concise or text only")
    fixing = fix or fix_only or diff
    try:
        os.getcwd()  # paths, configuration and cache are found from it
    except OSError as error:
        click.echo(f"flowlint: the current directory cannot be used ({error.strerror or error}); cd into the "
                   "project and run again", err=True)
        sys.exit(EXIT_ERROR)
    if report_all and not whole_project:
        raise click.UsageError("--report-all applies to --project only")
    targets = list(paths) or ["."]
    stdin_data: bytes | None = None
    if "-" in targets:
        if stdin_filename is None:
            raise click.UsageError("reading a flow from standard input ('-') needs --stdin-filename PATH")
        if len(targets) > 1:
            raise click.UsageError("'-' reads one flow from standard input: name no other path")
        if fixing:
            raise click.UsageError("--fix, --fix-only and --diff rewrite files: name them instead of '-'")
        stdin_data = sys.stdin.buffer.read()
        targets = [stdin_filename]
        whole_project = True
    _exit_if_missing([t for t in targets if t != stdin_filename])
    config_file, overrides = _overrides(config_args, select, extend_select, ignore, exclude, extend_exclude,
                                        substitute, options_files, respect_gitignore)
    try:
        adjust = adjuster(overrides)
        explicit = load_config(targets, config_file) if config_file is not None else None
        resolver = ConfigResolver(explicit, adjust)
        report_paths: list[str] | None = None
        lint_targets = targets
        if whole_project:
            # Each named path's project (its configuration's directory, else the git work tree,
            # else the current directory), whatever the order the paths come in.
            roots = sorted({_project_root(resolver.for_path(p).root, [p]) for p in targets})
            lint_targets = roots + sorted(p for p in targets if not any(_is_within(p, r) for r in roots))
            if paths and not report_all:
                report_paths = list(targets)
            if stdin_data is not None and stdin_filename is not None:
                lint_targets.append(stdin_filename)  # even when it is not (yet) on disk
        if show_files:
            for project_config, files in discover_projects(lint_targets, resolver):
                for path, _ in files:
                    click.echo(path)
                del project_config
            sys.exit(EXIT_CLEAN)
        # One cache directory for the run, whatever the number of projects (each project's
        # configuration is its own environment inside it): the first path's configuration
        # directory, else the git work tree, else the current directory.
        cache = None if no_cache or stdin_data is not None else \
            cache_dir or os.path.join(_cache_root(resolver.for_path(targets[0]).root, targets), DEFAULT_CACHE_DIR)
    except ConfigError as error:
        click.echo(f"flowlint: {error}", err=True)
        sys.exit(EXIT_ERROR)

    try:
        if stdin_data is not None and stdin_filename is not None:
            from flowlint.loaders import overlay

            with overlay({os.path.abspath(stdin_filename): stdin_data}):
                result = check_paths(lint_targets, jobs=1, cache_dir=None, resolver=resolver)
        else:
            result = check_paths(lint_targets, jobs=jobs or _cpu_count(), cache_dir=cache, resolver=resolver)
    except ConfigError as error:
        click.echo(f"flowlint: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception:  # noqa: BLE001 - the promise is exit 2 with a report, never a bare traceback
        click.echo("flowlint: internal error (please report this with the file that caused it):", err=True)
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_ERROR)
    diagnostics = result.diagnostics
    fixed = 0
    if fixing:
        diagnostics, fixed = _fix(result, lint_targets, resolver, report_paths, unsafe_fixes, diff, fix_only, quiet)
    linted_files = [source.path for source in result.project.files] + [d.file for d in diagnostics]
    if result.files_checked == 0:
        # Like ruff's "No Python files found": a typo in a path or an exclude must not pass as clean.
        if strict:
            click.echo(f"flowlint: no flow file found under {', '.join(targets)} (--strict)", err=True)
            sys.exit(EXIT_ERROR)
        if not quiet:
            click.echo(f"flowlint: warning: no flow file found under {', '.join(targets)}", err=True)
    elif not quiet:
        for path in _not_flows(targets, linted_files, stdin_filename):
            click.echo(f"flowlint: warning: {path} is not a flow file (Archy YAML, Architect export or API "
                       "JSON); nothing in it was linted", err=True)

    from flowlint import baseline
    from flowlint.reporters import Report, render, repo_root
    from flowlint.reporters.frames import secured_literals

    if write_baseline_file is not None:
        try:
            written, added, dropped = baseline.write(write_baseline_file, diagnostics)
        except baseline.BaselineError as error:
            click.echo(f"flowlint: {error}", err=True)
            sys.exit(EXIT_ERROR)
        click.echo(f"flowlint: wrote {written} finding(s) to {write_baseline_file} "
                   f"({added} added, {dropped} dropped since the previous baseline)", err=True)
        sys.exit(EXIT_CLEAN)
    known = baseline_fixed = 0
    if baseline_file is not None:
        try:
            filtered = baseline.apply(diagnostics, baseline_file, linted_files)
        except baseline.BaselineError as error:
            click.echo(f"flowlint: {error}", err=True)
            sys.exit(EXIT_ERROR)
        diagnostics, known, baseline_fixed = filtered.new, filtered.known, filtered.fixed
    reported_files = sorted({source.path for source in result.project.files})
    if report_paths is not None:
        wanted = _ReportFilter(report_paths)
        diagnostics = [d for d in diagnostics if wanted.covers(d.file) or any(wanted.covers(r.file) for r in d.related)]
        reported_files = [f for f in reported_files if wanted.covers(f)]
    color = output_format in TEXT_FORMATS and _use_color(color_choice, output_file is None and sys.stdout.isatty())
    report = Report(diagnostics, result.files_checked, reported_files, repo_root() or os.getcwd(),
                    known, baseline_fixed, color, statistics, quiet, fixed=fixed,
                    source=_frame_sources(result.project, stdin_filename, stdin_data),
                    masked=secured_literals(result.project) if output_format == "full" else frozenset())
    if fixed and output_format not in TEXT_FORMATS and not quiet:
        click.echo(f"flowlint: fixed {fixed} finding(s)", err=True)
    rendered = render(output_format, report)
    if output_file is None:
        click.echo(rendered, nl=False, color=color)
    else:
        try:
            # backslashreplace: a file name that is not UTF-8 must not abort the report.
            with open(output_file, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as handle:
                handle.write(rendered)
        except OSError as error:
            click.echo(f"flowlint: cannot write {output_file}: {error.strerror or error}", err=True)
            sys.exit(EXIT_ERROR)
    threshold = Severity(fail_on).rank
    failing = any(d.severity.rank >= threshold for d in diagnostics)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN)


def _fix(result: CheckResult, targets: list[str], resolver: ConfigResolver, report_paths: list[str] | None,
         unsafe: bool, diff: bool, fix_only: bool, quiet: bool) -> tuple[list[Diagnostic], int]:
    """--fix, --fix-only, --diff: fix, re-check on the fixed texts, then write or print the
    diff.  Returns the findings that remain and the number fixed (or exits: --diff, --fix-only)."""
    from flowlint.engine import check_paths
    from flowlint.fix.diffs import unified_diff
    from flowlint.fix.loop import fix_project, write
    from flowlint.loaders import overlay

    def recheck(texts: dict[str, bytes]) -> list[Diagnostic]:
        with overlay(texts):  # in this process: the fixed texts are not on disk yet
            return check_paths(targets, jobs=1, cache_dir=None, resolver=resolver).diagnostics

    wanted: Callable[[str], bool] = _ReportFilter(report_paths).covers if report_paths is not None else _everything
    formats = {source.path: source.format for source in result.project.files}
    outcome = fix_project(result.diagnostics, recheck, formats, unsafe=unsafe, wanted=wanted)
    for note in outcome.notes:
        click.echo(f"flowlint: {note}", err=True)
    if not quiet and outcome.rejected:
        click.echo(f"flowlint: {len(outcome.rejected)} fix(es) not applied: the re-check found a finding they "
                   "would introduce", err=True)
    if diff:
        for path, changed in outcome.files.items():
            click.echo(unified_diff(path, changed.before, changed.after), nl=False)
        if not quiet:
            click.echo(f"flowlint: would fix {outcome.fixed} finding(s) in {len(outcome.files)} file(s)", err=True)
        sys.exit(EXIT_FINDINGS if outcome.files else EXIT_CLEAN)
    written, problems = write(outcome.files.values())
    for problem in problems:
        click.echo(f"flowlint: {problem}", err=True)
    count = sum(f.findings for f in written)
    if fix_only:
        if not quiet:
            click.echo(f"flowlint: fixed {count} finding(s) in {len(written)} file(s)", err=True)
        sys.exit(EXIT_ERROR if problems else EXIT_CLEAN)
    if problems:  # what was not written is still there: report the findings as they are on disk
        return result.diagnostics, 0
    return outcome.diagnostics, count


def _everything(_: str) -> bool:
    return True


def _frame_sources(project: Project, stdin_filename: str | None, stdin_data: bytes | None) -> Callable[[str], str | None]:
    """The text of a flow file for code frames (None: no frame).  Only the flow files read
    (never a .tf, .tfvars or options file, where credentials live; never an export)."""
    from flowlint.ir import SourceFormat
    from flowlint.loaders import decode_text

    readable = {source.path for source in project.files if source.format is not SourceFormat.EXPORT}
    texts: dict[str, str | None] = {}

    def read(path: str) -> str | None:
        if path not in readable:
            return None
        if path not in texts:
            try:
                if stdin_data is not None and path == stdin_filename:
                    texts[path] = decode_text(stdin_data)
                else:
                    with open(path, "rb") as handle:
                        texts[path] = decode_text(handle.read())
            except (OSError, UnicodeDecodeError):
                texts[path] = None
        return texts[path]

    return read


def _not_flows(targets: list[str], linted: list[str], stdin_filename: str | None) -> list[str]:
    """Files named on the command line that turned out not to be flows (Terraform files and
    Archy options files are read for how flows are deployed: they count as used)."""
    from flowlint.deploy.options import may_be_options_file
    from flowlint.loaders.discover import TERRAFORM_SUFFIXES

    seen = {os.path.normcase(os.path.abspath(path)) for path in linted}
    found: list[str] = []
    for target in targets:
        if target == stdin_filename or os.path.isdir(target) or target.lower().endswith(TERRAFORM_SUFFIXES):
            continue
        if os.path.normcase(os.path.abspath(target)) not in seen and not may_be_options_file(target):
            found.append(target)
    return found


def _cpu_count() -> int:
    sched_getaffinity = getattr(os, "sched_getaffinity", None)  # CPUs this process may use (Linux)
    if sched_getaffinity is not None:
        return max(1, len(sched_getaffinity(0)))
    return os.cpu_count() or 1


def _cache_root(config_root: str | None, targets: list[str]) -> str:
    """Where the default cache lives: the configuration's directory, else the git work tree
    of the first path, else the current directory (the --project root, as an absolute path)."""
    from flowlint.reporters import repo_root

    return config_root or repo_root(targets[0]) or os.getcwd()


def _use_color(choice: str, is_terminal: bool) -> bool:
    if choice != "auto":
        return choice == "always"
    return is_terminal and not os.environ.get("NO_COLOR")  # no-color.org: set and non-empty


def _project_root(config_root: str | None, targets: list[str]) -> str:
    """The project to lint in --project mode, as the user would write it (relative when below the cwd)."""
    from flowlint.reporters import repo_root

    root = config_root or repo_root(targets[0]) or os.getcwd()
    relative = os.path.relpath(root)
    return root if relative.startswith(os.pardir) else relative


def _is_within(path: str, root: str) -> bool:
    relative = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    return relative != os.pardir and not relative.startswith(os.pardir + os.sep)


class _ReportFilter:
    """Which diagnostics --project reports: those in (or below) the given paths."""

    def __init__(self, paths: list[str]) -> None:
        self._paths = [os.path.realpath(p) for p in paths]
        self._cache: dict[str, bool] = {}

    def covers(self, path: str) -> bool:
        found = self._cache.get(path)
        if found is None:
            real = os.path.realpath(path)
            found = any(real == p or real.startswith(p.rstrip(os.sep) + os.sep) for p in self._paths)
            self._cache[path] = found
        return found


def _exit_if_missing(targets: list[str]) -> None:
    missing = [t for t in targets if not os.path.lexists(t)]
    if missing:
        click.echo(f"flowlint: no such file or directory: {', '.join(missing)}", err=True)
        sys.exit(EXIT_ERROR)


def _overrides(config_args: tuple[str, ...], select: tuple[str, ...], extend_select: tuple[str, ...],
               ignore: tuple[str, ...], exclude: tuple[str, ...], extend_exclude: tuple[str, ...],
               substitute: tuple[str, ...], options_files: tuple[str, ...],
               respect_gitignore: bool | None) -> tuple[str | None, Overrides]:
    """The configuration file named by ``--config`` and what the command line overrides,
    for every command that discovers projects (a usage error for anything malformed)."""
    from flowlint.overrides import Overrides, UsageProblem, split_codes, split_config, split_globs, \
        substitution_pairs

    try:
        config_file, settings = split_config(config_args)
        overrides = Overrides(
            select=split_codes(select, "--select") if select else None,
            extend_select=split_codes(extend_select, "--extend-select"), ignore=split_codes(ignore, "--ignore"),
            exclude=split_globs(exclude) if exclude else None, extend_exclude=split_globs(extend_exclude),
            settings=settings, substitutions=substitution_pairs(substitute), options_files=list(options_files),
            respect_gitignore=respect_gitignore)
        for path in options_files:
            if not os.path.isfile(path):
                raise UsageProblem(f"--substitutions: options file {path!r} does not exist")
    except UsageProblem as error:
        raise click.UsageError(str(error)) from error
    return config_file, overrides


def _project_options(command: Callable[..., None]) -> Callable[..., None]:
    """The discovery and configuration options `map` and `attributes` share with `check`."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--config", "config_args", multiple=True, metavar="FILE | KEY=VALUE",
                     help="A configuration file for every path, or a TOML 'key = value' overriding that key of every "
                          "configuration (repeatable), as for `check`."),
        click.option("--select", "select", multiple=True, metavar="CODES", help="Rules whose findings are shown."),
        click.option("--ignore", "ignore", multiple=True, metavar="CODES", help="Rules whose findings are not shown."),
        click.option("--exclude", "exclude", multiple=True, metavar="GLOBS", help="Globs of files to leave out."),
        click.option("--extend-exclude", multiple=True, metavar="GLOBS", help="Add to the excluded globs."),
        click.option("--respect-gitignore/--no-respect-gitignore", "respect_gitignore", default=None,
                     help="Skip files that git ignores (default: on, or config respect-gitignore)."),
        click.option("--substitute", "substitute", multiple=True, metavar="KEY=VALUE",
                     help="Archy substitution value for {{KEY}} (repeatable), as for `check`."),
        click.option("--substitutions", "options_files", multiple=True, type=click.Path(dir_okay=False),
                     help="An Archy options file (repeatable), as for `check`."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help="Worker processes for loading (default: the number of CPUs)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _load_map(paths: tuple[str, ...], config_args: tuple[str, ...], select: tuple[str, ...],
              ignore: tuple[str, ...], exclude: tuple[str, ...], extend_exclude: tuple[str, ...],
              respect_gitignore: bool | None, substitute: tuple[str, ...], options_files: tuple[str, ...],
              jobs: int | None) -> MapModel:
    """The projects under ``paths`` through check's pipeline, as a map (exit 2 on a usage,
    configuration or internal error).  Never from the cache: a re-check loads only what
    findings need, and the map shows every flow whole."""
    from flowlint.config import ConfigError, ConfigResolver, load_config
    from flowlint.overrides import adjuster
    from flowlint.reporters.map_model import build_map, load_projects

    targets = list(paths) or ["."]
    _exit_if_missing(targets)
    config_file, overrides = _overrides(config_args, select, (), ignore, exclude, extend_exclude, substitute,
                                        options_files, respect_gitignore)
    try:
        explicit = load_config(targets, config_file) if config_file is not None else None
        resolver = ConfigResolver(explicit, adjuster(overrides))
        model = build_map(load_projects(targets, resolver, jobs=jobs or _cpu_count()))
    except ConfigError as error:
        click.echo(f"flowlint: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception:  # noqa: BLE001 - the promise is exit 2 with a report, never a bare traceback
        click.echo("flowlint: internal error (please report this with the file that caused it):", err=True)
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_ERROR)
    if model.files_checked == 0:
        click.echo(f"flowlint: warning: no flow file found under {', '.join(targets)}", err=True)
    return model


def _write_output(text: str, output_file: str | None) -> None:
    if output_file is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output_file, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as handle:
            handle.write(text)
    except OSError as error:
        click.echo(f"flowlint: cannot write {output_file}: {error.strerror or error}", err=True)
        sys.exit(EXIT_ERROR)


_MAP_SUFFIXES = {".html": "html", ".htm": "html", ".json": "json", ".mmd": "mermaid", ".mermaid": "mermaid",
                 ".dot": "dot", ".gv": "dot"}


@main.command(name="map")
@_project_options
@click.option("--format", "output_format", type=click.Choice(["html", "json", "mermaid", "dot"]), default=None,
              help="html (default; a self-contained page), json (docs/map.md has its schema), mermaid or dot. "
                   "Without it, the -o file's suffix decides (.json, .mmd, .dot), else html.")
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False),
              help="Write the map to this file instead of standard output.")
@click.option("--flow", "flow_name", metavar="NAME", help="Only this flow and the flows linked to it.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="With --flow: how many links away flows are still shown.")
@click.option("--attribute", "attribute_name", metavar="NAME",
              help="Only this attribute (and its case variants): the flows that set and read it and the links "
                   "between them.")
@click.option("--links", "link_style", type=click.Choice(["relative", "vscode"]), default="relative",
              show_default=True, help="HTML: file links relative to the page, or vscode:// links to the line.")
@click.option("--rules-url", default="docs/rules.md", show_default=True,
              help="HTML: the rule reference that findings link to (an anchor per rule is added).")
def map_command(paths: tuple[str, ...], config_args: tuple[str, ...], select: tuple[str, ...],
                ignore: tuple[str, ...], exclude: tuple[str, ...], extend_exclude: tuple[str, ...],
                respect_gitignore: bool | None, substitute: tuple[str, ...], options_files: tuple[str, ...],
                jobs: int | None, output_format: str | None, output_file: str | None,
                flow_name: str | None, depth: int, attribute_name: str | None, link_style: str,
                rules_url: str) -> None:
    """Draw the flows under PATHS (default: .), the links between them and the attributes they
    set and read: an interactive HTML page, or JSON, Mermaid or DOT.

    Names, types and positions only: never a value from a flow. Exit codes: 0 written,
    2 usage, configuration or internal error (findings do not change it).
    """
    from flowlint.reporters.map_focus import FocusError, focus_attribute, focus_flow

    if flow_name is not None and attribute_name is not None:
        raise click.UsageError("--flow and --attribute each focus the map: give one of them")
    if output_format is None:
        suffix = os.path.splitext(output_file or "")[1].lower()
        output_format = _MAP_SUFFIXES.get(suffix, "html")
    model = _load_map(paths, config_args, select, ignore, exclude, extend_exclude, respect_gitignore, substitute,
                      options_files, jobs)
    select_on_open: dict[str, str] | None = None
    try:
        if flow_name is not None:
            model = focus_flow(model, flow_name, depth)
            select_on_open = {"flow": next(n.name for n in model.nodes if n.name.casefold() == flow_name.casefold())}
        elif attribute_name is not None:
            model = focus_attribute(model, attribute_name)
            select_on_open = {"attribute": next(a.name for a in model.attributes
                                                if a.name.casefold() == attribute_name.casefold())}
    except FocusError as error:
        raise click.UsageError(str(error)) from error
    if output_format == "json":
        from flowlint.reporters.map_json import render_json

        text = render_json(model)
    elif output_format == "mermaid":
        from flowlint.reporters.map_text import render_mermaid

        text = render_mermaid(model)
    elif output_format == "dot":
        from flowlint.reporters.map_text import render_dot

        text = render_dot(model)
    else:
        from flowlint.reporters.map_html import render_html

        directory = os.path.dirname(os.path.abspath(output_file)) if output_file else os.getcwd()
        text = render_html(model, output_dir=directory, link_style=link_style, rules_url=rules_url,
                           select=select_on_open)
    _write_output(text, output_file)
    if output_file is not None:
        flows = sum(1 for n in model.nodes if n.is_flow)
        click.echo(f"flowlint: wrote the map of {flows} flow(s) to {output_file}", err=True)


@main.command(name="attributes")
@_project_options
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json", "markdown"]),
              default="table", show_default=True, help="Output format.")
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False),
              help="Write the inventory to this file instead of standard output.")
def attributes_command(paths: tuple[str, ...], config_args: tuple[str, ...], select: tuple[str, ...],
                       ignore: tuple[str, ...], exclude: tuple[str, ...], extend_exclude: tuple[str, ...],
                       respect_gitignore: bool | None, substitute: tuple[str, ...], options_files: tuple[str, ...],
                       jobs: int | None, output_format: str, output_file: str | None) -> None:
    """The attribute inventory of the flows under PATHS (default: .): every attribute name, its
    store, where it is set and read, writers outside the flows, secured data, findings.

    Sorted and stable, to commit and review. Names and positions only: never a value.
    Exit codes: 0 written, 2 usage, configuration or internal error.
    """
    from flowlint.reporters.inventory import render_inventory

    model = _load_map(paths, config_args, select, ignore, exclude, extend_exclude, respect_gitignore, substitute,
                      options_files, jobs)
    _write_output(render_inventory(model, output_format), output_file)


@main.command(name="rules")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True, help="text: one line per rule; markdown: the full reference (docs/rules.md).")
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary."""
    from flowlint.registry import all_rules

    rules = all_rules()
    if output_format == "markdown":
        from flowlint.reporters.rules_markdown import render_rules

        _echo_to_pipe(render_rules(rules))
        return
    width = max(len(r.info.name) for r in rules)
    _echo_to_pipe("".join(f"{r.info.code}  {r.info.name:<{width}}  {r.info.severity.value:<7}  {r.info.summary}\n"
                          for r in rules))


def _echo_to_pipe(text: str) -> None:
    """Print ``text``; a reader that stops early (`flowlint rules | head -1`) is not an error:
    exit 0 quietly, as `ls | head` does, instead of click's exit 1."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that flush cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_CLEAN)


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a rule (by code or name): why it exists, with bad and good examples."""
    from flowlint.registry import UnknownSelector, resolve_selector, rules_by_code

    try:
        rule = rules_by_code().get(resolve_selector(code))
    except UnknownSelector as error:
        raise click.UsageError(str(error)) from error
    if rule is None:
        raise click.UsageError(f"{code!r} is a prefix, not one rule; `flowlint rules` lists them")
    info = rule.info
    lines = [f"{info.code} {info.name} ({info.severity.value})\n", f"{info.summary}\n", f"Why: {info.why}\n"]
    for example in info.examples:
        lines.append(f"{'Bad' if example.bad else 'Good'}: {example.title}")
        for name, content in example.files.items():
            lines.append(f"  # {name}")
            lines.extend(f"  {line}" for line in content.rstrip("\n").splitlines())
        lines.append("")
    _echo_to_pipe("".join(f"{line}\n" for line in lines))


@main.command()
@click.option("--tcp", metavar="HOST:PORT", help="Serve on TCP instead of stdio (for debugging).")
def lsp(tcp: str | None) -> None:
    """Run the language server (LSP over stdio) for editors."""
    from flowlint.lsp.server import serve  # pygls and lsprotocol load only for this command

    serve(tcp)


@main.group()
def daemon() -> None:
    """Manage the resident server used by `flowlint check --daemon`."""


@daemon.command(name="start")
@click.option("--idle-timeout", type=click.FloatRange(min=1, max=7 * 24 * 3600), default=None,
              help="Exit after this many seconds without a request (default: FLOWLINT_DAEMON_IDLE, else 900).")
def daemon_start(idle_timeout: float | None) -> None:
    """Start the server in the background (if none runs) and wait until it answers."""
    import time

    from flowlint.daemon import client, protocol

    path = protocol.socket_path(create=True)
    if path is None:
        raise click.ClickException("no private directory for the server's socket (needs Unix sockets, and "
                                   "XDG_RUNTIME_DIR or /tmp/flowlint-<uid> owned by you and closed to others)")
    if client.request("status", path) is None:
        client.start_server(path, idle_timeout)
        deadline = time.monotonic() + 30
        while client.request("status", path) is None:
            if time.monotonic() > deadline:
                raise click.ClickException(f"the server did not start (socket {path})")
            time.sleep(0.05)
    _echo_status(path)


@daemon.command(name="status")
def daemon_status() -> None:
    """Show the running server, then those of other installations of flowlint (another venv,
    pre-commit's environment); exit 1 if this installation's server does not run."""
    from flowlint.daemon import protocol

    path = protocol.socket_path()
    mine = path is not None and _echo_status(path)
    if not mine:
        click.echo("flowlint server: not running")
    for other in protocol.all_sockets():
        if other != path:
            _echo_status(other, other=True)
    if not mine:
        sys.exit(EXIT_FINDINGS)


@daemon.command(name="stop")
@click.option("--all", "stop_all", is_flag=True,
              help="Also stop the servers of other installations of flowlint (`flowlint daemon status` lists them).")
def daemon_stop(stop_all: bool) -> None:
    """Stop the running server (nothing to do if none runs)."""
    import time

    from flowlint.daemon import client, protocol

    path = protocol.socket_path()
    paths = [path] if path is not None else []
    if stop_all:
        paths += [p for p in protocol.all_sockets() if p != path]
    stopped = 0
    for each in paths:
        reply = client.request("stop", each)
        if reply is None or "pid" not in reply:
            continue
        deadline = time.monotonic() + 10
        while os.path.exists(each) and time.monotonic() < deadline:
            time.sleep(0.02)  # until it has let go of its socket
        click.echo(f"flowlint server: stopped (pid {reply.get('pid')})")
        stopped += 1
    if not stopped:
        click.echo("flowlint server: not running")


def _echo_status(path: str, other: bool = False) -> bool:
    from flowlint.daemon import client

    status = client.request("status", path)
    if status is None:
        return False
    if "pid" not in status:
        if other:  # another version's server: not ours to judge
            click.echo(f"flowlint server of another installation: {status.get('error', status)}, socket {path}")
            return True
        raise click.ClickException(f"the server at {path} answered: {status.get('error', status)}")
    who = f"flowlint server of another installation ({status.get('python')})" if other else "flowlint server"
    click.echo(f"{who}: running, pid {status.get('pid')}, up {status.get('uptime')} s, "
               f"{status.get('requests')} check(s) served, peak RSS {status.get('peak_rss_mb')} MB, "
               f"idle timeout {status.get('idle_timeout')} s, socket {status.get('socket')}")
    return True


from flowlint.expressions.command import expr  # noqa: E402 - imports click only, never the parser

main.add_command(expr)


if __name__ == "__main__":  # pragma: no cover
    main()
