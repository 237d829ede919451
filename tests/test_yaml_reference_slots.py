"""Reference slots of Archy YAML actions: every spelling Archy reads alike gives the same IR.

Real files write some slots without a ``lit:`` wrapper (``overrideInQueueFlow: {name: X}``,
``targetFlow: {name: X}``); the export loader gives the same links from ``inQueueFlowName``,
``flowName``, ... (see flow_json.py), so the YAML loader must not drop either spelling.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flowlint.analysis.flowgraph import flow_link, override_in_queue
from flowlint.context import Context
from flowlint.engine import check_paths
from flowlint.ir import Action, ActionKind, Flow, Value, ValueKind
from flowlint.loaders.archy_yaml import load_yaml_text

from .helpers import write_project


def _flow(action: str, flow_type: str = "inboundCall") -> Flow:
    text = (f"{flow_type}:\n  name: Main\n  startUpRef: /{flow_type}/tasks/task[t]\n  tasks:\n    - task:\n"
            f"        name: T\n        refId: t\n        actions:\n{textwrap.indent(textwrap.dedent(action), ' ' * 10)}"
            "          - disconnect:\n              name: End\n")
    result = load_yaml_text("main.yaml", text)
    assert not result.diagnostics, result.diagnostics
    return result.flows[0]


def _first(flow: Flow) -> Action:
    return flow.actions[0]


def _slot(action: Action, path: str) -> Value:
    found = [value for p, value in action.values if p == path]
    assert len(found) == 1, action.values
    return found[0]


def _text_at(flow: Flow, value: Value) -> str:
    span = value.loc.span
    assert span is not None and span.line == span.end_line
    line = flow.file.text.splitlines()[span.line - 1]
    return line[span.column - 1:span.end_column - 1]


_ACD = """\
- transferToAcd:
    name: To queue
    targetQueue:
      lit:
        name: Support
    overrideInQueueFlow: {slot}
