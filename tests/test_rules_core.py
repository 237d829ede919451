"""FL001-FL005: bad and good cases beyond the documented examples, incl. cross-flow ones."""

from __future__ import annotations

from pathlib import Path

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic

from .helpers import check_project


def task_flow(name: str, actions: str, flow_type: str = "inboundCall", extra: str = "") -> str:
    """A one-task flow; ``actions`` is YAML for the action list, indented by 10 spaces."""
    return (f"{flow_type}:\n  name: {name}\n  startUpRef: /{flow_type}/tasks/task[t]\n{extra}  tasks:\n"
            f"    - task:\n        name: Main\n        refId: t\n        actions:\n{actions}")


def set_pd(name: str, value: str = "exp: Call.Ani", key: str = "setParticipantData") -> str:
    return (f"          - {key}:\n              name: Set {name}\n              attributes:\n"
            f"                - attribute:\n                    name:\n                      lit: \"{name}\"\n"
            f"                    value:\n                      {value}\n")


def get_pd(name: str, variable: str = "Flow.v", key: str = "getParticipantData") -> str:
    return (f"          - {key}:\n              name: Get {name}\n              attributes:\n"
            f"                - attribute:\n                    name:\n                      lit: \"{name}\"\n"
            f"                    variable: {variable}\n")


def transfer(target: str) -> str:
    return f"          - transferToFlow:\n              name: To {target}\n              targetFlow:\n" \
           f"                name: {target}\n"


def codes(diagnostics: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == code]


# --------------------------------------------------------------------------- FL001
def test_fl001_across_three_flows_names_the_set_site(tmp_path: Path) -> None:
    found = check_project(tmp_path, {
        "a.yaml": task_flow("A", set_pd("CustomerTier") + transfer("B")),
        "b.yaml": task_flow("B", transfer("C")),
        "c.yaml": task_flow("C", get_pd("customertier")),
    })
    (diagnostic,) = codes(found, "FL001")
    assert diagnostic.file.endswith("c.yaml") and diagnostic.attribute == "customertier"
    assert "'CustomerTier'" in diagnostic.message and "a.yaml:14" in diagnostic.message
    assert diagnostic.related and diagnostic.related[0].file.endswith("a.yaml")
    assert not codes(found, "FL005"), "a case mismatch is reported once, as FL001"


def test_fl001_not_when_an_exact_set_also_exists(tmp_path: Path) -> None:
    found = check_project(tmp_path, {
        "a.yaml": task_flow("A", set_pd("Tier") + set_pd("tier") + get_pd("tier")),
    })
    assert not codes(found, "FL001")


def test_fl001_secured_and_participant_data_are_different_stores(tmp_path: Path) -> None:
    found = check_project(tmp_path, {
        "a.yaml": task_flow("A", set_pd("Token") + get_pd("token", key="getSecuredData")),
    })
    assert not codes(found, "FL001")


def test_fl001_conversation_data_matches_participant_data(tmp_path: Path) -> None:
    workflow = ("workflow:\n  name: W\n  startUpRef: /workflow/states/state[s]\n  states:\n    - state:\n"
                "        name: S\n        refId: s\n        actions:\n" + get_pd("orderid", key="getConversationData"))
    found = check_project(tmp_path, {"a.yaml": task_flow("A", set_pd("OrderId")), "w.yaml": workflow})
    assert [d.attribute for d in codes(found, "FL001")] == ["orderid"]


# --------------------------------------------------------------------------- FL002
def test_fl002_empty_get_name_and_dynamic_name_skipped(tmp_path: Path) -> None:
    dynamic = set_pd("x").replace('lit: "x"', 'exp: Append("a", "b")')
    found = check_project(tmp_path, {"a.yaml": task_flow("A", get_pd("") + dynamic)})
    (diagnostic,) = codes(found, "FL002")
    assert "in Get action 'Get'" in diagnostic.message and diagnostic.span is not None


def test_fl002_missing_name_in_secured_set(tmp_path: Path) -> None:
    actions = ("          - setSecuredData:\n              name: Keep\n              attributes:\n"
               "                - attribute:\n                    value:\n                      lit: x\n")
    found = check_project(tmp_path, {"a.yaml": task_flow("A", actions)})
    assert [d.message.split(" in ")[0] for d in codes(found, "FL002")] == ["attribute name is missing"]


