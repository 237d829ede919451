"""Baselines: --write-baseline records findings without lines; --baseline reports only new ones."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowlint import baseline
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import Span

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint.cli", *args], capture_output=True, text=True, cwd=cwd,
                          check=False)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path / "examples"


def codes(output: str) -> list[str]:
    return re.findall(r": (FL\d{3}) \[", output)


def test_write_then_check_reports_nothing(project: Path) -> None:
    written = run("check", "--write-baseline", "flowlint-baseline.json", ".", cwd=project)
    assert written.returncode == 0 and written.stdout == ""
    assert "wrote 13 finding(s) to flowlint-baseline.json (13 added, 0 dropped" in written.stderr
    doc = json.loads((project / "flowlint-baseline.json").read_text(encoding="utf-8"))
    assert doc["version"] == 1 and doc["tool"] == "flowlint"
    entries = doc["findings"]
    assert [e["code"] for e in entries] == ["FL010", "FL010", "FL109", "FL004", "FL008", "FL009", "FL003", "FL006",
                                           "FL007", "FL007", "FL001", "FL002", "FL005"]  # sorted by file, code
    assert all(set(e) == {"code", "file", "flow", "logical", "attribute", "count"} for e in entries)
    assert entries[0]["file"] == "flows/after-hours.yaml"
    assert "line" not in json.dumps(doc)  # keyed without lines (or messages, which contain them)
    checked = run("check", "--baseline", "flowlint-baseline.json", ".", cwd=project)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout == ("All clear: 7 flow file(s) checked, no findings. "
                              "13 known finding(s) hidden by the baseline.\n")


def test_line_shifts_do_not_resurface_findings(project: Path) -> None:
    run("check", "--write-baseline", "base.json", ".", cwd=project)
    support = project / "flows" / "support.yaml"
    support.write_text("# moved\n# down\n\n" + support.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("check", "--baseline", "base.json", ".", cwd=project).returncode == 0


def test_new_findings_are_reported_and_fixed_ones_drop_out(project: Path) -> None:
    run("check", "--write-baseline", "base.json", ".", cwd=project)
    support = project / "flows" / "support.yaml"
    text = support.read_text(encoding="utf-8")
    # Fix FL002 and add a second Get of an unset attribute (a new FL005 in the same action's list).
    text = text.replace('lit: " "', "lit: RoutedBy").replace(
        "                    variable: Task.callback\n",
        "                    variable: Task.callback\n                - attribute:\n                    name:\n"
        "                      lit: Language\n                    variable: Task.callback\n")
    support.write_text(text, encoding="utf-8")
    checked = run("check", "--baseline", "base.json", ".", cwd=project)
    assert checked.returncode == 1
    assert codes(checked.stdout) == ["FL005"] and "'Language'" in checked.stdout
    assert "12 known finding(s) hidden by the baseline; 1 baseline entry no longer found" in checked.stdout
    rewritten = run("check", "--write-baseline", "base.json", ".", cwd=project)
    assert "wrote 13 finding(s) to base.json (1 added, 1 dropped" in rewritten.stderr
    doc = json.loads((project / "base.json").read_text(encoding="utf-8"))
    assert "FL002" not in [e["code"] for e in doc["findings"]]


def test_paths_relative_to_the_baseline_file(project: Path) -> None:
    (project / "ci").mkdir()
    run("check", "--write-baseline", "ci/base.json", "flows", cwd=project)
    doc = json.loads((project / "ci" / "base.json").read_text(encoding="utf-8"))
    assert {e["file"] for e in doc["findings"]} == {f"../flows/{name}.yaml" for name in (
        "after-hours", "callbacks", "helper-bot", "loyalty", "main-ivr", "payments", "support")}
    # From another directory, with other spellings of the same paths.
    elsewhere = run("check", "--baseline", str(project / "ci" / "base.json"), str(project / "flows"),
                    cwd=project.parent)
    assert elsewhere.returncode == 0, elsewhere.stdout
    inside = run("check", "--baseline", "../ci/base.json", ".", cwd=project / "flows")
    assert inside.returncode == 0, inside.stdout


def test_identical_keys_are_counted(tmp_path: Path) -> None:
    def diag(line: int) -> Diagnostic:
        return Diagnostic("FL005", Severity.WARNING, f"m{line}", str(tmp_path / "a.yaml"), Span(line, 1, line, 2),
                          "task > action", "Flow", "X")

    path = str(tmp_path / "b.json")
    assert baseline.write(path, [diag(1), diag(2)]) == (2, 2, 0)
    assert json.loads(Path(path).read_text(encoding="utf-8"))["findings"][0]["count"] == 2
    filtered = baseline.apply([diag(5), diag(6), diag(7)], path, [str(tmp_path / "a.yaml")])
    assert (len(filtered.new), filtered.known, filtered.fixed) == (1, 2, 0)
    filtered = baseline.apply([diag(5)], path, [str(tmp_path / "a.yaml")])
    assert (len(filtered.new), filtered.known, filtered.fixed) == (0, 1, 1)
    assert baseline.apply([], path, []).fixed == 0  # entries of files not linted are not "fixed"


@pytest.mark.parametrize(("content", "message"), [
    (None, "baseline file not found"),
    ("{", "invalid JSON in baseline"),
    ("[]", "not a flowlint baseline"),
    ('{"version": 9, "findings": []}', "unsupported baseline version 9"),
    ('{"version": 1, "findings": [{"code": 1}]}', "finding 1 is malformed"),
])
def test_bad_baselines_exit_2(project: Path, content: str | None, message: str) -> None:
    if content is not None:
        (project / "base.json").write_text(content, encoding="utf-8")
    result = run("check", "--baseline", "base.json", ".", cwd=project)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_baseline_with_machine_formats(project: Path) -> None:
    run("check", "--write-baseline", "base.json", ".", cwd=project)
    result = run("check", "--baseline", "base.json", "--format", "json", ".", cwd=project)
    assert json.loads(result.stdout)["diagnostics"] == []
