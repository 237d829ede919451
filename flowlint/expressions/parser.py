"""Parse Architect expressions into the typed AST of :mod:`flowlint.expressions.ast`.

The grammar is ``grammars/expression.lark``; lark computes its LALR table (shipped
precomputed, see :mod:`flowlint.expressions.table`, and loaded once, on first use).  A
small driver below runs that table over the tokens of :mod:`flowlint.expressions.lexer`
and builds AST nodes on each reduction.  Owning the driver loop is what makes parsing
fast (no parse tree, no lark tokens, runs of unit reductions in one step) and what lets
syntax errors name the open bracket they concern.  The loop keeps its stacks in lists,
so nesting never recurses.

:func:`parse_expression` never raises: every problem is an :class:`ExpressionError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from flowlint.expressions.ast import (
    Binary, Call, Expr, Index, Literal, LiteralKind, Member, Placeholder, Ternary, Unary,
    Variable, depth,
)  # fmt: skip
from flowlint.expressions.lexer import END, Token, tokenize
from flowlint.expressions.table import RuleInfo
from flowlint.expressions.table import load as load_table

if TYPE_CHECKING:
    from flowlint.ir import Value

#: Deepest accepted nesting (brackets, or height of the tree).  Real expressions stay
#: below 20; the bound keeps every recursive consumer of the AST (printer, equality,
#: analyses) far from Python's recursion limit.
MAX_DEPTH = 200
#: Longest expression parsed, in characters.  Real ones stay below 1,000; parsing runs at
#: about 100,000 characters a second on dense input, so the bound keeps one expression
#: under a second.
MAX_LENGTH = 100_000


@dataclass(frozen=True, slots=True)
class ExpressionError:
    #: Code-point offsets into the expression text; ``offset == end_offset == len(text)``
    #: for errors at the end of the text.
    offset: int
    end_offset: int
    message: str


@dataclass(frozen=True, slots=True)
class ParseResult:
    text: str
    ast: Expr | None
    error: ExpressionError | None

    @property
    def ok(self) -> bool:
        return self.error is None


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in code points) of ``offset`` inside ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_expression(text: str) -> ParseResult:
    """Parse one expression; never raises."""
    if len(text) > MAX_LENGTH:
        return ParseResult(text, None, ExpressionError(
            0, len(text), f"expression too long to analyse ({len(text):,} characters; the limit is {MAX_LENGTH:,})"))
    tokens, lex_error = tokenize(text)
    outcome = _run(_tables(), text, tokens)
    if outcome is None:  # the tokens before a lexical error were a valid prefix
        assert lex_error is not None
        outcome = ExpressionError(lex_error.start, lex_error.end, lex_error.message)
    if isinstance(outcome, ExpressionError):
        return ParseResult(text, None, outcome)
    return ParseResult(text, outcome, None)


@lru_cache(maxsize=8192)
def parse_cached(text: str) -> ParseResult:
    """:func:`parse_expression`, memoised: identical texts parse identically."""
    return parse_expression(text)


def parsed(value: Value) -> ParseResult:
    """The parse of an ``exp`` value's text, shared by every rule that needs it.

    IR values have slots and no ``__weakref__``, so the cache is keyed on the text.
    """
    return parse_cached(value.text or "")


# --------------------------------------------------------------------------- tables

_Builder = Callable[[list[Any]], Any]


class _Rule(NamedTuple):
    size: int
    origin: str
    #: None for a unit rule that passes its only child through.
    build: _Builder | None


class _Tables(NamedTuple):
    actions: list[dict[str, int]]
    gotos: list[dict[str, int]]
    rules: list[_Rule]
    start: int
    end: int
    #: Memo of :func:`_unit_run`, filled as the driver meets new situations.
    chains: dict[tuple[int, int, str], int]


@cache
def _tables() -> _Tables:
    table = load_table()
    rules = [_Rule(r.size, r.origin, _builder(r)) for r in table.rules]
    return _Tables(table.actions, table.gotos, rules, table.start, table.end, {})


def _builder(rule: RuleInfo) -> _Builder | None:
    if rule.alias is None:
        if rule.size != 1:
            raise AssertionError(f"grammar rule {rule.origin} of {rule.size} symbols has no alias")
        return None
    return _BUILDERS[rule.alias]


# --------------------------------------------------------------------------- driver


class _Open(NamedTuple):
    """An open bracket, for messages like "expected ')' to close call to If opened at 1:3"."""

    token: Token
    call: str | None


def _run(tables: _Tables, text: str, tokens: list[Token]) -> Expr | ExpressionError | None:
    """Parse ``tokens``; None when they run out (before a lexical error) without an error."""
    actions, gotos, rules, chains = tables.actions, tables.gotos, tables.rules, tables.chains
    end_state = tables.end
    states = [tables.start]
    values: list[Any] = []
    opened: list[_Open] = []
    previous: Token | None = None
    for token in tokens:
        kind = token.type
        while True:
            top = states[-1]
            action = actions[top].get(kind)
            if action is None:
                return _syntax_error(text, token, previous, set(actions[top]), opened)
            if action >= 0:
                states.append(action)
                values.append(token)
                break
            rule = rules[~action]
            if rule.build is None:
                # A run of unit reductions (operand -> neg -> unary -> ... -> ternary) only
                # swaps the top state; jump to where the whole run ends in one step.
                key = (states[-2], top, kind)
                state = chains.get(key)
                if state is None:
                    state = chains[key] = _unit_run(tables, key)
                states[-1] = state
            else:
                size = rule.size
                children = values[-size:]
                del values[-size:]
                del states[-size:]
                values.append(rule.build(children))
                state = gotos[states[-1]][rule.origin]
                states.append(state)
            if state == end_state:
                return _finish(text, tokens, values[-1])
        if kind in _OPENERS:
            call = previous.text if kind == "LPAR" and previous and previous.type == "NAME" else None
            opened.append(_Open(token, call))
            if len(opened) > MAX_DEPTH:
                return _too_deep(token.start, token.end)
        elif kind in _CLOSERS:
            opened.pop()
        previous = token
    return None


def _unit_run(tables: _Tables, key: tuple[int, int, str]) -> int:
    """The top state after every unit reduction applicable at ``key`` (below, top, lookahead)."""
    below, state, kind = key
    while state != tables.end:
        action = tables.actions[state].get(kind)
        if action is None or action >= 0 or tables.rules[~action].build is not None:
            break
        state = tables.gotos[below][tables.rules[~action].origin]
    return state


def _finish(text: str, tokens: list[Token], node: Expr) -> Expr | ExpressionError:
    # A tree is never deeper than its token count, so only long texts need measuring.
    if len(tokens) > MAX_DEPTH and depth(node) > MAX_DEPTH:
        return _too_deep(0, len(text))
    return node


def _too_deep(start: int, end: int) -> ExpressionError:
    return ExpressionError(start, end, f"expression nested too deeply (more than {MAX_DEPTH} levels)")


_OPENERS = frozenset({"LPAR", "LSQB", "QMARK"})
_CLOSERS = frozenset({"RPAR", "RSQB", "COLON"})


# --------------------------------------------------------------------------- builders

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPE_RE = re.compile(r"\\(.)")


def unescape(body: str) -> str:
    """Decode the body of a string literal (the lexer guarantees only valid escapes)."""
    if "\\" not in body:
        return body
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], body)


_LITERAL_KINDS = {
    "STRING": LiteralKind.STRING, "INT": LiteralKind.INTEGER, "DECIMAL": LiteralKind.DECIMAL,
    "TRUE": LiteralKind.BOOLEAN, "FALSE": LiteralKind.BOOLEAN, "NOT_SET": LiteralKind.NOT_SET,
}  # fmt: skip


# Builders receive the children of a reduction: tokens, nodes or an argument list, as the
# grammar rule fixes (hence ``Any``).  Each returns the rule's value.


def _literal(c: list[Any]) -> Expr:
    t: Token = c[0]
    value = unescape(t.text[1:-1]) if t.type == "STRING" else t.text
    return Literal(t.start, t.end, _LITERAL_KINDS[t.type], value)


def _variable(c: list[Any]) -> Expr:
    t: Token = c[0]
    return Variable(t.start, t.end, t.text)


def _variable_more(c: list[Any]) -> Expr:
    head: Variable = c[0]
    t: Token = c[1]
    return Variable(head.start, t.end, head.name + t.text)


def _placeholder(c: list[Any]) -> Expr:
    t: Token = c[0]
    return Placeholder(t.start, t.end, t.text)


def _member(c: list[Any]) -> Expr:
    target: Expr = c[0]
    t: Token = c[1]
    return Member(target.start, t.end, target, t.text[1:], False, t.start)


def _member_quoted(c: list[Any]) -> Expr:
    target: Expr = c[0]
    t: Token = c[1]
    return Member(target.start, t.end, target, unescape(t.text[2:-1]), True, t.start)


def _index(c: list[Any]) -> Expr:
    target: Expr = c[0]
    closing: Token = c[3]
    return Index(target.start, closing.end, target, c[2])


def _call0(c: list[Any]) -> Expr:
    name: Token = c[0]
    rpar: Token = c[2]
    return Call(name.start, rpar.end, name.text, (), name.end, c[1].start, rpar.start)


def _call(c: list[Any]) -> Expr:
    name: Token = c[0]
    args: list[Expr] = c[2]
    rpar: Token = c[3]
    return Call(name.start, rpar.end, name.text, tuple(args), name.end, c[1].start, rpar.start)


def _args1(c: list[Any]) -> list[Expr]:
    return [c[0]]


def _args_more(c: list[Any]) -> list[Expr]:
    args: list[Expr] = c[0]
    args.append(c[2])
    return args


def _group(c: list[Any]) -> Expr:
    return c[1]


def _binary(c: list[Any]) -> Expr:
    left: Expr = c[0]
    op: Token = c[1]
    right: Expr = c[2]
    name = op.text.lower() if op.type in ("AND", "OR") else op.text
    return Binary(left.start, right.end, name, left, right, op.start)


def _unary(c: list[Any]) -> Expr:
    op: Token = c[0]
    operand: Expr = c[1]
    return Unary(op.start, operand.end, op.text, operand)


def _cond(c: list[Any]) -> Expr:
    condition: Expr = c[0]
    otherwise: Expr = c[4]
    return Ternary(condition.start, otherwise.end, condition, c[2], otherwise)


_BUILDERS: dict[str, _Builder] = {
    "literal": _literal, "variable": _variable, "variable_more": _variable_more,
    "placeholder": _placeholder, "member": _member, "member_quoted": _member_quoted,
    "index": _index, "call0": _call0, "call": _call, "args1": _args1, "args_more": _args_more,
    "group": _group, "binary": _binary, "unary": _unary, "cond": _cond,
}  # fmt: skip


# --------------------------------------------------------------------------- errors


def _describe(token: Token) -> str:
    match token.type:
        case "$END":
            return "end of expression"
        case "NAME":
            return f"name '{token.text}'"
        case "STRING":
            return "string literal"
        case "INT" | "DECIMAL":
            return f"number '{token.text}'"
        case "PLACEHOLDER":
            return f"placeholder '{token.text}'"
        case "FIELD_STRING":
            return "quoted property name"
        case _:
            return f"'{token.text}'"


def _syntax_error(
    text: str, token: Token, previous: Token | None, expected: set[str], opened: Sequence[_Open]
) -> ExpressionError:
    if token.type == END and previous is None:
        return ExpressionError(0, len(text), "empty expression")
    operand = "NAME" in expected
    if operand:
        wanted = "expected an argument or ')'" if "RPAR" in expected else "expected an operand"
    else:
        wanted = "expected " + _closing(text, expected, opened, token.type == END)
    # At the end of a complete prefix, what is missing says it all: "expected ')' to close ...".
    message = wanted if token.type == END and not operand else f"unexpected {_describe(token)} — {wanted}"
    hint = _hint(token, previous, expected, opened)
    return ExpressionError(token.start, token.end, f"{message} ({hint})" if hint else message)


def _closing(text: str, expected: set[str], opened: Sequence[_Open], at_end: bool) -> str:
    """What would complete the expression at this point, naming the innermost open bracket."""
    top = opened[-1] if opened else None
    if top is None:
        return "an operator or the end of the expression"
    where = "%d:%d" % line_col(text, top.token.start)
    match top.token.type:
        case "LPAR" if top.call is not None:
            # Mid-text the fix is often a missing comma; at the end, the missing ')'.
            comma = "',' or " if "COMMA" in expected and not at_end else ""
            return f"{comma}')' to close call to {top.call} opened at {where}"
        case "LPAR":
            return f"')' to close '(' opened at {where}"
        case "LSQB":
            return f"']' to close '[' opened at {where}"
        case _:
            return f"':' to complete the '?' at {where}"


#: Tokens that end an operand which takes no accessor: a literal or a parenthesised group.
_NOT_ACCESSIBLE = frozenset({"RPAR", "STRING", "INT", "DECIMAL", "TRUE", "FALSE", "NOT_SET"})


def _hint(token: Token, previous: Token | None, expected: set[str], opened: Sequence[_Open]) -> str:
    adjacent = previous is not None and previous.end == token.start
    prev = previous.type if previous else None
    match token.type:
        case "AMP" if prev == "AMP" and adjacent:
            return "there is no '&&' operator; use 'and'"
        case "VBAR" if prev == "VBAR" and adjacent:
            return "there is no '||' operator; use 'or'"
        case "GT" if prev == "LT" and adjacent:
            return "there is no '<>' operator; use '!='"
        case "SLASH" | "STAR" if prev == "SLASH" and adjacent:
            return "expressions have no comments"
        case "PLUS" if "NAME" in expected:
            return "there is no unary plus"
        case "MINUS" | "BANG" | "TILDE" if prev == "MINUS" and "NAME" in expected:
            return "a unary minus must be followed directly by an operand; parenthesise, e.g. -(-x)"
        case "NAME" if previous is not None and previous.type == "NAME" and previous.text.lower() == "not":
            return "there is no 'not' keyword; use '!'"
        case "LSQB" if "NAME" in expected:
            return "there is no collection literal; use MakeList(...)"
        case "LSQB" | "FIELD_NAME" | "FIELD_STRING" | "FIELD_PLACEHOLDER" if prev in _NOT_ACCESSIBLE:
            return "properties and indexes can only follow a variable or a function call"
        case "DECIMAL" if adjacent and prev in ("NAME", "FIELD_NAME") and token.text.startswith("."):
            return 'a numeric property name must be quoted (."0") or indexed ([0])'
        case "LPAR" if prev == "FIELD_NAME":
            return "only plain function names can be called; there are no methods"
        case "OR" if "COLON" in expected and opened and opened[-1].token.type == "QMARK":
            return "a branch of '?:' cannot contain a bare 'or'; parenthesise it"
        case "RPAR" if prev == "COMMA":
            return "no trailing comma after the last argument"
        case _:
            return ""
