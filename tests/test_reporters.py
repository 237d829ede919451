"""Output formats: golden output on examples/, SARIF schema and GitHub requirements, GitHub
workflow-command escaping, JUnit structure, colour, statistics, exit codes, secrets, docs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

from flowlint.cli import _use_color, main  # pyright: ignore[reportPrivateUsage]
from flowlint.diagnostics import Diagnostic, Related, Severity
from flowlint.ir import Span
from flowlint.registry import all_rules
from flowlint.reporters import Report, render
from flowlint.reporters.github import annotation, escape_data, escape_property
from flowlint.reporters.rules_markdown import render_rules

from .helpers import write_project
from .test_rules_json import export_text, main_ivr, set_attr
from .test_flow_json_loader import lit

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "github": "txt", "junit": "xml"}


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, check=False, env=env)


def check_golden(name: str, actual: str) -> None:
    """FLOWLINT_UPDATE_GOLDEN=1 rewrites the golden files."""
    golden = GOLDEN / name
    if os.environ.get("FLOWLINT_UPDATE_GOLDEN") == "1":
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8"), f"{name} is stale (FLOWLINT_UPDATE_GOLDEN=1 rewrites it)"


def _stable_sarif(text: str) -> str:
    """The SARIF golden keeps only the rules the results use, so adding a rule elsewhere does not churn it."""
    doc = json.loads(text)
    driver = doc["runs"][0]["tool"]["driver"]
    used = {result["ruleId"] for result in doc["runs"][0]["results"]}
    driver["rules"] = [{k: rule[k] for k in ("id", "name", "defaultConfiguration")}
                       for rule in driver["rules"] if rule["id"] in used]
    for result in doc["runs"][0]["results"]:
        result.pop("ruleIndex")
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- golden output


@pytest.mark.parametrize("output_format", list(FORMATS))
def test_golden_output_on_examples(output_format: str) -> None:
    result = run("check", "--format", output_format, "examples/")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    output = _stable_sarif(result.stdout) if output_format == "sarif" else result.stdout
    check_golden(f"format_{output_format}.{FORMATS[output_format]}", output)


def test_golden_text_statistics_and_colour() -> None:
    result = run("check", "--statistics", "examples/")
    check_golden("format_text_statistics.txt", result.stdout)
    coloured = run("check", "--color", "always", "examples/")
    assert "\x1b[" in coloured.stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.stdout) == run("check", "examples/").stdout


def test_output_file_equals_stdout(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    result = run("check", "--format", "sarif", "-o", str(target), "examples/")
    assert result.returncode == 1 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == run("check", "--format", "sarif", "examples/").stdout
    assert run("check", "-o", str(tmp_path / "missing" / "x.txt"), "examples/").returncode == 2


# --------------------------------------------------------------------------- colour


def test_colour_choice() -> None:
    env = dict(os.environ)
    try:
        os.environ.pop("NO_COLOR", None)
        assert _use_color("auto", True) and not _use_color("auto", False)
        os.environ["NO_COLOR"] = "1"
        assert not _use_color("auto", True)
        assert _use_color("always", False)  # an explicit flag beats NO_COLOR
        os.environ["NO_COLOR"] = ""  # no-color.org: an empty value does not count
        assert _use_color("auto", True)
        assert not _use_color("never", True)
    finally:
        os.environ.clear()
        os.environ.update(env)


def test_no_colour_when_piped_even_if_asked_auto() -> None:
    assert "\x1b[" not in run("check", "--color", "auto", "examples/").stdout


# --------------------------------------------------------------------------- exit codes


def test_fail_on_and_exit_zero(tmp_path: Path) -> None:
    # Only FL005 (a warning) in this project.
    write_project(tmp_path, {"support.yaml": (ROOT / "examples/flows/support.yaml").read_text(encoding="utf-8")
                             .replace('lit: " "', "lit: Note").replace("lit: accountId", "lit: Other")})
    (tmp_path / ".flowlint.toml").write_text('external-attributes = ["Other"]\n', encoding="utf-8")
    codes = re.findall(r": (FL\d{3}) ", run("check", str(tmp_path)).stdout)
    assert codes == ["FL005"]
    assert run("check", str(tmp_path)).returncode == 1  # default --fail-on warning
    assert run("check", "--fail-on", "error", str(tmp_path)).returncode == 0
    shown = run("check", "--fail-on", "error", str(tmp_path))
    assert "FL005" in shown.stdout  # severity never hides a finding
    assert run("check", "--fail-on", "info", str(tmp_path)).returncode == 1
    assert run("check", "--exit-zero", str(tmp_path)).returncode == 0
    (tmp_path / ".flowlint.toml").write_text('external-attributes = ["Other"]\n[severity]\nFL005 = "info"\n',
                                             encoding="utf-8")
    assert run("check", str(tmp_path)).returncode == 0
    assert run("check", "--fail-on", "info", str(tmp_path)).returncode == 1
    assert run("check", "--statistics", "--format", "json", str(tmp_path)).returncode == 2


# --------------------------------------------------------------------------- SARIF


def _sarif(*args: str, cwd: Path | None = None) -> dict[str, Any]:
    result = run("check", "--format", "sarif", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return cast(dict[str, Any], json.loads(result.stdout))


def _validate(doc: dict[str, Any]) -> None:
    from jsonschema import Draft4Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator: Any = Draft4Validator(schema)
    errors: list[Any] = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def _github_requirements(doc: dict[str, Any]) -> None:
    """What GitHub code scanning requires or silently mishandles (docs: SARIF support for code scanning)."""
    assert doc["version"] == "2.1.0" and doc["$schema"]
    (sarif_run,) = doc["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "flowlint" and driver["rules"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(set(rule_ids)) == len(rule_ids)
    for rule in driver["rules"]:
        assert len(rule["name"]) <= 255
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
    assert len(sarif_run["results"]) <= 25_000
    for result in sarif_run["results"]:
        assert result["ruleId"] in rule_ids
        if "ruleIndex" in result:
            assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"]
        assert result["level"] in ("note", "warning", "error")
        assert result["partialFingerprints"]
        locations = [*result["locations"], *result.get("relatedLocations", [])]
        assert result["locations"]
        for location in locations:
            physical = location["physicalLocation"]
            uri = physical["artifactLocation"]["uri"]
            assert not uri.startswith(("./", "/")) and "\\" not in uri and ":" not in uri, uri
            region = physical["region"]
            assert region["startLine"] >= 1
            if "endColumn" in region:
                assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])


def test_sarif_validates_and_meets_github_requirements() -> None:
    doc = _sarif("examples/")
    _validate(doc)
    _github_requirements(doc)
    results = doc["runs"][0]["results"]
    fl001 = next(r for r in results if r["ruleId"] == "FL001")
    (related,) = fl001["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "examples/flows/main-ivr.yaml"
    assert related["physicalLocation"]["region"]["startLine"] == 29
    assert doc["runs"][0]["columnKind"] == "unicodeCodePoints"
    assert [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]] == [r.info.code for r in all_rules()]


def test_sarif_paths_are_repo_relative_from_any_cwd() -> None:
    doc = _sarif(".", cwd=ROOT / "examples" / "flows")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {f"examples/flows/{name}.yaml" for name in (
        "after-hours", "callbacks", "helper-bot", "loyalty", "main-ivr", "payments", "support")}


def test_sarif_for_exports_and_fingerprints_survive_line_shifts(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    (tmp_path / ".git").mkdir()  # the repository root SARIF paths are relative to
    write_project(flows, {
        "main.i3InboundFlow": export_text(main_ivr(set_attr("A1", "", lit("x")))),
        "support.yaml": (ROOT / "examples/flows/support.yaml").read_text(encoding="utf-8"),
    })
    before = _sarif(str(flows), cwd=tmp_path)
    _validate(before)
    _github_requirements(before)
    export_result = next(r for r in before["runs"][0]["results"]
                         if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "flows/main.i3InboundFlow")
    assert export_result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    logical = export_result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    assert "variables[0].variable" in logical and f"(at {logical})" in export_result["message"]["text"]

    support = flows / "support.yaml"
    support.write_text("# a comment\n# and another\n\n" + support.read_text(encoding="utf-8"), encoding="utf-8")
    after = _sarif(str(flows), cwd=tmp_path)

    def prints(doc: dict[str, Any]) -> dict[str, tuple[str, int]]:
        return {r["partialFingerprints"]["flowlint/v1"]: (r["ruleId"], r["locations"][0]["physicalLocation"]
                                                          ["region"]["startLine"]) for r in doc["runs"][0]["results"]}

    old, new = prints(before), prints(after)
    assert old.keys() == new.keys() and len(old) == len(before["runs"][0]["results"])
    shifted = [key for key in old if old[key][1] != new[key][1]]
    assert shifted and all(new[key][1] == old[key][1] + 3 for key in shifted)


def test_sarif_without_findings_is_valid(tmp_path: Path) -> None:
    doc = _sarif(str(tmp_path))
    _validate(doc)
    assert doc["runs"][0]["results"] == []


# --------------------------------------------------------------------------- GitHub


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def _diagnostic(file: str, span: Span | None, message: str = "m", severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic("FL001", severity, message, file, span, "task \"T\" > action \"A\"")


def test_github_annotation_rules(tmp_path: Path) -> None:
    base = str(tmp_path)
    one_line = annotation(_diagnostic(str(tmp_path / "a,b.yaml"), Span(3, 5, 3, 9), "x\n::error::injected"), base)
    assert one_line == ("::error file=a%2Cb.yaml,line=3,endLine=3,col=5,endColumn=8,title=FL001::"
                        "a,b.yaml:3:5: FL001 [error] x%0A::error::injected")
    multi = annotation(_diagnostic("./a.yaml", Span(3, 5, 6, 2), severity=Severity.WARNING), os.getcwd())
    assert multi.startswith("::warning file=a.yaml,line=3,endLine=6,title=FL001::")  # no col on multi-line spans
    empty = annotation(_diagnostic("a.yaml", Span(3, 5, 3, 5), severity=Severity.INFO), os.getcwd())
    assert "col=5,endColumn=5," in empty and empty.startswith("::notice ")
    export = annotation(_diagnostic("f.i3InboundFlow", None), os.getcwd())
    assert export.startswith("::error file=f.i3InboundFlow,line=1,title=FL001::f.i3InboundFlow:1:1: FL001")
    assert export.endswith('(at task "T" > action "A")')


def test_github_format_paths_without_dot_slash() -> None:
    result = run("check", "--format", "github", "./examples")
    assert result.returncode == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 13
    assert all(" file=examples/flows/" in line for line in annotations)
    assert result.stdout.splitlines()[-1].startswith("Found 13 finding(s)")


# --------------------------------------------------------------------------- JUnit


def test_junit_one_testcase_per_file(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "examples" / "flows" / "clean.yaml").write_text(
        "inboundCall:\n  name: Clean\n  startUpRef: /inboundCall/tasks/task[t]\n  tasks:\n    - task:\n"
        "        name: T\n        refId: t\n        actions:\n          - disconnect:\n              name: Bye\n",
        encoding="utf-8")
    result = run("check", "--format", "junit", "examples", cwd=tmp_path)
    root = ET.fromstring(result.stdout)
    cases = root.findall("./testsuite/testcase")
    names = ("after-hours", "callbacks", "clean", "helper-bot", "loyalty", "main-ivr", "payments", "support")
    assert [c.get("name") for c in cases] == [f"examples/flows/{n}.yaml" for n in names]
    assert [len(c.findall("failure")) for c in cases] == [2, 1, 0, 1, 2, 1, 3, 3]
    assert root.get("tests") == "8" and root.get("failures") == "7"
    assert cases[7].findall("failure")[0].get("type") == "FL001"


def test_junit_survives_control_characters() -> None:
    report = Report([_diagnostic("a.yaml", Span(1, 1, 1, 2), "bad \x00\x1b name")], 1, ["a.yaml"])
    ET.fromstring(render("junit", report))


# --------------------------------------------------------------------------- secrets

SECRET = "S3CR3T-4242-do-not-print"
SECRET_FLOWS = {
    # Set Secured Data in a bot flow (FL004) with a blank name next to it (FL002), a secret
    # literal value, and an unused suppression on the same action (FL900).
    "bot.yaml": f"""\
