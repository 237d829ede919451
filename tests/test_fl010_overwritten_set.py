"""FL010 overwritten-set: only certain overwrites, on every kind of path."""

from __future__ import annotations

from pathlib import Path

from flowlint.deploy.data_actions import action_name, classify
from flowlint.deploy.model import DataActionEffect
from rules._flows import task_flow

from .helpers import check_project


def _set(name: str, value: str = "x", action: str = "Remember") -> str:
    return f"""\
- setParticipantData:
    name: {action}
    attributes:
      - attribute:
          name:
            lit: {name}
          value:
            lit: {value}
"""


def _fl010(tmp_path: Path, actions: str) -> list[tuple[int, str]]:
    found = check_project(tmp_path, {"main.yaml": task_flow("Main", actions)})
    return [(d.span.line if d.span else 0, d.message) for d in found if d.code == "FL010"]


def test_two_sets_in_a_row_report_the_first(tmp_path: Path) -> None:
    (found,) = _fl010(tmp_path, _set("Tier") + _set("Tier", "y") + "- disconnect:\n    name: Bye\n")
    assert found[0] == 14 and "'Tier' is set again at" in found[1] and ":22 " in found[1]


def test_an_end_of_flow_between_the_sets_on_one_branch_keeps_the_first(tmp_path: Path) -> None:
    branch = """\
- decision:
    name: Leave?
    condition:
      exp: IsSet(Call.Ani)
    outputs:
      yes:
        actions:
          - disconnect:
              name: Bye
"""
    assert _fl010(tmp_path, _set("Tier") + branch + _set("Tier", "y")) == []


def test_sets_on_both_branches_then_again_report_both(tmp_path: Path) -> None:
    both = f"""\
- decision:
    name: Gold?
    condition:
      exp: IsSet(Call.Ani)
    outputs:
      yes:
        actions:
          - setParticipantData:
              name: Gold
              attributes:
                - attribute:
                    name:
                      lit: Tier
                    value:
                      lit: gold
      no:
        actions:
          - setParticipantData:
              name: Silver
              attributes:
                - attribute:
                    name:
                      lit: Tier
                    value:
                      lit: silver
{_set("Tier", "bronze", "Bronze")}"""
    assert len(_fl010(tmp_path, both)) == 2


def test_a_set_in_a_loop_body_overwritten_each_iteration(tmp_path: Path) -> None:
    loop = f"""\
- loop:
    name: Three times
    loopCount:
      lit: 3
    currentIndex:
      var: Task.i
    outputs:
      loop:
        actions:
{chr(10).join('          ' + line for line in _set("Counter").splitlines())}
- transferToFlow:
    name: Away
    targetFlow:
      name: Other
"""
    # The value set in one iteration may leave the loop (no second Set after it): nothing certain.
    assert _fl010(tmp_path, loop) == []


def test_an_unmodelled_action_between_counts_as_a_reader(tmp_path: Path) -> None:
    between = "- playAudio:\n    name: Hello\n    audio:\n      tts: Hello\n"
    assert _fl010(tmp_path, _set("Tier") + between + _set("Tier", "y")) == []


def test_conversation_data_is_left_out(tmp_path: Path) -> None:
    cd = """\
- setConversationData:
    name: Remember
    conversationId:
      exp: Task.id
    attributes:
      - attribute:
          name:
            lit: Tier
          value:
            lit: x
"""
    assert _fl010(tmp_path, cd + cd) == []


def test_data_action_requests_are_classified_by_url_and_method() -> None:
    url = "/api/v2/conversations/calls/${input.cid}/participants/${input.pid}/attributes"
    assert classify("PATCH", url) is DataActionEffect.WRITES_PARTICIPANT_DATA
    assert classify("patch", "/api/v2/conversations/$${input.cid}/participants/$${input.pid}/attributes") \
        is DataActionEffect.WRITES_PARTICIPANT_DATA
    assert classify("GET", url) is None
    assert classify("PUT", "/api/v2/conversations/${input.cid}/secureattributes") is DataActionEffect.WRITES_SECURED_DATA
    assert classify("PATCH", "/api/v2/users/${input.id}") is None
    assert action_name("Update PD - Exported 2024-10-28 @ 16:06") == "Update PD"
