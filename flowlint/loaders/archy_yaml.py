"""Archy YAML -> IR.

We let libyaml (``yaml.compose`` with the C loader) build the node graph and walk the
nodes ourselves instead of constructing Python objects: nodes carry exact marks, and
scalars stay strings, which gives YAML 1.2 semantics for keys (unquoted ``yes:``/``no:``
output names stay "yes"/"no") without a second YAML library.

Template placeholders are swapped for same-length tokens first (see placeholders.py),
so every mark already points into the original text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flowlint.deploy.model import Deployment
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import (
    Action,
    ActionKind,
    Container,
    ContainerKind,
    DataAttribute,
    Edge,
    EdgeKind,
    Flow,
    Loc,
    Reference,
    ScalarSource,
    SourceFile,
    SourceFormat,
    Span,
    Value,
    ValueKind,
    Variable,
)
from flowlint.loaders import placeholders
from flowlint.loaders.result import LoadResult
from flowlint.tables import ActionTable, action_catalog, action_table, flow_types, yaml_outputs

# libyaml is what makes loading fast; fall back to the pure-Python loader if absent.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NODE_TAGS: dict[type[Node], str] = {ScalarNode: "tag:yaml.org,2002:str", SequenceNode: "tag:yaml.org,2002:seq",
                                     MappingNode: "tag:yaml.org,2002:map"}


class _Loader(_BaseLoader):
    """Skips implicit tag resolution: libyaml's composer calls the Python resolver (regexes
    per scalar) for every node, about a third of compose time, and we never use tags:
    nodes are walked, not constructed, and scalars are read as text."""

    def resolve(self, kind: type[Node], value: object, implicit: object) -> str:  # noqa: ARG002
        return _NODE_TAGS[kind]

    # Called around every node for path resolvers, which safe loading never registers.
    def descend_resolver(self, current_node: object, current_index: object) -> None:  # noqa: ARG002
        return None

    def ascend_resolver(self) -> None:
        return None

WRAPPERS = {
    "lit": ValueKind.LIT,
    "exp": ValueKind.EXP,
    "var": ValueKind.VAR,
    "noValue": ValueKind.NO_VALUE,
    "tts": ValueKind.TTS,
    "none": ValueKind.NONE,
}
_CONTAINER_LISTS = {
    "tasks": ("task", ContainerKind.TASK),
    "states": ("state", ContainerKind.STATE),
    "menus": ("menu", ContainerKind.MENU),
    "bots": ("bot", ContainerKind.BOT),
}
_STYLE = {None: "", "": "", '"': '"', "'": "'", "|": "|", ">": ">"}
_REF_TAIL = re.compile(r"([A-Za-z]+)\[([^\]]*)\]\s*$")
_OUTPUT_PATH = re.compile(r"outputs\.([^.\[]+)")
_CASE_PATH = re.compile(r"evaluate\.[^.]+\.cases\[(\d+)\]\.case")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)
_REF_KEYS = {
    ActionKind.JUMP_TO_TASK: "targetTaskRef",
    ActionKind.CALL_TASK: "targetTaskRef",
    ActionKind.JUMP_TO_MENU: "targetMenuRef",
    ActionKind.CHANGE_STATE: "targetStateRef",
}
_ENTITY_KEYS = {
    ActionKind.CALL_COMMON_MODULE: "commonModule",
    ActionKind.CALL_BOT_FLOW: "botFlow",
    ActionKind.CALL_DIGITAL_BOT_FLOW: "digitalBotFlow",
    ActionKind.SET_SCREEN_POP: "screenPopScript",
}
#: Action fields that name an external entity (a queue, an in-queue flow): the value is
#: ``{lit: {name: X}}`` or ``{exp: ...}``, but Archy reads ``{name: X}`` and a bare name alike.
_NAME_SLOTS = ("overrideInQueueFlow", "targetQueue", "targetUser", "targetGroup")
_DATA_KINDS = frozenset(
    {
        ActionKind.SET_PARTICIPANT_DATA,
        ActionKind.GET_PARTICIPANT_DATA,
        ActionKind.SET_SECURED_DATA,
        ActionKind.GET_SECURED_DATA,
        ActionKind.SET_CONVERSATION_DATA,
        ActionKind.GET_CONVERSATION_DATA,
    }
)


def span_of(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _pairs(node: Node) -> list[tuple[Node, Node]]:
    if isinstance(node, MappingNode):
        return node.value  # type: ignore[no-any-return]
    return []


def _repeats_a_key(pairs: list[tuple[Node, Node]]) -> bool:
    """Whether a scalar key appears twice in a mapping (a set is built at C speed; the details
    are worked out only when it says so)."""
    keys = {key.value if isinstance(key, ScalarNode) else id(key) for key, _ in pairs}
    return len(keys) < len(pairs)


def _items(node: Node | None) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value  # type: ignore[no-any-return]
    return []


def _single(node: Node) -> tuple[Node, Node] | None:
    """The one key/value pair of a single-key map (``- task: {...}``), else None."""
    pairs = _pairs(node)
    if len(pairs) == 1:
        return pairs[0]
    return None


def _is_null(node: Node) -> bool:
    """An empty value (``tasks:`` with nothing after it, ``~``, ``null``)."""
    return isinstance(node, ScalarNode) and node.value in ("", "~", "null", "Null", "NULL") and not node.style


def _first(indices: list[int]) -> int | None:
    return indices[0] if indices else None


#: Steps of _FlowBuilder.scan: walk a node, record a nested action list, record a binding.
_WALK, _BLOCK, _BINDING = range(3)


@dataclass(slots=True)
class _Block:
    """A nested action list of an action (an output path, a switch case, a loop body)."""

    edge: EdgeKind
    label: str
    node: Node


class _FlowBuilder:
    def __init__(self, source: SourceFile, table: ActionTable, mapping: dict[str, str]) -> None:
        self.source = source
        self.table = table
        #: Action key -> the keys its body may hold, for the actions whose keys are settled.
        self.settled_fields = action_catalog().fields
        self.mapping = mapping
        self.flow: Flow | None = None
        self.actions: list[Action] = []
        self.containers: list[Container] = []
        #: refId -> indices of the containers declaring it, in file order (references resolve in O(1)).
        self.container_refs: dict[str, list[int]] = {}
        # (action index, edge kind, label, reference value, expected container item kind)
        self.pending_jumps: list[tuple[int, EdgeKind, str, Value]] = []
        self.references: list[tuple[str, Value]] = []
        #: refId of menu choices -> action index (``defaultChildMenuRef`` points at a choice).
        self.choice_refs: dict[str, int] = {}
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[int] = set()
        self._duplicates: set[int] = set()
        #: A container or action list is not a list (FL100): in-flow references are not judged.
        self.malformed = False

    # -- scalars, values, locations -------------------------------------------------
    def text(self, node: Node) -> str:
        value = node.value if isinstance(node, ScalarNode) else ""
        if self.mapping and placeholders.MARK in value:
            return placeholders.restore(value, self.mapping)
        return value  # type: ignore[no-any-return]

    def loc(self, logical: str, node: Node) -> Loc:
        return Loc(self.source, logical, span_of(node))

    def value(self, node: Node, logical: str) -> Value:
        if isinstance(node, ScalarNode):
            return Value(ValueKind.BARE, self.text(node), self.loc(logical, node), self.scalar_source(node))
        pair = _single(node)
        if pair is not None and isinstance(pair[0], ScalarNode):
            kind = WRAPPERS.get(pair[0].value)
            if kind is not None:
                inner = pair[1]
                if isinstance(inner, ScalarNode):
                    text = self.text(inner)
                    if kind in (ValueKind.NO_VALUE, ValueKind.NONE):
                        return Value(kind, None, self.loc(logical, inner))
                    return Value(kind, text, self.loc(logical, inner), self.scalar_source(inner))
                return Value(kind, None, self.loc(logical, inner), None, self.plain(inner))
        return Value(ValueKind.OTHER, None, self.loc(logical, node), None, self.plain(node))

    def scalar_source(self, node: ScalarNode) -> ScalarSource:
        return ScalarSource(node.start_mark.index, node.end_mark.index, _STYLE.get(node.style, ""))

    def plain(self, node: Node, depth: int = 0) -> object:
        """Plain Python data for a structured literal (strings only, as in YAML 1.2 core keys)."""
        if depth > 50:
            return None
        if isinstance(node, ScalarNode):
            return self.text(node)
        if isinstance(node, SequenceNode):
            return [self.plain(item, depth + 1) for item in _items(node)]
        return {key: self.plain(v, depth + 1) for key, v in self.fields(node).items()}

    def is_wrapper(self, node: Node) -> bool:
        pair = _single(node)
        return pair is not None and isinstance(pair[0], ScalarNode) and pair[0].value in WRAPPERS

    # -- flow ---------------------------------------------------------------------------
    def build(self, type_key: str, key_node: Node, body: Node) -> Flow | None:
        info = flow_types()[type_key]
        pairs = _pairs(body)
        fields = {k.value: (k, v) for k, v in pairs if isinstance(k, ScalarNode)}
        if len(fields) < len(pairs):
            self.duplicates(pairs)
        name_pair = fields.get("name")
        if name_pair is not None and isinstance(name_pair[1], ScalarNode):
            name, name_node = self.text(name_pair[1]), name_pair[1]
        else:
            name, name_node = "", key_node
        flow_loc = self.loc(f'{type_key} "{name}"', key_node)
        flow = Flow(name, info.type, type_key, self.source, flow_loc, self.loc("name", name_node))
        self.flow = flow

        if "variables" in fields:
            flow.variables = self.variables(fields["variables"][1], None, "variables")
        settings = fields.get("settingsCommonModule")
        if settings is not None:
            for item in _items(self.fields(settings[1]).get("compatibleFlowTypes")):
                for _, value in _pairs(item):
                    flow.compatible_flow_types.append(self.text(value).lower())

        for list_key, (item_key, kind) in _CONTAINER_LISTS.items():
            if list_key in fields:
                for item in self.list_of(*fields[list_key], f"'- {item_key}: {{...}}' items"):
                    pair = _single(item)
                    if pair is not None and self.text(pair[0]) == item_key:
                        self.container(kind, pair[0], pair[1], f"{item_key}")
                    elif not _is_null(item):
                        self.structure(pair[0] if pair is not None else item,
                                       f"each item of '{list_key}' is '- {item_key}: {{...}}'")
        startup: int | None = None
        if "startUpTaskActions" in fields:
            key, seq = fields["startUpTaskActions"]
            self.list_of(key, seq, "'- <actionKey>: {...}' items")
            container = self.new_container(ContainerKind.STARTUP, "startUpTaskActions", None, key)
            if "startUpTaskVariables" in fields:
                container.variables = self.variables(fields["startUpTaskVariables"][1], container.index,
                                                     "startUpTaskVariables")
            container.entry = _first(self.action_list(seq, container, "startUpTaskActions", None, EdgeKind.NEXT, []))
            startup = container.index
        for state_key in ("startUpState", "periodicState"):
            if state_key in fields:
                key, state = fields[state_key]
                index = self.container(ContainerKind.STATE, key, state, state_key)
                if state_key == "startUpState" and startup is None:
                    startup = index

        self.resolve_jumps()
        flow.containers = self.containers
        flow.actions = self.actions
        # A malformed container list (FL100) leaves references dangling: they are not judged (FL103).
        flow.references = [] if self.malformed else [
            Reference(key, value, self.resolve_ref(value)) for key, value in self.references]
        if "startUpRef" in fields:
            ref_value = self.value(fields["startUpRef"][1], "startUpRef")
            resolved = self.resolve_ref(ref_value)
            if not self.has_placeholder(ref_value) and not self.malformed:
                flow.references.append(Reference("startUpRef", ref_value, resolved))
            flow.entry_container = resolved if resolved is not None else startup
        else:
            flow.entry_container = startup
        return flow

    def keyed(self, node: Node) -> Iterator[tuple[str, Node]]:
        for key, value in _pairs(node):
            yield self.text(key), value

    def fields(self, node: Node) -> dict[str, Node]:
        """A mapping's values by key; a key given twice is reported (FL108), the last one wins."""
        pairs = _pairs(node)
        found = {self.text(key): value for key, value in pairs}
        if len(found) < len(pairs):
            self.duplicates(pairs)
        return found

    def duplicates(self, pairs: list[tuple[Node, Node]]) -> None:
        keys: dict[str, Node] = {}
        for key, _ in pairs:
            if not isinstance(key, ScalarNode):
                continue  # a complex key (``? [a, b]``) is nothing a flow reads
            text = self.text(key)
            if text in keys:
                self.duplicate(key, keys[text])
            keys[text] = key

    def duplicate(self, key: Node, first: Node) -> None:
        """FL108 for ``key``, a repeat of ``first`` in the same mapping (once per key node)."""
        if id(key) in self._duplicates:
            return
        self._duplicates.add(id(key))
        name = self.text(key)
        self.diagnostics.append(Diagnostic(
            "FL108", Severity.WARNING,
            f"key '{name}' is repeated in this mapping (first at line {first.start_mark.line + 1}); YAML keeps only "
            f"the last one, so the earlier value is silently ignored: remove one of them",
            self.source.path, span_of(key), f"key '{name}'"))

    def structure(self, node: Node, message: str) -> None:
        """FL100 for a node of the wrong shape (Archy rejects the file)."""
        self.diagnostics.append(Diagnostic("FL100", Severity.ERROR, message, self.source.path, span_of(node), "file"))

    def list_of(self, key: Node, node: Node, what: str) -> list[Node]:
        """The items of the list under ``key``; FL100 at the key when it is not a list (a mapping
        written for a list is silently empty otherwise, and its references dangle)."""
        if isinstance(node, SequenceNode) or _is_null(node):
            return _items(node)
        self.malformed = True
        shape = "a mapping" if isinstance(node, MappingNode) else "a scalar"
        name = self.text(key)
        self.structure(key, f"'{name}' must be a list of {what}, but it is {shape}: Archy rejects the "
                            f"flow; write each entry as a '- ' list item under '{name}:'")
        return []

    def variables(self, node: Node, container: int | None, logical: str) -> list[Variable]:
        result: list[Variable] = []
        for item in _items(node):
            pair = _single(item)
            if pair is None:
                continue
            var_type = self.text(pair[0])
            fields = self.fields(pair[1])
            name_node = fields.get("name")
            if not isinstance(name_node, ScalarNode):
                continue

            def flag(key: str) -> bool:
                node = fields.get(key)
                return isinstance(node, ScalarNode) and node.value.lower() == "true"

            result.append(
                Variable(
                    self.text(name_node),
                    var_type,
                    self.loc(f"{logical} > {self.text(name_node)}", name_node),
                    flag("isInput"),
                    flag("isOutput"),
                    flag("isSecure"),
                    container,
                )
            )
        return result

    # -- containers ---------------------------------------------------------------------
    def new_container(self, kind: ContainerKind, name: str, ref_id: str | None, node: Node) -> Container:
        label = f'{kind.value} "{name}"' if kind != ContainerKind.STARTUP else name
        container = Container(len(self.containers), kind, name, ref_id, self.loc(label, node))
        self.containers.append(container)
        if ref_id is not None:
            self.container_refs.setdefault(ref_id, []).append(container.index)
        return container

    def container(self, kind: ContainerKind, key_node: Node, body: Node, label: str) -> int:
        fields = self.fields(body)
        name_node = fields.get("name")
        name = self.text(name_node) if isinstance(name_node, ScalarNode) else label
        ref_node = fields.get("refId")
        ref_id = self.text(ref_node) if isinstance(ref_node, ScalarNode) else None
        container = self.new_container(kind, name, ref_id, name_node or key_node)
        logical = container.loc.logical
        if "variables" in fields:
            container.variables = self.variables(fields["variables"], container.index, f"{logical} > variables")
        list_key = "choices" if kind == ContainerKind.MENU else "actions"
        for key_node, value in _pairs(body):
            if isinstance(key_node, ScalarNode) and self.text(key_node) == list_key:
                self.list_of(key_node, value, "'- menu<Choice>: {...}' items" if list_key == "choices"
                             else "'- <actionKey>: {...}' items")
        if kind == ContainerKind.MENU:
            container.entry = self.menu(container, fields, logical)
        else:
            container.entry = _first(self.action_list(fields.get("actions"), container, logical, None, EdgeKind.NEXT,
                                                      []))
        return container.index

    def menu(self, container: Container, fields: dict[str, Node], logical: str) -> int:
        menu_action = self.new_action(ActionKind.MENU, "menu", container.name, container.loc, container)
        choices = fields.get("choices")
        if choices is not None:
            for index in self.action_list(choices, container, f"{logical} > choices", None, EdgeKind.NEXT, [],
                                          chain=False):
                menu_action.succ.append(Edge(EdgeKind.CHOICE, self.actions[index].name, index))
        default_ref = fields.get("defaultChildMenuRef")
        if default_ref is not None:
            value = self.value(default_ref, f"{logical} > defaultChildMenuRef")
            self.references.append(("defaultChildMenuRef", value))
        return menu_action.index

    # -- actions ------------------------------------------------------------------------
    def new_action(self, kind: ActionKind, key: str, name: str, loc: Loc, container: Container) -> Action:
        action = Action(len(self.actions), kind, key, name, loc, container.index)
        self.actions.append(action)
        container.actions.append(action.index)
        return action

    def action_list(self, seq: Node | None, container: Container, logical: str, cont: int | None,
                    cont_kind: EdgeKind, loops: list[tuple[int, int | None]], *, chain: bool = True) -> list[int]:
        """Create the actions of one list and wire them; return their indexes (first = entry).

        ``cont`` is where control goes after the last action (the enclosing block's
        continuation, the loop action for a loop body, None at the end of a container).
        ``loops`` is the stack of enclosing (loop action, loop continuation) pairs.
        """
        if seq is None or id(seq) in self._seen:
            return []
        self._seen.add(id(seq))
        created: list[tuple[Action, Node, str]] = []
        for position, item in enumerate(_items(seq)):
            pair = _single(item)
            if pair is None:
                if not _is_null(item):
                    self.structure(item, "each item of an action list is a single-key map, "
                                         "'- <actionKey>: {name: ..., ...}'")
                continue
            if not isinstance(pair[0], ScalarNode):
                continue  # ``? [a, b]: x``: no action has a complex key, and no spelling to report
            key_node, body = pair
            key = self.text(key_node)
            kind = self.table.yaml_kind(key)
            fields = self.fields(body)
            name_node = fields.get("name")
            name = self.text(name_node) if isinstance(name_node, ScalarNode) else ""
            action_logical = f'{logical} > {key} "{name}"' if name else f"{logical} > {key}[{position}]"
            action = self.new_action(kind, key, name, self.loc(action_logical, key_node), container)
            action.extent = Span(key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                 body.end_mark.line + 1, body.end_mark.column + 1)
            settled = self.settled_fields.get(key)
            if settled is not None:  # only these actions' keys are checked (FL109): only odd keys kept
                action.body_keys = [(text, span_of(k)) for k, _ in _pairs(body)
                                    if isinstance(k, ScalarNode) and (text := self.text(k)) not in settled]
            ref_node = fields.get("refId")
            if isinstance(ref_node, ScalarNode):
                self.choice_refs[self.text(ref_node)] = action.index
            created.append((action, body, action_logical))
        indices = [a.index for a, _, _ in created]
        for position, (action, body, action_logical) in enumerate(created):
            next_target = indices[position + 1] if chain and position + 1 < len(indices) else cont
            next_kind = EdgeKind.NEXT if chain and position + 1 < len(indices) else cont_kind
            blocks = self.scan_action(action, body, action_logical)
            self.wire(action, blocks, container, action_logical, next_target, next_kind, loops)
        return indices

    def wire(self, action: Action, blocks: list[_Block], container: Container, logical: str,
             next_target: int | None, next_kind: EdgeKind, loops: list[tuple[int, int | None]]) -> None:
        kind = action.kind
        if kind == ActionKind.LOOP:
            inner_loops = [*loops, (action.index, next_target)]
            for block in blocks:
                first = _first(self.action_list(block.node, container, f"{logical} > {block.label}",
                                                action.index, EdgeKind.LOOP_BACK, inner_loops))
                if first is not None:
                    action.succ.append(Edge(EdgeKind.LOOP_BODY, block.label, first))
            action.succ.append(Edge(EdgeKind.LOOP_DONE, "", next_target))
            return
        if kind == ActionKind.LOOP_NEXT and loops:
            action.succ.append(Edge(EdgeKind.LOOP_BACK, "", loops[-1][0]))
            return
        if kind == ActionKind.LOOP_EXIT and loops:
            action.succ.append(Edge(EdgeKind.LOOP_DONE, "", loops[-1][1]))
            return
        labels: set[str] = set()
        for block in blocks:
            first = _first(self.action_list(block.node, container, f"{logical} > {block.label}", next_target,
                                            next_kind, loops))
            action.succ.append(Edge(block.edge, block.label, first if first is not None else next_target))
            labels.add(block.label)
        if kind in _REF_KEYS and action.target is not None and not self.has_placeholder(action.target):
            jump_kind = EdgeKind.CALL if kind == ActionKind.CALL_TASK else EdgeKind.JUMP
            self.pending_jumps.append((action.index, jump_kind, action.key, action.target))
        if self.table.is_terminal_yaml(action.key) or (kind in self.table.terminal_kinds
                                                        and action.key not in self.table.yaml):
            return
        if kind == ActionKind.SWITCH:
            if "default" not in labels:
                action.succ.append(Edge(next_kind, "default", next_target))
            return
        known = yaml_outputs().get(action.key)
        missing = sorted(known - labels) if known is not None else []
        if known is None or missing:
            action.succ.append(Edge(next_kind, ",".join(missing), next_target))

    def scan_action(self, action: Action, body: Node, logical: str) -> list[_Block]:
        """Collect values, bindings, attributes, target and nested blocks of one action."""
        blocks: list[_Block] = []
        for key, node in self.keyed(body):
            if key != "name":
                self.scan(action, node, key, logical, blocks)
        if action.kind in _DATA_KINDS:
            self.data_attributes(action, body, logical)
        ref_key = _REF_KEYS.get(action.kind)
        fields = self.fields(body)
        if ref_key is not None and ref_key in fields:
            action.target = self.value(fields[ref_key], f"{logical} > {ref_key}")
            if not self.has_placeholder(action.target):
                self.references.append((ref_key, action.target))
        elif action.kind in (ActionKind.TRANSFER_TO_FLOW, ActionKind.TRANSFER_TO_SECURE_FLOW):
            target = fields.get("targetFlow")
            if target is not None:
                action.target = self.entity_name(target, f"{logical} > targetFlow")
        elif action.kind in _ENTITY_KEYS:
            entity = fields.get(_ENTITY_KEYS[action.kind])
            if entity is not None:
                action.target = self.keyed_entity(entity, f"{logical} > {_ENTITY_KEYS[action.kind]}")
        for slot in _NAME_SLOTS:
            node = fields.get(slot)
            if node is None:
                continue
            # Written without a wrapper (``overrideInQueueFlow: {name: X}``, ``targetQueue: X``),
            # scan() saw no value: record the one the wrapped form gives.  A wrapped ``lit: {name: X}``
            # gets its name as text too, so both spellings read alike (the flow graph, the cache).
            named = self.entity_name(node, f"{logical} > {slot}")
            if named is None or named.kind not in (ValueKind.LIT, ValueKind.EXP):
                continue
            values = action.values
            found = next((i for i, (path, _) in enumerate(values) if path == slot), None)
            if found is None:
                values.append((slot, named))
            elif values[found][1].text is None:
                values[found] = (slot, named)
        return blocks

    def name_of(self, node: Node) -> ScalarNode | None:
        """The scalar naming an external entity in ``{name: X}``, else None."""
        name = self.fields(node).get("name") if isinstance(node, MappingNode) else None
        return name if isinstance(name, ScalarNode) else None

    def entity_name(self, node: Node, logical: str) -> Value | None:
        """An external entity referenced by name, in any of the spellings Archy reads alike:
        ``{name: X}``, ``{lit: {name: X}}``, ``{lit: X}``, a bare ``X`` (all literal X), or
        ``{exp: ...}`` (computed: no static name)."""
        if isinstance(node, ScalarNode):
            if _is_null(node):
                return None
            return Value(ValueKind.LIT, self.text(node), self.loc(logical, node), self.scalar_source(node))
        name = self.name_of(node)
        if name is not None:
            return Value(ValueKind.LIT, self.text(name), self.loc(logical, name), self.scalar_source(name),
                         {"name": self.text(name)})
        value = self.value(node, logical)
        if value.kind == ValueKind.LIT and value.text is None:
            pair = _single(node)
            inner = self.name_of(pair[1]) if pair is not None else None
            if inner is not None:
                return Value(ValueKind.LIT, self.text(inner), self.loc(logical, inner), self.scalar_source(inner),
                             value.data)
        return value

    def keyed_entity(self, node: Node, logical: str) -> Value | None:
        """The entity of ``commonModule: {<name>: {...}}`` (bot flows, scripts alike): the one key
        names it; ``{name: X}``, a wrapper and a bare scalar are read as :meth:`entity_name` does."""
        pair = _single(node)
        if pair is None or isinstance(node, ScalarNode):
            return self.entity_name(node, logical) if isinstance(node, ScalarNode) else None
        key = pair[0]
        if not isinstance(key, ScalarNode):
            return None
        if (key.value == "name" and isinstance(pair[1], ScalarNode)) or key.value in WRAPPERS:
            return self.entity_name(node, logical)
        return Value(ValueKind.LIT, self.text(key), self.loc(logical, key), self.scalar_source(key))

    def block(self, action: Action, path: str, owner: Node, actions: Node) -> _Block:
        """Classify a nested action list by where it sits in the action body."""
        match = _OUTPUT_PATH.fullmatch(path)
        if match is not None:
            label = match.group(1)
            edge = EdgeKind.LOOP_BODY if action.kind == ActionKind.LOOP and label == "loop" else EdgeKind.OUTPUT
            return _Block(edge, label, actions)
        match = _CASE_PATH.fullmatch(path)
        if match is not None:
            return _Block(EdgeKind.CASE, str(int(match.group(1)) + 1), actions)
        if path.endswith(".default") and action.kind == ActionKind.SWITCH:
            return _Block(EdgeKind.DEFAULT, "default", actions)
        # Anything else (bot intents, menu tasks, shapes we have not seen): an output named
        # by its sibling ``name`` or by its path, so no action is ever dropped.
        name_node = self.fields(owner).get("name")
        label = self.text(name_node) if isinstance(name_node, ScalarNode) else path
        return _Block(EdgeKind.OUTPUT, label, actions)

    def scan(self, action: Action, node: Node, path: str, logical: str, blocks: list[_Block]) -> None:
        """Record values, output bindings and nested action lists below ``node``, in document
        order.  Iterative: libyaml accepts 1,000 levels of nesting, more than Python's stack."""
        pending: list[tuple[int, Node, str, Node | None]] = [(_WALK, node, path, None)]
        while pending:
            step, node, path, owner = pending.pop()
            if step == _BLOCK:
                assert owner is not None
                blocks.append(self.block(action, path, owner, node))
                continue
            if step == _BINDING:
                value = self.value(node, f"{logical} > {path}")
                action.values.append((path, value))
                action.bindings.append((path, value))
                continue
            if isinstance(node, ScalarNode):
                continue
            if id(node) in self._seen:  # an alias seen before: never walk shared subtrees twice
                continue
            self._seen.add(id(node))
            if self.is_wrapper(node):
                value = self.value(node, f"{logical} > {path}")
                action.values.append((path, value))
                if value.kind == ValueKind.VAR:
                    action.bindings.append((path, value))
                continue
            children: list[tuple[int, Node, str, Node | None]] = []
            if isinstance(node, SequenceNode):
                children = [(_WALK, item, f"{path}[{index}]", None) for index, item in enumerate(_items(node))]
            pairs = _pairs(node)
            if _repeats_a_key(pairs):
                self.duplicates(pairs)
            for key_node, child in pairs:
                key = self.text(key_node)
                if key == "actions" and isinstance(child, SequenceNode):
                    children.append((_BLOCK, child, path, node))
                elif key == "actions" and isinstance(child, MappingNode):
                    self.structure(key_node, "'actions' must be a list of '- <actionKey>: {...}' items, but it is "
                                             "a mapping: Archy rejects the flow; write each action as a '- ' list "
                                             "item under 'actions:'")
                elif key == "variable" and isinstance(child, ScalarNode):
                    children.append((_BINDING, child, f"{path}.{key}", None))
                else:
                    children.append((_WALK, child, f"{path}.{key}", None))
            pending.extend(reversed(children))  # popped in document order

    def data_attributes(self, action: Action, body: Node, logical: str) -> None:
        for index, item in enumerate(_items(self.fields(body).get("attributes"))):
            pair = _single(item)
            if pair is None:
                continue
            fields = self.fields(pair[1])
            item_logical = f"{logical} > attributes[{index}]"
            name_node = fields.get("name")
            if name_node is None:
                name = Value(ValueKind.OTHER, None, self.loc(f"{item_logical}.name", pair[0]))
            else:
                name = self.value(name_node, f"{item_logical}.name")
            attribute = DataAttribute(name, self.loc(item_logical, pair[0]))
            if "value" in fields:
                attribute.value = self.value(fields["value"], f"{item_logical}.value")
            if "variable" in fields:
                attribute.variable = self.value(fields["variable"], f"{item_logical}.variable")
            action.attributes.append(attribute)

    # -- references ---------------------------------------------------------------------
    def has_placeholder(self, value: Value) -> bool:
        return value.text is not None and placeholders.has_placeholder(value.text)

    def resolve_ref(self, value: Value) -> int | None:
        text = value.text or ""
        match = _REF_TAIL.search(text)
        if match is None:
            return None
        item_kind, ref_id = match.group(1), match.group(2)
        candidates = self.container_refs.get(ref_id)
        if not candidates:
            return self.choice_refs.get(ref_id) if item_kind.startswith("menu") else None
        for index in candidates:
            if self.containers[index].kind.value == item_kind:
                return index
        return candidates[0]

    def resolve_jumps(self) -> None:
        for action_index, kind, label, value in self.pending_jumps:
            target = self.resolve_ref(value)
            if target is not None:
                self.actions[action_index].succ.insert(0, Edge(kind, label, self.containers[target].entry))


