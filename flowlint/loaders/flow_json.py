"""Map a decoded Architect flow document (export or API configuration JSON) to the IR.

Document shape: reference ``formats.md`` §2.2.  Each container (``flowSequenceItemList``
item) keeps a flat ``actionList``; ``nextAction`` links an action to the one after it and
``paths[]`` link its outputs to the first action of each branch.

Control-flow semantics (checked on the corpus): a chain that ends without ``nextAction``,
and an output path without ``nextActionId``, continue at the *enclosing* block's
continuation, like nested action lists in Archy YAML.  A decision whose "No" path is empty
continues with the decision's ``nextAction``; the last action of a "Yes" branch continues
there too.  (Real exports list actions after a data action whose three paths are all
empty; they would be unreachable otherwise.)  So edges are built by walking every chain
from its container's ``startAction`` and handing the continuation down; a target of
``None`` means "leaves the container" (end of task/state/flow).

Locations: exports have no useful lines, so every node gets a logical location and a
JSON pointer only.  API JSON files get a lazy locator (``json_positions``) that turns a
pointer into a span the first time a diagnostic asks.
"""

from __future__ import annotations

import json
import os
import re
from typing import cast

from flowlint.diagnostics import Diagnostic, Severity, at
from flowlint.ir import (
    DATA_GET_KINDS,
    DATA_SET_KINDS,
    Action,
    ActionKind,
    Container,
    ContainerKind,
    DataAttribute,
    Edge,
    EdgeKind,
    Flow,
    Loc,
    Pointer,
    Reference,
    SourceFile,
    SourceFormat,
    Span,
    Value,
    ValueKind,
    Variable,
)
from flowlint.loaders.json_positions import make_locator
from flowlint.loaders.result import LoadResult
from flowlint.tables import ActionTable, action_table

JsonDict = dict[str, object]

#: Container ``__type`` -> IR kind and the word used in logical locations.
_CONTAINERS: dict[str, tuple[ContainerKind, str]] = {
    "Task": (ContainerKind.TASK, "task"),
    "State": (ContainerKind.STATE, "state"),
    "BotState": (ContainerKind.BOT, "bot"),
    "Menu": (ContainerKind.MENU, "menu"),
    # The start-up task of in-queue flows (it repeats while the call waits) and of common
    # modules; Archy YAML writes both as startUpTaskActions.
    "LoopTask": (ContainerKind.STARTUP, "task"),
    "CommonModuleTask": (ContainerKind.STARTUP, "task"),
}

#: ``uiMetaData.mode`` (meaning inferred from co-occurrence, formats.md §2.2).
_MODE_KINDS: dict[int, ValueKind] = {
    0: ValueKind.EXP, 1: ValueKind.LIT, 2: ValueKind.VAR, 3: ValueKind.NO_VALUE, 4: ValueKind.EXP,
}

#: Well-known output ids -> the output names Archy YAML uses; other paths keep their label.
_OUTPUT_NAMES: dict[str, str] = {
    "__YES__": "yes", "__NO__": "no", "__SUCCESS__": "success", "__FAILURE__": "failure",
    "__TIMEOUT__": "timeout", "__FOUND__": "found", "__NOT_FOUND__": "notFound",
}

#: Kinds whose target is an external entity named by a plain string field.
_NAME_TARGETS: dict[ActionKind, str] = {
    ActionKind.TRANSFER_TO_FLOW: "flowName",
    ActionKind.TRANSFER_TO_SECURE_FLOW: "flowName",
    ActionKind.CALL_COMMON_MODULE: "flowName",
    ActionKind.CALL_BOT_FLOW: "flowName",
    ActionKind.CALL_DIGITAL_BOT_FLOW: "flowName",
    ActionKind.SET_SCREEN_POP: "screenPopName",
}

#: Kinds that reference another container of the same flow, by container id.
_REF_TARGETS: dict[ActionKind, str] = {
    ActionKind.JUMP_TO_TASK: "taskReference",
    ActionKind.CALL_TASK: "taskReference",
    ActionKind.JUMP_TO_MENU: "menuReference",
    ActionKind.CHANGE_STATE: "stateReference",
}
_REF_FIELDS = ("taskReference", "menuReference", "stateReference")
_JUMP_KINDS = frozenset({ActionKind.JUMP_TO_TASK, ActionKind.JUMP_TO_MENU, ActionKind.CHANGE_STATE})

#: Top-level action keys that never hold value objects worth reporting.
_SKIP_KEYS = frozenset({"paths", "path", "uiMetaData", "metaData"})

