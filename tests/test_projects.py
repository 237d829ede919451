"""Whole repositories out of the box: monorepos of several configured projects, --project
in any argument order, nothing linted said out loud, and ruff's command-line conventions
(--select/--ignore/--extend-*, --exclude, --config KEY=VALUE, '-' with --stdin-filename,
--quiet, --show-files, rule names)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flowlint.cli import main
from flowlint.engine import check_paths

from .helpers import write_project
from .test_shadowing import MAIN_YAML, SUPPORT_YAML


def lint(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["check", "--no-cache", *args], input=stdin)


def diagnostics(result: Result) -> list[tuple[str, str]]:
    report = json.loads(result.stdout)
    return sorted((d["rule"], d["file"]) for d in report["diagnostics"])


@pytest.fixture
def monorepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two deployments in one repository, each with its own configuration: 'billing' sets
    AccountId and has the Get FL005 switched off; 'sales' has the same flow names (another
    organisation) and keeps FL005 on."""
    write_project(tmp_path, {
        "billing/.flowlint.toml": 'ignore = ["get-before-set"]\n',
        "billing/flows/main.yaml": MAIN_YAML,
        "billing/flows/support.yaml": SUPPORT_YAML.replace("lit: AccountId", "lit: CustomerTier"),
        "sales/.flowlint.toml": 'exclude = ["drafts/"]\n',
        "sales/flows/main.yaml": MAIN_YAML,
        "sales/flows/support.yaml": SUPPORT_YAML.replace("lit: AccountId", "lit: accountId"),
        "sales/drafts/support-copy.yaml": SUPPORT_YAML,
    })
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_root_run_is_each_project_alone(monorepo: Path) -> None:
    whole = lint("--format", "json", ".")
    assert diagnostics(whole) == [("FL001", "sales/flows/support.yaml")]
    alone = [diagnostics(lint("--format", "json", p)) for p in ("billing", "sales")]
    assert alone == [[], [("FL001", "sales/flows/support.yaml")]]
    # No duplicate flow names across the two projects, no FL005 in billing (its config),
    # sales/drafts excluded by sales' configuration even when linting from the root.
    assert json.loads(whole.stdout)["summary"]["files"] == 4


def test_project_mode_gives_the_same_answer_in_any_order(monorepo: Path) -> None:
    files = ["sales/flows/support.yaml", "billing/flows/support.yaml"]
    one = lint("--project", "--format", "json", *files)
    other = lint("--project", "--format", "json", *reversed(files))
    assert one.exit_code == other.exit_code == 1
    assert one.stdout == other.stdout
    assert diagnostics(one) == [("FL001", "sales/flows/support.yaml")]


def test_library_projects_never_cross(monorepo: Path) -> None:
    result = check_paths(["."])
    assert [(d.code, d.file) for d in result.diagnostics] == [("FL001", "sales/flows/support.yaml")]
    assert "FL105" not in [d.code for d in check_paths(["billing", "sales"]).diagnostics]


