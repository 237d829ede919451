"""Data tables shipped in ``flowlint/data``: action spellings and flow types.

Kept as JSON data (not if-chains) so that users can extend them through config
(``action-aliases``) and so that reviewers can audit them at a glance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, cast

from flowlint.ir import ActionKind


@dataclass(slots=True, frozen=True)
class FlowTypeInfo:
    key: str  # Archy YAML top-level key
    type: str  # API type, lower case
    label: str
    exports: tuple[str, ...]
    observed: bool


@dataclass(slots=True)
class ActionTable:
    yaml: dict[str, ActionKind] = field(default_factory=lambda: {})
    export: dict[str, ActionKind] = field(default_factory=lambda: {})
    terminal_kinds: frozenset[ActionKind] = frozenset()
    terminal_keys: frozenset[str] = frozenset()

    def yaml_kind(self, key: str) -> ActionKind:
        return self.yaml.get(key, ActionKind.OTHER)

    def export_kind(self, type_name: str) -> ActionKind:
        return self.export.get(type_name, ActionKind.OTHER)

    def is_terminal_yaml(self, key: str) -> bool:
        return key in self.terminal_keys

    def with_aliases(self, yaml_aliases: dict[str, str], export_aliases: dict[str, str]) -> ActionTable:
        """A copy extended with config ``action-aliases`` (spelling -> kind name)."""
        yaml = dict(self.yaml)
        export = dict(self.export)
        yaml.update({k: ActionKind(v) for k, v in yaml_aliases.items()})
        export.update({k: ActionKind(v) for k, v in export_aliases.items()})
        return ActionTable(yaml, export, self.terminal_kinds, self.terminal_keys)


def _load(name: str) -> dict[str, Any]:
    text = resources.files("flowlint.data").joinpath(name).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


@cache
def action_table() -> ActionTable:
    doc = _load("actions.json")
    yaml_entries = cast(dict[str, dict[str, Any]], doc["yaml"])
    return ActionTable(
        yaml={k: ActionKind(v["kind"]) for k, v in yaml_entries.items()},
        export={k: ActionKind(v) for k, v in cast(dict[str, str], doc["export"]).items()},
        terminal_kinds=frozenset(ActionKind(k) for k in cast(list[str], doc["terminal_kinds"])),
        terminal_keys=frozenset(k for k, v in yaml_entries.items() if v["terminal"]),
    )


@cache
def flow_types() -> dict[str, FlowTypeInfo]:
    """Archy YAML top-level key -> flow type info."""
    doc = cast(dict[str, dict[str, Any]], _load("flow_types.json")["flow_types"])
    return {
        key: FlowTypeInfo(key, v["type"], v["label"], tuple(v["exports"]), bool(v["observed"]))
        for key, v in doc.items()
    }


@cache
def flow_type_by_api_type() -> dict[str, FlowTypeInfo]:
    return {info.type: info for info in flow_types().values()}


def flow_type_label(api_type: str) -> str:
    """How messages name a flow type: Architect's label ("In-Queue Call") for an API flow type
    ("inqueuecall", as on Flow.type), so YAML keys and export types read alike; the type itself
    when it is not in flow_types.json."""
    info = flow_type_by_api_type().get(api_type.lower())
    return info.label if info is not None else api_type


@cache
def flow_type_by_extension() -> dict[str, FlowTypeInfo]:
    """Lower-cased export extension (``.i3inboundflow``) -> flow type info."""
    return {ext.lower(): info for info in flow_types().values() for ext in info.exports}


@cache
def yaml_outputs() -> dict[str, frozenset[str]]:
    """YAML action key -> every named output it can take (for fall-through edges)."""
    doc = cast(dict[str, Any], _load("actions.json")["outputs"])
    return {k: frozenset(cast(list[str], v)) for k, v in doc.items() if not k.startswith("$")}


@dataclass(slots=True, frozen=True)
class ActionCatalog:
    """Every Archy YAML action key (``flowlint/data/archy_actions.json``): what FL109 checks
    action keys, and the keys inside some actions, against."""

    #: Keys valid in an action list (tasks, states, bots, start-up actions, output blocks).
    actions: frozenset[str]
    #: Keys valid in a menu's ``choices``.
    choices: frozenset[str]
    #: Action key -> every key its body may hold (only actions whose keys are settled).
    fields: dict[str, frozenset[str]]
    #: A spelling from elsewhere -> the action meant.
    aliases: dict[str, str]
    #: Action key -> {key written -> the key meant}.
    field_aliases: dict[str, dict[str, str]]

    @property
    def keys(self) -> frozenset[str]:
        return self.actions | self.choices


@cache
def action_catalog() -> ActionCatalog:
    doc = _load("archy_actions.json")

    def entries(name: str) -> dict[str, Any]:
        return {k: v for k, v in cast(dict[str, Any], doc[name]).items() if not k.startswith("$")}

    fields = {k: frozenset(cast(list[str], v["keys"])) for k, v in entries("fields").items()}
    return ActionCatalog(
        actions=frozenset(entries("actions")),
        choices=frozenset(entries("choices")),
        fields=fields,
        aliases={k: str(v) for k, v in entries("aliases").items()},
        field_aliases={k: {a: str(b) for a, b in cast(dict[str, Any], v).items()}
                       for k, v in entries("field_aliases").items()},
    )
