"""FL008 attribute-name-not-literal and FL009 get-into-non-string-variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic
from rules._flows import task_flow

from .helpers import check_project
from .test_flow_json_loader import act, doc, exp, lit, task, var

FL008 = Config(select=["FL008"])
FL009 = Config(select=["FL009"])


def data_action(kind: str, name: str, second: str, *, extra: str = "") -> str:
    """One Set/Get action (YAML list item) with one attribute row: ``name`` and ``second``
    (``value:`` or ``variable:`` line) are written as given."""
    return f"""\
- {kind}:
    name: Data
{extra}    attributes:
      - attribute:
          name:
            {name}
          {second}
- disconnect:
    name: End
"""


def check(tmp_path: Path, text: str, config: Config) -> list[Diagnostic]:
    return check_project(tmp_path, {"main.yaml": text}, config)


# --------------------------------------------------------------------------- FL008

@pytest.mark.parametrize(("kind", "label", "verb"), [
    ("getParticipantData", "Get Participant Data", "reads"),
    ("setParticipantData", "Set Participant Data", "writes"),
    ("getSecuredData", "Get Secured Data", "reads"),
    ("setSecuredData", "Set Secured Data", "writes"),
])
def test_fl008_builtin_variable_name_says_what_it_really_does(tmp_path: Path, kind: str, label: str,
                                                              verb: str) -> None:
    second = "variable: Flow.x" if kind.startswith("get") else "value:\n            lit: x"
    [found] = check(tmp_path, task_flow("Main", data_action(kind, "exp: Call.Ani", second)), FL008)
    assert found.code == "FL008" and found.severity.value == "warning"
    assert found.message == (
        f"the attribute name of {label} 'Data' is an expression: it {verb} an attribute named by the value of "
        f"Call.Ani, not one called 'Call.Ani'; write the name as a literal (`lit: ...`)")
    assert found.span is not None and found.span.line == 14  # the name's value, in main.yaml


def test_fl008_computed_name_and_string_expression(tmp_path: Path) -> None:
    actions = data_action("setParticipantData", 'exp: Append("tier_", Flow.region)', "value:\n            lit: x")
    [computed] = check(tmp_path / "a", task_flow("Main", actions), FL008)
    assert "the name is computed at runtime from Flow.region" in computed.message
    assert "tier_" not in computed.message  # a literal of the expression is a value: never printed
    assert "flowlint cannot match a computed name across flows" in computed.message
    actions = data_action("setParticipantData", "exp: '\"CallerTier\"'", "value:\n            lit: x")
    [literal] = check(tmp_path / "b", task_flow("Main", actions), FL008)
    assert "write `lit: CallerTier`" in literal.message


def test_fl008_user_variable_name_is_a_computed_name(tmp_path: Path) -> None:
    actions = data_action("getParticipantData", "exp: Flow.attributeName", "variable: Flow.x")
    [found] = check(tmp_path, task_flow("Main", actions), FL008)
    assert "the name is computed at runtime from Flow.attributeName" in found.message


def test_fl008_conversation_data(tmp_path: Path) -> None:
    extra = "    conversationId:\n      exp: Flow.conversationId\n"
    actions = data_action("getConversationData", "exp: Flow.name", "variable: Flow.x", extra=extra)
    [found] = check(tmp_path, task_flow("Main", actions, flow_type="workflow"), FL008)
    assert found.message.startswith("the attribute name of Get Conversation Data 'Data' is an expression")


@pytest.mark.parametrize("name", ["lit: CallerTier", "lit: '{{tier_attribute}}'", "lit: 'tier_{{region}}'"])
def test_fl008_literal_names_are_fine(tmp_path: Path, name: str) -> None:
    actions = data_action("getParticipantData", name, "variable: Flow.x")
    assert check(tmp_path, task_flow("Main", actions), FL008) == []


def test_fl008_screen_pop_inputs_are_not_attribute_names(tmp_path: Path) -> None:
    actions = """\
- setScreenPop:
    name: Pop
    screenPopScript:
      Account Script:
        inputs:
          account:
            exp: Call.Ani
- disconnect:
    name: End
