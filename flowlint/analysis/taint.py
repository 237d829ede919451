"""Secured-data taint: which variables may hold a value read by Get Secured Data.

Sources are the variables bound by Get Secured Data (and variables declared secure, which
exist in secure flows), plus the action slots that ``flowlint/data/sinks.json`` lists as
sources (Decrypt Data, Call Secure Data outputs). The same file lists sanitizers (Encrypt
Data: its outputs are clean), declassifiers (Extract Secure Data: the taint goes on, marked
as acknowledged) and the sinks the rules report (FL003, FL007). Taint flows through
assignments whose expression reads a tainted variable (updateData, common module
inputs/outputs) along the control-flow graph, through loops and reusable tasks; assigning
an untainted value clears it, and so does any other action's output binding unless the
table says otherwise. This is a may-analysis
(join = union): a variable is tainted at a point if it is on *some* path.

Each tainted variable carries its chain of steps (variable names and positions, never
values), so findings can show how secured data got where it is.
"""

from __future__ import annotations

import enum
import json
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, cast

from flowlint.diagnostics import where
from flowlint.expressions.analysis import variables_read
from flowlint.expressions.parser import parsed
from flowlint.ir import Action, ActionKind, EdgeKind, Flow, Loc, Value, ValueKind


@dataclass(frozen=True, slots=True)
class Step:
    """One link of a taint chain: ``variable`` received secured data at ``loc`` by ``how``.
    ``declassified``: this step is an acknowledged declassification (Extract Secure Data)."""

    variable: str
    loc: Loc
    how: str
    declassified: bool = False


Chain = tuple[Step, ...]
#: lower-cased variable name -> the chain that tainted it.
TaintState = dict[str, Chain]

_STATEMENT = re.compile(r"^(statements\[\d+\]\.[^.]+)\.variable$")


def describe_chain(chain: Chain) -> str:
    """A chain for a message: variable names, how and where; never a value."""
    return " -> ".join(f"{step.variable} ({step.how}, {where(step.loc)})" for step in chain)


def is_declassified(chain: Chain) -> bool:
    return any(step.declassified for step in chain)


# -- the secured-data flow table (flowlint/data/sinks.json) ------------------------------------

class Role(enum.StrEnum):
    SOURCE = "source"
    SANITIZER = "sanitizer"
    DECLASSIFIER = "declassifier"
    SINK = "sink"


class Basis(enum.StrEnum):
    DOCUMENTED = "documented"
    INFERRED = "inferred"


_SEVERITIES = ("error", "warning", "info")


def _slot_pattern(slot: str) -> re.Pattern[str]:
    """``*`` is any text, ``[*]`` any list index; the pattern matches a whole value path."""
    parts = re.split(r"(\[\*\]|\*)", slot)
    regex = "".join(r"\[\d+\]" if part == "[*]" else ".*" if part == "*" else re.escape(part) for part in parts)
    return re.compile(regex, re.DOTALL)


@dataclass(frozen=True, slots=True)
class SlotEntry:
    """One action slot of the secured-data flow table."""

    id: str
    #: The action's name as Architect shows it ("Set Participant Data").
    action: str
    family: str
    keys: tuple[str, ...]
    slots: tuple[str, ...]
    role: Role
    basis: Basis
    why: str
    fix: str = ""
    source: str = ""
    #: The rule that reports this sink (FL003 owns Set Screen Pop).
    rule: str = "FL007"
    #: "error", "warning" or "info"; None: by basis (documented: error, inferred: warning).
    severity: str | None = None
    patterns: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)

    def matches(self, path: str) -> bool:
        return any(pattern.fullmatch(path) for pattern in self.patterns)

    @property
    def finding_severity(self) -> str:
        if self.severity is not None:
            return self.severity
        return "error" if self.basis == Basis.DOCUMENTED else "warning"


