"""Canonical text of an expression AST.

``parse_expression(to_text(ast)).ast == ast`` for every AST the parser produces (node
equality ignores spans).  Layout: one space around binary operators and ``?``/``:``,
``", "`` between arguments, ``and``/``or`` in lower case, strings with escapes for
quotes, backslashes, line breaks and tabs.  Parentheses appear only where precedence,
associativity or the grammar's restrictions need them.
"""

from __future__ import annotations

from flowlint.expressions.ast import (
    Binary, Call, Expr, Index, Literal, LiteralKind, Member, Placeholder, Ternary, Unary,
    Variable,
)  # fmt: skip

# Binding levels, loosest first; they mirror the rule chain of grammars/expression.lark.
_TERNARY, _OR, _AND, _BOR, _BAND, _EQ, _REL, _ADD, _MUL, _POW, _UNARY, _NEG, _OPERAND = range(13)

_BINARY_LEVEL = {
    "or": _OR, "and": _AND, "|": _BOR, "&": _BAND, "==": _EQ, "!=": _EQ,
    "<": _REL, "<=": _REL, ">": _REL, ">=": _REL, "+": _ADD, "-": _ADD,
    "*": _MUL, "/": _MUL, "%": _MUL, "^": _POW,
}  # fmt: skip

_ESCAPES = str.maketrans({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def quote(value: str) -> str:
    """A string literal whose decoded value is ``value``."""
    return '"' + value.translate(_ESCAPES) + '"'


def to_text(node: Expr) -> str:
    return _print(node, _TERNARY)


def _level(node: Expr) -> int:
    match node:
        case Ternary():
            return _TERNARY
        case Binary(op=op):
            return _BINARY_LEVEL[op]
        case Unary(op="-"):
            return _NEG
        case Unary():
            return _UNARY
        case _:
            return _OPERAND


def _print(node: Expr, need: int) -> str:
    """``node`` as text that parses as a ``need``-level expression (parenthesised if looser)."""
    text = _bare(node)
    return f"({text})" if _level(node) < need else text


def _bare(node: Expr) -> str:
    match node:
        case Literal(kind=LiteralKind.STRING, value=value):
            return quote(value)
        case Literal(value=value):
            return value
        case Variable(name=name):
            return name
        case Placeholder(text=text):
            return text
        case Member(target=target, name=name, quoted=quoted):
            return _print(target, _OPERAND) + "." + (quote(name) if quoted else name)
        case Index(target=target, index=index):
            return f"{_print(target, _OPERAND)}[{_print(index, _TERNARY)}]"
        case Call(name=name, args=args):
            return f"{name}({', '.join(_print(arg, _TERNARY) for arg in args)})"
        case Unary(op="-", operand=operand):
            # Unary minus takes an operand only: -(-x), -(!x), -(a + b).
            return "-" + _print(operand, _OPERAND)
        case Unary(op=op, operand=operand):
            return op + _print(operand, _UNARY)
        case Binary(op="^", left=left, right=right):
            # Right-associative; its left side is a unary-level expression.
            return f"{_print(left, _UNARY)} ^ {_print(right, _POW)}"
        case Binary(op=op, left=left, right=right):
            level = _BINARY_LEVEL[op]
            return f"{_print(left, level)} {op} {_print(right, level + 1)}"
        case Ternary(condition=condition, then=then, otherwise=otherwise):
            # Chains group to the left; branches are and-level (no bare `or`, no `?:`).
            return f"{_print(condition, _TERNARY)} ? {_print(then, _AND)} : {_print(otherwise, _AND)}"
