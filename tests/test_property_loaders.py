"""Property tests of the loaders on hostile input (issue 8): Archy YAML (placeholders
included), Architect exports and API JSON.

Two kinds of property:

* any bytes, and real flows mutated at random, load without an exception into a well-formed
  result (the oracle of ``fuzz/targets.py``, shared with the fuzz harness);
* a real flow is unchanged by irrelevant edits: for YAML, line endings, trailing blanks,
  blank lines and comment lines; for exports and API JSON, JSON key order and layout, and
  the export's own encoding (line-wrapped base64, unencoded JSON, percent-encoding more).
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode

from flowlint.ir import Flow, Value
from flowlint.loaders import load_bytes
from flowlint.loaders.archy_yaml import _children, _compose  # pyright: ignore[reportPrivateUsage]
from flowlint.loaders.export import decode_export
from fuzz.run import mutate
from fuzz.targets import archy_yaml, check_result, export, flow_json

from .conftest import CORPUS

ROOT = Path(__file__).resolve().parents[1]
#: Real flows are big inputs: each example loads one or two of them (and lints them).
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
FEWER = settings(SETTINGS, max_examples=25)


@cache
def _files(kind: str) -> tuple[Path, ...]:
    bases = [base for base in (CORPUS, ROOT / "examples") if base.is_dir()]
    found = sorted(p for base in bases for p in base.rglob("*") if p.is_file())
    if kind == "yaml":
        chosen = [p for p in found if p.suffix in (".yaml", ".yml", ".tftpl")]
        # Only flows that load cleanly: the invariance properties compare two good loads.
        return tuple(p for p in chosen if _loads_cleanly(p))
    # Exports up to 100 KB: twenty of the corpus's 40, enough variety at a tenth of the time.
    return tuple(p for p in found if p.suffix.startswith(".i3") and p.stat().st_size < 100_000
                 and decode_export(p.read_bytes())[0])


def _loads_cleanly(path: Path) -> bool:
    result = load_bytes(str(path), path.read_bytes(), "yaml")
    return bool(result.flows) and not result.diagnostics and path.stat().st_size < 100_000


def _pick(kind: str) -> st.SearchStrategy[Path]:
    files = _files(kind)
    if not files:
        pytest.skip("no corpus or example flows to start from")
    return st.sampled_from(files)


def _value(value: Value | None) -> tuple[str, str | None] | None:
    return None if value is None else (value.kind.value, value.text)


def canonical(flows: list[Flow]) -> list[object]:
    """What a flow means to the rules, without positions (and without the order of values,
    which follows the order of keys in the file)."""
    summary: list[object] = []
    for flow in flows:
        summary.append((
            flow.name, flow.type, flow.type_key, flow.entry_container, flow.compatible_flow_types,
            sorted((v.name, v.type, v.is_input, v.is_output, v.is_secure, v.container or -1) for v in flow.variables),
            [(c.kind.value, c.name, c.ref_id, c.entry, c.actions, len(c.variables)) for c in flow.containers],
            [(a.kind.value, a.key, a.name, a.container, a.loc.logical,
              sorted((path, value.kind.value, value.text or "") for path, value in a.values),
              sorted((path, value.text or "") for path, value in a.bindings),
              [(_value(t.name), _value(t.value), _value(t.variable)) for t in a.attributes],
              _value(a.target), a.succ) for a in flow.actions],
            sorted((r.key, r.value.text or "", -1 if r.resolved is None else r.resolved) for r in flow.references),
        ))
    return summary


def _findings(path: str, data: bytes, fmt: str) -> tuple[list[object], list[tuple[str, str, str | None]]]:
    """The canonical flows and the findings (code, logical location, attribute) of one file."""
    from flowlint.engine import finalize, run_rules
    from flowlint.pipeline.units import build_project
    from flowlint.config import Config

    result = load_bytes(path, data, fmt)
    check_result(result, data.decode("utf-8", errors="replace"))
    project, diagnostics = build_project([result])
    found = finalize([*diagnostics, *run_rules(project, Config())], Config(), project=project)
    return canonical(result.flows), sorted((d.code, d.logical, d.attribute) for d in found)


# --------------------------------------------------------------------------- no exception, well formed

@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_yaml_export_or_json(data: bytes) -> None:
    archy_yaml(data)
    export(data)
    flow_json(data)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='inboundCall:name- []{}&*!|>"\'\n\t #{{}}${}<x>\ue000\ue100\ue001?,.', max_size=400))
def test_yaml_like_text(text: str) -> None:
    archy_yaml(b"inboundCall:\n" + text.encode("utf-8"))


@SETTINGS
@given(st.data(), st.randoms(use_true_random=False))
def test_mutated_real_flows_load_cleanly(data: st.DataObject, rng: random.Random) -> None:
    """libFuzzer-style edits (bit flips, token and seed splices, cuts) of real flows."""
    kind = data.draw(st.sampled_from(["yaml", "export", "json"]))
    path = data.draw(_pick("export" if kind == "json" else kind))
    original = path.read_bytes()
    if kind == "json":
        original = (decode_export(original)[0] or "").encode("utf-8")
    mutated = original
    for _ in range(data.draw(st.integers(1, 8))):
        mutated = mutate(mutated, [original], rng)
    target: Callable[[bytes], None] = {"yaml": archy_yaml, "export": export, "json": flow_json}[kind]
    target(mutated)


# --------------------------------------------------------------------------- irrelevant edits: YAML

def _protected_lines(text: str) -> set[int]:
    """0-based lines an edit must not touch: inside or right after a multi-line scalar (a
    comment or blank there is content) or inside a multi-line flow collection."""
    root = _compose(text)
    protected: set[int] = set()
    stack: list[Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        first, last = node.start_mark.line, node.end_mark.line
        if isinstance(node, ScalarNode):
            if last > first:
                protected.update(range(first, last + 2))
        elif isinstance(node, CollectionNode) and node.flow_style and last > first:
            protected.update(range(first, last + 1))
        else:
            stack.extend(_children(node))
    return protected


@SETTINGS
@given(st.data())
def test_yaml_edits_that_change_nothing(data: st.DataObject) -> None:
    """Comment lines, blank lines, trailing blanks and CRLF line endings, anywhere they are
    not content, leave the flow and its findings as they were."""
    path = data.draw(_pick("yaml"))
    text = path.read_text(encoding="utf-8")
    from flowlint.loaders import placeholders

    protected = _protected_lines(placeholders.substitute(text)[0])
    lines = text.split("\n")
    edited: list[str] = []
    for number, line in enumerate(lines):
        if number in protected:
            edited.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")))
        edit = data.draw(st.sampled_from(["keep", "keep", "keep", "comment", "blank", "trailing"]))
        if edit == "comment":
            edited.append(f"{indent}# {data.draw(st.text(alphabet='abc :-#[]{}&*', max_size=12))}")
        elif edit == "blank":
            edited.append("")
        edited.append(line + " \t" if edit == "trailing" and line.strip() else line)
    new_text = "\n".join(edited)
    if data.draw(st.booleans()):
        new_text = new_text.replace("\n", "\r\n")
    before = _findings(str(path), text.encode("utf-8"), "yaml")
    after = _findings(str(path), new_text.encode("utf-8"), "yaml")
    assert after == before


def _swappable(text: str) -> list[int]:
    """0-based lines ``n`` such that lines ``n`` and ``n + 1`` are two keys of one block
    mapping, each ``key: scalar`` alone on its line: swapping them changes only key order."""
    lines = text.split("\n")
    root = _compose(text)
    found: list[int] = []
    stack: list[Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        stack.extend(_children(node))
        if not isinstance(node, MappingNode) or node.flow_style:
            continue
        pairs: list[tuple[Node, Node]] = node.value
        for (key, value), (next_key, next_value) in zip(pairs, pairs[1:]):
            pair = [key, value, next_key, next_value]
            if not all(isinstance(n, ScalarNode) and n.start_mark.line == n.end_mark.line for n in pair):
                continue
            line: int = key.start_mark.line
            if (value.start_mark.line, next_key.start_mark.line, next_value.start_mark.line) != (line, line + 1, line + 1):
                continue
            # Each key opens its line (no "- " before it), and nothing else shares the lines.
            columns: list[int] = [key.start_mark.column, next_key.start_mark.column]
            if not lines[line][: columns[0]].strip() and not lines[line + 1][: columns[1]].strip():
                found.append(line)
    return sorted(found)


@SETTINGS
@given(st.data())
def test_yaml_key_order_changes_nothing(data: st.DataObject) -> None:
    """Swapping two ``key: scalar`` lines of a mapping leaves the flow and its findings."""
    path = data.draw(_pick("yaml"))
    text = path.read_text(encoding="utf-8")
    from flowlint.loaders import placeholders

    candidates = _swappable(placeholders.substitute(text)[0])
    if not candidates:
        return
    chosen = data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=8, unique=True))
    lines = text.split("\n")
    done: set[int] = set()
    for line in sorted(chosen):
        if line not in done and line + 1 not in done:  # pairs must not overlap
            lines[line], lines[line + 1] = lines[line + 1], lines[line]
            done.update((line, line + 1))
    before = _findings(str(path), text.encode("utf-8"), "yaml")
    after = _findings(str(path), "\n".join(lines).encode("utf-8"), "yaml")
    assert after == before


# --------------------------------------------------------------------------- irrelevant edits: JSON and exports

def _reorder(node: Any, rng: random.Random) -> Any:
    """The same JSON value with every object's keys in a random order."""
    if isinstance(node, dict):
        items = list(cast(dict[str, Any], node).items())
        rng.shuffle(items)
        return {key: _reorder(value, rng) for key, value in items}
    if isinstance(node, list):
        return [_reorder(item, rng) for item in cast(list[Any], node)]
    return node