@dataclass(frozen=True, slots=True)
class SecuredFlowTable:
    entries: tuple[SlotEntry, ...] = ()
    by_key: Mapping[str, tuple[SlotEntry, ...]] = field(default_factory=lambda: {})

    def for_action(self, action: Action, role: Role) -> list[SlotEntry]:
        return [entry for entry in self.by_key.get(action.key, ()) if entry.role == role]

    def is_source(self, action: Action) -> bool:
        """Whether ``action`` brings secured data into a flow (Get Secured Data, or a source slot)."""
        return action.kind == ActionKind.GET_SECURED_DATA or bool(self.for_action(action, Role.SOURCE))


def _strings(entry: Mapping[str, Any], name: str, where_: str) -> tuple[str, ...]:
    raw: object = entry.get(name)
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(item, str) and item for item in cast(list[object], raw)):
        raise ValueError(f"{where_}: '{name}' must be a non-empty list of non-empty strings")
    return tuple(cast(list[str], raw))


def _text(entry: Mapping[str, Any], name: str, where_: str, *, required: bool = True) -> str:
    raw: object = entry.get(name, "")
    if not isinstance(raw, str) or (required and not raw):
        raise ValueError(f"{where_}: '{name}' must be a{' non-empty' if required else ''} string")
    return raw


def parse_secured_flow_table(doc: object) -> SecuredFlowTable:
    """The table from the JSON document (``{"entries": [...]}``); ValueError when malformed."""
    if not isinstance(doc, dict) or not isinstance(cast(dict[str, object], doc).get("entries"), list):
        raise ValueError("the secured-data flow table must be an object with an 'entries' list")
    entries: list[SlotEntry] = []
    for index, raw in enumerate(cast(list[object], cast(dict[str, object], doc)["entries"])):
        if not isinstance(raw, dict):
            raise ValueError(f"entry {index} must be an object")
        item = cast(dict[str, Any], raw)
        label = f"entry {index} ({item.get('id', '?')})"
        try:
            role = Role(item.get("role"))
            basis = Basis(item.get("basis"))
        except ValueError:
            raise ValueError(f"{label}: 'role' must be one of {[r.value for r in Role]} and 'basis' one of "
                             f"{[b.value for b in Basis]}") from None
        severity: object = item.get("severity")
        if severity is not None and severity not in _SEVERITIES:
            raise ValueError(f"{label}: 'severity' must be one of {list(_SEVERITIES)}")
        slots = _strings(item, "slots", label)
        entries.append(SlotEntry(
            id=_text(item, "id", label), action=_text(item, "action", label),
            family=_text(item, "family", label, required=False) or role.value,
            keys=_strings(item, "keys", label), slots=slots, role=role, basis=basis,
            why=_text(item, "why", label), fix=_text(item, "fix", label, required=role == Role.SINK),
            source=_text(item, "source", label, required=False),
            rule=_text(item, "rule", label, required=False) or "FL007",
            severity=cast(str | None, severity), patterns=tuple(_slot_pattern(slot) for slot in slots)))
    by_key: dict[str, list[SlotEntry]] = defaultdict(list)
    for entry in entries:
        for key in entry.keys:
            by_key[key].append(entry)
    return SecuredFlowTable(tuple(entries), {key: tuple(found) for key, found in by_key.items()})


@cache
def secured_flow_table() -> SecuredFlowTable:
    """The shipped table, ``flowlint/data/sinks.json``."""
    text = resources.files("flowlint.data").joinpath("sinks.json").read_text(encoding="utf-8")
    return parse_secured_flow_table(json.loads(text))


def reads(value: Value) -> list[str]:
    """Variable names (as written) a value reads."""
    if value.kind == ValueKind.EXP and value.text:
        result = parsed(value)
        if result.ast is None:
            return []
        return [ref.name for ref in variables_read(result.ast)]
    if value.kind in (ValueKind.VAR, ValueKind.BARE) and value.text:
        return [value.text]
    return []


def tainted_read(state: TaintState, value: Value) -> tuple[str, Chain] | None:
    """The first tainted variable ``value`` reads, with its chain."""
    for name in reads(value):
        chain = state.get(name.lower())
        if chain is not None:
            return name, chain
    return None


