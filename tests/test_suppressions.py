"""Inline ``# flowlint: disable`` / ``disable-file`` comments and FL900 unused-suppression."""

from __future__ import annotations

from pathlib import Path

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.engine import check_paths
from flowlint.suppressions import scan

from .helpers import check_project, write_project
from .test_flow_json_loader import lit
from .test_rules_json import export_text, main_ivr, set_attr

# Two FL002 findings (lines 15 and 24) in two actions; {a}..{d} are comment slots.
FLOW = """\
inboundCall:
  name: Main
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          {a}
          - setParticipantData:{b}
              name: First
              attributes:
                - attribute:
                    name:
                      lit: ""{c}
                    value:
                      exp: Call.Ani
          {d}
          - setParticipantData:
              name: Second
              attributes:
                - attribute:
                    name:
                      lit: " "
                    value:
                      exp: Call.Ani
          - disconnect:
              name: Done
"""


def flow(a: str = "", b: str = "", c: str = "", d: str = "") -> str:
    return FLOW.format(a=a, b=b, c=c, d=d)


def found(tmp_path: Path, text: str, config: Config | None = None, name: str = "main.yaml") -> list[tuple[str, int]]:
    diagnostics = check_project(tmp_path, {name: text}, config)
    return [(d.code, d.span.line if d.span else 0) for d in diagnostics]


def test_without_comments_both_findings(tmp_path: Path) -> None:
    assert found(tmp_path, flow()) == [("FL002", 15), ("FL002", 24)]


def test_comment_on_the_line_above_the_action(tmp_path: Path) -> None:
    assert found(tmp_path, flow(a="# flowlint: disable=FL002")) == [("FL002", 24)]


def test_comment_on_the_action_line(tmp_path: Path) -> None:
    assert found(tmp_path, flow(b="  # flowlint: disable=FL002")) == [("FL002", 24)]


def test_comment_inside_the_action(tmp_path: Path) -> None:
    assert found(tmp_path, flow(c="  # flowlint: disable=FL002  -- reason text")) == [("FL002", 24)]


def test_comment_between_actions_belongs_to_the_next_one(tmp_path: Path) -> None:
    assert found(tmp_path, flow(d="# flowlint: disable=FL002")) == [("FL002", 15)]


def test_rule_name_and_spaces_and_case(tmp_path: Path) -> None:
    assert found(tmp_path, flow(a="#flowlint:disable = fl001 , empty-attribute-name")) == [
        ("FL900", 9), ("FL002", 24)]  # FL001 listed but not found in the action


def test_file_level(tmp_path: Path) -> None:
    assert found(tmp_path, flow(d="# flowlint: disable-file=FL002")) == []
    text = "# flowlint: disable-file=FL001,FL002\n" + flow()
    assert found(tmp_path, text) == [("FL900", 1)]


def test_unused_suppressions_are_fl900_at_the_code(tmp_path: Path) -> None:
    diagnostics = check_project(tmp_path, {"main.yaml": flow(a="# flowlint: disable=FL002,FL005")})
    unused = [d for d in diagnostics if d.code == "FL900"]
    assert len(unused) == 1
    (fl900,) = unused
    assert fl900.span is not None and (fl900.span.line, fl900.span.column) == (9, 37)
    assert "FL005" in fl900.message and "FL002" not in fl900.message
    assert fl900.severity.value == "warning"
    assert fl900.logical == 'task "Start" > setParticipantData "First" > # flowlint: disable=FL005'


def test_unknown_code_and_malformed_directive(tmp_path: Path) -> None:
    diagnostics = check_project(tmp_path, {"main.yaml": flow(a="# flowlint: disable=FL002,nope",
                                                            d="# flowlint: ignore FL002")})
    messages = [d.message for d in diagnostics if d.code == "FL900"]
    assert len(messages) == 2
    assert "unknown rule 'nope'" in messages[0]
    assert "not understood" in messages[1]


def test_not_a_comment_inside_scalars(tmp_path: Path) -> None:
    text = flow().replace("name: First", "name: 'x # flowlint: disable=FL002'").replace(
        "exp: Call.Ani", "lit: |\n                        note # flowlint: disable=FL002", 1)
    result = found(tmp_path, text)
    assert [code for code, _ in result] == ["FL002", "FL002"], result
    assert not scan("a: 'b # flowlint: disable=FL002'\n")
    assert not scan("a: b#flowlint: disable=FL002\n")  # '#' after a non-blank is not a comment
    assert len(scan("a: b # flowlint: disable=FL002\n")) == 1


