"""Property tests of the expression parser on hostile text (issue 8).

The oracles live in ``fuzz/targets.py`` (shared with the fuzz harness): no exception, an
error inside the text, a parse that prints canonically.  For valid expressions, the result
is unchanged by irrelevant edits: any whitespace between tokens.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flowlint.expressions.lexer import END, tokenize
from flowlint.expressions.parser import MAX_DEPTH, parse_expression
from fuzz.targets import expression

from .test_expr_property import expressions

#: Characters that make up expressions, so that random text often parses at least partly.
ALPHABET = 'abfFlowx_.,()[]"\\ ?:+-*/%^&|!=<>~019{}$\n\t\'#é😀'


@settings(max_examples=300, deadline=None)
@given(st.text())
@example("(" * 100_000)
@example("If(" * (MAX_DEPTH + 1))
@example('"\\')
@example("\x00\ud7ff\ufeff")
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    expression(text.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_expression_like_text_parses_or_fails_cleanly(text: str) -> None:
    expression(text.encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(expressions(), st.data())
def test_whitespace_between_tokens_changes_nothing(text: str, data: st.DataObject) -> None:
    """Tokens re-joined with other whitespace (none, spaces, tabs, line breaks) parse to the
    same tree (node equality ignores positions)."""
    original = parse_expression(text)
    assert original.ast is not None, original.error
    tokens, error = tokenize(text)
    assert error is None
    pieces: list[str] = []
    for token in tokens:
        if token.type == END:
            break
        gap = data.draw(st.sampled_from([" ", "  ", "\t", "\n", "\r\n ", " \n\t"]))
        pieces.append(token.text + gap)
    spaced = parse_expression("".join(pieces))
    assert spaced.ast == original.ast, ("".join(pieces), spaced.error)
