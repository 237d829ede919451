"""Must-be-set analysis: which attributes are certainly set on every path reaching an action.

A forward dataflow over the flow's control-flow graph (meet = intersection). Sets inside
a called common module or reusable task count as the caller's, through summaries (what
the callee sets on every path to its exits). Loops: the body may run zero times, unless
the loop count is a literal >= 1, in which case leaving the loop implies one iteration.

States are bit sets (Python ints, one bit per attribute key of the flow): a flow of n
actions each setting a new attribute holds n states of up to n members, which as
frozensets of strings took gigabytes at a few thousand actions, and as ints takes n²/8
bytes; union and intersection run in C.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import TypeVar

from flowlint.analysis.attributes import literal_name, store_of
from flowlint.ir import DATA_GET_KINDS, Action, ActionKind, EdgeKind, Flow, ValueKind

State = frozenset[str]
#: Resolves a common module name to its summary (names it sets on every path), if known.
ModuleSummary = Callable[[str], State]


_T = TypeVar("_T")


def key(store: str, name: str) -> str:
    return f"{store}:{name}"


def callees_first(start: _T, callees: Callable[[_T], Iterable[_T]], done: Callable[[_T], bool]) -> list[_T]:
    """``start`` and what it calls, transitively, except what is ``done``: callees before their
    callers (depth-first post-order, cut where a call cycle closes).

    Summaries computed in this order need no recursion, however long a chain of tasks
    calling tasks (or modules calling modules) is.
    """
    order: list[_T] = []
    seen = {start}
    stack = [(start, iter(callees(start)))]
    while stack:
        node, pending = stack[-1]
        for callee in pending:
            if callee not in seen and not done(callee):
                seen.add(callee)
                stack.append((callee, iter(callees(callee))))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def called_modules(flow: Flow) -> list[str]:
    """Names of the common modules ``flow`` calls."""
    return [action.target.text for action in flow.actions
            if action.kind == ActionKind.CALL_COMMON_MODULE and action.target is not None and action.target.text]


def gen(action: Action) -> State:
    """Attribute keys this action itself sets."""
    store = store_of(action.kind)
    if store is None or action.kind in DATA_GET_KINDS:
        return frozenset()
    names = (literal_name(a) for a in action.attributes)
    return frozenset(key(store.value, n) for n in names if n is not None)


def loop_runs_at_least_once(action: Action) -> bool:
    for path, value in action.values:
        if path == "loopCount" and value.kind in (ValueKind.LIT, ValueKind.BARE) and value.text:
            try:
                return int(value.text.strip()) >= 1
            except ValueError:
                return False
    return False


def _no_summary(_name: str) -> State:
    return frozenset()


#: A state inside the solver: bit i set <=> the i-th attribute key met in the flow is set.
Bits = int


def _meet(old: Bits | None, new: Bits) -> Bits:
    return new if old is None else old & new


class MustSet:
    """Must-set facts for one flow: :meth:`is_set_before` an action, :attr:`exit_state`."""

    def __init__(self, flow: Flow, module_summary: ModuleSummary | None = None) -> None:
        self.flow = flow
        self.module_summary: ModuleSummary = module_summary or _no_summary
        self._bit: dict[str, int] = {}
        self._effects: dict[int, Bits] = {}
        self._task_summaries: dict[int, Bits] = {}
        self._in_progress: set[int] = set()
        self.ins: list[Bits | None] = [None] * len(flow.actions)
        #: Keys set on every path from the start to the flow's end (None: no path ends).
        self.exit_state: State | None = None
        entry = flow.entry_action
        if entry is not None:
            self.ins, exit_bits = self._solve(entry, 0)
            self.exit_state = None if exit_bits is None else self._keys(exit_bits)

    def is_set_before(self, action_index: int, attribute_key: str) -> bool | None:
        """Whether ``attribute_key`` is set on every path to the action (None: unreachable)."""
        state = self.ins[action_index]
        if state is None:
            return None
        bit = self._bit.get(attribute_key)
        return bit is not None and bool(state >> bit & 1)

    # -- bits ----------------------------------------------------------------------------
    def _mask(self, keys: Iterable[str]) -> Bits:
        mask = 0
        for name in keys:
            bit = self._bit.get(name)
            if bit is None:
                bit = self._bit[name] = len(self._bit)
            mask |= 1 << bit
        return mask

    def _keys(self, bits: Bits) -> State:
        return frozenset(name for name, bit in self._bit.items() if bits >> bit & 1)

    # -- summaries ---------------------------------------------------------------------
    def _task_summary(self, task_entry: int | None) -> Bits:
        if task_entry is None:
            return 0
        cached = self._task_summaries.get(task_entry)
        if cached is not None:
            return cached
        if task_entry in self._in_progress:  # recursion: assume nothing extra is set
            return 0
        for entry in callees_first(task_entry, self._called_tasks,
                                   lambda e: e in self._task_summaries or e in self._in_progress):
            if entry in self._task_summaries:  # summarised meanwhile, through a cycle
                continue
            self._in_progress.add(entry)
            _, exit_state = self._solve(entry, 0)
            self._in_progress.discard(entry)
            self._task_summaries[entry] = exit_state or 0
        return self._task_summaries[task_entry]

    def _called_tasks(self, entry: int) -> list[int]:
        """Entries of the tasks called by the code reachable from ``entry`` (calls not entered)."""
        actions = self.flow.actions
        found: list[int] = []
        seen = {entry}
        pending = [entry]
        while pending:
            for edge in actions[pending.pop()].succ:
                if edge.target is None:
                    continue
                if edge.kind == EdgeKind.CALL:
                    found.append(edge.target)
                elif edge.target not in seen:
                    seen.add(edge.target)
                    pending.append(edge.target)
        return found

    def _effect(self, action: Action) -> Bits:
        """What running ``action`` adds, including callees' summaries (except task calls)."""
        effect = self._effects.get(action.index)
        if effect is None:
            keys = gen(action)
            if action.kind == ActionKind.CALL_COMMON_MODULE and action.target is not None and action.target.text:
                keys = keys | self.module_summary(action.target.text)
            effect = self._effects[action.index] = self._mask(keys)
        return effect

    # -- the solver --------------------------------------------------------------------
    def _solve(self, entry: int, entry_state: Bits) -> tuple[list[Bits | None], Bits | None]:
        actions = self.flow.actions
        ins: list[Bits | None] = [None] * len(actions)
        # Loop actions keep the state arriving over back edges apart (see module docstring).
        back_ins: dict[int, Bits] = {}
        ins[entry] = entry_state
        exit_state: Bits | None = None
        queue: deque[int] = deque([entry])
        queued = {entry}
        while queue:
            index = queue.popleft()
            queued.discard(index)
            action = actions[index]
            state = ins[index]
            if state is None:
                continue
            effect = self._effect(action)
            # Most actions set nothing: share the state rather than copy it.
            out = state | effect if effect else state
            call_summary: Bits = 0
            if action.kind == ActionKind.CALL_TASK:
                call_edges = [e for e in action.succ if e.kind == EdgeKind.CALL]
                call_summary = self._task_summary(call_edges[0].target) if call_edges else 0
            if not action.succ or any(e.target is None for e in action.succ):
                exit_state = _meet(exit_state, out)
            for edge in action.succ:
                if edge.target is None:
                    continue
                edge_state = out
                if action.kind == ActionKind.CALL_TASK and edge.kind != EdgeKind.CALL:
                    edge_state = out | call_summary
                if action.kind == ActionKind.LOOP and edge.kind == EdgeKind.LOOP_DONE \
                        and loop_runs_at_least_once(action):
                    back = back_ins.get(index)
                    if back is None:
                        continue  # no iteration has completed yet
                    edge_state = back | self._effect(action)
                changed = False
                if edge.kind == EdgeKind.LOOP_BACK:
                    old_back = back_ins.get(edge.target)
                    new_back = _meet(old_back, edge_state)
                    back_ins[edge.target] = new_back
                    changed = new_back != old_back
                new = _meet(ins[edge.target], edge_state)
                if new != ins[edge.target]:
                    ins[edge.target] = new
                    changed = True
                if changed and edge.target not in queued:
                    queued.add(edge.target)
                    queue.append(edge.target)
        return ins, exit_state
