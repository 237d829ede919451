"""The map as one self-contained HTML page (``flowlint map -o map.html``).

The page holds the map's JSON document (:mod:`flowlint.reporters.map_json`, laid out in
Python by :mod:`flowlint.reporters.map_layout`), a stylesheet and a script of its own
(``map.css``, ``map.js`` next to this module), all inline: it opens from disk with no network
access (its Content-Security-Policy forbids any), and draws 1,000 flows in well under a
second because there is no layout to compute in the browser.  Names, types and positions
only: the page never holds a value from a flow.
"""

from __future__ import annotations

import html
import json
import os
from functools import cache
from importlib import resources
from pathlib import Path

from flowlint.reporters.map_json import map_document
from flowlint.reporters.map_model import MapModel
from flowlint.reporters.map_text import family

#: How links to flow files are written: relative to the page (``#L<line>`` anchors), or
#: ``vscode://file/...:line:column`` URIs that open the editor at the line.
LINK_STYLES = ("relative", "vscode")


@cache
def _asset(name: str) -> str:
    return resources.files("flowlint.reporters").joinpath(name).read_text(encoding="utf-8")


def _script_json(document: object) -> str:
    """JSON safe inside a <script> element: no ``</script>``, no HTML comment openers."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _hrefs(files: set[str], output_dir: str, style: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for file in sorted(files):
        absolute = os.path.abspath(file)
        if style == "vscode":
            found[file] = "vscode://file" + Path(absolute).as_posix()
        else:
            relative = os.path.relpath(absolute, output_dir)
            found[file] = Path(relative).as_posix().replace("%", "%25").replace("#", "%23").replace("?", "%3F")
    return found


def render_html(model: MapModel, *, output_dir: str | None = None, link_style: str = "relative",
                rules_url: str = "docs/rules.md", select: dict[str, str] | None = None) -> str:
    """The page. ``output_dir``: where it will be written (relative links start there)."""
    document = map_document(model)
    document["links"] = {"style": link_style, "rules": rules_url,
                         "hrefs": _hrefs(_files(model), output_dir or os.getcwd(), link_style)}
    document["families"] = {node.id: family(node) for node in model.nodes}
    document["select"] = select
    flows = sum(1 for n in model.nodes if n.is_flow)
    title = "flowlint map" + (f" \u2014 {model.focus}" if model.focus else "")
    summary = (f"{flows} flow{'s' if flows != 1 else ''} in {len(model.projects)} project"
               f"{'s' if len(model.projects) != 1 else ''} \u00b7 {_count(len(model.edges), 'link')} \u00b7 "
               f"{_count(len(model.attributes), 'attribute')} \u00b7 {_count(len(model.findings), 'finding')}")
    return _PAGE.format(
        title=html.escape(title), summary=html.escape(summary), css=_asset("map.css"),
        data=_script_json(document), script=_asset("map.js"), legend=_LEGEND)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _files(model: MapModel) -> set[str]:
    """Every file the page links to."""
    positions = [n.position for n in model.nodes] + [e.position for e in model.edges]
    positions += [s.position for a in model.attributes for s in a.sites]
    positions += [c.position for c in model.chains] + [s.position for c in model.chains for s in c.steps]
    positions += [f.position for f in model.findings]
    return {p.file for p in positions if p is not None}


def _swatch(shape: str, css: str) -> str:
    return (f'<svg width="34" height="18" aria-hidden="true"><g class="node {css}">{shape}</g></svg>')


_LEGEND = "".join([
    '<details id="legend" open><summary><strong>Legend</strong></summary><ul class="plain">',
    f'<li>{_swatch("<rect class=shape x=2 y=2 width=30 height=14 rx=7 />", "fam-entry")}'
    'inbound / outbound flow</li>',
    f'<li>{_swatch("<polygon class=shape points=6,2,32,2,28,16,2,16 />", "fam-queue")}in-queue flow</li>',
    f'<li>{_swatch("<polygon class=shape points=6,2,28,2,32,9,28,16,6,16,2,9 />", "fam-bot")}bot flow</li>',
    f'<li>{_swatch("<rect class=shape x=2 y=2 width=30 height=14 /><path class=shape d=M6,2V16M28,2V16 />", "fam-module")}'
    'common module</li>',
    f'<li>{_swatch("<rect class=shape x=2 y=2 width=30 height=14 rx=6 />", "fam-secure")}secure flow</li>',
    f'<li>{_swatch("<rect class=shape x=2 y=2 width=30 height=14 rx=2 />", "fam-other")}other flow type</li>',
    f'<li>{_swatch("<rect class=shape x=2 y=2 width=30 height=14 />", "fam-missing")}'
    'named flow not in the project (dashed teal: external-flows)</li>',
    '<li><svg width="34" height="18" aria-hidden="true"><rect x="3" y="3" width="28" height="12" fill="none" '
    'stroke="#991b1b" stroke-width="2" stroke-dasharray="2 2"/></svg>handles secured data</li>',
    '<li><svg width="34" height="18" aria-hidden="true"><circle cx="17" cy="9" r="7" fill="#b91c1c"/></svg>'
    'findings (red error, amber warning, blue info)</li>',
    '<li><svg width="34" height="18" aria-hidden="true"><path d="M2 9H32" stroke="#6b7280" stroke-width="1.5"/>'
    '</svg>transfer, module or bot call</li>',
    '<li><svg width="34" height="18" aria-hidden="true"><path d="M2 9H32" stroke="#991b1b" stroke-width="2.5"/>'
    '</svg>transfer to secure flow</li>',
    '<li><svg width="34" height="18" aria-hidden="true"><path d="M2 9H32" stroke="#5b21b6" stroke-width="1.5" '
    'stroke-dasharray="6 3"/></svg>in-queue flow override</li>',
    '<li><svg width="34" height="18" aria-hidden="true"><path d="M2 9H32" stroke="#6b7280" stroke-width="1.5" '
    'stroke-dasharray="2 3"/></svg>configured flow-link</li>',
    '<li><span class="tag set">SET</span> <span class="tag get">GET</span> flows that set / read the selected '
    'attribute; purple links: a path from a Set to a Get</li>',
    '</ul><p class="muted">Keys: <kbd>/</kbd> search, <kbd>Tab</kbd> to a flow, arrows to move along links, '
    '<kbd>Enter</kbd> select, <kbd>Esc</kbd> overview, <kbd>+</kbd>/<kbd>-</kbd> zoom, <kbd>0</kbd> fit.</p>'
    '</details>',
])

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="flowlint map">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
<a class="skip" href="#search">Skip to the attribute search</a>
<header>
<h1>{title}</h1>
<div class="summary">{summary}</div>
<div class="hint">names, types and positions only: no value from any flow</div>
</header>
<main>
<aside id="panel" aria-label="Details">
<label for="search"><strong>Find an attribute or flow</strong> <kbd>/</kbd></label>
<input id="search" type="search" autocomplete="off" spellcheck="false" placeholder="e.g. AccountId"
 aria-describedby="results">
<ul id="results" aria-label="Matches"></ul>
<section id="details" aria-live="polite"></section>
{legend}
</aside>
<div id="canvas" tabindex="0" aria-label="Map of the flows: drag to pan, wheel or + and - to zoom">
<svg id="map" role="group" aria-label="Flows and the links between them">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" \
orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#4b5563"/></marker></defs>
<g id="viewport"></g>
</svg>
<div id="controls"><button id="zoom-in" type="button" aria-label="Zoom in">+</button>\
<button id="zoom-out" type="button" aria-label="Zoom out">&minus;</button>\
<button id="zoom-fit" type="button">Fit</button><button id="reset" type="button">Overview</button></div>
</div>
</main>
<script type="application/json" id="map-data">{data}</script>
<script>
{script}</script>
</body>
</html>
"""