def _join(old: TaintState | None, new: TaintState) -> TaintState:
    if old is None:
        return dict(new)
    merged = dict(old)
    for name, chain in new.items():
        current = merged.get(name)
        if current is None or len(chain) < len(current):
            merged[name] = chain
    return merged


class Taint:
    """Taint facts for one flow: ``before(i)`` is the state on entry to action i."""

    def __init__(self, flow: Flow, entry_seed: TaintState | None = None,
                 module_taints_outputs: dict[str, Chain] | None = None,
                 table: SecuredFlowTable | None = None) -> None:
        self.flow = flow
        self.table = table if table is not None else secured_flow_table()
        #: module name -> chain explaining why its outputs carry secured data.
        self.module_taints_outputs = module_taints_outputs or {}
        self.ins: list[TaintState | None] = [None] * len(flow.actions)
        self._returns = self._task_returns()
        seed: TaintState = dict(entry_seed or {})
        for variable in flow.variables:
            if variable.is_secure:
                seed[variable.name.lower()] = (Step(variable.name, variable.loc, "declared as a secure variable"),)
        entry = flow.entry_action
        if entry is not None:
            self._solve(entry, seed)

    def before(self, action_index: int) -> TaintState | None:
        return self.ins[action_index]

    # -- transfer function ---------------------------------------------------------------
    def transfer(self, action: Action, state: TaintState) -> TaintState:
        out = dict(state)
        if action.kind == ActionKind.GET_SECURED_DATA:
            for attribute in action.attributes:
                variable = attribute.variable
                if variable is not None and variable.text:
                    out[variable.text.lower()] = (Step(
                        variable.text, attribute.name.loc,
                        f"Get Secured Data '{action.name}' reads attribute '{attribute.name.text or '?'}'"),)
            return out
        values = dict(action.values)
        for path, binding in action.bindings:
            if not binding.text:
                continue
            source = self._source_of(action, path, values, state)
            if source is None:
                out.pop(binding.text.lower(), None)
            else:
                out[binding.text.lower()] = (*source, Step(binding.text, binding.loc, self._how(action)))
        if action.key in self.table.by_key:
            self._apply_table(action, state, out)
        return out

    def _apply_table(self, action: Action, state: TaintState, out: TaintState) -> None:
        """Source, sanitizer and declassifier slots of ``action`` (flowlint/data/sinks.json)."""
        bound = {path for path, _ in action.bindings}
        declassified: tuple[str, Chain] | None = None
        for entry in self.table.by_key[action.key]:
            if entry.role == Role.SINK:
                continue
            if entry.role == Role.DECLASSIFIER and declassified is None:
                for path, value in action.values:
                    found = tainted_read(state, value) if path not in bound else None
                    if found is not None:
                        declassified = found
                        break
            for path, binding in action.bindings:
                if not binding.text or not entry.matches(path):
                    continue
                name = binding.text.lower()
                if entry.role == Role.SOURCE:
                    out[name] = (Step(binding.text, binding.loc, f"output of {entry.action} '{action.name}'"),)
                elif entry.role == Role.SANITIZER:
                    out.pop(name, None)
                elif declassified is not None:
                    out[name] = (*declassified[1], Step(
                        binding.text, binding.loc,
                        f"declassified by {entry.action} '{action.name}' (acknowledged by the author)",
                        declassified=True))
                else:
                    out.pop(name, None)

    def _how(self, action: Action) -> str:
        if action.kind == ActionKind.UPDATE_DATA:
            return f"assigned in Update Data '{action.name}'"
        if action.kind == ActionKind.CALL_COMMON_MODULE:
            return f"output of Call Common Module '{action.name}'"
        return f"assigned by '{action.name}'"

    def _source_of(self, action: Action, path: str, values: dict[str, Value], state: TaintState) -> Chain | None:
        """The chain of the tainted value assigned to the binding at ``path``, if any."""
        statement = _STATEMENT.match(path)
        if statement is not None:
            value = values.get(f"{statement.group(1)}.value")
            found = tainted_read(state, value) if value is not None else None
            return found[1] if found else None
        if action.kind == ActionKind.CALL_COMMON_MODULE:
            # Outputs are tainted if any input carries secured data, or the module itself
            # reads secured data (conservative: which output depends on what is not tracked).
            for input_path, value in action.values:
                if ".inputs." in input_path:
                    found = tainted_read(state, value)
                    if found is not None:
                        return found[1]
            name = action.target.text if action.target is not None else None
            if name is not None and name in self.module_taints_outputs:
                return self.module_taints_outputs[name]
        return None

    # -- solver ----------------------------------------------------------------------------
    def _task_returns(self) -> dict[int, list[int]]:
        """endTask action -> where control continues in the callers of its task."""
        actions = self.flow.actions
        returns: dict[int, list[int]] = defaultdict(list)
        for action in actions:
            if action.kind != ActionKind.CALL_TASK:
                continue
            calls = [e.target for e in action.succ if e.kind == EdgeKind.CALL and e.target is not None]
            continuations = [e.target for e in action.succ if e.kind != EdgeKind.CALL and e.target is not None]
            if not calls or not continuations:
                continue
            seen: set[int] = set()
            queue = deque(calls)
            while queue:
                index = queue.popleft()
                if index in seen:
                    continue
                seen.add(index)
                queue.extend(e.target for e in actions[index].succ
                             if e.target is not None and e.kind != EdgeKind.CALL)
            for index in seen:
                if actions[index].kind == ActionKind.END_TASK:
                    returns[index].extend(continuations)
        return returns

    def _successors(self, action: Action) -> Iterable[int]:
        for edge in action.succ:
            if edge.target is not None:
                yield edge.target
        yield from self._returns.get(action.index, ())

    def _solve(self, entry: int, seed: TaintState) -> None:
        actions = self.flow.actions
        self.ins[entry] = seed
        queue: deque[int] = deque([entry])
        queued = {entry}
        while queue:
            index = queue.popleft()
            queued.discard(index)
            state = self.ins[index]
            if state is None:
                continue
            out = self.transfer(actions[index], state)
            for target in self._successors(actions[index]):
                old = self.ins[target]
                new = _join(old, out)
                if old is None or new.keys() != old.keys():
                    self.ins[target] = new
                    if target not in queued:
                        queued.add(target)
                        queue.append(target)


