"""FL001-FL005 on Architect exports (.i3*) and API configuration JSON, mixed with YAML."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path
from typing import Any

from .helpers import check_project
from .test_flow_json_loader import act, doc, exp, lit, task, var

Doc = dict[str, Any]


def export_text(document: Doc) -> str:
    """Encode a flow document the way Architect's Export does: base64 of percent-encoded JSON."""
    return base64.b64encode(urllib.parse.quote(json.dumps(document), safe="").encode("ascii")).decode("ascii")


def named(document: Doc, name: str) -> Doc:
    document["name"] = name
    return document


def set_attr(id_: str, name: str, value: Doc, next_: str | None = None, type_: str = "SetAttributesAction") -> Doc:
    return act(type_, id_, f"Set {name}", next_, variables=[{"variable": lit(name), "expression": value}])


def get_attr(id_: str, name: str, variable: str, next_: str | None = None,
             type_: str = "GetAttributesAction") -> Doc:
    # Exports invert the fields: ``variable`` holds the attribute NAME, ``expression`` the target.
    return act(type_, id_, f"Get {name}", next_, variables=[{"variable": lit(name), "expression": var(variable)}])


def main_ivr(*actions: Doc) -> Doc:
    return named(doc(task("T1", "Start", actions[0]["id"], list(actions))), "Main IVR")


def codes(found: list[Any], code: str) -> list[Any]:
    return [d for d in found if d.code == code]


def test_fl001_export_to_api_json(tmp_path: Path) -> None:
    main = main_ivr(set_attr("A1", "AccountId", exp("Call.Ani"), "A2"),
                    act("TransferFlowAction", "A2", "To support", flowName="Support"))
    support = named(doc(task("T1", "Start", "B1", [get_attr("B1", "accountId", "Task.account")])), "Support")
    found = check_project(tmp_path, {"main.i3InboundFlow": export_text(main),
                                     "support.json": json.dumps(support, indent=2)})
    (diagnostic,) = codes(found, "FL001")
    assert diagnostic.file.endswith("support.json") and diagnostic.span is not None  # API JSON has lines
    assert "main.i3InboundFlow" in diagnostic.message and "variables[0].variable" in diagnostic.message
    assert not codes(found, "FL005")


def test_fl001_good_export(tmp_path: Path) -> None:
    main = main_ivr(set_attr("A1", "AccountId", exp("Call.Ani"), "A2"), get_attr("A2", "AccountId", "Flow.x"))
    assert not check_project(tmp_path, {"main.i3InboundFlow": export_text(main)})


def test_fl002_export(tmp_path: Path) -> None:
    found = check_project(tmp_path, {"main.i3InboundFlow": export_text(main_ivr(set_attr("A1", "", lit("x"))))})
    (diagnostic,) = codes(found, "FL002")
    assert diagnostic.span is None and "variables[0].variable" in diagnostic.logical


def test_fl003_export_screen_pop(tmp_path: Path) -> None:
    flow = main_ivr(get_attr("A1", "Card", "Flow.card", "A2", type_="GetSecuredDataAction"),
                    act("ScreenPopAction", "A2", "Pop", screenPopName="Script",
                        inputs=[{"name": "shown", "value": exp('Append("*", Flow.card)')}]))
    found = check_project(tmp_path, {"main.i3InboundFlow": export_text(flow)})
    (diagnostic,) = codes(found, "FL003")
    assert "Flow.card" in diagnostic.message and "Get Secured Data 'Get Card'" in diagnostic.message
    clean = main_ivr(get_attr("A1", "Card", "Flow.card", "A2", type_="GetSecuredDataAction"),
                     act("ScreenPopAction", "A2", "Pop", screenPopName="Script",
                         inputs=[{"name": "shown", "value": exp("Call.Ani")}]))
    assert not codes(check_project(tmp_path / "clean", {"main.i3InboundFlow": export_text(clean)}), "FL003")


def test_fl004_bot_export_and_workflow_api_json(tmp_path: Path) -> None:
    bot = named(doc(task("S1", "Bot", "A1", [set_attr("A1", "Token", lit("x"), type_="SetSecuredDataAction")],
                         type_="BotState"), type_="digitalbot"), "Helper")
    workflow = named(doc(task("S1", "Main", "A1", [get_attr("A1", "x", "Flow.x")], type_="State"),
                         type_="workflow"), "W")
    ok = named(doc(task("S1", "Main", "A1", [set_attr("A1", "x", lit("1"), type_="SetConversationDataAction")],
                        type_="State"), type_="workflow"), "W2")
    found = check_project(tmp_path, {"bot.i3DigitalBotFlow": export_text(bot), "w.json": json.dumps(workflow),
                                     "ok.json": json.dumps(ok)})
    assert sorted(Path(d.file).name for d in codes(found, "FL004")) == ["bot.i3DigitalBotFlow", "w.json"]


def test_fl005_export_cross_flow(tmp_path: Path) -> None:
    support = named(doc(task("T1", "Start", "B1", [get_attr("B1", "Tier", "Task.t")])), "Support")
    unlinked = {"support.i3InboundFlow": export_text(support),
                "other.i3InboundFlow": export_text(main_ivr(set_attr("A1", "Tier", lit("gold"))))}
    (diagnostic,) = codes(check_project(tmp_path / "a", unlinked), "FL005")
    assert "set only in 'Main IVR'" in diagnostic.message
    linked = {"support.i3InboundFlow": export_text(support),
              "main.i3InboundFlow": export_text(main_ivr(set_attr("A1", "Tier", lit("gold"), "A2"),
                                                         act("TransferFlowAction", "A2", "To", flowName="Support")))}
    assert not codes(check_project(tmp_path / "b", linked), "FL005")
