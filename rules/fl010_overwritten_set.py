"""FL010: an attribute set twice on one path with nothing that could read it in between."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from flowlint.analysis.attributes import literal_name, store_of
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity, related_at, where
from flowlint.ir import DATA_GET_KINDS, Action, ActionKind, Flow
from ._flows import task_flow
from flowlint.registry import Example, Rule, RuleInfo

#: Actions that cannot observe participant or secured data: they only move within the flow
#: or touch variables. Everything else (transfers, module, bot and data action calls, screen
#: pops, actions flowlint does not model, the end of the flow) may read it, or hand the
#: conversation to something that does.
_BLIND = frozenset({
    ActionKind.DECISION, ActionKind.SWITCH, ActionKind.LOOP, ActionKind.LOOP_NEXT, ActionKind.LOOP_EXIT,
    ActionKind.JUMP_TO_TASK, ActionKind.CALL_TASK, ActionKind.JUMP_TO_MENU, ActionKind.CHANGE_STATE,
    ActionKind.UPDATE_DATA, ActionKind.MENU, ActionKind.DATA_TABLE_LOOKUP,
    ActionKind.SET_PARTICIPANT_DATA, ActionKind.SET_SECURED_DATA,
    ActionKind.GET_PARTICIPANT_DATA, ActionKind.GET_SECURED_DATA,
})
#: Conversation data addresses a conversation by id: two Sets may target two conversations.
_TRACKED = frozenset({ActionKind.SET_PARTICIPANT_DATA, ActionKind.SET_SECURED_DATA})

Key = tuple[str, str]

_SET_TWICE = """\
- setParticipantData:
    name: Remember tier
    attributes:
      - attribute:
          name:
            lit: CustomerTier
          value:
            lit: {first}
{between}- updateData:
    name: Count the call
    statements:
      - integer:
          variable: Task.calls
          value:
            exp: Task.calls + 1
- setParticipantData:
    name: Remember tier again
    attributes:
      - attribute:
          name:
            lit: CustomerTier
          value:
            exp: Task.tier
- transferToFlow:
    name: To support
    targetFlow:
      name: Support
"""
_READ_BETWEEN = """\
- getParticipantData:
    name: Read tier
    attributes:
      - attribute:
          name:
            lit: CustomerTier
          variable: Task.previousTier
"""


def _keys(action: Action) -> set[Key]:
    store = store_of(action.kind)
    if store is None:
        return set()
    return {(store.value, name) for name in map(literal_name, action.attributes) if name}  # "" is FL002's


class OverwrittenSet(Rule):
    per_file = True  # one flow's control flow alone
    info = RuleInfo(
        code="FL010",
        name="overwritten-set",
        severity=Severity.INFO,
        summary="An attribute is set, then set again on the same path before anything could read the first value.",
        why=(
            "Genesys documents for Set Participant Data and Set Secured Data that when the same attribute is set "
            "more than once, the value set in the last call wins. A Set followed, on some path, by another Set of "
            "the same name with no Get of it, no transfer, no call of a module, bot or data action and no end of "
            "the flow in between writes a value nobody ever sees: usually a leftover, or a Set meant for another "
            "name. flowlint follows every path (decisions, loops, menus) from each Set; actions it does not model "
            "count as possible readers, so only certain overwrites are reported. Conversation data is left out: "
            "two Sets may address two conversations."
        ),
        examples=(
            Example("the first tier is overwritten before anything reads it",
                    {"main.yaml": task_flow("Main", _SET_TWICE.format(first="gold", between=""))}, bad=True),
            Example("a Get reads the first value before the second Set",
                    {"main.yaml": task_flow("Main", _SET_TWICE.format(first="gold", between=_READ_BETWEEN))},
                    bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for flow in ctx.project.flows:
            counts: dict[Key, int] = {}
            for action in flow.actions:
                if action.kind in _TRACKED:
                    for key in _keys(action):
                        counts[key] = counts.get(key, 0) + 1
            for key in sorted(k for k, n in counts.items() if n > 1):
                yield from self._overwrites(ctx, flow, key)

    def _overwrites(self, ctx: Context, flow: Flow, key: Key) -> Iterator[Diagnostic]:
        live = _live_in(flow, key)
        for action in flow.actions:
            if action.kind not in _TRACKED or key not in _keys(action):
                continue
            if any(e.target is None or live[e.target] for e in action.succ) or not action.succ:
                continue  # some path reads it (or leaves the flow) before another Set
            later = _next_set(flow, action, key)
            if later is None:
                continue
            attribute = next(a for a in action.attributes if literal_name(a) == key[1])
            later_attribute = next(a for a in later.attributes if literal_name(a) == key[1])
            yield ctx.diagnostic(
                self.info.code,
                f"'{key[1]}' is set again at {where(later_attribute.name.loc)} before anything can read this value "
                f"(no Get of it, transfer, call or end of flow in between): the last Set wins, so this one is "
                f"never seen; remove it, or read the value before setting it again",
                attribute.name.loc, flow=flow, attribute=key[1],
                related=(related_at(f"'{key[1]}' is set again here", later_attribute.name.loc),),
            )


def _uses(action: Action, key: Key) -> bool:
    if action.kind in DATA_GET_KINDS:
        return key in _keys(action) or action.kind is ActionKind.GET_CONVERSATION_DATA
    return action.kind not in _BLIND


def _live_in(flow: Flow, key: Key) -> list[bool]:
    """Per action: whether the value of ``key`` before it may still be read (backward dataflow)."""
    actions = flow.actions
    predecessors: list[list[int]] = [[] for _ in actions]
    for action in actions:
        for edge in action.succ:
            if edge.target is not None:
                predecessors[edge.target].append(action.index)
    live = [False] * len(actions)
    queue = deque(range(len(actions) - 1, -1, -1))
    queued = set(queue)
    while queue:
        index = queue.popleft()
        queued.discard(index)
        action = actions[index]
        out = not action.succ or any(e.target is None or live[e.target] for e in action.succ)
        new = _uses(action, key) or (out and not (action.kind in _TRACKED and key in _keys(action)))
        if new and not live[index]:
            live[index] = True
            for before in predecessors[index]:
                if before not in queued:
                    queued.add(before)
                    queue.append(before)
    return live


def _next_set(flow: Flow, start: Action, key: Key) -> Action | None:
    """The first Set of ``key`` reached from ``start`` (breadth first), for the message."""
    seen = {start.index}
    queue = deque(e.target for e in start.succ if e.target is not None)
    while queue:
        index = queue.popleft()
        if index in seen:
            continue
        seen.add(index)
        action = flow.actions[index]
        if action.kind in _TRACKED and key in _keys(action):
            return action
        queue.extend(e.target for e in action.succ if e.target is not None)
    return None


RULE = OverwrittenSet()
