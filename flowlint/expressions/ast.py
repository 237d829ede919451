"""Typed AST of Architect expressions.

Every node carries ``start``/``end``: code-point offsets into the expression text (``end``
exclusive).  Spans, and the other offsets that only locate tokens, are excluded from
equality and hashing, so ``a == b`` means "the same expression" whatever the layout;
this is what the printer's round-trip guarantee is stated in.

Parentheses leave no node: ``(a + b)`` is the :class:`Binary` ``a + b`` with the span of
``a + b``.  A dotted chain of plain names (``Flow.customer.name``) is one :class:`Variable`;
quoted names, indexes and accessors after a call or placeholder are :class:`Member` and
:class:`Index` nodes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal


class LiteralKind(enum.StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    NOT_SET = "not_set"


@dataclass(frozen=True, slots=True)
class Literal:
    start: int = field(compare=False)
    end: int = field(compare=False)
    kind: LiteralKind
    #: Decoded text for strings; the source spelling otherwise (``5.``, ``007``, ``true``,
    #: ``NOT_SET``), so that printing is exact. :attr:`python_value` gives the typed value.
    value: str

    @property
    def python_value(self) -> str | int | Decimal | bool | None:
        match self.kind:
            case LiteralKind.STRING:
                return self.value
            case LiteralKind.INTEGER:
                return int(self.value)
            case LiteralKind.DECIMAL:
                return Decimal(self.value)
            case LiteralKind.BOOLEAN:
                return self.value == "true"
            case LiteralKind.NOT_SET:
                return None


@dataclass(frozen=True, slots=True)
class Variable:
    """A name with its plain ``.name`` segments: ``Flow.x``, ``Call.Ani``, ``System.Regions.US``.

    The grammar accepts a bare name (``a``); Architect rejects it later, as a semantic error.
    """

    start: int = field(compare=False)
    end: int = field(compare=False)
    #: The dotted name as written (case preserved; Architect resolves names case-insensitively).
    name: str

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("."))

    @property
    def namespace(self) -> str:
        """The first segment (``Flow``), or ``""`` for a bare name."""
        head, dot, _ = self.name.partition(".")
        return head if dot else ""


@dataclass(frozen=True, slots=True)
class Placeholder:
    """An Archy/Terraform substitution (``{{name}}``, ``${name}``) left in the text."""

    start: int = field(compare=False)
    end: int = field(compare=False)
    text: str


@dataclass(frozen=True, slots=True)
class Member:
    """``target.name``, ``target."quoted name"`` or ``target.{{placeholder}}``."""

    start: int = field(compare=False)
    end: int = field(compare=False)
    target: Expr
    #: Decoded property name (for a placeholder accessor, the placeholder text).
    name: str
    quoted: bool
    #: Offset of the accessor's dot.
    dot: int = field(compare=False)


@dataclass(frozen=True, slots=True)
class Index:
    start: int = field(compare=False)
    end: int = field(compare=False)
    target: Expr
    index: Expr


@dataclass(frozen=True, slots=True)
class Call:
    start: int = field(compare=False)
    end: int = field(compare=False)
    #: The function name as written; names are case-insensitive (see ``catalog.lookup``).
    name: str
    args: tuple[Expr, ...]
    #: End of the name (it starts at ``start``), and the offsets of both parentheses.
    name_end: int = field(compare=False)
    lparen: int = field(compare=False)
    rparen: int = field(compare=False)


@dataclass(frozen=True, slots=True)
class Unary:
    start: int = field(compare=False)
    end: int = field(compare=False)
    #: ``-``, ``!`` or ``~``.
    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary:
    start: int = field(compare=False)
    end: int = field(compare=False)
    #: The operator; ``and``/``or`` are stored lower-case whatever their spelling.
    op: str
    left: Expr
    right: Expr
    op_start: int = field(compare=False)


@dataclass(frozen=True, slots=True)
class Ternary:
    start: int = field(compare=False)
    end: int = field(compare=False)
    condition: Expr
    then: Expr
    otherwise: Expr


Expr = Literal | Variable | Placeholder | Member | Index | Call | Unary | Binary | Ternary


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``node``, in source order."""
    match node:
        case Member(target=target):
            return (target,)
        case Index(target=target, index=index):
            return (target, index)
        case Call(args=args):
            return args
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Ternary(condition=c, then=t, otherwise=o):
            return (c, t, o)
        case Literal() | Variable() | Placeholder():
            return ()


def walk(node: Expr) -> list[Expr]:
    """Every node of the tree in source (pre-)order, without recursion."""
    out: list[Expr] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


def depth(node: Expr) -> int:
    """Height of the tree (a leaf has depth 1), without recursion."""
    best = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        best = max(best, level)
        stack.extend((child, level + 1) for child in children(current))
    return best
