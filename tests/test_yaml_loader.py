"""Archy YAML loader: corpus coverage, hand-counted actions, positions, placeholders, CFG."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from flowlint.ir import ActionKind, Edge, EdgeKind, Flow, Span, ValueKind
from flowlint.loaders import load_file
from flowlint.loaders.archy_yaml import load_yaml_text
from flowlint.loaders.placeholders import substitute

from .helpers import load_flow

YAML_GLOBS = ("*/*.yaml", "*/*.yml", "*/*.tftpl")


def corpus_yaml(corpus: Path) -> list[Path]:
    return sorted(p for pattern in YAML_GLOBS for p in corpus.glob(pattern))


def test_every_corpus_yaml_file_loads_without_fl100(corpus: Path) -> None:
    files = corpus_yaml(corpus)
    assert len(files) >= 60
    flows = 0
    for path in files:
        result = load_file(str(path), "yaml")
        assert [d for d in result.diagnostics if d.code == "FL100"] == [], path
        assert not result.not_a_flow, path
        flows += len(result.flows)
        for flow in result.flows:
            assert flow.entry_container is not None, path
    assert flows == len(files)


# Counted by hand from the files (each `- <actionKey>:` item of an actions list).
HAND_COUNTS = {
    "GenesysCloudBlueprints__automated-callback-blueprint/"
    "files__automated-powershell-script__flows__Proactive callback offer.yaml": {
        ActionKind.CALL_DATA_ACTION: 1, ActionKind.DECISION: 1, ActionKind.DISCONNECT: 1,
        ActionKind.SET_PARTICIPANT_DATA: 1, ActionKind.TRANSFER_TO_FLOW: 1, ActionKind.UPDATE_DATA: 3,
        ActionKind.OTHER: 3,  # collectInput, holdMusic, playAudio
    },
    "GenesysCloudBlueprints__deploy-webmessaging-chatbot-with-lambda-blueprint/"
    "blueprint__terraform__modules__flows__DudeWheresMyStuffMessage.yaml": {
        ActionKind.CALL_BOT_FLOW: 1, ActionKind.CALL_DATA_ACTION: 1, ActionKind.DISCONNECT: 1,
        ActionKind.GET_PARTICIPANT_DATA: 1, ActionKind.SET_PARTICIPANT_DATA: 4, ActionKind.SWITCH: 1,
        ActionKind.TRANSFER_TO_ACD: 5, ActionKind.OTHER: 5,  # sendResponse
    },
    "GenesysCloudBlueprints__scheduling-bot-blueprint/modules__schedulingbot-flow__SchedulingBot.yaml": {
        ActionKind.CALL_DATA_ACTION: 3, ActionKind.DECISION: 2, ActionKind.END_FLOW: 1, ActionKind.LOOP: 2,
        ActionKind.LOOP_EXIT: 3, ActionKind.LOOP_NEXT: 11, ActionKind.SWITCH: 1, ActionKind.TRANSFER_TO_ACD: 1,
        ActionKind.UPDATE_DATA: 2,
        # askForBoolean 3, askForIntent 1, askForSlot 2, clearSlot 11, communicate 15
        ActionKind.OTHER: 32,
    },
}


@pytest.mark.parametrize("name", sorted(HAND_COUNTS))
def test_action_counts_match_hand_count(corpus: Path, name: str) -> None:
    result = load_file(str(corpus / name), "yaml")
    (flow,) = result.flows
    counts = Counter(a.kind for a in flow.actions if a.kind != ActionKind.MENU)
    assert dict(counts) == HAND_COUNTS[name]


SIMPLE = """\
inboundCall:
  name: Main IVR
  startUpRef: /inboundCall/tasks/task[greet_1]
  tasks:
    - task:
        name: Greet
        refId: greet_1
        actions:
          - getParticipantData:
              name: Read account
              attributes:
                - attribute:
                    name:
                      lit: AccountId
                    variable: Task.acct
          - decision:
              name: Known?
              condition:
                exp: IsNotSetOrEmpty(Task.acct)
              outputs:
                yes:
                  actions:
                    - setParticipantData:
                        name: Remember
                        attributes:
                          - attribute:
                              name:
                                lit: CallerAni
                              value:
                                exp: Call.Ani
                no:
                  actions:
                    - playAudio:
                        name: Hello
                        audio:
                          tts: Hello
          - disconnect:
              name: Bye
