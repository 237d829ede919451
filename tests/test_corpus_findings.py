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
        "info: no flow sets it; in an inbound message flow web messaging custom attributes (page-chosen names) "
        "may write it, and the note names that writer",
    ("GenesysCloudBlueprints__dr-webmessaging-blueprint",
     "blueprint__webmessage-emergency-group__modules__flows__MyWebMessenger.yaml", "FL106", "MyChatBot"):
        "MyChatBot.yaml's name is the template placeholder {{...}}, so no flow is literally named MyChatBot",
    ("GenesysCloudBlueprints__dr-webmessaging-blueprint",
     "blueprint__webmessage-emergency-group__modules__flows__MyWebMessenger.yaml", "FL005", "Context.CustomerFirstName"):
        "info: as above, web messaging custom attributes are the only possible writer",
    ("GenesysCloudBlueprints__scheduling-bot-blueprint",
     "exports__SchedulingBotInboundMessageFlow.i3InboundMessage", "FL106", "Scheduling Bot dev"):
        "the export calls the bot by its deployed name; the bot's YAML in the repo has a templated name",
    ("GenesysCloudBlueprints__send-message-transcript-by-email",
     "terraform__modules__flow__send-message-transcript-to-customer-by-email.yaml", "FL005", "phoneNumber"):
        "info, twice: line 121 reads the conversation by id (callback data or agent scripts may write it), line "
        "561 is a guarded read (tested with IsSet before use)",
    ("GenesysCloudBlueprints__sms-followup-on-missed-callback-blueprint",
     "blueprint__terraform__architect__callback_sms_eventrigger_flow.yaml.tftpl", "FL005", "callbackNumber"):
        "info: read by id from the callback conversation; callbacks created through the API carry their data "
        "map as attributes",
    ("GenesysCloudBlueprints__switch-voice-to-web-messaging",
     "exports__Switch from Voice Channel with Context.i3InboundMessage", "FL005", "ogConversationId"):
        "info: no flow file sets it; in an inbound message flow web messaging custom attributes may (the data "
        "action that PATCHes attributes is defined only in corpus-repos, not in this flat copy)",
    ("GenesysCloudBlueprints__switch-voice-to-web-messaging",
     "terraform__modules__inbound-message-flow__Switch from Voice Channel with Context.yaml", "FL005",
     "ogConversationId"):
        "info: same flow as the export above, in Archy YAML",
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


def test_get_before_set_on_the_corpus_is_only_ever_an_info_note(corpus: Path) -> None:
    """Every FL005 left on the corpus is explained by an outside writer or a guard: none is
    a warning that would fail a team's CI on these (correct) blueprints."""
    found = [d for repository in sorted(p for p in corpus.iterdir() if p.is_dir())
             for d in check_paths([str(repository)], Config()).diagnostics if d.code == "FL005"]
    assert found and all(d.severity.value == "info" for d in found), [d.message for d in found]


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
