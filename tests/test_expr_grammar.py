"""The expression grammar: precedence, associativity, literals, escapes, the reference's
valid and invalid examples (expressions.md §9), error messages and locations, limits."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowlint.expressions import table
from flowlint.expressions.ast import (
    Binary, Call, Expr, Index, Literal, LiteralKind, Member, Placeholder, Ternary, Unary,
    Variable,
)  # fmt: skip
from flowlint.expressions.parser import MAX_DEPTH, ParseResult, line_col, parse_expression
from flowlint.expressions.printer import quote


def shape(node: Expr) -> str:
    """A compact s-expression of the tree, to state expected structure readably."""
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
            return f"(. {shape(target)} {quote(name) if quoted else name})"
        case Index(target=target, index=index):
            return f"([] {shape(target)} {shape(index)})"
        case Call(name=name, args=args):
            return "(" + " ".join([name + "()", *map(shape, args)]) + ")"
        case Unary(op=op, operand=operand):
            return f"({'neg' if op == '-' else op} {shape(operand)})"
        case Binary(op=op, left=left, right=right):
            return f"({op} {shape(left)} {shape(right)})"
        case Ternary(condition=c, then=t, otherwise=o):
            return f"(? {shape(c)} {shape(t)} {shape(o)})"


def ok(text: str) -> Expr:
    result = parse_expression(text)
    assert result.error is None, (text, result.error)
    assert result.ast is not None
    return result.ast


def bad(text: str) -> ParseResult:
    result = parse_expression(text)
    assert result.ast is None, (text, result.ast)
    assert result.error is not None
    assert 0 <= result.error.offset <= result.error.end_offset <= len(text), result.error
    return result


# ----------------------------------------------------------------- precedence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # each binary level against the next tighter one, both orders
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("a and b | c", "(and a (| b c))"),
        ("a | b & c", "(| a (& b c))"),
        ("a & b == c", "(& a (== b c))"),
        ("a == b < c", "(== a (< b c))"),
        ("a != b >= c", "(!= a (>= b c))"),
        ("a < b + c", "(< a (+ b c))"),
        ("a <= b - c", "(<= a (- b c))"),
        ("a + b * c", "(+ a (* b c))"),
        ("a - b / c", "(- a (/ b c))"),
        ("a * b ^ c", "(* a (^ b c))"),
        ("a % b ^ c", "(% a (^ b c))"),
        ("!a ^ b", "(^ (! a) b)"),
        ("-a ^ b", "(^ (neg a) b)"),
        ("-2^2", "(^ (neg 2) 2)"),
        ("~a ^ b", "(^ (~ a) b)"),
        ("!-1", "(! (neg 1))"),
        ("a.b[1].c", "(. ([] a.b 1) c)"),
        ("-a.b", "(neg a.b)"),
        ("c ? a : b or d", None),  # a branch is and-level: error, see invalid tests
        ("a or b ? c : d", "(? (or a b) c d)"),
        ("x ? a and b : c and d", "(? x (and a b) (and c d))"),
        ("x & 1 == 1", "(& x (== 1 1))"),
        ("(a + b) * c", "(* (+ a b) c)"),
    ],
)
def test_precedence(text: str, expected: str | None) -> None:
    if expected is None:
        bad(text)
    else:
        assert shape(ok(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a or b or c", "(or (or a b) c)"),
        ("a AND b And c", "(and (and a b) c)"),
        ("a | b | c", "(| (| a b) c)"),
        ("a & b & c", "(& (& a b) c)"),
        ("1 == 2 == 3", "(== (== 1 2) 3)"),
        ("1 < 2 < 3", "(< (< 1 2) 3)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a - b + c", "(+ (- a b) c)"),
        ("a / b * c % d", "(% (* (/ a b) c) d)"),
        ("2^3^2", "(^ 2 (^ 3 2))"),
        ("2^-1", "(^ 2 (neg 1))"),
        ("-2^-2", "(^ (neg 2) (neg 2))"),
        ("!!a", "(! (! a))"),
        ("~~1", "(~ (~ 1))"),
        ("!~!a", "(! (~ (! a)))"),
        ("a ? b : c ? d : e", "(? (? a b c) d e)"),
        ("Flow.a--1", "(- Flow.a (neg 1))"),
    ],
)
def test_associativity(text: str, expected: str) -> None:
    assert shape(ok(text)) == expected


# ----------------------------------------------------------------- literals and names


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ('"abc"', LiteralKind.STRING, "abc"),
        ('""', LiteralKind.STRING, ""),
        ("0", LiteralKind.INTEGER, "0"),
        ("007", LiteralKind.INTEGER, "007"),
        ("1.5", LiteralKind.DECIMAL, "1.5"),
        ("5.", LiteralKind.DECIMAL, "5."),
        (".5", LiteralKind.DECIMAL, ".5"),
        ("true", LiteralKind.BOOLEAN, "true"),
        ("false", LiteralKind.BOOLEAN, "false"),
        ("NOT_SET", LiteralKind.NOT_SET, "NOT_SET"),
    ],
)
def test_literals(text: str, kind: LiteralKind, value: str) -> None:
    node = ok(f"  {text}\t")
    assert isinstance(node, Literal)
    assert (node.kind, node.value) == (kind, value)
    assert (node.start, node.end) == (2, 2 + len(text))


def test_literal_python_values() -> None:
    from decimal import Decimal

    call = ok('MakeList(1, 2.50, "x", true, NOT_SET)')
    assert isinstance(call, Call)
    values = [arg.python_value for arg in call.args if isinstance(arg, Literal)]
    assert values == [1, Decimal("2.50"), "x", True, None]


@pytest.mark.parametrize(
    ("escape", "char"),
    [('\\"', '"'), ("\\\\", "\\"), ("\\n", "\n"), ("\\r", "\r"), ("\\t", "\t")],
)
def test_each_escape(escape: str, char: str) -> None:
    node = ok(f'"a{escape}b"')
    assert isinstance(node, Literal) and node.value == f"a{char}b"
    member = ok(f'Flow.x."k{escape}"')
    assert isinstance(member, Member) and member.quoted and member.name == f"k{char}"


def test_raw_line_breaks_inside_strings() -> None:
    node = ok('"line1\nline2"')
    assert isinstance(node, Literal) and node.value == "line1\nline2"


@pytest.mark.parametrize("keyword", ["True", "TRUE", "False", "not_set", "Not_Set"])
def test_keywords_are_exact_case(keyword: str) -> None:
    node = ok(keyword)
    assert isinstance(node, Variable) and node.name == keyword


@pytest.mark.parametrize("name", ["Flow.and", "Flow.true", "Flow.NOT_SET", "Flow.OR", "andy.x", "$abc.def",
                                  "Flow.número", "Flow.x_1", "a"])
def test_names(name: str) -> None:
    node = ok(name)
    assert isinstance(node, Variable) and node.name == name


@pytest.mark.parametrize("namespace", ["Flow", "Task", "State", "Common", "Slot", "Call", "Message", "Email",
                                       "Chat", "Session", "Interaction", "Survey", "Workitem", "Workflow", "Bot",
                                       "Menu", "System", "Format", "Language", "Prompt", "PromptSystem"])
def test_namespaces(namespace: str) -> None:
    node = ok(f"{namespace}.Thing.part")
    assert isinstance(node, Variable)
    assert node.namespace == namespace and node.parts == (namespace, "Thing", "part")


def test_whitespace_between_tokens() -> None:
    assert shape(ok("Flow .x")) == "Flow.x"
    assert shape(ok("Flow.x [0]")) == "([] Flow.x 0)"
    assert shape(ok("ToString\n(1)")) == "(ToString() 1)"
    assert shape(ok(" \t\r\n1\r\n+\t2 \n")) == "(+ 1 2)"


def test_placeholders_are_opaque_operands() -> None:
    assert shape(ok("{{queue_name}}")) == "{{queue_name}}"
    assert shape(ok("ToQueue(${queue})")) == "(ToQueue() ${queue})"
    assert shape(ok("{{x}}.y[0]")) == "([] (. {{x}} y) 0)"
    assert shape(ok("State.externalContact.{{email_type}}")) == "(. State.externalContact {{email_type}})"
    assert shape(ok('"{{not a placeholder inside a string}}"')) == '"{{not a placeholder inside a string}}"'
    node = ok("1 + {{n}}")
    assert isinstance(node, Binary) and isinstance(node.right, Placeholder)
    assert (node.right.start, node.right.end) == (4, 9)


def test_spans() -> None:
    text = 'If(Flow.a, "x", Append(Task.b, 1)) + 2'
    node = ok(text)
    assert isinstance(node, Binary) and (node.start, node.end, node.op_start) == (0, len(text), 35)
    call = node.left
    assert isinstance(call, Call)
    assert (call.start, call.name_end, call.lparen, call.rparen, call.end) == (0, 2, 2, 33, 34)
    inner = call.args[2]
    assert isinstance(inner, Call) and text[inner.start : inner.end] == "Append(Task.b, 1)"
    member = ok('Flow.x."a b"')
    assert isinstance(member, Member) and member.dot == 6 and member.end == 12
    grouped = ok("( a + b )")
    assert (grouped.start, grouped.end) == (2, 7)  # parentheses leave no node


def test_equality_ignores_spans_but_not_content() -> None:
    assert ok("a+b") == ok(" a  +  b ")
    assert ok("a+b") != ok("a-b")
    assert ok("(a)") == ok("a")
    assert ok("a AND b") == ok("a and b")
    assert ok("1") != ok("1.")


# ----------------------------------------------------------------- reference §9

VALID = [
    'If(IsNotSetOrEmpty(Call.Ani), "unknown", ToString(Call.Ani))',
    'Append("ssn=", Flow.ssn)',
    "Flow.items[2]",
    "Task.count + 1",
    "MakeDuration(0, 0, 5, 0)",
    '"a" == "b" and !Flow.flag',
    "NOT_SET",
    "5 + If(IsSet(Flow.MyInteger), Flow.MyInteger, 0)",
    "MakeList(1, 2, 3)[2]",
    "Count(Flow.skills) > 0 OR Flow.isVip",
    "Flow.MyCurrency.Amount",
    'Flow.MyCurrency."AM\\\\PM"',
    'Flow.MyCurrency["Amount"]',
    "ToPhoneNumber(Call.Ani).e164",
    'Replace(Replace(Task.raw, "-", ""), " ", "")',
    'Substring(Call.Ani, FindString(Call.Ani, "+") + 2, 3)',
    'Split(Email.Message.subject, ";")[0]',
    'GetAt(Split(Email.Message.from.name, " "), 0)',
    'FindFirst(Task.codes, "A1") != -1',
    "MakeEmptyList(ToString(NOT_SET))",
    "ToInt(Task.digits) * 60 + ToInt(Task.seconds)",
    "2 ^ 10",
    "10 % 3 == 1",
    "Hour(AddHours(GetCurrentDateTimeUtc(), -5)) >= 8 and Hour(AddHours(GetCurrentDateTimeUtc(), -5)) < 17",
    "DateTimeDiff(GetCurrentDateTimeUtc(), Flow.StartDateTimeUtc) > MakeDuration(0, 0, 2, 0)",
    "GetCurrentDateTimeUtc() + MakeDuration(1, 0, 0, 0)",
    'ToDuration("PT1H30M")',
    'MakeCurrency(5.25, "USD") + MakeCurrency(1.00, "USD")',
    'AudioPlaybackOptions(ToAudioTTS("Please hold."), true)',
    'Append(ToAudioTTS("Your wait is about"), ToAudioDuration(Call.EstimatedWaitTime))',
    "ToAudio(PromptSystem.on_hold_music)",
    'Flow.dateIdx == 0 ? "" : ", "',
    "Flow.x ? Flow.a and Flow.b : Flow.c",
    'ToString(GetJsonObjectProperty(JsonParse(Task.body), "id"))',
    "ToPhoneNumber(Call.Ani).dialingCode == System.Regions.US.dialingCode",
    'MakeCommunication("You said ", Slot.Email, ". Is that correct?")',
    "ToAudioNumber(Flow.count, Language.Gender.feminine)",
    '"He said, \\"Hi\\"\\nbye"',
    "right(flow.Ani, 4)",
    'If(\n\tContains(Task.EWT, "H"),\n\t"hours",\n\t"0"\n)',
    # further accepted edge cases
    ".5 + 5.", "Flow .x", "Flow.x [0]", "ToString\n(1)", "Flow.a--1", "!!Flow.a", "!-1", "2^-1", "2^3^2",
    "-2^2", "Flow.a[Flow.i + 1].b", 'Flow.x."0"', "$abc.def", "Flow.número", "MakeList()",
    # syntactically valid, semantically wrong
    "True", "a", "1 < 2 < 3", "1 == 2 == 3", "Flow.x & 1 == 1", "ToString(5) + 3",
]


@pytest.mark.parametrize("text", VALID)
def test_reference_valid_examples(text: str) -> None:
    ok(text)


def test_reference_example_structures() -> None:
    assert shape(ok("ToInt(Task.digits) * 60 + ToInt(Task.seconds)")) == \
        "(+ (* (ToInt() Task.digits) 60) (ToInt() Task.seconds))"
    assert shape(ok('FindFirst(Task.codes, "A1") != -1')) == '(!= (FindFirst() Task.codes "A1") (neg 1))'
    assert shape(ok("Flow.a[Flow.i + 1].b")) == "(. ([] Flow.a (+ Flow.i 1)) b)"
    assert shape(ok("MakeList(1, 2, 3)[2]")) == "([] (MakeList() 1 2 3) 2)"
    assert shape(ok("right(flow.Ani, 4)")) == "(right() flow.Ani 4)"
    assert shape(ok("Count(Flow.skills) > 0 OR Flow.isVip")) == "(or (> (Count() Flow.skills) 0) Flow.isVip)"


# (text, where the error is: the offending text at the error offset, part of the message)
INVALID: list[tuple[str, str, str]] = [
    ("Flow.a && Flow.b", "&", "'&&'"),
    ("Flow.a || Flow.b", "|", "'||'"),
    ("not Flow.flag", "Flow", "'not'"),
    ("Flow.x = 5", "=", "'=='"),
    ("Flow.x <> 5", ">", "'!='"),
    ("'single quoted'", "'", "double quotes"),
    ('"unterminated', '"', "unterminated string literal"),
    ('"bad \\q escape"', "\\q", "invalid escape '\\q'"),
    ("+5", "+", "no unary plus"),
    ("--5", "-", "unary minus"),
    ("-!Flow.flag", "!", "unary minus"),
    ("f(1, )", ")", "expected an operand"),
    ('Append("a" "b")', '"b"', "expected ',' or ')' to close call to Append opened at 1:7"),
    ("Flow.x // note", "/", "comments"),
    ("Flow.x /* note */", "*", "comments"),
    ("(Flow.list)[0]", "[", "only follow a variable or a function call"),
    ('"abc".length', ".length", "only follow a variable or a function call"),
    ('Flow.MyCurrency.("Am" + "ount")', ".", "property name"),
    ("Flow. x", ".", "no space is allowed after the dot"),
    ("Flow.x.0", ".0", "quoted"),
    ("Flow.Get(1)", "(", "plain function names"),
    ("Flow.x ? Flow.a or Flow.b : Flow.c", "or", "cannot contain a bare 'or'"),
    ("Flow.x ? 1", "", "expected ':' to complete the '?' at 1:8"),
    ("1.2.3", ".3", "expected an operator"),
    ("5 +", "", "expected an operand"),
    ("If(Flow.a, 1, 2", "", "expected ')' to close call to If opened at 1:3"),
    ("_tmp.x", "_", "cannot start with '_'"),
    ("[1, 2, 3]", "[", "MakeList"),
    ('{"a": 1}', "{", "JsonParse"),
    ("", "", "empty expression"),
    ("   \n\t", "   \n\t", "empty expression"),
    # also rejected
    ("Flow.x === 1", "=", "'=='"),
    ("Flow.x ?? 0", "?", "expected an operand"),
    ("x => x + 1", "=", "'=='"),
    ("1e5", "e5", "expected an operator"),
    ("5 3", "3", "expected an operator or the end of the expression"),
    ("Flow.a Flow.b", "Flow", "expected an operator"),
    ("@Flow.x", "@", "unexpected character '@'"),
    ("Flow.x #", "#", "comments"),
    ("Flow.a$b", "$b", "expected an operator"),
    ("Flow.x orFlow.y", "orFlow", "expected an operator"),
    ("NOT_SET.x", ".x", "only follow a variable"),
    ("Flow.x ! = 1", "!", "expected an operator"),
    ("Flow.x =< 1", "=", "'=='"),
    # keywords are never names outside a dotted chain
    ("and", "and", "expected an operand"),
    ("f(or)", "or", "expected an argument or ')'"),
    ("x + and", "and", "expected an operand"),
    ("OR(1, 2)", "OR", "expected an operand"),
]


@pytest.mark.parametrize(("text", "at", "message"), INVALID)
def test_reference_invalid_examples(text: str, at: str, message: str) -> None:
    error = bad(text).error
    assert error is not None
    assert message in error.message
    assert text[error.offset : error.offset + len(at)] == at, (error, at)
    if at:
        assert error.end_offset > error.offset


def test_messages_name_the_open_call_with_line_and_column() -> None:
    text = '\n\n     Append("a",\n  Flow.x'
    error = bad(text).error
    assert error is not None
    assert error.message == "expected ')' to close call to Append opened at 3:12"
    assert (error.offset, error.end_offset) == (len(text), len(text))
    assert message("Append(1,,2)") == "unexpected ',' — expected an operand"
    assert message("a[1") == "expected ']' to close '[' opened at 1:2"
    assert message("((1)") == "expected ')' to close '(' opened at 1:1"
    assert message("f(") == "unexpected end of expression — expected an argument or ')'"
    assert message("x ? y") == "expected ':' to complete the '?' at 1:3"


def message(text: str) -> str:
    error = bad(text).error
    assert error is not None
    return error.message


def test_line_col() -> None:
    text = "ab\ncd\n\nx"
    assert [line_col(text, i) for i in (0, 1, 2, 3, 6, 7)] == [(1, 1), (1, 2), (1, 3), (2, 1), (3, 1), (4, 1)]


# ----------------------------------------------------------------- limits and robustness


@pytest.mark.parametrize(
    "text",
    [
        # Each far deeper than MAX_DEPTH and Python's recursion limit, and under MAX_LENGTH.
        "(" * 45_000 + "1" + ")" * 45_000,
        "f(" * 30_000 + ")" * 30_000,
        "x" + "[x" * 30_000 + "]" * 30_000,
        "!" * 90_000 + "x",
        "1" + "+1" * 20_000,
        "2" + "^2" * 20_000,
        "a" + " ? a : a" * 12_000,
    ],
)
def test_deep_nesting_is_an_error_not_a_crash(text: str) -> None:
    error = bad(text).error
    assert error is not None and "nested too deeply" in error.message


def test_nesting_up_to_the_limit_parses() -> None:
    depth = MAX_DEPTH - 2
    ok("f(" * depth + "1" + ")" * depth)
    ok("1" + "+1" * (MAX_DEPTH - 2))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*'ab1.,()[]"\\ !-+*^?:&|=<>{}$_\n\'#', " and ", " or ", "{{x}}", "f("]),
               max_size=40).map("".join))
def test_never_raises(text: str) -> None:
    result = parse_expression(text)
    assert (result.ast is None) != (result.error is None)
    if result.error is not None:
        assert 0 <= result.error.offset <= result.error.end_offset <= len(text)
        assert result.error.message


# ----------------------------------------------------------------- the grammar file itself


def test_shipped_table_is_current() -> None:
    """flowlint/data/expression_table.json matches grammars/expression.lark.

    If this fails after a grammar edit, run: python -m flowlint.expressions.table
    """
    shipped = json.loads((resources.files("flowlint.data") / "expression_table.json").read_text(encoding="utf-8"))
    assert shipped == table.compute(table.grammar_text())


def test_stale_table_falls_back_to_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = table.load()
    grammar = table.grammar_text() + "\n// edited\n"
    computed: list[str] = []
    compute = table.compute

    def spy(text: str) -> dict[str, object]:
        computed.append(text)
        return compute(text)

    monkeypatch.setattr(table, "grammar_text", lambda: grammar)
    monkeypatch.setattr(table, "compute", spy)
    assert table.load() == shipped
    assert computed == [grammar]


def test_grammar_with_lark_lexer_agrees() -> None:
    """The terminals in expression.lark describe the same tokens as the hand-written lexer."""
    from lark import Lark
    from lark.exceptions import LarkError

    lark: Any = Lark(table.grammar_text(), parser="lalr", lexer="basic")
    cases = VALID + [text for text, _, _ in INVALID] + [
        "{{x}}.y", "${a}", "State.x.{{y}}", 'x."{{y}}"', "Flow.x[0].y.z", "a AnD b oR c",
    ]
    for text in cases:
        try:
            lark.parse(text)
            lark_ok = True
        except LarkError:
            lark_ok = False
        assert lark_ok == parse_expression(text).ok, text