"""


def text_at(text: str, span: Span) -> str:
    lines = text.splitlines(keepends=True)
    assert span.line == span.end_line
    return lines[span.line - 1][span.column - 1 : span.end_column - 1]


def test_positions_point_at_the_original_text() -> None:
    flow = load_flow(SIMPLE)
    get = flow.actions[0]
    assert get.kind == ActionKind.GET_PARTICIPANT_DATA
    assert get.loc.span is not None and text_at(SIMPLE, get.loc.span) == "getParticipantData"
    (attribute,) = get.attributes
    assert attribute.literal_name == "AccountId"
    assert attribute.name.loc.span is not None and text_at(SIMPLE, attribute.name.loc.span) == "AccountId"
    assert attribute.name.loc.span.line == 14
    assert attribute.variable is not None and attribute.variable.text == "Task.acct"
    assert get.loc.logical == 'task "Greet" > getParticipantData "Read account"'


def test_unquoted_yes_no_output_keys_stay_strings_and_cover_all_outputs() -> None:
    flow = load_flow(SIMPLE)
    decision = next(a for a in flow.actions if a.kind == ActionKind.DECISION)
    labels = sorted(e.label for e in decision.succ)
    assert labels == ["no", "yes"]
    # Both outputs are written, so the decision cannot fall through directly to "Bye".
    assert all(e.kind == EdgeKind.OUTPUT for e in decision.succ)
    by_label = {e.label: e.target for e in decision.succ}
    assert by_label["yes"] is not None and flow.actions[by_label["yes"]].name == "Remember"
    remember = flow.actions[by_label["yes"]]
    bye = next(a for a in flow.actions if a.name == "Bye")
    assert remember.succ == [Edge(EdgeKind.NEXT, "", bye.index)]
    assert bye.succ == []


def test_missing_output_falls_through() -> None:
    flow = load_flow(SIMPLE.replace("                no:\n                  actions:\n"
                                    "                    - playAudio:\n                        name: Hello\n"
                                    "                        audio:\n                          tts: Hello\n", ""))
    decision = next(a for a in flow.actions if a.kind == ActionKind.DECISION)
    bye = next(a for a in flow.actions if a.name == "Bye")
    assert Edge(EdgeKind.NEXT, "no", bye.index) in decision.succ


def test_placeholders_keep_positions_and_original_text() -> None:
    text = """\
inboundShortMessage:
  name: {{flow_name}}
  division: ${division}
  startUpRef: "/inboundShortMessage/states/state[s1]"
  states:
    - state:
        name: Start
        refId: s1
        actions:
          - callCommonModule:
              name: Call module
              commonModule:
                {{module_name}}:
                  ver_latestPublished:
                    inputs:
                      Common.x:
                        exp: Append("<q>", {{suffix}})
          - transferToAcd:
              name: To queue
              targetQueue:
                lit:
                  name: <targetQueueName>
