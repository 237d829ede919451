"""Random expressions generated from the grammar round-trip through the printer.

The generator follows the rule chain of grammars/expression.lark: asked for an
expression of some binding level, it builds a form of that level or tighter, and
parenthesises looser forms, so every text it produces is valid.  Token spacing is
random (none where the grammar allows none).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from flowlint.expressions.ast import Call, Literal, LiteralKind, Placeholder, Variable, walk
from flowlint.expressions.parser import parse_expression
from flowlint.expressions.printer import to_text

TERNARY, OR, AND, BOR, BAND, EQ, REL, ADD, MUL, POW, UNARY, NEG, OPERAND = range(13)
BINARY_OPS = {OR: ["or", "OR", "Or"], AND: ["and", "AND"], BOR: ["|"], BAND: ["&"], EQ: ["==", "!="],
              REL: ["<", "<=", ">", ">="], ADD: ["+", "-"], MUL: ["*", "/", "%"]}
NAMESPACES = ["Flow", "Task", "State", "Call", "System", "flow", "$x"]
SEGMENTS = ["x", "Ani", "and", "true", "NOT_SET", "número", "a_1", "OR"]
FUNCTIONS = ["If", "Append", "ToString", "right", "MakeList", "f"]
QUOTED_NAMES = ['"a b"', '"0"', '"AM\\\\PM"', '"q\\"t"', '""']
STRING_PIECES = ["a", " ", "\\n", '\\"', "\\\\", "\\t", "\\r", "\n", "é", "{{x}}", "'"]


_STRATEGIES: dict[tuple[object, ...], st.SearchStrategy[object]] = {}


def _choice(options: list[str] | list[int]) -> st.SearchStrategy[object]:
    """One sampled_from strategy per option list (building strategies is slow)."""
    key = tuple(options)
    if key not in _STRATEGIES:
        _STRATEGIES[key] = st.sampled_from(key)
    return _STRATEGIES[key]


WHITESPACE = ["", "", " ", "  ", "\n\t", "\r\n "]


class Gen:
    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.budget = 20  # nodes left: keeps texts small and generation terminating

    def ws(self) -> str:
        return self.pick(WHITESPACE)

    def pick(self, options: list[str]) -> str:
        return str(self.draw(_choice(options)))

    def number(self, low: int, high: int) -> int:
        value = self.draw(_choice(list(range(low, high + 1))))
        assert isinstance(value, int)
        return value

    def expr(self, need: int) -> str:
        self.budget -= 1
        forms = [OPERAND] if self.budget <= 0 else [TERNARY, OR, AND, BOR, BAND, EQ, REL, ADD, MUL, POW, UNARY,
                                                    NEG, OPERAND, OPERAND, OPERAND, OPERAND]
        level = forms[self.number(0, len(forms) - 1)]
        text = self.form(level)
        if level < need:
            return f"({self.ws()}{text}{self.ws()})"
        return text

    def form(self, level: int) -> str:
        w = self.ws
        if level == TERNARY:
            return f"{self.expr(TERNARY)}{w()}?{w()}{self.expr(AND)}{w()}:{w()}{self.expr(AND)}"
        if level in BINARY_OPS:
            op = self.pick(BINARY_OPS[level])
            gap = " " if op.isalpha() else ""  # keywords need a separator from names
            return f"{self.expr(level)}{gap}{w()}{op}{gap}{w()}{self.expr(level + 1)}"
        if level == POW:
            return f"{self.expr(UNARY)}{w()}^{w()}{self.expr(POW)}"
        if level == UNARY:
            return f"{self.pick(['!', '~'])}{w()}{self.expr(UNARY)}"
        if level == NEG:
            return f"-{w()}{self.expr(OPERAND)}"
        return self.operand()

    def operand(self) -> str:
        kinds = ["literal", "literal", "variable", "variable", "placeholder"]
        kind = self.pick(kinds if self.budget <= 0 else [*kinds, "call", "postfix"])
        if kind == "literal":
            return self.literal()
        if kind == "variable":
            return self.variable()
        if kind == "placeholder":
            return self.pick(["{{queue}}", "${name}", "{{ spaced name }}"])
        if kind == "call":
            return self.call()
        return self.postfix()

    def literal(self) -> str:
        kind = self.pick(["string", "int", "decimal", "keyword"])
        if kind == "string":
            return '"' + "".join(self.pick(STRING_PIECES) for _ in range(self.number(0, 4))) + '"'
        if kind == "int":
            return self.pick(["0", "7", "007", "42", "999999999999999", "123456789012345678901"])
        if kind == "decimal":
            return self.pick(["1.5", "5.", ".5", "0.000", "12.34"])
        return self.pick(["true", "false", "NOT_SET"])

    def variable(self) -> str:
        segments = [self.pick(SEGMENTS) for _ in range(self.number(0, 3))]
        return self.pick(NAMESPACES) + "".join(f"{self.pick(['', ' '])}.{segment}" for segment in segments)

    def call(self) -> str:
        count = self.number(0, 3)
        args = f"{self.ws()},{self.ws()}".join(self.expr(TERNARY) for _ in range(count))
        return f"{self.pick(FUNCTIONS)}{self.ws()}({self.ws()}{args}{self.ws()})"

    def postfix(self) -> str:
        text = self.pick([self.variable(), self.call(), "{{p}}"])
        for _ in range(self.number(1, 3)):
            accessor = self.pick(["name", "quoted", "index", "placeholder"])
            if accessor == "name":
                text += f"{self.ws()}.{self.pick(SEGMENTS)}"
            elif accessor == "quoted":
                text += self.ws() + "." + self.pick(QUOTED_NAMES)
            elif accessor == "placeholder":
                text += f"{self.ws()}.{{{{field}}}}"
            else:
                text += f"{self.ws()}[{self.ws()}{self.expr(TERNARY)}{self.ws()}]"
        return text


@st.composite
def expressions(draw: st.DrawFn) -> str:
    gen = Gen(draw)
    return gen.ws() + gen.expr(TERNARY) + gen.ws()


@settings(max_examples=400, deadline=None)
@given(expressions())
def test_printed_text_reparses_to_the_same_ast(text: str) -> None:
    first = parse_expression(text)
    assert first.ast is not None, (text, first.error)
    printed = to_text(first.ast)
    second = parse_expression(printed)
    assert second.ast is not None, (printed, second.error)
    assert second.ast == first.ast, (text, printed)
    assert to_text(second.ast) == printed  # the canonical form is a fixed point


@settings(max_examples=200, deadline=None)
@given(expressions())
def test_spans_point_at_the_source(text: str) -> None:
    result = parse_expression(text)
    assert result.ast is not None
    for node in walk(result.ast):
        assert 0 <= node.start <= node.end <= len(text)
        source = text[node.start : node.end]
        match node:
            case Literal(kind=LiteralKind.STRING):
                assert source.startswith('"') and source.endswith('"')
            case Literal(value=value):
                assert source == value
            case Variable(name=name):
                assert re.sub(r"\s+", "", source) == name
            case Placeholder(text=placeholder):
                assert source == placeholder
            case Call(name=name, name_end=name_end, lparen=lparen, rparen=rparen):
                assert text[node.start : name_end] == name
                assert text[lparen] == "(" and text[rparen] == ")" and rparen == node.end - 1
            case _:
                pass
