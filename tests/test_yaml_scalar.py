"""Value offset -> file position through YAML escapes, folding and block scalars.

Every check composes real YAML with libyaml and requires (1) that the replayed value
equals libyaml's, and (2) that each value offset maps to the character that produced it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from flowlint.ir import ScalarSource
from flowlint.loaders.placeholders import substitute
from flowlint.loaders.yaml_scalar import (
    decode, index_to_position, offset_map, value_offset_to_index, value_offset_to_position,
)  # fmt: skip

_BREAKS = "\r\n\x85\u2028\u2029"
_ESCAPE_RE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)


# PyYAML's stubs leave compose's result unknown.
_compose: Callable[..., yaml.Node | None] = yaml.compose  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def scalars(text: str) -> list[yaml.ScalarNode]:
    root = _compose(text, Loader=yaml.CSafeLoader)
    found: list[yaml.ScalarNode] = []
    stack: list[yaml.Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            found.append(node)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:  # pyright: ignore[reportUnknownVariableType]
                stack += [key, value]  # pyright: ignore[reportUnknownArgumentType]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value  # pyright: ignore[reportUnknownArgumentType]
    return found


def source_of(node: yaml.ScalarNode) -> ScalarSource:
    return ScalarSource(node.start_mark.index, node.end_mark.index, node.style or "")


def produced_by(text: str, index: int, char: str, style: str) -> bool:
    """Whether the file character at ``index`` can have produced value character ``char``."""
    source = text[index]
    if source == char:
        return True
    if source == "\\" and style == '"':  # an escape: it must decode to char
        match = _ESCAPE_RE.match(text, index)
        return match is not None and yaml.safe_load(f'"{match.group(0)}"') == char
    if source in _BREAKS:  # folding: a break gives a space or a newline
        return char in (" ", "\n", "\u2028", "\u2029")
    return False


def check_document(text: str) -> int:
    """Check every scalar of ``text``; return how many were checked."""
    nodes = scalars(text)
    for node in nodes:
        scalar = source_of(node)
        assert decode(text, scalar) == node.value, (text[scalar.start : scalar.end], node.value)
        positions = offset_map(text, scalar)
        assert len(positions) == len(node.value) + 1
        assert list(positions) == sorted(positions), "positions must not go backwards"
        for offset, char in enumerate(node.value):
            index = positions[offset]
            assert scalar.start <= index < scalar.end
            assert produced_by(text, index, char, scalar.style), (text, offset, char, text[index])
    return len(nodes)


def test_escapes_map_to_their_backslash() -> None:
    text = 'a: "x\\ty\\u0041\\x42\\U0001F600 \\\\ \\"q\\" \\/ \\N\\_\\L\\P"\n'
    node = scalars(text)[0]
    scalar = source_of(node)
    assert decode(text, scalar) == node.value
    value = node.value
    # \u0041 -> "A" comes from the backslash of "\u0041"
    offset = value.index("A")
    index = value_offset_to_index(text, scalar, offset)
    assert text[index : index + 6] == "\\u0041"
    assert text[value_offset_to_index(text, scalar, value.index("\U0001f600"))] == "\\"
    check_document(text)


def test_single_quote_doubling_maps_to_first_quote() -> None:
    text = "k: 'it''s'\n"
    node = scalars(text)[0]
    scalar = source_of(node)
    assert node.value == "it's"
    index = value_offset_to_index(text, scalar, 2)
    assert text[index : index + 2] == "''"
    assert value_offset_to_index(text, scalar, 3) == index + 2


def test_folded_line_break_maps_to_the_break() -> None:
    text = 'k: "If(a,\n    b)"\n'
    node = scalars(text)[0]
    scalar = source_of(node)
    assert node.value == "If(a, b)"
    assert text[value_offset_to_index(text, scalar, 5)] == "\n"
    # "b" is on line 2, column 5 of the file
    assert value_offset_to_position(text, scalar, 6) == (2, 5)


def test_escaped_line_break_joins_without_space() -> None:
    text = 'k: "Append(\\\n      x)"\n'
    node = scalars(text)[0]
    scalar = source_of(node)
    assert node.value == "Append(x)"
    assert value_offset_to_position(text, scalar, 7) == (2, 7)


def test_blank_lines_in_quoted_scalar_become_newlines() -> None:
    text = 'k: "a\n\n\n   b"\n'
    node = scalars(text)[0]
    scalar = source_of(node)
    assert node.value == "a\n\nb"
    assert value_offset_to_position(text, scalar, 3) == (4, 4)
    check_document(text)


def test_literal_block_positions() -> None:
    text = "exp: |\n  If(\n  \tContains(Task.x, \"H\"),\n  \t1, 2)\n"
    node = scalars(text)[0]
    scalar = source_of(node)
    value = node.value
    offset = value.index("Contains")
    assert value_offset_to_position(text, scalar, offset) == (3, 4)
    # The end of the value is after the final line break.
    assert value_offset_to_position(text, scalar, len(value)) == (5, 1)
    check_document(text)


def test_folded_block_positions() -> None:
    text = "a:\n  exp: >-\n    Append(\"a\",\n    \"b\")\n"
    node = [n for n in scalars(text) if n.style == ">"][0]
    scalar = source_of(node)
    assert node.value == 'Append("a", "b")'
    assert value_offset_to_position(text, scalar, node.value.index('"b"')) == (4, 5)
    assert text[value_offset_to_index(text, scalar, node.value.index(' "b"'))] == "\n"


def test_plain_multiline_positions() -> None:
    text = "- exp: Append(\"a\",\n    Flow.x)\n"
    node = scalars(text)[0]
    scalar = source_of(node)
    assert node.value == 'Append("a", Flow.x)'
    assert value_offset_to_position(text, scalar, node.value.index("Flow")) == (2, 5)


def test_offsets_are_clamped_and_empty_values_point_inside_the_quotes() -> None:
    text = 'a: ""\nb: x\n'
    nodes = {node.value: node for node in scalars(text)}
    empty, plain = nodes[""], nodes["x"]
    assert value_offset_to_index(text, source_of(empty), 0) == 4
    assert value_offset_to_index(text, source_of(plain), 99) == len("a: \"\"\nb: x")
    assert value_offset_to_index(text, source_of(plain), -5) == text.index("x")


def test_a_wrong_span_does_not_raise() -> None:
    text = 'a: "\\q"\n'
    assert offset_map(text, ScalarSource(3, 7, '"')) == (3,)
    assert offset_map(text, ScalarSource(3, 500, '"')) is not None


def test_line_breaks_count_like_libyaml() -> None:
    text = "a\r\nb\rc\x85d\u2028e\nf"
    assert [index_to_position(text, text.index(c)) for c in "abcdef"] == [
        (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1)]
    # and libyaml agrees on the lines of scalars after such breaks
    doc = 'a: "x\x85y"\nb: "p\u2028q"\nc: 1\n'
    for node in scalars(doc):
        assert index_to_position(doc, node.start_mark.index) == (node.start_mark.line + 1, node.start_mark.column + 1)


SNIPPETS = [
    "a: 'it''s\n\n  ok  '\n",
    'a: "line1\n  line2\n\n   line3  \n  end  "\n',
    'a: "esc\\\n    aped"\n',
    'a: "esc\\\n\n    aped"\n',
    "a: plain text\n  continues\n\n  more\n",
    "a: |\n  lit\n   more\n\n  end\n\n",
    "a: >\n  fold\n  this\n\n  para\n   indented\n  back\n",
    "a: |-\n  x\n\n",
    "a: |+\n  x\n\n\n",
    "a: >2\n   lead\n  x\n",
    "- |2\n   lead\n  x\n",
    "- key: |1\n    x\n",
    "- - |1\n     x\n",
    "k:\n  - a: >-\n      one\n      two\n",
    'a: "\r\n  x\r\n\r\n  y"\r\nb: |\r\n  p\r\n  q\r\n',
    'a: "x\x85y"\n',
    'a: "p\u2028q"\n',
    "a: |  # comment\n  x\n",
    "a: |\n\n  \n  x\n",
    "a: >\n  a\n\n\n  b\n",
    'a: "  lead and trail  "\n',
    'a: "\\\n"\n',
    'a: ""\n',
    "a: ''\n",
    "a: |\nb: 1\n",
    "a: >+\n\n",
    "--- |2\n  x\n",
    "a: !!str |\n  x\n",
    "a: &anchor |2\n   x\n",
    "a: !!str &x \"q\\tx\"\n",
    "a: !!str\n  'x'\n",
    "a: !!str plain\n",
    'a: "tab\there"\n',
    "a: {b: \"x\n  y\", c: plain\n  flow}\n",
    "[one\n two, 'three\n\n four']\n",
    "a: >\n  x\n  \ty\n  z\n",
    "a: |\n  x\n  \tindented with tab\n",
    "a: >-\n\n  x\n\n",
    "a: \"\\x41\\u00e9\\t\\0\"\n",
    "a: 'é😀x\n  ü'\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets(text: str) -> None:
    assert check_document(text) > 0


@settings(max_examples=150, deadline=None)
@given(
    value=st.text(alphabet=st.sampled_from([*"ab (),\"'\\\t\n é#:-{}[]", "\u2028", "😀", "\r"]),
                  max_size=60),
    style=st.sampled_from(['"', "'", "|", ">", None]),
    width=st.integers(min_value=8, max_value=40),
    nest=st.integers(min_value=0, max_value=3),
)
def test_dumped_values_round_trip(value: str, style: str | None, width: int, nest: int) -> None:
    """Whatever PyYAML emits for a value (folded to a narrow width, nested), maps back."""
    data: object = {"exp": value}
    for level in range(nest):
        data = [data] if level % 2 else {"k": data}
    text = yaml.dump(data, default_style=style, width=width, allow_unicode=True)
    assert check_document(text) > 0


def test_corpus_scalars(corpus: Path) -> None:
    checked = 0
    for path in sorted(corpus.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".tftpl"):
            continue
        text, _ = substitute(path.read_text(encoding="utf-8-sig"))
        try:
            checked += check_document(text)
        except yaml.YAMLError:
            continue
    assert checked > 10_000
