"""``flowlint expr``: one expression explained, or a JSON-lines stream."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from flowlint.config import Config
from flowlint.expressions.command import expr
from rules._flows import task_flow
from tests.helpers import check_project


def run(args: list[str], stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(expr, args, input=stdin)
    return result.exit_code, result.output


def test_valid_expression_shows_canonical_text_tree_variables_and_type() -> None:
    code, out = run(['If(IsNotSetOrEmpty(Call.Ani),"unknown",ToString(Call.Ani)) + Flow.customer.name'])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == 'If(IsNotSetOrEmpty(Call.Ani), "unknown", ToString(Call.Ani)) + Flow.customer.name'
    assert "Binary +  [0:79]" in lines
    assert '    Literal string "unknown"  [29:38]' in lines
    assert "variables: Call.Ani (1:20), Call.Ani (1:49), Flow.customer (1:62)" in lines
    assert "type: unknown" in lines  # str + (unknown variable) has no known type


def test_type_is_shown_when_known() -> None:
    code, out = run(["ToString(Flow.x) + \"!\""])
    assert code == 0
    assert "type: str" in out.splitlines()
    assert "variables: Flow.x (1:10)" in out.splitlines()


def test_invalid_expression_shows_error_and_caret() -> None:
    code, out = run(['Append(\n\t"a",\n\tFlow.x,, 2)'])
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "error at 3:9: unexpected ',' — expected an operand"
    assert lines[1] == "  \tFlow.x,, 2)"
    assert lines[2] == "  \t       ^"  # the tab is kept so the caret lines up


def test_error_at_the_end_of_the_text() -> None:
    code, out = run(["If(Flow.a, 1, 2"])
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "error at 1:16: expected ')' to close call to If opened at 1:3"
    assert lines[2] == "  " + " " * 15 + "^"


def test_expression_starting_with_minus_after_double_dash() -> None:
    code, out = run(["--", "-2^2"])
    assert code == 0
    assert out.splitlines()[0] == "-2 ^ 2"
    assert "type: dec" in out


def records(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_json_lines() -> None:
    stdin = "\n".join(json.dumps(t) for t in ["1 + 2", "Flow.a.b == Task.c and Flow.a", "f(,)", "x\n  + "]) + "\n"
    code, out = run(["--json"], stdin)
    assert code == 1
    first, second, third, fourth = records(out)
    assert first == {"ok": True, "error": None, "line": None, "column": None, "end_line": None,
                     "end_column": None, "variables": [], "type": "int", "canonical": "1 + 2", "findings": []}
    assert second["ok"] and second["variables"] == ["Flow.a", "Task.c"] and second["type"] == "bln"
    assert third["ok"] is False
    assert (third["error"], third["line"], third["column"], third["end_line"], third["end_column"]) == (
        "unexpected ',' — expected an argument or ')'", 1, 3, 1, 4)
    assert (fourth["line"], fourth["column"]) == (2, 5)


def test_json_lines_all_valid_exit_zero_and_blank_lines_skipped() -> None:
    code, out = run(["--json"], '"1"\n\n"NOT_SET"\n')
    assert code == 0
    assert [r["ok"] for r in records(out)] == [True, True]


def test_json_lines_bad_input_is_a_usage_error() -> None:
    code, out = run(["--json"], '"1"\n42\nnot json\n"f("\n')
    assert code == 2
    result = records(out)
    assert [r["ok"] for r in result] == [True, False, False, False]
    assert result[1]["error"] == "input line 2 is not a JSON-encoded string"
    assert result[2]["error"] == "input line 3 is not a JSON-encoded string"


def test_unknown_function_and_wrong_arity_are_reported_as_check_reports_them() -> None:
    code, out = run(['If(true, ToUpper(Call.Ani),\n  Contains(Call.Ani))'])
    assert code == 1
    lines = out.splitlines()
    assert "1:10: FL102 [warning] unknown function 'ToUpper' (did you mean Upper or ToUser?)" in lines
    assert "2:3: FL107 [error] Contains takes 2 to 3 arguments, not 1" in lines
    assert lines.index("type: unknown") < len(lines) - 2  # the findings come after the analysis


def test_the_messages_are_those_of_flowlint_check(tmp_path: Path) -> None:
    expression = 'Append(indexOf(Flow.a, "x"), Left(Flow.a))'
    flow = task_flow("Main", f"""\
- updateData:
    name: Compute
    statements:
      - string:
          variable: Flow.b
          value:
            exp: '{expression}'
- disconnect:
    name: End
""")
    found = check_project(tmp_path, {"main.yaml": flow}, Config(select=["FL102", "FL107"]))
    checked = sorted((d.code, d.severity.value, d.message) for d in found)
    code, out = run([expression])
    assert code == 1
    matches = (re.fullmatch(r"\d+:\d+: (FL\d+) \[(\w+)\] (.*)", line) for line in out.splitlines())
    shown = sorted((m[1], m[2], m[3]) for m in matches if m is not None)
    assert shown == checked and len(shown) == 2


def test_clean_expression_exits_zero_even_with_functions_of_unknown_signature() -> None:
    code, out = run(["RandomInt(1, 6) + Random()"])
    assert code == 0
    assert "FL10" not in out


def test_json_lines_report_findings_and_exit_one() -> None:
    stdin = "\n".join(json.dumps(t) for t in ["Upper(Flow.a)", "Lefft(Flow.a, 2)", "Left(Flow.a)"]) + "\n"
    code, out = run(["--json"], stdin)
    assert code == 1
    clean, unknown, arity = records(out)
    assert clean["ok"] and clean["findings"] == []
    assert unknown["ok"] and unknown["findings"] == [{
        "code": "FL102", "severity": "warning", "message": "unknown function 'Lefft' (did you mean Left?)",
        "line": 1, "column": 1, "end_line": 1, "end_column": 6}]
    assert [(f["code"], f["severity"], f["message"], f["column"], f["end_column"]) for f in arity["findings"]] == [
        ("FL107", "error", "Left takes 2 arguments, not 1", 1, 13)]


def test_usage_errors() -> None:
    assert run([])[0] == 2
    assert run(["1", "--json"])[0] == 2


def test_importing_the_command_does_not_load_the_parser() -> None:
    probe = (
        "import sys, flowlint.expressions.command; "
        "print('flowlint.expressions.parser' in sys.modules, 'lark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
