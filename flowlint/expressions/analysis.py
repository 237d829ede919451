"""What an expression reads, calls and (where the catalog knows it) evaluates to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from flowlint.expressions.ast import (
    Binary, Call, Expr, Index, Literal, LiteralKind, Member, Placeholder, Ternary, Unary,
    Variable, walk,
)  # fmt: skip
from flowlint.expressions.catalog import lookup

#: Namespaces whose variables the flow author declares: in ``Flow.customer.name`` the
#: variable is ``Flow.customer`` and ``.name`` a property of its value.  Elsewhere
#: (``Call.Ani``, ``Email.Message.subject``, ``System.Regions.US``) where a built-in
#: ends and its properties begin is not known, so the whole dotted name is reported.
USER_NAMESPACES = frozenset({"flow", "task", "state", "common", "slot"})


class VarRef(NamedTuple):
    #: ``Flow.customer`` (user namespaces) or the full dotted name (built-ins, bare names).
    name: str
    start: int
    end: int

    @property
    def namespace(self) -> str:
        head, dot, _ = self.name.partition(".")
        return head if dot else ""


def variables_read(ast: Expr) -> list[VarRef]:
    """Every variable reference of the expression, in source order."""
    refs: list[VarRef] = []
    for node in walk(ast):
        if isinstance(node, Variable):
            refs.append(variable_ref(node))
    return refs


def variable_ref(node: Variable) -> VarRef:
    parts = node.name.split(".")
    if len(parts) > 2 and parts[0].casefold() in USER_NAMESPACES:
        name = f"{parts[0]}.{parts[1]}"
        return VarRef(name, node.start, node.start + len(name))
    return VarRef(node.name, node.start, node.end)


def calls(ast: Expr) -> list[Call]:
    """Every function call of the expression, in source order (outer before inner)."""
    return [node for node in walk(ast) if isinstance(node, Call)]


# --------------------------------------------------------------------------- types
# Type codes are those of the reference (section 5): str int dec bln cur dtm dur phn aud
# ...; a collection is the element code plus "[]".  None means "not known statically".

_NUMERIC = frozenset({"int", "dec"})
_AUDIO = frozenset({"aud", "pmt"})
_LITERAL_TYPES = {
    LiteralKind.STRING: "str", LiteralKind.INTEGER: "int", LiteralKind.DECIMAL: "dec",
    LiteralKind.BOOLEAN: "bln",
}  # fmt: skip
_COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!=", "and", "or"})

#: Properties of built-in types whose type is documented (reference section 5).
_PROPERTIES: dict[str, dict[str, str]] = {
    "phn": {name: "str" for name in ("uri", "e164", "dialingCode", "subscriberNumber", "raw", "scheme")}
    | {"isGlobal": "bln", "isSip": "bln", "isTel": "bln"},
    "cur": {"amount": "dec", "code": "str"},
    **{code: {"id": "str", "name": "str"} for code in ("que", "usr", "grp", "skl", "lac", "wrc")},
}


def infer_type(ast: Expr, variables: Mapping[str, str] | None = None) -> str | None:
    """The result type code of ``ast`` where it follows from the catalog and operators.

    ``variables`` optionally maps case-folded variable names (``flow.count``) to type codes.
    """
    return _Infer(variables or {}).type_of(ast)


class _Infer:
    def __init__(self, variables: Mapping[str, str]) -> None:
        self.variables = variables

    def type_of(self, node: Expr) -> str | None:
        match node:
            case Literal(kind=kind):
                return _LITERAL_TYPES.get(kind)
            case Variable(name=name):
                return self.variables.get(name.casefold())
            case Placeholder():
                return None
            case Member(target=target, name=name):
                owner = self.type_of(target)
                return _PROPERTIES.get(owner, {}).get(name) if owner else None
            case Index(target=target):
                owner = self.type_of(target)
                return owner[:-2] if owner and owner.endswith("[]") else None
            case Call():
                return self.call(node)
            case Unary(op=op, operand=operand):
                if op == "!":
                    return "bln"
                if op == "~":
                    return "int"
                inner = self.type_of(operand)
                return inner if inner in ("int", "dec", "cur", "dur") else None
            case Binary(op=op, left=left, right=right):
                return self.binary(op, left, right)
            case Ternary(then=then, otherwise=otherwise):
                return _common(self.type_of(then), self.type_of(otherwise))

    def call(self, node: Call) -> str | None:
        function = lookup(node.name)
        if function is None or not function.accepts(len(node.args)):
            return None
        if function.returns is not None:
            return function.returns
        args = [self.type_of(arg) for arg in node.args]
        match function.name:
            case "If":
                return _common(args[1], args[2])
            case "MakeList":
                element = args[0]
                return f"{element}[]" if element and all(a == element for a in args) else None
            case "MakeEmptyList":
                return f"{args[0]}[]" if args[0] else None
            case "GetAt":
                return args[0][:-2] if args[0] and args[0].endswith("[]") else None
            case "Append":
                return "aud" if any(a in _AUDIO for a in args) else "str"
            case "Round" | "Ceiling" | "Floor":
                return args[0] if args[0] in ("dec", "cur") else None
            case _:
                return None

    def binary(self, op: str, left: Expr, right: Expr) -> str | None:
        if op in _COMPARISONS:
            return "bln"
        if op in ("&", "|"):
            return "int"
        if op == "^":
            return "dec"
        a, b = self.type_of(left), self.type_of(right)
        if a is None or b is None:
            return None
        if a in _NUMERIC and b in _NUMERIC:
            if op == "/":
                return "dec"
            return "int" if a == b == "int" else "dec"
        return _MIXED.get((op, a, b))


# Non-numeric operator overloads (reference section 6.8).
_MIXED: dict[tuple[str, str, str], str] = {
    ("+", "str", "str"): "str",
    ("+", "cur", "cur"): "cur",
    ("-", "cur", "cur"): "cur",
    ("+", "dur", "dur"): "dur",
    ("-", "dur", "dur"): "dur",
    ("+", "dtm", "dur"): "dtm",
    ("+", "dur", "dtm"): "dtm",
    ("-", "dtm", "dur"): "dtm",
    **{("+", a, b): "aud" for a in _AUDIO for b in _AUDIO},
    **{(op, "cur", n): "cur" for op in ("*", "/", "%") for n in _NUMERIC},
    **{("*", n, "cur"): "cur" for n in _NUMERIC},
}


def _common(a: str | None, b: str | None) -> str | None:
    """The type of a value that is either ``a`` or ``b`` (If, ternary)."""
    if a == b:
        return a
    if a in _NUMERIC and b in _NUMERIC:
        return "dec"
    return None
