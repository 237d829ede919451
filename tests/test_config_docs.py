"""docs/configuration.md: generated from the configuration schema, one section per key, with
defaults that are flowlint's and examples that flowlint accepts."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import fields
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, cast

import pytest

from flowlint.config import Config, ConfigError, config_from_mapping
from flowlint.reporters.config_markdown import REGENERATE, load_schema, render_config, toml_value

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "configuration.md"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return load_schema()


@pytest.fixture(scope="module")
def page(schema: dict[str, Any]) -> str:
    return render_config(schema)


def sections(page: str) -> dict[str, str]:
    """Key -> the text of its section (heading ``## `key```)."""
    parts = re.split(r"^## `([^`]+)`\n", page, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def toml_blocks(text: str) -> list[str]:
    return re.findall(r"^```toml\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def settings(block: str) -> dict[str, Any]:
    """An example's configuration: the whole document, or its [tool.flowlint] (pyproject.toml)."""
    data = tomllib.loads(block)
    return data["tool"]["flowlint"] if "tool" in data else data


def plain(value: object) -> object:
    """A Config attribute as tomllib would read it back (enums by value)."""
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in cast(Mapping[object, object], value).items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in cast(list[object], value)]
    return value


def test_docs_configuration_md_is_generated_from_the_schema(page: str) -> None:
    actual = DOC.read_bytes().decode("utf-8")  # bytes: a CRLF checkout must fail too
    assert actual == page, f"docs/configuration.md is stale: run `{REGENERATE}`"


def test_the_module_prints_the_page(page: str) -> None:
    result = subprocess.run([sys.executable, "-m", "flowlint.reporters.config_markdown"], capture_output=True,
                            cwd=ROOT, check=True)
    assert result.stdout.decode("utf-8") == page


def test_every_key_has_a_section_in_schema_order(schema: dict[str, Any], page: str) -> None:
    assert list(sections(page)) == list(schema["properties"])
    for key in schema["properties"]:
        assert f"[`{key}`](#{key})" in page  # the summary table links each section


def test_every_example_is_valid_configuration(schema: dict[str, Any], page: str) -> None:
    blocks = toml_blocks(page)
    assert len(blocks) > len(schema["properties"])  # one per key, and the pyproject.toml one
    for block in blocks:
        try:
            config_from_mapping(settings(block), "example")
        except ConfigError as error:
            pytest.fail(f"invalid example:\n{block}\n{error}")
    for key, text in sections(page).items():
        examples = toml_blocks(text)
        assert examples, f"no example for {key!r}"
        assert all(key in tomllib.loads(block) for block in examples), key


def test_defaults_are_those_of_config(schema: dict[str, Any], page: str) -> None:
    attributes = {f.name for f in fields(Config)}
    defaults = Config()
    by_key = sections(page)
    for key in schema["properties"]:
        attribute = key.replace("-", "_")
        if attribute not in attributes:
            continue
        match = re.search(r"^\*\*Default:\*\* (.*)$", by_key[key], flags=re.MULTILINE)
        assert match, f"no default shown for {key!r}"
        expected = plain(getattr(defaults, attribute))
        if expected is None:
            assert match[1] == "not set", key
            continue
        code = re.fullmatch(r"`(.*)`", match[1])
        assert code, f"{key!r}: default {match[1]!r} is not a TOML value"
        assert tomllib.loads(f"value = {code[1]}")["value"] == expected, key


# --------------------------------------------------------------------------- any schema

#: Every construct the generator must handle, as keys the real schema does not have (yet).
SYNTHETIC: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "levels": {"description": "Severity per code.", "type": "object",
                   "propertyNames": {"$ref": "#/$defs/code"}, "additionalProperties": {"$ref": "#/$defs/level"}},
        "timeout": {"description": "Seconds.", "type": "number", "minimum": 1},
        "retries": {"type": "integer", "default": 3},
        "mode": {"description": "How.", "enum": ["fast", "thorough"], "type": "string"},
        "values": {"type": "object", "propertyNames": {"minLength": 1, "pattern": "^\\S+$"},
                   "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "nested": {"type": "object", "additionalProperties": False,
                   "properties": {"yaml": {"$ref": "#/$defs/table"}, "on": {"type": "boolean"}}},
        "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}},
        "given": {"type": "array", "items": {"type": "string"}, "examples": [["a", "b c"], []]},
        "odd key": {"type": "string"},
        "fallback": {"title": "fallback level", "$ref": "#/$defs/level"},
    },
    "$defs": {
        "code": {"title": "rule code", "type": "string", "pattern": "^FL\\d{3}$"},
        "level": {"title": "level", "type": "string", "enum": ["error", "warning"]},
        "table": {"type": "object", "propertyNames": {"minLength": 1},
                  "additionalProperties": {"type": "array", "items": {"$ref": "#/$defs/code"}}},
    },
}


class _Validator(Protocol):
    def iter_errors(self, instance: object, /) -> Iterator[Exception]: ...


def test_any_schema_of_the_same_constructs_gets_valid_examples() -> None:
    from jsonschema import Draft202012Validator

    validator = cast(_Validator, Draft202012Validator(SYNTHETIC))
    text = render_config(SYNTHETIC)
    by_key = sections(text)
    assert list(by_key) == list(SYNTHETIC["properties"])
    for block in toml_blocks(text):
        errors = list(validator.iter_errors(settings(block)))
        assert not errors, f"{block}\n{errors}"
    assert "**Type:** table: rule code -> level" in by_key["levels"]
    assert "- *rule code*: a string matching `^FL\\d{3}$`" in by_key["levels"]
    assert '- *level*: one of `"error"` or `"warning"`' in by_key["levels"]
    assert "**Type:** number >= 1" in by_key["timeout"]
    assert "**Default:** `3`" in by_key["retries"]  # the schema's default: no Config attribute
    assert "**Default:**" not in by_key["timeout"]
    assert "_No description in the schema._" in by_key["retries"]
    assert "-> string, number or boolean" in by_key["values"]
    assert len(tomllib.loads(toml_blocks(by_key["values"])[0])["values"]) == 3  # one entry per type
    assert "**Type:** table with keys `yaml` and `on`" in by_key["nested"]
    assert tomllib.loads(toml_blocks(by_key["given"])[1]) == {"given": []}  # the schema's examples, each
    assert "**Type:** array of strings matching `^[a-z]+$`" in by_key["tags"]
    assert '**Type:** one of `"error"` or `"warning"`' in by_key["fallback"]  # spelt out, not titled


@pytest.mark.parametrize("value", ["plain", 'quo"te\\', "tab\tnew\nline\x01\x7f", "ünï", 1.5, -3, True,
                                   [1, "a"], {"k": {"a b": []}}, {}])
def test_toml_values_read_back(value: object) -> None:
    assert tomllib.loads(f"v = {toml_value(value)}")["v"] == value
