"""flowlint attributes: the inventory in every format, sorted, stable and free of values;
and the language server's flowlint.showMap writing the workspace's page."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowlint.cli import main
from flowlint.lsp.map_command import write_workspace_map
from tests.map_fixtures import SECRETS, write_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("inventory"))


def _inventory(project: Path, fmt: str) -> str:
    result = CliRunner().invoke(main, ["attributes", str(project), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_csv_rows_are_sites_sorted_with_their_facts(project: Path) -> None:
    rows = list(csv.reader(io.StringIO(_inventory(project, "csv"))))
    assert rows[0] == ["attribute", "store", "op", "flow", "action", "location", "external_writer", "secured",
                       "findings"]
    body = rows[1:]
    assert [(r[0], r[2], r[3]) for r in body] == [
        ("AccountId", "set", "Main Line"), ("AccountId", "get", "Support Line"), ("accountid", "get", "Support Line"),
        ("CardCopy", "set", "Main Line"), ("CardRef", "set", "Main Line"), ("CardRef", "get", "Main Line")]
    assert body[2][8] == "FL001" and body[2][5].endswith("support.yaml:30")
    assert body[3][7] == "yes" and body[4][1] == "secured"


def test_json_groups_sets_and_gets(project: Path) -> None:
    document = json.loads(_inventory(project, "json"))["attributes"]
    account = next(a for a in document if a["attribute"] == "AccountId")
    assert [s["flow"] for s in account["set"]] == ["Main Line"] and [s["line"] for s in account["get"]] == [23]
    assert account["variants"] == ["accountid"]
    assert next(a for a in document if a["attribute"] == "accountid")["findings"][0]["code"] == "FL001"


def test_external_writers_are_named(tmp_path: Path) -> None:
    project = write_project(tmp_path)
    (project / ".flowlint.toml").write_text('external-attributes = ["AccountId"]\n', encoding="utf-8")
    document = json.loads(_inventory(project, "json"))["attributes"]
    account = next(a for a in document if a["attribute"] == "AccountId")
    assert account["external_writers"] == ["configuration external-attributes"]
    assert account["get"][0]["external_writer"] == "configuration external-attributes"


def test_markdown_and_table(project: Path) -> None:
    markdown = _inventory(project, "markdown").splitlines()
    assert markdown[0].startswith("| Attribute | Store |") and markdown[1].startswith("|---|")
    assert all(line.count(" | ") == 6 for line in markdown[2:])
    assert markdown[2].startswith("| AccountId (case variant of accountid) | participant | Main Line")
    table = _inventory(project, "table").splitlines()
    assert table[0].split()[:3] == ["ATTRIBUTE", "STORE", "OP"] and len(table) == 7


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_stable_and_no_literal_value(project: Path, fmt: str) -> None:
    first = _inventory(project, fmt)
    assert first == _inventory(project, fmt)
    assert "AccountId" in first
    for secret in SECRETS:
        assert secret not in first


def test_show_map_writes_the_workspace_page(project: Path, tmp_path: Path) -> None:
    path = write_workspace_map([str(project)], None, "https://example.invalid/rules.html#{anchor}", str(tmp_path))
    page = Path(path).read_text(encoding="utf-8")
    assert Path(path).parent == tmp_path and page.startswith("<!DOCTYPE html>")
    assert "Support Line" in page and "https://example.invalid/rules.html#{anchor}" in page
    for secret in SECRETS:
        assert secret not in page
