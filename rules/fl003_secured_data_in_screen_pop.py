"""FL003: a Set Screen Pop input is, or is computed from, a value read by Get Secured Data."""

from collections.abc import Iterator

from flowlint.analysis.taint import describe_chain, tainted_read
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity, related_at
from flowlint.registry import Example, Rule, RuleInfo

_FLOW = """\
inboundCall:
  name: Main IVR
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - getSecuredData:
              name: Read card token
              attributes:
                - attribute:
                    name:
                      lit: CardToken
                    variable: Flow.card
          - updateData:
              name: Mask
              statements:
                - string:
                    variable: Flow.masked
                    value:
                      exp: Append("****", Right(Flow.card, 4))
{clear}          - setScreenPop:
              name: Pop
              screenPopScript:
                Account Script:
                  inputs:
                    card:
                      exp: Flow.masked
"""
_CLEAR = """\
          - updateData:
              name: Forget
              statements:
                - string:
                    variable: Flow.masked
                    value:
                      lit: hidden
"""


class SecuredDataInScreenPop(Rule):
    info = RuleInfo(
        code="FL003",
        name="secured-data-in-screen-pop",
        severity=Severity.ERROR,
        summary="A Set Screen Pop input is, or is computed from, a value read by Get Secured Data.",
        why=(
            "Secured data is encrypted with the customer's own KMS key precisely so that it does not show up where "
            "people can see it, and Genesys documents that secured data cannot be assigned in a Set Screen Pop "
            "action: a screen pop puts its inputs on an agent's screen. flowlint follows every value read by Get "
            "Secured Data through assignments, expressions, loops, reusable tasks and common modules, and reports a "
            "screen pop input computed from it, with the chain of variables that carried it there (names and "
            "positions only; flowlint never prints the data)."
        ),
        examples=(
            Example("a masked copy of the card token still comes from secured data",
                    {"main.yaml": _FLOW.format(clear="")}, bad=True),
            Example("the variable is overwritten with a literal before the screen pop",
                    {"main.yaml": _FLOW.format(clear=_CLEAR)}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        taints = ctx.taints
        for flow in ctx.project.flows:
            taint = taints.get(id(flow))
            if taint is None:
                continue
            for action in flow.actions:
                if action.kind.value != "set_screen_pop":
                    continue
                state = taint.before(action.index)
                if not state:
                    continue
                for path, value in action.values:
                    found = tainted_read(state, value)
                    if found is None:
                        continue
                    variable, chain = found
                    input_name = path.rpartition(".inputs.")[2] or path
                    yield ctx.diagnostic(
                        self.info.code,
                        f"screen pop input '{input_name}' reads {variable}, which carries secured data: "
                        f"{describe_chain(chain)}; secured data must never reach an agent's screen, pass a "
                        f"non-secured identifier instead",
                        value.loc,
                        flow=flow,
                        related=tuple(related_at(f"{step.variable}: {step.how}", step.loc) for step in chain),
                    )


RULE = SecuredDataInScreenPop()