def _layout(document: Any, rng: random.Random) -> str:
    return json.dumps(_reorder(document, rng), indent=rng.choice([None, 0, 1, 2, "\t"]),
                      ensure_ascii=rng.choice([True, False]), separators=rng.choice([None, (",", ":"), (", ", " : ")]))


@FEWER
@given(st.data(), st.randoms(use_true_random=False))
def test_json_key_order_and_layout_change_nothing(data: st.DataObject, rng: random.Random) -> None:
    path = data.draw(_pick("export"))
    text = decode_export(path.read_bytes())[0] or ""
    document = json.loads(text)
    before = _findings("flow.json", text.encode("utf-8"), "json")
    after = _findings("flow.json", _layout(document, rng).encode("utf-8"), "json")
    assert after == before


@FEWER
@given(st.data(), st.randoms(use_true_random=False))
def test_export_encodings_change_nothing(data: st.DataObject, rng: random.Random) -> None:
    """An export re-encoded: key order, percent-encoding of more or fewer characters, plain
    JSON, line-wrapped or padded base64."""
    path = data.draw(_pick("export"))
    name = "flow" + path.suffix
    document = json.loads(decode_export(path.read_bytes())[0] or "")
    text = _layout(document, rng)
    encoded = rng.choice([quote(text, safe=""), quote(text), text.replace("%", "%25")])
    if encoded is not text and rng.random() < 0.3:  # plain JSON is accepted as is
        encoded = text
    payload = base64.b64encode(encoded.encode("utf-8")).decode("ascii")
    width = rng.choice([0, 64, 76, 1000])
    if width:
        payload = "\n".join(payload[i:i + width] for i in range(0, len(payload), width))
    payload = rng.choice(["", " ", "\n", "\r\n"]) + payload + rng.choice(["", "\n", "\r\n", "  \n"])
    before = _findings(name, path.read_bytes(), "export")
    after = _findings(name, payload.encode("ascii"), "export")
    assert after == before


