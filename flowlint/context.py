"""Shared state for one run of the rules over a project: config and cached analyses."""

from __future__ import annotations

from functools import cached_property

from flowlint.analysis.attributes import AttributeTable, build_attribute_table
from flowlint.analysis.flowgraph import FlowGraph, build_flow_graph
from flowlint.analysis.mustset import MustSet, State
from flowlint.config import Config
from flowlint.diagnostics import Diagnostic, Related, at
from flowlint.ir import Flow, Loc, Project
from flowlint.registry import rule_info


class Context:
    """What every rule sees: the project, the config, and analyses computed once on demand."""

    def __init__(self, project: Project, config: Config | None = None) -> None:
        self.project = project
        self.config = config or Config()
        self._mustset: dict[int, MustSet] = {}
        self._module_summaries: dict[str, State] = {}

    @cached_property
    def attributes(self) -> AttributeTable:
        return build_attribute_table(self.project)

    @cached_property
    def flow_graph(self) -> FlowGraph:
        return build_flow_graph(self.project, self.config)

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
        self._module_summaries[name] = frozenset()  # guards against module cycles
        module = self.flow_graph.module_named(name)
        summary = frozenset() if module is None else (self.mustset(module).exit_state or frozenset())
        self._module_summaries[name] = summary
        return summary

    def diagnostic(self, code: str, message: str, loc: Loc, *, flow: Flow | None = None,
                   attribute: str | None = None, related: tuple[Related, ...] = ()) -> Diagnostic:
        severity = self.config.severity.get(code, rule_info(code).severity)
        return at(code, severity, message, loc, flow=flow.name if flow else None,
                  attribute=attribute, related=related)