"""
    substituted, mapping = substitute(text)
    assert len(substituted) == len(text) and len(mapping) == 6  # "<q>" inside the string too
    flow = load_flow(text)
    assert flow.name == "{{flow_name}}"
    assert flow.name_loc.span == Span(2, 9, 2, 22)
    module = flow.actions[0]
    assert module.target is not None and module.target.text == "{{module_name}}"
    assert module.target.loc.span is not None and text_at(text, module.target.loc.span) == "{{module_name}}"
    (path, value), = module.values
    assert path == "commonModule.{{module_name}}.ver_latestPublished.inputs.Common.x"
    assert value.kind == ValueKind.EXP and value.text == 'Append("<q>", {{suffix}})'
    queue = dict(flow.actions[1].values)["targetQueue"]
    assert queue.kind == ValueKind.LIT and queue.data == {"name": "<targetQueueName>"}


def test_switch_loop_and_jumps_are_wired() -> None:
    flow = load_flow("""\
    workflow:
      name: W
      startUpRef: /workflow/states/state[main]
      states:
        - state:
            name: Main
            refId: main
            actions:
              - loop:
                  name: Retry
                  currentIndex:
                    var: Flow.i
                  loopCount:
                    lit: 3
                  outputs:
                    loop:
                      actions:
                        - switch:
                            name: Which
                            evaluate:
                              firstTrue:
                                cases:
                                  - case:
                                      value:
                                        exp: Flow.i == 1
                                      actions:
                                        - loopExit:
                                            name: Out
                                default:
                                  actions:
                                    - loopNext:
                                        name: Again
              - callTask:
                  name: Do it
                  targetTaskRef: /workflow/tasks/task[t1]
              - endWorkflow:
                  name: End
      tasks:
        - task:
            name: T1
            refId: t1
            actions:
              - endTask:
                  name: Done
                  outputPath:
                    name: default
    """)
    by_name = {a.name: a for a in flow.actions}
    loop, switch, out, again = by_name["Retry"], by_name["Which"], by_name["Out"], by_name["Again"]
    call, end, done = by_name["Do it"], by_name["End"], by_name["Done"]
    assert Edge(EdgeKind.LOOP_BODY, "loop", switch.index) in loop.succ
    assert Edge(EdgeKind.LOOP_DONE, "", call.index) in loop.succ
    assert switch.succ == [Edge(EdgeKind.CASE, "1", out.index), Edge(EdgeKind.DEFAULT, "default", again.index)]
    assert out.succ == [Edge(EdgeKind.LOOP_DONE, "", call.index)]
    assert again.succ == [Edge(EdgeKind.LOOP_BACK, "", loop.index)]
    assert Edge(EdgeKind.CALL, "callTask", done.index) in call.succ
    assert Edge(EdgeKind.NEXT, "", end.index) in call.succ
    assert ("currentIndex", flow.actions[loop.index].bindings[0][1]) == loop.bindings[0]
    assert loop.bindings[0][1].text == "Flow.i"
    assert all(r.resolved is not None for r in flow.references)


def test_menus_choices_and_dangling_reference() -> None:
    flow = load_flow("""\
    inboundCall:
      name: M
      startUpRef: ./menus/menu[main]
      menus:
        - menu:
            name: Main menu
            refId: main
            choices:
              - menuDisconnect:
                  name: Hang up
                  dtmf: digit_9
              - menuJumpToTask:
                  name: Help
                  dtmf: digit_1
                  targetTaskRef: /inboundCall/tasks/task[nope]
    """)
    menu = flow.actions[flow.containers[0].entry or 0]
    assert menu.kind == ActionKind.MENU
    assert [e.kind for e in menu.succ] == [EdgeKind.CHOICE, EdgeKind.CHOICE]
    dangling = [r for r in flow.references if r.resolved is None]
    assert [(r.key, r.value.text) for r in dangling] == [("targetTaskRef", "/inboundCall/tasks/task[nope]")]


def test_unknown_action_key_is_kept_as_other() -> None:
    flow = load_flow("""\
    inboundCall:
      name: X
      startUpRef: /inboundCall/tasks/task[t]
      tasks:
        - task:
            name: T
            refId: t
            actions:
              - someFutureAction:
                  name: New thing
                  setting:
                    exp: Flow.y
    """)
    (action,) = flow.actions
    assert action.kind == ActionKind.OTHER and action.key == "someFutureAction"
    assert action.loc.span == Span(9, 13, 9, 29)
    assert action.values[0][1].text == "Flow.y"


def test_near_miss_flow_type_key_gets_fl100_with_suggestion() -> None:
    result = load_yaml_text("x.yaml", "inBoundCall:\n  name: X\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "FL100" and "did you mean 'inboundCall'" in diagnostic.message
    assert diagnostic.span == Span(1, 1, 1, 12)


def test_non_flow_yaml_is_skipped_silently() -> None:
    for text in ("jobs:\n  build: {}\n", "variable: 1\n", "[1, 2]\n", "", "key: [unterminated\n"):
        result = load_yaml_text("ci.yaml", text)
        assert result.not_a_flow and not result.diagnostics, text


def test_broken_flow_yaml_gets_located_fl100() -> None:
    result = load_yaml_text("x.yaml", "inboundCall:\n  name: X\n  tasks: [\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "FL100" and diagnostic.message.startswith("invalid YAML")
    assert diagnostic.span is not None and diagnostic.span.line == 4


def test_alias_reuse_is_not_walked_twice() -> None:
    flow = load_flow("""\
    inboundCall:
      name: A
      startUpRef: /inboundCall/tasks/task[t]
      tasks:
        - task:
            name: T
            refId: t
            actions: &acts
              - disconnect:
                  name: Bye
        - task:
            name: U
            refId: u
            actions: *acts
    """)
    assert len(flow.actions) == 1


def _kinds(flow: Flow) -> list[ActionKind]:
    return [a.kind for a in flow.actions]


def test_secured_data_actions_and_crlf() -> None:
    text = (
        "secureCall:\r\n  name: S\r\n  startUpRef: /secureCall/tasks/task[t]\r\n  tasks:\r\n    - task:\r\n"
        "        name: T\r\n        refId: t\r\n        actions:\r\n          - setSecuredData:\r\n"
        "              name: Keep\r\n              attributes:\r\n                - attribute:\r\n"
        "                    name:\r\n                      lit: card\r\n                    value:\r\n"
        "                      exp: Flow.card\r\n          - getSecuredData:\r\n              name: Read\r\n"
        "              attributes:\r\n                - attribute:\r\n                    name:\r\n"
        "                      lit: card\r\n                    variable: Flow.copy\r\n"
    )
    flow = load_flow(text)
    assert _kinds(flow) == [ActionKind.SET_SECURED_DATA, ActionKind.GET_SECURED_DATA]
    name = flow.actions[1].attributes[0].name
    assert name.text == "card" and name.loc.span == Span(22, 28, 22, 32)


DUPLICATES = """\
inboundCall:
  name: Main
  division: Home
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - setParticipantData:
              name: Remember
              attributes:
                - attribute:
                    name:
                      lit: First
                    name:
                      lit: Second
                    value:
                      lit: "1"
          - callData:
              name: Lookup
              name: Lookup again
              inputs:
                a:
                  lit: {x: 1, x: 2}
          - disconnect:
              name: Done
  division: Sales
