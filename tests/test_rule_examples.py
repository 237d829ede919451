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


def test_a_failing_rule_does_not_lose_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flowlint.registry import rules_by_code

    def explode(ctx: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(rules_by_code()["FL005"], "check", explode)
    example = next(e for c, e in CASES if c == "FL001" and e.bad)
    found = check_project(tmp_path, example.files)
    assert "FL001" in [d.code for d in found]
    (broken,) = [d for d in found if d.code == "FL005"]
    assert "internal error in rule FL005 (RuntimeError: boom)" in broken.message