#: A Set's value slot (``attributes[i].attribute.value`` in YAML, ``variables[i].expression``
#: in exports): the value is stored under the i-th attribute's name.
_ATTRIBUTE_VALUE = re.compile(r"(?:attributes\[(\d+)\]\.attribute\.value|variables\[(\d+)\]\.expression)")


def attribute_at(action: Action, path: str) -> str | None:
    """The literal name of the attribute whose value sits at ``path`` of ``action``, if any."""
    match = _ATTRIBUTE_VALUE.fullmatch(path)
    if match is None:
        return None
    index = int(match.group(1) or match.group(2))
    return action.attributes[index].literal_name if index < len(action.attributes) else None


@dataclass(frozen=True, slots=True)
class SinkHit:
    """A sink slot of an action that reads a variable carrying secured data."""

    action: Action
    entry: SlotEntry
    path: str
    value: Value
    variable: str
    chain: Chain


def sink_hits(flow: Flow, taint: Taint, sinks_of: Callable[[Action], list[SlotEntry]]) -> Iterable[SinkHit]:
    """Every slot of ``flow``'s actions that ``sinks_of`` calls a sink (outputs aside) and
    that reads a variable ``taint`` says carries secured data (FL007, the map)."""
    for action in flow.actions:
        sinks = sinks_of(action)
        state = taint.before(action.index) if sinks else None
        if not state:
            continue
        bound = {path for path, _ in action.bindings}
        for path, value in action.values:
            entry = next((e for e in sinks if e.matches(path)), None) if path not in bound else None
            found = tainted_read(state, value) if entry is not None else None
            if entry is not None and found is not None:
                yield SinkHit(action, entry, path, value, found[0], found[1])
