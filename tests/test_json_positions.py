"""The lazy Lark-backed JSON locator: spans, keys, duplicates, odd texts, deep nesting."""

from __future__ import annotations

import json
from pathlib import Path

from flowlint.ir import Pointer, Span
from flowlint.loaders.export import decode_export
from flowlint.loaders.flow_json import load_json_text
from flowlint.loaders.json_positions import JsonLocator, json_parser, make_locator


def slice_span(text: str, span: Span) -> str:
    """The text a span covers (1-based lines/columns, end exclusive)."""
    starts = [0]
    for position, char in enumerate(text):
        if char == "\n":
            starts.append(position + 1)
    return text[starts[span.line - 1] + span.column - 1: starts[span.end_line - 1] + span.end_column - 1]


def test_spans_of_values_and_keys() -> None:
    text = '{"a": [1, {"b": "x\\u00e9"}],\n "c": true, "\\u00e9": -1.5e3, "e": {}, "f": []}'
    locate = make_locator(text)
    expected: dict[Pointer, str] = {
        (): text, ("a",): '[1, {"b": "x\\u00e9"}]', ("a", 0): "1", ("a", 1): '{"b": "x\\u00e9"}',
        ("a", 1, "b"): '"x\\u00e9"', ("c",): "true", ("é",): "-1.5e3", ("e",): "{}", ("f",): "[]",
    }
    for pointer, covered in expected.items():
        span = locate(pointer)
        assert span is not None and slice_span(text, span) == covered, pointer
    assert locate(("c",)) == Span(2, 7, 2, 11)
    assert locate.key_span(("c",)) == Span(2, 2, 2, 5)
    assert locate.key_span(("é",)) == Span(2, 13, 2, 21)
    assert locate.key_span(("a", 0)) is None and locate.key_span(()) is None


def test_missing_and_mistyped_pointers_give_none() -> None:
    locate = make_locator('{"a": [1, 2], "b": {"c": 3}}')
    for pointer in [("zz",), ("a", 2), ("a", -1), ("a", "0"), ("b", 0), (0,), ("a", 0, "x")]:
        assert locate(pointer) is None, pointer


def test_duplicate_keys_resolve_to_the_last_like_json_loads() -> None:
    text = '{"k": 1, "k": [2]}'
    assert json.loads(text)["k"] == [2]
    assert make_locator(text)(("k",)) == Span(1, 15, 1, 18)


def test_columns_are_code_points_and_crlf_bom_are_handled() -> None:
    text = '{"a": "😀😀", "b": 1}'
    span = make_locator(text)(("b",))
    assert span is not None and span.column == text.index("1") + 1 == 18
    crlf = '{\r\n  "a": [\r\n    true\r\n  ]\r\n}'
    assert make_locator(crlf)(("a", 0)) == Span(3, 5, 3, 9)
    assert make_locator(crlf)(("a",)) == Span(2, 8, 4, 4)
    assert make_locator('\ufeff{"a": 1}')(("a",)) == Span(1, 8, 1, 9)  # the BOM is one column


def test_everything_json_loads_accepts_is_located() -> None:
    text = '{"n": NaN, "i": -Infinity, "p": Infinity, "z": -0, "e": 1E+2, "s": "tab\\there", "u": null}'
    json.loads(text)  # Python accepts all of it
    locate = make_locator(text)
    for key, covered in [("n", "NaN"), ("i", "-Infinity"), ("p", "Infinity"), ("z", "-0"), ("e", "1E+2"),
                         ("s", '"tab\\there"'), ("u", "null")]:
        span = locate((key,))
        assert span is not None and slice_span(text, span) == covered


def test_deep_nesting_does_not_hit_the_recursion_limit() -> None:
    depth = 20_000  # far beyond sys.getrecursionlimit()
    text = "[" * depth + "7" + "]" * depth
    locate = make_locator(text)
    assert locate((0,) * depth) == Span(1, depth + 1, 1, depth + 2)
    assert locate(()) == Span(1, 1, 1, 2 * depth + 2)


def test_invalid_text_gives_none_instead_of_raising() -> None:
    for text in ["", "{", '{"a": }', "[1,]", "\x00", "{'a': 1}"]:
        assert make_locator(text)(("a",)) is None
        assert make_locator(text)(()) is None


def test_parsing_is_lazy_and_the_parser_is_shared() -> None:
    locate = make_locator('{"a": 1}')
    assert isinstance(locate, JsonLocator) and not locate.parsed
    assert locate(("a",)) == Span(1, 7, 1, 8)
    assert locate.parsed
    assert json_parser() is json_parser()


def test_agrees_with_json_loads_on_a_real_document(corpus: Path) -> None:
    export = next(corpus.glob("*/files__Proactive_callbacks_v1-0.i3InQueueFlow"))
    document = json.loads(decode_export(export.read_bytes())[0] or "null")
    for text in (json.dumps(document, indent=2, ensure_ascii=False), json.dumps(document, separators=(",", ":"))):
        result = load_json_text("flow.json", text)
        [flow] = result.flows
        pointers = [v.loc.pointer for a in flow.actions for _, v in a.values]
        pointers += [a.loc.pointer for a in flow.actions] + [v.loc.pointer for v in flow.variables]
        assert len(pointers) > 50
        locate = flow.file.locator
        assert locate is not None
        for pointer in pointers:
            assert pointer is not None
            node: object = document
            for step in pointer:
                node = node[step]  # type: ignore[index]
            span = locate(pointer)
            assert span is not None and json.loads(slice_span(text, span)) == node, pointer
