"""FL101, FL102, FL104, FL107 on small Archy YAML projects: findings and exact positions."""

from __future__ import annotations

from pathlib import Path

from flowlint.diagnostics import Diagnostic
from flowlint.expressions.parser import parse_cached, parsed
from flowlint.expressions.values import expression_loc
from flowlint.ir import Loc, ScalarSource, SourceFile, SourceFormat, Span, Value, ValueKind

from .helpers import check_project


def flow(actions: str, variables: str = "", task_variables: str = "") -> str:
    """A one-task inbound flow; ``actions`` is YAML indented by 10 spaces."""
    return (
        "inboundCall:\n  name: Main\n  startUpRef: /inboundCall/tasks/task[t]\n"
        + (f"  variables:\n{variables}" if variables else "")
        + "  tasks:\n    - task:\n        name: Main\n        refId: t\n"
        + (f"        variables:\n{task_variables}" if task_variables else "")
        + f"        actions:\n{actions}          - disconnect:\n              name: End\n"
    )


def decision(condition_yaml: str) -> str:
    """A decision whose ``condition:`` mapping is ``condition_yaml`` (indented by 16 spaces)."""
    return ("          - decision:\n              name: Check\n              condition:\n"
            f"{condition_yaml}"
            "              outputs:\n                yes:\n                  actions:\n"
            "                    - disconnect:\n                        name: Bye\n")


def findings(tmp_path: Path, text: str, code: str) -> list[Diagnostic]:
    return [d for d in check_project(tmp_path, {"main.yaml": text}) if d.code == code]


def where(diagnostic: Diagnostic) -> tuple[int, int, int, int]:
    span = diagnostic.span
    assert span is not None
    return (span.line, span.column, span.end_line, span.end_column)


# --------------------------------------------------------------------------- FL101


def test_fl101_position_inside_a_plain_scalar(tmp_path: Path) -> None:
    text = flow(decision("                exp: Flow.a = 1\n"))
    (found,) = findings(tmp_path, text, "FL101")
    line = text.splitlines().index("                exp: Flow.a = 1") + 1
    assert where(found) == (line, 29, line, 30)
    assert "'=' is not an operator" in found.message
    assert found.message.startswith("invalid expression: ")


def test_fl101_position_through_escapes_and_folding(tmp_path: Path) -> None:
    # Value: 'Append("a",' + ' ' (folded break) + '"b" "c")' -> the error is at the second string.
    text = flow(decision('                exp: "Append(\\"a\\",\n                  \\"b\\" \\"c\\")"\n'))
    (found,) = findings(tmp_path, text, "FL101")
    lines = text.splitlines()
    line = next(i for i, l in enumerate(lines, 1) if l.startswith('                  \\"b\\"'))
    column = lines[line - 1].index('\\"c') + 1
    assert where(found) == (line, column, line, column + len('\\"c\\"'))  # the escaped token
    assert "expected ',' or ')' to close call to Append opened at 1:7" in found.message


def test_fl101_at_the_end_of_a_block_scalar(tmp_path: Path) -> None:
    text = flow(decision("                exp: |\n                  If(Flow.a,\n                    1, 2\n"))
    (found,) = findings(tmp_path, text, "FL101")
    assert "expected ')' to close call to If opened at 1:3" in found.message
    lines = text.splitlines()
    line = lines.index("                    1, 2") + 2  # after the final line break of the value
    assert where(found)[:2] == (line, 1)


def test_fl101_not_for_valid_expressions_or_literals(tmp_path: Path) -> None:
    text = flow(decision("                exp: Flow.a == 1 and IsSet(Call.Ani)\n")
                + decision("                lit: not an expression ((\n"))
    assert findings(tmp_path, text, "FL101") == []


def test_fl101_placeholders_are_not_errors(tmp_path: Path) -> None:
    text = flow(decision("                exp: Call.Ani == \"{{number}}\" or {{flag}}\n"))
    assert findings(tmp_path, text, "FL101") == []


def test_expression_loc_outside_yaml_is_the_value_loc() -> None:
    source = SourceFile("flow.i3InboundFlow", SourceFormat.EXPORT, "{}")
    loc = Loc(source, "task > action", Span(3, 4, 3, 9))
    value = Value(ValueKind.EXP, "Flow.x = 1", loc)
    assert expression_loc(value, 7, 8) is loc


def test_expression_loc_with_a_scalar_that_does_not_match_the_text() -> None:
    text = "exp: abc\n"
    source = SourceFile("f.yaml", SourceFormat.YAML, text)
    loc = Loc(source, "x", Span(1, 6, 1, 9))
    value = Value(ValueKind.EXP, "something longer", loc, ScalarSource(5, 8, ""))
    assert expression_loc(value, 2, 3) is loc
    value = Value(ValueKind.EXP, "abc", loc, ScalarSource(5, 8, ""))
    assert expression_loc(value, 1, 2).span == Span(1, 7, 1, 8)


