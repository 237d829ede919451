"""FL005: a Get that can run before any Set of the same attribute."""

from collections.abc import Iterator

from flowlint.analysis.attributes import Site, Store, other_store
from flowlint.analysis.external import BY_ID, DataActionCall
from flowlint.analysis.flowgraph import FlowGraph, same_deployment
from flowlint.analysis.mustset import key
from flowlint.analysis.reads import near_names
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity, related_at, where
from flowlint.ir import ActionKind, Flow
from ._flows import task_flow, web_chat_flow
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
            "flow that can run before this one (transfers, module and bot calls, in-queue flow overrides, "
            "`flow-links` from config), including Sets inside the common modules those flows call. Names the "
            "platform writes are known (web chat's `context.*` form fields, from flowlint/data/external_attributes.json); "
            "names a page or an API client chooses (web messaging custom attributes, callback data) and data actions "
            "that PATCH participant attributes make the finding an info note naming that writer, as do a read "
            "the flow immediately tests with `IsNotSetOrEmpty`/`IsSet` (a guarded read) and a read whose variable "
            "is never used. Declare other outside writers in config `external-attributes`. Attribute names "
            "computed by expressions are skipped, not guessed (FL008)."
        ),
        examples=(
            Example("Support reads AccountId but nothing sets it first",
                    {"main.yaml": _MAIN.format(before=""), "support.yaml": _SUPPORT}, bad=True),
            Example("set only on the 'yes' path of a decision", {"lonely.yaml": _SAME_FLOW}, bad=True),
            Example("Main IVR sets AccountId and transfers to Support",
                    {"main.yaml": _MAIN.format(before=_SET_ACCOUNT), "support.yaml": _SUPPORT}, bad=False),
            Example("web chat writes every form field as context.<field>",
                    {"chat.yaml": web_chat_flow("context.email")}, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        table = ctx.attributes
        external = ctx.external
        graph = ctx.flow_graph
        # Per attribute, not per Get: a popular attribute has thousands of Sets in a large org.
        setter_flows: dict[tuple[Store, str], frozenset[int]] = {}
        for site in table.gets:
            name = site.name
            if name is None:
                continue
            by_id = site.action.kind == ActionKind.GET_CONVERSATION_DATA
            scope = ctx.scope(site.flow) | {BY_ID} if by_id else ctx.scope(site.flow)
            if external.covering(name, scope) is not None:
                continue  # written by the platform (web chat) or declared in config
            setters = [s for s in table.sets.get((site.store, name), []) if same_deployment(s.flow, site.flow)]
            if not setters and (table.sets_folded.get((site.store, name.lower()))
                                or external.respelling(name, scope) is not None):
                continue  # a case mismatch: FL001 reports it
            if not setters and table.sets.get((other_store(site.store), name)):
                continue  # set in the other store only: FL006 reports it
            if by_id and setters:
                continue  # another conversation, read by id (a workflow started later): set by a flow of it
            if ctx.mustset(site.flow).is_set_before(site.action.index, key(site.store.value, name)) is not False:
                continue  # unreachable (None), or certainly set on every path to here
            flows = setter_flows.get((site.store, name))
            if flows is None:
                flows = setter_flows[(site.store, name)] = _running_sets(graph, setters)
            if not graph.ancestors(site.flow).isdisjoint(flows):
                continue
            yield self._report(ctx, site, setters, scope, id(site.flow) in flows)

    def _report(self, ctx: Context, site: Site, setters: list[Site], scope: frozenset[str],
                in_own_flow: bool) -> Diagnostic:
        """A warning when nothing explains the read; an info note naming what may (a guard,
        an outside writer, a data action that writes any attribute, an unused variable)."""
        name = site.name or ""
        flow = site.flow
        variable = site.variable
        related = tuple(related_at(f"'{name}' is set here", s.attribute.name.loc) for s in setters[:5])
        severity: Severity | None = Severity.INFO
        tested = site.attribute.guarded_by
        writers = ctx.external.open_writers(scope) if not setters else []
        calls = _data_action_calls(ctx, flow)
        if tested is not None:
            message = (f"Get of '{name}' may read nothing here (no Set is certain to run before it), and the flow "
                       f"handles that: {variable} is tested at {where(tested)} before it is used")
            related += (related_at(f"{variable} is tested here", tested),)
        elif calls:
            call = calls[0]
            message = (f"Get of '{name}' has no Set before it in any flow, but {call.describe()}: such an action "
                       f"writes whatever participant attributes it is given, so '{name}' may come from it; if it "
                       f"does not, set it before this Get")
            related += (related_at("the data action is called here", call.action.loc),)
        elif writers:
            titles = " or ".join(w.title for w in writers[:2])
            where_from = ("the conversation it reads by id may carry it from" if BY_ID in scope
                          else "in this flow it may come from")
            message = (f"Get of '{name}' reads an attribute no flow in the project sets; {where_from} {titles} "
                       f"({writers[0].basis}), which choose their own names: if so, declare it in "
                       f"`external-attributes`, else set it before this Get")
        elif variable and site.attribute.unused:
            elsewhere = ""
            if setters and not in_own_flow:
                names = _flow_list(setters)
                elsewhere = (f" (it is set only in {names}, which cannot run before flow '{flow.name}'; if it does, "
                             f"declare it in `flow-links`)")
            message = (f"Get of '{name}' can run before any Set{elsewhere}, but nothing reads {variable}: remove "
                       f"the Get, or set '{name}' before it if the value is needed")
        else:
            severity = None
            message = self._unexplained(ctx, site, setters, in_own_flow)
        return ctx.diagnostic(self.info.code, message, site.attribute.name.loc, flow=flow, attribute=name,
                              related=related, severity=severity)

    def _unexplained(self, ctx: Context, site: Site, setters: list[Site], in_own_flow: bool) -> str:
        name = site.name or ""
        flow = site.flow
        own = next((s for s in setters if s.flow is flow), None)
        if own is not None:
            return (f"Get of '{name}' can run before it is set: the Set at {where(own.attribute.name.loc)} "
                    f"is not on every path from the start of flow '{flow.name}' to this Get")
        if in_own_flow:
            modules = _flow_list([s for s in setters if s.flow.type == "commonmodule"], "module")
            return (f"Get of '{name}' can run before it is set: common module {modules} sets it, but "
                    f"flow '{flow.name}' does not call it on every path to this Get")
        near = _near_upstream(ctx, site)
        if near:
            upstream, spelling = near
            return (f"Get of '{name}' reads an attribute no flow sets before it; flow '{upstream}', which runs "
                    f"before this one, sets '{spelling}': did you mean '{spelling}'?")
        if not setters:
            return (f"Get of '{name}' reads an attribute that no flow in the project sets; if it is written "
                    f"outside the project (API, scripts, another system), add it to `external-attributes`")
        names = _flow_list(setters)
        return (f"Get of '{name}' can run before any Set: it is set only in {names}, which cannot run "
                f"before flow '{flow.name}'; if it does (e.g. through a queue), declare it in `flow-links`")


#: How many setting flows a message names; the rest are counted ("and 12 more").
_MAX_NAMED_FLOWS = 3


def _flow_list(setters: list[Site], noun: str = "flow") -> str:
    """The flows setting the attribute, for a message: the first few by name, then a count."""
    names = sorted({s.flow.name for s in setters})
    shown = ", ".join(f"'{n}'" for n in names[:_MAX_NAMED_FLOWS])
    rest = len(names) - _MAX_NAMED_FLOWS
    return f"{shown} and {rest} more {noun}(s)" if rest > 0 else shown


def _running_sets(graph: FlowGraph, setters: list[Site]) -> frozenset[int]:
    """ids of the flows in which a Set of ``setters`` runs: their own flows, and for a Set in
    a common module the flows calling the module (through modules calling modules)."""
    found: set[int] = set()
    pending = [s.flow for s in setters]
    while pending:
        flow = pending.pop()
        if id(flow) in found:
            continue
        found.add(id(flow))
        if flow.type == "commonmodule":
            pending.extend(graph.predecessors_direct.get(id(flow), []))
    return frozenset(found)


def _data_action_calls(ctx: Context, flow: Flow) -> list[DataActionCall]:
    """Calls of data actions that write any participant attribute: in this flow or one that
    runs before it first, then anywhere in its deployment (they write the conversation
    whose id they are given, not only their own)."""
    calls = ctx.external.data_action_calls
    if not calls:
        return []
    mine = calls.get(id(flow), [])
    ancestors = ctx.flow_graph.ancestors(flow)
    # In project order (``calls`` is): ids order by memory address, which differs run to run.
    upstream = [c for i, found in calls.items() if i in ancestors for c in found]
    anywhere = [c for found in calls.values() for c in found
                if c.flow is not flow and id(c.flow) not in ancestors and same_deployment(c.flow, flow)]
    # A call of a named writer says more than one of an action known by id only (exports).
    return sorted(mine + upstream + anywhere, key=lambda call: call.definition is None)


def _near_upstream(ctx: Context, site: Site) -> tuple[str, str] | None:
    """A flow running before the Get's (or its own) that sets a near-identical name."""
    ancestors = ctx.flow_graph.ancestors(site.flow)
    by_name: dict[str, str] = {}
    for (store, name), sets in ctx.attributes.sets.items():
        if store is not site.store:
            continue
        for s in sets:
            if s.flow is site.flow or id(s.flow) in ancestors:
                by_name.setdefault(name, s.flow.name)
                break
    near = near_names(site.name or "", by_name)
    return (by_name[near[0]], near[0]) if near else None


RULE = GetBeforeSet()
