"""The pipeline: discover -> load (IR) -> rules -> sorted diagnostics."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from flowlint.config import Config, ConfigResolver
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import Project
from flowlint.pipeline.units import (
    assemble,
    cross_flow_rules,
    per_file_rules,
    run_cross_flow_rules,
    run_per_file_rules,
)
from flowlint.loaders.discover import discover_configured


@dataclass(slots=True)
class CheckResult:
    project: Project
    diagnostics: list[Diagnostic] = field(default_factory=lambda: [])
    files_checked: int = 0
    #: Findings hidden by ``# flowlint: disable`` comments.
    suppressed: int = 0
    #: One project's configuration as the pipeline used it (its deployments and data actions
    #: included), from :func:`check_project`; the map and inventory build their analyses on it.
    config: Config | None = None


def run_rules(project: Project, config: Config) -> list[Diagnostic]:
    """Every enabled rule over an already loaded project, in the pipeline's order: per-file
    rules over every flow, cross-flow rules over the flows the organisation will have."""
    local = run_per_file_rules(project, config, per_file_rules(config))
    cross = run_cross_flow_rules(project, config, cross_flow_rules(config))
    return assemble(config, (), [local], cross)


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
                jobs: int | None = None, cache_dir: str | Callable[[Config], str | None] | None = None,
                resolver: ConfigResolver | None = None) -> CheckResult:
    """Lint ``paths``.  ``suppress=False`` ignores ``# flowlint:`` comments.

    The pipeline: discover, grouping files into projects (each configuration file's
    directory is one: ``resolver``; a given ``config`` makes everything one project) ->
    per project: how files are deployed (:mod:`flowlint.deploy`) -> load and per-file rules
    (``jobs`` worker processes, 1 = in this process) -> cross-flow rules -> finalize with the
    project's configuration.  ``cache_dir`` (a directory, or one per project's configuration)
    keeps units and the last run for the incremental engine.  Findings never cross projects and do
    not depend on ``jobs``, the cache or the order of ``paths``.
    """
    if config is not None:
        resolver = ConfigResolver(explicit=config)
    projects = discover_projects(paths, resolver or ConfigResolver())
    combined = CheckResult(Project())
    for project_config, files in projects:
        directory = cache_dir(project_config) if callable(cache_dir) else cache_dir
        result = check_project(files, project_config, suppress=suppress, jobs=jobs, cache_dir=directory)
        combined.project.flows.extend(result.project.flows)
        combined.project.files.extend(result.project.files)
        combined.diagnostics.extend(result.diagnostics)
        combined.files_checked += result.files_checked
        combined.suppressed += result.suppressed
    if len(projects) > 1:
        combined.diagnostics.sort(key=lambda d: d.sort_key)
    return combined


def discover_projects(paths: list[str], resolver: ConfigResolver) -> list[tuple[Config, list[tuple[str, str]]]]:
    """The files under ``paths`` (Terraform included), grouped by project: the configuration
    that applies to each, in a stable order (by configuration file; each file once)."""
    groups: dict[str | None, tuple[Config, list[tuple[str, str]]]] = {}
    for path, fmt, config in discover_configured(sorted(set(paths)), resolver.for_directory):
        groups.setdefault(config.path, (config, []))[1].append((path, fmt))
    ordered = sorted(groups.items(), key=lambda item: (item[0] is not None, item[0] or ""))
    return [(config, list(_unique(files))) for _, (config, files) in ordered]


def check_project(files: list[tuple[str, str]], config: Config, *, suppress: bool = True, jobs: int | None = None,
                  cache_dir: str | None = None) -> CheckResult:
    """One project's files (Terraform included) through the pipeline."""
    from flowlint.pipeline.collect import collect

    config, flow_files, repository_findings = read_deployments(files, config, cache_dir)
    found = collect(flow_files, config, jobs=jobs or 1, cache_dir=cache_dir)
    kept, suppressed = _finalize(found.diagnostics + repository_findings, config,
                                 found.project if suppress else None)
    return CheckResult(found.project, kept, found.files_checked, suppressed, config)


def read_deployments(files: list[tuple[str, str]], config: Config,
                     cache_dir: str | None = None) -> tuple[Config, list[tuple[str, str]], list[Diagnostic]]:
    """How a project's flow files are deployed (Terraform, options files, ``--substitute``):
    the configuration with the deployments, the flow files to load, and the findings in .tf
    and options files.  ``files`` are discovered (path, format), Terraform files included."""
    from flowlint.deploy.repository import read_repository

    repository = read_repository(files, config, cache_dir=cache_dir)
    deployments = repository.deployments if repository.deployments.by_file else None  # same cache as before
    return (replace(config, deployments=deployments, data_actions=tuple(repository.data_actions)),
            repository.flow_files, repository.findings)


def _unique(found: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Each file once, even when overlapping paths name it twice (``flows/ flows/a.yaml``):
    a flow loaded twice would look like a duplicate of itself."""
    seen: set[str] = set()
    for path, fmt in found:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            yield path, fmt
