"""The GitHub Action (action.yml): its metadata against a schema, the rules it must keep (lint
first, upload always and pinned, nothing leaking into the caller's job), and its shell steps run
here as the runner runs them: `bash --noprofile --norc -eo pipefail`, inputs through `env:`,
with a fake GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH, GITHUB_ENV and a RUNNER_TEMP,
workspace and paths that contain spaces."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest
import yaml

from flowlint import __version__

ROOT = Path(__file__).resolve().parents[1]
ACTION_TEXT = (ROOT / "action.yml").read_text(encoding="utf-8")
ACTION = cast(dict[str, Any], yaml.safe_load(ACTION_TEXT))
STEPS = cast(list[dict[str, Any]], ACTION["runs"]["steps"])
#: The interpreter whose bin directory holds this checkout's `flowlint` (the test venv).
VENV_BIN = Path(sys.executable).parent


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("id") == step_id)


# --------------------------------------------------------------------------- metadata


def test_action_yml_matches_the_metadata_schema() -> None:
    schema = json.loads((ROOT / "tests" / "data" / "github-action.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(ACTION, schema)
    # The schema is not vacuous: keys GitHub does not know are rejected.
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**ACTION, "runs": {**ACTION["runs"], "main": "x.js"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**ACTION, "runs": {"using": "composite", "steps": [{"run": "true"}]}}, schema)


def test_lint_comes_first_and_the_upload_always_runs_after_it() -> None:
    ids = [s.get("id") for s in STEPS]
    upload = next(s for s in STEPS if "upload-sarif" in s.get("uses", ""))
    assert ids.index("lint") < STEPS.index(upload)
    assert "always()" in upload["if"] and "inputs.upload-sarif == 'true'" in upload["if"]
    assert upload["continue-on-error"] == "${{ inputs.upload-continue-on-error == 'true' }}"
    assert upload["with"] == {"sarif_file": "${{ steps.lint.outputs.sarif-file }}",
                              "category": "${{ inputs.category }}"}
    assert ACTION["inputs"]["upload-continue-on-error"]["default"] == "true"


def test_third_party_actions_are_pinned_by_sha_to_current_majors() -> None:
    pins = re.findall(r"uses: ([\w./-]+)@(\S+)\s+# (v[\d.]+)", ACTION_TEXT)
    assert {name for name, _, _ in pins} == {"actions/setup-python", "github/codeql-action/upload-sarif"}
    assert len(pins) == len([s for s in STEPS if "uses" in s])
    for name, ref, version in pins:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), (name, ref)
        major = int(version[1:].split(".")[0])
        assert major >= {"actions/setup-python": 5, "github/codeql-action/upload-sarif": 4}[name], (name, version)


def test_nothing_leaks_into_the_callers_job() -> None:
    python = step("python")
    assert python["with"]["update-environment"] is False  # the caller's `python` stays what it was
    for item in STEPS:
        script = item.get("run", "")
        assert "${{" not in script, "inputs reach scripts through env (no script injection)"
        assert "GITHUB_PATH" not in script and "GITHUB_ENV" not in script
        if script:
            assert item["shell"] == "bash"
    assert set(ACTION["outputs"]) == {"findings", "errors", "sarif-file"}
    assert "category" in ACTION["inputs"]


# --------------------------------------------------------------------------- the shell steps, run


@dataclass
class Runner:
    """Just enough of the Actions runner for this composite action's `run:` steps."""

    temp: Path
    workspace: Path
    inputs: dict[str, str]
    outputs: dict[str, dict[str, str]] = field(default_factory=lambda: {})
    files: dict[str, Path] = field(default_factory=lambda: {})

    def __post_init__(self) -> None:
        for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_PATH", "GITHUB_ENV"):
            self.files[name] = self.temp.parent / f"{name.lower()} file"
            self.files[name].write_text("", encoding="utf-8")

    def expand(self, value: str) -> str:
        def one(match: re.Match[str]) -> str:
            parts = match.group(1).strip().split(".")
            if parts[0] == "inputs":
                return self.inputs.get(parts[1], str(ACTION["inputs"][parts[1]].get("default", "")))
            if parts[0] == "steps" and parts[2] == "outputs":
                return self.outputs.get(parts[1], {}).get(parts[3], "")
            raise AssertionError(f"unexpected expression {match.group(0)}")
        return re.sub(r"\$\{\{(.*?)\}\}", one, value)

    def run(self, step_id: str, action_path: Path = ROOT) -> subprocess.CompletedProcess[str]:
        item = step(step_id)
        script = self.temp / f"{step_id}.sh"
        script.write_text(item["run"], encoding="utf-8")
        env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/"), "LANG": "C.UTF-8",
               "RUNNER_TEMP": str(self.temp), "GITHUB_ACTION_PATH": str(action_path),
               "GITHUB_WORKSPACE": str(self.workspace)}
        env.update({name: str(path) for name, path in self.files.items()})
        env.update({name: self.expand(str(value)) for name, value in item.get("env", {}).items()})
        self.files["GITHUB_OUTPUT"].write_text("", encoding="utf-8")
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                cwd=self.workspace, env=env, capture_output=True, text=True, check=False)
        lines = self.files["GITHUB_OUTPUT"].read_text(encoding="utf-8").splitlines()
        self.outputs[step_id] = dict(line.split("=", 1) for line in lines if "=" in line)
        return result