def _compose(text: str) -> Node | None:
    """Build the node graph only (no Python objects are constructed, so no tags run)."""
    compose: Callable[..., Node | None] = yaml.compose  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return compose(text, Loader=_Loader)


#: ``*`` and an alias name's first character.  Searched alone, so that the scan runs at C speed
#: (``a*b`` in expressions matches too and is ruled out by the character before it).
_ALIAS = re.compile(r"\*[^\s\[\]{},]")
_BEFORE_ALIAS = frozenset(" \t\r\n\x85\u2028\u2029[{,")


def _has_alias(text: str) -> bool:
    """Whether ``text`` has an alias (``*name`` where a node starts): only documents with one
    need _alias_problem()."""
    return any(m.start() == 0 or text[m.start() - 1] in _BEFORE_ALIAS for m in _ALIAS.finditer(text))


#: Nodes an alias-free document can hold beyond one per character: a document whose aliases
#: expand past that is an alias bomb ("billion laughs").
_ALIAS_EXPANSION_MARGIN = 100_000
#: libyaml's own nesting limit, which aliases could otherwise get around.
_MAX_NESTING = 1000


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [child for pair in _pairs(node) for child in pair]
    return _items(node)


def _alias_problem(root: Node, text_length: int) -> tuple[str, Node] | None:
    """Why walking ``root`` through its aliases is unsafe, and the node concerned.

    Aliases share nodes, so composing is linear, but every walk that expands them (plain
    data of a literal, nesting depth) could be exponential or endless.  One iterative pass
    measures each node's expanded size and depth once.
    """
    limit = text_length + _ALIAS_EXPANSION_MARGIN
    measured: dict[int, tuple[int, int]] = {}  # id -> (expanded size, depth)
    open_nodes: set[int] = set()  # the current path: meeting one again means a cycle
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            children = [measured[id(child)] for child in _children(node)]
            size = 1 + sum(size for size, _ in children)
            depth = 1 + max((depth for _, depth in children), default=0)
            if size > limit:
                return (f"YAML aliases expand this node to more than {limit} nodes (an alias bomb); "
                        "flowlint does not expand it"), node
            if depth > _MAX_NESTING:
                return f"YAML aliases nest this node more than {_MAX_NESTING} levels deep", node
            measured[key] = size, depth
        elif key in open_nodes:
            return "recursive YAML alias: this node contains itself", node
        elif key not in measured:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return None


