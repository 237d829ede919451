"""Attribute semantics on real-shaped projects: outside writers, data actions, guarded and
dead reads, near-miss names, module Sets upstream (FL001, FL005; issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowlint.config import Config, ConfigError, config_from_mapping
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.engine import check_paths
from rules._flows import task_flow

from .helpers import check_project, write_project


def _get(name: str, variable: str = "Task.value", *, then: str = "") -> str:
    return f"""\
- getParticipantData:
    name: Read {name}
    attributes:
      - attribute:
          name:
            lit: {name}
          variable: {variable}
{then}- setScreenPop:
    name: Show it
    screenPop:
      Agent script:
        inputs:
          value:
            exp: {variable}
"""


def _set(name: str) -> str:
    return f"""\
- setParticipantData:
    name: Remember {name}
    attributes:
      - attribute:
          name:
            lit: {name}
          value:
            lit: x
"""


def _transfer(target: str) -> str:
    return f"""\
- transferToFlow:
    name: To {target}
    targetFlow:
      name: {target}
"""


def _findings(tmp_path: Path, files: dict[str, str], config: Config | None = None,
              codes: tuple[str, ...] = ("FL001", "FL005")) -> list[Diagnostic]:
    return [d for d in check_project(tmp_path, files, config) if d.code in codes]


# -- web chat: the platform writes context.<field> ------------------------------------------


def test_web_chat_form_fields_are_set_by_the_platform(tmp_path: Path) -> None:
    chat = task_flow("Chat", _get("context.email") + _get("context.favouriteColour", "Task.colour"),
                     flow_type="inboundChat")
    assert _findings(tmp_path, {"chat.yaml": chat}) == []


def test_a_flow_after_a_chat_flow_sees_the_form_fields(tmp_path: Path) -> None:
    chat = task_flow("Chat", _transfer("Next"), flow_type="inboundChat")
    after = task_flow("Next", _get("context._genesys_url"), flow_type="inboundChat")
    assert _findings(tmp_path, {"chat.yaml": chat, "next.yaml": after}) == []


def test_context_names_in_a_call_flow_are_not_written_by_web_chat(tmp_path: Path) -> None:
    call = task_flow("Call", _get("context.email"))
    (found,) = _findings(tmp_path, {"call.yaml": call})
    assert found.code == "FL005" and found.severity is Severity.WARNING


def test_a_known_web_chat_name_in_other_case_is_fl001_with_the_fix(tmp_path: Path) -> None:
    chat = task_flow("Chat", _get("Context.FirstName"), flow_type="inboundChat")
    (found,) = _findings(tmp_path, {"chat.yaml": chat})
    assert (found.code, found.severity) == ("FL001", Severity.ERROR)
    assert [(f.edits[0].text, f.applicability.value) for f in found.fixes] == [("context.firstName", "safe")]
    assert "use 'context.firstName'" in found.message and "documented" in found.message


def test_an_unknown_field_under_a_miscased_prefix_is_a_fl001_warning(tmp_path: Path) -> None:
    chat = task_flow("Chat", _get("Context.FavouriteColour"), flow_type="inboundChat")
    (found,) = _findings(tmp_path, {"chat.yaml": chat})
    assert (found.code, found.severity) == ("FL001", Severity.WARNING)
    assert [(f.edits[0].text, f.applicability.value) for f in found.fixes] == [("context.FavouriteColour", "unsafe")]


# -- web messaging custom attributes and configuration --------------------------------------


def test_an_unset_name_in_a_message_flow_is_an_info_naming_the_writer(tmp_path: Path) -> None:
    message = task_flow("Messenger", _get("CustomerName"), flow_type="inboundShortMessage")
    (found,) = _findings(tmp_path, {"message.yaml": message})
    assert (found.code, found.severity) == ("FL005", Severity.INFO)
    assert "web messaging custom attributes" in found.message and "external-attributes" in found.message


def test_declared_names_silence_the_note_by_flow_type_and_by_glob(tmp_path: Path) -> None:
    message = task_flow("Messenger", _get("CustomerName"), flow_type="inboundShortMessage")
    scoped = config_from_mapping({"external-attributes-by-flow-type": {"inboundShortMessage": ["Customer*"]}}, "t")
    assert _findings(tmp_path, {"message.yaml": message}, scoped) == []
    everywhere = config_from_mapping({"external-attributes": ["Cust?merName"]}, "t")
    assert _findings(tmp_path, {"message.yaml": message}, everywhere) == []
    other_type = config_from_mapping({"external-attributes-by-flow-type": {"inboundcall": ["Customer*"]}}, "t")
    assert [d.code for d in _findings(tmp_path, {"message.yaml": message}, other_type)] == ["FL005"]


def test_an_unknown_flow_type_in_configuration_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="unknown flow type 'inboundChatt' \\(did you mean 'inboundchat'\\?\\)"):
        config_from_mapping({"external-attributes-by-flow-type": {"inboundChatt": ["x"]}}, "t")


# -- data actions that PATCH participant attributes ------------------------------------------

_PATCH_EXPORT: dict[str, object] = {
    "name": "Update Participant Data - Exported 2024-10-28 @ 16:06",
    "integrationType": "purecloud-data-actions",
    "actionType": "custom",
    "config": {"request": {
        "requestUrlTemplate": "/api/v2/conversations/${input.conversationId}/participants/${input.participantId}"
                              "/attributes",
        "requestType": "PATCH", "headers": {}, "requestTemplate": "{\"attributes\": ${input.attributes}}"}},
    "secure": False,
}

_CALL_PATCH = """\
- callData:
    name: Copy attributes
    timeout:
      lit:
        minutes: 1
    category:
      Integration:
        dataAction:
          Update Participant Data:
            inputs:
              conversationId:
                exp: Call.ConversationId
              attributes:
                exp: Task.json
