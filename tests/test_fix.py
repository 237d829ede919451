"""``flowlint check --fix / --diff / --fix-only / --unsafe-fixes``: every fix as bad -> fixed
text exactly, idempotent and re-checked; line endings, BOM and non-ASCII kept; exports and API
JSON never rewritten; a fix that would bring a new finding is not applied; round trips on real
corpus files (a defect injected, then fixed: the file is byte for byte the original); the
language server's quick fix is the same edit."""

from __future__ import annotations

import codecs
import difflib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flowlint.cli import main
from flowlint.diagnostics import Applicability, Edit, Fix
from flowlint.fix.diffs import unified_diff
from flowlint.fix.edits import apply_fixes
from flowlint.ir import Span

from .conftest import CORPUS

CORPUS_REPOS = CORPUS.parent / "corpus-repos"

FLOW = """\
inboundCall:
  name: {name}
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
{actions}"""
SET = """\
          - setParticipantData:
              name: Remember “account”
              attributes:
                - attribute:
                    name:
                      lit: {name}
                    value:
                      lit: x
          - transferToFlow:
              name: To support
              targetFlow:
                name: Support
"""
GET = """\
          - getParticipantData:
              name: Read 账户
              attributes:
                - attribute:
                    name:
                      lit: {name}
                    variable: Task.account
          - disconnect:
              name: Done
"""


def flow(name: str, actions: str) -> str:
    return FLOW.format(name=name, actions=actions)


def check(root: Path, *args: str) -> Result:
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return runner.invoke(main, ["check", "--no-cache", "--format", "concise", *args, "."],
                             catch_exceptions=False)
    finally:
        os.chdir(cwd)


def write(path: Path, text: str, newline: str = "\n", bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.replace("\n", newline).encode("utf-8"))
    return path


def fixed_twice(root: Path, *args: str) -> Result:
    """--fix, then a second --fix changes nothing (idempotent) and the re-check agrees."""
    first = check(root, "--fix", *args)
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    second = check(root, "--fix", *args)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == snapshot
    assert "Fixed" not in second.output
    return first


# --------------------------------------------------------------------------- FL001


@pytest.mark.parametrize(("written", "fixed"), [
    ("accountId", "AccountId"), ("'accountId'", "'AccountId'"), ('"accountId"', '"AccountId"')])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fl001_uses_the_one_spelling_the_sets_use(tmp_path: Path, written: str, fixed: str, newline: str) -> None:
    write(tmp_path / "main.yaml", flow("Main IVR", SET.format(name="AccountId")), newline)
    support = write(tmp_path / "support.yaml", flow("Support", GET.format(name=written)), newline, bom=True)
    before = check(tmp_path)
    assert before.exit_code == 1 and "FL001" in before.output
    result = fixed_twice(tmp_path)
    assert result.exit_code == 0, result.output
    assert "Fixed 1 finding(s). All clear" in result.output
    expected = codecs.BOM_UTF8 + flow("Support", GET.format(name=fixed)).replace("\n", newline).encode("utf-8")
    assert support.read_bytes() == expected


def test_fl001_with_two_spellings_is_not_fixed(tmp_path: Path) -> None:
    write(tmp_path / "main.yaml", flow("Main IVR", SET.format(name="AccountId")))
    write(tmp_path / "other.yaml", flow("Other", SET.format(name="ACCOUNTID")).replace("Support", "Support"))
    support = write(tmp_path / "support.yaml", flow("Support", GET.format(name="accountId")))
    before = support.read_text(encoding="utf-8")
    result = check(tmp_path, "--fix", "--unsafe-fixes")
    assert result.exit_code == 1 and "FL001" in result.output and "Fixed" not in result.output
    assert support.read_text(encoding="utf-8") == before


