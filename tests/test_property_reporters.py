"""Property tests of the JSON and SARIF writers (and the other formats) on hostile text.

Findings with arbitrary messages, file names, flow and attribute names, logical locations,
spans and related locations render in every format: JSON and SARIF parse (SARIF against
its schema), JUnit is well-formed XML, everything encodes as UTF-8 (the oracle of
``fuzz/targets.py``).  The JSON report gives back exactly what it was given.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from flowlint.diagnostics import Diagnostic, Related, Severity
from flowlint.ir import Span
from flowlint.registry import all_rules
from flowlint.reporters import Report, render
from fuzz.targets import _render, report  # pyright: ignore[reportPrivateUsage]

CODES = [rule.info.code for rule in all_rules()]

#: Any text (hypothesis leaves out lone surrogates: no file or flow can hold one) with the
#: characters that break writers made likely: quotes, escapes, control characters, XML.
hostile_text = st.text(st.characters(codec="utf-8") | st.sampled_from(list('"\\\n\r\t\x00\x1b<>&]]>%:,\u2028\ufeff')),
                       max_size=30)
def _span(line: int, column: int, lines: int, end: int) -> Span:
    return Span(line, column, line + lines, end)


spans = st.none() | st.builds(_span, st.integers(1, 10_000), st.integers(1, 1000), st.integers(0, 3),
                              st.integers(1, 1000))
#: File names can hold anything but NUL (control characters included, on Linux).
paths = st.sampled_from(["flows/main.yaml", "a b/ü.i3InboundFlow", "/elsewhere/x.json", "../up.yaml"]) | hostile_text.filter(
    lambda path: "\x00" not in path)
related = st.builds(Related, hostile_text, paths, spans, hostile_text)
diagnostics = st.builds(
    Diagnostic, st.sampled_from([*CODES, "FL999"]), st.sampled_from(list(Severity)),
    hostile_text.filter(bool), paths, spans, hostile_text, st.none() | hostile_text, st.none() | hostile_text,
    st.lists(related, max_size=2).map(tuple))


@settings(max_examples=60, deadline=None)
@given(st.lists(diagnostics, max_size=5))
def test_every_format_renders_any_findings(found: list[Diagnostic]) -> None:
    found.sort(key=lambda d: d.sort_key)
    _render(found, sorted({d.file for d in found}))


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=600))
def test_findings_decoded_from_any_bytes(data: bytes) -> None:
    report(data)


@settings(max_examples=100, deadline=None)
@given(st.lists(diagnostics, max_size=5))
def test_json_report_gives_back_what_it_was_given(found: list[Diagnostic]) -> None:
    found.sort(key=lambda d: d.sort_key)
    document = json.loads(render("json", Report(found, 1, [], "/repo")))
    assert [(d["rule"], d["severity"], d["message"], d["flow"], d["attribute"], d["logical"])
            for d in document["diagnostics"]] == [
        (d.code, d.severity.value, d.message, d.flow, d.attribute, d.logical) for d in found]
    assert [(d["line"], d["column"], d["end_line"], d["end_column"]) for d in document["diagnostics"]] == [
        (d.span.line, d.span.column, d.span.end_line, d.span.end_column) if d.span else (None, None, None, None)
        for d in found]
    assert [[r["message"] for r in d["related"]] for d in document["diagnostics"]] == [
        [r.message for r in d.related] for d in found]
