"""Attributes written outside Architect: by the platform, a web page, an API client, a data action.

Three sources, one model (a :class:`Writer`):

* ``flowlint/data/external_attributes.json``: what each channel writes (web chat's
  ``context.*``, web messaging custom attributes, API callback data), per flow type, with
  the basis and source of each entry (semantics-2.md §2);
* configuration: ``external-attributes`` (any flow) and ``external-attributes-by-flow-type``;
* data actions of the repository whose request writes participant attributes
  (:mod:`flowlint.deploy.data_actions`) and ``data-action-writers``: a flow that calls one
  may set any attribute.

A writer applies to a Get when the flow type it writes into is in the Get's *scope*: the
Get's flow type, the types of the flows that can run before it, a common module's
compatible types, and ``conversation-by-id`` for Get Conversation Data (it reads a
conversation named by id, whichever channel created it).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, cast

from flowlint.config import Config
from flowlint.deploy.model import DataActionDefinition, DataActionEffect
from flowlint.ir import Action, ActionKind, Flow, SourceFormat
from flowlint.loaders.placeholders import has_placeholder

#: The scope entry of Get Conversation Data: another conversation, read by id.
BY_ID = "conversation-by-id"
#: A writer for every flow type (configuration ``external-attributes``).
EVERYWHERE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Writer:
    """Something outside the flows that writes attributes into some conversations."""

    id: str
    #: What it is, as messages name it: "the web chat widget (v2) and guest chat API".
    title: str
    #: Flow types (API spelling, or :data:`BY_ID`) whose conversations it writes; empty: all.
    flow_types: frozenset[str]
    names: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    #: Glob patterns (configuration), compiled.
    patterns: tuple[re.Pattern[str], ...] = ()
    #: It writes names it chooses (a page, an API client): no name can be ruled out.
    any_name: bool = False
    basis: str = "documented"
    source: str = ""

    def applies(self, scope: frozenset[str]) -> bool:
        return not self.flow_types or not self.flow_types.isdisjoint(scope)

    def writes(self, name: str) -> bool:
        """Whether this writer certainly writes ``name`` (exactly: names are case-sensitive)."""
        return (name in self.names or any(name.startswith(p) for p in self.prefixes)
                or any(p.fullmatch(name) for p in self.patterns))

    def spelling(self, name: str) -> str | None:
        """The name this writer writes that ``name`` differs from in letter case only, if any.

        A known exact name first (``Context.FirstName`` -> ``context.firstName``); else a
        prefix in other case (``Context.Colour`` -> ``context.Colour``: the web chat writes
        every form field under ``context.``, always in lower case).
        """
        if self.writes(name):
            return None
        folded = name.casefold()
        for known in sorted(self.names):
            if known.casefold() == folded:
                return known
        for prefix in self.prefixes:
            if len(name) > len(prefix) and name[:len(prefix)].casefold() == prefix.casefold():
                return prefix + name[len(prefix):]
        return None


@dataclass(frozen=True, slots=True)
class DataActionCall:
    """A Call Data Action that may write any participant attribute."""

    flow: Flow
    action: Action
    #: The data action called (None: the name is unknown, e.g. an export's, and the
    #: repository defines such actions: it may be one of them).
    definition: DataActionDefinition | None
    #: The name as called (or the configured pattern it matched).
    name: str

    def describe(self) -> str:
        """"flow 'F' calls data action 'D' (PATCH ...) in 'Action'", for messages."""
        if self.definition is None and not self.name:
            return (f"flow '{self.flow.name}' calls a data action in '{self.action.name}' that flowlint cannot "
                    f"name (exports reference actions by id), and the repository defines data actions that write "
                    f"participant attributes")
        how = f" ({self.definition.request})" if self.definition is not None else " (config data-action-writers)"
        return f"flow '{self.flow.name}' calls data action '{self.name}'{how} in '{self.action.name}'"


@cache
def builtin_writers() -> tuple[Writer, ...]:
    text = resources.files("flowlint.data").joinpath("external_attributes.json").read_text(encoding="utf-8")
    doc = cast(dict[str, Any], json.loads(text))
    writers: list[Writer] = []
    for entry in cast(list[dict[str, Any]], doc["writers"]):
        writers.append(Writer(
            id=str(entry["id"]), title=str(entry["title"]), flow_types=frozenset(cast(list[str], entry["flow_types"])),
            names=frozenset(cast(list[str], entry["names"])), prefixes=tuple(cast(list[str], entry["prefixes"])),
            any_name=bool(entry["any_name"]), basis=str(entry["basis"]), source=str(entry["source"])))
    return tuple(writers)


def glob_pattern(text: str) -> re.Pattern[str]:
    """A configured name: ``*`` and ``?`` are wildcards, everything else literal and case-sensitive."""
    return re.compile(fnmatch.translate(text))


def configured_writers(config: Config) -> tuple[Writer, ...]:
    found: list[Writer] = []
    if config.external_attributes:
        found.append(Writer("config", "configuration external-attributes", EVERYWHERE,
                            patterns=tuple(glob_pattern(n) for n in config.external_attributes), basis="declared"))
    for flow_type, names in sorted(config.external_attributes_by_flow_type.items()):
        found.append(Writer(f"config:{flow_type}", f"configuration external-attributes-by-flow-type.{flow_type}",
                            frozenset({flow_type}), patterns=tuple(glob_pattern(n) for n in names),
                            basis="declared"))
    return tuple(found)


class ExternalWriters:
    """Every writer of a project, and the data action calls that may write any attribute."""

    def __init__(self, flows: Iterable[Flow], config: Config) -> None:
        self.writers = builtin_writers() + configured_writers(config)
        self._definitions: dict[str, DataActionDefinition] = {}
        for definition in config.data_actions:
            if definition.effect is DataActionEffect.WRITES_PARTICIPANT_DATA:
                self._definitions.setdefault(definition.name.casefold(), definition)
        self._configured = tuple(glob_pattern(n) for n in config.data_action_writers)
        self._configured_names = tuple(config.data_action_writers)
        #: id(flow) -> the calls in it that may write any participant attribute.
        self.data_action_calls: dict[int, list[DataActionCall]] = {}
        if self._definitions or self._configured:
            for flow in flows:
                calls = list(self._writer_calls(flow))
                if calls:
                    self.data_action_calls[id(flow)] = calls

    def covering(self, name: str, scope: frozenset[str]) -> Writer | None:
        """A writer that certainly writes ``name`` into a conversation of ``scope``."""
        for writer in self.writers:
            if not writer.any_name and writer.applies(scope) and writer.writes(name):
                return writer
        return None

    def respelling(self, name: str, scope: frozenset[str]) -> tuple[Writer, str] | None:
        """A writer in ``scope`` writing ``name`` in other letter case, and its spelling."""
        if self.covering(name, scope) is not None:
            return None
        for writer in self.writers:
            if writer.any_name or not writer.applies(scope):
                continue
            spelling = writer.spelling(name)
            if spelling is not None:
                return writer, spelling
        return None

    def open_writers(self, scope: frozenset[str]) -> list[Writer]:
        """Writers in ``scope`` that choose their own names: any name may come from them."""
        return [w for w in self.writers if w.any_name and w.applies(scope)]

    def _writer_calls(self, flow: Flow) -> Iterator[DataActionCall]:
        for action in flow.actions:
            if action.kind != ActionKind.CALL_DATA_ACTION:
                continue
            name = action.target.text if action.target is not None else None
            if name is None and flow.file.format is SourceFormat.YAML:
                continue  # no inputs: not an action that writes a map it is given
            if name is None or has_placeholder(name):
                if self._definitions:  # an export (actions by id) or a templated name: it may be one
                    yield DataActionCall(flow, action, None, "")
                continue
            definition = self._definitions.get(name.casefold())
            if definition is not None:
                yield DataActionCall(flow, action, definition, name)
                continue
            for pattern, text in zip(self._configured, self._configured_names, strict=True):
                if pattern.fullmatch(name):
                    yield DataActionCall(flow, action, None, name or text)
                    break