def looks_like_flow(text: str) -> tuple[str, int] | None:
    """Cheap pre-check: the first top-level key that is, or is close to, a flow-type key."""
    keys = flow_types()
    lowered = {key.lower(): key for key in keys}
    for match in _TOP_KEY.finditer(text):
        word = match.group(1)
        if word in keys or word.lower() in lowered or difflib.get_close_matches(word, keys, n=1, cutoff=0.8):
            return word, text.count("\n", 0, match.start()) + 1
    return None


def _suggest(key: str) -> str | None:
    keys = list(flow_types())
    for candidate in keys:
        if candidate.lower() == key.lower():
            return candidate
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.8)
    return close[0] if close else None


def _fl100(source: SourceFile, message: str, span: Span | None) -> Diagnostic:
    return Diagnostic("FL100", Severity.ERROR, message, source.path, span, "file")


def _unclosed_quote(error: yaml.MarkedYAMLError) -> yaml.Mark | None:
    """Where an unterminated quoted scalar opens: PyYAML reports the end of the stream (the
    problem) and the opening quote only as context; the opening is where the mistake is."""
    if (error.context_mark is not None and (error.context or "").startswith("while scanning a quoted scalar")
            and "end of stream" in (error.problem or "")):
        return error.context_mark
    return None


def compose_error(text: str) -> str | None:
    """What makes ``text`` (placeholders already tokenised) invalid YAML, if anything."""
    try:
        _compose(text)
    except yaml.MarkedYAMLError as error:
        unclosed = _unclosed_quote(error)
        if unclosed is not None:
            return f"a quote opened at line {unclosed.line + 1} is never closed"
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}" if mark else ""
        return f"{error.problem or error.context or 'syntax error'}{where}"
    except (yaml.YAMLError, RecursionError, MemoryError, ValueError) as error:
        return str(error)
    return None