#: Where control goes when a chain ends: (edge kind, target action or None = leave container).
_Cont = tuple[EdgeKind, int | None]
_END: _Cont = (EdgeKind.NEXT, None)


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(text: str) -> object:
    """``json.loads``, with lone UTF-16 surrogates replaced by U+FFFD.

    ``"\\ud800"`` is valid JSON but not text: it would reach flow names and messages, and
    no report could be written out as UTF-8.  Only texts that escape a surrogate are walked.
    """
    doc: object = json.loads(text)
    if _ESCAPED_SURROGATE.search(text) is None:
        return doc
    if isinstance(doc, str):
        return _mended(doc)
    stack: list[object] = [doc]
    while stack:  # iterative: the document may be as deep as json.loads allows
        node = stack.pop()
        if isinstance(node, list):
            items = cast(list[object], node)
            for position, item in enumerate(items):
                if isinstance(item, str):
                    items[position] = _mended(item)
                elif isinstance(item, (list, dict)):
                    stack.append(cast(object, item))
        elif isinstance(node, dict):
            members = cast(JsonDict, node)
            pairs = [(_mended(key), value) for key, value in members.items()]
            members.clear()
            for key, value in pairs:
                members[key] = _mended(value) if isinstance(value, str) else value
                if isinstance(value, (list, dict)):
                    stack.append(cast(object, value))
    return doc


def _mended(text: str) -> str:
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _as_dict(value: object) -> JsonDict | None:
    return cast(JsonDict, value) if isinstance(value, dict) else None


def _as_list(value: object) -> list[object]:
    return cast(list[object], value) if isinstance(value, list) else []


def _as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _is_value(node: JsonDict) -> bool:
    """A value object: ``{config, text, type, uiMetaData: {mode}, ...}``."""
    if not isinstance(node.get("text"), str):
        return False
    if "config" in node:
        return True
    ui = _as_dict(node.get("uiMetaData"))
    return ui is not None and "mode" in ui


def _value_kind(node: JsonDict) -> ValueKind:
    config = _as_dict(node.get("config"))
    if config is None:
        if node.get("text") == "":
            return ValueKind.NO_VALUE  # e.g. a switch's unused top-level expression
    elif "emp" in config:
        return ValueKind.NO_VALUE  # an empty slot, whatever the mode says
    ui = _as_dict(node.get("uiMetaData"))
    mode = ui.get("mode") if ui is not None else None
    if type(mode) is int and mode in _MODE_KINDS:
        return _MODE_KINDS[mode]
    if config is None:
        return ValueKind.OTHER
    # No mode (audio builders): a bare literal is a literal, anything else an expression.
    return ValueKind.LIT if "lit" in config and len(config) == 1 else ValueKind.EXP


def _fl100(message: str, loc: Loc) -> Diagnostic:
    return at("FL100", Severity.ERROR, message, loc)


def _pointer_text(pointer: Pointer) -> str:
    return "/" + "/".join(str(step) for step in pointer)


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


