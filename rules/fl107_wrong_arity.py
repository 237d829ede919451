"""FL107: a known function called with a number of arguments none of its forms takes."""

from collections.abc import Iterator

from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.expressions.checks import wrong_arity
from flowlint.expressions.values import expression_loc
from ._flows import decision_flow
from flowlint.registry import Example, Rule, RuleInfo


class WrongArity(Rule):
    per_file = True  # findings depend on this flow only
    info = RuleInfo(
        code="FL107",
        name="wrong-arity",
        severity=Severity.ERROR,
        summary="A function is called with more or fewer arguments than any of its forms accepts.",
        why=(
            "Architect checks every call against the function's overloads and refuses to publish a flow whose "
            "call matches none, e.g. `Contains` with one argument, or `MakeDateTime` with 4 (it takes 3 or 6). "
            "It is its own rule rather than part of FL102 unknown-function because the two differ in certainty: "
            "an unknown name may be a function newer than flowlint's catalog (a warning), while the arity of a "
            "known function is a stable catalog fact (an error)."
        ),
        examples=(
            Example("a missing argument", {"main.yaml": decision_flow(
                'Has area code?', 'Contains(Call.Ani)')}, bad=True),
            Example("every argument given", {"main.yaml": decision_flow(
                'Has area code?', 'Contains(Call.Ani, "+1317")')}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for found, call in ctx.expression_calls:
            problem = wrong_arity(call)
            if problem is not None:
                yield ctx.diagnostic(self.info.code, problem.message,
                                     expression_loc(found.value, problem.start, problem.end), flow=found.flow)


RULE = WrongArity()
