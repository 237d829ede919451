"""Shared state for one run of the rules over a project."""

from __future__ import annotations

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic, Related, at
from flowlint.ir import Flow, Loc, Project
from flowlint.registry import rule_info


class Context:
    """What every rule sees: the project, the config, and shared (cached) analyses."""

    def __init__(self, project: Project, config: Config | None = None) -> None:
        self.project = project
        self.config = config or Config()

    def diagnostic(self, code: str, message: str, loc: Loc, *, flow: Flow | None = None,
                   attribute: str | None = None, related: tuple[Related, ...] = ()) -> Diagnostic:
        severity = self.config.severity.get(code, rule_info(code).severity)
        return at(code, severity, message, loc, flow=flow.name if flow else None,
                  attribute=attribute, related=related)
