"""The attribute inventory (``flowlint attributes``): every attribute name with its store,
where it is set and read, whether writers outside the flows set it, whether secured data
reaches it, and its findings.  Sorted and stable (one line per fact, no counts or times), so
a team can commit it and review its changes.  Names and positions only, never a value."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flowlint.reporters.map_model import MapAttribute, MapModel, MapSite

FORMATS = ("table", "csv", "json", "markdown")
_HEADER = ("attribute", "store", "op", "flow", "action", "location", "external_writer", "secured", "findings")


def _site_findings(model: MapModel, attribute: MapAttribute, site: MapSite) -> list[str]:
    codes = {model.findings[i].code for i in attribute.findings
             if model.findings[i].position.file == site.position.file
             and model.findings[i].position.line == site.position.line}
    return sorted(codes)


def _rows(model: MapModel) -> list[tuple[str, ...]]:
    names = {n.id: n.name for n in model.nodes}
    rows: list[tuple[str, ...]] = []
    for attribute in model.attributes:
        for site in sorted(attribute.sites, key=lambda s: (s.op != "set", names[s.node].casefold(), s.position.file,
                                                           s.position.line or 0, s.action)):
            rows.append((attribute.name, site.store, site.op, names[site.node], f"{site.action_type} '{site.action}'",
                         site.position.text, site.external or "", "yes" if site.secured else "",
                         " ".join(_site_findings(model, attribute, site))))
    return rows


def render_inventory(model: MapModel, output_format: str) -> str:
    if output_format == "json":
        return render_json(model)
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_HEADER)
        writer.writerows(_rows(model))
        return buffer.getvalue()
    if output_format == "markdown":
        return render_markdown(model)
    return render_table(model)


def render_table(model: MapModel) -> str:
    rows = [tuple(h.upper().replace("_", " ") for h in _HEADER), *_rows(model)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    if len(rows) == 1:
        lines.append("(no attribute is set or read by a literal name)")
    return "\n".join(lines) + "\n"


def render_json(model: MapModel) -> str:
    names = {n.id: n.name for n in model.nodes}
    document: list[dict[str, Any]] = []
    for attribute in model.attributes:
        sites = [{"op": s.op, "store": s.store, "flow": names[s.node], "action": s.action,
                  "action_type": s.action_type, "file": s.position.file, "line": s.position.line,
                  "column": s.position.column, "logical": s.position.logical, "external_writer": s.external,
                  "secured": s.secured, "findings": _site_findings(model, attribute, s)} for s in attribute.sites]
        document.append({
            "attribute": attribute.name, "stores": attribute.stores, "variants": attribute.variants,
            "external_writers": attribute.external, "secured_data": attribute.secured,
            "set": [s for s in sites if s["op"] == "set"], "get": [s for s in sites if s["op"] == "get"],
            "findings": [{"code": model.findings[i].code, "severity": model.findings[i].severity,
                          "location": model.findings[i].position.text} for i in attribute.findings],
        })
    return json.dumps({"attributes": document}, indent=2, ensure_ascii=False) + "\n"


def _md(text: str) -> str:
    """Text for a Markdown table cell: markup characters escaped, HTML neutralised."""
    out: list[str] = []
    for char in text:
        if char in "\\`*_{}[]()#+!|~>":
            out.append("\\" + char)
        elif char == "<":
            out.append("&lt;")
        elif char == "&":
            out.append("&amp;")
        elif char in "\r\n\t":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def render_markdown(model: MapModel) -> str:
    names = {n.id: n.name for n in model.nodes}
    lines = ["| Attribute | Store | Set in | Read in | Written outside the flows | Secured data | Findings |",
             "|---|---|---|---|---|---|---|"]

    def where(site: MapSite) -> str:
        return f"{_md(names[site.node])} › {_md(site.action)} ({_md(site.position.text)})"

    for attribute in model.attributes:
        sets = [where(s) for s in attribute.sites if s.op == "set"]
        gets = [where(s) for s in attribute.sites if s.op == "get"]
        name = _md(attribute.name) + (f" (case variant of {', '.join(_md(v) for v in attribute.variants)})"
                                      if attribute.variants else "")
        codes = sorted({model.findings[i].code for i in attribute.findings})
        lines.append("| " + " | ".join([
            name, ", ".join(attribute.stores), "<br>".join(sets) or "—", "<br>".join(gets) or "—",
            ", ".join(_md(w) for w in attribute.external) or "—", "yes" if attribute.secured else "—",
            ", ".join(codes) or "—"]) + " |")
    return "\n".join(lines) + "\n"