def test_fl001_in_api_json_is_never_rewritten(tmp_path: Path) -> None:
    write(tmp_path / "main.yaml", flow("Main IVR", SET.format(name="AccountId")))
    from .test_flow_json_loader import act, doc, lit, task, var

    document = doc(task("T1", "Start", "B1", [act("GetAttributesAction", "B1", "Get account", None, variables=[
        {"variable": lit("accountId"), "expression": var("Task.account")}])]))
    document["name"] = "Support"
    support = write(tmp_path / "support.json", json.dumps(document, indent=2))
    before = support.read_bytes()
    result = check(tmp_path, "--fix")
    assert "FL001" in result.output and support.read_bytes() == before
    assert check(tmp_path, "--diff").output.startswith("flowlint: would fix 0")


# --------------------------------------------------------------------------- FL900

SUPPRESSED = """\
          # flowlint: disable={above} -- reason
          - getParticipantData:   # flowlint: disable={trailing}
              name: Read
              attributes:
                - attribute:
                    name:
                      lit: AccountId
                    variable: Task.account
          - disconnect:
              name: Done
"""


@pytest.mark.parametrize(("above", "trailing", "above_fixed", "trailing_fixed"), [
    # Every code unused: the comment goes (alone: its line; trailing: from the blanks before '#').
    ("FL003", "FL010", None, None),
    # One code of several: it leaves the list with one separator, the rest stays as written.
    ("FL003, FL005", "FL010,FL005", "FL005", "FL005"),
    ("FL005,FL003", "FL005 ,FL010", "FL005", "FL005"),
    ("FL003,FL005,FL010", "FL005", "FL005", "FL005"),
])
def test_fl900_removes_unused_suppressions(tmp_path: Path, above: str, trailing: str, above_fixed: str | None,
                                           trailing_fixed: str | None) -> None:
    path = write(tmp_path / "support.yaml", flow("Support", SUPPRESSED.format(above=above, trailing=trailing)))
    assert "FL900" in check(tmp_path).output
    result = fixed_twice(tmp_path)
    lines = list[str](SUPPRESSED.splitlines(keepends=True))
    if above_fixed is None:
        lines[0] = ""
        lines[1] = "          - getParticipantData:\n"
    else:
        lines[0] = f"          # flowlint: disable={above_fixed} -- reason\n"
        lines[1] = f"          - getParticipantData:   # flowlint: disable={trailing_fixed}\n"
    assert path.read_text(encoding="utf-8") == flow("Support", "".join(lines))
    assert "FL900" not in result.output


def test_fl900_unknown_code_is_an_unsafe_fix(tmp_path: Path) -> None:
    path = write(tmp_path / "support.yaml", flow("Support", SUPPRESSED.format(above="FL005,FL99x", trailing="FL005")))
    before = path.read_text(encoding="utf-8")
    assert "FL900" in check(tmp_path, "--fix").output and path.read_text(encoding="utf-8") == before
    check(tmp_path, "--fix", "--unsafe-fixes")
    assert "# flowlint: disable=FL005 -- reason\n" in path.read_text(encoding="utf-8")


def test_fl900_comment_on_the_last_line_without_a_line_break(tmp_path: Path) -> None:
    body = flow("Support", GET.format(name="AccountId")).replace("name: Support", "name: Support  # flowlint: disable-file=FL010")
    text = body + "# flowlint: disable-file=FL003"
    path = write(tmp_path / "support.yaml", text)
    fixed_twice(tmp_path)
    assert path.read_text(encoding="utf-8") == flow("Support", GET.format(name="AccountId"))


# --------------------------------------------------------------------------- FL113


def test_fl113_spaced_placeholder(tmp_path: Path) -> None:
    path = write(tmp_path / "support.yaml", flow("{{ flow_name }}", GET.format(name="'{{\tkey}}'")))
    result = fixed_twice(tmp_path)
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == flow("{{flow_name}}", GET.format(name="'{{key}}'"))