class _Builder:
    """Builds one Flow; keeps the raw action dicts (by action index) for the wiring pass."""

    def __init__(self, flow: Flow, table: ActionTable, base: Pointer) -> None:
        self.source = flow.file
        self.table = table
        self.base = base
        self.flow = flow
        self.raw: list[JsonDict] = []
        self.container_raw: list[JsonDict] = []
        self.action_ids: dict[str, int] = {}
        self.container_ids: dict[str, int] = {}
        self.menu_choices: dict[int, list[tuple[str, int]]] = {}
        self.jump_targets: dict[int, int | None] = {}
        self.loop_done: dict[int, int | None] = {}
        self.visited: set[int] = set()

    # -- reading ---------------------------------------------------------------------------

    def build(self, doc: JsonDict, items: list[object]) -> None:
        flow, base = self.flow, self.base
        flow.variables = self._variables(doc.get("variables"), base + ("variables",), "", None)
        settings = _as_dict(doc.get("commonModuleFlowSettings"))
        if settings is not None:
            flow.compatible_flow_types = [
                t for t in _as_list(settings.get("destinationFlowTypes")) if isinstance(t, str)]
        for position, raw_item in enumerate(items):
            item = _as_dict(raw_item)
            if item is not None:
                self._container(item, base + ("flowSequenceItemList", position))
        self._entries(doc)
        for action in flow.actions:
            self._target(action, self.raw[action.index])
        for container in flow.containers:
            self._wire_container(container)

    def _variables(self, raw: object, pointer: Pointer, prefix: str, container: int | None) -> list[Variable]:
        variables: list[Variable] = []
        for position, raw_variable in enumerate(_as_list(raw)):
            item = _as_dict(raw_variable)
            name = _as_str(item.get("name")) if item is not None else None
            if item is None or name is None:
                continue
            loc = Loc(self.source, f'{prefix}variable "{name}"', None, pointer + (position,))
            variables.append(Variable(
                name, _as_str(item.get("__type")) or "", loc,
                is_input=item.get("isInput") is True, is_output=item.get("isOutput") is True,
                is_secure=item.get("isSecure") is True, container=container))
        return variables

    def _container(self, item: JsonDict, pointer: Pointer) -> None:
        flow = self.flow
        kind, word = _CONTAINERS.get(_as_str(item.get("__type")) or "", (ContainerKind.TASK, "item"))
        name = _as_str(item.get("name")) or ""
        ref_id = _as_str(item.get("id"))
        logical = f'{word} "{name}"'
        container = Container(len(flow.containers), kind, name, ref_id, Loc(self.source, logical, None, pointer))
        flow.containers.append(container)
        self.container_raw.append(item)
        if ref_id is not None:
            self.container_ids.setdefault(ref_id, container.index)
        container.variables = self._variables(item.get("variables"), pointer + ("variables",),
                                              f"{logical} > ", container.index)
        if kind is ContainerKind.MENU:
            self._menu(container, item, pointer)
            return
        for position, raw_action in enumerate(_as_list(item.get("actionList"))):
            action = _as_dict(raw_action)
            if action is not None:
                name = _as_str(action.get("name")) or ""
                self._action(action, container, f'{logical} > action "{name}"',
                             pointer + ("actionList", position))

    def _menu(self, container: Container, item: JsonDict, pointer: Pointer) -> None:
        """A synthetic MENU action is the entry; each choice's action becomes an action."""
        menu = self._add(ActionKind.MENU, "Menu", container.name, container.loc, container, {})
        container.entry = menu.index
        choices: list[tuple[str, int]] = []
        choice_ids: dict[str, int] = {}
        for position, raw_choice in enumerate(_as_list(item.get("menuChoiceList"))):
            choice = _as_dict(raw_choice)
            action = _as_dict(choice.get("action")) if choice is not None else None
            if choice is None or action is None:
                continue
            name = _as_str(choice.get("name")) or _as_str(action.get("name")) or ""
            index = self._action(action, container, f'{container.loc.logical} > choice "{name}"',
                                 pointer + ("menuChoiceList", position, "action"), name)
            choices.append((name, index))  # labelled by name, like the YAML loader
            choice_id = _as_str(choice.get("id"))
            if choice_id is not None:
                choice_ids[choice_id] = index
        self.menu_choices[menu.index] = choices
        default = _as_str(item.get("defaultMenuChoice"))
        if default is not None and default not in choice_ids:
            self._dangling("defaultMenuChoice", default, container.loc, pointer + ("defaultMenuChoice",))

    def _add(self, kind: ActionKind, key: str, name: str, loc: Loc, container: Container,
             raw: JsonDict) -> Action:
        flow = self.flow
        action = Action(len(flow.actions), kind, key, name, loc, container.index)
        flow.actions.append(action)
        self.raw.append(raw)
        container.actions.append(action.index)
        return action

    def _action(self, raw: JsonDict, container: Container, logical: str, pointer: Pointer,
                name: str | None = None) -> int:
        key = _as_str(raw.get("__type")) or ""
        kind = self.table.export_kind(key)
        action = self._add(kind, key, name if name is not None else _as_str(raw.get("name")) or "",
                           Loc(self.source, logical, None, pointer), container, raw)
        action_id = _as_str(raw.get("id"))
        if action_id is not None:
            self.action_ids.setdefault(action_id, action.index)
        action.values = self._values(raw, logical, pointer)
        action.bindings = [(path, value) for path, value in action.values if value.kind is ValueKind.VAR]
        if kind in DATA_SET_KINDS or kind in DATA_GET_KINDS:
            self._attributes(action, raw, logical, pointer, kind in DATA_SET_KINDS)
        return action.index

    def _values(self, raw: JsonDict, logical: str, pointer: Pointer) -> list[tuple[str, Value]]:
        """Every value object of an action, in document order (iterative: no recursion limit)."""
        found: list[tuple[str, Value]] = []
        stack: list[tuple[object, str, Pointer]] = [(raw, "", pointer)]
        source = self.source
        while stack:
            node, path, at_pointer = stack.pop()
            children: list[tuple[object, str, Pointer]] = []
            if isinstance(node, dict):
                item = cast(JsonDict, node)
                if path and _is_value(item):
                    text = cast(str, item["text"])
                    # Point at the "text" string: the source text users recognise (and edit).
                    loc = Loc(source, f"{logical} > {path}", None, (*at_pointer, "text"))
                    found.append((path, Value(_value_kind(item), text, loc)))
                    continue
                for key, child in item.items():
                    if isinstance(child, (dict, list)) and (path or key not in _SKIP_KEYS):
                        children.append((cast(object, child), f"{path}.{key}" if path else key, at_pointer + (key,)))
            elif isinstance(node, list):
                for position, child in enumerate(cast(list[object], node)):
                    if isinstance(child, (dict, list)):
                        children.append((cast(object, child), f"{path}[{position}]", at_pointer + (position,)))
            stack.extend(reversed(children))
        return found

    def _attributes(self, action: Action, raw: JsonDict, logical: str, pointer: Pointer, is_set: bool) -> None:
        """``variables[i]``: ``variable`` holds the attribute NAME in both Set and Get;
        ``expression`` is the value (Set) or the receiving variable (Get)."""
        by_path = dict(action.values)
        for position, raw_pair in enumerate(_as_list(raw.get("variables"))):
            if _as_dict(raw_pair) is None:
                continue
            name = by_path.get(f"variables[{position}].variable")
            if name is None:
                continue
            other = by_path.get(f"variables[{position}].expression")
            loc = Loc(self.source, f"{logical} > variables[{position}]", None, pointer + ("variables", position))
            if is_set:
                action.attributes.append(DataAttribute(name, loc, value=other))
            else:
                action.attributes.append(DataAttribute(name, loc, variable=other))

    # -- resolving -------------------------------------------------------------------------

    def _dangling(self, key: str, ref_id: str, loc: Loc, pointer: Pointer) -> None:
        value = Value(ValueKind.LIT, ref_id, Loc(self.source, f"{loc.logical} > {key}", None, pointer))
        self.flow.references.append(Reference(key, value, None))

    def _resolve(self, raw_id: object, loc: Loc, key: str, pointer: Pointer) -> int | None:
        """Action index for an id; records a dangling Reference (FL103) when it resolves to nothing."""
        ref_id = _as_str(raw_id)
        if not ref_id:
            return None
        index = self.action_ids.get(ref_id)
        if index is None:
            self._dangling(key, ref_id, loc, pointer)
        return index

    def _entries(self, doc: JsonDict) -> None:
        flow = self.flow
        for container in flow.containers:
            if container.kind is not ContainerKind.MENU:
                ptr = cast(Pointer, container.loc.pointer)
                raw_start = self.container_raw[container.index].get("startAction")
                container.entry = self._resolve(raw_start, container.loc, "startAction", ptr + ("startAction",))
        initial = _as_str(doc.get("initialSequence"))
        if initial is not None:
            resolved = self.container_ids.get(initial)
            flow.entry_container = resolved
            loc = Loc(self.source, "initialSequence", None, self.base + ("initialSequence",))
            flow.references.append(Reference("initialSequence", Value(ValueKind.LIT, initial, loc), resolved))

    def _target(self, action: Action, raw: JsonDict) -> None:
        pointer = cast(Pointer, action.loc.pointer)
        in_queue = _as_str(raw.get("inQueueFlowName")) if action.kind == ActionKind.TRANSFER_TO_ACD else None
        if in_queue:
            # Same field path as YAML's overrideInQueueFlow, so the flow graph reads both alike.
            loc = action.loc.child("inQueueFlowName", pointer=pointer + ("inQueueFlowName",))
            action.values.append(("overrideInQueueFlow", Value(ValueKind.LIT, in_queue, loc)))
        field = _NAME_TARGETS.get(action.kind)
        if field is not None:
            text = _as_str(raw.get(field))
            if text is not None:
                action.target = Value(ValueKind.LIT, text, action.loc.child(field, pointer=pointer + (field,)))
            return
        field = _REF_TARGETS.get(action.kind)
        if field is None or field not in raw:
            field = next((f for f in _REF_FIELDS if f in raw), None)
        ref_id = _as_str(raw.get(field)) if field is not None else None
        if field is None or ref_id is None:
            return
        action.target = Value(ValueKind.LIT, ref_id, action.loc.child(field, pointer=pointer + (field,)))
        resolved = self.container_ids.get(ref_id)
        self.jump_targets[action.index] = resolved
        self.flow.references.append(Reference(field, action.target, resolved))

    # -- wiring ----------------------------------------------------------------------------

    def _wire_container(self, container: Container) -> None:
        flow = self.flow
        roots: list[int] = []
        if container.kind is ContainerKind.MENU and container.entry is not None:
            menu = flow.actions[container.entry]
            self.visited.add(menu.index)
            for label, index in self.menu_choices.get(menu.index, []):
                menu.succ.append(Edge(EdgeKind.CHOICE, label, index))
                roots.append(index)
        elif container.entry is not None:
            roots.append(container.entry)
        for root in roots:
            self._walk(root, _END, None)
        rest = [index for index in container.actions if index not in self.visited]
        if rest:
            # Unreachable actions: wire them too, chain heads first so chains keep their context.
            targeted = {t for index in rest for t in self._successor_ids(self.raw[index])}
            heads = [i for i in rest if _as_str(self.raw[i].get("id")) not in targeted]
            for index in heads + rest:
                self._walk(index, _END, None)

    @staticmethod
    def _successor_ids(raw: JsonDict) -> list[str]:
        ids = [_as_str(raw.get("nextAction"))]
        ids.extend(_as_str(p.get("nextActionId")) for p in map(_as_dict, _as_list(raw.get("paths"))) if p)
        loop_path = _as_dict(raw.get("path"))
        if loop_path is not None:
            ids.append(_as_str(loop_path.get("nextActionId")))
        return [i for i in ids if i]

    def _walk(self, start: int, cont: _Cont, loop: int | None) -> None:
        """Wire the chain starting at ``start`` and every branch below it (iteratively)."""
        work: list[tuple[int, _Cont, int | None]] = [(start, cont, loop)]
        while work:
            current, chain_cont, chain_loop = work.pop()
            index: int | None = current
            while index is not None and index not in self.visited:
                self.visited.add(index)
                index = self._wire(index, chain_cont, chain_loop, work)

    def _wire(self, index: int, cont: _Cont, loop: int | None, work: list[tuple[int, _Cont, int | None]]) -> int | None:
        """Add the edges of one action; return the next action of its chain, if any."""
        flow = self.flow
        action = flow.actions[index]
        raw = self.raw[index]
        pointer = cast(Pointer, action.loc.pointer)
        kind = action.kind
        succ = action.succ
        has_next = bool(_as_str(raw.get("nextAction")))
        nxt = self._resolve(raw.get("nextAction"), action.loc, "nextAction", pointer + ("nextAction",))
        after: _Cont = (EdgeKind.NEXT, nxt) if has_next else cont

        if kind is ActionKind.LOOP:
            body_path, body_pointer = _as_dict(raw.get("path")), pointer + ("path",)
            if body_path is None:  # tolerate a loop written with a ``paths`` list
                for position, candidate in enumerate(map(_as_dict, _as_list(raw.get("paths")))):
                    if candidate is not None and candidate.get("outputId") == "__LOOP__":
                        body_path, body_pointer = candidate, pointer + ("paths", position)
                        break
            body = self._resolve(body_path.get("nextActionId"), action.loc, "nextActionId",
                                 body_pointer + ("nextActionId",)) if body_path is not None else None
            self.loop_done[index] = after[1]
            if body is not None:
                succ.append(Edge(EdgeKind.LOOP_BODY, "loop", body))
                work.append((body, (EdgeKind.LOOP_BACK, index), index))
            succ.append(Edge(EdgeKind.LOOP_DONE, "", after[1]))
            return nxt
        if kind is ActionKind.LOOP_NEXT and loop is not None:
            succ.append(Edge(EdgeKind.LOOP_BACK, "", loop))
        elif kind is ActionKind.LOOP_EXIT and loop is not None:
            succ.append(Edge(EdgeKind.LOOP_DONE, "", self.loop_done.get(loop)))
        elif kind in _JUMP_KINDS or kind is ActionKind.CALL_TASK:
            target = self.jump_targets.get(index)
            entry = flow.containers[target].entry if target is not None else None
            succ.append(Edge(EdgeKind.CALL if kind is ActionKind.CALL_TASK else EdgeKind.JUMP, action.key, entry))

        paths = _as_list(raw.get("paths"))
        if paths:
            self._paths(action, raw, paths, after, loop, work)
        elif has_next:
            succ.append(Edge(EdgeKind.NEXT, "", nxt))
        elif kind not in self.table.terminal_kinds:
            succ.append(Edge(cont[0], "", cont[1]))
        return nxt

    def _paths(self, action: Action, raw: JsonDict, paths: list[object], after: _Cont,
               loop: int | None, work: list[tuple[int, _Cont, int | None]]) -> None:
        cases: dict[str, str] = {}
        if action.kind is ActionKind.SWITCH:
            for number, case in enumerate(_as_list(raw.get("cases")), start=1):
                case_dict = _as_dict(case)
                reference = _as_str(case_dict.get("referenceId")) if case_dict is not None else None
                if reference is not None:
                    cases[reference] = str(number)
        pointer = cast(Pointer, action.loc.pointer)
        for position, raw_path in enumerate(paths):
            path = _as_dict(raw_path)
            if path is None:
                continue
            output_id = _as_str(path.get("outputId")) or ""
            target_id = _as_str(path.get("nextActionId"))
            if target_id:
                target = self._resolve(target_id, action.loc, "nextActionId",
                                       pointer + ("paths", position, "nextActionId"))
                if target is not None:
                    work.append((target, after, loop))
            else:
                target = after[1]
            if output_id in cases:
                edge = Edge(EdgeKind.CASE, cases[output_id], target)
            elif action.kind is ActionKind.SWITCH and output_id == "__DEFAULT__":
                edge = Edge(EdgeKind.DEFAULT, "default", target)
            else:
                label = _OUTPUT_NAMES.get(output_id) or _as_str(path.get("label")) or output_id
                edge = Edge(EdgeKind.OUTPUT, label, target)
            action.succ.append(edge)


