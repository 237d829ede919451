"""FL004: an action used in a flow type that does not offer it (data-driven matrix)."""

from collections.abc import Iterator

from flowlint.analysis.availability import availability
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.registry import Example, Rule, RuleInfo
from flowlint.tables import flow_type_by_api_type

_BOT = """\
botFlow:
  name: Helper Bot
  startUpRef: /botFlow/bots/bot[b]
  bots:
    - bot:
        name: Default Bot
        refId: b
        actions:
          - {action}:
              name: Remember card
              attributes:
                - attribute:
                    name:
                      lit: CardToken
                    value:
                      exp: Flow.token
          - exitBotFlow:
              name: Done
"""
_MODULE = """\
commonModule:
  name: Shared
  settingsCommonModule:
    compatibleFlowTypes:
      - flowType: inboundcall
      - flowType: {second}
  startUpTaskActions:
    - getSecuredData:
        name: Read card
        attributes:
          - attribute:
              name:
                lit: CardToken
              variable: Common.card
"""


class ActionNotAllowedInFlowType(Rule):
    per_file = True  # findings depend on this flow only
    info = RuleInfo(
        code="FL004",
        name="action-not-allowed-in-flow-type",
        severity=Severity.ERROR,
        summary="An action is used in a flow type that does not offer it (e.g. secured data in bot flows, "
                "participant data in workflows).",
        why=(
            "Architect's toolbox differs by flow type: Set/Get Secured Data exist in every flow type except bot "
            "flows, and workflows use Set/Get Conversation Data instead of participant data. A flow file written "
            "or generated outside Architect can still contain such an action, and it then fails at import or "
            "publish. A common module may only use actions that all of its compatible flow types offer. The "
            "matrix is data (flowlint/data/availability.json) with the evidence for every cell; only cells known "
            "to be unavailable are reported."
        ),
        examples=(
            Example("Set Secured Data in a bot flow", {"bot.yaml": _BOT.format(action="setSecuredData")}, bad=True),
            Example("a common module compatible with digital bots reads secured data",
                    {"module.yaml": _MODULE.format(second="digitalbot")}, bad=True),
            Example("participant data in a bot flow is fine",
                    {"bot.yaml": _BOT.format(action="setParticipantData")}, bad=False),
            Example("a module for call flows only may read secured data",
                    {"module.yaml": _MODULE.format(second="inqueuecall")}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        labels = flow_type_by_api_type()
        for flow in ctx.project.flows:
            types = [flow.type]
            if flow.type == "commonmodule" and flow.compatible_flow_types:
                types = flow.compatible_flow_types
            for action in flow.actions:
                for flow_type in types:
                    cell = availability(action.kind.value, flow_type)
                    if cell is None or cell.status != "not_allowed":
                        continue
                    label = labels[flow_type].label if flow_type in labels else flow_type
                    advice = f"; {cell.advice}" if cell.advice else ""
                    if flow_type == flow.type:
                        message = f"{cell.label} is not available in flows of type {label} ({cell.evidence}){advice}"
                    else:
                        message = (f"{cell.label} cannot be used in common module '{flow.name}': it is compatible "
                                   f"with {label} flows, which do not offer it ({cell.evidence}){advice}")
                    yield ctx.diagnostic(
                        self.info.code,
                        message,
                        action.loc,
                        flow=flow,
                    )
                    break


RULE = ActionNotAllowedInFlowType()