def test_a_fix_that_brings_a_new_finding_is_not_applied(tmp_path: Path) -> None:
    # The options file gives 'queue' no value: the exact placeholder would be FL110.
    write(tmp_path / "archy-options.yaml", "substitutions:\n  other: x\n")
    path = write(tmp_path / "support.yaml", flow("Support {{other}}", GET.format(name="'{{ queue }}'")))
    before = path.read_text(encoding="utf-8")
    result = check(tmp_path, "--fix")
    assert "FL113" in result.output and "FL110" not in result.output
    assert "1 fix(es) not applied" in result.output
    assert path.read_text(encoding="utf-8") == before


# --------------------------------------------------------------------------- --diff, --fix-only


def test_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "main.yaml", flow("Main IVR", SET.format(name="AccountId")))
    support = write(tmp_path / "support.yaml", flow("Support", GET.format(name="accountId")))
    before = support.read_bytes()
    result = check(tmp_path, "--diff")
    assert result.exit_code == 1
    assert support.read_bytes() == before
    assert result.stdout == unified_diff("support.yaml", before.decode(), before.decode().replace(
        "lit: accountId", "lit: AccountId"))
    assert result.stdout.startswith("--- a/support.yaml\n+++ b/support.yaml\n@@ ")
    assert "-                      lit: accountId\n+                      lit: AccountId\n" in result.stdout
    assert "would fix 1 finding(s) in 1 file(s)" in result.stderr
    check(tmp_path, "--fix")
    clean = check(tmp_path, "--diff")
    assert clean.exit_code == 0 and clean.stdout == ""


def test_fix_only_reports_nothing_else_and_exits_zero(tmp_path: Path) -> None:
    write(tmp_path / "main.yaml", flow("Main IVR", SET.format(name="AccountId")))
    write(tmp_path / "support.yaml", flow("Support", GET.format(name="accountId")).replace(
        "name: Done", "name: Done\n          - disconnect:\n              name: ''"))
    result = check(tmp_path, "--fix-only")
    assert result.exit_code == 0 and result.stdout == ""
    assert "fixed 1 finding(s) in 1 file(s)" in result.stderr
    assert "FL001" not in check(tmp_path).output


def test_fix_with_stdin_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--fix", "--stdin-filename", "x.yaml", "-"], input="a: b\n")
    assert result.exit_code == 2 and "name them instead" in result.output


def test_unified_diff_marks_a_missing_final_line_break() -> None:
    assert unified_diff("f.yaml", "a\nb", "a\nc") == (
        "--- a/f.yaml\n+++ b/f.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
        "\\ No newline at end of file\n")


def test_apply_fixes_skips_overlaps_and_stale_text() -> None:
    text = "k: abc\r\nl: é😀x\n"
    first = Fix("a", (Edit(Span(1, 4, 1, 7), "ABC", "abc"),))
    overlapping = Fix("b", (Edit(Span(1, 5, 1, 6), "B", "b"),))
    stale = Fix("c", (Edit(Span(2, 4, 2, 5), "E", "e"),))
    wide = Fix("d", (Edit(Span(2, 5, 2, 6), "", "😀"),), Applicability.UNSAFE)
    applied = apply_fixes(text, [first, overlapping, stale, wide, first])
    assert applied.text == "k: ABC\r\nl: éx\n"
    assert applied.fixes == [first, wide] and applied.skipped == [overlapping] and applied.stale == [stale]


# --------------------------------------------------------------------------- real files

_ACTION = re.compile(r"^(?P<indent>[ ]*)- (?P<key>[A-Za-z]+):[ ]*$")


def _corpus_yaml() -> list[Path]:
    found = [p for root in (CORPUS, CORPUS_REPOS) if root.is_dir()
             for p in sorted(root.rglob("*")) if p.suffix in (".yaml", ".yml") and p.is_file()]
    return [p for p in found if re.search(r"^\s*actions:\s*$", p.read_text(encoding="utf-8", errors="replace"), re.M)]


