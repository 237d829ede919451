"""FL005: a Get that can run before any Set of the same attribute."""

from collections.abc import Iterator

from flowlint.analysis.attributes import Site, Store
from flowlint.analysis.mustset import key
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity, related_at, where
from ._flows import task_flow
from flowlint.registry import Example, Rule, RuleInfo

_MAIN = """\
inboundCall:
  name: Main IVR
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
{before}          - transferToFlow:
              name: To support
              targetFlow:
                name: Support
"""
_SET_ACCOUNT = """\
          - setParticipantData:
              name: Remember account
              attributes:
                - attribute:
                    name:
                      lit: AccountId
                    value:
                      exp: Call.Ani
"""
_SUPPORT = task_flow('Support', """\
- getParticipantData:
    name: Read account
    attributes:
      - attribute:
          name:
            lit: AccountId
          variable: Task.account
- disconnect:
    name: Done
""")
_SAME_FLOW = task_flow('Lonely', """\
- decision:
    name: Known?
    condition:
      exp: IsSet(Call.Ani)
    outputs:
      "yes":
        actions:
          - setParticipantData:
              name: Remember
              attributes:
                - attribute:
                    name:
                      lit: Seen
                    value:
                      lit: "true"
- getParticipantData:
    name: Read
    attributes:
      - attribute:
          name:
            lit: Seen
          variable: Task.seen
- disconnect:
    name: Done
""")


class GetBeforeSet(Rule):
    info = RuleInfo(
        code="FL005",
        name="get-before-set",
        severity=Severity.WARNING,
        summary="A Get of an attribute can run before any Set of it: on some path in this flow, and in no flow that "
                "can run earlier.",
        why=(
            "A Get Participant Data that runs before the attribute was ever set reads nothing, and the flow "
            "silently continues with an empty value. flowlint follows every path from the flow's start (decisions, "
            "switches, loops that may run zero times, task calls, menus, common modules) and also looks at every "
            "flow that can run before this one (transfers, module and bot calls, and `flow-links` from config for "
            "in-queue flows). Attributes written outside the project (the Conversations API, scripts, web messaging "
            "custom attributes) belong in config `external-attributes`. Attribute names computed by expressions "
            "are skipped, not guessed."
        ),
        examples=(
            Example("Support reads AccountId but nothing sets it first",
                    {"main.yaml": _MAIN.format(before=""), "support.yaml": _SUPPORT}, bad=True),
            Example("set only on the 'yes' path of a decision", {"lonely.yaml": _SAME_FLOW}, bad=True),
            Example("Main IVR sets AccountId and transfers to Support",
                    {"main.yaml": _MAIN.format(before=_SET_ACCOUNT), "support.yaml": _SUPPORT}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        table = ctx.attributes
        external = set(ctx.config.external_attributes)
        graph = ctx.flow_graph
        # Per attribute, not per Get: a popular attribute has thousands of Sets in a large org.
        setter_flows: dict[tuple[Store, str], frozenset[int]] = {}
        setter_names: dict[tuple[Store, str], str] = {}
        for site in table.gets:
            name = site.name
            if name is None or name in external:
                continue
            setters = table.sets.get((site.store, name), [])
            if not setters and table.sets_folded.get((site.store, name.lower())):
                continue  # a case mismatch: FL001 reports it
            if ctx.mustset(site.flow).is_set_before(site.action.index, key(site.store.value, name)) is not False:
                continue  # unreachable (None), or certainly set on every path to here
            ancestors = graph.ancestors(site.flow)
            flows = setter_flows.get((site.store, name))
            if flows is None:
                flows = setter_flows[(site.store, name)] = frozenset(id(s.flow) for s in setters)
            if not ancestors.isdisjoint(flows):
                continue
            names = ""
            if id(site.flow) not in flows:
                names = setter_names.get((site.store, name), "")
                if not names:
                    names = setter_names[(site.store, name)] = ", ".join(sorted({f"'{s.flow.name}'" for s in setters}))
            yield self._report(ctx, site, setters, names)

    def _report(self, ctx: Context, site: Site, setters: list[Site], names: str) -> Diagnostic:
        """``names``: the flows setting the attribute, when ``site``'s own flow is not one of them."""
        name = site.name or ""
        same_flow = next((s for s in setters if s.flow is site.flow), None) if not names else None
        if not setters:
            message = (f"Get of '{name}' reads an attribute that no flow in the project sets; if it is written "
                       f"outside the project (API, scripts, another system), add it to `external-attributes`")
        elif same_flow is not None:
            message = (f"Get of '{name}' can run before it is set: the Set at {where(same_flow.attribute.name.loc)} "
                       f"is not on every path from the start of flow '{site.flow.name}' to this Get")
        else:
            message = (f"Get of '{name}' can run before any Set: it is set only in {names}, which cannot run "
                       f"before flow '{site.flow.name}'; if it does (e.g. through a queue), declare it in "
                       f"`flow-links`")
        return ctx.diagnostic(self.info.code, message, site.attribute.name.loc, flow=site.flow, attribute=name,
                              related=tuple(related_at(f"'{name}' is set here", s.attribute.name.loc)
                                            for s in setters[:5]))


RULE = GetBeforeSet()
