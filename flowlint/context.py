"""Shared state for one run of the rules over a project: config and cached analyses."""

from __future__ import annotations

from functools import cached_property

from flowlint.analysis.attributes import AttributeTable, build_attribute_table
from flowlint.analysis.external import ExternalWriters
from flowlint.analysis.flowgraph import FlowGraph, build_flow_graph
from flowlint.analysis.mustset import MustSet, State, called_modules, callees_first
from flowlint.analysis.taint import Chain, Step, Taint, TaintState, secured_flow_table, tainted_read
from flowlint.config import Config
from flowlint.expressions.analysis import calls
from flowlint.expressions.ast import Call
from flowlint.expressions.values import ExpressionValue, expression_values
from flowlint.diagnostics import Diagnostic, Related, Severity, at
from flowlint.ir import ActionKind, Flow, Loc, Project
from flowlint.registry import rule_info


class Context:
    """What every rule sees: the project, the config, and analyses computed once on demand."""

    def __init__(self, project: Project, config: Config | None = None, report: frozenset[str] | None = None) -> None:
        self.project = project
        self.config = config or Config()
        #: Files whose findings are wanted (None: all): the others only lend their flows.
        self.report = report
        self._mustset: dict[int, MustSet] = {}
        self._module_summaries: dict[str, State] = {}
        self._scopes: dict[int, frozenset[str]] = {}

    @cached_property
    def attributes(self) -> AttributeTable:
        return build_attribute_table(self.project, self.report)

    @cached_property
    def expressions(self) -> list[ExpressionValue]:
        """Every ``exp`` value with its parse, computed once for all expression rules."""
        return list(expression_values(self.project))

    @cached_property
    def expression_calls(self) -> list[tuple[ExpressionValue, Call]]:
        return [(found, call) for found in self.expressions if found.result.ast is not None
                for call in calls(found.result.ast)]

    @cached_property
    def flow_graph(self) -> FlowGraph:
        return build_flow_graph(self.project, self.config)

    @cached_property
    def external(self) -> ExternalWriters:
        """Writers of attributes outside the flows (channels, configuration, data actions)."""
        return ExternalWriters(self.project.flows, self.config)

    def scope(self, flow: Flow) -> frozenset[str]:
        """The flow types whose conversations ``flow`` can handle: its own, those of the flows
        that can run before it, and a common module's compatible types (external writers
        write into conversations of a channel, and the attributes travel with them)."""
        found = self._scopes.get(id(flow))
        if found is None:
            types = {flow.type, *flow.compatible_flow_types}
            ancestors = self.flow_graph.ancestors(flow)
            if ancestors:
                by_id = self._flows_by_id
                types.update(by_id[i].type for i in ancestors if i in by_id)
            found = self._scopes[id(flow)] = frozenset(types)
        return found

    @cached_property
    def _flows_by_id(self) -> dict[int, Flow]:
        return {id(flow): flow for flow in self.project.flows}

    def mustset(self, flow: Flow) -> MustSet:
        found = self._mustset.get(id(flow))
        if found is None:
            found = MustSet(flow, self.module_summary)
            self._mustset[id(flow)] = found
        return found

    def module_summary(self, name: str) -> State:
        """Attribute keys a common module sets on every path through it (empty if unknown)."""
        cached = self._module_summaries.get(name)
        if cached is not None:
            return cached
        graph = self.flow_graph

        def callees(current: str) -> list[str]:
            module = graph.module_named(current)
            return called_modules(module) if module is not None else []

        for current in callees_first(name, callees, self._module_summaries.__contains__):
            if current in self._module_summaries:  # summarised meanwhile, through a cycle
                continue
            self._module_summaries[current] = frozenset()  # guards against module cycles
            module = graph.module_named(current)
            summary: State = frozenset() if module is None else (self.mustset(module).exit_state or frozenset())
            self._module_summaries[current] = summary
        return self._module_summaries[name]

    @cached_property
    def taints(self) -> dict[int, Taint]:
        """Secured-data taint per flow (by id). Callers first, so that common modules can be
        analysed with the inputs their callers pass tainted."""
        modules = [f for f in self.project.flows if f.type == "commonmodule"]
        module_outputs: dict[str, Chain] = {}
        for module in modules:
            for action in module.actions:
                if secured_flow_table().is_source(action):
                    module_outputs.setdefault(module.name, (Step(
                        module.name, action.loc,
                        f"common module '{module.name}' reads secured data in '{action.name}'"),))
        result: dict[int, Taint] = {}
        seeds: dict[str, TaintState] = {}
        # A module's taint comes from its callers: with a module among the reported files,
        # every flow is walked; else only the reported ones (the others' findings are unwanted).
        walked = self.project.flows if any(m.file.path in (self.report or ()) for m in modules) \
            else self._reported(self.project.flows)
        for flow in walked:
            if flow.type == "commonmodule" or not _may_carry_secured_data(flow, module_outputs):
                continue
            taint = Taint(flow, None, module_outputs)
            result[id(flow)] = taint
            for action in flow.actions:
                state = taint.before(action.index)
                if action.kind != ActionKind.CALL_COMMON_MODULE or state is None or action.target is None:
                    continue
                for path, value in action.values:
                    _, marker, input_name = path.partition(".inputs.")
                    found = tainted_read(state, value) if marker else None
                    if found is not None and input_name:
                        seed = seeds.setdefault(action.target.text or "", {})
                        seed[input_name.lower()] = (*found[1], Step(
                            input_name, value.loc, f"passed to common module '{action.target.text}'"))
        for module in (modules if walked is self.project.flows else self._reported(modules)):
            if module.name in seeds or _may_carry_secured_data(module, module_outputs):
                result[id(module)] = Taint(module, seeds.get(module.name), module_outputs)
        return result

    def _reported(self, flows: list[Flow]) -> list[Flow]:
        """``flows`` of the files whose findings are wanted (see ``report``)."""
        report = self.report
        return flows if report is None else [f for f in flows if f.file.path in report]

    def diagnostic(self, code: str, message: str, loc: Loc, *, flow: Flow | None = None,
                   attribute: str | None = None, related: tuple[Related, ...] = (),
                   severity: Severity | None = None) -> Diagnostic:
        """A finding of rule ``code``. ``severity`` overrides the rule's default for this one
        finding (a guarded read is info, a leak into a documented sink an error); a severity
        configured for the code still wins over both."""
        severity = self.config.severity.get(code, severity or rule_info(code).severity)
        found = at(code, severity, message, loc, flow=flow.name if flow else None,
                   attribute=attribute, related=related)
        if flow is not None and flow.deployment is not None:
            found.deployment = flow.deployment
        return found


def _may_carry_secured_data(flow: Flow, module_outputs: dict[str, Chain]) -> bool:
    """Cheap pre-check: only flows with a taint source need the taint dataflow."""
    if any(variable.is_secure for variable in flow.variables):
        return True
    for action in flow.actions:
        if secured_flow_table().is_source(action):  # Get Secured Data, Decrypt Data, ...
            return True
        if (action.kind == ActionKind.CALL_COMMON_MODULE and action.target is not None
                and action.target.text in module_outputs):
            return True
    return False
