"""Every expression in the shared corpus parses.

Expressions are extracted independently of flowlint's loaders: every ``exp:`` scalar of
the Archy YAML files (placeholders masked for YAML as the loader does, then restored), and every value
``text`` in expression mode (``uiMetaData.mode == 0``) of the ``.i3*`` exports (base64 of
percent-encoded JSON).  The loaders' own ``exp`` values are checked too.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from flowlint.expressions.parser import parse_expression
from flowlint.loaders.placeholders import restore, substitute

_YAML_SUFFIXES = (".yaml", ".yml", ".tftpl")

# PyYAML's stubs leave compose_all's result unknown.
_compose_all: Callable[..., Iterator[yaml.Node | None]] = yaml.compose_all  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


class CorpusExpression(NamedTuple):
    text: str
    #: ``file:line`` (YAML) or the file name (exports).
    where: str


#: Texts in the corpus that are not expressions, each with the reason.
KNOWN_INVALID = {
    "": "expression-mode fields left empty in Architect exports (20 values in 7 files, e.g. "
    "extra__SAP_lookup.i3InboundFlow): Architect stores an unset optional field so; the loaders "
    "do not turn them into exp values",
}


def corpus_expressions(root: Path) -> list[CorpusExpression]:
    found: list[CorpusExpression] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix in _YAML_SUFFIXES:
            found.extend(_yaml_expressions(path))
        elif path.suffix.startswith(".i3"):
            found.extend(_export_expressions(path))
    return found


def _yaml_expressions(path: Path) -> list[CorpusExpression]:
    text, placeholders = substitute(path.read_text(encoding="utf-8-sig"))
    found: list[CorpusExpression] = []
    try:
        documents = list(_compose_all(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return found
    stack: list[yaml.Node] = [doc for doc in documents if doc is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:  # pyright: ignore[reportUnknownVariableType]
                if isinstance(key, yaml.ScalarNode) and key.value == "exp" and isinstance(value, yaml.ScalarNode):
                    expression = restore(value.value, placeholders)
                    found.append(CorpusExpression(expression, f"{path.name}:{value.start_mark.line + 1}"))
                stack.append(value)  # pyright: ignore[reportUnknownArgumentType]
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)  # pyright: ignore[reportUnknownArgumentType]
    return found


def _export_expressions(path: Path) -> list[CorpusExpression]:
    raw = path.read_text(encoding="utf-8").strip()
    document: Any = json.loads(urllib.parse.unquote(base64.b64decode(raw).decode("utf-8")))
    found: list[CorpusExpression] = []
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            obj: dict[str, Any] = item  # pyright: ignore[reportUnknownVariableType]
            meta = obj.get("uiMetaData")
            text = obj.get("text")
            if isinstance(text, str) and isinstance(meta, dict) and meta.get("mode") == 0:  # pyright: ignore[reportUnknownMemberType]
                found.append(CorpusExpression(text, path.name))
            stack.extend(obj.values())
        elif isinstance(item, list):
            stack.extend(item)  # pyright: ignore[reportUnknownArgumentType]
    return found


def test_every_corpus_expression_parses(corpus: Path) -> None:
    expressions = corpus_expressions(corpus)
    assert len(expressions) > 1000  # 475 YAML + 606 export texts at the time of writing
    failures: list[str] = []
    for expression in expressions:
        result = parse_expression(expression.text)
        if result.error is not None and expression.text not in KNOWN_INVALID:
            failures.append(f"{expression.where}: {expression.text!r}: {result.error.message}")
    assert not failures, "\n".join(failures)


def test_known_invalid_texts_are_really_in_the_corpus_and_invalid(corpus: Path) -> None:
    texts = {expression.text for expression in corpus_expressions(corpus)}
    for text in KNOWN_INVALID:
        assert text in texts
        assert parse_expression(text).error is not None


def test_corpus_uses_placeholders_and_multiline_layouts(corpus: Path) -> None:
    """The corpus exercises what the grammar must tolerate (so the test above means it)."""
    texts = [expression.text for expression in corpus_expressions(corpus)]
    assert any(".{{" in text for text in texts)  # a placeholder as a property name
    assert any("\n" in text for text in texts)


def test_loader_expressions_parse(corpus: Path) -> None:
    """The ``exp`` values the loaders put in the IR parse too (what FL101 will see)."""
    from flowlint.ir import ValueKind
    from flowlint.loaders import load_file
    from flowlint.loaders.discover import discover

    count = 0
    failures: list[str] = []
    for path, fmt in discover([str(corpus)]):
        for flow in load_file(path, fmt).flows:
            for action in flow.actions:
                for field, value in action.values:
                    if value.kind != ValueKind.EXP:
                        continue
                    count += 1
                    result = parse_expression(value.text or "")
                    if result.error is not None:
                        failures.append(f"{path} {field}: {value.text!r}: {result.error.message}")
    assert count > 1000
    assert not failures, "\n".join(failures)


def test_corpus_expressions_round_trip_and_analyse(corpus: Path) -> None:
    """Canonical printing, variable extraction and typing work on every real expression."""
    from flowlint.expressions.analysis import calls, infer_type, variables_read
    from flowlint.expressions.printer import to_text

    typed = 0
    for expression in corpus_expressions(corpus):
        ast = parse_expression(expression.text).ast
        if ast is None:
            continue
        assert parse_expression(to_text(ast)).ast == ast, expression
        for ref in variables_read(ast):
            assert expression.text[ref.start : ref.end].replace(" ", "").startswith(ref.name)
        assert all(expression.text[call.start : call.name_end] == call.name for call in calls(ast))
        typed += infer_type(ast) is not None
    assert typed > 500  # most real expressions have a type the catalog determines