def test_nothing_linted_is_said(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = lint(str(tmp_path / "empty"))
    assert result.exit_code == 0 and "warning: no flow file found" in result.stderr
    assert lint("--strict", str(tmp_path / "empty")).exit_code == 2
    assert lint("-q", str(tmp_path / "empty")).stderr == ""
    missing = lint(str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2 and "no such file or directory" in missing.stderr
    write_project(tmp_path, {"notes.md": "# notes\n", "flows/support.yaml": SUPPORT_YAML})
    named = lint(str(tmp_path / "notes.md"), str(tmp_path / "flows"))
    assert "notes.md is not a flow file" in named.stderr


def test_select_ignore_and_names(monorepo: Path) -> None:
    assert diagnostics(lint("--format", "json", "--ignore", "attribute-name-case-mismatch", ".")) == []
    assert diagnostics(lint("--format", "json", "--select", "FL1", "sales")) == []
    assert diagnostics(lint("--format", "json", "--select", "FL1", "--extend-select", "FL001", "sales")) == [
        ("FL001", "sales/flows/support.yaml")]
    bad = lint("--select", "FL10X", ".")
    assert bad.exit_code == 2 and "did you mean 'FL10'" in bad.stderr
    typo = lint("--ignore", "get-before-sett", ".")
    assert typo.exit_code == 2 and "did you mean 'get-before-set' (FL005)" in typo.stderr
    explained = CliRunner().invoke(main, ["explain", "get-before-set"])
    assert explained.exit_code == 0 and explained.stdout.startswith("FL005 get-before-set")


def test_exclude_and_config_overrides(monorepo: Path) -> None:
    # --exclude replaces sales' own exclude: its drafts are linted (and duplicate Support).
    codes = [c for c, _ in diagnostics(lint("--format", "json", "--exclude", "nothing/", "sales"))]
    assert "FL105" in codes
    # Support excluded: the transfer to it now names no flow of the project.
    assert diagnostics(lint("--format", "json", "--extend-exclude", "flows/support.yaml", "sales")) == [
        ("FL106", "sales/flows/main.yaml")]
    # --config KEY=VALUE replaces the key in every project's configuration: billing's own
    # ignore (get-before-set) is gone, sales' FL001 is ignored.
    overridden = lint("--format", "json", "--config", 'ignore = ["FL001"]', ".")
    assert diagnostics(overridden) == [("FL005", "billing/flows/support.yaml")]
    wrong = lint("--config", "ignored = 1", ".")
    assert wrong.exit_code == 2 and "did you mean 'ignore'" in wrong.stderr


def test_stdin_with_the_project_around_it(monorepo: Path) -> None:
    """The editor's unsaved buffer of sales' support flow, fixed: the Set in main.yaml is
    found in the project around it, and only the buffer's findings are reported."""
    fixed = SUPPORT_YAML.encode("utf-8")
    result = lint("--format", "json", "--stdin-filename", "sales/flows/support.yaml", "-", stdin=fixed)
    assert result.exit_code == 0, result.output
    assert diagnostics(result) == []
    broken = SUPPORT_YAML.replace("lit: AccountId", "lit: accountid").encode("utf-8")
    result = lint("--format", "json", "--stdin-filename", "sales/flows/support.yaml", "-", stdin=broken)
    assert diagnostics(result) == [("FL001", "sales/flows/support.yaml")]
    new = lint("--format", "json", "--stdin-filename", "sales/flows/new.yaml", "-",
               stdin=broken.replace(b"name: Support", b"name: Support 2"))
    assert diagnostics(new) == [("FL001", "sales/flows/new.yaml")]  # not on disk yet
    assert lint("-").exit_code == 2  # needs --stdin-filename


def test_show_files_and_quiet(monorepo: Path) -> None:
    shown = lint("--show-files", ".")
    assert shown.exit_code == 0
    assert shown.stdout.split() == ["billing/flows/main.yaml", "billing/flows/support.yaml",
                                    "sales/flows/main.yaml", "sales/flows/support.yaml"]
    quiet = lint("-q", "sales")
    assert quiet.exit_code == 1 and "Found" not in quiet.stdout and "FL001" in quiet.stdout
    assert lint("-q", "billing").stdout == ""


def test_report_all_needs_project(monorepo: Path) -> None:
    result = lint("--report-all", ".")
    assert result.exit_code == 2 and "--report-all applies to --project only" in result.output


def test_nested_configuration_from_the_root_in_the_language_server_style(monorepo: Path) -> None:
    """A nested configuration applies when linting from the root (what the CI action does)."""
    os.remove(monorepo / "sales" / ".flowlint.toml")
    codes = [c for c, _ in diagnostics(lint("--format", "json", "."))]
    assert "FL105" in codes  # sales/drafts is no longer excluded: its own config is gone


def test_readme_configuration_example_is_valid() -> None:
    import tomllib

    from flowlint.config import config_from_mapping

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Configuration"):]
    start = section.index("```toml") + len("```toml")
    example = tomllib.loads(section[start:section.index("```", start)])
    config = config_from_mapping(example, "README.md", root="/repo")
    assert config.ignore == ["FL005"] and config.flow_links == {"Support In-Queue": ["Main IVR"]}


def test_language_server_checks_each_project_alone(monorepo: Path) -> None:
    from flowlint.lsp.model import WorkspaceModel

    snapshot = WorkspaceModel([str(monorepo)]).update([], {}, rescan=True)
    found = sorted((d.code, os.path.relpath(path, monorepo)) for path, ds in snapshot.diagnostics.items() for d in ds)
    assert found == [("FL001", "sales/flows/support.yaml")]  # no FL105 across projects, no FL005 in billing
