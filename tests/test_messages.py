"""Messages that read well (issue 17): each case below was a message that was too long, repeated
itself, pointed at the wrong place or spelt one thing two ways; plus the command-line and
daemon behaviours found in the same review."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from flowlint.config import Config
from flowlint.daemon import client, protocol
from flowlint.diagnostics import Diagnostic
from flowlint.lsp.convert import DEFAULT_DOCS_URL, docs_href
from rules._flows import task_flow

from .helpers import check_project
from .test_shadowing import MAIN_YAML, SUPPORT_YAML, export_of_main

ROOT = Path(__file__).resolve().parents[1]

_GET = """\
- getParticipantData:
    name: Read
    attributes:
      - attribute:
          name:
            lit: {name}
          variable: Task.x
- disconnect:
    name: Done
"""
_SET = """\
- setParticipantData:
    name: Write
    attributes:
      - attribute:
          name:
            lit: {name}
          value:
            lit: x
- disconnect:
    name: Done
"""


def only(found: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in found if d.code == code]


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, check=False, timeout=120)


def test_fl005_names_at_most_three_setting_flows(tmp_path: Path) -> None:
    files = {f"set{i}.yaml": task_flow(f"Setter {i:02}", _SET.format(name="Token")) for i in range(12)}
    files["get.yaml"] = task_flow("Reader", _GET.format(name="Token"))
    [finding] = only(check_project(tmp_path, files), "FL005")
    assert "it is set only in 'Setter 00', 'Setter 01', 'Setter 02' and 9 more flow(s), which cannot run " \
           "before flow 'Reader'" in finding.message
    assert "Setter 03" not in finding.message


def test_fl105_on_an_export_names_the_other_file_once_and_the_type_by_its_label(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "Main IVR.i3InboundFlow").write_bytes(export_of_main())
    (tmp_path / "exports" / "Main IVR copy.i3InboundFlow").write_bytes(export_of_main())
    [finding] = only(check_project(tmp_path, {}), "FL105")
    assert finding.message == (
        "flow name 'Main IVR' is already used by the Inbound Call flow 'Main IVR' in "
        f"{tmp_path}/exports/Main IVR copy.i3InboundFlow; publishing one replaces the other, and cross-flow "
        "rules follow both: remove or rename the stale copy")


def test_flow_types_are_spelt_by_their_label_in_yaml_and_exports_alike(tmp_path: Path) -> None:
    yaml_pair = {"a.yaml": task_flow("Queue", "- disconnect:\n    name: Done\n", flow_type="inqueueCall"),
                 "b.yaml": task_flow("queue", "- disconnect:\n    name: Done\n", flow_type="inqueueCall")}
    [finding] = only(check_project(tmp_path / "yaml", yaml_pair), "FL105")
    assert "the In-Queue Call flow 'Queue'" in finding.message
    assert "inqueueCall flow" not in finding.message and "inqueuecall flow" not in finding.message


def test_fl106_never_proposes_the_calling_flow_and_starts_a_sentence_after_the_question(tmp_path: Path) -> None:
    transfer = "- transferToFlow:\n    name: Go\n    targetFlow:\n      name: {target}\n"
    found = check_project(tmp_path, {
        "main.yaml": task_flow("Main IVR", transfer.format(target="Main IVR 2")),
        "support.yaml": task_flow("Support", transfer.format(target="Suport")),
    })
    by_flow = {d.flow: d.message for d in only(found, "FL106")}
    assert by_flow["Main IVR"] == ("'Main IVR 2' is not a flow in this project; if it lives elsewhere, add it to "
                                   "`external-flows`")
    # Support's own name is the closest match to 'Suport' but it calls itself nothing; no other flow is near.
    assert "did you mean 'Support'" not in by_flow["Support"]
    found = check_project(tmp_path / "b", {
        "main.yaml": task_flow("Main IVR", transfer.format(target="Suport")),
        "support.yaml": task_flow("Support", "- disconnect:\n    name: Done\n"),
    })
    [typo] = only(found, "FL106")
    assert typo.message == ("'Suport' is not a flow in this project; did you mean 'Support'? If it lives elsewhere, "
                            "add it to `external-flows`")


def test_fl001_related_set_is_the_yaml_not_the_export_it_shadows(tmp_path: Path) -> None:
    """With yaml-shadows-exports = false the export's Set counts too, but the finding points at
    the YAML Set (a line to go to), not at the export's 1:1."""
    check_project(tmp_path, {"flows/main.yaml": MAIN_YAML,
                             "flows/support.yaml": SUPPORT_YAML.replace("lit: AccountId", "lit: accountId")})
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "Main IVR.i3InboundFlow").write_bytes(export_of_main())
    for config in (Config(yaml_shadows_exports=False), None):
        [finding] = only(check_project(tmp_path, {}, config), "FL001")
        assert f"(Set in flow 'Main IVR' at {tmp_path}/flows/main.yaml:14)" in finding.message
        assert "more Set site" not in finding.message
        assert [r.file for r in finding.related] == [f"{tmp_path}/flows/main.yaml"]
        assert finding.related[0].span is not None


