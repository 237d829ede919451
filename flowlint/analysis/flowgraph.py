"""The inter-flow graph: which flows can run before which, by flow name.

Edges come from the flows themselves (Transfer to Flow / Secure Flow, Call Common Module,
Call Bot Flow / Digital Bot Flow, a Transfer to ACD's in-queue flow override) and from
config ``flow-links`` for hand-offs that live outside flow files (queues -> in-queue flows).
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from flowlint.config import Config
from flowlint.ir import Action, ActionKind, Flow, Project, Value, ValueKind
from flowlint.loaders.placeholders import has_placeholder

FLOW_EDGE_KINDS = frozenset(
    {
        ActionKind.TRANSFER_TO_FLOW,
        ActionKind.TRANSFER_TO_SECURE_FLOW,
        ActionKind.CALL_COMMON_MODULE,
        ActionKind.CALL_BOT_FLOW,
        ActionKind.CALL_DIGITAL_BOT_FLOW,
    }
)


@dataclass(slots=True, eq=False)
class FlowReference:
    source: Flow
    action: Action
    value: Value
    name: str
    #: Resolved targets (several when flow names are duplicated across files).
    targets: list[Flow]


@dataclass(slots=True)
class FlowGraph:
    flows: list[Flow]
    by_name: dict[str, list[Flow]] = field(default_factory=lambda: defaultdict(list))
    references: list[FlowReference] = field(default_factory=lambda: [])
    #: id(flow) -> flows that can run directly after it.
    successors: dict[int, list[Flow]] = field(default_factory=lambda: defaultdict(list))
    predecessors_direct: dict[int, list[Flow]] = field(default_factory=lambda: defaultdict(list))
    _ancestors: dict[int, frozenset[int]] = field(default_factory=lambda: {})

    def lookup(self, name: str) -> list[Flow]:
        found = self.by_name.get(name)
        if found:
            return found
        # Architect flow names are unique ignoring case within an org.
        return self.by_name.get("\0" + name.lower(), [])

    def add_edge(self, before: Flow, after: Flow) -> None:
        if after not in self.successors[id(before)]:
            self.successors[id(before)].append(after)
            self.predecessors_direct[id(after)].append(before)

    def ancestors(self, flow: Flow) -> frozenset[int]:
        """ids of every flow that can run (transitively) before ``flow``; itself only on a cycle."""
        key = id(flow)
        cached = self._ancestors.get(key)
        if cached is not None:
            return cached
        seen: set[int] = set()
        queue = deque(self.predecessors_direct.get(key, []))
        while queue:
            current = queue.popleft()
            if id(current) in seen:
                continue
            seen.add(id(current))
            queue.extend(self.predecessors_direct.get(id(current), []))
        result = frozenset(seen)
        self._ancestors[key] = result
        return result

    def module_named(self, name: str) -> Flow | None:
        for flow in self.lookup(name):
            if flow.type == "commonmodule":
                return flow
        return None


def override_in_queue(action: Action) -> Value | None:
    for path, value in action.values:
        if path.startswith("overrideInQueueFlow"):
            if value.text:
                return value
            if isinstance(value.data, dict):
                name = value.data.get("name")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
                if isinstance(name, str):
                    return Value(value.kind, name, value.loc)
    return None


def canonical_order(flows: list[Flow]) -> list[Flow]:
    """``flows`` by file path: with duplicate names, which flow a lookup finds first (and
    which one FL105 calls the original) does not depend on how the paths were given."""
    return sorted(flows, key=lambda flow: flow.file.path)


def flow_link(action: Action) -> Value | None:
    """The flow name ``action`` links to (an edge of the graph when it resolves), if any."""
    if action.kind in FLOW_EDGE_KINDS:
        return action.target
    if action.kind == ActionKind.TRANSFER_TO_ACD:
        return override_in_queue(action)
    return None


def same_deployment(one: Flow, other: Flow) -> bool:
    """Whether two flows can meet: flows deployed by different Terraform roots go to
    different organisations (dev/, prod/); a flow no root deploys may meet any."""
    return not one.root or not other.root or one.root == other.root


def _deployed_targets(graph: FlowGraph, source: Flow, name: str) -> list[Flow]:
    """Targets of a link whose deployed text still holds a placeholder or an unknown value:
    the exact same text names the same flow only between deployed flows (the text is what
    the platform sees, and an unknown value's symbol is unique within its root)."""
    if source.deployment is None:
        return []
    return [t for t in graph.by_name.get(name, []) if t.deployment is not None and same_deployment(source, t)]


def build_flow_graph(project: Project, config: Config) -> FlowGraph:
    graph = FlowGraph(project.flows)
    for flow in canonical_order(project.flows):
        graph.by_name[flow.name].append(flow)
        graph.by_name["\0" + flow.name.lower()].append(flow)
    for flow in project.flows:
        for action in flow.actions:
            value = flow_link(action)
            if value is None or not value.text or value.kind is ValueKind.EXP:
                continue  # an expression names its flow at runtime: no edge, and no FL106
            if has_placeholder(value.text):
                targets = _deployed_targets(graph, flow, value.text)
                if not targets:
                    continue  # unknown until deployed: no edge, and no FL106
            else:
                targets = graph.lookup(value.text)
                if flow.root:
                    targets = [t for t in targets if same_deployment(flow, t)]
            graph.references.append(FlowReference(flow, action, value, value.text, targets))
            for target in targets:
                graph.add_edge(flow, target)
    for after_name, before_names in config.flow_links.items():
        for after in graph.lookup(after_name):
            for before_name in before_names:
                for before in graph.lookup(before_name):
                    graph.add_edge(before, after)
    return graph
