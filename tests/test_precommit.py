"""The pre-commit hook: ``--project`` mode on the CLI, the hook manifest, and an end-to-end run
of the real ``pre-commit`` package against a snapshot of this repository."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from flowlint import __version__

ROOT = Path(__file__).resolve().parents[1]

MAIN = """\
inboundCall:
  name: Main IVR
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - setParticipantData:
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
"""
SUPPORT = """\
inboundCall:
  name: Support
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Route
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
                      lit: AccountId
                    variable: Task.account
          - disconnect:
              name: Bye
"""
BLANK_SET = """\
          - setParticipantData:
              name: Note
              attributes:
                - attribute:
                    name:
                      lit: " "
                    value:
                      lit: x
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint.cli", *args], capture_output=True, text=True, cwd=cwd,
                          check=False)


def codes_in(output: str) -> list[tuple[str, str]]:
    return [(Path(m[0]).name, m[1]) for m in re.findall(r"^(\S+?):\d+:\d+: (FL\d{3}) ", output, re.M)]


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A git work tree with two flows (a Set in main, the Get in support) and a non-flow YAML."""
    (tmp_path / ".git").mkdir()
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "main.yaml").write_text(MAIN, encoding="utf-8")
    (flows / "support.yaml").write_text(SUPPORT, encoding="utf-8")
    (tmp_path / "ci.yml").write_text("jobs: {}\n", encoding="utf-8")
    return tmp_path


# --------------------------------------------------------------------------- --project mode


def test_project_mode_lints_everything_reports_given_files(repo: Path) -> None:
    support = repo / "flows" / "support.yaml"
    support.write_text(SUPPORT.replace("lit: AccountId", "lit: accountId").replace(
        "          - disconnect:", BLANK_SET + "          - disconnect:"), encoding="utf-8")
    # Linting support.yaml alone cannot see the Set in main.yaml: FL005, not FL001.
    alone = run("check", "flows/support.yaml", cwd=repo)
    assert ("support.yaml", "FL005") in codes_in(alone.stdout)
    project = run("check", "--project", "flows/support.yaml", cwd=repo)
    assert project.returncode == 1
    assert sorted(codes_in(project.stdout)) == [("support.yaml", "FL001"), ("support.yaml", "FL002")]
    assert "in 2 flow file(s)" in project.stdout  # the whole project was read


def test_project_mode_reports_findings_pointing_into_changed_files(repo: Path) -> None:
    (repo / "flows" / "main.yaml").write_text(MAIN.replace("lit: AccountId", "lit: accountid"), encoding="utf-8")
    (repo / "flows" / "support.yaml").write_text(SUPPORT.replace(
        "          - disconnect:", BLANK_SET + "          - disconnect:"), encoding="utf-8")
    changed_main = run("check", "--project", "flows/main.yaml", cwd=repo)
    # FL001 lives in support.yaml but its evidence (the renamed Set) is in main.yaml: reported.
    # The old FL002 in support.yaml has nothing to do with main.yaml: not reported.
    assert codes_in(changed_main.stdout) == [("support.yaml", "FL001")]
    everything = run("check", "--project", "--report-all", "flows/main.yaml", cwd=repo)
    assert sorted(codes_in(everything.stdout)) == [("support.yaml", "FL001"), ("support.yaml", "FL002")]


def test_project_mode_with_only_non_flow_files_passes(repo: Path) -> None:
    (repo / "flows" / "support.yaml").write_text(SUPPORT.replace("lit: AccountId", "lit: accountId"),
                                                 encoding="utf-8")
    result = run("check", "--project", "ci.yml", cwd=repo)
    assert result.returncode == 0 and codes_in(result.stdout) == []


def test_project_root_is_the_config_directory_and_excludes_apply(repo: Path) -> None:
    (repo / "flows" / ".flowlint.toml").write_text('exclude = ["legacy/"]\n', encoding="utf-8")
    legacy = repo / "flows" / "legacy"
    legacy.mkdir()
    (legacy / "old.yaml").write_text(SUPPORT.replace("name: Support", "name: Old").replace(
        "lit: AccountId", "lit: accountId"), encoding="utf-8")
    (repo / "other.yaml").write_text(SUPPORT.replace("name: Support", "name: Other").replace(
        "lit: AccountId", "lit: Nobody"), encoding="utf-8")
    result = run("check", "--project", "--report-all", "flows/legacy/old.yaml", cwd=repo)
    assert result.returncode == 0, result.stdout  # excluded even though named; other.yaml is outside the root
    assert "2 flow file(s) checked" in result.stdout
    from_subdir = run("check", "--project", "--report-all", "legacy/old.yaml", cwd=repo / "flows")
    assert from_subdir.returncode == 0 and "2 flow file(s) checked" in from_subdir.stdout


# --------------------------------------------------------------------------- the manifest


def test_hook_manifest() -> None:
    hooks = cast(list[dict[str, Any]], yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")))
    by_id = {hook["id"]: hook for hook in hooks}
    main = by_id["flowlint"]
    assert main["language"] == "python" and main["entry"].startswith("flowlint check --project")
    assert main.get("pass_filenames", True) and main["require_serial"]
    pattern = re.compile(main["files"])
    for name in ("a.yaml", "b.yml", "flows/c.yaml.tftpl", "d.i3InboundFlow", "e.i3WorkFlow", "f.json"):
        assert pattern.search(name), name
    for name in ("g.py", "README.md", "h.yaml.bak"):
        assert not pattern.search(name), name
    assert by_id["flowlint-all"]["pass_filenames"] is False


# --------------------------------------------------------------------------- end to end


def _ensure_pre_commit() -> None:
    if importlib.util.find_spec("pre_commit") is None:  # normally installed by the `test` extra
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pre-commit"], check=True)


def _git(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _snapshot(destination: Path, env: dict[str, str]) -> str:
    """This repository's working tree (committed or not) as a fresh git repo; returns its commit.

    pre-commit clones ``repo`` at ``rev``: a snapshot tests the code as it is now, not HEAD.
    """
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    wanted = ("flowlint/", "rules/", "grammars/")
    for name in listed:
        source = ROOT / name
        if not name or not source.is_file():
            continue
        if name.startswith(wanted) or name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _git("init", "-q", cwd=destination, env=env)
    _git("add", ".", cwd=destination, env=env)
    committed = _git("commit", "-q", "-m", "snapshot", cwd=destination, env=env)
    assert committed.returncode == 0, committed.stderr
    # The release tag README's snippet pins, annotated as docs/releasing.md makes it.
    tagged = _git("tag", "-a", f"v{__version__}", "-m", f"flowlint {__version__}", cwd=destination, env=env)
    assert tagged.returncode == 0, tagged.stderr
    return _git("rev-parse", "HEAD", cwd=destination, env=env).stdout.strip()


def readme_pre_commit_config(repo: str) -> str:
    """README's .pre-commit-config.yaml snippet, with FLOWLINT_REPO (this repository's URL,
    which README cannot know) replaced by ``repo``; everything else exactly as documented."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```yaml\n# \.pre-commit-config\.yaml\n(.*?)```", readme, re.S)
    assert found is not None, "README has no .pre-commit-config.yaml snippet"
    snippet = found.group(1)
    assert "FLOWLINT_REPO" in snippet and f"rev: v{__version__}" in snippet
    return re.sub(r"\bFLOWLINT_REPO\b", repo, snippet)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_end_to_end(tmp_path: Path) -> None:
    _ensure_pre_commit()
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1", "PRE_COMMIT_COLOR": "never"}
    env.pop("NO_COLOR", None)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    _snapshot(hooks, env)

    project = tmp_path / "project"
    (project / "flows").mkdir(parents=True)
    _git("init", "-q", "-b", "main", cwd=project, env=env)
    (project / ".pre-commit-config.yaml").write_text(readme_pre_commit_config(hooks.as_posix()), encoding="utf-8")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project, env=env,
                               capture_output=True, text=True, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        _git("add", "-A", cwd=project, env=env)
        return _git("commit", "-m", message, cwd=project, env=env)

    # A good project: the hook passes (the first run also builds the hook's environment).
    (project / "flows" / "main.yaml").write_text(MAIN, encoding="utf-8")
    (project / "flows" / "support.yaml").write_text(SUPPORT, encoding="utf-8")
    good = commit("good flows")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"flowlint\.+Passed", good.stdout + good.stderr), good.stdout + good.stderr

    # A bad flow: the hook fails, shows the finding, and the commit does not happen.
    (project / "flows" / "support.yaml").write_text(SUPPORT.replace("lit: AccountId", "lit: accountId"),
                                                    encoding="utf-8")
    bad = commit("bad flow")
    output = bad.stdout + bad.stderr
    assert bad.returncode != 0, output
    assert re.search(r"flowlint\.+Failed", output), output
    assert "flows/support.yaml:" in output and "FL001 [error] Get reads attribute 'accountId'" in output
    assert _git("rev-list", "--count", "HEAD", cwd=project, env=env).stdout.strip() == "1"

    # Fixed: the hook passes again.
    (project / "flows" / "support.yaml").write_text("# reads what Main IVR sets\n" + SUPPORT, encoding="utf-8")
    fixed = commit("fixed flow")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert _git("rev-list", "--count", "HEAD", cwd=project, env=env).stdout.strip() == "2"


def test_every_package_is_in_the_distribution() -> None:
    """pre-commit, pipx and the Action install a wheel, not this tree: a package missing from
    pyproject's list works in the editable test venv and fails everywhere else."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "flowlint").rglob("__init__.py")}
    found |= {"flowlint.rules", "flowlint.grammars"}  # package-dir: rules/ and grammars/
    assert found <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(found - listed)}"