def load_yaml_text(path: str, text: str, table: ActionTable | None = None, deployment: Deployment | None = None,
                   source: SourceFile | None = None) -> LoadResult:
    """Load one Archy YAML file's text. Never raises on bad input.

    With ``deployment``, placeholders it gives a value to read as that value (positions stay
    the template's); ``source`` shares one SourceFile between the deployments of a file.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    source = source or SourceFile(path, SourceFormat.YAML, text)
    hint = looks_like_flow(text)
    if hint is None:
        return LoadResult(source, not_a_flow=True)
    substituted, mapping = placeholders.substitute(text)
    source.placeholders = mapping
    if deployment is not None and mapping:
        mapping = placeholders.deployed_mapping(mapping, deployment)
    try:
        root: Node | None = _compose(substituted)
    except yaml.MarkedYAMLError as error:
        unclosed = _unclosed_quote(error)
        if unclosed is not None:
            span = Span(unclosed.line + 1, unclosed.column + 1, unclosed.line + 1, unclosed.column + 2)
            return LoadResult(source, diagnostics=[_fl100(
                source, "invalid YAML: the quote opened here is never closed (the file ends inside the quoted "
                        "value); add the closing quote", span)])
        mark = error.problem_mark or error.context_mark
        span = Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark else None
        problem = placeholders.restore(str(error.problem or error.context or "syntax error"), mapping)
        context = f" ({error.context})" if error.context and error.problem else ""
        return LoadResult(source, diagnostics=[_fl100(source, f"invalid YAML: {problem}{context}", span)])
    except (yaml.YAMLError, RecursionError, MemoryError, ValueError) as error:
        return LoadResult(source, diagnostics=[_fl100(source, f"invalid YAML: {error}", None)])
    if not isinstance(root, MappingNode) or not root.value:
        return LoadResult(source, not_a_flow=True)
    # The "*" test first: the regex alone costs a tenth of loading (it tries every position).
    problem = _alias_problem(root, len(text)) if _has_alias(substituted) else None
    if problem is not None:
        return LoadResult(source, diagnostics=[_fl100(source, problem[0], span_of(problem[1]))])
    known = flow_types()
    flow_keys = [(k, v) for k, v in _pairs(root) if isinstance(k, ScalarNode) and k.value in known]
    if not flow_keys:
        pairs = _pairs(root)
        if len(pairs) == 1 and isinstance(pairs[0][0], ScalarNode):
            suggestion = _suggest(pairs[0][0].value)
            if suggestion is not None:
                message = f"unknown flow type key '{pairs[0][0].value}': did you mean '{suggestion}'?"
                return LoadResult(source, diagnostics=[_fl100(source, message, span_of(pairs[0][0]))])
        return LoadResult(source, not_a_flow=True)
    result = LoadResult(source)
    if len(_pairs(root)) > 1:
        extra = [k for k, _ in _pairs(root) if isinstance(k, ScalarNode) and k.value not in known]
        if len(flow_keys) > 1 or extra:
            first = (extra or [flow_keys[1][0]])[0]
            result.diagnostics.append(_fl100(
                source, f"an Archy flow file has exactly one top-level key; found also '{first.value}'",
                span_of(first)))
    key_node, body = flow_keys[0]
    if not isinstance(body, MappingNode):
        result.diagnostics.append(_fl100(source, f"'{key_node.value}' must be a mapping of flow settings",
                                         span_of(body)))
        return result
    builder = _FlowBuilder(source, table or action_table(), mapping)
    try:
        flow = builder.build(key_node.value, key_node, body)
    except RecursionError:
        result.diagnostics.append(_fl100(source, "flow is nested too deeply to analyse", span_of(key_node)))
        return result
    if flow is not None:
        result.flows.append(flow)
    result.diagnostics.extend(builder.diagnostics)
    return result
