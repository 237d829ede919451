"""flowlint diagnostics and IR locations -> lsprotocol objects."""

from __future__ import annotations

import os
import tempfile

from lsprotocol import types
from pygls.uris import from_fs_path

from flowlint import __version__
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import Span
from flowlint.lsp.model import Snapshot
from flowlint.lsp.positions import Pos
from flowlint.registry import rules_by_code

SOURCE = "flowlint"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def uri_of(path: str) -> str:
    return from_fs_path(path) or "file://" + path


def rules_reference_uri() -> str:
    """A ``file:`` URI of this repository's rule reference, docs/rules.md, for the flowlint that
    runs: the file itself when flowlint runs from its source tree (a clone, an editable install),
    else the same text (``flowlint rules --format markdown``) written once per version to the
    user's cache directory, since a wheel carries no docs/.  It resolves offline and always
    describes the rules this server runs; there is no published documentation site."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    in_tree = os.path.join(here, "docs", "rules.md")
    if os.path.isfile(in_tree) and os.path.isfile(os.path.join(here, "pyproject.toml")):
        return uri_of(in_tree)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for directory in (os.path.join(cache, "flowlint"), os.path.join(tempfile.gettempdir(), "flowlint-docs")):
        path = os.path.join(directory, f"rules-{__version__}.md")
        try:
            if not os.path.isfile(path):
                from flowlint.registry import all_rules
                from flowlint.reporters.rules_markdown import render_rules

                os.makedirs(directory, exist_ok=True)
                temporary = f"{path}.{os.getpid()}.tmp"
                with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(render_rules(all_rules()))
                os.replace(temporary, path)
            return uri_of(path)
        except OSError:
            continue
    return uri_of(in_tree)  # nowhere to write: the link names where the reference would be


#: Where a rule's documentation lives: docs/rules.md (see :func:`rules_reference_uri`) at the
#: rule's heading.  Clients can point it elsewhere (a published copy) with the ``docsUrl``
#: setting, a template with ``{code}`` (FL001), ``{code_lower}`` (fl001), ``{name}``
#: (attribute-name-case-mismatch) and ``{anchor}`` (fl001-attribute-name-case-mismatch, the
#: heading's anchor in rules.md, as GitHub and editors' Markdown previews make it).
DEFAULT_DOCS_URL = rules_reference_uri() + "#{anchor}"


def lsp_position(pos: Pos) -> types.Position:
    return types.Position(line=pos.line, character=pos.character)


def lsp_range(snapshot: Snapshot, path: str, span: Span | None, encoding: str) -> types.Range:
    """Range of a span in the file at absolute ``path`` (the file's start without a span)."""
    state = snapshot.files.get(path)
    mapper = state.mapper if state is not None else None
    if mapper is None or span is None:
        return types.Range(types.Position(line=0, character=0), types.Position(line=0, character=0))
    start, end = mapper.lsp_range(span, encoding)
    return types.Range(lsp_position(start), lsp_position(end))


def docs_href(code: str, template: str) -> str:
    info = rules_by_code().get(code)
    name = info.info.name if info is not None else ""
    anchor = f"{code.lower()}-{name}" if name else code.lower()
    try:
        return template.format(code=code, code_lower=code.lower(), name=name, anchor=anchor)
    except (KeyError, IndexError, ValueError):  # a bad template from the client's settings
        return DEFAULT_DOCS_URL.format(anchor=anchor)


def to_lsp(diagnostic: Diagnostic, snapshot: Snapshot, encoding: str,
           docs_url: str = DEFAULT_DOCS_URL) -> types.Diagnostic:
    path = snapshot.path_of(diagnostic.file)
    message = diagnostic.message
    if diagnostic.span is None and diagnostic.logical and diagnostic.logical != "file":
        message += f" (at {diagnostic.logical})"  # exports have no lines: say where inside the flow
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri_of(snapshot.path_of(item.file)),
                                    range=lsp_range(snapshot, snapshot.path_of(item.file), item.span, encoding)),
            message=item.message if item.span is not None else f"{item.message} (at {item.logical})",
        )
        for item in diagnostic.related
    ]
    return types.Diagnostic(
        range=lsp_range(snapshot, path, diagnostic.span, encoding),
        message=message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=docs_href(diagnostic.code, docs_url)),
        source=SOURCE,
        related_information=related or None,
    )


def publishable(snapshot: Snapshot, encoding: str,
                docs_url: str = DEFAULT_DOCS_URL) -> dict[str, list[types.Diagnostic]]:
    """Absolute path -> LSP diagnostics, for every file with findings."""
    return {path: [to_lsp(d, snapshot, encoding, docs_url) for d in found]
            for path, found in snapshot.diagnostics.items()}


class PublishCache:
    """LSP diagnostics per file, converted once.  A file keeps its conversion while its
    findings are the same objects and the files they point into are the same loads: an edit
    of one flow converts that flow's findings, not the whole organisation's (at 5,000 flows,
    converting every finding took longer than the analysis of the edit)."""

    def __init__(self) -> None:
        #: path -> ((encoding, docs URL), (the findings list converted, the files it points
        #: into, their loads then), the conversion)
        self._by_path: dict[str, tuple[tuple[str, str], tuple[list[Diagnostic], tuple[str, ...],
                                                              tuple[object, ...]], list[types.Diagnostic]]] = {}

    def publishable(self, snapshot: Snapshot, encoding: str,
                    docs_url: str = DEFAULT_DOCS_URL) -> dict[str, list[types.Diagnostic]]:
        """As :func:`publishable`, reusing the conversions of files whose inputs did not change."""
        result: dict[str, list[types.Diagnostic]] = {}
        files = snapshot.files
        for path, found in snapshot.diagnostics.items():
            cached = self._by_path.get(path)
            if cached is not None:  # the same list, the same loads of the files it points into
                key, (old_found, paths, states), converted = cached
                if (old_found is found and key == (encoding, docs_url)
                        and all(files.get(p) is state for p, state in zip(paths, states, strict=True))):
                    result[path] = converted
                    continue
            paths = tuple(dict.fromkeys([path, *(snapshot.path_of(r.file) for d in found for r in d.related)]))
            converted = [to_lsp(d, snapshot, encoding, docs_url) for d in found]
            self._by_path[path] = ((encoding, docs_url), (found, paths, tuple(files.get(p) for p in paths)),
                                   converted)
            result[path] = converted
        for path in [p for p in self._by_path if p not in result]:
            del self._by_path[path]
        return result
