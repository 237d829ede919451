"""The function-catalog gaps of semantics-2.md section 3, and the availability cells of its section 6.3."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowlint.analysis.availability import availability
from flowlint.config import Config
from flowlint.expressions.analysis import infer_type
from flowlint.expressions.ast import Expr
from flowlint.expressions.catalog import functions, lookup
from flowlint.expressions.checks import call_problems
from flowlint.expressions.parser import parse_expression
from rules._flows import task_flow

from .helpers import check_project

#: name -> (argument counts accepted, or None when the signature is unknown; basis)
ADDED: dict[str, tuple[tuple[int, ...] | None, str]] = {
    "IsJsonObject": ((1,), "observed"),
    "SetJsonObjectProperty": ((3,), "observed"),
    "GetJsonObjectPropertyNames": ((1,), "observed"),
    "ReplaceJsonArrayItem": ((3,), "observed"),
    "ToCommunicationBlank": ((1,), "observed"),
    "ToCommunicationSsml": ((1,), "documented"),
    "Random": (None, "documented"),
    "RandomInt": (None, "documented"),
    "FindQueueEstimatedWaitTime": (None, "documented"),
    "GetQueueEstimatedWaitTime": (None, "documented"),
    "FindScheduleGroup": (None, "inferred"),
}

#: Names searched for and found nowhere (semantics-2.md section 3): they stay unknown.
NOT_ARCHITECT = ("ToDate", "ToTime", "MakeDate", "MakeTime", "IsJsonArray", "GetJsonArrayItem",
                 "RemoveJsonObjectProperty", "AddJsonArrayItem", "Base64Encode", "UrlEncode")


def ast_of(text: str) -> Expr:
    result = parse_expression(text)
    assert result.ast is not None, result.error
    return result.ast


def problems(text: str) -> list[tuple[str, str]]:
    return [(p.code, p.message) for p in call_problems(ast_of(text))]


@pytest.mark.parametrize("name", sorted(ADDED))
def test_added_function_is_known_with_its_arity_and_basis(name: str) -> None:
    counts, basis = ADDED[name]
    function = lookup(name.upper())  # names are case-insensitive
    assert function is not None and function.name == name
    assert function.basis == basis and function.evidence
    if counts is None:
        assert not function.signature_known
        assert all(function.accepts(n) for n in range(8))
    else:
        assert function.signature_known
        assert [n for n in range(8) if function.accepts(n)] == list(counts)


@pytest.mark.parametrize("name", sorted(n for n, (counts, _) in ADDED.items() if counts is None))
def test_unknown_signature_is_never_an_arity_error(name: str) -> None:
    for count in range(5):
        args = ", ".join(["1"] * count)
        assert problems(f"{name}({args})") == []


@pytest.mark.parametrize(("text", "message"), [
    ("IsJsonObject()", "IsJsonObject takes 1 argument, not 0"),
    ("SetJsonObjectProperty(Flow.j, \"a\")", "SetJsonObjectProperty takes 3 arguments, not 2"),
    ("GetJsonObjectPropertyNames(Flow.j, 1)", "GetJsonObjectPropertyNames takes 1 argument, not 2"),
    ("ReplaceJsonArrayItem(Flow.j, 1, 2, 3)", "ReplaceJsonArrayItem takes 3 arguments, not 4"),
    ("ToCommunicationBlank()", "ToCommunicationBlank takes 1 argument, not 0"),
    ("ToCommunicationSsml(\"<speak/>\", 1)", "ToCommunicationSsml takes 1 argument, not 2"),
])
def test_wrong_arity_of_an_added_function_is_still_fl107(text: str, message: str) -> None:
    assert problems(text) == [("FL107", message)]


@pytest.mark.parametrize("name", NOT_ARCHITECT + ("Frobnicate",))
def test_names_found_nowhere_stay_unknown(name: str) -> None:
    assert lookup(name) is None
    found = problems(f"{name}(Flow.x)")
    assert [code for code, _ in found] == ["FL102"]
    assert found[0][1].startswith(f"unknown function '{name}'")


def test_every_entry_has_a_basis() -> None:
    table = functions()
    assert len(table) == 137
    assert {f.basis for f in table.values()} == {"documented", "observed", "inferred"}
    assert table["toschedulegroup"].basis == "observed"  # source C only
    assert table["upper"].basis == "documented"  # the shipped SDK catalog


def test_typed_signatures() -> None:
    variables = {"flow.j": "jsn", "flow.ms": "int"}
    assert infer_type(ast_of("IsJsonObject(Flow.j)"), variables) == "bln"
    assert infer_type(ast_of("Count(GetJsonObjectPropertyNames(Flow.j))")) == "int"
    assert infer_type(ast_of('SetJsonObjectProperty(Flow.j, "a", Flow.j)')) == "jsn"
    assert infer_type(ast_of("MakeCommunication(ToCommunicationBlank(Flow.ms))")) == "com"
    assert infer_type(ast_of("RandomInt(1, 6)")) == "int"
    assert infer_type(ast_of("Random()")) is None


def test_count_of_a_json_array_and_tostring_of_a_json_collection() -> None:
    assert problems("Count(Flow.someJson.items)") == []
    assert infer_type(ast_of("Count(Flow.someJson.items)"), {"flow.somejson": "jsn"}) == "int"
    text = 'ToString(ToJsonCollection(Flow.items), ", ")'
    assert problems(text) == []
    assert infer_type(ast_of(text)) == "str"


def test_check_reports_nothing_for_the_added_functions(tmp_path: Path) -> None:
    expressions = [
        'If(IsJsonObject(Flow.j), ToString(ToJsonCollection(Flow.j), ", "), "")',
        "ToString(Count(Flow.j.items) + Count(GetJsonObjectPropertyNames(Flow.j)) + RandomInt(1, 6) + Random())",
        'ToString(SetJsonObjectProperty(ReplaceJsonArrayItem(Flow.j, 1, 2), "k", Flow.j))',
        "ToString(FindQueueEstimatedWaitTime(FindQueue(\"Support\"))) + ToString(GetQueueEstimatedWaitTime())",
        "ToString(FindScheduleGroup(\"Hours\"))",
        'ToString(MakeCommunication(ToCommunicationBlank(500), ToCommunicationSsml("<speak>hi</speak>")))',
    ]
    actions = "".join(f"""\