def test_round_trip_on_real_files(tmp_path: Path) -> None:
    """Unused suppressions (a line above an action, a trailing comment) and spaced placeholders
    injected into real flows; --fix restores every file byte for byte, and the diff of the
    injected file against the fixed one touches only the injected spans."""
    files = _corpus_yaml()
    if not files:
        pytest.skip("no corpus")
    originals: dict[Path, bytes] = {}
    for index, source in enumerate(files):
        data = source.read_bytes()
        text = data.decode("utf-8-sig")
        lines = text.splitlines(keepends=True)
        target = next((i for i, line in enumerate(lines) if _ACTION.match(line.rstrip("\r\n"))), None)
        if target is None:
            continue
        line = lines[target]
        ending = line[len(line.rstrip("\r\n")):]
        matched = _ACTION.match(line.rstrip("\r\n"))
        assert matched is not None
        indent = matched["indent"]
        lines[target] = line.rstrip("\r\n") + "  # flowlint: disable=FL003" + ending
        lines.insert(target, f"{indent}# flowlint: disable=FL010 -- injected{ending}")
        injected = "".join(lines)
        injected = re.sub(r"\{\{([A-Za-z_]\w*)\}\}", r"{{ \1 }}", injected, count=1)
        copy = tmp_path / f"{index:03d}" / source.name
        copy.parent.mkdir()
        copy.write_bytes(data[: len(data) - len(data.lstrip(codecs.BOM_UTF8))] + injected.encode("utf-8"))
        originals[copy] = data
        before = check(copy.parent)
        if before.exit_code != 1 or "FL900" not in before.output or "FL110" in before.output:
            shutil.rmtree(copy.parent)  # a file that does not load as a flow, or already has no-value keys
            del originals[copy]
    assert len(originals) >= 10
    result = check(tmp_path, "--fix")
    assert "Fixed" in result.output
    for copy, data in originals.items():
        assert copy.read_bytes() == data, copy
        assert "FL900" not in check(copy.parent).output


# --------------------------------------------------------------------------- the editor


def test_language_server_quick_fix_is_the_cli_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flowlint.lsp import features
    from flowlint.lsp.convert import to_lsp
    from flowlint.lsp.model import WorkspaceModel
    from flowlint.lsp.positions import Pos

    monkeypatch.chdir(tmp_path)
    write(tmp_path / "main.yaml", flow("Main IVR", SET.format(name="AccountId")))
    support = write(tmp_path / "support.yaml", flow("Support", GET.format(name="'accountId'")).replace(
        "- getParticipantData:", "- getParticipantData:  # flowlint: disable=FL003,FL005"))
    snapshot = WorkspaceModel([str(tmp_path)]).update([], {}, rescan=True)
    text = support.read_text(encoding="utf-8")
    lines = text.split("\n")
    edited = list(lines)
    for diagnostic in snapshot.diagnostics[str(support)]:
        lsp = to_lsp(diagnostic, snapshot, "utf-16")
        start = Pos(lsp.range.start.line, lsp.range.start.character)
        actions = [a for a in features.code_actions(snapshot, str(support), start, start, "utf-16")
                   if a.title == diagnostic.fixes[0].title]
        assert actions, diagnostic
        assert actions[0].edit is not None and actions[0].edit.changes is not None
        (edit,) = next(iter(actions[0].edit.changes.values()))
        assert edit.range.start.line == edit.range.end.line
        line = edited[edit.range.start.line]
        # Columns here are UTF-16 units: the lines edited are ASCII before the edit.
        edited[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character:]
        break  # one edit per round, as the editor would
    check(tmp_path, "--fix")
    cli = support.read_text(encoding="utf-8")
    diff = [op for op in difflib.SequenceMatcher(None, text, cli).get_opcodes() if op[0] != "equal"]
    assert diff  # the CLI fixed both findings
    first = snapshot.diagnostics[str(support)][0]
    assert apply_fixes(text, [first.fixes[0]]).text == "\n".join(edited)
