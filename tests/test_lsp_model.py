"""The language server's pieces in-process: position conversion, the workspace model,
features (hover, quick fixes) on YAML and API JSON, and client settings."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import cast

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError

from flowlint.config import Config
from flowlint.ir import SourceFormat, Span
from flowlint.lsp import features
from flowlint.lsp.convert import docs_href, publishable, to_lsp
from flowlint.lsp.model import Document, WorkspaceModel
from flowlint.lsp.positions import UTF8, UTF16, UTF32, LineIndex, Pos, PositionMapper, column_from_units, units
from flowlint.lsp.server import FlowlintServer, Settings, guard_notification, guard_request, parse_settings

from .test_flow_json_loader import act, doc, lit, task, var

WORKSPACE = Path(__file__).parent / "lsp" / "workspace"

GET = """\
inboundCall:
  name: Support
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        variables:
          - stringVariable:
              name: Task.account
              initialValue:
                noValue: true
        actions:
          - getParticipantData:
              name: Read account
              attributes:
                - attribute:
                    name:
                      lit: {name}
                    variable: Task.account
          - disconnect:
              name: Done
"""
SET = """\
inboundCall:
  name: Main IVR
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - {kind}:
              name: Remember account
              attributes:
                - attribute:
                    name:
                      lit: AccountId
                    value:
                      exp: Call.Ani
          - transferToFlow:
              name: To support
              targetFlow:
                name: Support
              failureOutputs:
                errorType:
                  noValue: true
                errorMessage:
                  noValue: true