- setParticipantData:
    name: Remember {number}
    attributes:
      - attribute:
          name:
            lit: A{number}
          value:
            exp: '{text}'
""" for number, text in enumerate(expressions)) + "- disconnect:\n    name: End\n"
    found = check_project(tmp_path, {"main.yaml": task_flow("Main", actions)}, Config(select=["FL1"]))
    assert [(d.code, d.message) for d in found if d.code in ("FL101", "FL102", "FL107")] == []


def test_availability_cells_of_section_6_3() -> None:
    pop = availability("set_screen_pop", "inboundshortmessage")
    assert pop is not None and pop.status == "allowed"
    module = availability("set_participant_data", "commonmodule")
    assert module is not None and module.status == "allowed"
    for kind in ("set_secured_data", "get_secured_data"):
        voice = availability(kind, "voice")
        assert voice is not None and voice.status == "not_allowed"
        assert voice.basis == "inferred" and voice.evidence.startswith("inferred")
        bot = availability(kind, "bot")
        assert bot is not None and bot.basis == "documented"


def test_fl004_says_when_a_cell_is_inferred(tmp_path: Path) -> None:
    actions = """\
- setSecuredData:
    name: Keep card
    attributes:
      - attribute:
          name:
            lit: CardToken
          value:
            exp: Flow.token
- disconnect:
    name: End
"""
    found = check_project(tmp_path, {"voice.yaml": task_flow("Voice side", actions, flow_type="voice")},
                          Config(select=["FL004"]))
    assert [d.message for d in found] == [
        "Set Secured Data is not available in flows of type Voice Flow (inferred, not documented: voice flows "
        "are bot-family (Scripting SDK class hierarchy; semantics-2.md 6.3)); set it in the flow that calls the bot"]