def test_reencoded_exports_compare_equal_at_all() -> None:
    """The invariance tests compare something: a real edit does change the summary."""
    files = _files("export")
    if not files:
        pytest.skip("no corpus exports")
    text = decode_export(files[0].read_bytes())[0] or ""
    document = json.loads(text)
    document["name"] = document.get("name", "") + " (renamed)"
    changed = json.dumps(document)
    assert _findings("f.json", text.encode(), "json")[0] != _findings("f.json", changed.encode(), "json")[0]
    assert re.search(r"renamed", str(_findings("f.json", changed.encode(), "json")[0]))


# --------------------------------------------------------------------------- placeholders

placeholder_text = st.lists(st.sampled_from(["{{name}}", "${x}", "<id>", "{{}}", "${}", "<a_1>", "{{a}b}}", "x", " ",
                                             "\n", ":", "- ", "<", "{{", "$", "\ue000", "\ue100", "\ue001"]),
                            max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(placeholder_text)
def test_placeholder_tokens_keep_length_and_restore(text: str) -> None:
    """Every placeholder becomes a token of its own length (positions stay valid) and
    restoring the whole text gives it back, even when the text holds the characters tokens
    are made of (before or after a token, or spelling one)."""
    from flowlint.loaders.placeholders import restore, substitute

    substituted, mapping = substitute(text)
    assert len(substituted) == len(text)
    assert all(len(token) == len(original) for token, original in mapping.items())
    assert restore(substituted, mapping) == text


@settings(max_examples=200, deadline=None)
@given(placeholder_text, placeholder_text)
@example("", "${}\ue000\ue100\ue100")  # a token spelt by escapes YAML decodes ("\ue000" in the file)
def test_placeholders_anywhere_in_a_flow(name: str, value: str) -> None:
    """Placeholders in keys, names and values: the flow loads, and no token leaks out."""
    text = ("inboundCall:\n  name: " + json.dumps(name, ensure_ascii=False) + "\n  startUpRef: /inboundCall/tasks/task[t]\n"
            "  tasks:\n    - task:\n        name: T\n        refId: t\n        actions:\n"
            "          - setParticipantData:\n              name: " + json.dumps(value) + "\n"
            "              attributes:\n                - attribute:\n                    name:\n"
            "                      lit: " + json.dumps(value) + "\n                    value:\n"
            "                      exp: " + json.dumps(name, ensure_ascii=False) + "\n")
    archy_yaml(text.encode("utf-8"))
    [flow] = load_bytes("p.yaml", text.encode("utf-8"), "yaml").flows
    assert flow.name == name and flow.actions[0].name == value
