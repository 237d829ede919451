"""Every rule's documented bad/good examples are executed: bad ones must trigger the rule, good ones not."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowlint.registry import Example, all_rules

from .helpers import check_project

CASES = [(rule.info.code, example) for rule in all_rules() for example in rule.info.examples]


def test_every_rule_has_bad_and_good_examples() -> None:
    for rule in all_rules():
        kinds = {example.bad for example in rule.info.examples}
        assert kinds == {True, False}, rule.info.code
        assert rule.info.why and rule.info.summary and rule.info.name


@pytest.mark.parametrize(("code", "example"), CASES, ids=[f"{c}-{e.title}" for c, e in CASES])
def test_example(tmp_path: Path, code: str, example: Example) -> None:
    diagnostics = check_project(tmp_path, example.files)
    codes = [d.code for d in diagnostics]
    if example.bad:
        assert code in codes, diagnostics
    else:
        assert code not in codes, [d for d in diagnostics if d.code == code]