"""


def test_a_data_action_that_patches_attributes_makes_fl005_an_info_naming_it(tmp_path: Path) -> None:
    files = {"main.yaml": task_flow("Main", _CALL_PATCH + _transfer("Support")),
             "support.yaml": task_flow("Support", _get("LoyaltyLevel"))}
    (plain,) = _findings(tmp_path / "without", files)
    assert plain.severity is Severity.WARNING
    write_project(tmp_path / "with", {"actions/Update Participant Data.custom.json": json.dumps(_PATCH_EXPORT)})
    (noted,) = _findings(tmp_path / "with", files)
    assert noted.severity is Severity.INFO
    assert "data action 'Update Participant Data' (PATCH /api/v2/conversations/" in noted.message
    assert noted.related[-1].message == "the data action is called here"


def test_a_terraform_integration_action_is_read_too(tmp_path: Path) -> None:
    tf = """\
resource "genesyscloud_integration_action" "patch" {
  name           = var.action_name
  category       = "Integration"
  integration_id = "x"
  config_request {
    request_url_template = "/api/v2/conversations/calls/$${input.conversationId}/participants/$${input.participantId}/attributes"
    request_type         = "PATCH"
  }
}
variable "action_name" {
  default = "Update Participant Data"
}
"""
    files = {"main.yaml": task_flow("Main", _CALL_PATCH + _transfer("Support")),
             "support.yaml": task_flow("Support", _get("LoyaltyLevel")), "actions.tf": tf}
    (noted,) = _findings(tmp_path, files)
    assert noted.severity is Severity.INFO and "'Update Participant Data' (PATCH" in noted.message


def test_configured_data_action_writers(tmp_path: Path) -> None:
    files = {"main.yaml": task_flow("Main", _CALL_PATCH + _transfer("Support")),
             "support.yaml": task_flow("Support", _get("LoyaltyLevel"))}
    config = config_from_mapping({"data-action-writers": ["Update Participant*"]}, "t")
    (noted,) = _findings(tmp_path, files, config)
    assert noted.severity is Severity.INFO and "config data-action-writers" in noted.message


def test_a_read_only_data_action_changes_nothing(tmp_path: Path) -> None:
    export: dict[str, object] = {**_PATCH_EXPORT, "config": {"request": {
        "requestUrlTemplate": "/api/v2/conversations/${input.id}", "requestType": "GET"}}}
    files = {"main.yaml": task_flow("Main", _CALL_PATCH + _transfer("Support")),
             "support.yaml": task_flow("Support", _get("LoyaltyLevel")),
             "Update Participant Data.custom.json": json.dumps(export)}
    (plain,) = _findings(tmp_path, files)
    assert plain.severity is Severity.WARNING


# -- guarded and dead reads, near-miss names ------------------------------------------------

_GUARD = """\
- decision:
    name: Known?
    condition:
      exp: IsNotSetOrEmpty(Task.value)
    outputs:
      yes:
        actions:
          - updateData:
              name: Default
              statements:
                - string:
                    variable: Task.value
                    value:
                      lit: none
"""


def test_a_guarded_read_is_an_info_with_its_own_message(tmp_path: Path) -> None:
    (found,) = _findings(tmp_path, {"main.yaml": task_flow("Main", _get("Language", then=_GUARD))})
    assert (found.code, found.severity) == ("FL005", Severity.INFO)
    assert "Task.value is tested at" in found.message and found.related[-1].message == "Task.value is tested here"


def test_a_read_used_before_its_test_is_not_guarded(tmp_path: Path) -> None:
    use_first = """\
