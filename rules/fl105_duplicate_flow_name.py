"""FL105: two flow files define a flow of the same type and name."""

from collections.abc import Iterator

from flowlint.analysis.flowgraph import canonical_order, same_deployment
from flowlint.context import Context
from flowlint.diagnostics import Diagnostic, Severity, related_at, where
from flowlint.ir import Flow
from flowlint.loaders.placeholders import has_placeholder
from flowlint.registry import Example, Rule, RuleInfo
from flowlint.tables import flow_type_label

from ._flows import task_flow

_DONE = """\
- disconnect:
    name: Done
"""


def _key(flow: Flow) -> tuple[str, str] | None:
    """Architect identifies a flow by type and name, ignoring case; templated and empty names
    are unknown until deployment, so they never collide here."""
    name = flow.name.strip()
    if not name or has_placeholder(name):
        return None
    return flow.type, name.casefold()


class DuplicateFlowName(Rule):
    info = RuleInfo(
        code="FL105",
        name="duplicate-flow-name",
        severity=Severity.WARNING,
        summary="Two flow files define a flow of the same type and name (ignoring case).",
        why=(
            "Architect knows one flow per type and name: publishing the second file replaces the first, so one of "
            "them never runs as written, usually a copy left behind by a rename, or an old export kept next to "
            "the Archy YAML. Cross-flow rules cannot tell which one transfers and calls reach; they follow both, "
            "which can hide a Get before Set or report one that cannot happen. The finding is on every file after "
            "the first (in path order) and names the first; remove or rename the stale copy."
        ),
        examples=(
            Example("the same flow name in two files", {
                "flows/main.yaml": task_flow("Main IVR", _DONE),
                "old/main-copy.yaml": task_flow("main ivr", _DONE),
            }, bad=True),
            Example("different names, or the same name for flows of different types", {
                "main.yaml": task_flow("Main IVR", _DONE),
                "support.yaml": task_flow("Support", _DONE),
                "main-workflow.yaml": task_flow("Main IVR", "- endFlow:\n    name: Done\n", flow_type="workflow"),
            }, bad=False),
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        seen: dict[tuple[str, str], list[Flow]] = {}
        for flow in canonical_order(ctx.project.flows):
            key = _key(flow)
            if key is None:
                continue
            earlier = seen.setdefault(key, [])
            original = next((f for f in earlier if same_deployment(f, flow)), None)
            earlier.append(flow)
            if original is None:
                continue
            deployed = f" (deployed by {original.deployment})" if original.deployment else ""
            yield ctx.diagnostic(
                self.info.code,
                f"flow name '{flow.name}' is already used by the {flow_type_label(original.type)} flow '{original.name}' "
                f"in {_file_of(original)}{deployed}; publishing one replaces the other, and cross-flow rules "
                f"follow both: remove or rename the stale copy",
                flow.name_loc,
                flow=flow,
                related=(related_at(f"the first flow named '{original.name}'", original.name_loc),),
            )


def _file_of(flow: Flow) -> str:
    """Where the other flow is: ``file:line`` of its name, or just the file for an export (its
    logical location would only repeat the flow's name, which the message already gives)."""
    span = flow.name_loc.file.resolve(flow.name_loc)
    return where(flow.name_loc) if span is not None else flow.name_loc.file.path


RULE = DuplicateFlowName()
