"""Secured-data taint: which variables may hold a value read by Get Secured Data.

Sources are the variables bound by Get Secured Data (and variables declared secure, which
exist in secure flows). Taint flows through assignments whose expression reads a tainted
variable (updateData, common module inputs/outputs) along the control-flow graph, through
loops and reusable tasks; assigning an untainted value clears it. This is a may-analysis
(join = union): a variable is tainted at a point if it is on *some* path.

Each tainted variable carries its chain of steps (variable names and positions, never
values), so findings can show how secured data got where it is.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

from flowlint.expressions.analysis import variables_read
from flowlint.expressions.parser import parsed
from flowlint.ir import Action, ActionKind, EdgeKind, Flow, Loc, Value, ValueKind


@dataclass(frozen=True, slots=True)
class Step:
    """One link of a taint chain: ``variable`` received secured data at ``loc`` by ``how``."""

    variable: str
    loc: Loc
    how: str


Chain = tuple[Step, ...]
#: lower-cased variable name -> the chain that tainted it.
TaintState = dict[str, Chain]

_STATEMENT = re.compile(r"^(statements\[\d+\]\.[^.]+)\.variable$")


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
                 module_taints_outputs: dict[str, Chain] | None = None) -> None:
        self.flow = flow
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
        return out

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
