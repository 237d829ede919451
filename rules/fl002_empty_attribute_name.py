"""FL002: empty or whitespace-only attribute name in a Set/Get of participant, conversation or secured data."""

from collections.abc import Iterator

from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import ValueKind
from ._flows import task_flow
from flowlint.registry import Example, Rule, RuleInfo

_FLOW = task_flow('Main', """\
- setParticipantData:
    name: Remember
    attributes:
      - attribute:
          name:
            lit: {name}
          value:
            exp: Call.Ani
- disconnect:
    name: Done
""")


class EmptyAttributeName(Rule):
    per_file = True  # findings depend on this flow only
    info = RuleInfo(
        code="FL002",
        name="empty-attribute-name",
        severity=Severity.ERROR,
        summary="An attribute name in a Set/Get of participant, conversation or secured data is empty or blank.",
        why=(
            "An empty or whitespace-only attribute name usually comes from a copy-paste or a template variable "
            "that was never filled in. A Set with such a name writes data no Get can find (or fails at runtime), "
            "and a Get reads nothing. The attribute row should be given its real name or removed."
        ),
        examples=(
            Example("empty literal name", {"main.yaml": _FLOW.format(name='""')}, bad=True),
            Example("whitespace-only name", {"main.yaml": _FLOW.format(name='"   "')}, bad=True),
            Example("a real name", {"main.yaml": _FLOW.format(name="CallerAni")}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for site in ctx.attributes.sites:
            name = site.attribute.name
            if name.kind in (ValueKind.LIT, ValueKind.BARE) and name.text is not None:
                if name.text.strip():
                    continue
                problem = "is empty" if not name.text else "contains only whitespace"
            elif name.kind in (ValueKind.NO_VALUE, ValueKind.OTHER) and name.text is None and name.data is None:
                problem = "is missing"
            else:
                continue  # expressions (dynamic names) are checked elsewhere
            verb = "Set" if site.is_set else "Get"
            yield ctx.diagnostic(
                self.info.code,
                f"attribute name {problem} in {verb} action '{site.action.name}'; give the attribute its real "
                f"name or remove the row",
                name.loc,
                flow=site.flow,
                attribute=name.text,
            )


RULE = EmptyAttributeName()
