"""Project configuration (``.flowlint.toml`` or ``[tool.flowlint]`` in ``pyproject.toml``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flowlint.diagnostics import Severity


@dataclass(slots=True)
class Config:
    select: list[str] = field(default_factory=lambda: [])
    ignore: list[str] = field(default_factory=lambda: [])
    severity: dict[str, Severity] = field(default_factory=lambda: {})
    exclude: list[str] = field(default_factory=lambda: [])
    external_attributes: list[str] = field(default_factory=lambda: [])
    external_flows: list[str] = field(default_factory=lambda: [])
    flow_links: dict[str, list[str]] = field(default_factory=lambda: {})
    #: Extra action spellings: {"yaml": {key: kind}, "export": {__type: kind}}.
    action_aliases: dict[str, dict[str, str]] = field(default_factory=lambda: {})
    #: The file this configuration came from, if any.
    path: str | None = None

    def is_enabled(self, code: str) -> bool:
        if self.select and not any(code.startswith(prefix) for prefix in self.select):
            return False
        return not any(code.startswith(prefix) for prefix in self.ignore)