digitalBot:
  name: Helper Bot
  startUpRef: /digitalBot/bots/bot[b]
  bots:
    - bot:
        name: Default Bot
        refId: b
        actions:
          - setSecuredData:  # flowlint: disable=FL005
              name: Keep token
              attributes:
                - attribute:
                    name:
                      lit: " "
                    value:
                      lit: {SECRET}
                - attribute:
                    name:
                      lit: PaymentToken
                    value:
                      exp: Append("{SECRET}", Session.LastUserInput)
          - exitBotFlow:
              name: Done
""",
    # The secret flows from Get Secured Data into a screen pop (FL003).
    "ivr.yaml": f"""\
inboundCall:
  name: Main
  startUpRef: /inboundCall/tasks/task[t]
  variables:
    - stringVariable:
        name: Flow.token
        initialValue:
          lit: {SECRET}
  tasks:
    - task:
        name: T
        refId: t
        actions:
          - setSecuredData:
              name: Store
              attributes:
                - attribute:
                    name:
                      lit: PaymentToken
                    value:
                      lit: {SECRET}
          - getSecuredData:
              name: Read
              attributes:
                - attribute:
                    name:
                      lit: PaymentToken
                    variable: Flow.token
          - setScreenPop:
              name: Pop
              screenPopScript:
                Agent Script:
                  inputs:
                    token:
                      exp: Append(Flow.token, "{SECRET}")
          - disconnect:
              name: Bye
