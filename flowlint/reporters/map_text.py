"""The map as text: Mermaid (renders in GitHub Markdown: pull-request comments, READMEs) and
Graphviz DOT.  Flows are nodes (shape by flow type), grouped by project; links are labelled
edges; flows with findings, and flows that set or read secured data, are marked.  Names
only: never a value from a flow."""

from __future__ import annotations

from collections.abc import Iterable

from flowlint.reporters.map_model import MapModel, MapNode

#: Flow type -> shape family, shared by both formats.
_ENTRY = frozenset({"inboundcall", "inboundchat", "inboundemail", "inboundshortmessage", "outboundcall"})
_QUEUE = frozenset({"inqueuecall", "inqueueemail", "inqueueshortmessage"})
_BOT = frozenset({"bot", "digitalbot", "voicesurvey", "survey"})


def family(node: MapNode) -> str:
    if node.type in ("missing", "external"):
        return node.type
    if node.type in _ENTRY:
        return "entry"
    if node.type in _QUEUE:
        return "queue"
    if node.type in _BOT:
        return "bot"
    if node.type == "commonmodule":
        return "module"
    if node.type == "securecall":
        return "secure"
    return "other"


def _worst(model: MapModel) -> dict[str, str]:
    rank = {"info": 1, "warning": 2, "error": 3}
    worst: dict[str, str] = {}
    for finding in model.findings:
        if finding.node is not None and rank[finding.severity] > rank.get(worst.get(finding.node, ""), 0):
            worst[finding.node] = finding.severity
    return worst


def _counts(model: MapModel) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in model.findings:
        if finding.node is not None:
            counts[finding.node] = counts.get(finding.node, 0) + 1
    return counts


def _secured_nodes(model: MapModel) -> set[str]:
    found = {s.node for a in model.attributes for s in a.sites if s.secured}
    return found | {c.node for c in model.chains}


def _label(node: MapNode, counts: dict[str, int]) -> str:
    label = node.name if node.is_flow else f"{node.name} ({node.type})"
    count = counts.get(node.id)
    return f"{label} [{count} finding{'s' if count != 1 else ''}]" if count else label


# -- Mermaid ---------------------------------------------------------------------------------

_MERMAID_SHAPES = {
    "entry": ("([", "])"), "queue": ("[/", "/]"), "bot": ("{{", "}}"), "module": ("[[", "]]"),
    "secure": ("[(", ")]"), "other": ("[", "]"), "missing": ("[", "]"), "external": ("[", "]"),
}
_MERMAID_ARROWS = {"transfer": "-->", "secure-transfer": "==>", "in-queue": "-.->", "module-call": "-->",
                   "bot-call": "-->", "flow-link": "-.->"}
_MERMAID_CLASSES = {
    "entry": "fill:#dbeafe,stroke:#1e40af,color:#111", "queue": "fill:#ede9fe,stroke:#5b21b6,color:#111",
    "bot": "fill:#dcfce7,stroke:#166534,color:#111", "module": "fill:#fef3c7,stroke:#92400e,color:#111",
    "secure": "fill:#fee2e2,stroke:#991b1b,color:#111", "other": "fill:#f3f4f6,stroke:#374151,color:#111",
    "missing": "fill:#fff,stroke:#6b7280,stroke-dasharray:4 3,color:#111",
    "external": "fill:#fff,stroke:#0f766e,stroke-dasharray:4 3,color:#111",
    "error": "stroke:#b91c1c,stroke-width:3px", "warning": "stroke:#b45309,stroke-width:3px",
    "securedata": "stroke:#7f1d1d,stroke-width:3px,stroke-dasharray:2 2",
}


def mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: quotes, entity starts and markup as entity codes."""
    out: list[str] = []
    for char in text:
        if char in '"#<>`|[](){}\\&;':
            out.append(f"#{ord(char)};")
        elif char in "\r\n\t":
            out.append(" ")
        elif ord(char) < 32:
            continue
        else:
            out.append(char)
    return "".join(out)


def render_mermaid(model: MapModel) -> str:
    counts, worst, secured = _counts(model), _worst(model), _secured_nodes(model)
    lines = ["flowchart LR"]
    for project in model.projects:
        nodes = [n for n in model.nodes if n.project == project.id]
        if not nodes:
            continue
        lines.append(f'  subgraph {project.id}["{mermaid_text("project " + project.name)}"]')
        for node in nodes:
            left, right = _MERMAID_SHAPES[family(node)]
            lines.append(f'    {node.id}{left}"{mermaid_text(_label(node, counts))}"{right}')
        lines.append("  end")
    for edge in model.edges:
        label = edge.kind if edge.action is None else f"{edge.kind}: {edge.action}"
        lines.append(f'  {edge.source} {_MERMAID_ARROWS[edge.kind]}|"{mermaid_text(label)}"| {edge.target}')
    groups: dict[str, list[str]] = {}
    for node in model.nodes:
        groups.setdefault(family(node), []).append(node.id)
        if node.id in worst and worst[node.id] != "info":
            groups.setdefault(worst[node.id], []).append(node.id)
        if node.id in secured:
            groups.setdefault("securedata", []).append(node.id)
    for name, style in _MERMAID_CLASSES.items():
        if name in groups:
            lines.append(f"  classDef {name} {style}")
            lines.append(f"  class {','.join(groups[name])} {name}")
    return "\n".join(lines) + "\n"


# -- DOT -------------------------------------------------------------------------------------

_DOT_SHAPES = {"entry": "box", "queue": "parallelogram", "bot": "hexagon", "module": "component",
               "secure": "cylinder", "other": "box", "missing": "box", "external": "box"}
_DOT_FILLS = {"entry": "#dbeafe", "queue": "#ede9fe", "bot": "#dcfce7", "module": "#fef3c7", "secure": "#fee2e2",
              "other": "#f3f4f6", "missing": "#ffffff", "external": "#ffffff"}
_DOT_EDGES = {"transfer": 'color="#1f2937"', "secure-transfer": 'color="#991b1b", penwidth=2',
              "in-queue": 'color="#5b21b6", style=dashed', "module-call": 'color="#92400e"',
              "bot-call": 'color="#166534"', "flow-link": 'color="#6b7280", style=dotted'}
_DOT_BORDERS = {"error": "#b91c1c", "warning": "#b45309"}


def dot_string(text: str) -> str:
    """A DOT double-quoted string (backslashes, quotes and line breaks escaped)."""
    cleaned = "".join(" " if c in "\r\n\t" else c for c in text if c in "\r\n\t" or ord(c) >= 32)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attrs(pairs: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"{key}={value}" for key, value in pairs)


def render_dot(model: MapModel) -> str:
    counts, worst, secured = _counts(model), _worst(model), _secured_nodes(model)
    lines = ["digraph flowlint {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11, style="filled"];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for index, project in enumerate(model.projects):
        nodes = [n for n in model.nodes if n.project == project.id]
        if not nodes:
            continue
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={dot_string('project ' + project.name)};")
        lines.append('    color="#9ca3af";')
        for node in nodes:
            kind = family(node)
            pairs = [("label", dot_string(_label(node, counts))), ("shape", _DOT_SHAPES[kind]),
                     ("fillcolor", dot_string(_DOT_FILLS[kind])),
                     ("tooltip", dot_string(f"{node.type_label}: {node.position.text if node.position else ''}"))]
            styles = ["filled"]
            if kind in ("missing", "external"):
                styles.append("dashed")
            if node.id in secured:
                styles.append("bold")
            pairs.append(("style", dot_string(",".join(styles))))
            border = _DOT_BORDERS.get(worst.get(node.id, ""))
            if border is not None:
                pairs += [("color", dot_string(border)), ("penwidth", "2")]
            lines.append(f"    {node.id} [{_attrs(pairs)}];")
        lines.append("  }")
    for edge in model.edges:
        label = edge.kind if edge.action is None else f"{edge.kind}: {edge.action}"
        lines.append(f"  {edge.source} -> {edge.target} [label={dot_string(label)}, {_DOT_EDGES[edge.kind]}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
