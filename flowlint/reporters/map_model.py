"""The map of one or more projects: flows, the links between them, attributes and their
Set/Get sites, secured-data chains and findings.

Built from what ``flowlint check`` computes (:func:`flowlint.engine.check_project` per
project, then the same analyses the rules use: :class:`flowlint.context.Context`'s flow
graph, attribute table, external writers and secured-data taint).  It holds names, types
and positions only: never a value from a flow (no Set value, no literal, no expression
text), so every output made from it (HTML, JSON, Mermaid, DOT, the inventory) is safe to
share.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flowlint.analysis.attributes import DATA_ACTION_LABELS, Store
from flowlint.analysis.taint import Role, attribute_at, is_declassified, secured_flow_table, sink_hits, tainted_read
from flowlint.config import Config, ConfigResolver
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic
from flowlint.engine import CheckResult, check_project, discover_projects
from flowlint.ir import ActionKind, Flow, Loc, Project, ValueKind
from flowlint.registry import rules_by_code
from flowlint.tables import flow_type_by_api_type

#: Edge kinds, by the action that makes the link ("flow-link": configuration ``flow-links``).
EDGE_KINDS: dict[ActionKind, str] = {
    ActionKind.TRANSFER_TO_FLOW: "transfer",
    ActionKind.TRANSFER_TO_SECURE_FLOW: "secure-transfer",
    ActionKind.TRANSFER_TO_ACD: "in-queue",
    ActionKind.CALL_COMMON_MODULE: "module-call",
    ActionKind.CALL_BOT_FLOW: "bot-call",
    ActionKind.CALL_DIGITAL_BOT_FLOW: "bot-call",
}
EDGE_KIND_LABELS = {
    "transfer": "transfer to flow",
    "secure-transfer": "transfer to secure flow",
    "in-queue": "in-queue flow override",
    "module-call": "common module call",
    "bot-call": "bot flow call",
    "flow-link": "configured flow-link",
}
#: The store each data action addresses, as the map names it.
_STORE_NAMES = {
    ActionKind.SET_PARTICIPANT_DATA: "participant", ActionKind.GET_PARTICIPANT_DATA: "participant",
    ActionKind.SET_CONVERSATION_DATA: "conversation", ActionKind.GET_CONVERSATION_DATA: "conversation",
    ActionKind.SET_SECURED_DATA: "secured", ActionKind.GET_SECURED_DATA: "secured",
}
#: A Set's value: Archy YAML ``attributes[i].attribute.value``, export ``variables[i].expression``.


@dataclass(slots=True)
class Position:
    file: str
    line: int | None = None
    column: int | None = None
    #: The logical location (``task "Start" > action "Read"``): exports have no lines.
    logical: str = ""

    @property
    def text(self) -> str:
        """``file:line`` (or ``file`` with the logical location when there is no line)."""
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return f"{self.file} ({self.logical})" if self.logical else self.file


def position_of(loc: Loc) -> Position:
    span = loc.file.resolve(loc)
    if span is None:
        return Position(loc.file.path, None, None, loc.logical)
    return Position(loc.file.path, span.line, span.column, loc.logical)


@dataclass(slots=True)
class MapProject:
    id: str
    #: The configuration file's directory, relative to the current directory ("." for it).
    name: str
    config: str | None


@dataclass(slots=True)
class MapNode:
    id: str
    name: str
    #: Platform API type (``inboundcall``) or, for a name no flow of the project has,
    #: ``missing`` / ``external`` (config ``external-flows``).
    type: str
    type_label: str
    project: str
    position: Position | None
    deployment: str | None = None
    #: Layout: top-left corner and size, in SVG units (:mod:`flowlint.reporters.map_layout`).
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0

    @property
    def is_flow(self) -> bool:
        return self.type not in ("missing", "external")


@dataclass(slots=True)
class MapEdge:
    id: str
    source: str
    target: str
    kind: str
    #: The action making the link (None for configured flow-links).
    action: str | None
    position: Position | None


@dataclass(slots=True)
class MapSite:
    node: str
    action: str
    action_type: str
    op: str  # "set" | "get"
    store: str  # "participant" | "conversation" | "secured"
    position: Position
    #: Set: the value written carries secured data (a taint chain reaches it), or it is in
    #: the secured store; Get: it reads the secured store.
    secured: bool = False
    #: Get: a writer outside the flows that certainly writes this name into the
    #: conversations the Get can see (web chat's ``context.*``, configuration, ...).
    external: str | None = None
    #: Get: the read is guarded (``IsNotSetOrEmpty``) right after.
    guarded: bool = False


@dataclass(slots=True)
class MapPath:
    """How a Set reaches a Get: the flows' links from a flow that sets it to the Get's flow."""

    get: int  # index into the attribute's sites
    set_node: str
    edges: list[str]


@dataclass(slots=True)
class MapAttribute:
    name: str
    stores: list[str]
    sites: list[MapSite]
    #: Other names that differ from this one in letter case only.
    variants: list[str] = field(default_factory=lambda: [])
    #: Writers outside the flows that write this exact name (for some flow type).
    external: list[str] = field(default_factory=lambda: [])
    paths: list[MapPath] = field(default_factory=lambda: [])
    #: Secured data reaches it: it is in the secured store, or a Set writes a secured value.
    secured: bool = False
    findings: list[int] = field(default_factory=lambda: [])


@dataclass(slots=True)
class ChainStep:
    variable: str
    how: str
    position: Position
    declassified: bool = False


@dataclass(slots=True)
class MapChain:
    """Secured data reaching a sink (a screen pop, participant data, a data action input...)."""

    node: str
    action: str
    sink: str
    rule: str
    position: Position
    steps: list[ChainStep]
    attribute: str | None = None
    declassified: bool = False


@dataclass(slots=True)
class MapFinding:
    code: str
    rule: str
    severity: str
    message: str
    position: Position
    node: str | None = None
    attribute: str | None = None


@dataclass(slots=True)
class MapModel:
    projects: list[MapProject] = field(default_factory=lambda: [])
    nodes: list[MapNode] = field(default_factory=lambda: [])
    edges: list[MapEdge] = field(default_factory=lambda: [])
    attributes: list[MapAttribute] = field(default_factory=lambda: [])
    chains: list[MapChain] = field(default_factory=lambda: [])
    findings: list[MapFinding] = field(default_factory=lambda: [])
    files_checked: int = 0
    #: What the map is focused on (``--flow`` / ``--attribute``), if anything.
    focus: str | None = None

    def node(self, node_id: str) -> MapNode:
        return self._nodes_by_id()[node_id]

    def _nodes_by_id(self) -> dict[str, MapNode]:
        return {node.id: node for node in self.nodes}


@dataclass(slots=True)
class LoadedProject:
    config: Config
    result: CheckResult


def load_projects(paths: list[str], resolver: ConfigResolver, *, jobs: int | None = None,
                  cache_dir: str | Callable[[Config], str | None] | None = None) -> list[LoadedProject]:
    """Every project under ``paths`` through ``check``'s pipeline (same discovery,
    configuration, deployments and findings), one result per project."""
    loaded: list[LoadedProject] = []
    for project_config, files in discover_projects(paths, resolver):
        directory = cache_dir(project_config) if callable(cache_dir) else cache_dir
        result = check_project(files, project_config, jobs=jobs, cache_dir=directory)
        loaded.append(LoadedProject(result.config or project_config, result))
    return loaded


def build_map(projects: Iterable[LoadedProject]) -> MapModel:
    model = MapModel()
    builder = _Builder(model)
    for loaded in projects:
        builder.add_project(loaded.config, loaded.result.project, loaded.result.diagnostics)
        model.files_checked += loaded.result.files_checked
    builder.finish()
    return model


def docs_anchor(code: str) -> str:
    """The heading anchor of a rule in docs/rules.md (``fl005-get-before-set``)."""
    rule = rules_by_code().get(code)
    return f"{code.lower()}-{rule.info.name}" if rule is not None else code.lower()


class _Builder:
    def __init__(self, model: MapModel) -> None:
        self.model = model
        #: name -> sites (every project), and what the attributes' other fields need.
        self.sites: dict[str, list[MapSite]] = {}
        self.external: dict[str, set[str]] = {}
        self.secured: set[str] = set()

    def add_project(self, config: Config, project: Project, diagnostics: list[Diagnostic]) -> None:
        model = self.model
        project_id = f"p{len(model.projects)}"
        name = os.path.relpath(os.path.dirname(config.path)) if config.path else "."
        model.projects.append(MapProject(project_id, name, config.path))
        ctx = Context(project, config)
        flows = sorted(project.flows, key=lambda f: (f.name.casefold(), f.name, f.type, f.file.path,
                                                      f.deployment or ""))
        node_of: dict[int, str] = {}
        for flow in flows:
            node_id = f"n{len(model.nodes)}"
            node_of[id(flow)] = node_id
            info = flow_type_by_api_type().get(flow.type)
            model.nodes.append(MapNode(node_id, flow.name, flow.type, info.label if info else flow.type_key,
                                       project_id, position_of(flow.name_loc), flow.deployment))
        self._add_edges(ctx, config, flows, node_of, project_id)
        self._add_sites(ctx, flows, node_of)
        self._add_chains(ctx, flows, node_of)
        self._add_findings(diagnostics, flows, node_of, _redactor(flows))

    def _add_edges(self, ctx: Context, config: Config, flows: list[Flow], node_of: dict[int, str],
                   project_id: str) -> None:
        model = self.model
        graph = ctx.flow_graph
        ghosts: dict[str, str] = {}
        external = {name.casefold() for name in config.external_flows}
        order = {id(flow): index for index, flow in enumerate(flows)}
        references = sorted(graph.references, key=lambda r: (order.get(id(r.source), 0), r.action.index))
        for reference in references:
            source = node_of.get(id(reference.source))
            kind = EDGE_KINDS.get(reference.action.kind)
            if source is None or kind is None:
                continue
            targets = [node_of[id(t)] for t in reference.targets if id(t) in node_of]
            if not targets:
                key = reference.name.casefold()
                ghost = ghosts.get(key)
                if ghost is None:
                    ghost = ghosts[key] = f"n{len(model.nodes)}"
                    is_external = key in external
                    model.nodes.append(MapNode(ghost, reference.name, "external" if is_external else "missing",
                                               "flow kept elsewhere (external-flows)" if is_external
                                               else "flow not in the project", project_id, None))
                targets = [ghost]
            for target in targets:
                model.edges.append(MapEdge(f"e{len(model.edges)}", source, target, kind, reference.action.name,
                                           position_of(reference.action.loc)))
        for after_name, before_names in sorted(config.flow_links.items()):
            for after in graph.lookup(after_name):
                for before_name in before_names:
                    for before in graph.lookup(before_name):
                        if id(before) in node_of and id(after) in node_of:
                            model.edges.append(MapEdge(f"e{len(model.edges)}", node_of[id(before)],
                                                       node_of[id(after)], "flow-link", None, None))

    def _add_sites(self, ctx: Context, flows: list[Flow], node_of: dict[int, str]) -> None:
        taints = ctx.taints
        order = {id(flow): index for index, flow in enumerate(flows)}
        sites = sorted(ctx.attributes.sites, key=lambda s: (order.get(id(s.flow), 0), s.action.index))
        for site in sites:
            name = site.name
            node = node_of.get(id(site.flow))
            if name is None or not name.strip() or node is None:
                continue  # computed or templated names (FL008), blank names (FL002): no name to show
            action_type, store = DATA_ACTION_LABELS[site.action.kind], _STORE_NAMES[site.action.kind]
            secured = site.store is Store.SECURED
            external: str | None = None
            if site.is_set:
                taint = taints.get(id(site.flow))
                state = taint.before(site.action.index) if taint is not None else None
                value = site.attribute.value
                if state and value is not None and tainted_read(state, value) is not None:
                    secured = True
            else:
                writer = ctx.external.covering(name, ctx.scope(site.flow))
                external = writer.title if writer is not None else None
            if secured:
                self.secured.add(name)
            self.sites.setdefault(name, []).append(MapSite(
                node, site.action.name, action_type, "set" if site.is_set else "get", store,
                position_of(site.attribute.name.loc), secured, external,
                site.attribute.guarded_by is not None))
            writers = self.external.setdefault(name, set())
            writers.update(w.title for w in ctx.external.writers if not w.any_name and w.writes(name))

    def _add_chains(self, ctx: Context, flows: list[Flow], node_of: dict[int, str]) -> None:
        table = secured_flow_table()
        taints = ctx.taints
        for flow in flows:
            taint = taints.get(id(flow))
            if taint is None:
                continue
            for hit in sink_hits(flow, taint, lambda action: table.for_action(action, Role.SINK)):
                self.model.chains.append(MapChain(
                    node_of[id(flow)], hit.action.name, hit.entry.action, hit.entry.rule, position_of(hit.value.loc),
                    [ChainStep(s.variable, s.how, position_of(s.loc), s.declassified) for s in hit.chain],
                    attribute_at(hit.action, hit.path), is_declassified(hit.chain)))

    def _add_findings(self, diagnostics: list[Diagnostic], flows: list[Flow], node_of: dict[int, str],
                      redact: Callable[[str], str]) -> None:
        by_flow: dict[tuple[str, str], str] = {}
        by_file: dict[str, list[str]] = {}
        for flow in flows:
            node = node_of[id(flow)]
            by_flow.setdefault((flow.file.path, flow.name), node)
            by_file.setdefault(flow.file.path, []).append(node)
        rules = rules_by_code()
        for d in diagnostics:
            node = by_flow.get((d.file, d.flow)) if d.flow is not None else None
            if node is None:
                in_file = by_file.get(d.file, [])
                node = in_file[0] if len(set(in_file)) == 1 else None
            rule = rules.get(d.code)
            line, column = (d.span.line, d.span.column) if d.span is not None else (None, None)
            self.model.findings.append(MapFinding(
                d.code, rule.info.name if rule is not None else d.code, d.severity.value, redact(d.message),
                Position(d.file, line, column, d.logical), node, d.attribute))

    def finish(self) -> None:
        model = self.model
        folded: dict[str, list[str]] = {}
        for name in self.sites:
            folded.setdefault(name.casefold(), []).append(name)
        findings: dict[str, list[int]] = {}
        for index, finding in enumerate(model.findings):
            if finding.attribute is not None:
                findings.setdefault(finding.attribute, []).append(index)
        successors: dict[str, list[MapEdge]] = {}
        for edge in model.edges:
            successors.setdefault(edge.source, []).append(edge)
        for name in sorted(self.sites, key=lambda n: (n.casefold(), n)):
            sites = self.sites[name]
            attribute = MapAttribute(
                name, sorted({s.store for s in sites}), sites,
                sorted(v for v in folded[name.casefold()] if v != name), sorted(self.external.get(name, ())),
                secured=name in self.secured, findings=findings.get(name, []))
            attribute.paths = _paths(sites, successors)
            model.attributes.append(attribute)


_STRING_LITERAL = re.compile(r'"([^"]*)"' + "|'([^']*)'")


def _redactor(flows: list[Flow]) -> Callable[[str], str]:
    """Defence in depth for finding messages: rules never quote a value, but a message that
    quotes an expression (a computed attribute name) could carry its string literals.  Every
    value text the flows hold (Set values, expressions and their string literals, action
    inputs) that is not also a name the map shows anyway is cut out of messages."""
    names: set[str] = set()
    texts: set[str] = set()
    for flow in flows:
        names.update((flow.name, flow.file.path))
        names.update(variable.name for variable in flow.variables)
        for action in flow.actions:
            names.add(action.name)
            names.update(binding.text for _, binding in action.bindings if binding.text)
            values = [value for _, value in action.values]
            for attribute in action.attributes:
                literal = attribute.name.literal
                if literal is not None:
                    names.add(literal)
                else:
                    values.append(attribute.name)
                if attribute.value is not None:
                    values.append(attribute.value)
            for value in values:
                if value.text is None or value.kind in (ValueKind.VAR, ValueKind.BARE, ValueKind.NONE):
                    continue  # variables: names
                if value.kind is ValueKind.EXP:  # its variables are names; its string literals are values
                    texts.update(a or b for a, b in _STRING_LITERAL.findall(value.text))
                else:
                    texts.add(value.text)
    every_name = "\0".join(names)
    secrets = sorted((t for t in texts if len(t.strip()) >= 3 and t not in every_name), key=len, reverse=True)
    if not secrets:
        return lambda message: message
    pattern = re.compile("|".join(re.escape(t) for t in secrets))
    return lambda message: pattern.sub("\u2026", message)


def _paths(sites: list[MapSite], successors: dict[str, list[MapEdge]]) -> list[MapPath]:
    """For each Get, one shortest chain of links from a flow that Sets the name (in the Get's
    store) to the Get's flow; none when no such flow can run before it."""
    found: list[MapPath] = []
    for secured in (False, True):
        sets = [s.node for s in sites if s.op == "set" and (s.store == "secured") == secured]
        gets = [(i, s) for i, s in enumerate(sites) if s.op == "get" and (s.store == "secured") == secured]
        if not sets or not gets:
            continue
        parent: dict[str, MapEdge | None] = {node: None for node in sets}
        queue = deque(dict.fromkeys(sets))
        while queue:
            current = queue.popleft()
            for edge in successors.get(current, ()):
                if edge.target not in parent:
                    parent[edge.target] = edge
                    queue.append(edge.target)
        for index, site in gets:
            if site.node not in parent:
                continue
            edges: list[str] = []
            node = site.node
            step = parent[node]
            while step is not None:
                edges.append(step.id)
                node = step.source
                step = parent[node]
            found.append(MapPath(index, node, edges[::-1]))
    found.sort(key=lambda p: p.get)
    return found
