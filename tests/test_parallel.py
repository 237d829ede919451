"""Parallel checking: findings are the same whatever the number of jobs (and the same as the
plain in-process pipeline), through the library and byte for byte through the CLI."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from flowlint.pipeline import executors, units
from flowlint.config import Config, load_config
from flowlint.diagnostics import Diagnostic
from flowlint.engine import check_paths
from flowlint.registry import all_rules

from .helpers import write_project
from .test_rules_json import export_text, get_attr, main_ivr, named, set_attr
from .test_flow_json_loader import act, doc, exp, task

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def signature(diagnostics: list[Diagnostic]) -> list[tuple[object, ...]]:
    return [(d.code, d.severity, d.message, d.file, d.span, d.logical, d.flow, d.attribute, d.related)
            for d in diagnostics]


def outcome(paths: list[str], config: Config | None = None, **options: object) -> tuple[object, ...]:
    result = check_paths(paths, config, **options)  # type: ignore[arg-type]
    return signature(result.diagnostics), result.files_checked, result.suppressed, \
        sorted(f.path for f in result.project.files)


@pytest.fixture
def always_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use worker processes even for a handful of small files."""
    monkeypatch.setattr(executors, "MIN_PARALLEL_FILES", 0)
    monkeypatch.setattr(executors, "MIN_PARALLEL_BYTES", 0)


def mixed_project(root: Path) -> Path:
    """YAML, exports and API JSON with cross-flow findings, secured data, a module and a
    suppression comment: every kind of unit the pipeline moves around."""
    write_project(root, {
        "flows/main.yaml": """\
            inboundCall:
              name: Main IVR
              startUpRef: /inboundCall/tasks/task[t]
              tasks:
                - task:
                    name: Start
                    refId: t
                    actions:
                      - setParticipantData:
                          name: Remember
                          attributes:
                            - attribute:
                                name:
                                  lit: AccountId
                                value:
                                  exp: Call.Ani
                      - getParticipantData:  # flowlint: disable=FL005
                          name: Early
                          attributes:
                            - attribute:
                                name:
                                  lit: NeverSet
                                variable: Task.early
                      - callCommonModule:
                          name: Shared
                          commonModule:
                            Shared Module:
                              ver_latestPublished:
                                inputs: {}
                      - transferToFlow:
                          name: To support
                          targetFlow:
                            name: Support
            """,
        "flows/support.yaml": """\
            inboundCall:
              name: Support
              startUpRef: /inboundCall/tasks/task[t]
              tasks:
                - task:
                    name: Start
                    refId: t
                    actions:
                      - getParticipantData:
                          name: Read
                          attributes:
                            - attribute:
                                name:
                                  lit: accountId
                                variable: Task.account
                      - getParticipantData:
                          name: Read missing
                          attributes:
                            - attribute:
                                name:
                                  lit: Missing
                                variable: Task.missing
                      - transferToFlow:
                          name: Nowhere
                          targetFlow:
                            name: Suport
            """,
        "flows/module.yaml": """\
            commonModule:
              name: Shared Module
              settingsCommonModule:
                compatibleFlowTypes:
                  - flowType: inboundcall
              startUpTaskActions:
                - getSecuredData:
                    name: Read card
                    attributes:
                      - attribute:
                          name:
                            lit: CardToken
                          variable: Common.card
            """,
        "flows/broken.yaml": "inboundCall:\n  name: [unclosed\n",
        "ci.yaml": "jobs:\n  build: {}\n",
    })
    exported = main_ivr(set_attr("A1", "Segment", exp("Call.Ani"), "A2"),
                        act("TransferFlowAction", "A2", "To support", flowName="Support"))
    (root / "flows" / "export.i3InboundFlow").write_text(export_text(named(exported, "Exported")), encoding="utf-8")
    # FL104 resolves a JSON position in the worker, FL001 another one after the trip to this process.
    api = named(doc(task("T1", "Start", "B0", [set_attr("B0", "Other", exp("Flow.undeclared"), "B1"),
                                               get_attr("B1", "segment", "Task.segment")])), "Api Flow")
    (root / "flows" / "api.json").write_text(json.dumps(api, indent=2), encoding="utf-8")
    return root


def test_every_rule_is_classified() -> None:
    """Cross-flow rules must not be marked per-file (a sanity net for new rules)."""
    per_file = {r.info.code for r in all_rules() if r.per_file}
    assert {"FL001", "FL003", "FL005", "FL106"}.isdisjoint(per_file)
    assert {"FL002", "FL004", "FL101", "FL102", "FL103", "FL104", "FL107", "FL108"} <= per_file


@pytest.mark.usefixtures("always_pool")
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_jobs_match_in_process_pipeline_on_mixed_project(tmp_path: Path, jobs: int) -> None:
    root = str(mixed_project(tmp_path))
    expected = outcome([root])
    found = check_paths([root]).diagnostics
    assert {"FL001", "FL005", "FL100", "FL104", "FL106"} <= {d.code for d in found}
    assert {d.file.rsplit("/", 1)[-1] for d in found if d.code in ("FL001", "FL104")} >= {"api.json"}
    assert expected[2] == 1  # the suppression comment
    assert outcome([root], jobs=jobs) == expected