# --------------------------------------------------------------------------- FL003
def get_secured(name: str, variable: str) -> str:
    return get_pd(name, variable, key="getSecuredData")


def update(variable: str, expression: str) -> str:
    return (f"          - updateData:\n              name: Assign {variable}\n              statements:\n"
            f"                - string:\n                    variable: {variable}\n                    value:\n"
            f"                      exp: {expression}\n")


def screen_pop(expression: str) -> str:
    return ("          - setScreenPop:\n              name: Pop\n              screenPopScript:\n"
            "                Script:\n                  inputs:\n                    shown:\n"
            f"                      exp: {expression}\n")


def test_fl003_direct_and_through_assignments(tmp_path: Path) -> None:
    actions = (get_secured("Card", "Flow.card") + update("Flow.a", 'Append("x", Flow.card)')
               + update("Task.b", "Upper(Flow.A)") + screen_pop('If(true, Task.b, "")'))
    found = check_project(tmp_path, {"a.yaml": task_flow("A", actions)})
    (diagnostic,) = codes(found, "FL003")
    assert "Flow.card" in diagnostic.message and "Flow.a" in diagnostic.message and "Task.b" in diagnostic.message
    assert len(diagnostic.related) == 3


def test_fl003_reassigning_clears_and_other_paths_keep(tmp_path: Path) -> None:
    clean = get_secured("Card", "Flow.card") + update("Flow.card", '"none"') + screen_pop("Flow.card")
    found = check_project(tmp_path, {"a.yaml": task_flow("A", clean)})
    assert not codes(found, "FL003")
    one_path = (get_secured("Card", "Flow.card")
                + "          - decision:\n              name: D\n              condition:\n"
                  "                exp: true\n              outputs:\n                yes:\n                  actions:\n"
                + "  " * 5 + update("Flow.card", '"none"').replace("\n          ", "\n                    ")
                + screen_pop("Flow.card"))
    found = check_project(tmp_path / "two", {"a.yaml": task_flow("A", one_path)})
    assert len(codes(found, "FL003")) == 1, "the 'no' path still carries the secured value"


def test_fl003_through_a_loop_back_edge(tmp_path: Path) -> None:
    body = (update("Flow.shown", "Flow.prev") + update("Flow.prev", "Flow.card"))
    body = body.replace("\n          ", "\n                      ").replace("          - updateData", "                      - updateData", 1)
    loop = ("          - loop:\n              name: L\n              currentIndex:\n                var: Flow.i\n"
            "              loopCount:\n                lit: 3\n              outputs:\n                loop:\n"
            "                  actions:\n" + body)
    actions = get_secured("Card", "Flow.card") + loop + screen_pop("Flow.shown")
    found = check_project(tmp_path, {"a.yaml": task_flow("A", actions)})
    assert len(codes(found, "FL003")) == 1, "the second iteration copies the card into Flow.shown"


def test_fl003_through_common_module_input(tmp_path: Path) -> None:
    call = ("          - callCommonModule:\n              name: Use module\n              commonModule:\n"
            "                Popper:\n                  ver_latestPublished:\n                    inputs:\n"
            "                      Common.value:\n                        exp: Flow.card\n")
    module = ("commonModule:\n  name: Popper\n  startUpTaskActions:\n"
              + screen_pop("Common.value").replace("\n          ", "\n    ").replace("          - ", "    - ", 1))
    found = check_project(tmp_path, {"a.yaml": task_flow("A", get_secured("Card", "Flow.card") + call),
                                     "m.yaml": module})
    (diagnostic,) = codes(found, "FL003")
    assert diagnostic.file.endswith("m.yaml") and "passed to common module 'Popper'" in diagnostic.message


def test_fl003_secure_variable_in_secure_flow(tmp_path: Path) -> None:
    extra = ("  variables:\n    - stringVariable:\n        name: Flow.pan\n        isSecure: true\n"
             "        initialValue:\n          noValue: true\n")
    found = check_project(tmp_path, {"s.yaml": task_flow("S", screen_pop("Flow.pan"), "secureCall", extra)})
    assert len(codes(found, "FL003")) == 1


