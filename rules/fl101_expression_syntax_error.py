"""FL101: an expression that Architect cannot parse."""

from collections.abc import Iterator

from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.expressions.values import expression_loc
from ._flows import decision_flow
from flowlint.registry import Example, Rule, RuleInfo


class ExpressionSyntaxError(Rule):
    per_file = True  # findings depend on this flow only
    info = RuleInfo(
        code="FL101",
        name="expression-syntax-error",
        severity=Severity.ERROR,
        summary="An expression (`exp:` in Archy YAML, an expression-mode value in an export) does not parse.",
        why=(
            "Architect refuses to publish a flow with an expression it cannot parse, and the error only appears "
            "at `archy publish` or in the Architect UI, far from the YAML line. The usual causes are habits from "
            "other languages: `&&`/`||` instead of `and`/`or`, `=` instead of `==`, single-quoted strings, a "
            "missing comma or parenthesis, or a YAML escape that left a stray backslash. The finding points at "
            "the exact character in the file, through YAML quoting and line folding."
        ),
        examples=(
            Example("C-style operators in a decision", {"main.yaml": decision_flow(
                'Known caller?', 'IsSet(Call.Ani) && Call.Ani != ""')}, bad=True),
            Example("the same condition in Architect syntax", {"main.yaml": decision_flow(
                'Known caller?', 'IsSet(Call.Ani) and Call.Ani != ""')}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for found in ctx.expressions:
            error = found.result.error
            if error is not None:
                yield ctx.diagnostic(
                    self.info.code,
                    f"invalid expression: {error.message}",
                    expression_loc(found.value, error.offset, error.end_offset),
                    flow=found.flow,
                )


RULE = ExpressionSyntaxError()