"""
    assert check(tmp_path, task_flow("Main", actions), FL008) == []


def test_fl008_in_an_api_json_flow(tmp_path: Path) -> None:
    document = doc(task("T1", "Start", "A1", [
        act("SetAttributesAction", "A1", "Set", None,
            variables=[{"variable": exp("Call.Ani"), "expression": lit("x")}]),
    ]))
    found = check_project(tmp_path, {"flow.i3InboundFlow.json": json.dumps(document)}, FL008)
    assert [d.message for d in found] == [
        "the attribute name of Set Participant Data 'Set' is an expression: it writes an attribute named by the "
        "value of Call.Ani, not one called 'Call.Ani'; write the name as a literal (`lit: ...`)"]


# --------------------------------------------------------------------------- FL009

def flow_with(declarations: str, variable: str, *, task_variables: str = "") -> str:
    actions = data_action("getParticipantData", "lit: CallerTier", f"variable: {variable}")
    text = task_flow("Main", actions, settings=f"variables:\n{declarations}" if declarations else "")
    if task_variables:
        text = text.replace("        refId: t\n", f"        refId: t\n        variables:\n{task_variables}", 1)
    return text


def declare(kind: str, name: str, indent: int = 2) -> str:
    pad = " " * indent
    return f"{pad}- {kind}:\n{pad}    name: {name}\n"


def test_fl009_integer_flow_variable(tmp_path: Path) -> None:
    [found] = check(tmp_path, flow_with(declare("integerVariable", "Flow.tier"), "Flow.tier"), FL009)
    assert found.code == "FL009" and found.severity.value == "error"
    assert found.attribute == "CallerTier"
    assert found.message == (
        "Get Participant Data 'Data' reads attribute 'CallerTier' into Flow.tier, an Integer variable of the flow "
        f"({tmp_path / 'main.yaml'}:5); the output of a Get must be a String variable: read it into a String "
        "variable, then convert it (ToInt(...))")
    assert [r.message for r in found.related] == ["Flow.tier is declared as Integer here"]


@pytest.mark.parametrize(("kind", "label", "hint"), [
    ("booleanVariable", "a Boolean variable", "(ToBool(...))"),
    ("jsonVariable", "a JSON variable", "(JsonParse(...))"),
    ("stringCollectionVariable", "a String Collection variable", "(Split(...))"),
    ("decimalVariable", "a Decimal variable", "(ToDecimal(...))"),
    ("queueVariable", "a Queue variable", "then convert it;"),
])
def test_fl009_task_variables_of_other_types(tmp_path: Path, kind: str, label: str, hint: str) -> None:
    text = flow_with("", "Task.value", task_variables=declare(kind, "Task.value", 10))
    [found] = check(tmp_path, text, FL009)
    assert f"into Task.value, {label} in task 'Start'" in found.message
    assert hint in found.message + ";"


def test_fl009_names_match_case_insensitively(tmp_path: Path) -> None:
    assert len(check(tmp_path, flow_with(declare("integerVariable", "Flow.Tier"), "flow.tier"), FL009)) == 1


@pytest.mark.parametrize(("declarations", "variable"), [
    (declare("stringVariable", "Flow.tier"), "Flow.tier"),  # a String variable: right
    (declare("integerVariable", "Flow.other"), "Flow.tier"),  # undeclared: FL104's business, not a type error
    ("", "Flow.tier"),
])
def test_fl009_string_or_undeclared_is_fine(tmp_path: Path, declarations: str, variable: str) -> None:
    assert check(tmp_path, flow_with(declarations, variable), FL009) == []


def test_fl009_task_variable_of_another_task_is_not_guessed(tmp_path: Path) -> None:
    text = flow_with("", "Task.value") + """\
    - task:
        name: Other
        refId: o
        variables:
          - integerVariable:
              name: Task.value
        actions:
          - disconnect:
              name: End
"""
    assert check(tmp_path, text, FL009) == []


def test_fl009_setters_are_not_checked(tmp_path: Path) -> None:
    actions = data_action("setParticipantData", "lit: CallerTier", "value:\n            exp: ToString(Flow.tier)")
    text = task_flow("Main", actions, settings="variables:\n" + declare("integerVariable", "Flow.tier"))
    assert check(tmp_path, text, FL009) == []


def test_fl009_in_an_api_json_flow(tmp_path: Path) -> None:
    document = doc(task("T1", "Start", "A1", [
        act("GetAttributesAction", "A1", "Get", None,
            variables=[{"variable": lit("tier"), "expression": var("Flow.tier")}]),
    ]), variables=[{"name": "Flow.tier", "__type": "IntegerVariable"}, {"name": "Flow.ok", "__type": "StringVariable"}])
    found = check_project(tmp_path, {"flow.i3InboundFlow.json": json.dumps(document)}, FL009)
    assert len(found) == 1 and "into Flow.tier, an Integer variable of the flow" in found[0].message
