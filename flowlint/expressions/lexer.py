"""Tokenizer for Architect expressions.

Hand-written rather than lark's lexer: one compiled regex is several times faster, and a
failed match can be explained precisely (unterminated string, bad escape, ``'``, ``=``).
The token names are the terminal names of ``grammars/expression.lark``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple, cast

_LETTER = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u1fff\u3040-\u318f\u3300-\u337f"
    "\u3400-\u3d2d\u4e00-\u9fff\uf900-\ufaff"
)
_NAME = f"[${_LETTER}][0-9_{_LETTER}]*"
_STRING = r'"(?:[^"\\]|\\["\\nrt])*"'
_PLACEHOLDER = r"\{\{[^{}]*\}\}|\$\{[^{}]*\}"

# Alternatives are tried in order: placeholders before names (``${x}`` vs ``$``),
# decimals before integers (``5.``); otherwise the most frequent first.  Every
# position matches (ERROR as the last resort), so ``finditer`` walks the text gap-free.
_TOKEN_RE = re.compile(
    rf"""[ \t\r\n]*(?:
    (?P<PLACEHOLDER>{_PLACEHOLDER})
  | (?P<NAME>{_NAME})
  | (?P<STRING>{_STRING})
  | (?P<OP>==|!=|<=|>=|[-+*/%^!~&|?:()\[\],<>])
  | (?P<FIELD_PLACEHOLDER>\.(?:{_PLACEHOLDER}))
  | (?P<FIELD_NAME>\.{_NAME})
  | (?P<FIELD_STRING>\.{_STRING})
  | (?P<DECIMAL>[0-9]+\.[0-9]*|\.[0-9]+)
  | (?P<INT>[0-9]+)
  | (?P<END>\Z)
  | (?P<ERROR>.)
)""",
    re.VERBOSE | re.DOTALL,
)

_OPERATORS = {
    "==": "EQ", "!=": "NE", "<=": "LE", ">=": "GE", "<": "LT", ">": "GT",
    "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "SLASH", "%": "PERCENT", "^": "CARET",
    "!": "BANG", "~": "TILDE", "&": "AMP", "|": "VBAR", "?": "QMARK", ":": "COLON",
    "(": "LPAR", ")": "RPAR", "[": "LSQB", "]": "RSQB", ",": "COMMA",
}  # fmt: skip

# Exact-case keywords; ``and``/``or`` are matched case-insensitively.
_KEYWORDS = {"true": "TRUE", "false": "FALSE", "NOT_SET": "NOT_SET"}
_LOGICAL = {"and": "AND", "or": "OR"}

END = "$END"


class Token(NamedTuple):
    type: str
    text: str
    start: int
    end: int


# Calling tuple.__new__ directly is a third cheaper than calling the NamedTuple class.
_new_token = cast(
    Callable[[type[Token], tuple[str, str, int, int]], Token],
    tuple.__new__,  # pyright: ignore[reportUnknownMemberType]
)


class LexError(Exception):
    """A character sequence that starts no token."""

    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end


def tokenize(text: str) -> tuple[list[Token], LexError | None]:
    """The tokens of ``text``: all of them ending with ``$END``, or those before a lexical
    error and the error (the parser may find a syntax error earlier in the text)."""
    tokens: list[Token] = []
    append = tokens.append
    new = _new_token
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        assert kind is not None
        start, end = m.span(kind)
        if kind == "NAME":
            word = m.group(kind)
            kind = _KEYWORDS.get(word) or _LOGICAL.get(word.lower(), kind)
            append(new(Token, (kind, word, start, end)))
        elif kind == "OP":
            word = m.group(kind)
            append(new(Token, (_OPERATORS[word], word, start, end)))
        elif kind == "END":
            append(new(Token, (END, "", start, end)))
            break
        elif kind == "ERROR":
            return tokens, _lex_error(text, start)
        else:
            append(new(Token, (kind, m.group(kind), start, end)))
    return tokens, None


_BAD_ESCAPE_RE = re.compile(r'(?:[^"\\]|\\["\\nrt])*(\\.?|")?', re.DOTALL)

_HINTS = {
    "'": "single quotes do not delimit strings; use double quotes",
    "=": "'=' is not an operator; compare with '=='",
    "#": "expressions have no comments",
    "{": "there is no JSON literal; use JsonParse(\"...\")",
    "}": "there is no JSON literal; use JsonParse(\"...\")",
    "_": "names cannot start with '_'",
    ";": "an expression is a single expression; there are no statements",
}


def _lex_error(text: str, start: int) -> LexError:
    char = text[start]
    if char == '"' or (char == "." and text.startswith('"', start + 1)):
        quote = start if char == '"' else start + 1
        return _string_error(text, quote)
    if char == ".":
        message = "expected a property name right after '.'"
        if text[start + 1 : start + 2].isspace():
            message += " (no space is allowed after the dot)"
        return LexError(message, start, start + 1)
    hint = _HINTS.get(char)
    shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
    message = f"unexpected character {shown}"
    return LexError(f"{message} ({hint})" if hint else message, start, start + 1)


def _string_error(text: str, quote: int) -> LexError:
    m = _BAD_ESCAPE_RE.match(text, quote + 1)
    assert m is not None  # the pattern can match the empty string
    stop = m.group(1)
    if stop and stop.startswith("\\"):
        at = m.start(1)
        if len(stop) == 1:
            return LexError("unterminated string literal", quote, len(text))
        return LexError(
            f"invalid escape '{stop}' in string literal (only \\\" \\\\ \\n \\r \\t are allowed)",
            at, at + 2,
        )
    return LexError("unterminated string literal", quote, len(text))