"""


def test_duplicate_keys_are_reported_where_they_repeat_and_the_last_one_wins() -> None:
    result = load_yaml_text("dup.yaml", DUPLICATES)
    found = sorted((d.span.line if d.span else 0, d.logical) for d in result.diagnostics if d.code == "FL108")
    assert found == [(16, "key 'name'"), (22, "key 'name'"), (25, "key 'x'"), (28, "key 'division'")]
    assert len(result.diagnostics) == 4
    first = next(d for d in result.diagnostics if d.span and d.span.line == 16)
    assert "first at line 14" in first.message and first.severity.value == "warning"
    assert first.span == Span(16, 21, 16, 25)
    (flow,) = result.flows
    assert [a.literal_name for action in flow.actions for a in action.attributes] == ["Second"]  # as YAML reads it
    assert [a.name for a in flow.actions][1] == "Lookup again"


def test_duplicate_key_findings_can_be_suppressed(tmp_path: Path) -> None:
    from flowlint.engine import check_paths

    suppressed = DUPLICATES.replace("  division: Sales\n", "  division: Sales  # flowlint: disable=FL108\n")
    (tmp_path / "dup.yaml").write_text(suppressed, encoding="utf-8")
    lines = sorted(d.span.line for d in check_paths([str(tmp_path)]).diagnostics if d.code == "FL108" and d.span)
    assert lines == [16, 22, 25]
