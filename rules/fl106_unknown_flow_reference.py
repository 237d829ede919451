"""FL106: a transfer or call names a flow that is not in the project."""

import difflib
from collections.abc import Iterator

from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from ._flows import task_flow
from flowlint.registry import Example, Rule, RuleInfo

_MAIN = task_flow('Main IVR', """\
- transferToFlow:
    name: To support
    targetFlow:
      name: {target}
""")
_SUPPORT = task_flow('Support', """\
- disconnect:
    name: Done
""")


class UnknownFlowReference(Rule):
    info = RuleInfo(
        code="FL106",
        name="unknown-flow-reference",
        severity=Severity.INFO,
        summary="A Transfer to Flow, Call Common Module or Call Bot Flow names a flow that is not in the project.",
        why=(
            "Cross-flow rules (case mismatches, Get before Set) can only follow hand-offs to flows they can see. "
            "A target that is not in the project is either a typo, a flow kept in another repository, or one "
            "created by hand in Architect. List deliberate ones in config `external-flows` so that the analysis "
            "knows the gap is intended; a misspelt name shows up here before the transfer fails at runtime."
        ),
        examples=(
            Example("transfer to a misspelt flow", {"main.yaml": _MAIN.format(target="Suport"),
                                                    "support.yaml": _SUPPORT}, bad=True),
            Example("transfer to a flow in the project", {"main.yaml": _MAIN.format(target="Support"),
                                                          "support.yaml": _SUPPORT}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        external = set(ctx.config.external_flows)
        graph = ctx.flow_graph
        names: list[str] | None = None
        # One fuzzy search per distinct name (it scans every flow name): the two best, so that
        # when the best is the calling flow itself (a flow does not transfer to itself) the next can be named.
        close: dict[str, list[str]] = {}
        for reference in graph.references:
            if reference.targets or reference.name in external:
                continue
            candidates = close.get(reference.name)
            if candidates is None:
                if names is None:
                    names = sorted({f.name for f in graph.flows})
                candidates = close[reference.name] = difflib.get_close_matches(reference.name, names, n=2)
            others = [c for c in candidates if c != reference.source.name]
            hint = f"did you mean '{others[0]}'? If" if others else "if"
            yield ctx.diagnostic(
                self.info.code,
                f"'{reference.name}' is not a flow in this project; {hint} it lives elsewhere, add it to "
                f"`external-flows`",
                reference.value.loc,
                flow=reference.source,
            )


RULE = UnknownFlowReference()