def test_comment_on_a_line_without_action(tmp_path: Path) -> None:
    # Above a non-action line: applies to that next line only (here: nothing is there).
    text = flow().replace("  tasks:\n", "  # flowlint: disable=FL002\n  tasks:\n")
    assert [code for code, _ in found(tmp_path, text)] == ["FL900", "FL002", "FL002"]
    (fl900,) = [d for d in check_paths([str(tmp_path)]).diagnostics if d.code == "FL900"]
    assert "no FL002 finding on the next line" in fl900.message
    trailing = flow().replace("  tasks:\n", "  tasks:  # flowlint: disable=FL002\n")
    (fl900,) = [d for d in check_project(tmp_path, {"main.yaml": trailing}) if d.code == "FL900"]
    assert "no FL002 finding on this line" in fl900.message


def test_suppression_of_a_disabled_rule_is_not_judged(tmp_path: Path) -> None:
    assert found(tmp_path, flow(a="# flowlint: disable=FL002,FL005"), Config(ignore=["FL005"])) == [("FL002", 24)]


def test_fl900_can_be_switched_off(tmp_path: Path) -> None:
    text = flow(a="# flowlint: disable=FL001")
    assert found(tmp_path, text, Config(ignore=["FL900"])) == [("FL002", 15), ("FL002", 24)]
    assert found(tmp_path, "# flowlint: disable-file=FL900\n" + text) == [("FL002", 16), ("FL002", 25)]
    assert found(tmp_path, text, Config(per_file_ignores={"*.yaml": ["FL9"]}, root=str(tmp_path))) == [
        ("FL002", 15), ("FL002", 24)]
    found_with_severity = check_project(tmp_path, {"main.yaml": text}, Config(severity={"FL900": Severity.ERROR}))
    assert [d.severity.value for d in found_with_severity if d.code == "FL900"] == ["error"]


def test_broken_yaml_gets_no_fl900(tmp_path: Path) -> None:
    text = "# flowlint: disable-file=FL001\n" + flow().replace("name: Main", "name: [Main")
    assert [code for code, _ in found(tmp_path, text)] == ["FL100"]


def test_templates_and_crlf(tmp_path: Path) -> None:
    text = flow(a="# flowlint: disable=FL002").replace("name: Main", "name: {{flow_name}}")
    assert found(tmp_path, text, name="main.yaml.tftpl") == [("FL002", 24)]
    crlf = flow(d="# flowlint: disable=FL002").replace("\n", "\r\n")
    write_project(tmp_path, {})
    (tmp_path / "main.yaml.tftpl").unlink()
    (tmp_path / "main.yaml").write_bytes(crlf.encode("utf-8"))
    assert [(d.code, d.span.line if d.span else 0) for d in check_paths([str(tmp_path)]).diagnostics] == [
        ("FL002", 15)]


def test_nested_actions_innermost_wins(tmp_path: Path) -> None:
    nested = """\
inboundCall:
  name: Main
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - decision:
              name: Check
              condition:
                exp: true
              outputs:
                yes:
                  actions:
                    # flowlint: disable=FL002
                    - setParticipantData:
                        name: Inner
                        attributes:
                          - attribute:
                              name:
                                lit: ""
                              value:
                                exp: Call.Ani
          - setParticipantData:
              name: After
              attributes:
                - attribute:
                    name:
                      lit: ""
                    value:
                      exp: Call.Ani
"""
    assert found(tmp_path, nested) == [("FL002", 30)]
    # A comment on the decision line covers the whole decision, nested actions included.
    outer = nested.replace("                    # flowlint: disable=FL002\n", "").replace(
        "- decision:", "- decision:  # flowlint: disable=FL002")
    assert found(tmp_path, outer) == [("FL002", 29)]


def test_exports_have_no_comments_per_file_ignores_cover_them(tmp_path: Path) -> None:
    files = {"main.i3InboundFlow": export_text(main_ivr(set_attr("A1", "", lit("x"))))}
    assert [d.code for d in check_project(tmp_path, files)] == ["FL002"]
    config = Config(per_file_ignores={"*.i3InboundFlow": ["FL002"]}, root=str(tmp_path))
    assert check_project(tmp_path, files, config) == []


def test_suppress_false_ignores_comments(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.yaml": flow(a="# flowlint: disable=FL002")})
    suppressed = check_paths([str(tmp_path)])
    assert suppressed.suppressed == 1 and len(suppressed.diagnostics) == 1
    raw: list[Diagnostic] = check_paths([str(tmp_path)], suppress=False).diagnostics
    assert [d.code for d in raw] == ["FL002", "FL002"]
