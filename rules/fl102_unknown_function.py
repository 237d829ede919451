"""FL102: a call to a function that Architect does not have."""

from collections.abc import Iterator

from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.expressions.checks import unknown_function
from flowlint.expressions.values import expression_loc
from ._flows import task_flow
from flowlint.registry import Example, Rule, RuleInfo

_FLOW = task_flow('Main', """\
- setParticipantData:
    name: Remember caller
    attributes:
      - attribute:
          name:
            lit: CallerName
          value:
            exp: {expression}
- disconnect:
    name: End
""", task='Main')


class UnknownFunction(Rule):
    per_file = True  # findings depend on this flow only
    info = RuleInfo(
        code="FL102",
        name="unknown-function",
        severity=Severity.WARNING,
        summary="An expression calls a function that is not in Architect's function catalog.",
        why=(
            "Architect has its own function names (`Upper`, not `ToUpper`; `FindString`, not `IndexOf`) and "
            "rejects a flow that calls anything else. Names are matched case-insensitively, as Architect does, "
            "and the message suggests the nearest real function. This is a warning, not an error, because "
            "Genesys adds functions over time and flowlint's catalog (flowlint/data/functions.json) may lag "
            "behind. Calls with the wrong number of arguments to a known function are FL107 wrong-arity, "
            "an error of its own: that catalog fact is stable and Architect always rejects such a call."
        ),
        examples=(
            Example("a function name from another language", {"main.yaml": _FLOW.format(
                expression="ToUpper(Call.RemoteName)")}, bad=True),
            Example("Architect's name for it, in any letter case", {"main.yaml": _FLOW.format(
                expression="upper(Call.RemoteName)")}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for found, call in ctx.expression_calls:
            problem = unknown_function(call)
            if problem is not None:
                yield ctx.diagnostic(self.info.code, problem.message,
                                     expression_loc(found.value, problem.start, problem.end), flow=found.flow)


RULE = UnknownFunction()
