"""How a flow uses the variable a Get writes: guarded reads, dead reads, near-miss names.

A Get of an attribute nobody may have set yet is not always a mistake. Real flows read an
attribute at their start and immediately test the variable with ``IsNotSetOrEmpty`` /
``IsSet``, initialising it on the empty branch (a *guarded read*); and a Get whose
variable nothing reads (a *dead read*) cannot route anything wrongly. Both are worth an
info note at most (issue 14, semantics-2.md §1.3: what a missing attribute leaves in the
variable is undocumented, so real flows guard it).
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from collections.abc import Iterable

from flowlint.ir import DATA_GET_KINDS, Action, ActionKind, Flow, Value, ValueKind

#: Functions that test whether a value is there. ``IsSet``/``IsNotSetOrEmpty`` are in the
#: catalog (flowlint/data/functions.json); the spellings are case-insensitive, as Architect's.
GUARD_FUNCTIONS = ("IsSet", "IsNotSet", "IsNotSetOrEmpty", "IsSetOrEmpty", "IsEmpty", "IsNotEmpty")
#: How far after the Get its variable's first use may be, in actions, to count as "immediately".
_GUARD_HORIZON = 12
#: Kinds of values that read variables (``var:`` wrappers and output bindings write them).
_READING_KINDS = frozenset({ValueKind.EXP, ValueKind.TTS, ValueKind.BARE, ValueKind.OTHER})


#: A variable reference (``Flow.x``, ``Task.customer.name``): two or more dotted names, not
#: inside a longer name.  One pattern for every variable: compiling one per variable cost
#: more than the rest of the per-file analysis.
_REFERENCE = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_GUARD_CALL = re.compile(
    r"\b(?:" + "|".join(GUARD_FUNCTIONS) + r")\s*\(\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\s*\)", re.IGNORECASE)


def _references(text: str) -> set[str]:
    """The variables ``text`` reads, case-folded (Architect names are case-insensitive);
    ``Flow.x.y`` (a JSON property) reads ``Flow.x`` too."""
    found: set[str] = set()
    for match in _REFERENCE.finditer(text):
        parts = match.group(0).casefold().split(".")
        found.update(".".join(parts[:end]) for end in range(2, len(parts) + 1))
    return found


def reads(action: Action) -> Iterable[Value]:
    """The values of ``action`` that read variables (not the ones it writes)."""
    written = {path for path, _ in action.bindings}
    for path, value in action.values:
        if value.kind in _READING_KINDS and value.text and path not in written:
            yield value


def read_variables(action: Action) -> set[str]:
    """Every variable ``action`` reads, case-folded."""
    found: set[str] = set()
    for value in reads(action):
        found |= _references(value.text or "")
    return found


def guarded_variables(action: Action) -> set[str]:
    """The variables ``action`` tests with ``IsNotSetOrEmpty(...)`` and the like, case-folded."""
    return {match.group(1).casefold() for value in reads(action)
            for match in _GUARD_CALL.finditer(value.text or "")}


def annotate(flow: Flow) -> None:
    """Record, per Get, the per-file facts the cross-flow stage needs once the flow's values
    are dropped (:func:`flowlint.pipeline.units.project_view`): the guard of its variable,
    whether the variable is used, and the name of each data action the flow calls."""
    used: set[str] | None = None
    for action in flow.actions:
        if action.kind == ActionKind.CALL_DATA_ACTION and action.target is None:
            action.target = called_data_action(action)
        if action.kind not in DATA_GET_KINDS:
            continue
        for attribute in action.attributes:
            variable = attribute.variable.text if attribute.variable is not None else None
            if not variable:
                continue
            tested = guard(flow, action, variable)
            attribute.guarded_by = tested.loc if tested is not None else None
            if used is None:  # every read of the flow, once: Gets themselves read no variable
                used = set[str]().union(*(read_variables(a) for a in flow.actions))
            attribute.unused = variable.strip().casefold() not in used


_DATA_ACTION_PATH = re.compile(r"^category\.(?:.+?)\.dataAction\.(.+?)\.(?:inputs|successOutputs|failureOutputs)\.")


def called_data_action(action: Action) -> Value | None:
    """The name of the data action an Archy YAML ``callData`` calls, as a value at the
    action (None: no inputs or outputs written, or an export, whose actions are referenced
    by id)."""
    for path, _ in action.values:
        found = _DATA_ACTION_PATH.match(path)
        if found is not None:
            return Value(ValueKind.LIT, found.group(1), action.loc)
    return None


def guard(flow: Flow, get: Action, variable: str) -> Action | None:
    """The action that first reads ``variable`` after ``get``, if that read is a test of
    whether it is set (``IsNotSetOrEmpty(Flow.x)``): the flow handles an empty value."""
    actions = flow.actions
    wanted = variable.strip().casefold()
    seen = {get.index}
    queue: deque[tuple[int, int]] = deque((e.target, 1) for e in get.succ if e.target is not None)
    while queue:
        index, depth = queue.popleft()
        if index in seen or depth > _GUARD_HORIZON:
            continue
        seen.add(index)
        action = actions[index]
        if wanted in read_variables(action):
            return action if wanted in guarded_variables(action) else None
        if any((value.text or "").strip().casefold() == wanted for _, value in action.bindings):
            continue  # overwritten before any read: this path does not use the Get's value
        queue.extend((e.target, depth + 1) for e in action.succ if e.target is not None)
    return None


_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def tokens(name: str) -> tuple[str, ...]:
    """``CustomerTier`` -> (customer, tier); ``customer_tier`` and ``customer.tier`` too."""
    return tuple(t.lower() for t in _TOKEN.findall(name))


def near_names(name: str, candidates: Iterable[str]) -> list[str]:
    """Names within a small edit distance of ``name`` or differing by whole words
    (``Tier`` / ``CustomerTier``), closest first; not the ones equal ignoring case (FL001's)."""
    mine = tokens(name)
    folded = name.casefold()
    scored: list[tuple[float, str]] = []
    for candidate in set(candidates):
        if candidate.casefold() == folded:
            continue
        ratio = difflib.SequenceMatcher(None, folded, candidate.casefold()).ratio()
        theirs = tokens(candidate)
        shared = set(mine) & set(theirs)
        by_words = bool(shared) and (set(mine) <= set(theirs) or set(theirs) <= set(mine))
        if ratio >= 0.8 or by_words:
            scored.append((max(ratio, 0.79 if by_words else 0.0), candidate))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [candidate for _, candidate in scored[:3]]