@pytest.mark.usefixtures("always_pool")
def test_jobs_match_on_examples_with_config() -> None:
    config = load_config([str(EXAMPLES)])
    expected = outcome([str(EXAMPLES)], config)
    assert outcome([str(EXAMPLES)], config, jobs=2) == expected
    assert outcome([str(EXAMPLES)], config, suppress=False, jobs=2) == outcome([str(EXAMPLES)], config, suppress=False)


@pytest.mark.usefixtures("always_pool")
def test_jobs_match_on_corpus(corpus: Path) -> None:
    expected = outcome([str(corpus)])
    assert expected[0]  # the corpus has findings: the comparison means something
    assert outcome([str(corpus)], jobs=2) == expected
    assert outcome([str(corpus)], jobs=1) == expected


@pytest.mark.usefixtures("always_pool")
def test_jobs_match_on_generated_project(corpus: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate  # pyright: ignore[reportMissingImports]
    finally:
        sys.path.remove(str(ROOT / "bench"))
    generated = generate.generate(120, tmp_path / "project", seed=7, corpus_dir=corpus)  # pyright: ignore
    path = str(generated.root)  # pyright: ignore
    expected = outcome([path])
    assert len(expected[0]) > 20  # type: ignore[arg-type]
    assert outcome([path], jobs=2) == expected


def test_project_view_pickles_smaller_and_keeps_json_positions(tmp_path: Path) -> None:
    root = mixed_project(tmp_path)
    config = Config()

    unit = units.check_file(str(root / "flows" / "api.json"), "json", config, units.table_for(config),
                               units.per_file_rules(config))
    whole = pickle.dumps(unit)
    flow = unit.result.flows[0]
    locator = unit.result.source.locator if unit.result.source else None
    assert locator is not None
    attribute = flow.actions[0].attributes[0]
    span = flow.file.resolve(attribute.name.loc)  # parses the JSON text: the parse state must pickle too
    units.project_view(unit)
    view = pickle.dumps(unit)
    assert len(view) < len(whole) + 10_000
    back: units.FileUnit = pickle.loads(view)
    again = back.result.flows[0]
    fresh = again.actions[0].attributes[0].name.loc
    fresh.span = None
    assert again.file.resolve(fresh) == span


def test_view_bytes_leaves_the_unit_whole(tmp_path: Path) -> None:
    root = mixed_project(tmp_path)
    config = Config()

    unit = units.check_file(str(root / "flows" / "support.yaml"), "yaml", config, units.table_for(config),
                               units.per_file_rules(config))
    before = pickle.dumps(unit)
    slim: units.FileUnit = pickle.loads(units.view_bytes(unit))
    assert pickle.dumps(unit) == before
    assert slim.result.source is not None and slim.result.source.text == ""
    assert all(not a.bindings for f in slim.result.flows for a in f.actions)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "flowlint.cli", "check", *args], cwd=cwd, capture_output=True,
                          check=False)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_cli_output_is_byte_identical_across_jobs(corpus: Path, tmp_path: Path, output_format: str) -> None:
    """Enough files (over MIN_PARALLEL_*) that --jobs 2 really uses worker processes."""
    one = cli(str(corpus), "--format", output_format, "--jobs", "1", "--no-cache", cwd=tmp_path)
    two = cli(str(corpus), "--format", output_format, "--jobs", "2", "--no-cache", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and one.stdout
    assert not list(tmp_path.iterdir())  # --no-cache writes nothing


def test_pool_threshold_is_real(corpus: Path) -> None:
    files = [(str(p), "yaml") for p in sorted(corpus.rglob("*.yaml"))]
    assert len(files) >= executors.MIN_PARALLEL_FILES
    assert sum(p.stat().st_size for p in corpus.rglob("*")) >= executors.MIN_PARALLEL_BYTES


# --------------------------------------------------------------------------- hot-path fixes


def _config_values() -> object:
    from hypothesis import strategies as st

    scalars = st.one_of(st.sampled_from(["FL001", "FL00", "FL", "FL0001", "X1", "", "error", "info", "loud",
                                         "set_participant_data", "a/b*", "Main IVR"]),
                        st.integers(), st.booleans(), st.none())
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["FL001", "FL1", "yaml", "export", "x", "", "Main"]), inner, max_size=3)),
        max_leaves=6)


def test_quick_config_validation_never_accepts_what_jsonschema_rejects() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from flowlint import config as config_module

    schema = config_module._schema()  # pyright: ignore[reportPrivateUsage]
    keys = [*schema["properties"], "unknown-key"]

    @settings(max_examples=400, deadline=None)
    @given(st.dictionaries(st.sampled_from(keys), _config_values(), max_size=4))  # type: ignore[arg-type]
    def check(data: dict[str, object]) -> None:
        if config_module._certainly_valid(data, schema, schema):  # pyright: ignore[reportPrivateUsage]
            assert not list(config_module._validator().iter_errors(data))  # pyright: ignore[reportPrivateUsage]

    check()
    example = {"external-attributes": ["CardToken"], "severity": {"FL005": "error"}, "select": ["FL0"],
               "per-file-ignores": {"legacy/**": ["FL104"]}, "action-aliases": {"yaml": {"x": "decision"}},
               "flow-links": {"Queue": ["Main"]}, "exclude": ["build/"], "external-flows": ["Other"]}
    assert config_module._certainly_valid(example, schema, schema)  # pyright: ignore[reportPrivateUsage]