"""


@pytest.mark.parametrize("slot", [
    "{name: InQ}",  # as real files write it
    "{lit: {name: InQ}}",  # the value wrapper every other slot uses
    "InQ",  # a bare name
    "{lit: InQ}",
])
def test_override_in_queue_flow_every_spelling_links(slot: str) -> None:
    flow = _flow(_ACD.format(slot=slot))
    action = _first(flow)
    assert action.kind == ActionKind.TRANSFER_TO_ACD
    value = _slot(action, "overrideInQueueFlow")
    assert (value.kind, value.text) == (ValueKind.LIT, "InQ")
    linked = flow_link(action)
    assert linked is not None and linked.text == "InQ"
    assert _text_at(flow, value) == "InQ"  # the finding points at the name itself


def test_override_in_queue_flow_expression_stays_an_expression() -> None:
    action = _first(_flow(_ACD.format(slot="{exp: 'Flow.inQueue'}")))
    value = _slot(action, "overrideInQueueFlow")
    assert (value.kind, value.text) == (ValueKind.EXP, "Flow.inQueue")
    found = override_in_queue(action)
    assert found is not None and found.kind == ValueKind.EXP


def test_menu_transfer_to_acd_reads_the_unwrapped_override() -> None:
    text = textwrap.dedent("""\
        inboundCall:
          name: Main
          startUpRef: /inboundCall/menus/menu[m]
          menus:
            - menu:
                name: Main menu
                refId: m
                audio:
                  tts: Press 1
                choices:
                  - menuTransferToAcd:
                      name: Sales
                      dtmf: digit_1
                      targetQueue:
                        lit:
                          name: Sales
                      overrideInQueueFlow:
                        name: Sales hold
        """)
    result = load_yaml_text("main.yaml", text)
    assert not result.diagnostics
    choice = next(a for a in result.flows[0].actions if a.key == "menuTransferToAcd")
    linked = flow_link(choice)
    assert linked is not None and linked.text == "Sales hold"


@pytest.mark.parametrize("queue", ["{lit: {name: Support}}", "{name: Support}", "Support"])
def test_target_queue_every_spelling(queue: str) -> None:
    action = _first(_flow(f"- transferToAcd:\n    name: To queue\n    targetQueue: {queue}\n"))
    value = _slot(action, "targetQueue")
    assert (value.kind, value.text) == (ValueKind.LIT, "Support")


@pytest.mark.parametrize("target", ["{name: Support}", "{lit: {name: Support}}", "Support", "{lit: Support}"])
@pytest.mark.parametrize("key", ["transferToFlow", "transferToFlowSecure"])
def test_target_flow_every_spelling(key: str, target: str) -> None:
    flow = _flow(f"- {key}:\n    name: Go\n    targetFlow: {target}\n")
    action = _first(flow)
    assert action.target is not None
    assert (action.target.kind, action.target.text) == (ValueKind.LIT, "Support")
    assert _text_at(flow, action.target) == "Support"
    linked = flow_link(action)
    assert linked is not None and linked.text == "Support"


@pytest.mark.parametrize(("key", "slot"), [
    ("callCommonModule", "commonModule"),
    ("callBotFlow", "botFlow"),
    ("callDigitalBotFlow", "digitalBotFlow"),
    ("setScreenPop", "screenPopScript"),
])
@pytest.mark.parametrize("shape", [
    "{{Shared: {{ver_latestPublished: {{inputs: {{}}}}}}}}",  # as real files write it: the name is the key
    "{{name: Shared}}",
    "Shared",
    "{{lit: {{name: Shared}}}}",
])
def test_keyed_entities_every_spelling(key: str, slot: str, shape: str) -> None:
    flow = _flow(f"- {key}:\n    name: Call it\n    {slot}: {shape.format()}\n", flow_type="inboundCall")
    action = _first(flow)
    assert action.target is not None, action
    assert (action.target.kind, action.target.text) == (ValueKind.LIT, "Shared")
    assert _text_at(flow, action.target) == "Shared"


def test_keyed_entity_named_name_keeps_its_name() -> None:
    """A module really called 'name' (its body is a mapping) is not mistaken for ``{name: X}``."""
    action = _first(_flow("- callCommonModule:\n    name: Call\n    commonModule:\n      name:\n"
                          "        ver_latestPublished:\n          none: true\n"))
    assert action.target is not None and action.target.text == "name"


@pytest.mark.parametrize(("key", "ref_key", "kind"), [
    ("jumpToTask", "targetTaskRef", ActionKind.JUMP_TO_TASK),
    ("callTask", "targetTaskRef", ActionKind.CALL_TASK),
])
@pytest.mark.parametrize("ref", ["./tasks/task[t]", "{lit: './tasks/task[t]'}"])
def test_in_flow_references_bare_and_wrapped(key: str, ref_key: str, kind: ActionKind, ref: str) -> None:
    flow = _flow(f"- {key}:\n    name: Again\n    {ref_key}: {ref}\n")
    action = _first(flow)
    assert action.kind == kind
    assert action.target is not None and action.target.text == "./tasks/task[t]"
    assert [r.resolved for r in flow.references if r.key == ref_key] == [0]


_INBOUND = """\
inboundCall:
  name: Main line
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Route
        refId: t
        actions:
          - transferToAcd:
              name: To support
              targetQueue:
                lit:
                  name: Support
              overrideInQueueFlow:
                name: InQ
"""
_IN_QUEUE = """\
inqueueCall:
  name: InQ
  startUpTaskActions:
    - holdMusic:
        name: Music
        prompt:
          noValue: true
"""


def test_unwrapped_override_links_inbound_to_in_queue_flow(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.yaml": _INBOUND, "inq.yaml": _IN_QUEUE})
    result = check_paths([str(tmp_path)])
    assert not [d for d in result.diagnostics if d.code in ("FL100", "FL106")], result.diagnostics
    graph = Context(result.project).flow_graph
    by_name = {flow.name: flow for flow in result.project.flows}
    assert by_name["InQ"] in graph.successors[id(by_name["Main line"])]


def test_unwrapped_override_to_a_missing_flow_is_reported(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.yaml": _INBOUND})
    found = [d for d in check_paths([str(tmp_path)]).diagnostics if d.code == "FL106"]
    assert len(found) == 1 and "InQ" in found[0].message
    assert found[0].span is not None and found[0].span.line == 15


def test_corpus_has_no_unwrapped_override(corpus: Path) -> None:
    """No public file in the corpus uses overrideInQueueFlow (checked when these tests were
    written); when one does, it must load to a link: this test then fails, to add it above."""
    users = [p for p in corpus.rglob("*.y*ml") if "overrideInQueueFlow" in p.read_text(encoding="utf-8", errors="replace")]
    assert users == []
