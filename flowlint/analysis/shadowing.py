"""One flow, two formats: an Architect export kept beside the Archy YAML of the same flow.

Blueprint repositories ship both on purpose (the export for the Architect UI, the YAML for
Archy or Terraform).  Both describe one flow of the organisation, and the YAML is what gets
deployed, so the cross-flow rules must see the YAML flow only: counting the export too makes
FL105 fire on the deliberate pair and, worse, lets the export's Sets keep satisfying other
flows' Gets after the YAML Set is renamed — masking the very defect flowlint exists for.
Per-file rules still check the export itself.
"""

from __future__ import annotations

from flowlint.ir import Flow, Project, SourceFormat


def _key(flow: Flow) -> tuple[str, str]:
    return flow.type, flow.name.strip().casefold()


def cross_flow_view(project: Project, enabled: bool = True) -> Project:
    """``project`` without the export flows that a YAML flow of the same type and name
    (ignoring case, as Architect does) defines; the project itself when there are none."""
    if not enabled:
        return project
    shadowed = shadowed_exports(project.flows)
    if not shadowed:
        return project
    return Project([f for f in project.flows if id(f) not in shadowed], project.files)


def shadowed_exports(flows: list[Flow]) -> set[int]:
    """ids of the export flows that a YAML flow of the same type and name (ignoring case) defines."""
    exports = [f for f in flows if f.file.format is SourceFormat.EXPORT]
    if not exports:
        return set()
    yaml_keys = {_key(f) for f in flows if f.file.format is SourceFormat.YAML and f.name.strip()}
    return {id(f) for f in exports if _key(f) in yaml_keys}
