"""flowlint on the real corpus: no crash, and every finding checked by hand and pinned here.

Each corpus directory is one public repository, so each is checked as its own project
(cross-flow rules only make sense within one repository).
"""

from __future__ import annotations

from pathlib import Path

from flowlint.config import Config
from flowlint.engine import check_paths

# (repository directory, file name, rule, attribute or target) -> why the finding is real.
EXPECTED: dict[tuple[str, str, str, str], str] = {
    ("GenesysCloudBlueprints__deploy-webmessaging-chatbot-with-lambda-blueprint",
     "blueprint__terraform__modules__flows__DudeWheresMyStuffMessage.yaml", "FL106", "DudesWheresMyStuffBot"):
        "the bot flow is deployed from another module of the blueprint and is not in the corpus",
    ("GenesysCloudBlueprints__deploy-webmessaging-chatbot-with-lambda-blueprint",
     "blueprint__terraform__modules__flows__DudeWheresMyStuffMessage.yaml", "FL005", "Context.CustomerFirstName"):
        "written by the web messenger's custom attributes (outside any flow): belongs in external-attributes",
    ("GenesysCloudBlueprints__dr-webmessaging-blueprint",
     "blueprint__webmessage-emergency-group__modules__flows__MyWebMessenger.yaml", "FL106", "MyChatBot"):
        "MyChatBot.yaml's name is the template placeholder {{...}}, so no flow is literally named MyChatBot",
    ("GenesysCloudBlueprints__dr-webmessaging-blueprint",
     "blueprint__webmessage-emergency-group__modules__flows__MyWebMessenger.yaml", "FL005", "Context.CustomerFirstName"):
        "written by the web messenger's custom attributes (outside any flow)",
    ("GenesysCloudBlueprints__process-participant-attributes-event-triggers-blueprint",
     "blueprint__src__terraform__architect-flow-templates__EventOrchestrator_Workflow.tftpl", "FL005", "paymentId"):
        "set by the secure flow; the workflow is started by an event trigger, a link only flow-links can declare",
    ("GenesysCloudBlueprints__scheduling-bot-blueprint",
     "exports__SchedulingBotInboundMessageFlow.i3InboundMessage", "FL106", "Scheduling Bot dev"):
        "the export calls the bot by its deployed name; the bot's YAML in the repo has a templated name",
    ("GenesysCloudBlueprints__send-message-transcript-by-email",
     "terraform__modules__flow__send-message-transcript-to-customer-by-email.yaml", "FL005", "transcriptRequested"):
        "set by the message flow; the workflow runs from an event trigger after it (declare with flow-links)",
    ("GenesysCloudBlueprints__send-message-transcript-by-email",
     "terraform__modules__flow__send-message-transcript-to-customer-by-email.yaml", "FL005", "email"):
        "set by the message flow; the workflow runs from an event trigger after it (two Gets, lines 117 and 557)",
    ("GenesysCloudBlueprints__send-message-transcript-by-email",
     "terraform__modules__flow__send-message-transcript-to-customer-by-email.yaml", "FL005", "phoneNumber"):
        "no flow of this repository sets it (two Gets); it comes from the messaging channel or another blueprint",
    ("GenesysCloudBlueprints__sms-followup-on-missed-callback-blueprint",
     "blueprint__terraform__architect__callback_sms_eventrigger_flow.yaml.tftpl", "FL005", "callbackNumber"):
        "written when the callback is created through the API, outside any flow",
    ("GenesysCloudBlueprints__switch-voice-to-web-messaging",
     "exports__Switch from Voice Channel with Context.i3InboundMessage", "FL005", "ogConversationId"):
        "no flow file of the repository sets it; the in-queue flow starts the SMS conversation through a data action, the only other writer in sight (outside flow files)",
    ("GenesysCloudBlueprints__switch-voice-to-web-messaging",
     "terraform__modules__inbound-message-flow__Switch from Voice Channel with Context.yaml", "FL005",
     "ogConversationId"):
        "same flow as the export above, in Archy YAML",
    ("GenesysCloudBlueprints__web-messaging-triage-bot-blueprint",
     "terraform__modules__flow__web-messaging-triage-bot.yaml", "FL106", "web-messaging-quick-response-bot"):
        "the quick-response bot is created by another blueprint and is not in the corpus",
    # FL105: one flow in two YAML files (exports beside their YAML are SHADOWED_PAIRS below).
    ("GenesysCloudBlueprints__webmessaging-chatbot-that-differentiates-on-and-off-hour-schedules",
     "docs__modules__flows__webmessage_flow.yaml", "FL105", "chat_bot_hours_differentiator"):
        "docs__modules__flows__del-webmessage_flow.yaml defines the same inbound message flow (a variant of this one)",
    ("andrewasfa__pc-bydesign-datadip", "extra__SAP_lookup.i3InboundFlow", "FL106", "Default In-Queue Flow"):
        "the transfer to ACD overrides the in-queue flow with the org's built-in default, never a project file",
}


