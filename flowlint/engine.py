"""The pipeline: discover -> load (IR) -> rules -> sorted diagnostics."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from flowlint.analysis.shadowing import cross_flow_view
from flowlint.config import Config
from flowlint.context import Context
from flowlint.deploy.model import Deployment
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import Project
from flowlint.loaders import LoadResult, load_file
from flowlint.loaders.discover import discover_all
from flowlint.registry import all_rules, run_check
from flowlint.tables import ActionTable, action_table


@dataclass(slots=True)
class CheckResult:
    project: Project
    diagnostics: list[Diagnostic] = field(default_factory=lambda: [])
    files_checked: int = 0
    #: Findings hidden by ``# flowlint: disable`` comments.
    suppressed: int = 0


def table_for(config: Config) -> ActionTable:
    aliases = config.action_aliases
    if not aliases:
        return action_table()
    return action_table().with_aliases(aliases.get("yaml", {}), aliases.get("export", {}))


def build_project(results: Iterable[LoadResult]) -> tuple[Project, list[Diagnostic]]:
    project = Project()
    diagnostics: list[Diagnostic] = []
    for result in results:
        if result.not_a_flow:
            continue
        if result.source is not None:
            project.files.append(result.source)
        project.flows.extend(result.flows)
        diagnostics.extend(result.diagnostics)
    return project, diagnostics


def run_rules(project: Project, config: Config) -> list[Diagnostic]:
    """Every enabled rule: per-file rules over every flow, cross-flow rules over the flows
    the organisation will have (exports shadowed by their YAML left out)."""
    ctx = Context(project, config)
    cross = cross_flow_view(project, config.yaml_shadows_exports)
    cross_ctx = ctx if cross is project else Context(cross, config)
    found: list[Diagnostic] = []
    for rule in all_rules():
        if config.is_enabled(rule.info.code):
            found.extend(run_check(rule, ctx if rule.per_file else cross_ctx))
    return found


def finalize(diagnostics: list[Diagnostic], config: Config, *, project: Project | None = None) -> list[Diagnostic]:
    """Apply select/ignore/per-file-ignores and severity overrides, then (given the
    project) inline suppression comments and FL900; sort by file, position, code."""
    return _finalize(diagnostics, config, project)[0]


def _finalize(diagnostics: list[Diagnostic], config: Config, project: Project | None) -> tuple[list[Diagnostic], int]:
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if not config.is_enabled_for(diagnostic.code, diagnostic.file):
            continue
        override = config.severity.get(diagnostic.code)
        if override is not None:
            diagnostic.severity = Severity(override)
        kept.append(diagnostic)
    kept = _merge_deployments(kept)
    suppressed = 0
    if project is not None:
        from flowlint import suppressions

        kept, suppressed = suppressions.apply(kept, project, config)
    kept.sort(key=lambda d: d.sort_key)
    return kept, suppressed


def _merge_deployments(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One finding per place and message, naming every deployment it holds for: a template
    deployed twice gives the same per-file finding twice, which is one defect to fix."""
    if not any(d.deployment for d in diagnostics):
        return diagnostics
    groups: dict[tuple[object, ...], list[Diagnostic]] = {}
    order: list[Diagnostic | tuple[object, ...]] = []
    for diagnostic in diagnostics:
        if diagnostic.deployment is None:
            order.append(diagnostic)
            continue
        key = (diagnostic.code, diagnostic.file, diagnostic.span, diagnostic.logical, diagnostic.message,
               diagnostic.attribute, diagnostic.related)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(diagnostic)
    kept: list[Diagnostic] = []
    for item in order:
        if isinstance(item, Diagnostic):
            kept.append(item)
            continue
        group = groups[item]
        first = group[0]
        names = sorted({d.deployment for d in group if d.deployment is not None})
        if len(names) == 1 and names[0] in first.message:
            kept.append(first)  # the message already names its deployment
            continue
        # A new object: cached findings (a resident server keeps them) must stay as they were.
        kept.append(replace(first, message=f"{first.message} [deployed by {', '.join(names)}]"))
    return kept


def check_paths(paths: list[str], config: Config | None = None, *, suppress: bool = True,
                jobs: int | None = None, cache_dir: str | None = None) -> CheckResult:
    """Lint ``paths`` as one project.  ``suppress=False`` ignores ``# flowlint:`` comments.

    ``jobs`` (worker processes; 1 = in this process) and ``cache_dir`` (on-disk cache) select
    the file-by-file pipeline of :mod:`flowlint.parallel`, whose findings are the same; by
    default everything runs here, uncached.
    """
    config, files, repository_findings = read_deployments(paths, config or Config(), cache_dir)
    if jobs is not None or cache_dir is not None:
        from flowlint.parallel import collect

        found = collect(files, config, jobs=jobs or 1, cache_dir=cache_dir)
        kept, suppressed = _finalize(found.diagnostics + repository_findings, config,
                                     found.project if suppress else None)
        return CheckResult(found.project, kept, found.files_checked, suppressed)
    table = table_for(config)
    results = [load_file(path, fmt, table, deployments_of(config, path)) for path, fmt in files]
    project, diagnostics = build_project(results)
    diagnostics.extend(run_rules(project, config))
    diagnostics.extend(repository_findings)
    kept, suppressed = _finalize(diagnostics, config, project if suppress else None)
    checked = sum(1 for r in results if not r.not_a_flow)
    return CheckResult(project, kept, checked, suppressed)


def read_deployments(paths: list[str], config: Config,
                     cache_dir: str | None = None) -> tuple[Config, list[tuple[str, str]], list[Diagnostic]]:
    """Discover ``paths`` and read how the flow files are deployed (Terraform, options files,
    ``--substitute``): the configuration with the deployments, the flow files to load, and
    the findings in .tf and options files."""
    from flowlint.deploy.repository import read_repository

    found = list(_unique(discover_all(paths, config.is_excluded, config.respect_gitignore)))
    repository = read_repository(found, config, cache_dir=cache_dir)
    deployments = repository.deployments if repository.deployments.by_file else None  # same cache as before
    return replace(config, deployments=deployments), repository.flow_files, repository.findings


def deployments_of(config: Config, path: str) -> tuple[Deployment, ...]:
    return config.deployments.for_file(path) if config.deployments is not None else ()


def _unique(found: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Each file once, even when overlapping paths name it twice (``flows/ flows/a.yaml``):
    a flow loaded twice would look like a duplicate of itself."""
    seen: set[str] = set()
    for path, fmt in found:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            yield path, fmt