""",
}


def test_no_format_prints_a_secured_value(tmp_path: Path) -> None:
    write_project(tmp_path, SECRET_FLOWS)
    outputs: dict[str, str] = {}
    for output_format in FORMATS:
        result = run("check", "--format", output_format, str(tmp_path))
        assert result.returncode == 1, result.stderr
        outputs[output_format] = result.stdout + result.stderr
    outputs["statistics"] = run("check", "--statistics", "--color", "always", str(tmp_path)).stdout
    baseline = tmp_path / "baseline.json"
    outputs["write-baseline"] = run("check", "--write-baseline", str(baseline), str(tmp_path)).stderr
    outputs["baseline file"] = baseline.read_text(encoding="utf-8")
    outputs["with baseline"] = run("check", "--baseline", str(baseline), str(tmp_path)).stdout
    codes = set(re.findall(r"FL\d{3}", outputs["text"]))
    assert {"FL002", "FL003", "FL004", "FL900"} <= codes, outputs["text"]
    for name, output in outputs.items():
        assert SECRET not in output, name
        assert "4242" not in output, name


# --------------------------------------------------------------------------- rules docs


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    expected = render_rules(all_rules())
    assert CliRunner().invoke(main, ["rules", "--format", "markdown"]).output == expected
    actual = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/rules.md is stale: run `flowlint rules --format markdown > docs/rules.md`"
    for rule in all_rules():
        assert f"## {rule.info.code} {rule.info.name}" in expected


def test_related_locations_reach_every_structured_format() -> None:
    related = Related("set here", "b.yaml", Span(2, 1, 2, 5), "task \"S\"")
    diagnostic = Diagnostic("FL001", Severity.ERROR, "m", "a.yaml", Span(1, 1, 1, 2), "x", "Flow", "Attr", (related,))
    report = Report([diagnostic], 2, ["a.yaml", "b.yaml"], base=os.getcwd())
    assert json.loads(render("json", report))["diagnostics"][0]["related"][0]["file"] == "b.yaml"
    sarif = json.loads(render("sarif", report))
    assert sarif["runs"][0]["results"][0]["relatedLocations"][0]["message"]["text"] == "set here"
