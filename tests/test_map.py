"""flowlint map: JSON against its schema, Mermaid and DOT structure (DOT through Graphviz),
focus, exit codes, and that no literal value from a flow reaches any output."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from flowlint.cli import main
from tests.map_fixtures import ODD_NAME, SECRETS, write_project

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("map"))


def _document(*args: str) -> dict[str, Any]:
    code, output = _run("map", *args, "--format", "json")
    assert code == 0, output
    return json.loads(output)


def test_json_matches_its_schema_and_the_project(project: Path) -> None:
    schema = json.loads(resources.files("flowlint.data").joinpath("map.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = _document(str(project))
    jsonschema.validate(document, schema)
    names = {n["name"]: n for n in document["nodes"]}
    assert set(names) == {"Main Line", "Support Line", "Helper Module", ODD_NAME, "Nowhere Flow"}
    assert names["Nowhere Flow"]["type"] == "missing"
    kinds = {(document["nodes"][int(e["source"][1:])]["name"], document["nodes"][int(e["target"][1:])]["name"],
              e["kind"]) for e in document["edges"]}
    assert ("Main Line", "Helper Module", "module-call") in kinds
    assert ("Main Line", "Support Line", "transfer") in kinds
    attributes = {a["name"]: a for a in document["attributes"]}
    account = attributes["AccountId"]
    assert account["variants"] == ["accountid"]
    assert [(s["op"], s["position"]["line"]) for s in account["sites"]] == [("set", 23), ("get", 23)]
    path = account["paths"][0]
    assert path["get"] == 1 and names["Main Line"]["id"] == path["set_node"] and len(path["edges"]) == 1
    assert attributes["CardCopy"]["secured"] and attributes["CardRef"]["stores"] == ["secured"]
    assert any(c["attribute"] == "CardCopy" and c["rule"] == "FL007" for c in document["chains"])
    fl001 = next(f for f in document["findings"] if f["code"] == "FL001")
    assert fl001["docs"] == "rules.md#fl001-attribute-name-case-mismatch"
    assert fl001["position"]["line"] == 30 and fl001["node"] == names["Support Line"]["id"]


def test_json_schema_rejects_a_value_field(project: Path) -> None:
    schema = json.loads((ROOT / "flowlint" / "data" / "map.schema.json").read_text(encoding="utf-8"))
    document = _document(str(project))
    document["attributes"][0]["sites"][0]["value"] = "x"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_output_is_deterministic(project: Path) -> None:
    assert _run("map", str(project), "--format", "json") == _run("map", str(project), "--format", "json")


_MERMAID_NODE = re.compile(r'^    (n\d+)(\(\[|\[/|\{\{|\[\[|\[\(|\[)"([^"]*)"(\]\)|/\]|\}\}|\]\]|\)\]|\])$')
_MERMAID_EDGE = re.compile(r'^  (n\d+) (-->|==>|-\.->)\|"([^"]*)"\| (n\d+)$')


def test_mermaid_is_well_formed_and_escapes_names(project: Path) -> None:
    code, output = _run("map", str(project), "--format", "mermaid")
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == "flowchart LR"
    declared: set[str] = set()
    edges = 0
    depth = 0
    for line in lines[1:]:
        if line.startswith("  subgraph "):
            assert re.fullmatch(r'  subgraph p\d+\["[^"\[\]]*"\]', line), line
            depth += 1
        elif line == "  end":
            depth -= 1
        elif (node := _MERMAID_NODE.match(line)) is not None:
            declared.add(node.group(1))
            assert not set(node.group(3)) & set('"[]<>|{}'), line
        elif (edge := _MERMAID_EDGE.match(line)) is not None:
            assert edge.group(1) in declared and edge.group(4) in declared
            edges += 1
        else:
            assert re.fullmatch(r"  (classDef \w+ [\w:#,.\- ]+|class [n\d,]+ \w+)", line), line
    assert depth == 0 and edges == 3
    assert "Say #34;hi#34; #91;x#93; #40;y#41; #35;1 #124; #60;b#62;#38;" in output


def test_dot_renders_with_graphviz(project: Path, tmp_path: Path) -> None:
    code, output = _run("map", str(project), "--format", "dot")
    assert code == 0
    assert 'label="Say \\"hi\\" [x] (y) #1 | <b>&"' in output
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz `dot` is not installed (apt-get install graphviz)")
    rendered = subprocess.run([dot, "-Tsvg"], input=output, capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stderr == ""
    assert "Support Line" in rendered.stdout and "Say &quot;hi&quot;" in rendered.stdout


def test_focus_on_a_flow_and_an_attribute(project: Path) -> None:
    document = _document(str(project), "--flow", "support line", "--depth", "1")
    assert {n["name"] for n in document["nodes"]} == {"Support Line", "Main Line"}
    assert document["focus"] == "flow support line"
    document = _document(str(project), "--attribute", "AccountId")
    assert {a["name"] for a in document["attributes"]} == {"AccountId", "accountid"}
    assert {n["name"] for n in document["nodes"]} == {"Support Line", "Main Line"}
    assert all(f["attribute"] in ("AccountId", "accountid") for f in document["findings"])


def test_usage_errors_exit_2(project: Path, tmp_path: Path) -> None:
    code, output = _run("map", str(project), "--attribute", "AcountId")
    assert code == 2 and "did you mean 'AccountId'" in output
    code, output = _run("map", str(project), "--flow", "Main", "--attribute", "AccountId")
    assert code == 2
    code, output = _run("map", str(tmp_path / "nope"))
    assert code == 2 and "no such file or directory" in output
    code, output = _run("attributes", str(project), "--format", "xml")
    assert code == 2


def test_findings_do_not_change_the_exit_code(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    code, _ = _run("map", str(project), "-o", str(out))
    assert code == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code, _ = _run("map", str(project), "-o", str(tmp_path / "m.dot"))
    assert code == 0 and (tmp_path / "m.dot").read_text(encoding="utf-8").startswith("digraph")


def test_html_is_self_contained(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    assert _run("map", str(project), "-o", str(out))[0] == 0
    page = out.read_text(encoding="utf-8")
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script src" not in page and "<link" not in page
    data = page.split('<script type="application/json" id="map-data">')[1].split("</script>")[0]
    assert "</" not in data
    assert json.loads(data)["nodes"]


@pytest.mark.parametrize("fmt", ["html", "json", "mermaid", "dot"])
def test_no_literal_value_in_any_map(project: Path, fmt: str) -> None:
    code, output = _run("map", str(project), "--format", fmt)
    assert code == 0
    assert "Main Line" in output  # the output is the map, not an error
    for secret in SECRETS:
        assert secret not in output, (fmt, secret)


def test_examples_map_names_every_flow() -> None:
    document = _document(str(ROOT / "examples"))
    flows = sorted(n["name"] for n in document["nodes"] if n["type"] not in ("missing", "external"))
    expected = sorted(re.search(r"^  name: (.+)$", p.read_text(encoding="utf-8"), re.M).group(1)  # type: ignore[union-attr]
                      for p in (ROOT / "examples" / "flows").glob("*.yaml"))
    assert flows == expected
