"""FL007: a value read from secured data reaches a non-secured sink (other than Set Screen Pop: FL003)."""

from collections.abc import Iterator

from flowlint.analysis.taint import (Role, SlotEntry, attribute_at, describe_chain, is_declassified,
                                     secured_flow_table, sink_hits)
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity, related_at
from flowlint.ir import Action, ActionKind
from flowlint.registry import Example, Rule, RuleInfo

from ._flows import task_flow

_READ = """\
- getSecuredData:
    name: Read card token
    attributes:
      - attribute:
          name:
            lit: CardToken
          variable: Flow.card
"""
_STORE = """\
- {action}:
    name: Remember card
    attributes:
      - attribute:
          name:
            lit: LastCard
          value:
            exp: Right(Flow.card, 4)
"""
_LOOKUP = """\
- {action}:
    name: Charge card
    category:
      Payments:
        dataAction:
          Charge:
            inputs:
              token:
                exp: Flow.card
"""
_END = """\
- disconnect:
    name: Done
"""

#: A Set's value: Archy YAML ``attributes[i].attribute.value``, export ``variables[i].expression``.
def _slot(action: Action, path: str) -> tuple[str, str | None]:
    """How a message names the slot, and the attribute name when it is a Set's value."""
    name = attribute_at(action, path)
    if name is not None:
        return f"the value of attribute '{name}'", name
    _, marker, rest = path.partition(".inputs.")
    if marker:
        return f"input '{rest}'", None
    return f"'{path}'", None


def _severity(entry: SlotEntry, declassified: bool) -> Severity:
    return Severity.INFO if declassified else Severity(entry.finding_severity)


class SecuredDataLeak(Rule):
    info = RuleInfo(
        code="FL007",
        name="secured-data-leak",
        severity=Severity.WARNING,
        summary=("A value read from secured data (Get Secured Data, Decrypt Data, a secure variable, ...) reaches a "
                 "non-secured sink: participant data, a data action input, a bot flow, spoken or written text, ..."),
        why=(
            "Customer secured data is encrypted with the customer's own key, and secure variables are kept out of "
            "recordings and logs, so that sensitive values do not show up in clear. Copying such a value into "
            "participant data, a data action input, a secure flow's invocation data, a callback or voicemail "
            "script, a bot flow, an external tag or UUI data, or saying or writing it to someone, undoes that. "
            "flowlint follows secured values through assignments, expressions, loops, reusable tasks and common "
            "modules (Encrypt Data cleans them; Extract Secure Data is an acknowledged declassification, reported "
            "as info) and reports each sink they reach, with the chain that carried them there and the basis of "
            "the sink: a documented prohibition is an error, an inferred leak a warning. The sinks are data "
            "(flowlint/data/sinks.json), not code. Set Screen Pop is FL003's. flowlint never prints the data."
        ),
        examples=(
            Example("the last digits of the card token are stored in participant data",
                    {"main.yaml": task_flow("Main IVR", _READ + _STORE.format(action="setParticipantData") + _END)},
                    bad=True),
            Example("the card token is sent to an ordinary data action",
                    {"main.yaml": task_flow("Main IVR", _READ + _LOOKUP.format(action="callData") + _END)},
                    bad=True),
            Example("they are stored with Set Secured Data",
                    {"main.yaml": task_flow("Main IVR", _READ + _STORE.format(action="setSecuredData") + _END)},
                    bad=False),
            Example("the card token goes to a PCI-compliant action through Call Secure Data",
                    {"main.yaml": task_flow("Main IVR", _READ + _LOOKUP.format(action="callDataSecure") + _END)},
                    bad=False),
        ),
    )

    def _sinks(self, action: Action) -> list[SlotEntry]:
        if action.kind == ActionKind.SET_SCREEN_POP:  # FL003's, whatever the table says
            return []
        return [entry for entry in secured_flow_table().for_action(action, Role.SINK) if entry.rule == self.info.code]

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        taints = ctx.taints
        for flow in ctx.project.flows:
            taint = taints.get(id(flow))
            if taint is None:
                continue
            for hit in sink_hits(flow, taint, self._sinks):
                entry, chain = hit.entry, hit.chain
                declassified = is_declassified(chain)
                slot, attribute = _slot(hit.action, hit.path)
                note = " (declassified on the way, as the author acknowledged: reported as info)" if declassified else ""
                yield ctx.diagnostic(
                    self.info.code,
                    f"{entry.action} '{hit.action.name}': {slot} reads {hit.variable}, which carries secured data"
                    f"{note}: {describe_chain(chain)}; {entry.basis.value}: {entry.why}; {entry.fix}",
                    hit.value.loc,
                    flow=flow,
                    attribute=attribute,
                    related=tuple(related_at(f"{step.variable}: {step.how}", step.loc) for step in chain),
                    severity=_severity(entry, declassified),
                )

RULE = SecuredDataLeak()
