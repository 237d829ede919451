"""The map as JSON (``flowlint map --format json``), as ``flowlint/data/map.schema.json``
describes it; the HTML page embeds the same document.  Names, types and positions only."""

from __future__ import annotations

import json
from typing import Any

from flowlint import __version__
from flowlint.reporters.map_layout import layout
from flowlint.reporters.map_model import EDGE_KIND_LABELS, MapModel, Position, docs_anchor
from flowlint.registry import rules_by_code

SCHEMA_VERSION = 1


def _position(position: Position | None) -> dict[str, Any] | None:
    if position is None:
        return None
    return {"file": position.file, "line": position.line, "column": position.column, "logical": position.logical}


def map_document(model: MapModel) -> dict[str, Any]:
    """The whole map as plain JSON data (laid out: nodes carry their positions)."""
    frames = layout(model)
    codes = sorted({f.code for f in model.findings})
    rules = rules_by_code()
    return {
        "schema": SCHEMA_VERSION,
        "tool": {"name": "flowlint", "version": __version__},
        "focus": model.focus,
        "files_checked": model.files_checked,
        "projects": [{"id": p.id, "name": p.name, "config": p.config,
                      "frame": next(({"x": f.x, "y": f.y, "width": f.width, "height": f.height}
                                     for f in frames if f.project == p.id), None)} for p in model.projects],
        "nodes": [{"id": n.id, "name": n.name, "type": n.type, "type_label": n.type_label, "project": n.project,
                   "position": _position(n.position), "deployment": n.deployment,
                   "x": n.x, "y": n.y, "width": n.width, "height": n.height} for n in model.nodes],
        "edges": [{"id": e.id, "source": e.source, "target": e.target, "kind": e.kind,
                   "kind_label": EDGE_KIND_LABELS[e.kind], "action": e.action, "position": _position(e.position)}
                  for e in model.edges],
        "attributes": [{
            "name": a.name, "stores": a.stores, "variants": a.variants, "external": a.external,
            "secured": a.secured, "findings": a.findings,
            "sites": [{"node": s.node, "action": s.action, "action_type": s.action_type, "op": s.op,
                       "store": s.store, "position": _position(s.position), "secured": s.secured,
                       "external": s.external, "guarded": s.guarded} for s in a.sites],
            "paths": [{"get": p.get, "set_node": p.set_node, "edges": p.edges} for p in a.paths],
        } for a in model.attributes],
        "chains": [{"node": c.node, "action": c.action, "sink": c.sink, "rule": c.rule,
                    "position": _position(c.position), "attribute": c.attribute, "declassified": c.declassified,
                    "steps": [{"variable": s.variable, "how": s.how, "position": _position(s.position),
                               "declassified": s.declassified} for s in c.steps]} for c in model.chains],
        "findings": [{"code": f.code, "rule": f.rule, "severity": f.severity, "message": f.message,
                      "position": _position(f.position), "node": f.node, "attribute": f.attribute,
                      "docs": f"rules.md#{docs_anchor(f.code)}"} for f in model.findings],
        "rules": {code: {"name": rules[code].info.name, "summary": rules[code].info.summary}
                  for code in codes if code in rules},
    }


def render_json(model: MapModel) -> str:
    return json.dumps(map_document(model), indent=2, ensure_ascii=False) + "\n"
