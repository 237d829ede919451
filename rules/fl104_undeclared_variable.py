"""FL104: an expression reads a Flow/Task/State variable the flow never declares or assigns."""

import difflib
from collections.abc import Iterator

from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.expressions.analysis import variables_read
from flowlint.expressions.values import expression_loc
from flowlint.ir import Flow, ValueKind
from flowlint.registry import Example, Rule, RuleInfo

#: Namespaces whose variables the flow itself must declare (or assign).
CHECKED_NAMESPACES = frozenset({"flow", "task", "state"})

#: Built-in variables that live in the Flow namespace (reference expressions.md §4), case-folded.
FLOW_BUILTINS = frozenset({
    "flow.startdatetimeutc", "flow.version", "flow.istest", "flow.holdprompt", "flow.invocationdata",
    "flow.wrapupcode", "flow.contact", "flow.campaign", "flow.contactlist",
})

_FLOW = """\
inboundCall:
  name: Main
  startUpRef: /inboundCall/tasks/task[t]
  variables:
    - stringVariable:
        name: Flow.customerName
        initialValue:
          lit: friend
  tasks:
    - task:
        name: Main
        refId: t
        actions:
          - playAudio:
              name: Greet
              audio:
                exp: ToAudioTTS(Append("Hello ", {variable}))
          - disconnect:
              name: End
"""


class UndeclaredVariable(Rule):
    per_file = True  # findings depend on this flow only
    info = RuleInfo(
        code="FL104",
        name="undeclared-variable",
        severity=Severity.WARNING,
        summary="An expression reads a Flow., Task. or State. variable that the flow neither declares nor "
                "assigns anywhere.",
        why=(
            "A variable that nothing declares or writes is almost always a typo or a leftover from a rename: "
            "Architect resolves names case-insensitively, so `Flow.customername` is the same variable as "
            "`Flow.customerName`, but `Flow.custName` is another one, which is never set and reads NOT_SET. "
            "Declarations (`variables:` of the flow, a task or a state) and every output binding (`var:` outputs, "
            "Update Data targets, Get Participant Data variables) count as defining the variable. Built-in "
            "Flow variables such as Flow.StartDateTimeUtc are known; other namespaces (Call., Slot., Common., "
            "System., ...) are not checked."
        ),
        examples=(
            Example("a renamed variable still read under its old name", {"main.yaml": _FLOW.format(
                variable="Flow.custName")}, bad=True),
            Example("the declared name, in another letter case", {"main.yaml": _FLOW.format(
                variable="Flow.customername")}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        defined: dict[int, dict[str, str]] = {}
        for found in ctx.expressions:
            if found.result.ast is None:
                continue
            flow = found.flow
            names = defined.get(id(flow))
            if names is None:
                names = defined[id(flow)] = _defined(flow)
            for ref in variables_read(found.result.ast):
                folded = ref.name.casefold()
                if ref.namespace.casefold() not in CHECKED_NAMESPACES or folded in names or folded in FLOW_BUILTINS:
                    continue
                close = difflib.get_close_matches(folded, sorted(names), n=1, cutoff=0.8)
                hint = f" (did you mean {names[close[0]]}?)" if close else ""
                yield ctx.diagnostic(
                    self.info.code,
                    f"{ref.name} is read but never declared or assigned in flow '{flow.name}'{hint}",
                    expression_loc(found.value, ref.start, ref.end),
                    flow=flow,
                )


def _defined(flow: Flow) -> dict[str, str]:
    """Every variable the flow declares or binds: case-folded name -> a spelling of it."""
    names: dict[str, str] = {}
    for variable in [*flow.variables, *(v for container in flow.containers for v in container.variables)]:
        names.setdefault(variable.name.casefold(), variable.name)
    for action in flow.actions:
        for _, value in action.bindings:
            if value.kind in (ValueKind.VAR, ValueKind.BARE) and value.text:
                names.setdefault(value.text.strip().casefold(), value.text.strip())
    return names


RULE = UndeclaredVariable()
