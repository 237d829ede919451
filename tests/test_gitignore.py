"""Discovery sees the repository a clean checkout has: what git ignores is not linted
(.gitignore files at any depth, .git/info/exclude, the global excludes file), unless named
explicitly or --no-respect-gitignore."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowlint.cli import main
from flowlint.config import Config
from flowlint.engine import check_paths
from flowlint.loaders.discover import discover
from flowlint.lsp.model import WorkspaceModel

from .helpers import write_project
from .test_deploy import SUPPORT

FLOW = SUPPORT.replace('"{{flow_name}}"', "Support").replace("getParticipantData", "setParticipantData").replace(
    "variable: Task.tier", "value:\n                      lit: x")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # no global excludes but ours
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "repo"
    write_project(root, {
        "flows/support.yaml": FLOW,
        # An editor's local history: an old copy of the same flow (a false FL105 if linted).
        ".history/flows/support_20240101.yaml": FLOW,
        "out/support.yaml": FLOW,
        "flows/drafts/support-draft.yaml": FLOW,
        "flows/drafts/keep.yaml": FLOW.replace("name: Support", "name: Kept"),
        "flows/local.yaml": FLOW.replace("name: Support", "name: Local"),
        "flows/personal.yaml": FLOW,
        ".gitignore": ".history/\n/out\n",
        "flows/drafts/.gitignore": "*.yaml\n!keep.yaml\n",
    })
    (root / ".git" / "info").mkdir(parents=True)
    (root / ".git" / "info" / "exclude").write_text("flows/personal.yaml\n", encoding="utf-8")
    (tmp_path / "xdg" / "git").mkdir(parents=True)
    (tmp_path / "xdg" / "git" / "ignore").write_text("# global\nlocal.yaml\n", encoding="utf-8")
    return root


def test_discovery_skips_what_git_ignores(repo: Path) -> None:
    found = sorted(os.path.relpath(p, repo) for p, _ in discover([str(repo)]))
    assert found == ["flows/drafts/keep.yaml", "flows/support.yaml"]
    everything = sorted(os.path.relpath(p, repo) for p, _ in discover([str(repo)], respect_gitignore=False))
    assert len(everything) == 7


def test_no_duplicate_from_an_ignored_stale_copy(repo: Path) -> None:
    assert check_paths([str(repo)]).diagnostics == []
    config = Config(respect_gitignore=False)
    assert "FL105" in [d.code for d in check_paths([str(repo)], config).diagnostics]
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(repo), "--no-cache"]).exit_code == 0
    result = runner.invoke(main, ["check", str(repo), "--no-cache", "--no-respect-gitignore"])
    assert result.exit_code == 1 and "FL105" in result.output


def test_global_excludes_file_from_git_config(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "xdg" / "git" / "ignore").unlink()
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".gitconfig").write_text(
        f'[user]\n  excludesfile = nope\n[core]\n  excludesFile = "{tmp_path / "mine"}"\n', encoding="utf-8")
    (tmp_path / "mine").write_text("local.yaml\n", encoding="utf-8")
    found = sorted(os.path.relpath(p, repo) for p, _ in discover([str(repo)]))
    assert found == ["flows/drafts/keep.yaml", "flows/support.yaml"]


def test_explicit_files_are_linted_even_when_ignored(repo: Path) -> None:
    stale = repo / ".history" / "flows" / "support_20240101.yaml"
    result = check_paths([str(repo / "flows" / "support.yaml"), str(stale)])
    assert [d.code for d in result.diagnostics] == ["FL105"]


def test_config_exclude_still_applies(repo: Path) -> None:
    config = Config(exclude=["flows/drafts/"], root=str(repo))
    found = sorted(os.path.relpath(p, repo) for p, _ in discover([str(repo)], config.is_excluded))
    assert found == ["flows/support.yaml"]


def test_outside_a_work_tree_nothing_is_ignored(tmp_path: Path) -> None:
    write_project(tmp_path / "plain", {"a.yaml": FLOW, ".gitignore": "a.yaml\n"})
    assert len(list(discover([str(tmp_path / "plain")]))) == 1


def test_language_server_index_respects_gitignore(repo: Path) -> None:
    model = WorkspaceModel([str(repo)])
    snapshot = model.update([], {}, rescan=True)
    assert sorted(os.path.relpath(p, repo) for p in snapshot.files) == ["flows/drafts/keep.yaml",
                                                                         "flows/support.yaml"]
    assert not model.in_workspace(str(repo / ".history" / "flows" / "support_20240101.yaml"))
    assert not model.in_workspace(str(repo / "flows" / "drafts" / "support-draft.yaml"))
    assert model.in_workspace(str(repo / "flows" / "support.yaml"))
