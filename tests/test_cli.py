"""The command line: exit codes, output formats, rules/explain, config errors, README consistency."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowlint import __version__
from flowlint.cli import main
from flowlint.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]
CLEAN = """\
inboundCall:
  name: Clean
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: T
        refId: t
        actions:
          - disconnect:
              name: Bye
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, check=False)


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_clean_project_exits_0(tmp_path: Path) -> None:
    (tmp_path / "clean.yaml").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "ci.yml").write_text("jobs: {}\n", encoding="utf-8")
    result = run("check", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 flow file(s) checked, no findings" in result.stdout


def test_findings_exit_1_and_text_format() -> None:
    result = run("check", "examples")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"examples/flows/[\w-]+\.yaml:\d+:\d+: FL\d{3} \[(error|warning|info)\] .+", lines[0])
    assert lines == sorted(lines[:-1], key=lambda l: (l.split(":")[0], int(l.split(":")[1]))) + [lines[-1]]
    assert lines[-1].startswith("Found 13 finding(s) in 7 flow file(s)")


def test_json_format_contract() -> None:
    result = run("check", "--format", "json", "examples")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    keys = {"rule", "severity", "message", "file", "line", "column", "end_line", "end_column", "flow", "attribute"}
    assert doc["diagnostics"] and all(keys <= set(d) for d in doc["diagnostics"])
    fl001 = next(d for d in doc["diagnostics"] if d["rule"] == "FL001")
    assert fl001["attribute"] == "accountId" and fl001["flow"] == "Support"
    assert fl001["related"][0]["file"].endswith("main-ivr.yaml")
    assert doc["summary"]["error"] == 7


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("check", "--format", "nope", ".").returncode == 2
    assert run("explain", "FL999").returncode == 2
    assert run("no-such-command").returncode == 2
    bad = tmp_path / ".flowlint.toml"
    bad.write_text("external_attributes = ['x']\n", encoding="utf-8")
    result = run("check", str(tmp_path))
    assert result.returncode == 2 and "did you mean 'external-attributes'" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_file_does_not_stop_the_project(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("inboundCall:\n  name: [broken\n", encoding="utf-8")
    (tmp_path / "b.i3InboundFlow").write_bytes(b"\x00\xff garbage")
    (tmp_path / "c.yaml").write_text(CLEAN.replace("Clean", "C").replace(
        "          - disconnect:", "          - jumpToTask:\n              name: J\n"
        "              targetTaskRef: /inboundCall/tasks/task[gone]\n          - disconnect:"), encoding="utf-8")
    result = run("check", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    codes = re.findall(r": (FL\d{3}) ", result.stdout)
    assert sorted(codes) == ["FL100", "FL100", "FL103"]


def test_rules_and_explain_come_from_the_registry() -> None:
    listing = run("rules").stdout
    for rule in all_rules():
        assert rule.info.code in listing and rule.info.name in listing
    explained = run("explain", "fl003")
    assert explained.returncode == 0
    assert "secured-data-in-screen-pop" in explained.stdout and "Bad:" in explained.stdout


def test_readme_commands_and_example_output() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(python3 -m venv .+)\n```", readme)
    assert len(commands) == 2, "README has exactly two set-up commands"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, ".ci/run must run README's test command"
    assert "flowlint check examples/" in commands[0]
    block = re.search(r"<!-- example-output:start -->\n```\n(.*?)```\n<!-- example-output:end -->", readme, re.S)
    assert block is not None
    actual = run("check", "examples/").stdout
    assert block.group(1) == actual, "README example output is stale: paste `flowlint check examples/`"
    for code in ("FL001", "FL002", "FL003", "FL004", "FL005"):
        assert actual.count(f": {code} ") == 1, code


@pytest.mark.parametrize("daemon", ["--no-daemon", "--daemon"])
def test_a_deleted_working_directory_is_reported_not_a_traceback(tmp_path: Path, daemon: str) -> None:
    script = f'mkdir gone && cd gone && rmdir ../gone && exec "{sys.executable}" -m flowlint check . {daemon}'
    done = subprocess.run(["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "current directory cannot be used" in done.stderr
