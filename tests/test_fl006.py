"""FL006 attribute-store-mismatch: a Get reads the participant store for a name only the secured
store holds, or the reverse."""

from __future__ import annotations

from pathlib import Path

from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import Project
from flowlint.registry import rules_by_code

from .helpers import check_project, load_flow

_FLOW = """\
{type}:
  name: {name}
  startUpRef: /{type}/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
{actions}          - {end}:
              name: End
"""


def _set(key: str, name: str) -> str:
    return f"""\
          - {key}:
              name: Store {name}
              attributes:
                - attribute:
                    name:
                      lit: {name}
                    value:
                      exp: Call.Ani
"""


def _get(key: str, name: str) -> str:
    return f"""\
          - {key}:
              name: Read {name}
              attributes:
                - attribute:
                    name:
                      lit: {name}
                    variable: Flow.value
"""


def _flow(name: str, actions: str, *, flow_type: str = "inboundCall", end: str = "disconnect") -> str:
    return _FLOW.format(type=flow_type, name=name, actions=actions, end=end)


def _fl006(tmp_path: Path, files: dict[str, str]) -> list[Diagnostic]:
    return [d for d in check_project(tmp_path, files) if d.code == "FL006"]


def test_get_participant_data_of_a_secured_name(tmp_path: Path) -> None:
    found = _fl006(tmp_path, {
        "main.yaml": _flow("Main", _set("setSecuredData", "CardToken")),
        "pay.yaml": _flow("Pay", _get("getParticipantData", "CardToken")),
    })
    assert len(found) == 1, found
    finding = found[0]
    assert finding.severity == Severity.ERROR
    assert finding.file.endswith("pay.yaml")
    assert finding.message.startswith("'CardToken' is in the secured store (set by Set Secured Data at ")
    assert "main.yaml:" in finding.message
    assert ("Get Participant Data reads the participant store and finds nothing; read it with Get Secured Data"
            in finding.message)
    assert [r.file for r in finding.related] == [finding.related[0].file] and finding.related[0].file.endswith(
        "main.yaml")
    assert "Call.Ani" not in finding.message  # the value written is never shown


def test_get_secured_data_of_a_participant_name(tmp_path: Path) -> None:
    found = _fl006(tmp_path, {
        "main.yaml": _flow("Main", _set("setParticipantData", "AccountId") + _get("getSecuredData", "AccountId")),
    })
    assert len(found) == 1, found
    assert "'AccountId' is in the participant store (set by Set Participant Data at " in found[0].message
    assert "Get Secured Data reads the secured store and finds nothing; read it with Get Participant Data" in \
        found[0].message


def test_get_conversation_data_of_a_secured_name(tmp_path: Path) -> None:
    found = _fl006(tmp_path, {
        "main.yaml": _flow("Main", _set("setSecuredData", "CardToken")),
        "work.yaml": _flow("Work", _get("getConversationData", "CardToken"), flow_type="workflow",
                           end="endWorkflow"),
    })
    assert len(found) == 1, found
    assert "Get Conversation Data reads the participant store" in found[0].message


def test_set_conversation_data_counts_as_the_participant_store(tmp_path: Path) -> None:
    found = _fl006(tmp_path, {
        "work.yaml": _flow("Work", _set("setConversationData", "Ticket"), flow_type="workflow", end="endWorkflow"),
        "main.yaml": _flow("Main", _get("getSecuredData", "Ticket")),
    })
    assert len(found) == 1 and "set by Set Conversation Data" in found[0].message, found


def test_no_finding_when_the_name_is_set_in_both_stores(tmp_path: Path) -> None:
    assert not _fl006(tmp_path, {
        "main.yaml": _flow("Main", _set("setSecuredData", "CardToken") + _set("setParticipantData", "CardToken")),
        "pay.yaml": _flow("Pay", _get("getParticipantData", "CardToken") + _get("getSecuredData", "CardToken")),
    })


def test_no_finding_when_the_get_matches_its_own_store(tmp_path: Path) -> None:
    assert not _fl006(tmp_path, {
        "main.yaml": _flow("Main", _set("setSecuredData", "CardToken") + _get("getSecuredData", "CardToken")),
    })


def test_case_differences_across_stores_are_not_fl006(tmp_path: Path) -> None:
    # exact names only: 'cardToken' vs 'CardToken' in another store is neither FL006 nor (across stores) FL001
    assert not _fl006(tmp_path, {
        "main.yaml": _flow("Main", _set("setSecuredData", "CardToken") + _get("getParticipantData", "cardToken")),
    })


def test_every_set_site_is_related(tmp_path: Path) -> None:
    found = _fl006(tmp_path, {
        "a.yaml": _flow("A", _set("setSecuredData", "CardToken")),
        "b.yaml": _flow("B", _set("setSecuredData", "CardToken")),
        "pay.yaml": _flow("Pay", _get("getParticipantData", "CardToken")),
    })
    assert len(found) == 1
    assert "and 1 more Set site(s)" in found[0].message
    assert sorted(Path(r.file).name for r in found[0].related) == ["a.yaml", "b.yaml"]


def test_flows_of_different_deployment_roots_never_meet() -> None:
    setter = load_flow(_flow("Main", _set("setSecuredData", "CardToken")), "dev/main.yaml")
    getter = load_flow(_flow("Pay", _get("getParticipantData", "CardToken")), "prod/pay.yaml")
    rule = rules_by_code()["FL006"]
    setter.root, getter.root = "dev", "prod"
    assert not list(rule.check(Context(Project([setter, getter]))))
    getter.root = "dev"
    assert len(list(rule.check(Context(Project([setter, getter]))))) == 1
    # A participant-store Set in another root does not hide the mismatch either.
    other = load_flow(_flow("Other", _set("setParticipantData", "CardToken")), "prod/other.yaml")
    other.root = "prod"
    assert len(list(rule.check(Context(Project([setter, getter, other]))))) == 1