def test_fl003_never_prints_a_literal_secret(tmp_path: Path) -> None:
    secret = "4111-1111-1111-1111"
    actions = (set_pd("Card", f'lit: "{secret}"', key="setSecuredData") + get_secured("Card", "Flow.card")
               + screen_pop("Flow.card"))
    found = check_project(tmp_path, {"a.yaml": task_flow("A", actions)})
    assert codes(found, "FL003")
    assert all(secret not in d.message and all(secret not in r.message for r in d.related) for d in found)


# --------------------------------------------------------------------------- FL004
def test_fl004_participant_data_in_workflow_and_secured_in_bot(tmp_path: Path) -> None:
    workflow = ("workflow:\n  name: W\n  startUpRef: /workflow/states/state[s]\n  states:\n    - state:\n"
                "        name: S\n        refId: s\n        actions:\n" + get_pd("x"))
    bot = ("botFlow:\n  name: B\n  startUpRef: /botFlow/bots/bot[b]\n  bots:\n    - bot:\n        name: B\n"
           "        refId: b\n        actions:\n" + get_secured("Card", "Flow.card"))
    found = check_project(tmp_path, {"w.yaml": workflow, "b.yaml": bot, "ok.yaml": task_flow("A", get_secured("Card", "Flow.c"))})
    assert sorted(Path(d.file).name for d in codes(found, "FL004")) == ["b.yaml", "w.yaml"]


# --------------------------------------------------------------------------- FL005
def test_fl005_loop_that_runs_at_least_once(tmp_path: Path) -> None:
    def loop(count: str) -> str:
        body = set_pd("Seen").replace("\n          ", "\n                      ").replace(
            "          - setParticipantData", "                      - setParticipantData", 1)
        return ("          - loop:\n              name: L\n              currentIndex:\n                var: Flow.i\n"
                f"              loopCount:\n                {count}\n              outputs:\n                loop:\n"
                "                  actions:\n" + body)
    once = check_project(tmp_path / "a", {"a.yaml": task_flow("A", loop("lit: 2") + get_pd("Seen"))})
    assert not codes(once, "FL005")
    maybe = check_project(tmp_path / "b", {"a.yaml": task_flow("A", loop("exp: Flow.n") + get_pd("Seen"))})
    assert len(codes(maybe, "FL005")) == 1


def test_fl005_flow_links_and_external_attributes(tmp_path: Path) -> None:
    files = {"ivr.yaml": task_flow("Main IVR", set_pd("Lang")),
             "queue.yaml": task_flow("Support In-Queue", get_pd("Lang") + get_pd("CrmId"), "inqueueCall")}
    plain = check_project(tmp_path / "a", files)
    assert sorted(d.attribute or "" for d in codes(plain, "FL005")) == ["CrmId", "Lang"]
    lang = next(d for d in codes(plain, "FL005") if d.attribute == "Lang")
    assert "flow-links" in lang.message
    config = Config(flow_links={"Support In-Queue": ["Main IVR"]}, external_attributes=["CrmId"])
    assert not codes(check_project(tmp_path / "b", files, config), "FL005")


def test_fl005_reusable_task_and_common_module_sets_count(tmp_path: Path) -> None:
    flow = ("inboundCall:\n  name: A\n  startUpRef: /inboundCall/tasks/task[t]\n  tasks:\n    - task:\n"
            "        name: Main\n        refId: t\n        actions:\n"
            "          - callTask:\n              name: Prepare\n              targetTaskRef: /inboundCall/tasks/task[p]\n"
            "          - callCommonModule:\n              name: Module\n              commonModule:\n"
            "                Setter:\n                  ver_latestPublished:\n                    inputs: {}\n"
            + get_pd("FromTask") + get_pd("FromModule") +
            "    - task:\n        name: Prepare\n        refId: p\n        actions:\n" + set_pd("FromTask")
            + "          - endTask:\n              name: Done\n              outputPath:\n                name: default\n")
    module = ("commonModule:\n  name: Setter\n  startUpTaskActions:\n"
              + set_pd("FromModule").replace("\n          ", "\n    ").replace("          - ", "    - ", 1))
    found = check_project(tmp_path, {"a.yaml": flow, "m.yaml": module})
    assert not codes(found, "FL005"), codes(found, "FL005")


def test_fl005_dynamic_names_are_skipped(tmp_path: Path) -> None:
    dynamic = get_pd("x").replace('lit: "x"', 'exp: Append("a", Flow.suffix)')
    found = check_project(tmp_path, {"a.yaml": task_flow("A", dynamic)})
    assert not codes(found, "FL005")
