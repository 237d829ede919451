"""Small helpers for tests: load YAML text into IR, run the whole pipeline on a tmp project."""

from __future__ import annotations

import textwrap
from pathlib import Path

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic
from flowlint.engine import check_paths
from flowlint.ir import Flow
from flowlint.loaders.archy_yaml import load_yaml_text


def load_flow(text: str, path: str = "flow.yaml") -> Flow:
    result = load_yaml_text(path, textwrap.dedent(text))
    assert not result.diagnostics, result.diagnostics
    assert len(result.flows) == 1
    return result.flows[0]


def write_project(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(content), encoding="utf-8")


def check_project(root: Path, files: dict[str, str], config: Config | None = None) -> list[Diagnostic]:
    write_project(root, files)
    return check_paths([str(root)], config).diagnostics