def load_flow_document(source: SourceFile, doc: object, table: ActionTable, pointer_base: Pointer = (),
                       *, type_hint: str | None = None) -> LoadResult:
    """Map a decoded flow document to one IR Flow; never raises on a badly shaped document.

    ``type_hint`` (lower-case API type, e.g. from an export's extension) is used when the
    document has no ``type``.
    """
    base_loc = Loc(source, "", None, pointer_base)
    top = _as_dict(doc)
    if top is None:
        return LoadResult(source, diagnostics=[_fl100("the document is not a JSON object", base_loc)])
    if "flowSequenceItemList" not in top:
        return LoadResult(source, diagnostics=[
            _fl100("not a flow document (no flowSequenceItemList)", base_loc)])
    raw_items = top["flowSequenceItemList"]
    if not isinstance(raw_items, list):
        pointer = pointer_base + ("flowSequenceItemList",)
        return LoadResult(source, diagnostics=[_fl100(
            f"{_pointer_text(pointer)} is not a list", Loc(source, "flowSequenceItemList", None, pointer))])
    name = _as_str(top.get("name")) or _stem(source.path)
    type_key = _as_str(top.get("type")) or type_hint or ""
    logical = f'flow "{name}"'
    flow = Flow(name, type_key.lower(), type_key, source, Loc(source, logical, None, pointer_base),
                Loc(source, f"{logical} > name", None, pointer_base + ("name",)))
    _Builder(flow, table, pointer_base).build(top, cast(list[object], raw_items))
    return LoadResult(source, flows=[flow])


def load_json_text(path: str, text: str, table: ActionTable | None = None) -> LoadResult:
    """Load a Platform API flow configuration JSON file; other JSON files are ``not_a_flow``."""
    source = SourceFile(path, SourceFormat.JSON, text)
    if "flowSequenceItemList" not in text:
        return LoadResult(source, not_a_flow=True)  # cheap: unrelated JSON is never parsed
    body = text[1:] if text.startswith("\ufeff") else text
    try:
        doc: object = parse_json(body)
    except json.JSONDecodeError as error:
        column = error.colno + (1 if body is not text and error.lineno == 1 else 0)
        span = Span(error.lineno, column, error.lineno, column + 1)
        message = f"not valid JSON: {error.msg}"
        return LoadResult(source, diagnostics=[Diagnostic("FL100", Severity.ERROR, message, path, span, "")])
    except RecursionError:
        return LoadResult(source, diagnostics=[
            Diagnostic("FL100", Severity.ERROR, "not valid JSON: nested too deeply", path, None, "")])
    top = _as_dict(doc)
    if top is None or "flowSequenceItemList" not in top:
        return LoadResult(source, not_a_flow=True)
    source.locator = make_locator(text)
    return load_flow_document(source, top, table or action_table())
