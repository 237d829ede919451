"""The LALR table of ``grammars/expression.lark``, computed by lark and shipped as data.

Computing the table needs lark (about 50 ms to import) and 100+ ms of analysis; loading
the precomputed copy in ``flowlint/data/expression_table.json`` takes about a
millisecond and never imports lark.  The copy records the SHA-256 of the grammar it was
built from: when the grammar changes and the copy is stale, :func:`load` recomputes the
table with lark instead, so a stale file costs time, never correctness.  Regenerate
with ``python -m flowlint.expressions.table`` (a test fails while the copy is stale).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, cast


class RuleInfo(NamedTuple):
    size: int
    #: The non-terminal the rule reduces to.
    origin: str
    #: The rule's alias (``-> name`` in the grammar): the AST builder; None for a unit rule.
    alias: str | None


class Table(NamedTuple):
    #: Per state: terminal -> shift target (>= 0) or ~rule index (< 0).
    actions: list[dict[str, int]]
    #: Per state: non-terminal -> state.
    gotos: list[dict[str, int]]
    rules: list[RuleInfo]
    start: int
    end: int


_TABLE_FILE = "expression_table.json"


def grammar_text() -> str:
    return (resources.files("flowlint.grammars") / "expression.lark").read_text(encoding="utf-8")


def grammar_digest(grammar: str) -> str:
    return hashlib.sha256(grammar.encode("utf-8")).hexdigest()


def load() -> Table:
    """The table for the installed grammar: the shipped copy if current, else lark's."""
    grammar = grammar_text()
    try:
        shipped: Any = json.loads((resources.files("flowlint.data") / _TABLE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        shipped = None
    if isinstance(shipped, dict) and cast(dict[str, Any], shipped).get("grammar_sha256") == grammar_digest(grammar):
        return _from_json(cast(dict[str, Any], shipped))
    return _from_json(compute(grammar))


def compute(grammar: str) -> dict[str, Any]:
    """Run lark's LALR analysis and flatten its table into JSON-able data.

    Lark numbers states differently from run to run (set iteration order), so states are
    renumbered breadth-first from the start state and rules sorted: the same grammar
    always gives the same file.
    """
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    # lark does not type its table; it is read through Any.
    parser: Any = Lark(grammar, parser="lalr", lexer="basic")
    conf = parser.parse_interactive("").parser_state.parse_conf
    # lark keys are Token objects; plain str keys keep the driver's lookups cheap.
    shifts: dict[int, dict[str, int]] = {}
    reduces: dict[int, dict[str, tuple[str, tuple[str, ...], str | None]]] = {}
    for state, row in conf.states.items():
        shifts[state], reduces[state] = {}, {}
        for key, (action, arg) in row.items():
            if action is Shift:
                shifts[state][str(key)] = arg
            else:
                expansion = tuple(str(symbol.name) for symbol in arg.expansion)
                reduces[state][str(key)] = (str(arg.origin.name), expansion, arg.alias)
    number = {conf.start_state: 0}
    queue = [conf.start_state]
    for state in queue:  # breadth-first; the queue grows while iterating
        for symbol in sorted(shifts[state]):
            target = shifts[state][symbol]
            if target not in number:
                number[target] = len(number)
                queue.append(target)
    rule_list = sorted({rule for row in reduces.values() for rule in row.values()}, key=repr)
    rule_id = {rule: index for index, rule in enumerate(rule_list)}
    actions: list[dict[str, int]] = [{} for _ in number]
    gotos: list[dict[str, int]] = [{} for _ in number]
    for state, new in number.items():
        for symbol, target in shifts[state].items():
            (actions if symbol.isupper() else gotos)[new][symbol] = number[target]
        for symbol, rule in reduces[state].items():
            actions[new][symbol] = ~rule_id[rule]
    return {
        "grammar_sha256": grammar_digest(grammar),
        "start": number[conf.start_state],
        "end": number[conf.end_state],
        "rules": [[len(expansion), origin, alias, list(expansion)] for origin, expansion, alias in rule_list],
        "actions": actions,
        "gotos": gotos,
    }


def _from_json(data: dict[str, Any]) -> Table:
    rules = [RuleInfo(int(size), str(origin), alias) for size, origin, alias, _ in data["rules"]]
    return Table(data["actions"], data["gotos"], rules, int(data["start"]), int(data["end"]))


def write(path: Path | None = None) -> Path:
    """Recompute the table and store it where :func:`load` finds it."""
    target = path or Path(str(resources.files("flowlint.data") / _TABLE_FILE))
    data = compute(grammar_text())
    target.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    print(f"wrote {write()}")