def test_parsed_is_shared_between_rules() -> None:
    source = SourceFile("f.yaml", SourceFormat.YAML, "")
    first = Value(ValueKind.EXP, "If(Flow.a, 1, 2)", Loc(source, "a"))
    second = Value(ValueKind.EXP, "If(Flow.a, 1, 2)", Loc(source, "b"))
    assert parsed(first) is parsed(second) is parse_cached("If(Flow.a, 1, 2)")


# --------------------------------------------------------------------------- FL102 / FL107


def test_fl102_unknown_function_with_suggestion_at_the_name(tmp_path: Path) -> None:
    text = flow(decision("                exp: IndexOf(Call.Ani, \"+\") > 0 and Lenght(Call.Ani) > 3\n"))
    found = findings(tmp_path, text, "FL102")
    assert [d.message for d in found] == [
        "unknown function 'IndexOf' (did you mean FindString?)",
        "unknown function 'Lenght' (did you mean Length?)",
    ]
    line = text.splitlines().index("                exp: IndexOf(Call.Ani, \"+\") > 0 and Lenght(Call.Ani) > 3") + 1
    assert where(found[0]) == (line, 22, line, 29)


def test_fl102_names_are_case_insensitive(tmp_path: Path) -> None:
    text = flow(decision("                exp: isnotsetorempty(call.ani) or TOSTRING(1) == \"1\"\n"))
    assert findings(tmp_path, text, "FL102") == []


def test_fl107_wrong_arity_messages(tmp_path: Path) -> None:
    text = flow(decision("                exp: Contains(Call.Ani) or Year(MakeDateTime(2024, 1, 1, 0)) == 1"
                         " or Length(\"a\", \"b\") == 1 or Append() == \"\"\n"))
    messages = sorted(d.message for d in findings(tmp_path, text, "FL107"))
    assert messages == [
        "Append takes at least 1 argument, not 0",
        "Contains takes 2 to 3 arguments, not 1",
        "Length takes 1 argument, not 2",
        "MakeDateTime takes 3 or 6 arguments, not 4",
    ]


def test_fl107_not_for_unknown_functions_or_right_counts(tmp_path: Path) -> None:
    text = flow(decision("                exp: Foo(1, 2, 3) or MakeDateTime(2024, 1, 1) == GetCurrentDateTimeUtc()\n"))
    assert findings(tmp_path, text, "FL107") == []
    assert len(findings(tmp_path, text, "FL102")) == 1


# --------------------------------------------------------------------------- FL104

STRING_VAR = "    - stringVariable:\n        name: {name}\n        initialValue:\n          noValue: true\n"
TASK_VAR = "          - integerVariable:\n              name: {name}\n              initialValue:\n                lit: 0\n"


def test_fl104_undeclared_flow_variable_with_suggestion(tmp_path: Path) -> None:
    text = flow(decision("                exp: Flow.custName == \"x\" and Flow.customerName != \"\"\n"),
                variables=STRING_VAR.format(name="Flow.customerName"))
    (found,) = findings(tmp_path, text, "FL104")
    assert found.message == ("Flow.custName is read but never declared or assigned in flow 'Main' "
                             "(did you mean Flow.customerName?)")
    line = text.splitlines().index("                exp: Flow.custName == \"x\" and Flow.customerName != \"\"") + 1
    assert where(found) == (line, 22, line, 35)


def test_fl104_property_reads_report_the_variable(tmp_path: Path) -> None:
    text = flow(decision("                exp: IsSet(Flow.customer.address.city)\n"))
    (found,) = findings(tmp_path, text, "FL104")
    assert found.message.startswith("Flow.customer is read")
    assert where(found)[3] - where(found)[1] == len("Flow.customer")


def test_fl104_declarations_bindings_case_and_builtins(tmp_path: Path) -> None:
    update = ("          - updateData:\n              name: Assign\n              statements:\n"
              "                - string:\n                    variable: State.assigned\n"
              "                    value:\n                      exp: ToString(Task.count)\n")
    text = flow(
        update + decision("                exp: flow.DECLARED == \"\" and TASK.Count > 0 and State.assigned != \"\""
                          " and Flow.StartDateTimeUtc < GetCurrentDateTimeUtc() and Call.Whatever == \"\""
                          " and Slot.x == \"\" and Common.y == \"\"\n"),
        variables=STRING_VAR.format(name="Flow.declared"),
        task_variables=TASK_VAR.format(name="Task.count"),
    )
    assert findings(tmp_path, text, "FL104") == []


def test_fl104_skips_unparsable_expressions_and_placeholders(tmp_path: Path) -> None:
    text = flow(decision("                exp: Flow.{{name}} == 1\n") + decision("                exp: Flow.x ==\n"))
    assert findings(tmp_path, text, "FL104") == []
    assert len(findings(tmp_path, text, "FL101")) == 1
