"""Fuzz targets: bytes in, nothing out; an oracle that fails raises AssertionError.

One function per input format flowlint reads or writes.  ``fuzz/run.py`` drives them with
atheris (coverage-guided) or, where atheris is not installed, with a random-mutation loop;
``tests/test_property_*.py`` drive the same functions with hypothesis.  Every target calls
the layer *below* the catch-all of ``flowlint.loaders.read_and_load`` (which turns any
exception into an "internal error" FL100), so a bug shows as the exception it is.

Oracles: no uncaught exception (``RecursionError`` and ``MemoryError`` included), and the
output is valid: diagnostics carry registered codes and spans inside the text, the IR's
indices point at real containers and actions, placeholders are restored, reports parse
(JSON, SARIF against its schema, JUnit XML), a parsed expression prints canonically.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from flowlint.diagnostics import Diagnostic, Related, Severity
from flowlint.ir import Flow, Span
from flowlint.loaders import LoadResult, load_bytes
from flowlint.loaders.placeholders import MARK

_T = TypeVar("_T")
SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "tests" / "data" / "sarif-schema-2.1.0.json"


class Reader:
    """Turns fuzzer bytes into choices (what atheris' FuzzedDataProvider does), so that the
    same target runs under atheris, the fallback loop and hypothesis alike."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def byte(self) -> int:
        if self.at >= len(self.data):
            return 0
        self.at += 1
        return self.data[self.at - 1]

    def number(self, limit: int) -> int:
        """0 <= n < limit (limit < 65,536)."""
        return (self.byte() << 8 | self.byte()) % limit if limit > 1 else 0

    def choice(self, options: Sequence[_T]) -> _T:
        return options[self.number(len(options))]

    def text(self, limit: int = 40) -> str:
        size = self.number(limit + 1)
        chunk = self.data[self.at : self.at + size * 2]
        self.at += len(chunk)
        return chunk.decode("utf-16-le", errors="ignore").encode("utf-8", errors="ignore").decode("utf-8")


# --------------------------------------------------------------------------- loaders

@cache
def _codes() -> frozenset[str]:
    from flowlint.registry import all_rules

    return frozenset(rule.info.code for rule in all_rules())


def _check_span(span: Span | None, lines: int) -> None:
    if span is None:
        return
    assert 1 <= span.line <= lines + 1 and span.column >= 1, span
    assert (span.end_line, span.end_column) >= (span.line, span.column), span


def _check_flow(flow: Flow, lines: int) -> None:
    actions, containers = len(flow.actions), len(flow.containers)
    tokens = flow.file.placeholders  # token -> the placeholder it stands for

    def leaks(text: str | None) -> bool:  # a token must never outlive the loader
        return text is not None and MARK in text and any(token in text for token in tokens)

    assert flow.entry_container is None or 0 <= flow.entry_container < containers
    for container in flow.containers:
        assert container.entry is None or 0 <= container.entry < actions
        assert all(0 <= index < actions for index in container.actions)
    for index, action in enumerate(flow.actions):
        assert action.index == index and 0 <= action.container < containers
        assert all(edge.target is None or 0 <= edge.target < actions for edge in action.succ)
        _check_span(action.loc.span, lines)
        _check_span(action.extent, lines)
        for _, value in action.values:
            _check_span(value.loc.span, lines)
            assert not leaks(value.text), value.text
    for reference in flow.references:
        assert reference.resolved is None or reference.resolved >= 0
    assert not leaks(flow.name) and not any(leaks(action.name) for action in flow.actions)


def check_result(result: LoadResult, text: str) -> None:
    """A load result is well formed: known codes, spans in the text, IR indices in range."""
    lines = text.count("\n") + text.count("\r") + 1
    for diagnostic in result.diagnostics:
        assert diagnostic.code in _codes(), diagnostic
        assert isinstance(diagnostic.severity, Severity) and diagnostic.message, diagnostic
        _check_span(diagnostic.span, lines)
    if result.not_a_flow:
        assert not result.flows and not result.diagnostics
    for flow in result.flows:
        _check_flow(flow, lines)


def _load(path: str, fmt: str, data: bytes) -> None:
    result = load_bytes(path, data, fmt)
    check_result(result, data.decode("utf-8", errors="replace"))
    if result.flows:
        _lint(result)


def _lint(result: LoadResult) -> None:
    """Every rule runs on what loaded, and every finding renders."""
    from flowlint.engine import finalize, run_rules
    from flowlint.pipeline.units import build_project

    project, diagnostics = build_project([result])
    found = finalize([*diagnostics, *run_rules(project, _config())], _config(), project=project)
    _render(found, ["fuzz"])


@cache
def _config() -> Any:
    from flowlint.config import Config

    return Config()


def archy_yaml(data: bytes) -> None:
    """Archy YAML (placeholders included): ``load_bytes`` on a ``.yaml`` file."""
    _load("fuzz.yaml", "yaml", data)


def export(data: bytes) -> None:
    """Architect export: base64 of percent-encoded JSON."""
    _load("fuzz.i3InboundFlow", "export", data)


def flow_json(data: bytes) -> None:
    """Platform API configuration JSON."""
    _load("fuzz.json", "json", data)


# --------------------------------------------------------------------------- expressions

def expression(data: bytes) -> None:
    """Any text: a parse or an error inside the text; a parse prints canonically."""
    from flowlint.expressions.parser import parse_expression
    from flowlint.expressions.printer import to_text

    text = data.decode("utf-8", errors="replace")
    result = parse_expression(text)
    assert (result.ast is None) != (result.error is None), result
    if result.error is not None:
        assert 0 <= result.error.offset <= result.error.end_offset <= len(text), result.error
        assert result.error.message
        return
    assert result.ast is not None
    printed = to_text(result.ast)
    again = parse_expression(printed)
    assert again.ast == result.ast, (text, printed, again.error)
    assert again.ast is not None and to_text(again.ast) == printed


# --------------------------------------------------------------------------- configuration

def config(data: bytes) -> None:
    """``.flowlint.toml`` text: a Config or a ConfigError naming the origin, nothing else."""
    import tomllib

    from flowlint.config import ConfigError, config_from_mapping

    try:
        mapping = tomllib.loads(data.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError:
        return
    try:
        settings = config_from_mapping(mapping, "fuzz.toml")
    except ConfigError as error:
        assert error.problems and all(problem.startswith("fuzz.toml") for problem in error.problems), error
        return
    for code in [*settings.select, *settings.ignore, *settings.severity]:
        settings.is_enabled_for(code, "flows/x.yaml")
    for pattern in [*settings.exclude, *settings.per_file_ignores]:
        settings.is_excluded(pattern)


# --------------------------------------------------------------------------- reports

_FILES = ["flows/main.yaml", "a b/ü.i3InboundFlow", "/abs/x.json", "../outside.yaml", "C:\\win\\f.yaml", ""]


def _span(reader: Reader) -> Span | None:
    if reader.byte() % 4 == 0:
        return None
    line, column = 1 + reader.number(5000), 1 + reader.number(500)
    return Span(line, column, line + reader.number(3), 1 + reader.number(500))


def diagnostics_from(data: bytes) -> list[Diagnostic]:
    """Arbitrary (but well-typed) findings, with hostile text everywhere text goes."""
    reader = Reader(data)
    codes = sorted(_codes()) + ["FL999"]

    def path() -> str:  # a file name holds anything but NUL
        return reader.choice(_FILES + [reader.text(20).replace("\x00", "")])

    found: list[Diagnostic] = []
    for _ in range(reader.number(6)):
        related = tuple(Related(reader.text(), path(), _span(reader), reader.text()) for _ in range(reader.number(3)))
        found.append(Diagnostic(
            reader.choice(codes), reader.choice(list(Severity)), reader.text(200) or "m", path(), _span(reader),
            reader.text(), reader.choice([None, reader.text()]), reader.choice([None, reader.text()]), related))
    return found


def report(data: bytes) -> None:
    """Every output format renders any findings; JSON and SARIF parse, SARIF meets its
    schema, JUnit is well-formed XML, and all of it encodes as UTF-8."""
    found = diagnostics_from(data)
    found.sort(key=lambda d: d.sort_key)
    _render(found, sorted({d.file for d in found}))


def _render(found: list[Diagnostic], files: list[str]) -> None:
    from flowlint.reporters import FORMATS, Report, render

    report_ = Report(found, len(files), files, "/repo")
    for output_format in FORMATS:
        rendered = render(output_format, report_)
        rendered.encode("utf-8")
        if output_format == "json":
            document = json.loads(rendered)
            assert len(document["diagnostics"]) == len(found)
        elif output_format == "sarif":
            document = json.loads(rendered)
            errors = list(_sarif_validator().iter_errors(document)) if _sarif_validator() else []
            assert not errors, errors[0]
            assert len(document["runs"][0]["results"]) == len(found)
        elif output_format == "junit":
            ET.fromstring(rendered)


@cache
def _sarif_validator() -> Any:
    if not SARIF_SCHEMA.is_file():
        return None
    from jsonschema import Draft4Validator

    return Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


#: Name -> target, in the order ``fuzz/run.py`` runs them.
TARGETS: dict[str, Callable[[bytes], None]] = {
    "expression": expression,
    "yaml": archy_yaml,
    "export": export,
    "json": flow_json,
    "config": config,
    "report": report,
}
