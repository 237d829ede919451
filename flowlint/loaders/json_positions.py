"""Line/column of JSON nodes, computed lazily with the Lark grammar ``grammars/json.lark``.

Why lazy: loaders read JSON with :func:`json.loads` (C speed) and keep only a JSON pointer
per IR node.  Positions are needed only for the few nodes a diagnostic points at, so the
first lookup in a file parses the text once with Lark (LALR, basic lexer) and caches a
light tree of spans; later lookups walk that tree along the pointer.  Files without
findings never pay for the Lark parse (about 70x slower than ``json.loads``).

Robustness choices:

* The LALR parser and the inline transformer that builds the span tree are iterative
  (an explicit parse stack, callbacks called bottom-up), so deeply nested documents do
  not raise ``RecursionError``; the tests check a 20,000-deep document.  No separate
  tokenizer-based fallback is kept: if Lark ever fails on a text (it accepts a superset
  of what ``json.loads`` accepts), the locator answers ``None`` and the diagnostic keeps
  its logical location only.
* Duplicate object keys resolve to the last occurrence, as with ``json.loads``.
* Spans are 1-based, ``end_column`` exclusive, in code points of the given text, as
  everywhere in the IR.  The span of an object member is the span of its value;
  :meth:`JsonLocator.key_span` gives the span of the key string.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TypeAlias, cast

from flowlint.ir import Pointer, Span

if TYPE_CHECKING:  # lark is imported on the first lookup: most runs never need a position in JSON
    from lark import Lark, Token


class _Obj:
    __slots__ = ("span", "members")

    def __init__(self, span: Span, members: dict[str, tuple[Token, _Node]]) -> None:
        self.span = span
        self.members = members


class _Arr:
    __slots__ = ("span", "items")

    def __init__(self, span: Span, items: list[_Node]) -> None:
        self.span = span
        self.items = items


_Node: TypeAlias = "_Obj | _Arr | Token"


def _token_span(token: Token) -> Span:
    return Span(token.line or 0, token.column or 0, token.end_line or 0, token.end_column or 0)


def _key_text(token: Token) -> str:
    raw = str(token)
    if "\\" not in raw:
        return raw[1:-1]
    try:
        decoded: object = json.loads(raw)
    except ValueError:
        return raw[1:-1]
    return decoded if isinstance(decoded, str) else raw[1:-1]


def _span_tree() -> object:
    """Inline (during-parse) callbacks: build spans bottom-up without a parse tree."""
    from lark import Token, Transformer

    class SpanTree(Transformer[Token, _Node]):
        def object(self, children: list[object]) -> _Obj:
            first, last = children[0], children[-1]
            assert isinstance(first, Token) and isinstance(last, Token)
            members: dict[str, tuple[Token, _Node]] = {}
            for child in cast(list[tuple[Token, _Node]], children[1:-1]):  # pairs from member()
                members[_key_text(child[0])] = child  # last duplicate wins, like json.loads
            return _Obj(Span(first.line or 0, first.column or 0, last.end_line or 0, last.end_column or 0),
                        members)

        def member(self, children: list[object]) -> tuple[Token, _Node]:
            key, value = children
            assert isinstance(key, Token)
            return key, cast(_Node, value)

        def array(self, children: list[object]) -> _Arr:
            first, last = children[0], children[-1]
            assert isinstance(first, Token) and isinstance(last, Token)
            items = cast(list[_Node], children[1:-1])
            return _Arr(Span(first.line or 0, first.column or 0, last.end_line or 0, last.end_column or 0),
                        items)

    return SpanTree()


_parser: Lark | None = None


def json_parser() -> Lark:
    """The process-wide Lark JSON parser (built on first use, about 20 ms, lark's import included)."""
    global _parser
    if _parser is None:
        from importlib import resources

        from lark import Lark

        grammar = resources.files("flowlint.grammars").joinpath("json.lark").read_text(encoding="utf-8")
        _parser = Lark(grammar, parser="lalr", lexer="basic", transformer=_span_tree())  # pyright: ignore
    return _parser


def _span_of(node: _Node) -> Span:
    return node.span if isinstance(node, (_Obj, _Arr)) else _token_span(node)


class JsonLocator:
    """Maps JSON pointers of one text to spans; parses on the first lookup only."""

    __slots__ = ("_text", "_root", "_parsed")

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._root: _Node | None = None
        self._parsed = False

    @property
    def parsed(self) -> bool:
        """Whether the text has been parsed (i.e. some position was asked for)."""
        return self._parsed

    def _tree(self) -> _Node | None:
        if not self._parsed:
            self._parsed = True
            text, self._text = self._text, None  # the tree replaces the text
            try:
                # lark types parse() loosely; the inline transformer returns a _Node
                self._root = cast(_Node, json_parser().parse(text or ""))  # pyright: ignore[reportUnknownMemberType]
            except Exception:  # any Lark error: positions are a nicety, never fatal
                self._root = None
        return self._root

    def _walk(self, pointer: Pointer) -> tuple[Token | None, _Node] | None:
        node = self._tree()
        if node is None:
            return None
        key: Token | None = None
        for step in pointer:
            if isinstance(node, _Obj) and isinstance(step, str):
                member = node.members.get(step)
                if member is None:
                    return None
                key, node = member
            elif isinstance(node, _Arr) and isinstance(step, int) and 0 <= step < len(node.items):
                key, node = None, node.items[step]
            else:
                return None
        return key, node

    def __call__(self, pointer: Pointer) -> Span | None:
        found = self._walk(pointer)
        return None if found is None else _span_of(found[1])

    def key_span(self, pointer: Pointer) -> Span | None:
        """Span of the member key (with its quotes) that ``pointer`` ends at, if any."""
        found = self._walk(pointer)
        if found is None or found[0] is None:
            return None
        return _token_span(found[0])


def make_locator(text: str) -> JsonLocator:
    """A lazy pointer -> span locator for ``text`` (suitable for ``SourceFile.locator``)."""
    return JsonLocator(text)