#: An Architect export beside the Archy YAML of the same flow: both describe one flow, the
#: YAML is what gets deployed, so the cross-flow rules see the YAML only (config
#: ``yaml-shadows-exports``, on by default) and FL105 is not reported for the pair.  With the
#: setting off, each pair is a duplicate, as these reasons say.
SHADOWED_PAIRS: dict[tuple[str, str, str, str], str] = {
    ("GenesysCloudBlueprints__automated-callback-blueprint",
     "files__automated-powershell-script__flows__Proactive callback offer.yaml", "FL105", "Proactive callbacks"):
        "the blueprint ships the in-queue flow twice: as the export files__Proactive_callbacks_v1-0.i3InQueueFlow and as Archy YAML",
    ("GenesysCloudBlueprints__automated-callback-blueprint",
     "files__automated-powershell-script__flows__Trigger proactive callback workflow.yaml", "FL105",
     "Trigger proactive callback workflow"):
        "the same inbound flow as the export files__Trigger_proactive callback workflow_v1-0.i3InboundFlow",
    ("GenesysCloudBlueprints__design-architect-flow-data-actions-for-resiliency",
     "blueprint__src__CacheExampleFlow.yaml", "FL105", "Cache Example"):
        "the same inbound flow as the export blueprint__src__CacheExample.i3InboundFlow",
    ("GenesysCloudBlueprints__process-automation-trigger-with-salesforce",
     "exports__Conversation Summary.yaml", "FL105", "Mickelsen_Conversation_Summary"):
        "the same workflow as the export exports__Conversation Summary.i3WorkFlow",
    ("GenesysCloudBlueprints__update-gc-presence-on-communicate-call-activity-blueprint",
     "Set GC User to Available.yaml", "FL105", "Set GC User to Available"):
        "the same workflow as the export Set GC User to Available.i3WorkFlow",
    ("GenesysCloudBlueprints__update-gc-presence-on-communicate-call-activity-blueprint",
     "Set GC User to Busy.yaml", "FL105", "Set GC User to Busy"):
        "the same workflow as the export Set GC User to Busy.i3WorkFlow",
}


def _subject(message: str, attribute: str | None) -> str:
    if attribute is not None:
        return attribute
    return message.split("'")[1] if "'" in message else message


def test_corpus_findings_are_all_expected(corpus: Path) -> None:
    found: dict[tuple[str, str, str, str], int] = {}
    for repository in sorted(p for p in corpus.iterdir() if p.is_dir()):
        result = check_paths([str(repository)], Config())
        for diagnostic in result.diagnostics:
            key = (repository.name, Path(diagnostic.file).name, diagnostic.code,
                   _subject(diagnostic.message, diagnostic.attribute))
            found[key] = found.get(key, 0) + 1
    unexpected = sorted(set(found) - set(EXPECTED))
    missing = sorted(set(EXPECTED) - set(found))
    assert not unexpected, f"new findings on the corpus (check by hand, then pin or fix): {unexpected}"
    assert not missing, f"pinned findings no longer reported: {missing}"


def test_exports_beside_their_yaml_are_one_flow(corpus: Path) -> None:
    """The pairs are reported as duplicates only when shadowing is switched off: that, and
    nothing else, is why they are not in EXPECTED."""
    repositories = sorted({name for name, _, _, _ in SHADOWED_PAIRS})
    found: set[tuple[str, str, str, str]] = set()
    for name in repositories:
        for diagnostic in check_paths([str(corpus / name)], Config(yaml_shadows_exports=False)).diagnostics:
            if diagnostic.code == "FL105":
                found.add((name, Path(diagnostic.file).name, diagnostic.code,
                           _subject(diagnostic.message, diagnostic.attribute)))
    assert set(SHADOWED_PAIRS) <= found
