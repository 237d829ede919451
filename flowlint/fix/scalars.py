"""A value written in the scalar style the file used (plain, quoted, JSON), for fixes that
replace one scalar: the quoting, and everything around the scalar, stay as they were."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from flowlint.diagnostics import Applicability, Edit, Fix
from flowlint.ir import SourceFormat, Span


def yaml_scalar(value: str, style: str) -> str | None:
    """``value`` written in a YAML scalar style (None for block scalars: no fix)."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'" if "\n" not in value else None
    if style == '"':
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar
    if style == "":
        return value if plain_ok(value) else json.dumps(value, ensure_ascii=False)
    return None


def plain_ok(value: str) -> bool:
    """Whether ``value`` reads back as the same plain scalar (the loader keeps scalars as text)."""
    if not value or "\n" in value or "\r" in value:
        return False
    compose = cast(Callable[..., Node | None], yaml.compose)  # pyright: ignore[reportUnknownMemberType]
    try:
        node = compose(f"k: {value}\n", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    if not isinstance(node, MappingNode) or len(node.value) != 1:
        return False
    scalar = node.value[0][1]
    return isinstance(scalar, ScalarNode) and scalar.style is None and scalar.value == value


def replace_scalar(title: str, span: Span | None, old: str, new: str, source_format: SourceFormat,
                   style: str | None, applicability: Applicability = Applicability.SAFE) -> Fix | None:
    """A fix writing ``new`` where the scalar ``old`` is, in the same style; None when the
    scalar is not written as plainly as that (escapes, tags, placeholders, several lines)."""
    if span is None or span.line != span.end_line or source_format == SourceFormat.EXPORT:
        return None
    if source_format == SourceFormat.JSON:
        expected: str | None = json.dumps(old, ensure_ascii=False)
        text: str | None = json.dumps(new, ensure_ascii=False)
    elif style is None:
        return None
    else:
        expected, text = (old if style == "" else yaml_scalar(old, style)), yaml_scalar(new, style)
    if expected is None or text is None or span.end_column - span.column != len(expected):
        return None
    return Fix(title, (Edit(span, text, expected),), applicability)
