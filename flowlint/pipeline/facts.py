"""What the incremental engine knows of a file without holding its IR.

:class:`FileFacts` is everything :class:`~flowlint.pipeline.resident.ResidentProject`
compares and indexes to decide what an edit can change (its interface, where the things
other files' findings point at lie, its Sets and Gets, its flows and links), and
:class:`FileFindings` what the file's last analysis found.  Both are small: the cache
stores them for every file of a project (:class:`flowlint.cache.Snapshot`), so that a
one-shot ``flowlint check`` rebuilds the engine from them and loads the IR of only the
files an edit reaches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from flowlint.analysis.taint import secured_flow_table
from flowlint.diagnostics import Diagnostic
from flowlint.ir import ActionKind
from flowlint.loaders.result import LoadResult
from flowlint.pipeline.units import FileUnit, Links, interface_of, links_of

#: A file's stat key: size, mtime, ctime (ns), inode, device.
StatKey = tuple[int, int, int, int, int]
#: (kind of data action, attribute name as written) of each Set and Get.
AttributeFacts = frozenset[tuple[str, str]]
#: (name, type, compatible types) of each flow.
FlowFacts = tuple[tuple[str, str, tuple[str, ...]], ...]


@dataclass(slots=True)
class FileFacts:
    """One file of a project, as the engine compares and indexes it."""

    path: str
    fmt: str
    #: sha256 of the bytes loaded ("" for a text held by an editor, None: unreadable).
    digest: str | None
    #: What other files' findings may depend on besides the taint analysis and module
    #: summaries (:func:`~flowlint.pipeline.units.interface_of`, shape only, even for a file
    #: kept whole: the engine follows module calls itself).
    interface: str
    #: Some flow is kept whole: a common module, or a flow the taint analysis walks (module
    #: calls, secured data); ``own`` is then the digest of its whole text.
    full: bool
    #: Suppression comments are possible: reporting needs the file's IR.
    directives: bool
    not_a_flow: bool
    #: ``SourceFile.format`` of the loaded file (None: no source).
    source_format: str | None
    links: Links
    #: Digest of where everything lies that findings in other files may point at (Set and
    #: Get names, linking actions, flow names): an edit that keeps it re-checks no other file.
    positions: str
    #: Digest of what this file's own cross-flow findings read of it beyond its interface
    #: and positions (control flow, action names, guarded and unused reads): an edit that
    #: keeps all three (a prompt's text, a comment) needs no cross-flow work at all.
    own: str
    attributes: AttributeFacts
    flows: FlowFacts
    #: (kind, case-folded target) of each action linking to another flow.
    links_out: frozenset[tuple[str, str]]
    #: (deployment, Terraform root) of each flow, as in ``links.flows``: a stand-in for the
    #: file meets only the flows its own would (``flowlint.analysis.flowgraph.same_deployment``).
    deployed: tuple[tuple[str | None, str], ...]
    #: It writes secured data: reporting needs its IR to mask the literals in code frames.
    secured: bool
    #: It has a source of secured data (a secure variable, Get Secured Data, Decrypt Data...):
    #: only then can it (or a module calling it) pass secured data into a module it calls.
    sources: bool
    #: Stat key of the content ``digest`` is of, when it can be trusted to tell the file did
    #: not change (``flowlint.pipeline.changes.digests_of``).
    stat: StatKey | None = None


@dataclass(slots=True)
class FileFindings:
    """What the last analysis found in one file (not finalized)."""

    load: list[Diagnostic] = field(default_factory=lambda: [])
    #: Per-file rule code -> findings, in emission order.
    local: dict[str, list[Diagnostic]] = field(default_factory=lambda: {})
    #: Cross-flow findings located in this file, in registry order (emission order per rule).
    cross: list[Diagnostic] = field(default_factory=lambda: [])


def facts_of(unit: FileUnit, stat: StatKey | None = None) -> FileFacts:
    result = unit.result
    source = result.source
    if result.not_a_flow:
        return FileFacts(unit.path, unit.fmt, unit.digest, unit.interface, False, False, True,
                         source.format.value if source is not None else None, Links(), "", "", frozenset(), (),
                         frozenset(), (), False, False, stat)
    attributes, flows, links_out = _attribute_facts(result)
    secured = any(a.kind is ActionKind.SET_SECURED_DATA for f in result.flows for a in f.actions)
    table = secured_flow_table()
    sources = unit.full and any(
        any(v.is_secure for v in f.variables) or any(v.is_secure for c in f.containers for v in c.variables)
        or any(table.is_source(a) for a in f.actions) for f in result.flows)
    interface = interface_of(result, unit.digest, False) if unit.full else unit.interface
    # A flow kept whole is read whole by others (taint, module summaries): any change counts.
    own = _own(result) if not unit.full else hashlib.sha256(
        (source.text if source is not None else "").encode("utf-8", "surrogatepass")).hexdigest()
    return FileFacts(unit.path, unit.fmt, unit.digest, interface, unit.full, unit.directives, False,
                     source.format.value if source is not None else None, links_of(result), _positions(result),
                     own, attributes, flows, links_out, tuple((f.deployment, f.root) for f in result.flows), secured,
                     sources, stat)


def _digest(parts: list[object]) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _positions(result: LoadResult) -> str:
    found: list[object] = []
    for flow in result.flows:
        found.append(flow.file.resolve(flow.name_loc))
        for action in flow.actions:
            if action.attributes or action.target is not None or action.kind in _LINKING:
                found.append((action.index, action.name, flow.file.resolve(action.loc)))
                found.extend(flow.file.resolve(a.name.loc) for a in action.attributes)
    return _digest(found)


def _attribute_facts(result: LoadResult) -> tuple[AttributeFacts, FlowFacts, frozenset[tuple[str, str]]]:
    from flowlint.analysis.flowgraph import flow_link

    attributes: set[tuple[str, str]] = set()
    links: set[tuple[str, str]] = set()
    for flow in result.flows:
        for action in flow.actions:
            for attribute in action.attributes:
                attributes.add((action.kind.value, attribute.name.text or ""))
            target = flow_link(action)
            if target is not None and target.text:
                links.add((action.kind.value, target.text.casefold()))
    flows = tuple((f.name, f.type, tuple(f.compatible_flow_types)) for f in result.flows)
    return frozenset(attributes), flows, frozenset(links)


def _own(result: LoadResult) -> str:
    parts: list[object] = []
    for flow in result.flows:
        parts.append((flow.name, flow.type, flow.entry_container, tuple(flow.compatible_flow_types),
                      tuple((c.kind, c.name, c.ref_id, c.entry) for c in flow.containers)))
        for action in flow.actions:
            parts.append((action.kind, action.key, action.name, action.container, tuple(action.succ),
                          action.target.text if action.target is not None else None,
                          tuple((a.name.kind, a.name.text, a.guarded_by is not None, a.unused,
                                 a.variable.text if a.variable is not None else None) for a in action.attributes),
                          tuple((path, value.text) for path, value in action.values if path == "loopCount")))
    return _digest(parts)


#: Actions other files' findings may name (FL005 names a data action call).
_LINKING = frozenset({ActionKind.CALL_DATA_ACTION, ActionKind.TRANSFER_TO_ACD})
