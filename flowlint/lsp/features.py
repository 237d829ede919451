"""Editor features computed from one analysis snapshot: code actions, navigation, symbols.

Every function takes the snapshot, the absolute path of the document and positions in the
negotiated encoding, and returns lsprotocol objects.  None of them touches the editor's
current text: the server only calls them when the snapshot is up to date with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lsprotocol import types

from flowlint.analysis.attributes import DATA_ACTION_LABELS, Site, Store
from flowlint.diagnostics import Applicability, Diagnostic
from flowlint.ir import Action, ContainerKind, Flow, Loc, SourceFormat, Span
from flowlint.lsp.convert import DEFAULT_DOCS_URL, lsp_position, lsp_range, to_lsp, uri_of
from flowlint.lsp.model import FileState, Snapshot
from flowlint.lsp.positions import Pos, PositionMapper, units

SUPPRESSION = "# flowlint: disable={code}"
#: A ``disable=`` directive alone on its line, up to the end of its code list (see flowlint.suppressions).
_DIRECTIVE_ABOVE = re.compile(
    r"[ \t]*#[ \t]*flowlint[ \t]*:[ \t]*disable[ \t]*=[ \t]*"
    r"[A-Za-z][A-Za-z0-9_-]*(?:[ \t]*,[ \t]*[A-Za-z][A-Za-z0-9_-]*)*")

_STORE_LABEL = {Store.PARTICIPANT: "participant data", Store.SECURED: "secured data"}
_CONTAINER_SYMBOL = {
    ContainerKind.TASK: types.SymbolKind.Function,
    ContainerKind.STATE: types.SymbolKind.Class,
    ContainerKind.MENU: types.SymbolKind.Enum,
    ContainerKind.BOT: types.SymbolKind.Object,
    ContainerKind.STARTUP: types.SymbolKind.Constructor,
    ContainerKind.INLINE: types.SymbolKind.Function,
}


# --------------------------------------------------------------------------- locations


def _span(loc: Loc) -> Span | None:
    return loc.file.resolve(loc)


def location(snapshot: Snapshot, loc: Loc, encoding: str) -> types.Location:
    path = snapshot.path_of(loc.file.path)
    return types.Location(uri=uri_of(path), range=lsp_range(snapshot, path, _span(loc), encoding))


def _where(snapshot: Snapshot, loc: Loc) -> str:
    span = _span(loc)
    display = loc.file.path
    return f"{display}:{span.line}:{span.column}" if span is not None else f"{display} ({loc.logical})"


# --------------------------------------------------------------------------- attribute sites


def site_at(snapshot: Snapshot, path: str, position: Pos, encoding: str) -> Site | None:
    """The Set/Get site whose literal attribute name is under (or just after) the cursor."""
    state = snapshot.files.get(path)
    if state is None or state.mapper is None or state.source is None:
        return None
    offset = state.mapper.offset_at(position, encoding)
    for site in snapshot.attributes.sites:
        if site.name is None or site.flow.file is not state.source:
            continue
        span = _span(site.attribute.name.loc)
        if span is not None:
            start, end = state.mapper.offsets(span)
            if start <= offset <= end:
                return site
    return None


def _same_name(snapshot: Snapshot, site: Site) -> list[Site]:
    return [s for s in snapshot.attributes.sites if s.name == site.name]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")


def _md(text: str) -> str:
    """Text shown literally in Markdown (flow and action names, paths)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _code(text: str) -> str:
    """A Markdown code span holding ``text`` whatever backticks it contains."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _describe(snapshot: Snapshot, site: Site) -> str:
    label = DATA_ACTION_LABELS.get(site.action.kind, site.action.key)
    into = f" into {_code(site.variable)}" if not site.is_set and site.variable else ""
    return (f"- {_md(label)} '{_md(site.action.name)}'{into} in flow '{_md(site.flow.name)}', "
            f"{_md(_where(snapshot, site.attribute.name.loc))}")


def hover(snapshot: Snapshot, path: str, position: Pos, encoding: str) -> types.Hover | None:
    site = site_at(snapshot, path, position, encoding)
    if site is None or site.name is None:
        return placeholder_hover(snapshot, path, position, encoding)
    name = site.name
    # Blank lines around every list: a line right after a list item would continue it.
    lines = [f"**{_code(name)}**: attribute name (names are case-sensitive)"]
    sites = _same_name(snapshot, site)
    for store in Store:
        in_store = [s for s in sites if s.store == store]
        if not in_store:
            continue
        sets = [s for s in in_store if s.is_set]
        gets = [s for s in in_store if not s.is_set]
        lines += ["", f"As {_STORE_LABEL[store]}{' (secured)' if store == Store.SECURED else ''}:", ""]
        lines.append(f"Set in {len(sets)} place(s)" + (":" if sets else ": no flow in the workspace sets it"))
        if sets:
            lines += ["", *(_describe(snapshot, s) for s in sets)]
        lines += ["", f"Get in {len(gets)} place(s)" + (":" if gets else "")]
        if gets:
            lines += ["", *(_describe(snapshot, s) for s in gets)]
    variants = sorted({s.name for s in snapshot.attributes.sites
                       if s.name is not None and s.name != name and s.name.lower() == name.lower()})
    if variants:
        lines += ["", "Other spellings in the workspace (a different attribute): "
                  + ", ".join(_code(v) for v in variants)]
    state = snapshot.files[path]
    span = _span(site.attribute.name.loc)
    assert state.mapper is not None and span is not None  # site_at found it through both
    start, end = state.mapper.lsp_range(span, encoding)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n".join(lines)),
        range=types.Range(lsp_position(start), lsp_position(end)),
    )


#: ``{{key}}`` (Terraform substitutions, Archy options) and ``${key}`` (templatefile()).
_PLACEHOLDER_AT = re.compile(r"\{\{([^{}\s]+)\}\}|(?<!\$)\$\{([A-Za-z_][\w-]*)\}")


def placeholder_hover(snapshot: Snapshot, path: str, position: Pos, encoding: str) -> types.Hover | None:
    """On a ``{{key}}``: its value in each deployment of this file (secrets and unknown
    values named, never shown), or why it has none."""
    state = snapshot.files.get(path)
    if state is None or state.mapper is None or state.source is None or not state.source.text:
        return None
    text = state.source.text
    offset = state.mapper.offset_at(position, encoding)
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    match = next((m for m in _PLACEHOLDER_AT.finditer(line)
                  if line_start + m.start() <= offset <= line_start + m.end()), None)
    if match is None:
        return None
    key, template = (match.group(1), False) if match.group(1) is not None else (match.group(2), True)
    deployments = snapshot.deployments.for_file(state.display)
    lines = [f"**{_code(match.group(0))}**: " + ("templatefile() variable" if template else "substitution")]
    if not deployments:
        lines += ["", "No Terraform resource or options file deploys this file: the placeholder stays opaque "
                      "(its value is unknown to flowlint)."]
    for deployment in deployments:
        values = deployment.template_values() if template else deployment.values()
        found = values.get(key)
        if template and deployment.template_vars is None:
            shown = "not replaced: this file is not rendered through templatefile()"
        elif found is None:
            shown = "no value: deployed as literal text" if deployment.keys_known else "unknown (the map is not known offline)"
        elif found.secret:
            shown = "a credential: not shown"
        elif not found.known:
            shown = f"unknown offline ({_code(found.text)})"  # the symbol it is known by
        else:
            shown = _code(found.text)
        lines += ["", f"- {_md(deployment.address)}: {shown}"]
    start, end = state.mapper.position(line_start + match.start(), encoding), \
        state.mapper.position(line_start + match.end(), encoding)
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n".join(lines)),
                       range=types.Range(lsp_position(start), lsp_position(end)))


def definition(snapshot: Snapshot, path: str, position: Pos, encoding: str) -> list[types.Location] | None:
    """From a name: the Set sites of that exact name (or, for a misspelt Get, of its case variants)."""
    site = site_at(snapshot, path, position, encoding)
    if site is None or site.name is None:
        return None
    table = snapshot.attributes
    targets = table.sets.get((site.store, site.name)) or table.sets_folded.get((site.store, site.name.lower()), [])
    return [location(snapshot, s.attribute.name.loc, encoding) for s in targets] or None


def references(snapshot: Snapshot, path: str, position: Pos, encoding: str,
               include_declaration: bool) -> list[types.Location] | None:
    """Every Set and Get of the name under the cursor (Sets count as declarations)."""
    site = site_at(snapshot, path, position, encoding)
    if site is None:
        return None
    found = [s for s in _same_name(snapshot, site) if s.store == site.store and (include_declaration or not s.is_set)]
    return [location(snapshot, s.attribute.name.loc, encoding) for s in found]


# --------------------------------------------------------------------------- document symbols


def document_symbols(snapshot: Snapshot, path: str, encoding: str) -> list[types.DocumentSymbol]:
    """The flow, its tasks/states/menus/bots, and their actions (nested as in the file)."""
    state = snapshot.files.get(path)
    if state is None or state.mapper is None:
        return []
    mapper = state.mapper
    return [symbol for flow in state.result.flows
            if (symbol := _flow_symbol(flow, mapper, encoding)) is not None]


def _flow_symbol(flow: Flow, mapper: PositionMapper, encoding: str) -> types.DocumentSymbol | None:
    head = _span(flow.loc)
    if head is None:
        return None
    children: list[types.DocumentSymbol] = []
    covered = [mapper.offsets(head)]
    for container in flow.containers:
        if container.kind == ContainerKind.INLINE:
            continue  # an inline task is part of its menu choice's action
        found = _container_symbol(flow, container.index, mapper, encoding)
        if found is not None:
            children.append(found[0])
            covered.append(found[1])
    select = mapper.offsets(_span(flow.name_loc) or head)
    covered.append(select)
    whole = (min(s for s, _ in covered), max(e for _, e in covered))
    return _symbol(flow.name or flow.type_key, flow.type_key, types.SymbolKind.Module, whole, select,
                   children, mapper, encoding)


def _container_symbol(flow: Flow, index: int, mapper: PositionMapper,
                      encoding: str) -> tuple[types.DocumentSymbol, tuple[int, int]] | None:
    container = flow.containers[index]
    head = _span(container.loc)
    actions = [(flow.actions[i], span) for i in container.actions
               if (span := flow.actions[i].extent or _span(flow.actions[i].loc)) is not None]
    extents = [mapper.offsets(span) for _, span in actions]
    if head is None and not extents:
        return None
    select = mapper.offsets(head) if head is not None else extents[0]
    whole = (min([select[0], *(s for s, _ in extents)]), max([select[1], *(e for _, e in extents)]))
    children = _action_tree([(action, offsets) for (action, _), offsets in zip(actions, extents)], mapper, encoding)
    name = container.name or container.ref_id or container.kind.value
    symbol = _symbol(name, container.kind.value, _CONTAINER_SYMBOL[container.kind], whole, select,
                     children, mapper, encoding)
    return symbol, whole


def _action_tree(actions: list[tuple[Action, tuple[int, int]]], mapper: PositionMapper,
                 encoding: str) -> list[types.DocumentSymbol]:
    """Nest actions by their extents (decision outputs, loop bodies)."""
    roots: list[types.DocumentSymbol] = []
    stack: list[tuple[int, list[types.DocumentSymbol]]] = []
    for action, (start, end) in sorted(actions, key=lambda item: (item[1][0], -item[1][1])):
        while stack and stack[-1][0] <= start:
            stack.pop()
        kids: list[types.DocumentSymbol] = []
        head = _span(action.loc)
        select = mapper.offsets(head) if head is not None else (start, start)
        select = (max(select[0], start), min(max(select[1], start), end))
        symbol = _symbol(action.name or action.key or "action", action.key, types.SymbolKind.Event,
                         (start, end), select, kids, mapper, encoding)
        (stack[-1][1] if stack else roots).append(symbol)
        stack.append((end, kids))
    return roots


def _symbol(name: str, detail: str, kind: types.SymbolKind, whole: tuple[int, int], select: tuple[int, int],
            children: list[types.DocumentSymbol], mapper: PositionMapper, encoding: str) -> types.DocumentSymbol:
    def rng(offsets: tuple[int, int]) -> types.Range:
        return types.Range(lsp_position(mapper.position(offsets[0], encoding)),
                           lsp_position(mapper.position(offsets[1], encoding)))

    return types.DocumentSymbol(name=name, detail=detail, kind=kind, range=rng(whole), selection_range=rng(select),
                                children=children or None)


# --------------------------------------------------------------------------- code actions


def code_actions(snapshot: Snapshot, path: str, start: Pos, end: Pos, encoding: str,
                 docs_url: str = DEFAULT_DOCS_URL) -> list[types.CodeAction]:
    """Quick fixes for the findings touching the range: their fixes (FL001 respelling, FL900
    removal, FL113...: the same objects ``--fix`` applies), per-action disabling."""
    state = snapshot.files.get(path)
    if state is None or state.mapper is None:
        return []
    mapper = state.mapper
    low, high = mapper.offset_at(start, encoding), mapper.offset_at(end, encoding)
    uri = uri_of(path)
    found: list[types.CodeAction] = []
    for diagnostic in snapshot.diagnostics.get(path, []):
        if diagnostic.span is None:
            continue
        d_start, d_end = mapper.offsets(diagnostic.span)
        if d_start > high or d_end < low:
            continue
        lsp = to_lsp(diagnostic, snapshot, encoding, docs_url)
        found.extend(_fix_actions(state, diagnostic, lsp, uri, encoding))
        disable = _disable(state, diagnostic, encoding)
        if disable is not None:
            found.append(types.CodeAction(
                title=f"Disable {diagnostic.code} for this action", kind=types.CodeActionKind.QuickFix,
                diagnostics=[lsp], edit=types.WorkspaceEdit(changes={uri: [disable]})))
    return found


def _fix_actions(state: FileState, diagnostic: Diagnostic, lsp: types.Diagnostic, uri: str,
                 encoding: str) -> Iterator[types.CodeAction]:
    """The finding's fixes (the objects ``flowlint check --fix`` applies), as quick fixes; a fix
    whose spans no longer hold the text it was made for is not offered."""
    mapper = state.mapper
    if mapper is None:
        return
    text = mapper.source_index.text
    for fix in diagnostic.fixes:
        edits: list[types.TextEdit] = []
        for edit in fix.edits:
            start, end = mapper.offsets(edit.span)
            if text[start:end] != edit.expected:
                break
            edits.append(types.TextEdit(range=types.Range(lsp_position(mapper.position(start, encoding)),
                                                          lsp_position(mapper.position(end, encoding))),
                                        new_text=edit.text))
        else:
            yield types.CodeAction(title=fix.title, kind=types.CodeActionKind.QuickFix, diagnostics=[lsp],
                                   is_preferred=fix.applicability is Applicability.SAFE,
                                   edit=types.WorkspaceEdit(changes={uri: edits}))


def _disable(state: FileState, diagnostic: Diagnostic, encoding: str) -> types.TextEdit | None:
    """Insert ``# flowlint: disable=CODE`` on the line above the innermost action holding the finding."""
    mapper = state.mapper
    if mapper is None or diagnostic.span is None or diagnostic.code == "FL100":
        return None
    if state.source is None or state.source.format != SourceFormat.YAML:
        return None  # JSON has no comments; exports have no lines
    at, _ = mapper.offsets(diagnostic.span)
    best: tuple[int, int] | None = None
    for flow in state.result.flows:
        for action in flow.actions:
            if action.extent is None:
                continue
            start, end = mapper.offsets(action.extent)
            if start <= at < end and (best is None or end - start < best[1] - best[0]):
                best = (start, end)
    if best is None:
        return None
    line = mapper.position(best[0], encoding).line
    index = mapper.editor_index
    if line > 0 and (existing := _DIRECTIVE_ABOVE.match(index.line_text(line - 1))) is not None:
        # Extend the directive already above the action rather than stacking a second one.
        at_codes = types.Position(line=line - 1, character=units(existing.group(0), encoding))
        return types.TextEdit(range=types.Range(at_codes, at_codes), new_text=f",{diagnostic.code}")
    text = index.line_text(line)
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    eol = index.text[index.ends[line]:index.starts[line + 1]] if line + 1 < len(index.starts) else "\n"
    position = types.Position(line=line, character=0)
    return types.TextEdit(range=types.Range(position, position),
                          new_text=f"{indent}{SUPPRESSION.format(code=diagnostic.code)}{eol}")
