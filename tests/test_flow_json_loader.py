"""Flow-document mapping (exports and API JSON): IR shape, control-flow wiring, robustness."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any, cast

import pytest

from flowlint.diagnostics import Severity, at
from flowlint.ir import (
    ActionKind,
    ContainerKind,
    Edge,
    EdgeKind,
    Flow,
    SourceFile,
    SourceFormat,
    Span,
    ValueKind,
)
from flowlint.loaders.export import decode_export
from flowlint.loaders.flow_json import load_flow_document, load_json_text
from flowlint.loaders.json_positions import JsonLocator
from flowlint.tables import action_table

Doc = dict[str, Any]


# -- value objects as Architect writes them ------------------------------------------------

def lit(text: str, type_: str = "str") -> Doc:
    return {"config": {"lit": {"pos": 1, "text": text, "type": type_}}, "text": text, "type": type_,
            "uiMetaData": {"mode": 1}, "metaData": {}, "version": 2}


def exp(text: str) -> Doc:
    return {"config": {"sysref": {"pos": 1, "text": text, "type": "str", "val": "__X__"}}, "text": text,
            "type": "str", "uiMetaData": {"mode": 0}, "metaData": {}, "version": 2}


def var(text: str) -> Doc:
    return {"config": {"ref": {"pos": 1, "text": text, "type": "str", "val": "v1"}}, "text": text,
            "type": "str", "uiMetaData": {"mode": 2}, "metaData": {}, "version": 2}


def unset() -> Doc:
    return {"config": {"emp": {"pos": 1, "text": "", "type": "str"}}, "text": "", "type": "str",
            "uiMetaData": {"mode": 3}, "metaData": {}, "version": 2}


def act(type_: str, id_: str, name: str = "", next_: str | None = None, **fields: Any) -> Doc:
    action: Doc = {"__type": type_, "id": id_, "name": name or id_, **fields}
    if next_ is not None:
        action["nextAction"] = next_
    return action


def path(output_id: str, label: str, target: str | None = None) -> Doc:
    item: Doc = {"outputId": output_id, "label": label}
    if target is not None:
        item["nextActionId"] = target
    return item


def task(id_: str, name: str, start: str, actions: list[Doc], type_: str = "Task") -> Doc:
    return {"__type": type_, "id": id_, "name": name, "startAction": start, "actionList": actions,
            "variables": []}


def doc(*items: Doc, initial: str | None = None, type_: str = "inboundcall", **extra: Any) -> Doc:
    return {"name": "Demo", "type": type_, "initialSequence": initial or items[0]["id"],
            "flowSequenceItemList": list(items), "variables": [], **extra}


def load(document: object, path_: str = "demo.i3InboundFlow") -> Flow:
    result = load_flow_document(SourceFile(path_, SourceFormat.EXPORT), document, action_table())
    assert result.diagnostics == []
    assert len(result.flows) == 1
    return result.flows[0]


def by_name(flow: Flow, name: str) -> int:
    matches = [a.index for a in flow.actions if a.name == name]
    assert len(matches) == 1, (name, matches)
    return matches[0]


# -- data actions ----------------------------------------------------------------------------

def test_set_and_get_participant_data_attributes() -> None:
    flow = load(doc(task("T1", "Start", "A1", [
        act("SetAttributesAction", "A1", "Set", "A2",
            variables=[{"variable": lit("CallerAni"), "expression": exp("Call.Ani")}]),
        act("GetAttributesAction", "A2", "Get", None,
            variables=[{"expression": var("Task.delay"), "variable": lit("delay")}]),
    ])))
    set_action, get_action = flow.actions
    assert set_action.kind is ActionKind.SET_PARTICIPANT_DATA
    [attribute] = set_action.attributes
    assert attribute.literal_name == "CallerAni"
    assert attribute.value is not None and attribute.value.kind is ValueKind.EXP
    assert attribute.value.text == "Call.Ani"
    assert attribute.variable is None
    assert attribute.loc.logical == 'task "Start" > action "Set" > variables[0]'
    assert attribute.name.loc.logical == 'task "Start" > action "Set" > variables[0].variable'
    assert attribute.name.loc.pointer == ("flowSequenceItemList", 0, "actionList", 0, "variables", 0, "variable",
                                          "text")
    assert set_action.bindings == []

    assert get_action.kind is ActionKind.GET_PARTICIPANT_DATA
    [attribute] = get_action.attributes
    assert attribute.literal_name == "delay"  # ``variable`` holds the NAME in exports
    assert attribute.variable is not None and attribute.variable.kind is ValueKind.VAR
    assert attribute.variable.text == "Task.delay"
    assert attribute.value is None
    assert [p for p, _ in get_action.bindings] == ["variables[0].expression"]
    # the attribute shares the Value objects listed in ``values``
    assert attribute.name is dict(get_action.values)["variables[0].variable"]


def test_value_kinds_from_mode_and_config() -> None:
    no_config_expression = {"text": "", "uiMetaData": {"mode": 0}}
    builder: Doc = {"config": {"+": {"operands": []}}, "text": "A + B", "uiMetaData": {"mode": 4}}
    audio: Doc = {"config": {"AudioPlaybackOptions": {}}, "text": "AudioPlaybackOptions(x)", "uiMetaData": {}}
    bare_literal = {"config": {"lit": {"text": "5"}}, "text": "5"}
    empty_binding = copy.deepcopy(var("x"))
    empty_binding["config"] = {"emp": {}}
    flow = load(doc(task("T1", "Start", "A1", [act(
        "WaitAction", "A1", inputs=[{"value": lit("x")}, {"value": exp("Call.Ani")}, {"value": var("Flow.v")},
                                    {"value": unset()}, {"value": builder}],
        nested={"deeper": [no_config_expression, audio, bare_literal, empty_binding]},
        uiMetaData={"ignored": lit("not a field")},
    )])))
    kinds = {p: v.kind for p, v in flow.actions[0].values}
    assert kinds == {
        "inputs[0].value": ValueKind.LIT, "inputs[1].value": ValueKind.EXP, "inputs[2].value": ValueKind.VAR,
        "inputs[3].value": ValueKind.NO_VALUE, "inputs[4].value": ValueKind.EXP,
        "nested.deeper[0]": ValueKind.NO_VALUE, "nested.deeper[1]": ValueKind.EXP,
        "nested.deeper[2]": ValueKind.LIT, "nested.deeper[3]": ValueKind.NO_VALUE,
    }
    assert [p for p, _ in flow.actions[0].bindings] == ["inputs[2].value"]
    assert list(dict(flow.actions[0].values)) == list(kinds)  # document order


def test_targets_of_transfers_modules_bots_and_screen_pops() -> None:
    flow = load(doc(task("T1", "Start", "A1", [
        act("TransferFlowAction", "A1", flowName="Support Routing", flowId="f1",
            paths=[path("__FAILURE__", "Failure")]),
        act("CallCommonModuleAction", "A2", flowName="Resolve Contact", next_="A1"),
        act("CallBotFlowAction", "A3", flowName="Bot", next_="A2"),
        act("ScreenPopAction", "A4", screenPopName="Case Script", next_="A3"),
    ])))
    targets = {a.kind: (a.target.kind, a.target.text) for a in flow.actions if a.target is not None}
    assert targets == {
        ActionKind.TRANSFER_TO_FLOW: (ValueKind.LIT, "Support Routing"),
        ActionKind.CALL_COMMON_MODULE: (ValueKind.LIT, "Resolve Contact"),
        ActionKind.CALL_BOT_FLOW: (ValueKind.LIT, "Bot"),
        ActionKind.SET_SCREEN_POP: (ValueKind.LIT, "Case Script"),
    }
    target = flow.actions[0].target
    assert target is not None and target.loc.pointer == ("flowSequenceItemList", 0, "actionList", 0, "flowName")


# -- control flow -----------------------------------------------------------------------------

def test_empty_paths_and_chain_ends_continue_after_the_owner() -> None:
    flow = load(doc(task("T1", "Start", "D", [
        act("DecisionAction", "D", "Decide", "END", expression=exp("true"),
            paths=[path("__YES__", "Yes", "Y1"), path("__NO__", "No")]),
        act("UpdateVariableAction", "Y1", "Y1", "Y2"),
        act("DataAction", "Y2", "Y2", paths=[path("__SUCCESS__", "Success"), path("__FAILURE__", "Failure", "F1"),
                                             path("__TIMEOUT__", "Timeout")]),
        act("WaitAction", "F1", "F1"),
        act("WaitAction", "END", "End"),
    ])))
    d, y1, y2, f1, end = (by_name(flow, n) for n in ("Decide", "Y1", "Y2", "F1", "End"))
    assert flow.actions[d].succ == [Edge(EdgeKind.OUTPUT, "yes", y1), Edge(EdgeKind.OUTPUT, "no", end)]
    assert flow.actions[y1].succ == [Edge(EdgeKind.NEXT, "", y2)]
    assert flow.actions[y2].succ == [Edge(EdgeKind.OUTPUT, "success", end), Edge(EdgeKind.OUTPUT, "failure", f1),
                                     Edge(EdgeKind.OUTPUT, "timeout", end)]
    assert flow.actions[f1].succ == [Edge(EdgeKind.NEXT, "", end)]  # end of branch -> after the decision
    assert flow.actions[end].succ == [Edge(EdgeKind.NEXT, "", None)]  # end of the task
    assert flow.entry_action == d


def test_terminal_actions_do_not_fall_through() -> None:
    flow = load(doc(task("T1", "Start", "A", [act("DisconnectAction", "A"), act("EndTaskAction", "B")])))
    assert [a.succ for a in flow.actions] == [[], []]


def test_loop_body_next_and_exit() -> None:
    flow = load(doc(task("T1", "Start", "L", [
        act("LoopAction", "L", "Loop", "AFTER", currentIndex=var("Task.i"), loopCount=lit("3", "int"),
            path=path("__LOOP__", "Loop", "B1")),
        act("DecisionAction", "B1", "Body", "B2", paths=[path("__YES__", "Yes", "NX"), path("__NO__", "No", "EX")]),
        act("NextLoopAction", "NX", "Next"),
        act("ExitLoopAction", "EX", "Exit"),
        act("UpdateVariableAction", "B2", "Last"),
        act("DisconnectAction", "AFTER", "After"),
    ])))
    loop, body, nxt, ext, last, after = (by_name(flow, n) for n in ("Loop", "Body", "Next", "Exit", "Last", "After"))
    assert flow.actions[loop].succ == [Edge(EdgeKind.LOOP_BODY, "loop", body), Edge(EdgeKind.LOOP_DONE, "", after)]
    assert flow.actions[nxt].succ == [Edge(EdgeKind.LOOP_BACK, "", loop)]
    assert flow.actions[ext].succ == [Edge(EdgeKind.LOOP_DONE, "", after)]
    assert flow.actions[last].succ == [Edge(EdgeKind.LOOP_BACK, "", loop)]
    assert [p for p, _ in flow.actions[loop].bindings] == ["currentIndex"]
    assert dict(flow.actions[loop].values)["loopCount"].text == "3"


def test_switch_cases_are_numbered_and_default_is_default() -> None:
    flow = load(doc(task("T1", "Start", "S", [
        act("SwitchAction", "S", "Switch", "Z",
            cases=[{"name": "Case 1", "referenceId": "c1", "value": exp("a")},
                   {"name": "Case 2", "referenceId": "c2", "value": exp("b")}],
            paths=[path("c1", "Case 1", "X"), path("c2", "Case 2"), path("__DEFAULT__", "Default")]),
        act("WaitAction", "X", "X"),
        act("WaitAction", "Z", "Z"),
    ])))
    x, z = by_name(flow, "X"), by_name(flow, "Z")
    assert flow.actions[0].succ == [Edge(EdgeKind.CASE, "1", x), Edge(EdgeKind.CASE, "2", z),
                                    Edge(EdgeKind.DEFAULT, "default", z)]


def test_menus_tasks_jumps_and_calls() -> None:
    menu = {"__type": "Menu", "id": "M1", "name": "Main Menu", "defaultMenuChoice": "ch2", "menuChoiceList": [
        {"id": "ch1", "name": "Agent", "digit": 1,
         "action": {"__type": "TaskAction", "id": "MA1", "name": "Agent", "taskReference": "T2"}},
        {"id": "ch2", "name": "Again", "digit": 2,
         "action": {"__type": "TransferMenuAction", "id": "MA2", "name": "Again", "menuReference": "M1"}},
        {"id": "ch3", "name": "Bye", "digit": 3, "action": {"__type": "DisconnectAction", "id": "MA3"}},
    ]}
    flow = load(doc(
        task("T1", "Start", "J", [act("TransferMenuAction", "J", "To menu", menuReference="M1")]),
        menu,
        task("T2", "Agent task", "C", [
            act("CallTaskAction", "C", "Call", taskReference="T3",
                paths=[path("__DEFAULT__", "Default", "Q"), path("out-guid", "Escalate")]),
            act("TransferPureMatchAction", "Q", "Queue", paths=[path("__FAILURE__", "Failure")]),
        ]),
        task("T3", "Helper", "E", [act("EndTaskAction", "E", "Done", pathReference="__DEFAULT__")]),
    ))
    kinds = [c.kind for c in flow.containers]
    assert kinds == [ContainerKind.TASK, ContainerKind.MENU, ContainerKind.TASK, ContainerKind.TASK]
    menu_container = flow.containers[1]
    menu_action = flow.actions[menu_container.entry or 0]
    assert (menu_action.kind, menu_action.key, menu_action.name) == (ActionKind.MENU, "Menu", "Main Menu")
    agent, again, bye = (by_name(flow, n) for n in ("Agent", "Again", "Bye"))  # named after the choice
    assert menu_action.succ == [Edge(EdgeKind.CHOICE, "Agent", agent), Edge(EdgeKind.CHOICE, "Again", again),
                                Edge(EdgeKind.CHOICE, "Bye", bye)]
    assert flow.actions[agent].kind is ActionKind.JUMP_TO_TASK
    call, queue, done = by_name(flow, "Call"), by_name(flow, "Queue"), by_name(flow, "Done")
    assert flow.actions[agent].succ == [Edge(EdgeKind.JUMP, "TaskAction", call)]
    assert flow.actions[again].succ == [Edge(EdgeKind.JUMP, "TransferMenuAction", menu_action.index)]
    assert flow.actions[bye].succ == []
    jump = by_name(flow, "To menu")
    assert flow.actions[jump].succ == [Edge(EdgeKind.JUMP, "TransferMenuAction", menu_action.index)]
    assert flow.actions[call].succ == [Edge(EdgeKind.CALL, "CallTaskAction", done),
                                       Edge(EdgeKind.OUTPUT, "Default", queue),
                                       Edge(EdgeKind.OUTPUT, "Escalate", None)]
    assert flow.actions[queue].succ == [Edge(EdgeKind.OUTPUT, "failure", None)]
    assert all(r.resolved is not None for r in flow.references)
    assert {(r.key, r.value.text) for r in flow.references} == {
        ("initialSequence", "T1"), ("menuReference", "M1"), ("taskReference", "T2"), ("taskReference", "T3")}
    target = flow.actions[agent].target
    assert target is not None and target.text == "T2"
    assert flow.actions[agent].loc.logical == 'menu "Main Menu" > choice "Agent"'


def test_dangling_ids_become_unresolved_references() -> None:
    flow = load(doc(
        task("T1", "Start", "A", [
            act("UpdateVariableAction", "A", "A", "NOPE"),
            act("DecisionAction", "B", "B", paths=[path("__YES__", "Yes", "GONE"), path("__NO__", "No")]),
            act("TransferTaskAction", "C", "C", taskReference="MISSING"),
        ]),
        task("T2", "Broken", "NOWHERE", []),
        initial="T9",
    ))
    dangling = {(r.key, r.value.text): r for r in flow.references if r.resolved is None}
    assert set(dangling) == {("nextAction", "NOPE"), ("nextActionId", "GONE"), ("taskReference", "MISSING"),
                             ("startAction", "NOWHERE"), ("initialSequence", "T9")}
    assert dangling[("nextAction", "NOPE")].value.loc.pointer == (
        "flowSequenceItemList", 0, "actionList", 0, "nextAction")
    assert dangling[("nextActionId", "GONE")].value.loc.logical == 'task "Start" > action "B" > nextActionId'
    assert flow.entry_container is None and flow.containers[1].entry is None
    a, b, c = flow.actions
    assert a.succ == [Edge(EdgeKind.NEXT, "", None)]
    assert b.succ == [Edge(EdgeKind.OUTPUT, "yes", None), Edge(EdgeKind.OUTPUT, "no", None)]
    assert c.succ == [Edge(EdgeKind.JUMP, "TransferTaskAction", None)]


def test_unreachable_chains_are_wired_from_their_head() -> None:
    flow = load(doc(task("T1", "Start", "A", [
        act("DisconnectAction", "A", "A"),
        act("WaitAction", "O2", "O2"),
        act("WaitAction", "O1", "O1", "O2"),  # orphan chain O1 -> O2, listed tail first
    ])))
    o1, o2 = by_name(flow, "O1"), by_name(flow, "O2")
    assert flow.actions[o1].succ == [Edge(EdgeKind.NEXT, "", o2)]
    assert flow.actions[o2].succ == [Edge(EdgeKind.NEXT, "", None)]


def test_containers_variables_and_flow_metadata() -> None:
    flow = load(doc(
        task("C1", "Common Module Task", "A", [act("EndTaskAction", "A")], type_="CommonModuleTask"),
        {"__type": "LoopTask", "id": "L1", "name": "In-Queue Task", "startAction": "B",
         "actionList": [act("HoldMusicAction", "B")],
         "variables": [{"name": "Task.x", "__type": "StringVariable", "isSecure": True}]},
        {"__type": "BotState", "id": "S1", "name": "Default Bot", "startAction": "C",
         "actionList": [act("ExitBotFlowAction", "C")]},
        {"__type": "FutureThing", "id": "F1", "name": "Future", "actionList": [act("NewAction", "D")]},
        type_="commonmodule",
        commonModuleFlowSettings={"destinationFlowTypes": ["inboundcall", 7, "workflow"]},
        variables=[{"name": "Common.in", "__type": "StringVariable", "isInput": True, "isOutput": False,
                    "isSecure": False},
                   {"name": "Common.out", "__type": "IntegerVariable", "isOutput": True}, "junk", {"no": "name"}],
    ))
    assert flow.type == "commonmodule" and flow.type_key == "commonmodule"
    assert flow.compatible_flow_types == ["inboundcall", "workflow"]
    assert [(v.name, v.type, v.is_input, v.is_output, v.is_secure) for v in flow.variables] == [
        ("Common.in", "StringVariable", True, False, False), ("Common.out", "IntegerVariable", False, True, False)]
    assert [c.kind for c in flow.containers] == [ContainerKind.STARTUP, ContainerKind.STARTUP, ContainerKind.BOT,
                                                 ContainerKind.TASK]
    [secure] = flow.containers[1].variables
    assert secure.is_secure and secure.container == 1
    assert secure.loc.logical == 'task "In-Queue Task" > variable "Task.x"'
    unknown = flow.actions[-1]
    assert (unknown.kind, unknown.key) == (ActionKind.OTHER, "NewAction")
    assert unknown.loc.pointer == ("flowSequenceItemList", 3, "actionList", 0)
    assert flow.entry_container == 0 and flow.entry_action == 0


def test_type_hint_and_name_fallbacks() -> None:
    document = doc(task("T1", "Start", "A", [act("DisconnectAction", "A")]))
    del document["type"], document["name"]
    result = load_flow_document(SourceFile("dir/My Flow_v1-0.i3InQueueFlow", SourceFormat.EXPORT), document,
                                action_table(), type_hint="inqueuecall")
    [flow] = result.flows
    assert (flow.name, flow.type) == ("My Flow_v1-0", "inqueuecall")


# -- robustness ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("document", "fragment"), [
    ([1, 2], "not a JSON object"),
    ({"name": "x"}, "no flowSequenceItemList"),
    ({"name": "x", "flowSequenceItemList": {"a": 1}}, "/flowSequenceItemList is not a list"),
])
def test_wrong_overall_shape_is_one_fl100(document: object, fragment: str) -> None:
    result = load_flow_document(SourceFile("x.json", SourceFormat.EXPORT), document, action_table())
    assert result.flows == []
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.severity) == ("FL100", Severity.ERROR)
    assert fragment in diagnostic.message


def test_ill_typed_fields_are_tolerated() -> None:
    document: Doc = {
        "name": 5, "type": ["x"], "initialSequence": 3, "variables": "nope",
        "commonModuleFlowSettings": [], "flowSequenceItemList": [
            "not a container", None,
            {"__type": "Task", "id": 4, "name": None, "startAction": {}, "actionList": {"a": 1}},
            {"__type": "Task", "id": "T", "name": "ok", "startAction": "A", "variables": [None, 3], "actionList": [
                None, 7,
                {"__type": 12, "id": "A", "nextAction": 5, "paths": {"x": 1}, "path": [1], "variables": "x"},
                {"__type": "SetAttributesAction", "id": "B", "variables": [None, {"variable": 3}, {"variable": lit("k")}]},
                {"__type": "DecisionAction", "id": "C", "paths": [None, 3, {"outputId": 5, "nextActionId": []}]},
                {"__type": "LoopAction", "id": "L", "path": {"nextActionId": 9}},
                {"__type": "SwitchAction", "id": "S", "cases": [None, {"referenceId": 1}], "paths": [{}]},
                {"__type": "TransferTaskAction", "id": "J", "taskReference": None},
                {"__type": "ExitLoopAction", "id": "X"},
            ]},
            {"__type": "Menu", "id": "M", "menuChoiceList": [None, {"action": 3}, {"action": {}}, {"name": 2}],
             "defaultMenuChoice": "zzz"},
        ]}
    flow = load(document)
    assert len(flow.containers) == 3
    assert flow.actions[0].kind is ActionKind.OTHER
    [attribute] = flow.actions[1].attributes
    assert attribute.literal_name == "k"


def _mutate(node: Any, rng: random.Random) -> Any:
    """Replace a random sub-tree with a value of the wrong type."""
    junk: list[Any] = [None, 0, -1, "", "x", [], {}, [None], {"__type": 1}, True, 1.5]
    if isinstance(node, dict) and node and rng.random() < 0.85:
        mapping = cast(dict[str, Any], node)
        key = rng.choice(list(mapping))
        mapping[key] = _mutate(mapping[key], rng)
        return mapping
    if isinstance(node, list) and node and rng.random() < 0.85:
        items = cast(list[Any], node)
        position = rng.randrange(len(items))
        items[position] = _mutate(items[position], rng)
        return items
    return rng.choice(junk)


def test_random_corruption_of_real_documents_never_raises(corpus: Path) -> None:
    rng = random.Random(20240611)
    documents = [json.loads(decode_export(p.read_bytes())[0] or "null")
                 for p in sorted(corpus.glob("*/*.i3*"), key=lambda p: p.stat().st_size)[:10]]
    table = action_table()
    for document in documents:
        for _ in range(40):
            broken = _mutate(copy.deepcopy(document), rng)
            result = load_flow_document(SourceFile("x", SourceFormat.EXPORT), broken, table)
            assert result.flows or result.diagnostics


# -- API configuration JSON ---------------------------------------------------------------------

def test_json_files_that_are_not_flows_are_skipped() -> None:
    assert load_json_text("package.json", '{"name": "x"}').not_a_flow
    assert load_json_text("a.json", '["flowSequenceItemList"]').not_a_flow
    assert load_json_text("b.json", '{"x": {"flowSequenceItemList": []}}').not_a_flow
    assert load_json_text("c.json", "{not json").not_a_flow


def test_broken_json_that_looks_like_a_flow_is_fl100_with_position() -> None:
    text = '{\n  "name": "x",\n  "flowSequenceItemList": [\n    {"id": 1,}\n  ]\n}\n'
    result = load_json_text("flow.json", text)
    assert not result.not_a_flow and result.flows == []
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "FL100" and diagnostic.span == Span(4, 14, 4, 15)
    assert "not valid JSON" in diagnostic.message

    bom = load_json_text("bom.json", '\ufeff{"flowSequenceItemList": [}')
    assert bom.diagnostics[0].span == Span(1, 28, 1, 29)  # the BOM counts as a column


def _api_json_text(corpus: Path) -> str:
    export = next(corpus.glob("*/files__Trigger_proactive callback workflow_v1-0.i3InboundFlow"))
    document = json.loads(decode_export(export.read_bytes())[0] or "null")
    document["versionMetaData"] = {"inputSchema": {"type": "object", "properties": {}}}
    return json.dumps(document, indent=2)


def test_api_json_positions_are_lazy_and_exact(corpus: Path, tmp_path: Path) -> None:
    file = tmp_path / "flow.json"
    file.write_text(_api_json_text(corpus), encoding="utf-8")
    text = file.read_text(encoding="utf-8")
    result = load_json_text(str(file), text)
    assert result.diagnostics == []
    [flow] = result.flows
    assert flow.file.format is SourceFormat.JSON
    locator = flow.file.locator
    assert isinstance(locator, JsonLocator) and not locator.parsed  # nothing computed while loading

    get_action = next(a for a in flow.actions if a.kind is ActionKind.GET_PARTICIPANT_DATA)
    name = get_action.attributes[0].name
    diagnostic = at("FL001", Severity.WARNING, "demo", name.loc)
    assert locator.parsed

    # Independent expectation: the "text" string of the value object after the action's name.
    lines = text.split("\n")
    after_name = next(i for i, line in enumerate(lines) if line.strip() == '"name": "Get delay",')
    start = next(i for i in range(after_name, len(lines)) if lines[i].strip() == '"variable": {')
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(" " * indent + "}"))
    text_line = next(i for i in range(start + 1, end) if lines[i].startswith(" " * (indent + 2) + '"text": "delay"'))
    column = lines[text_line].index('"delay"') + 1
    assert diagnostic.span == Span(text_line + 1, column, text_line + 1, column + len('"delay"'))
    assert name.loc.span == diagnostic.span  # cached on the Loc

    assert locator.key_span((name.loc.pointer or ())[:-1]) == Span(
        start + 1, indent + 1, start + 1, indent + len('"variable"') + 1)


def test_api_json_wrong_shape_fl100_has_a_span() -> None:
    text = '{\n  "name": "x",\n  "flowSequenceItemList": {"a": 1}\n}'
    [diagnostic] = load_json_text("f.json", text).diagnostics
    assert diagnostic.span == Span(3, 27, 3, 35)
    assert "/flowSequenceItemList is not a list" in diagnostic.message