"""


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # messages name files relative to the working directory
    return tmp_path


def write(root: Path, name: str, text: str) -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


# --------------------------------------------------------------------------- positions


def test_units_and_columns_in_each_encoding() -> None:
    line = "a😀é-b"
    assert [units(line, e) for e in (UTF8, UTF16, UTF32)] == [len(line.encode()), 6, 5]
    assert column_from_units(line, 3, UTF16) == 2  # after the surrogate pair
    assert column_from_units(line, 2, UTF16) == 1  # inside the pair: snaps to its start
    assert column_from_units(line, 3, UTF8) == 1  # inside 😀's four bytes (1-4)
    assert column_from_units(line, 6, UTF8) == 2  # inside é's two bytes (5-6)
    assert column_from_units(line, 7, UTF8) == 3
    assert column_from_units(line, 99, UTF16) == len(line)


def test_line_index_uses_lsp_line_breaks() -> None:
    index = LineIndex("a\r\nbc\rd\n\u2028e")
    assert index.starts == [0, 3, 6, 8]  # U+2028 is not an LSP line break
    assert index.line_text(1) == "bc" and index.line_text(3) == "\u2028e"
    assert index.location(4) == (1, 1)
    assert index.offset(1, 99) == 5  # clamped to the line's content, before its break


def test_yaml_line_breaks_that_lsp_does_not_count() -> None:
    # libyaml ends a line at U+2028 (YAML 1.1): IR line 3 is the second half of LSP line 1.
    text = "# a\u2028b\nx: 1\n"
    mapper = PositionMapper(text, SourceFormat.YAML)
    assert mapper.offsets(Span(3, 1, 3, 2)) == (text.index("x"), text.index("x") + 1)
    start, end = mapper.lsp_range(Span(3, 1, 3, 2), UTF16)
    assert (start, end) == (Pos(1, 0), Pos(1, 1))
    json_mapper = PositionMapper(text, SourceFormat.JSON)  # the JSON locator counts only \n
    assert json_mapper.lsp_range(Span(2, 1, 2, 2), UTF16) == (Pos(1, 0), Pos(1, 1))


def test_bom_in_the_editor_text_shifts_the_first_line_only() -> None:
    mapper = PositionMapper("ab\ncd", SourceFormat.YAML, "\ufeffab\ncd")
    assert mapper.lsp_range(Span(1, 1, 1, 2), UTF16) == (Pos(0, 1), Pos(0, 2))
    assert mapper.lsp_range(Span(2, 1, 2, 2), UTF16) == (Pos(1, 0), Pos(1, 1))
    assert mapper.offset_at(Pos(0, 1), UTF16) == 0


def test_crlf_and_astral_names_through_the_model(ws: Path) -> None:
    set_text = SET.format(kind="setParticipantData").replace("AccountId", "Kontō😀Id").replace("\n", "\r\n")
    write(ws, "main.yaml", set_text)
    get_path = write(ws, "support.yaml", "# 😀😀\r\n" + GET.format(name="kontō😀id").replace("\n", "\r\n"))
    snapshot = WorkspaceModel([str(ws)]).update([], {}, rescan=True)
    (finding,) = publishable(snapshot, UTF16)[get_path]
    text = Path(get_path).read_bytes().decode()
    line = text.split("\r\n")[finding.range.start.line]
    column = line.index("kontō😀id")
    assert finding.range.start.character == len(line[:column].encode("utf-16-le")) // 2
    assert finding.range.end.character - finding.range.start.character == 9  # 8 code points, 😀 is two units
    (utf8,) = publishable(snapshot, UTF8)[get_path]
    assert utf8.range.end.character - utf8.range.start.character == len("kontō😀id".encode())


# --------------------------------------------------------------------------- model


def test_update_reloads_only_what_changed_and_documents_win(ws: Path) -> None:
    main = write(ws, "flows/main.yaml", SET.format(kind="setParticipantData"))
    support = write(ws, "flows/support.yaml", GET.format(name="accountId"))
    write(ws, "ci.yaml", "jobs:\n  test: {}\n")
    model = WorkspaceModel([str(ws)])
    first = model.update([], {}, rescan=True)
    assert [d.code for d in first.diagnostics[support]] == ["FL001"]
    assert first.diagnostics[support][0].file == os.path.join("flows", "support.yaml")
    assert model.update([support], {}) is first  # nothing changed on disk: no new analysis
    second = model.update([support], {support: Document(GET.format(name="AccountId"), 3)})
    assert second is not first and support not in second.diagnostics
    assert second.files[support].version == 3 and second.files[main] is first.files[main]  # main not re-loaded
    # Closing the document: back to the disk's text.
    assert [d.code for d in model.update([support], {}).diagnostics[support]] == ["FL001"]


def test_documents_outside_the_workspace_and_excluded_ones(ws: Path) -> None:
    root = ws / "ws"
    write(root, "main.yaml", SET.format(kind="setParticipantData"))
    outside = write(ws, "elsewhere/support.yaml", GET.format(name="accountId"))
    model = WorkspaceModel([str(root)], Config(exclude=["skipped.yaml"], root=str(root)))
    assert outside not in model.update([], {}, rescan=True).files
    opened = model.update([outside], {outside: Document(Path(outside).read_text(encoding="utf-8"), 1)})
    assert [d.code for d in opened.diagnostics[outside]] == ["FL001"]  # an open file is linted wherever it is
    assert outside not in model.update([outside], {}).files  # closed: it leaves the project
    skipped = write(root, "skipped.yaml", GET.format(name="accountId"))
    snapshot = model.update([skipped], {skipped: Document(GET.format(name="accountId"), 1)})
    assert skipped not in snapshot.files


def test_unparsable_document_and_deleted_file(ws: Path) -> None:
    main = write(ws, "main.yaml", SET.format(kind="setParticipantData"))
    support = write(ws, "support.yaml", GET.format(name="AccountId"))
    model = WorkspaceModel([str(ws)])
    model.update([], {}, rescan=True)
    broken = model.update([main], {main: Document("inboundCall:\n  name: [Main\n", 2)})
    assert [d.code for d in broken.diagnostics[main]] == ["FL100"]
    assert [d.code for d in broken.diagnostics[support]] == ["FL005"]  # the Set is gone with the parse
    Path(main).unlink()
    gone = model.update([main], {})
    assert main not in gone.files and main not in gone.diagnostics


# --------------------------------------------------------------------------- features


def _site_position(snapshot_text: str, needle: str) -> Pos:
    before = snapshot_text[: snapshot_text.index(needle)]
    return Pos(before.count("\n"), len(before) - before.rfind("\n") - 1 + 1)


def test_hover_says_secured_and_lists_sets_and_gets(ws: Path) -> None:
    write(ws, "main.yaml", SET.format(kind="setSecuredData"))
    support = write(ws, "support.yaml", GET.format(name="AccountId").replace("getParticipantData", "getSecuredData"))
    snapshot = WorkspaceModel([str(ws)]).update([], {}, rescan=True)
    hover = features.hover(snapshot, support, _site_position(Path(support).read_text(encoding="utf-8"), "AccountId"),
                           UTF16)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    value = hover.contents.value
    assert "As secured data (secured):" in value and "participant data" not in value
    # Markdown: each list stands apart (a line right after a list item would join that item).
    assert "\n\nGet in 1 place(s):\n\n- Get Secured Data" in value
    assert "Set Secured Data 'Remember account' in flow 'Main IVR', main.yaml:14:28" in value
    assert "Get Secured Data 'Read account' into `Task.account` in flow 'Support', support.yaml:19:28" in value


@pytest.mark.parametrize(("written", "fixed"), [
    ("accountId", "AccountId"),
    ("'accountId'", "'AccountId'"),
    ('"accountId"', '"AccountId"'),
])
def test_fl001_fix_keeps_the_yaml_quoting(ws: Path, written: str, fixed: str) -> None:
    write(ws, "main.yaml", SET.format(kind="setParticipantData"))
    support = write(ws, "support.yaml", GET.format(name=written))
    model = WorkspaceModel([str(ws)])
    snapshot = model.update([], {}, rescan=True)
    (finding,) = snapshot.diagnostics[support]
    lsp = to_lsp(finding, snapshot, UTF16)
    actions = features.code_actions(snapshot, support, Pos(lsp.range.start.line, lsp.range.start.character),
                                    Pos(lsp.range.end.line, lsp.range.end.character), UTF16)
    fix = next(a for a in actions if a.title.startswith("Use "))
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = next(iter(fix.edit.changes.values()))
    assert edit.new_text == fixed
    assert (edit.range.start.line, edit.range.start.character) == (lsp.range.start.line, lsp.range.start.character)
    text = Path(support).read_text(encoding="utf-8").split("\n")
    line = text[edit.range.start.line]
    text[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character:]
    after = model.update([support], {support: Document("\n".join(text), 2)})
    assert support not in after.diagnostics


def test_fl001_fix_in_api_json_and_no_disable_action_there(ws: Path) -> None:
    write(ws, "main.yaml", SET.format(kind="setParticipantData"))
    flow = doc(task("T1", "Start", "B1", [act("GetAttributesAction", "B1", "Get account", None, variables=[
        {"variable": lit("accountId"), "expression": var("Task.account")}])]))
    flow["name"] = "Support"
    support = write(ws, "support.json", json.dumps(flow, indent=2))
    model = WorkspaceModel([str(ws)])
    snapshot = model.update([], {}, rescan=True)
    finding = next(d for d in snapshot.diagnostics[support] if d.code == "FL001")
    lsp = to_lsp(finding, snapshot, UTF16)
    actions = features.code_actions(snapshot, support, Pos(lsp.range.start.line, lsp.range.start.character),
                                    Pos(lsp.range.start.line, lsp.range.start.character), UTF16)
    assert [a.title for a in actions if "FL001" in a.title or a.title.startswith("Use ")] == [
        "Use 'AccountId', the spelling the Set uses"]  # JSON has no comments: no disable action
    fix = actions[0]
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = next(iter(fix.edit.changes.values()))
    assert edit.new_text == '"AccountId"'
    text = Path(support).read_text(encoding="utf-8").split("\n")
    line = text[edit.range.start.line]
    assert line[edit.range.start.character:edit.range.end.character] == '"accountId"'
    text[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character:]
    after = model.update([support], {support: Document("\n".join(text), 2)})
    assert "FL001" not in [d.code for d in after.diagnostics.get(support, [])]


def test_fl003_related_information_leads_to_the_secured_source(ws: Path) -> None:
    shutil.copytree(Path(__file__).parent.parent / "examples", ws / "examples")
    snapshot = WorkspaceModel([str(ws / "examples")]).update([], {}, rescan=True)
    main = str(ws / "examples" / "flows" / "main-ivr.yaml")
    (finding,) = [to_lsp(d, snapshot, UTF16) for d in snapshot.diagnostics[main] if d.code == "FL003"]
    lines = Path(main).read_text(encoding="utf-8").split("\n")
    related = finding.related_information or []
    assert [r.location.uri for r in related] == [Path(main).as_uri()] * len(related)
    first = related[0].location.range.start
    assert lines[first.line][first.character:].startswith("CardToken")  # the Get Secured Data's attribute


def test_document_symbols_nest_actions_of_decisions(ws: Path) -> None:
    shutil.copytree(WORKSPACE, ws / "copy")
    snapshot = WorkspaceModel([str(ws / "copy")]).update([], {}, rescan=True)
    (flow,) = features.document_symbols(snapshot, str(ws / "copy" / "flows" / "main.yaml"), UTF16)
    assert flow.name == "Main IVR" and flow.detail == "inboundCall"
    (start,) = flow.children or []
    assert [a.name for a in start.children or []] == ["Remember caller", "To Support"]
    assert flow.range.start.line <= flow.selection_range.start.line <= flow.range.end.line


def test_docs_links() -> None:
    assert docs_href("FL005", "https://example.org/{code}/{name}") == "https://example.org/FL005/get-before-set"
    assert docs_href("FL005", "https://example.org/{nope}").endswith("#fl005-get-before-set")  # bad template


def test_settings_are_tolerant() -> None:
    assert parse_settings(None) == Settings()
    assert parse_settings({"flowlint": {"configFile": "a.toml", "debounceMs": 20, "docsUrl": "x/{code}",
                                        "logTimings": True}}) == Settings("a.toml", 20, "x/{code}", True)
    base = Settings("a.toml", 20)
    assert parse_settings({"debounceMs": True, "docsUrl": 3}, base) == base  # wrong types: ignored
    assert parse_settings({"configFile": ""}, base).config_file is None
    assert parse_settings({"debounceMs": -1}, base).debounce_ms == 20


def test_fl002_gets_no_automatic_fix_only_the_disable_action(ws: Path) -> None:
    support = write(ws, "support.yaml", GET.format(name='" "'))
    snapshot = WorkspaceModel([str(ws)]).update([], {}, rescan=True)
    (finding,) = [d for d in snapshot.diagnostics[support] if d.code == "FL002"]
    lsp = to_lsp(finding, snapshot, UTF16)
    actions = features.code_actions(snapshot, support, Pos(lsp.range.start.line, lsp.range.start.character),
                                    Pos(lsp.range.end.line, lsp.range.end.character), UTF16)
    assert [a.title for a in actions if "FL002" in a.title or a.title.startswith("Use ")] == [
        "Disable FL002 for this action"]


def test_a_failing_rule_keeps_load_findings_and_says_why(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = write(ws, "broken.yaml", "inboundCall:\n  name: [x\n")
    write(ws, "support.yaml", GET.format(name="accountId"))

    def explode(*_: object) -> list[object]:
        raise RuntimeError("rule bug")

    monkeypatch.setattr("flowlint.pipeline.resident.ResidentProject.update_results", explode)
    snapshot = WorkspaceModel([str(ws)]).update([], {}, rescan=True)
    assert [d.code for d in snapshot.diagnostics[broken]] == ["FL100"]
    assert snapshot.error is not None and "RuntimeError: rule bug" in snapshot.error


class _Logs:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.messages.append(message)


def test_handler_exceptions_are_logged_not_fatal() -> None:
    logs = _Logs()
    server = cast(FlowlintServer, logs)

    @guard_notification(server)
    def did_something(params: int) -> None:
        raise ValueError(f"bad {params}")

    assert did_something(1) is None
    assert "error in did_something" in logs.messages[-1] and "ValueError: bad 1" in logs.messages[-1]

    @guard_request(server)
    async def answer(params: int) -> int:
        raise KeyError(params)

    with pytest.raises(JsonRpcInternalError, match="KeyError"):
        asyncio.run(answer(2))
    assert "error in answer" in logs.messages[-1]


def _ordered(rng: types.Range) -> bool:
    return (rng.start.line, rng.start.character) <= (rng.end.line, rng.end.character)


def _inside(inner: types.Range, outer: types.Range) -> bool:
    return ((outer.start.line, outer.start.character) <= (inner.start.line, inner.start.character)
            and (inner.end.line, inner.end.character) <= (outer.end.line, outer.end.character))


def _check_symbol(symbol: types.DocumentSymbol) -> int:
    assert symbol.name and _ordered(symbol.range) and _inside(symbol.selection_range, symbol.range), symbol
    for child in symbol.children or []:
        assert _inside(child.range, symbol.range), (child.name, symbol.name)
    return 1 + sum(_check_symbol(child) for child in symbol.children or [])


def test_every_feature_on_the_real_corpus(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No exception and well-formed answers on every corpus file (each repository one workspace)."""
    hovered = symbols = actions = 0
    for repository in sorted(p for p in corpus.iterdir() if p.is_dir()):
        monkeypatch.chdir(repository)
        snapshot = WorkspaceModel([str(repository)]).update([], {}, rescan=True)
        for path, state in snapshot.files.items():
            lines = (state.text or "").splitlines() or [""]
            for found in publishable(snapshot, UTF16).get(path, []):
                assert _ordered(found.range) and found.range.end.line <= len(lines), (path, found)
            if state.mapper is None:
                continue
            for symbol in features.document_symbols(snapshot, path, UTF16):
                symbols += _check_symbol(symbol)
            for site in snapshot.attributes.sites:
                span = site.attribute.name.loc.file.resolve(site.attribute.name.loc)
                if site.flow.file is not state.source or site.name is None or span is None:
                    continue
                start, _ = state.mapper.lsp_range(span, UTF16)
                hover = features.hover(snapshot, path, start, UTF16)
                assert hover is not None and site.name in str(hover.contents), (path, site.name)
                hovered += 1
                assert features.references(snapshot, path, start, UTF16, True)
                features.definition(snapshot, path, start, UTF16)
            for diagnostic in snapshot.diagnostics.get(path, []):
                if diagnostic.span is None:
                    continue
                start, end = state.mapper.lsp_range(diagnostic.span, UTF16)
                for action in features.code_actions(snapshot, path, start, end, UTF16):
                    assert action.edit is not None and action.edit.changes is not None
                    assert all(_ordered(e.range) for edits in action.edit.changes.values() for e in edits)
                    actions += 1
    assert hovered >= 20 and symbols >= 100 and actions >= 1  # the sweep really exercised something
