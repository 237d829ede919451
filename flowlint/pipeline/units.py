"""Per-file units: one file loaded and checked by the rules that read it alone.

The pipeline (:mod:`flowlint.engine`) splits the rules where files meet:

* per file (:func:`check_file`, in a worker process or in this one): read, load, and run
  the rules marked ``per_file`` on a project of that one file, giving a :class:`FileUnit`;
* per project: the other (cross-flow) rules over every file's flows
  (:func:`run_cross_flow_rules`), and :func:`assemble` puts the findings in one order.

Sending IR between processes means pickling it, which is not free: a unit leaves the
process that loaded it as a *project view* (:func:`project_view`): the flows without what
only per-file rules read (expression values, variables, in-flow references, the file
text); flows the secured-data taint analysis may walk keep everything.  That is also what
the cache stores per file.  :func:`interface_of` and :class:`Links` describe what other
files' findings may depend on: the incremental engine (:mod:`flowlint.pipeline.resident`)
re-checks only what an edit can change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from flowlint.analysis.taint import secured_flow_table
from flowlint.config import Config
from flowlint.deploy.model import Deployment
from flowlint.diagnostics import Diagnostic
from flowlint.ir import (
    DATA_GET_KINDS,
    DATA_SET_KINDS,
    ActionKind,
    Flow,
    Project,
    SourceFormat,
)
from flowlint.loaders.result import LoadResult
from flowlint.tables import ActionTable, action_table

if TYPE_CHECKING:
    from flowlint.registry import Rule

#: Kinds whose flows the taint analysis may walk (directly, or through modules): keep them whole.
_TAINT_KINDS = frozenset({ActionKind.GET_SECURED_DATA, ActionKind.CALL_COMMON_MODULE})
#: Participant, conversation and secured data actions.
_DATA_KINDS = DATA_SET_KINDS | DATA_GET_KINDS
#: Kinds that link flows (as in flowlint.analysis.flowgraph, plus Transfer to ACD overrides).
_EDGE_KINDS = frozenset({ActionKind.TRANSFER_TO_FLOW, ActionKind.TRANSFER_TO_SECURE_FLOW,
                         ActionKind.CALL_COMMON_MODULE, ActionKind.CALL_BOT_FLOW,
                         ActionKind.CALL_DIGITAL_BOT_FLOW})




@dataclass(slots=True)
class FileUnit:
    """One file, loaded and checked by the per-file rules."""

    path: str
    fmt: str
    #: sha256 of the bytes loaded; None when the file could not be read.
    digest: str | None
    result: LoadResult
    #: Per-file rule code -> findings, in emission order.
    local: dict[str, list[Diagnostic]] = field(default_factory=lambda: {})
    #: What other files' findings can depend on (see :func:`interface_of`).
    interface: str = ""
    #: Some flow is kept whole (taint); its interface is then its content.
    full: bool = False
    #: The text has ``flowlint`` in it: suppression comments need the file's actions.
    directives: bool = False




@dataclass(slots=True)
class Collected:
    """What :func:`collect` hands back to ``check_paths`` (findings not yet finalized)."""

    project: Project
    diagnostics: list[Diagnostic]
    files_checked: int
    #: How the run went, for benchmarks and tests: "full", "warm" or "unchanged".
    mode: str = "full"
    rechecked: int = 0


def table_for(config: Config) -> ActionTable:
    aliases = config.action_aliases
    if not aliases:
        return action_table()
    return action_table().with_aliases(aliases.get("yaml", {}), aliases.get("export", {}))


def deployments_of(config: Config, path: str) -> tuple[Deployment, ...]:
    return config.deployments.for_file(path) if config.deployments is not None else ()


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


def per_file_rules(config: Config) -> list[Rule]:
    from flowlint.registry import all_rules

    return [r for r in all_rules() if r.per_file and config.is_enabled(r.info.code)]


def cross_flow_rules(config: Config) -> list[Rule]:
    from flowlint.registry import all_rules

    return [r for r in all_rules() if not r.per_file and config.is_enabled(r.info.code)]


def check_file(path: str, fmt: str, config: Config, table: ActionTable, rules: Sequence[Rule]) -> FileUnit:
    """Load one file and run the per-file ``rules`` on it (as ``run_rules`` would in a project)."""
    from flowlint.loaders import read_and_load

    result, data = read_and_load(path, fmt, table, deployments_of(config, path))
    return unit_of(path, fmt, hashlib.sha256(data).hexdigest() if data is not None else None, result, config, rules)


def unit_of(path: str, fmt: str, digest: str | None, result: LoadResult, config: Config,
            rules: Sequence[Rule]) -> FileUnit:
    """A loaded file checked by the per-file ``rules`` (an editor's text has digest "")."""
    from flowlint.context import Context
    from flowlint.registry import run_check

    unit = FileUnit(path, fmt, digest, result)
    if result.not_a_flow:
        unit.interface = "not a flow"
        return unit
    ctx = Context(Project(list(result.flows), [result.source] if result.source is not None else []), config)
    for rule in rules:
        unit.local[rule.info.code] = run_check(rule, ctx)
    unit.full = any(needs_whole_flow(flow) for flow in result.flows)
    unit.interface = interface_of(result, unit.digest, unit.full)
    source = result.source
    unit.directives = source is not None and source.format is SourceFormat.YAML and "flowlint" in source.text
    return unit


def needs_whole_flow(flow: Flow) -> bool:
    """Whether the taint analysis (FL003, FL007) may walk this flow: keep all of it then.
    Sources besides Get Secured Data (Decrypt Data, ...) come from flowlint/data/sinks.json."""
    table = secured_flow_table()
    return (flow.type == "commonmodule"
            or any(v.is_secure for v in flow.variables)
            or any(v.is_secure for c in flow.containers for v in c.variables)
            or any(a.kind in _TAINT_KINDS or table.is_source(a) for a in flow.actions))


def _kept_value(path: str) -> bool:
    """Values the cross-flow analyses read on every flow (must-set loops, in-queue overrides)."""
    return path == "loopCount" or path.startswith("overrideInQueueFlow")


def project_view(unit: FileUnit, undo: list[tuple[object, str, object]] | None = None) -> None:
    """Strip, in place, what only per-file rules read (they have run), so that the unit is
    cheaper to pickle; cross-flow rules and suppression comments see no difference.
    With ``undo``, record what was replaced so that :func:`restore` can put it back."""
    result = unit.result

    def put(obj: object, name: str, value: object) -> None:
        if undo is not None:
            undo.append((obj, name, getattr(obj, name)))
        setattr(obj, name, value)

    for flow in result.flows:
        if needs_whole_flow(flow):
            continue
        put(flow, "variables", [])
        put(flow, "references", [])
        for container in flow.containers:
            put(container, "variables", [])
        for action in flow.actions:
            put(action, "values", [(path, value) for path, value in action.values if _kept_value(path)])
            put(action, "bindings", [])
    source = result.source
    if source is not None and source.locator is not None:
        from flowlint.loaders.json_positions import JsonLocator, make_locator  # loaded with the JSON file

        if isinstance(source.locator, JsonLocator) and source.locator.parsed:
            # A parsed locator does not survive pickling (lark tokens lose their end positions):
            # ship the text, to parse again on demand.  Spans resolved so far stay in their Locs.
            put(source, "locator", make_locator(source.text))
    if source is not None and not unit.full and not unit.directives:
        put(source, "text", "")  # positions are resolved (YAML) or kept by the locator (JSON)


def restore(undo: list[tuple[object, str, object]]) -> None:
    for obj, name, value in reversed(undo):
        setattr(obj, name, value)


def view_bytes(unit: FileUnit) -> bytes:
    """The pickled project view of ``unit``, which itself stays whole."""
    import pickle

    undo: list[tuple[object, str, object]] = []
    project_view(unit, undo)
    try:
        return pickle.dumps(unit, pickle.HIGHEST_PROTOCOL)
    finally:
        restore(undo)


def interface_of(result: LoadResult, digest: str | None, full: bool) -> str:
    """A digest of everything findings in *other* files may depend on, positions aside.

    This is the contract for cross-flow rules: from a flow other than the one a finding is
    in, they may read its name, types, data actions (kind, attribute names and where they
    are) and the actions that link it to other flows (kind, target, in-queue override).
    Positions only show up in findings that name this file, and those are re-checked.
    Anything else (control flow, expressions) is read only from flows the taint analysis
    walks (modules, secured data, module calls), whose interface is their whole content.
    A cross-flow rule needing more must extend this function (and the facts the incremental
    engine compares, :mod:`flowlint.pipeline.facts`).
    """
    if full or digest is None:
        return f"content:{digest}"
    from flowlint.analysis.attributes import literal_name

    parts: list[object] = [len(result.flows), bool(result.diagnostics)]
    for flow in result.flows:
        parts.append((flow.name, flow.type, flow.type_key, tuple(flow.compatible_flow_types)))
        for action in flow.actions:
            if action.kind in _DATA_KINDS:
                parts.append((action.kind.value, tuple((literal_name(a), a.name.kind.value, a.name.text)
                                                       for a in action.attributes)))
            elif action.kind is ActionKind.CALL_DATA_ACTION:  # one may write any attribute (FL005)
                parts.append((action.kind.value, action.target.text if action.target is not None else None))
            elif action.kind in _EDGE_KINDS or action.kind is ActionKind.TRANSFER_TO_ACD:
                target = action.target.text if action.target is not None else None
                parts.append((action.kind.value, target,
                              tuple(v.text for p, v in action.values if p.startswith("overrideInQueueFlow"))))
    return "shape:" + hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


class Links(NamedTuple):
    """What ties a file's flows to other files' in cross-flow rules: names, case-folded (an
    over-approximation of the exact-else-folded lookups the rules make, which is safe).
    A named tuple: a snapshot holds one per file, and tuples pickle fastest."""

    #: The file's flows: (name, type, type key); stand-ins for them in a warm run's project.
    flows: tuple[tuple[str, str, str], ...] = ()
    #: Flow names: duplicates (FL105) and flow links resolve by them.
    names: tuple[str, ...] = ()
    #: Literal attribute names of data actions: Sets and Gets meet by them (FL001, FL005).
    attributes: tuple[str, ...] = ()
    #: Flow names its actions link to (transfers, module and bot calls, in-queue overrides).
    targets: tuple[str, ...] = ()
    #: Names of the data actions it calls ("" when unknown): one that writes participant
    #: attributes may have set any name a Get anywhere in its deployment reads (FL005).
    data_actions: tuple[str, ...] = ()


def links_of(result: LoadResult) -> Links:
    from flowlint.analysis.attributes import literal_name
    from flowlint.analysis.flowgraph import flow_link

    attributes: set[str] = set()
    targets: set[str] = set()
    data_actions: set[str] = set()
    for flow in result.flows:
        for action in flow.actions:
            if action.kind is ActionKind.CALL_DATA_ACTION:
                data_actions.add((action.target.text or "") if action.target is not None else "")
            elif action.kind in _DATA_KINDS:
                attributes.update(name.lower() for name in map(literal_name, action.attributes) if name is not None)
            else:
                value = flow_link(action)
                if value is not None and value.text:
                    targets.add(value.text.lower())
    return Links(tuple((f.name, f.type, f.type_key) for f in result.flows),
                 tuple(sorted({f.name.lower() for f in result.flows})), tuple(sorted(attributes)),
                 tuple(sorted(targets)), tuple(sorted(data_actions)))


def run_per_file_rules(project: Project, config: Config, rules: Sequence[Rule]) -> dict[str, list[Diagnostic]]:
    """The per-file ``rules`` over every flow of ``project`` at once (their findings depend
    on each flow's own file only, so this equals :func:`check_file` file by file)."""
    from flowlint.context import Context
    from flowlint.registry import run_check

    ctx = Context(project, config)
    return {rule.info.code: run_check(rule, ctx) for rule in rules}


def run_cross_flow_rules(project: Project, config: Config, rules: Sequence[Rule],
                         report: frozenset[str] | None = None) -> dict[str, list[Diagnostic]]:
    """The cross-flow ``rules`` over ``project``; with ``report``, findings are wanted in
    those files only (others may be left out: the caller discards them)."""
    from flowlint.analysis.shadowing import cross_flow_view
    from flowlint.context import Context
    from flowlint.registry import run_check

    ctx = Context(cross_flow_view(project, config.yaml_shadows_exports), config, report)
    return {rule.info.code: run_check(rule, ctx) for rule in rules}


def assemble(config: Config, load: Iterable[list[Diagnostic]], local: Sequence[dict[str, list[Diagnostic]]],
             cross: dict[str, list[Diagnostic]]) -> list[Diagnostic]:
    """All findings in the order ``check_paths`` gathers them: loaders (file order), then each
    rule in registry order over the files in order."""
    from flowlint.registry import all_rules

    found: list[Diagnostic] = [d for diagnostics in load for d in diagnostics]
    for rule in all_rules():
        code = rule.info.code
        if rule.per_file:
            for unit_local in local:
                found.extend(unit_local.get(code, ()))
        else:
            found.extend(cross.get(code, ()))
    return found
