"""flowlint at the root of real CX-as-code repositories (../shared/corpus-repos), as a new
user runs it: every finding is pinned here with the reason it is right, and no finding
comes from a templated flow name (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowlint.config import Config
from flowlint.context import Context
from flowlint.engine import check_paths

REPOS = Path(__file__).resolve().parents[2] / "shared" / "corpus-repos"

#: repository -> (rule, file, line, flow or attribute) of every finding, with why it is right.
EXPECTED: dict[str, list[tuple[str, str, int | None, str | None]]] = {
    "GenesysCloudBlueprints__architect-flow-public-api-blueprint": [],
    "GenesysCloudBlueprints__callback-prioritization": [],
    # modules/email_flow says filepath = "./EmailComprehendFlow.yaml": Terraform resolves it against
    # the working directory, the root (dev/ or prod/), where no such file is: apply fails in both roots.
    "GenesysCloudBlueprints__email-aws-comprehend-blueprint": [
        ("FL115", "components/genesys-email-flow/modules/email_flow/main.tf", 19, None),
        ("FL115", "components/genesys-email-flow/modules/email_flow/main.tf", 19, None),
    ],
    # Bot flow, common module and inbound message flow: names and links all come from root
    # variables without values here (dev.auto.tfvars was not copied); they still meet.
    "GenesysCloudBlueprints__merge-ephemeral-message-to-external-contact-blueprint": [],
    "GenesysCloudBlueprints__process-automation-workitem-blueprint": [],
    # The workflow reads paymentId with Get Conversation Data (the conversation named by the
    # trigger's event), and the secure flow sets it on that conversation: not FL005. Before
    # Terraform was read, the committed unrendered copies in architect-flows/ added two false
    # FL105 (they are local_file outputs, replaced at apply time).
    "GenesysCloudBlueprints__process-participant-attributes-event-triggers-blueprint": [],
    # archy.tf substitutes var.clientSecret into the flow as a data-action input literal.
    "GenesysCloudBlueprints__set-emergency-group-lambda-blueprint": [
        ("FL114", "blueprint/terraform/archy.tf", 12, None),
    ],
    # Info: the workflow reads callbackNumber from the callback conversation by id; no flow sets it, and
    # callbacks created through the API carry their data map as attributes (semantics-2 §2): the note
    # names that writer and external-attributes.
    "GenesysCloudBlueprints__sms-followup-on-missed-callback-blueprint": [
        ("FL005", "blueprint/terraform/architect/callback_sms_eventrigger_flow.yaml.tftpl", 64, "callbackNumber"),
    ],
    # Info: ogConversationId is set by no flow file; the repository defines "Update Participant Data on
    # Conversation" (exports/*.custom.json and a genesyscloud_integration_action), a PATCH of participant
    # attributes that the message flow calls: the note names it (the export, whose calls are by id, too).
    "GenesysCloudBlueprints__switch-voice-to-web-messaging": [
        ("FL005", "exports/Switch from Voice Channel with Context.i3InboundMessage", None, "ogConversationId"),
        ("FL005", "terraform/modules/inbound-message-flow/Switch from Voice Channel with Context.yaml", 143,
         "ogConversationId"),
    ],
    "MakingChatbots__genesys-cloud-cx-as-code-demo": [],
}


@pytest.fixture(scope="module")
def repos() -> Path:
    if not REPOS.is_dir():
        pytest.skip("shared corpus-repos not available (expected at ../shared/corpus-repos)")
    return REPOS


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_at_the_repository_root(repos: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repos / name
    if not root.is_dir():
        pytest.skip(f"{name} not in this copy of corpus-repos")
    monkeypatch.chdir(root)
    result = check_paths(["."])
    found = [(d.code, d.file, d.span.line if d.span else None,
              d.attribute if d.code == "FL005" else None) for d in result.diagnostics]
    assert found == EXPECTED[name], [d.message for d in result.diagnostics]
    for diagnostic in result.diagnostics:  # nothing that only a templated flow name explains
        assert "{{" not in diagnostic.message, diagnostic.message
    for flow in result.project.flows:
        assert "{{" not in flow.name, (flow.file.path, flow.name)


def test_templated_links_resolve(repos: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inbound flows reach the bots and modules they call, through substituted names:
    literals, root variables without values, and a genesyscloud_flow's computed name."""
    expected = {
        "GenesysCloudBlueprints__merge-ephemeral-message-to-external-contact-blueprint": {
            ("Merge Ephemeral Message To External Contact Flow", "${var.bot_flow_name}"),
            ("Merge Ephemeral Message To External Contact Flow", "${var.common_module_name}"),
        },
        "MakingChatbots__genesys-cloud-cx-as-code-demo": {("Transfer To Bot", "Transfer To Queue")},
    }
    for name, edges in expected.items():
        monkeypatch.chdir(repos / name)
        result = check_paths(["."])
        graph = Context(result.project, Config()).flow_graph
        found = {(r.source.name, t.name) for r in graph.references for t in r.targets}
        assert edges <= found, found