def test_unterminated_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    text = task_flow("Main IVR", "- disconnect:\n    name: Done\n").replace('name: Done', 'name: "Done') + "\n\n"
    [finding] = check_project(tmp_path, {"main.yaml": text})
    assert finding.code == "FL100" and finding.span is not None
    line = next(n for n, content in enumerate(text.splitlines(), 1) if content.endswith('name: "Done'))
    column = text.splitlines()[line - 1].index('"') + 1
    assert (finding.span.line, finding.span.column) == (line, column)  # not the end of the file
    assert finding.message == ("invalid YAML: the quote opened here is never closed (the file ends inside the quoted "
                               "value); add the closing quote")


@pytest.mark.parametrize(("comment", "hint"), [
    ("# flowlint: disabel=FL005", " (did you mean `disable=`?)"),
    ("# flowlint: disable_file=FL005", " (did you mean `disable-file=`?)"),
    ("# flowlint: disable FL005", " (did you mean `disable=`?)"),
    ("# flowlint: enable=FL005", ""),
])
def test_misspelt_directive_gets_a_did_you_mean(tmp_path: Path, comment: str, hint: str) -> None:
    flow = task_flow("Main IVR", "- disconnect:\n    name: Done\n") + comment + "\n"
    [finding] = check_project(tmp_path, {"main.yaml": flow})
    assert finding.code == "FL900"
    assert finding.message == (f"flowlint comment not understood{hint}: expected `# flowlint: disable=CODE[,CODE...]` "
                               "or `# flowlint: disable-file=CODE[,CODE...]`")


@pytest.mark.parametrize("args", [("rules",), ("rules", "--format", "markdown"), ("explain", "FL005")])
def test_a_reader_that_stops_early_is_not_an_error(args: tuple[str, ...]) -> None:
    shell = f"{sys.executable!s} -m flowlint {' '.join(args)} | head -1; exit ${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, cwd=ROOT, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and len(result.stdout.splitlines()) == 1


def test_report_all_without_project_is_a_usage_error() -> None:
    result = run("check", "--report-all", "examples")
    assert result.returncode == 2
    assert "--report-all applies to --project only" in result.stderr


def test_docs_links_resolve_to_this_repositorys_rule_reference() -> None:
    href = docs_href("FL005", DEFAULT_DOCS_URL)
    assert href == (ROOT / "docs" / "rules.md").as_uri() + "#fl005-get-before-set"
    assert "\n## FL005 get-before-set\n" in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert docs_href("FL005", "https://example.org/{code}") == "https://example.org/FL005"  # still configurable


@pytest.mark.skipif(not protocol.available(), reason="needs Unix sockets")
def test_daemon_status_sees_the_server_of_another_installation() -> None:
    """pre-commit's hook environment is another installation: another socket name (keyed by
    interpreter and package path) in the same per-user directory; status lists it."""
    runtime = tempfile.mkdtemp(prefix="fl-")
    env = {**os.environ, "XDG_RUNTIME_DIR": runtime, "FLOWLINT_DAEMON_IDLE": "60"}
    directory = Path(runtime, "flowlint")
    directory.mkdir(mode=0o700)
    other = str(directory / "0123456789abcdef.sock")  # as another installation's server_id would name it
    server = subprocess.Popen([sys.executable, "-m", "flowlint.daemon.server", other, "--idle-timeout", "60"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while client.request("status", other) is None:
            assert time.monotonic() < deadline, "the other server did not start"
            time.sleep(0.05)
        status = run("daemon", "status", env=env)
        assert status.returncode == 1  # this installation's server does not run...
        lines = status.stdout.splitlines()
        assert lines[0] == "flowlint server: not running"
        # ...but the other one is shown, with the interpreter it runs.
        assert any(line.startswith(f"flowlint server of another installation ({sys.executable}): running, pid "
                                   f"{server.pid},") and line.endswith(f"socket {other}") for line in lines), lines
    finally:
        client.request("stop", other)
        server.wait(timeout=30)
        shutil.rmtree(runtime, ignore_errors=True)
