"""FL006: a Get reads an attribute from one store that only the other store's Set writes."""

from collections.abc import Iterator

from flowlint.analysis.attributes import DATA_ACTION_LABELS, Site, Store, other_store
from flowlint.analysis.flowgraph import same_deployment
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity, related_at, where
from flowlint.registry import Example, Rule, RuleInfo

from ._flows import task_flow

_MAIN = task_flow("Main IVR", """\
- setSecuredData:
    name: Keep card token
    attributes:
      - attribute:
          name:
            lit: CardToken
          value:
            exp: Call.Ani
- transferToFlow:
    name: To payments
    targetFlow:
      name: Payments
""")
_PAYMENTS = task_flow("Payments", """\
- {get}:
    name: Read card token
    attributes:
      - attribute:
          name:
            lit: CardToken
          variable: Task.token
- disconnect:
    name: Done
""")

_READ_WITH = {Store.SECURED: "Get Secured Data", Store.PARTICIPANT: "Get Participant Data (Get Conversation Data in a workflow)"}


def _sets(ctx: Context, store: Store, site: Site) -> list[Site]:
    """Set sites of ``site``'s exact name in ``store`` that can meet it (same deployment)."""
    assert site.name is not None
    return [s for s in ctx.attributes.sets.get((store, site.name), []) if same_deployment(s.flow, site.flow)]


class AttributeStoreMismatch(Rule):
    info = RuleInfo(
        code="FL006",
        name="attribute-store-mismatch",
        severity=Severity.ERROR,
        summary=("A Get reads participant data that only Set Secured Data writes, or secured data that only Set "
                 "Participant/Conversation Data writes."),
        why=(
            "Participant data and customer secured data are two separate stores: participant attributes belong to "
            "a participant (`/conversations/{id}/participants/{id}/attributes`), secured attributes to the "
            "conversation (`/conversations/{id}/secureattributes`, encrypted with the customer's key). Get "
            "Participant Data never sees a value written by Set Secured Data, and Get Secured Data never sees one "
            "written by Set Participant Data: the Get silently reads nothing and the flow goes on with an empty "
            "variable. flowlint reports a Get whose exact name is set in the project only in the other store (by "
            "flows that can meet it: the same deployment), and says which Get reads that store. A name set in both "
            "stores is not reported; a difference in letter case is FL001's."
        ),
        examples=(
            Example("the card token is kept with Set Secured Data but read with Get Participant Data",
                    {"main.yaml": _MAIN, "payments.yaml": _PAYMENTS.format(get="getParticipantData")}, bad=True),
            Example("it is read back with Get Secured Data",
                    {"main.yaml": _MAIN, "payments.yaml": _PAYMENTS.format(get="getSecuredData")}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        for site in ctx.attributes.gets:
            if site.name is None:
                continue
            other = other_store(site.store)
            elsewhere = _sets(ctx, other, site)
            if not elsewhere or _sets(ctx, site.store, site):
                continue
            first = elsewhere[0]
            setter = DATA_ACTION_LABELS.get(first.action.kind, first.action.key)
            getter = DATA_ACTION_LABELS.get(site.action.kind, site.action.key)
            others = f" and {len(elsewhere) - 1} more Set site(s)" if len(elsewhere) > 1 else ""
            yield ctx.diagnostic(
                self.info.code,
                f"'{site.name}' is in the {other.value} store (set by {setter} at {where(first.attribute.name.loc)}"
                f"{others}); {getter} reads the {site.store.value} store and finds nothing; read it with "
                f"{_READ_WITH[other]}",
                site.attribute.name.loc,
                flow=site.flow,
                attribute=site.name,
                related=tuple(related_at(f"'{s.name}' is set in the {other.value} store here "
                                         f"({DATA_ACTION_LABELS.get(s.action.kind, s.action.key)})", s.attribute.name.loc)
                              for s in elsewhere),
            )


RULE = AttributeStoreMismatch()
