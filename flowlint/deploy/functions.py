"""The Terraform functions flowlint evaluates: pure string and collection functions seen in
CX-as-code repositories (``format``, ``lower``, ``join``, ``merge``...), with Terraform's
semantics for the cases that occur.  Anything else, or any call that does not fit
(wrong types, a regex ``replace``), is left to the caller to treat as unknown: each
function raises :class:`NotEvaluated` instead of guessing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import cast

#: A value the evaluator handles: primitives, lists and maps of them (and its own markers).
Value = object


class NotEvaluated(Exception):
    """The call cannot be evaluated offline; its value is unknown."""


def as_map(value: Value) -> dict[str, Value] | None:
    return cast(dict[str, Value], value) if isinstance(value, dict) else None


def as_list(value: Value) -> list[Value] | None:
    return cast(list[Value], value) if isinstance(value, list) else None


def number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def to_text(value: Value) -> str | None:
    """A value as Terraform converts it to a string; None when not a primitive."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(number(value))
    return None


def _text(value: Value) -> str:
    text = to_text(value)
    if text is None:
        raise NotEvaluated
    return text


def _string(value: Value) -> str:
    if not isinstance(value, str):
        raise NotEvaluated
    return value


def _format(template: Value, *args: Value) -> Value:
    values = list(args)

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        if not values:
            raise NotEvaluated
        return _text(values.pop(0))

    return re.sub(r"%%|%[-+# 0-9.]*[a-zA-Z]", one, _string(template))


def _join(separator: Value, *lists: Value) -> Value:
    items: list[str] = []
    for item in lists:
        found = as_list(item)
        if found is None:
            raise NotEvaluated
        items.extend(_text(element) for element in found)
    return _string(separator).join(items)


def _lookup(mapping: Value, key: Value, *default: Value) -> Value:
    found = as_map(mapping)
    name = _string(key)
    if found is not None and name in found:
        return found[name]
    if found is not None and default:
        return default[0]
    raise NotEvaluated


def _merge(*maps: Value) -> Value:
    merged: dict[str, Value] = {}
    for item in maps:
        found = as_map(item)
        if found is None:
            raise NotEvaluated
        merged.update(found)
    return merged


def _coalesce(*args: Value) -> Value:
    for arg in args:
        if arg is not None and arg != "":
            return arg
    raise NotEvaluated


def _replace(text: Value, old: Value, new: Value) -> Value:
    pattern = _string(old)
    if pattern.startswith("/") and pattern.endswith("/") and len(pattern) > 1:
        raise NotEvaluated  # a regular expression: RE2 syntax, not evaluated
    return _string(text).replace(pattern, _string(new))


def _concat(*lists: Value) -> Value:
    joined: list[Value] = []
    for item in lists:
        found = as_list(item)
        if found is None:
            raise NotEvaluated
        joined.extend(found)
    return joined


def _tomap(value: Value) -> Value:
    if as_map(value) is None:
        raise NotEvaluated
    return value


def _toset(value: Value) -> Value:
    found = as_list(value)
    if found is None or not all(isinstance(item, str) for item in found):
        raise NotEvaluated
    return sorted({_string(item) for item in found})


def _one_string(function: Callable[[str], str]) -> Callable[..., Value]:
    def call(*args: Value) -> Value:
        if len(args) != 1:
            raise NotEvaluated
        return function(_string(args[0]))

    return call


def _two_strings(function: Callable[[str, str], str]) -> Callable[..., Value]:
    def call(*args: Value) -> Value:
        if len(args) != 2:
            raise NotEvaluated
        return function(_string(args[0]), _string(args[1]))

    return call


def _tostring(*args: Value) -> Value:
    if len(args) != 1:
        raise NotEvaluated
    return _text(args[0])


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "lower": _one_string(str.lower),
    "upper": _one_string(str.upper),
    "title": _one_string(str.title),
    "trimspace": _one_string(str.strip),
    "basename": _one_string(os.path.basename),
    "dirname": _one_string(os.path.dirname),
    "abspath": _one_string(os.path.abspath),
    "trim": _two_strings(lambda text, chars: text.strip(chars)),
    "trimprefix": _two_strings(str.removeprefix),
    "trimsuffix": _two_strings(str.removesuffix),
    "replace": _replace,
    "format": _format,
    "join": _join,
    "lookup": _lookup,
    "merge": _merge,
    "coalesce": _coalesce,
    "tostring": _tostring,
    "concat": _concat,
    "tomap": _tomap,
    "toset": _toset,
}


def call(name: str, args: list[Value]) -> Value:
    """Evaluate a known function; :class:`NotEvaluated` when it is unknown or does not fit."""
    function = FUNCTIONS.get(name)
    if function is None:
        raise NotEvaluated
    try:
        return function(*args)
    except (TypeError, ValueError, KeyError, IndexError, OverflowError) as error:
        raise NotEvaluated from error