@pytest.fixture()
def runner(tmp_path: Path) -> Runner:
    temp = tmp_path / "runner temp"
    temp.mkdir()
    workspace = tmp_path / "my repo"
    shutil.copytree(ROOT / "examples", workspace / "call flows", ignore=shutil.ignore_patterns(".flowlint_cache"))
    (workspace / "other flows").mkdir()
    return Runner(temp, workspace, {})


def test_install_step_quotes_paths_and_leaves_path_alone(runner: Runner, tmp_path: Path) -> None:
    """setup-python's `python-path` output drives the venv; a fake interpreter records the calls."""
    log = tmp_path / "calls.log"
    fake = tmp_path / "fake python"
    fake.write_text(f"""#!/bin/sh
printf '%s|' "$0" "$@" >> '{log}'; echo >> '{log}'
if [ "$1" = -m ] && [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
""", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    runner.outputs["python"] = {"python-path": str(fake)}
    action_dir = tmp_path / "action checkout"
    action_dir.mkdir()
    result = runner.run("install", action_path=action_dir)
    assert result.returncode == 0, result.stderr
    venv = runner.temp / "flowlint-venv"
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls[0] == f"{fake}|-m|venv|{venv}|"
    assert calls[1] == f"{venv}/bin/python|-m|pip|install|--quiet|--disable-pip-version-check|{action_dir}|"
    assert runner.outputs["install"] == {"bin": f"{venv}/bin"}
    assert runner.files["GITHUB_PATH"].read_text(encoding="utf-8") == ""


@pytest.mark.skipif(shutil.which("flowlint", path=str(VENV_BIN)) is None,
                    reason="the flowlint console script is not installed next to this Python")
def test_lint_step_outputs_annotations_and_no_word_splitting(runner: Runner) -> None:
    runner.outputs["install"] = {"bin": str(VENV_BIN)}
    runner.inputs.update({
        # One path per line, with spaces, blank lines and surrounding blanks.
        "paths": "call flows\n\n  other flows  \n",
        # One argument per line: a --config value with spaces must reach flowlint whole.
        "args": "--ignore\nFL010\n--config\nrespect-gitignore = false\n",
        "category": "flowlint/call flows",
    })
    result = runner.run("lint")
    assert result.returncode == 1, result.stdout + result.stderr  # findings at or above warning
    outputs = runner.outputs["lint"]
    sarif = runner.temp / "flowlint" / "flowlint_call_flows.sarif"
    assert outputs == {"findings": "11", "errors": "7", "sarif-file": str(sarif)}
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert len(results) == 11 and not any(r["ruleId"] == "FL010" for r in results)
    assert result.stdout.count("::error file=call flows/flows/") == 7 and result.stdout.count("::warning ") == 4
    assert runner.files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8") == \
        "### flowlint: 11 finding(s), 7 error(s)\n"
    # Nothing written into the workspace (report and cache under RUNNER_TEMP), nothing for later steps.
    assert sorted(p.name for p in runner.workspace.iterdir()) == ["call flows", "other flows"]
    assert not list(runner.workspace.rglob(".flowlint_cache"))
    assert runner.files["GITHUB_PATH"].read_text(encoding="utf-8") == ""
    assert runner.files["GITHUB_ENV"].read_text(encoding="utf-8") == ""


@pytest.mark.skipif(shutil.which("flowlint", path=str(VENV_BIN)) is None,
                    reason="the flowlint console script is not installed next to this Python")
def test_lint_step_passes_on_a_clean_project_and_explains_a_space_separated_list(runner: Runner) -> None:
    runner.outputs["install"] = {"bin": str(VENV_BIN)}
    runner.inputs.update({"paths": "other flows", "fail-on": "error"})
    clean = runner.run("lint")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert runner.outputs["lint"]["findings"] == "0" and runner.outputs["lint"]["errors"] == "0"

    runner.inputs["paths"] = "call flows other flows"  # the old, space-separated form
    wrong = runner.run("lint")
    assert wrong.returncode == 2
    assert "::error title=flowlint::no such path: 'call flows other flows' (the paths input takes one path per " \
           "line)" in wrong.stdout
    assert runner.outputs["lint"] == {}  # no outputs: the upload step (sarif-file != '') is skipped


def test_readme_uses_the_action_at_this_release() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"uses: FLOWLINT_REPO_ON_GITHUB@(\S+)", readme) == [f"v{__version__}"]
    # Every pinned reference to flowlint (pip/pipx URLs, pre-commit rev) is this release's tag.
    refs = set(re.findall(r"FLOWLINT_REPO[A-Z_]*@(v[\w.]+)", readme)) | set(re.findall(r"rev: (\S+)", readme))
    assert refs == {f"v{__version__}"}, refs
    assert "<owner>" not in readme and "v0.1.0" not in readme
    for permission in ("contents: read", "security-events: write", "actions: read"):
        assert permission in readme