- updateData:
    name: Copy
    statements:
      - string:
          variable: Task.other
          value:
            exp: Task.value
"""
    (found,) = _findings(tmp_path, {"main.yaml": task_flow("Main", _get("Language", then=use_first + _GUARD))})
    assert found.severity is Severity.WARNING


def test_a_dead_read_is_an_info(tmp_path: Path) -> None:
    dead = task_flow("Main", """\
- getParticipantData:
    name: Read it
    attributes:
      - attribute:
          name:
            lit: Language
          variable: Task.unused
- disconnect:
    name: Bye
""")
    (found,) = _findings(tmp_path, {"main.yaml": dead})
    assert found.severity is Severity.INFO and "nothing reads Task.unused" in found.message


def test_did_you_mean_a_name_set_upstream(tmp_path: Path) -> None:
    files = {"main.yaml": task_flow("Main", _set("CustomerTier") + _transfer("Support")),
             "support.yaml": task_flow("Support", _get("Tier"))}
    (found,) = _findings(tmp_path, files)
    assert found.severity is Severity.WARNING
    assert "flow 'Main', which runs before this one, sets 'CustomerTier': did you mean 'CustomerTier'?" \
        in found.message and "flow-links" not in found.message


# -- Sets in common modules called upstream; conversations read by id -----------------------

_MODULE = """\
commonModule:
  name: Identify
  startUpRef: /commonModule/tasks/task[t]
  settings:
    compatibleFlowTypes:
      - inboundCall
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
                      lit: AccountId
                    value:
                      lit: x
          - endTask:
              name: Done
"""

_CALL_MODULE = """\
- callCommonModule:
    name: Identify the caller
    commonModule:
      Identify:
        ver_latestPublished:
"""


def test_a_set_in_a_module_an_upstream_flow_calls_counts(tmp_path: Path) -> None:
    files = {"module.yaml": _MODULE, "main.yaml": task_flow("Main", _CALL_MODULE + _transfer("Support")),
             "support.yaml": task_flow("Support", _get("AccountId"))}
    assert _findings(tmp_path, files) == []


def test_get_conversation_data_of_a_name_some_flow_sets_is_not_fl005(tmp_path: Path) -> None:
    workflow = """\
workflow:
  name: After the call
  startUpRef: "/workflow/states/state[s]"
  variables:
    - stringVariable:
        name: Flow.conversationId
        isInput: true
  states:
    - state:
        name: Start
        refId: s
        actions:
          - getConversationData:
              name: Read
              conversationId:
                exp: Flow.conversationId
              participantId:
                noValue: true
              attributes:
                - attribute:
                    name:
                      lit: AccountId
                    variable: Flow.account
          - endWorkflow:
              name: End
"""
    files = {"main.yaml": task_flow("Main", _set("AccountId")), "workflow.yaml": workflow}
    assert _findings(tmp_path, files) == []


def test_warm_runs_equal_cold_runs_with_data_action_writers(tmp_path: Path) -> None:
    files = {"main.yaml": task_flow("Main", _CALL_PATCH), "support.yaml": task_flow("Support", _get("Tier")),
             "other.yaml": task_flow("Other", _get("Region")),
             "Update Participant Data.custom.json": json.dumps(_PATCH_EXPORT)}
    write_project(tmp_path, files)
    cache = str(tmp_path / ".cache")

    def run() -> list[tuple[str, str, str]]:
        return [(d.code, d.severity.value, d.message) for d in check_paths([str(tmp_path)], cache_dir=cache).diagnostics]

    cold = run()
    (tmp_path / "other.yaml").write_text(task_flow("Other", _get("Area")), encoding="utf-8")
    warm = run()
    (tmp_path / ".cache2").mkdir()
    fresh = [(d.code, d.severity.value, d.message) for d in check_paths([str(tmp_path)]).diagnostics]
    assert warm == fresh and cold != fresh
    assert all(severity == "info" for code, severity, _ in warm if code == "FL005")


def test_a_flow_named_by_an_expression_is_no_link_and_no_unknown_reference(tmp_path: Path) -> None:
    transfer = """\
- transferToFlow:
    name: To the chosen flow
    targetFlow:
      exp: Task.flowName
"""
    found = check_project(tmp_path, {"main.yaml": task_flow("Main", transfer)})
    assert [d.code for d in found if d.code in ("FL106", "FL103")] == []
