/* flowlint map: draws the laid-out map (positions come from flowlint) and makes it explorable.
   No network, no library: everything the page needs is in the page. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var nodes = data.nodes, edges = data.edges, attributes = data.attributes, findings = data.findings;
  var byId = {}, outgoing = {}, incoming = {}, nodeFindings = {}, nodeSites = {}, nodeChains = {};
  var RANK = { info: 1, warning: 2, error: 3 };
  var FAMILY = data.families;

  nodes.forEach(function (n) { byId[n.id] = n; outgoing[n.id] = []; incoming[n.id] = []; nodeFindings[n.id] = []; nodeSites[n.id] = []; nodeChains[n.id] = []; });
  var edgeById = {};
  edges.forEach(function (e) { edgeById[e.id] = e; outgoing[e.source].push(e); incoming[e.target].push(e); });
  findings.forEach(function (f, i) { if (f.node && nodeFindings[f.node]) nodeFindings[f.node].push(i); });
  attributes.forEach(function (a, ai) { a.sites.forEach(function (s, si) { nodeSites[s.node].push([ai, si]); }); });
  data.chains.forEach(function (c, ci) { nodeChains[c.node].push(ci); });
  var attributeByName = {};
  attributes.forEach(function (a, i) { attributeByName[a.name] = i; });

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function worst(list) {
    var w = null;
    list.forEach(function (i) { var s = findings[i].severity; if (!w || RANK[s] > RANK[w]) w = s; });
    return w;
  }
  function truncate(text, max) { return text.length > max ? text.slice(0, max - 1) + "\u2026" : text; }
  function where(p) { return p ? (p.line ? p.file + ":" + p.line : p.file + (p.logical ? " (" + p.logical + ")" : "")) : ""; }
  function locLink(p) {
    if (!p) return el("span", { className: "muted", text: "(no position)" });
    var base = data.links.hrefs[p.file];
    var href = base;
    if (base !== undefined && p.line) href = data.links.style === "vscode" ? base + ":" + p.line + ":" + (p.column || 1) : base + "#L" + p.line;
    var attrs = { className: "loc", "data-file": p.file, "data-line": p.line === null ? "" : String(p.line), text: where(p) };
    if (href !== undefined) attrs.href = href;
    return el("a", attrs);
  }
  function ruleLink(f) {
    var rule = data.rules[f.code];
    var anchor = f.docs.split("#")[1], base = data.links.rules;
    return el("a", { className: "rule", href: base.indexOf("{anchor}") >= 0 ? base.replace("{anchor}", anchor) : base + "#" + anchor,
      title: rule ? rule.name + ": " + rule.summary : f.code, text: f.code + (rule ? " " + rule.name : "") });
  }

  // -- drawing --------------------------------------------------------------------------------
  var svg = document.getElementById("map"), viewport = document.getElementById("viewport");
  function shape(n, fam) {
    var x = n.x, y = n.y, w = n.width, h = n.height;
    if (fam === "entry") return '<rect class="shape" x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" rx="' + h / 2 + '"/>';
    if (fam === "bot") return '<polygon class="shape" points="' + [x + 12, y, x + w - 12, y, x + w, y + h / 2, x + w - 12, y + h, x + 12, y + h, x, y + h / 2].join(",") + '"/>';
    if (fam === "queue") return '<polygon class="shape" points="' + [x + 10, y, x + w, y, x + w - 10, y + h, x, y + h].join(",") + '"/>';
    if (fam === "module") return '<rect class="shape" x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '"/><path class="shape" d="M' + (x + 8) + " " + y + "V" + (y + h) + "M" + (x + w - 8) + " " + y + "V" + (y + h) + '"/>';
    if (fam === "secure") return '<rect class="shape" x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" rx="12" ry="12"/>';
    return '<rect class="shape" x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" rx="3"/>';
  }
  function edgePath(e) {
    var s = byId[e.source], t = byId[e.target];
    if (s === t) {
      var rx = s.x + s.width, ry = s.y + s.height / 2;
      return "M" + rx + " " + (ry - 8) + "C" + (rx + 40) + " " + (ry - 40) + " " + (rx + 40) + " " + (ry + 40) + " " + rx + " " + (ry + 8);
    }
    var x1 = s.x + s.width, y1 = s.y + s.height / 2, x2 = t.x, y2 = t.y + t.height / 2;
    if (x2 > x1 + 10) {
      var dx = (x2 - x1) / 2;
      return "M" + x1 + " " + y1 + "C" + (x1 + dx) + " " + y1 + " " + (x2 - dx) + " " + y2 + " " + x2 + " " + y2;
    }
    var bx1 = s.x + s.width / 2, by1 = s.y + s.height, bx2 = t.x + t.width / 2, by2 = t.y + t.height;
    var drop = Math.max(by1, by2) + 40 + Math.abs(bx2 - bx1) / 8;
    return "M" + bx1 + " " + by1 + "C" + bx1 + " " + drop + " " + bx2 + " " + drop + " " + bx2 + " " + by2;
  }
  function draw() {
    var parts = [];
    data.projects.forEach(function (p) {
      if (!p.frame) return;
      parts.push('<g class="frame"><rect x="' + p.frame.x + '" y="' + p.frame.y + '" width="' + p.frame.width + '" height="' + p.frame.height + '"/><text x="' + (p.frame.x + 12) + '" y="' + (p.frame.y + 22) + '">project ' + esc(p.name) + "</text></g>");
    });
    parts.push('<g id="edges">');
    edges.forEach(function (e) {
      var label = e.kind_label + (e.action ? ": " + e.action : "") + (e.position ? " (" + where(e.position) + ")" : "");
      parts.push('<path class="edge k-' + e.kind + '" id="edge-' + e.id + '" d="' + edgePath(e) + '" marker-end="url(#arrow)"><title>' + esc(byId[e.source].name + " \u2192 " + byId[e.target].name + ": " + label) + "</title></path>");
    });
    parts.push('</g><g id="nodes">');
    nodes.forEach(function (n) {
      var fam = FAMILY[n.id], list = nodeFindings[n.id], w = worst(list);
      var secured = nodeChains[n.id].length > 0 || nodeSites[n.id].some(function (p) { return attributes[p[0]].sites[p[1]].secured; });
      var label = n.name + ", " + n.type_label + (list.length ? ", " + list.length + " finding" + (list.length > 1 ? "s" : "") : "") + (secured ? ", handles secured data" : "");
      parts.push('<g class="node fam-' + fam + (secured ? " has-secured" : "") + '" id="node-' + n.id + '" data-id="' + n.id + '" data-name="' + esc(n.name) + '" tabindex="0" role="button" aria-label="' + esc(label) + '">');
      parts.push("<title>" + esc(n.name + " \u2014 " + n.type_label + (n.position ? " \u2014 " + where(n.position) : "") + (n.deployment ? " \u2014 deployed by " + n.deployment : "")) + "</title>");
      parts.push(shape(n, fam));
      parts.push('<rect class="ring" x="' + (n.x - 4) + '" y="' + (n.y - 4) + '" width="' + (n.width + 8) + '" height="' + (n.height + 8) + '" rx="6"/>');
      parts.push('<text x="' + (n.x + n.width / 2) + '" y="' + (n.y + 17) + '" text-anchor="middle">' + esc(truncate(n.name, 26)) + "</text>");
      parts.push('<text class="sub" x="' + (n.x + n.width / 2) + '" y="' + (n.y + 31) + '" text-anchor="middle">' + esc(truncate(n.type_label, 30)) + "</text>");
      parts.push('<g class="optag"><rect x="' + (n.x - 6) + '" y="' + (n.y - 9) + '" width="34" height="15" rx="3"/><text class="optext" x="' + (n.x + 11) + '" y="' + (n.y + 2) + '" text-anchor="middle"></text></g>');
      if (w) parts.push('<g class="badge ' + w + '"><circle cx="' + (n.x + n.width - 2) + '" cy="' + (n.y + 2) + '" r="9"/><text x="' + (n.x + n.width - 2) + '" y="' + (n.y + 5.5) + '">' + list.length + "</text></g>");
      parts.push("</g>");
    });
    parts.push("</g>");
    viewport.innerHTML = parts.join("");
  }

  // -- pan and zoom ---------------------------------------------------------------------------
  var view = { x: 0, y: 0, k: 1 };
  function apply() { viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")"); }
  function bounds(list) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    list.forEach(function (n) { x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y); x1 = Math.max(x1, n.x + n.width); y1 = Math.max(y1, n.y + n.height); });
    data.projects.forEach(function (p) { if (p.frame && list === nodes) { x0 = Math.min(x0, p.frame.x); y0 = Math.min(y0, p.frame.y); x1 = Math.max(x1, p.frame.x + p.frame.width); y1 = Math.max(y1, p.frame.y + p.frame.height); } });
    return x0 === Infinity ? null : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
  function fit(list, maxScale) {
    var b = bounds(list || nodes), r = svg.getBoundingClientRect();
    if (!b || !r.width) return;
    var k = Math.min((r.width - 40) / b.w, (r.height - 40) / b.h, maxScale || 1.5);
    k = Math.max(k, 0.02);
    view.k = k; view.x = (r.width - b.w * k) / 2 - b.x * k; view.y = (r.height - b.h * k) / 2 - b.y * k; apply();
  }
  function zoom(factor, cx, cy) {
    var r = svg.getBoundingClientRect();
    if (cx === undefined) { cx = r.width / 2; cy = r.height / 2; }
    var k = Math.min(Math.max(view.k * factor, 0.02), 6);
    view.x = cx - (cx - view.x) * (k / view.k); view.y = cy - (cy - view.y) * (k / view.k); view.k = k; apply();
  }
  function reveal(n) {
    var r = svg.getBoundingClientRect(), sx = n.x * view.k + view.x, sy = n.y * view.k + view.y;
    if (view.k < 0.5) { view.k = 0.9; }
    if (sx < 20 || sy < 20 || sx + n.width * view.k > r.width - 20 || sy + n.height * view.k > r.height - 20 || view.k === 0.9) {
      view.x = r.width / 2 - (n.x + n.width / 2) * view.k; view.y = r.height / 2 - (n.y + n.height / 2) * view.k; apply();
    }
  }
  var drag = null;
  svg.addEventListener("pointerdown", function (ev) { if (ev.button === 0) { drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false }; } });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    view.x = drag.vx + dx; view.y = drag.vy + dy; apply();
  });
  window.addEventListener("pointerup", function () { setTimeout(function () { drag = null; }, 0); });
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    zoom(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });

  // -- selection ------------------------------------------------------------------------------
  var details = document.getElementById("details");
  function clearMarks() {
    svg.classList.remove("dim");
    Array.prototype.forEach.call(viewport.querySelectorAll(".lit,.is-set,.is-get,.selected,.path"), function (n) {
      n.classList.remove("lit", "is-set", "is-get", "selected", "path");
    });
  }
  function mark(id, cls) { var g = document.getElementById("node-" + id); if (g) g.classList.add("lit", cls || "lit"); return g; }
  function markEdge(id, cls) { var p = document.getElementById("edge-" + id); if (p) p.classList.add("lit", cls || "lit"); }
  function flowButton(id) {
    var n = byId[id];
    return el("button", { className: "link", type: "button", "data-node": id, text: n.name, onclick: function () { selectFlow(id, true); } });
  }
  function attributeButton(name) {
    return el("button", { className: "link", type: "button", "data-attribute": name, text: name, onclick: function () { selectAttribute(name); } });
  }
  function findingItem(i) {
    var f = findings[i];
    return el("div", { className: "finding " + f.severity, "data-code": f.code }, [
      el("span", { className: "sev-" + f.severity, text: f.severity + " " }), ruleLink(f), " ", locLink(f.position),
      el("div", { className: "msg", text: f.message })]);
  }
  function chainItem(ci) {
    var c = data.chains[ci];
    var steps = el("ol", null, c.steps.map(function (s) {
      return el("li", null, [el("code", { text: s.variable }), " \u2014 " + s.how + (s.declassified ? " (declassified)" : "") + " ", locLink(s.position)]);
    }));
    return el("div", { className: "chain", "data-node": c.node }, [
      el("strong", { text: c.sink + " '" + c.action + "'" }), " in ", flowButton(c.node), " ", locLink(c.position),
      c.attribute ? el("div", null, ["into attribute ", attributeButton(c.attribute)]) : null,
      el("div", { className: "muted", text: "reported by " + c.rule + (c.declassified ? " (declassified on the way)" : "") }), steps]);
  }
  function setHash(value) { try { history.replaceState(null, "", value ? "#" + value : location.pathname + location.search); } catch (err) { /* file: URLs in some browsers */ } }

  function selectFlow(id, move) {
    var n = byId[id];
    clearMarks();
    svg.classList.add("dim");
    mark(id, "selected");
    outgoing[id].forEach(function (e) { mark(e.target); markEdge(e.id); });
    incoming[id].forEach(function (e) { mark(e.source); markEdge(e.id); });
    details.textContent = "";
    details.appendChild(el("h2", { text: n.name }));
    details.appendChild(el("div", { className: "muted", text: n.type_label + (n.deployment ? " \u2014 deployed by " + n.deployment : "") }));
    if (n.position) details.appendChild(el("div", null, [locLink(n.position)]));
    function linkList(title, list, other) {
      if (!list.length) return;
      details.appendChild(el("h3", { text: title }));
      details.appendChild(el("ul", { className: "plain" }, list.map(function (e) {
        return el("li", null, [flowButton(e[other]), " \u2014 " + e.kind_label + (e.action ? " '" + e.action + "' " : " "), e.position ? locLink(e.position) : null]);
      })));
    }
    linkList("Runs before (links out)", outgoing[id], "target");
    linkList("Runs after (links in)", incoming[id], "source");
    var sites = nodeSites[id];
    if (sites.length) {
      details.appendChild(el("h3", { text: "Attributes" }));
      details.appendChild(el("ul", { className: "plain" }, sites.map(function (p) {
        var a = attributes[p[0]], s = a.sites[p[1]];
        return el("li", null, [el("span", { className: "tag " + s.op, text: s.op }), " ", attributeButton(a.name), " \u2014 " + s.action_type + " '" + s.action + "' ", locLink(s.position)]);
      })));
    }
    if (nodeChains[id].length) {
      details.appendChild(el("h3", { text: "Secured data reaching sinks" }));
      nodeChains[id].forEach(function (ci) { details.appendChild(chainItem(ci)); });
    }
    details.appendChild(el("h3", { text: "Findings (" + nodeFindings[id].length + ")" }));
    if (!nodeFindings[id].length) details.appendChild(el("div", { className: "muted", text: "none" }));
    nodeFindings[id].forEach(function (i) { details.appendChild(findingItem(i)); });
    setHash("flow=" + encodeURIComponent(n.name));
    if (move) { reveal(n); var g = document.getElementById("node-" + id); if (g && g.focus) g.focus({ preventScroll: true }); }
  }

  function selectAttribute(name) {
    var index = attributeByName[name];
    if (index === undefined) return;
    var a = attributes[index];
    clearMarks();
    svg.classList.add("dim");
    a.sites.forEach(function (s) { mark(s.node, s.op === "set" ? "is-set" : "is-get"); });
    Array.prototype.forEach.call(viewport.querySelectorAll(".node.is-set,.node.is-get"), function (g) {
      var t = g.querySelector(".optext");
      t.textContent = g.classList.contains("is-set") && g.classList.contains("is-get") ? "SET+GET" : g.classList.contains("is-set") ? "SET" : "GET";
    });
    a.paths.forEach(function (p) { mark(p.set_node); p.edges.forEach(function (e) { markEdge(e, "path"); var edge = edgeById[e]; mark(edge.source); mark(edge.target); }); });
    details.textContent = "";
    details.appendChild(el("h2", { text: a.name }));
    var tags = el("div");
    a.stores.forEach(function (s) { tags.appendChild(el("span", { className: "tag" + (s === "secured" ? " secured" : ""), text: s })); tags.appendChild(document.createTextNode(" ")); });
    if (a.secured) tags.appendChild(el("span", { className: "tag secured", text: "secured data" }));
    details.appendChild(tags);
    if (a.variants.length) {
      details.appendChild(el("h3", { text: "Case variants (a different attribute to the platform)" }));
      details.appendChild(el("ul", { className: "plain" }, a.variants.map(function (v) { return el("li", null, [el("span", { className: "tag variant", text: "variant" }), " ", attributeButton(v)]); })));
    }
    if (a.external.length) {
      details.appendChild(el("h3", { text: "Written outside the flows by" }));
      details.appendChild(el("ul", { className: "plain" }, a.external.map(function (w) { return el("li", null, [el("span", { className: "tag external", text: "external" }), " " + w]); })));
    }
    var reached = {};
    a.paths.forEach(function (p) { reached[p.get] = p; });
    var rows = a.sites.map(function (s, si) {
      var notes = [];
      if (s.secured) notes.push(el("span", { className: "tag secured", text: s.op === "set" ? "secured value" : "secured store" }));
      if (s.external) notes.push(el("span", { className: "tag external", title: s.external, text: "external writer" }));
      if (s.guarded) notes.push(el("span", { className: "tag", text: "guarded" }));
      if (s.op === "get") {
        var p = reached[si];
        if (p) notes.push(el("span", { className: "muted", text: p.edges.length ? "set in " + byId[p.set_node].name + ", " + p.edges.length + " link(s) before" : "set in this flow" }));
        else if (!s.external) notes.push(el("span", { className: "muted", text: "no Set can run before it" }));
      }
      var cells = [el("td", null, [el("span", { className: "tag " + s.op, text: s.op })]), el("td", null, [flowButton(s.node)]),
        el("td", { text: s.action_type + " '" + s.action + "'" }), el("td", null, [locLink(s.position)]), el("td", null, notes)];
      return el("tr", { className: "site", "data-node": s.node, "data-op": s.op, "data-store": s.store, "data-line": s.position.line === null ? "" : String(s.position.line) }, cells);
    });
    details.appendChild(el("h3", { text: "Sets and Gets (" + a.sites.length + ")" }));
    details.appendChild(el("table", { className: "sites" }, [el("thead", null, [el("tr", null, ["", "flow", "action", "where", "notes"].map(function (h) { return el("th", { text: h }); }))]), el("tbody", null, rows)]));
    var chains = [];
    data.chains.forEach(function (c, ci) { if (c.attribute === a.name) chains.push(ci); });
    if (chains.length) {
      details.appendChild(el("h3", { text: "Secured data written into it" }));
      chains.forEach(function (ci) { details.appendChild(chainItem(ci)); });
    }
    details.appendChild(el("h3", { text: "Findings (" + a.findings.length + ")" }));
    a.findings.forEach(function (i) { details.appendChild(findingItem(i)); });
    setHash("attribute=" + encodeURIComponent(a.name));
    fit(a.sites.map(function (s) { return byId[s.node]; }), 1.2);
  }

  function overview() {
    clearMarks();
    details.textContent = "";
    details.appendChild(el("h2", { text: "Overview" }));
    var counts = { error: 0, warning: 0, info: 0 }, codes = {};
    findings.forEach(function (f) { counts[f.severity]++; codes[f.code] = (codes[f.code] || 0) + 1; });
    details.appendChild(el("div", { text: nodes.filter(function (n) { return n.type !== "missing" && n.type !== "external"; }).length + " flows, " + edges.length + " links, " + attributes.length + " attributes, " + data.chains.length + " secured-data chains" }));
    details.appendChild(el("div", null, [el("span", { className: "sev-error", text: counts.error + " errors" }), ", ", el("span", { className: "sev-warning", text: counts.warning + " warnings" }), ", ", el("span", { className: "sev-info", text: counts.info + " infos" })]));
    var codeList = Object.keys(codes).sort();
    if (codeList.length) {
      details.appendChild(el("h3", { text: "Findings by rule (select to light up the flows)" }));
      details.appendChild(el("ul", { className: "plain" }, codeList.map(function (code) {
        var rule = data.rules[code];
        return el("li", null, [el("button", { className: "link", type: "button", text: code + (rule ? " " + rule.name : "") + " (" + codes[code] + ")", onclick: function () { selectCode(code); } })]);
      })));
    }
    if (data.chains.length) {
      details.appendChild(el("h3", { text: "Secured data reaching sinks" }));
      data.chains.slice(0, 100).forEach(function (c, ci) { details.appendChild(chainItem(ci)); });
    }
    setHash("");
  }
  function selectCode(code) {
    clearMarks();
    svg.classList.add("dim");
    details.textContent = "";
    var rule = data.rules[code];
    details.appendChild(el("h2", { text: code + (rule ? " " + rule.name : "") }));
    if (rule) details.appendChild(el("div", { className: "muted", text: rule.summary }));
    var list = [];
    findings.forEach(function (f, i) { if (f.code === code) { list.push(i); if (f.node) mark(f.node, "selected"); } });
    list.slice(0, 300).forEach(function (i) { details.appendChild(findingItem(i)); });
    if (list.length > 300) details.appendChild(el("div", { className: "muted", text: (list.length - 300) + " more not shown" }));
  }

  // -- search ---------------------------------------------------------------------------------
  var search = document.getElementById("search"), results = document.getElementById("results");
  function runSearch() {
    var q = search.value.trim().toLowerCase();
    results.textContent = "";
    if (!q) return;
    var shown = 0;
    attributes.forEach(function (a) {
      if (shown >= 40 || a.name.toLowerCase().indexOf(q) < 0) return;
      shown++;
      var sets = a.sites.filter(function (s) { return s.op === "set"; }).length;
      results.appendChild(el("li", null, [el("button", { type: "button", className: "result", "data-attribute": a.name, onclick: function () { selectAttribute(a.name); } }, [
        el("span", { text: a.name }), a.secured ? el("span", { className: "tag secured", text: "secured" }) : null,
        el("span", { className: "kind", text: "attribute \u00b7 " + sets + " set, " + (a.sites.length - sets) + " get" })])]));
    });
    var flows = 0;
    nodes.forEach(function (n) {
      if (flows >= 20 || n.name.toLowerCase().indexOf(q) < 0) return;
      flows++;
      results.appendChild(el("li", null, [el("button", { type: "button", className: "result", "data-node": n.id, onclick: function () { selectFlow(n.id, true); } }, [
        el("span", { text: n.name }), el("span", { className: "kind", text: "flow \u00b7 " + n.type_label })])]));
    });
    if (!shown && !flows) results.appendChild(el("li", { className: "muted", text: "no attribute or flow matches" }));
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (ev) {
    var first = results.querySelector("button");
    if (ev.key === "Enter" && first) { ev.preventDefault(); first.click(); }
    else if (ev.key === "ArrowDown" && first) { ev.preventDefault(); first.focus(); }
    else if (ev.key === "Escape") { search.value = ""; runSearch(); overview(); }
  });
  results.addEventListener("keydown", function (ev) {
    var buttons = Array.prototype.slice.call(results.querySelectorAll("button")), i = buttons.indexOf(document.activeElement);
    if (ev.key === "ArrowDown" && i >= 0 && i < buttons.length - 1) { ev.preventDefault(); buttons[i + 1].focus(); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); if (i > 0) buttons[i - 1].focus(); else search.focus(); }
  });

  // -- keyboard -------------------------------------------------------------------------------
  function nearestInDirection(n, dir) {
    var best = null, bestScore = Infinity;
    nodes.forEach(function (m) {
      if (m === n) return;
      var dx = m.x - n.x, dy = m.y - n.y;
      var ok = dir === "up" ? dy < 0 : dir === "down" ? dy > 0 : dir === "left" ? dx < 0 : dx > 0;
      if (!ok) return;
      var along = dir === "up" || dir === "down" ? Math.abs(dy) : Math.abs(dx), across = dir === "up" || dir === "down" ? Math.abs(dx) : Math.abs(dy);
      var score = along + across * 3;
      if (score < bestScore) { bestScore = score; best = m; }
    });
    return best;
  }
  viewport.addEventListener("click", function (ev) {
    if (drag && drag.moved) return;
    var g = ev.target.closest ? ev.target.closest(".node") : null;
    if (g) selectFlow(g.getAttribute("data-id"), false);
  });
  viewport.addEventListener("keydown", function (ev) {
    var g = ev.target.closest ? ev.target.closest(".node") : null;
    if (!g) return;
    var n = byId[g.getAttribute("data-id")], next = null;
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); selectFlow(n.id, false); return; }
    if (ev.key === "ArrowRight") next = outgoing[n.id].length ? byId[outgoing[n.id][0].target] : nearestInDirection(n, "right");
    else if (ev.key === "ArrowLeft") next = incoming[n.id].length ? byId[incoming[n.id][0].source] : nearestInDirection(n, "left");
    else if (ev.key === "ArrowUp") next = nearestInDirection(n, "up");
    else if (ev.key === "ArrowDown") next = nearestInDirection(n, "down");
    if (next) { ev.preventDefault(); ev.stopPropagation(); reveal(next); document.getElementById("node-" + next.id).focus({ preventScroll: true }); }
  });
  document.addEventListener("keydown", function (ev) {
    var typing = ev.target && (ev.target.tagName === "INPUT" || ev.target.tagName === "TEXTAREA");
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "/") { ev.preventDefault(); search.focus(); search.select(); }
    else if (ev.key === "Escape") { overview(); }
    else if (ev.key === "+" || ev.key === "=") zoom(1.2);
    else if (ev.key === "-") zoom(1 / 1.2);
    else if (ev.key === "0") fit();
    else if (ev.target === document.getElementById("canvas") || ev.target === document.body) {
      var step = 60;
      if (ev.key === "ArrowLeft") { view.x += step; apply(); } else if (ev.key === "ArrowRight") { view.x -= step; apply(); }
      else if (ev.key === "ArrowUp") { view.y += step; apply(); } else if (ev.key === "ArrowDown") { view.y -= step; apply(); }
    }
  });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.2); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.2); });
  document.getElementById("zoom-fit").addEventListener("click", function () { fit(); });
  document.getElementById("reset").addEventListener("click", function () { search.value = ""; runSearch(); overview(); fit(); });
  window.addEventListener("resize", function () { fit(); });

  // -- start ----------------------------------------------------------------------------------
  draw();
  fit();
  overview();
  var hash = decodeURIComponent(location.hash.slice(1)), start = data.select;
  if (hash.indexOf("attribute=") === 0) start = { attribute: hash.slice(10) };
  else if (hash.indexOf("flow=") === 0) start = { flow: hash.slice(5) };
  if (start && start.attribute !== undefined && attributeByName[start.attribute] !== undefined) selectAttribute(start.attribute);
  else if (start && start.flow !== undefined) {
    var wanted = nodes.filter(function (n) { return n.name === start.flow; })[0];
    if (wanted) selectFlow(wanted.id, true);
  }
  window.flowlintReady = performance.now();
  document.documentElement.setAttribute("data-ready", "true");
})();
