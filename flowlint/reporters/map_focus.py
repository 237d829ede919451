"""One neighbourhood of the map (``flowlint map --flow NAME`` / ``--attribute NAME``)."""

from __future__ import annotations

import difflib
from collections import deque
from dataclasses import replace

from flowlint.reporters.map_model import MapAttribute, MapModel, MapPath


class FocusError(ValueError):
    """The name matches nothing; ``str()`` says so, with a did-you-mean."""


def _unknown(kind: str, name: str, known: list[str]) -> FocusError:
    close = difflib.get_close_matches(name, sorted(set(known)), n=1, cutoff=0.6)
    hint = f": did you mean '{close[0]}'?" if close else ""
    return FocusError(f"no {kind} named '{name}' in the map{hint}")


def focus_flow(model: MapModel, name: str, depth: int = 1) -> MapModel:
    """The flows named ``name`` (ignoring case, as Architect does), the flows within ``depth``
    links of them either way, and what concerns those flows."""
    folded = name.casefold()
    start = [n.id for n in model.nodes if n.name.casefold() == folded]
    if not start:
        raise _unknown("flow", name, [n.name for n in model.nodes])
    near: dict[str, set[str]] = {}
    for edge in model.edges:
        near.setdefault(edge.source, set()).add(edge.target)
        near.setdefault(edge.target, set()).add(edge.source)
    distance = {node: 0 for node in start}
    queue = deque(start)
    while queue:
        current = queue.popleft()
        if distance[current] >= depth:
            continue
        for other in sorted(near.get(current, ())):
            if other not in distance:
                distance[other] = distance[current] + 1
                queue.append(other)
    return _restrict(model, set(distance), None, f"flow {name}")


def focus_attribute(model: MapModel, name: str) -> MapModel:
    """The attribute ``name`` and its case variants: the flows that set or read them and the
    links on the paths from the Sets to the Gets."""
    folded = name.casefold()
    chosen = {a.name for a in model.attributes if a.name.casefold() == folded}
    if not chosen:
        raise _unknown("attribute", name, [a.name for a in model.attributes])
    nodes: set[str] = set()
    edges: set[str] = set()
    for attribute in model.attributes:
        if attribute.name in chosen:
            nodes.update(s.node for s in attribute.sites)
            for path in attribute.paths:
                nodes.add(path.set_node)
                edges.update(path.edges)
    by_id = {e.id: e for e in model.edges}
    for edge_id in edges:
        nodes.update((by_id[edge_id].source, by_id[edge_id].target))
    return _restrict(model, nodes, chosen, f"attribute {name}", edges)


def _restrict(model: MapModel, nodes: set[str], attributes: set[str] | None, focus: str,
              edges: set[str] | None = None) -> MapModel:
    kept_edges = [e for e in model.edges if (e.id in edges if edges is not None
                                             else e.source in nodes and e.target in nodes)]
    kept_edge_ids = {e.id for e in kept_edges}
    findings = [f for f in model.findings
                if (f.node in nodes if attributes is None else f.attribute in attributes)]
    finding_index = {id(f): i for i, f in enumerate(findings)}
    old_index = {i: id(f) for i, f in enumerate(model.findings)}
    kept_attributes: list[MapAttribute] = []
    for attribute in model.attributes:
        if attributes is not None and attribute.name not in attributes:
            continue
        sites = [s for s in attribute.sites if s.node in nodes]
        if not sites:
            continue
        renumber = {old: new for new, old in enumerate(i for i, s in enumerate(attribute.sites) if s.node in nodes)}
        paths = [MapPath(renumber[p.get], p.set_node, p.edges) for p in attribute.paths
                 if p.get in renumber and p.set_node in nodes and all(e in kept_edge_ids for e in p.edges)]
        kept_attributes.append(replace(
            attribute, sites=sites, paths=paths,
            findings=[finding_index[old_index[i]] for i in attribute.findings if old_index[i] in finding_index]))
    kept_nodes = [n for n in model.nodes if n.id in nodes]
    projects = {n.project for n in kept_nodes}
    return MapModel([p for p in model.projects if p.id in projects], kept_nodes, kept_edges, kept_attributes,
                    [c for c in model.chains if c.node in nodes and (attributes is None or c.attribute in attributes)],
                    findings, model.files_checked, focus)
