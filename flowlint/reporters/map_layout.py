"""Where the map draws each flow: a layered (Sugiyama-style) layout per project, left to right
along the links, computed here so that the page only draws (fast to open at 1,000 flows, and
the same input always gives the same picture).

Per project: links that close a cycle are reversed (depth-first, in node order); each flow
goes to the layer after its latest predecessor (longest path); flows within a layer are
ordered by the mean position of their neighbours (barycentre sweeps, down and up); flows with
no link at all are packed in a grid under the layered part.  Projects are stacked
vertically, each in its own frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flowlint.reporters.map_model import MapModel, MapNode

NODE_WIDTH = 188.0
NODE_HEIGHT = 40.0
LAYER_GAP = 84.0
ROW_GAP = 18.0
FRAME_PAD = 24.0
FRAME_TITLE = 28.0
PROJECT_GAP = 40.0
_SWEEPS = 6


@dataclass(slots=True)
class Frame:
    project: str
    x: float
    y: float
    width: float
    height: float


def layout(model: MapModel) -> list[Frame]:
    """Set every node's position and size; return each project's frame."""
    frames: list[Frame] = []
    top = 0.0
    for project in model.projects:
        nodes = [n for n in model.nodes if n.project == project.id]
        if not nodes:
            continue
        ids = {n.id for n in nodes}
        links = sorted({(e.source, e.target) for e in model.edges
                        if e.source in ids and e.target in ids and e.source != e.target})
        width, height = _layout_project(nodes, links, FRAME_PAD, top + FRAME_PAD + FRAME_TITLE)
        frames.append(Frame(project.id, 0.0, top, width + 2 * FRAME_PAD, height + 2 * FRAME_PAD + FRAME_TITLE))
        top += height + 2 * FRAME_PAD + FRAME_TITLE + PROJECT_GAP
    return frames


def _layout_project(nodes: list[MapNode], links: list[tuple[str, str]], left: float,
                    top: float) -> tuple[float, float]:
    order = {n.id: i for i, n in enumerate(nodes)}
    linked = {a for a, _ in links} | {b for _, b in links}
    successors: dict[str, list[str]] = {n.id: [] for n in nodes}
    for a, b in _acyclic(nodes, links, order):
        successors[a].append(b)
    predecessors: dict[str, list[str]] = {n.id: [] for n in nodes}
    for a, targets in successors.items():
        for b in targets:
            predecessors[b].append(a)
    layer = _layers(nodes, successors, predecessors, linked)
    layers: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for node in nodes:
        if node.id in linked:
            layers[layer[node.id]].append(node.id)
    _order_layers(layers, successors, predecessors, order)
    by_id = {n.id: n for n in nodes}
    width = 0.0
    height = 0.0
    for index, column in enumerate(layers):
        for row, node_id in enumerate(column):
            node = by_id[node_id]
            node.x, node.y = left + index * (NODE_WIDTH + LAYER_GAP), top + row * (NODE_HEIGHT + ROW_GAP)
            node.width, node.height = NODE_WIDTH, NODE_HEIGHT
            width = max(width, node.x - left + NODE_WIDTH)
            height = max(height, node.y - top + NODE_HEIGHT)
    lonely = [n for n in nodes if n.id not in linked]
    if lonely:
        columns = max(len(layers), math.ceil(math.sqrt(len(lonely) * 2)), 1)
        start = top + height + (ROW_GAP * 2 if height else 0)
        for index, node in enumerate(lonely):
            row, column = divmod(index, columns)
            node.x, node.y = left + column * (NODE_WIDTH + LAYER_GAP / 2), start + row * (NODE_HEIGHT + ROW_GAP)
            node.width, node.height = NODE_WIDTH, NODE_HEIGHT
            width = max(width, node.x - left + NODE_WIDTH)
            height = max(height, node.y - top + NODE_HEIGHT)
    return width, height


def _acyclic(nodes: list[MapNode], links: list[tuple[str, str]], order: dict[str, int]) -> list[tuple[str, str]]:
    """``links`` with those that close a cycle reversed (iterative depth-first search)."""
    out: dict[str, list[str]] = {n.id: [] for n in nodes}
    for a, b in links:
        out[a].append(b)
    for targets in out.values():
        targets.sort(key=order.__getitem__)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for root in (n.id for n in nodes):
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, index = stack[-1]
            targets = out[node]
            if index < len(targets):
                stack[-1] = (node, index + 1)
                target = targets[index]
                seen = state.get(target)
                if seen == 1:
                    back.add((node, target))
                elif seen is None:
                    state[target] = 1
                    stack.append((target, 0))
            else:
                state[node] = 2
                stack.pop()
    result = {(b, a) if (a, b) in back else (a, b) for a, b in links}
    return sorted((a, b) for a, b in result if a != b)


def _layers(nodes: list[MapNode], successors: dict[str, list[str]], predecessors: dict[str, list[str]],
            linked: set[str]) -> dict[str, int]:
    """Longest-path layering (Kahn's order over the acyclic links)."""
    indegree = {n.id: len(predecessors[n.id]) for n in nodes}
    layer = {n.id: 0 for n in nodes}
    ready = [n.id for n in nodes if n.id in linked and indegree[n.id] == 0]
    while ready:
        current = ready.pop()
        for target in successors[current]:
            layer[target] = max(layer[target], layer[current] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return layer


def _order_layers(layers: list[list[str]], successors: dict[str, list[str]], predecessors: dict[str, list[str]],
                  order: dict[str, int]) -> None:
    for sweep in range(_SWEEPS):
        downward = sweep % 2 == 0
        indexes = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for index in indexes:
            reference = layers[index - 1] if downward else layers[index + 1]
            place = {node: i for i, node in enumerate(reference)}
            neighbours = predecessors if downward else successors
            current = {node: i for i, node in enumerate(layers[index])}

            def key(node: str, place: dict[str, int] = place, neighbours: dict[str, list[str]] = neighbours,
                    current: dict[str, int] = current) -> tuple[float, int]:
                near = [place[n] for n in neighbours[node] if n in place]
                return (sum(near) / len(near) if near else float(current[node]), order[node])

            layers[index].sort(key=key)
