"""``python -m flowlint.reporters.config_markdown``: the configuration reference
(docs/configuration.md) from the JSON Schema that validates the configuration.

Generated rather than written, as docs/rules.md is from the rule registry, so that the page
cannot drift from what flowlint accepts: every key of the schema gets a section, in schema
order; a key's default is the schema's ``default`` if it has one, else what a missing key
means (the attribute of a bare :class:`~flowlint.config.Config`); and every example is
either the schema's ``examples`` or generated from the key's type, with realistic values
(rule codes, globs, flow names) chosen by the words in the key and its definitions.
tests/test_config_docs.py feeds every example back through flowlint's own validation, so a
key whose generated example does not validate (a pattern no sample value fits) should get
``examples`` in the schema.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import fields
from enum import Enum
from typing import Any, NamedTuple, cast

from flowlint.config import ALIASABLE_KINDS, FLOWLINT_TOML, PYPROJECT_TOML, Config

Schema = Mapping[str, Any]

REGENERATE = "python -m flowlint.reporters.config_markdown > docs/configuration.md"

HEADER = f"""\
<!-- Generated from flowlint/data/config.schema.json by `{REGENERATE}`;
     do not edit by hand. tests/test_config_docs.py fails when this file is stale. -->
# flowlint configuration
"""

_GLOBS = """\
Globs are gitignore-like: a pattern containing a slash (other than a trailing one) matches \
from that directory down, one without matches at any depth; `*` and `?` stay \
within one path segment, `**` crosses segments; a pattern that matches a directory matches \
everything in it. Negation (`!pattern`) is not supported."""


def load_schema() -> dict[str, Any]:
    """The schema as :mod:`flowlint.config` validates with it: the packaged file, with the
    action kinds filled in (they come from :class:`~flowlint.ir.ActionKind`, not the file,
    so that the page lists the kinds a user may really alias to)."""
    from importlib import resources

    text = resources.files("flowlint.data").joinpath("config.schema.json").read_text(encoding="utf-8")
    schema = cast(dict[str, Any], json.loads(text))
    kind = _as_schema(schema.get("$defs")).get("actionKind")
    if isinstance(kind, dict) and "enum" not in kind:
        cast(dict[str, Any], kind)["enum"] = list(ALIASABLE_KINDS)
    return schema


class _Default(NamedTuple):
    """A key's default; boxed so that a default of None ("not set") differs from none known."""

    value: object


class _Section(NamedTuple):
    key: str
    kind: str
    default: _Default | None
    description: str
    parts: list[str]
    examples: list[object]


def render_config(schema: Mapping[str, Any]) -> str:
    """The whole page: intro, a summary table, then one section per top-level key."""
    sampler = _Sampler()
    defaults = Config()
    properties = _as_schema(schema.get("properties"))
    sections = [_section(key, _as_schema(sub), schema, defaults, sampler) for key, sub in properties.items()]
    out = [HEADER, *_intro(schema, sections)]
    if sections:
        out.extend(["| Key | Type | Default |", "|---|---|---|"])
        for section in sections:
            cells = [f"[{_code(section.key)}](#{anchor(section.key)})", section.kind, _default_text(section.default)]
            out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        out.append("")
    out.extend(_section_markdown(section) for section in sections)
    return "\n".join(out).rstrip("\n") + "\n"


def anchor(key: str) -> str:
    """GitHub's anchor for the heading of ``key``'s section (the code span's text)."""
    return re.sub(r"[^\w\- ]", "", key.lower()).replace(" ", "-")


# --------------------------------------------------------------------------- page


def _intro(schema: Schema, sections: Sequence[_Section]) -> list[str]:
    kebab = next((s.key for s in sections if "-" in s.key), None)
    keys = (f"Keys are kebab-case ({_code(kebab)}, not {_code(kebab.replace('-', '_'))}). " if kebab
            else "Keys are kebab-case. ")
    out = [
        f"flowlint reads its settings from a {_code(FLOWLINT_TOML)}, or from the `[tool.flowlint]` table "
        f"of a {_code(PYPROJECT_TOML)}: the nearest one found walking up from the (first) linted path "
        "to the filesystem root, or the file named by `--config FILE`. "
        f"A {_code(FLOWLINT_TOML)} beats a {_code(PYPROJECT_TOML)} in the same directory, and a "
        f"{_code(PYPROJECT_TOML)} without `[tool.flowlint]` is not a configuration file. "
        "Without a configuration file every key has its default.",
        "",
        keys + "Relative globs and paths are anchored at the configuration file's directory, "
        "not at the current directory. " + _GLOBS,
        "",
        "The whole file is checked when it is loaded: an unknown key or a value of the wrong type "
        "is an error naming the file and the key (exit status 2).",
        "",
    ]
    description = schema.get("description")
    if isinstance(description, str) and description:
        out.extend([description, ""])
    out.extend(_pyproject_example(sections))
    return out


def _pyproject_example(sections: Sequence[_Section]) -> list[str]:
    """How the ``.flowlint.toml`` examples translate to ``pyproject.toml``, shown on one
    plain key and one table taken from the sections' own examples."""
    plain = next(((s.key, s.examples[0]) for s in sections if s.examples and not _is_subtable(s.examples[0])), None)
    table = next(((s.key, s.examples[0]) for s in sections if s.examples and _is_subtable(s.examples[0])), None)
    if table is None:
        return ["The examples below are written for `.flowlint.toml`; in a `pyproject.toml` the same keys "
                "go under `[tool.flowlint]`.", ""]
    combined = dict([plain, table] if plain else [table])
    return [f"The examples below are written for {_code(FLOWLINT_TOML)}; in a {_code(PYPROJECT_TOML)} the "
            f"same keys go under `[tool.flowlint]`, and a table such as `[{table[0]}]` becomes "
            f"`[tool.flowlint.{table[0]}]`:", "",
            "```toml", toml_document(combined, ("tool", "flowlint")).rstrip("\n"), "```", ""]


def _section(key: str, sub: Schema, root: Schema, defaults: Config, sampler: _Sampler) -> _Section:
    default = _default(key, sub, defaults)
    description = sub.get("description")
    return _Section(
        key=key,
        kind=type_words(sub, root, titled=False),  # a key's own title names it in error messages only
        default=default,
        description=description if isinstance(description, str) else "",
        parts=_parts(sub, root),
        examples=_examples(key, sub, root, default, sampler),
    )


def _section_markdown(section: _Section) -> str:
    out = [f"## {_code(section.key)}", "", f"**Type:** {section.kind}", ""]
    if section.default is not None:
        out.extend([f"**Default:** {_default_text(section.default)}", ""])
    # Visible rather than silently blank, so that the gap gets fixed in the schema.
    out.extend([section.description or "_No description in the schema._", ""])
    if section.parts:
        out.extend([*(f"- {part}" for part in section.parts), ""])
    for example in section.examples:
        out.extend(["```toml", toml_document({section.key: example}).rstrip("\n"), "```", ""])
    return "\n".join(out)


def _default(key: str, sub: Schema, defaults: Config) -> _Default | None:
    """The schema's ``default``, else the value a missing key leaves in :class:`Config`
    (``respect-gitignore`` -> ``respect_gitignore``), else None: not known."""
    if "default" in sub:
        return _Default(sub["default"])
    attribute = key.replace("-", "_")
    if attribute in {f.name for f in fields(Config)}:
        return _Default(getattr(defaults, attribute))
    return None


def _default_text(default: _Default | None) -> str:
    if default is None:
        return "-"
    if default.value is None:
        return "not set"
    return _code(toml_value(default.value))


# --------------------------------------------------------------------------- types in words


_TYPE_NOUNS = {"string": "string", "boolean": "boolean", "number": "number", "integer": "integer",
               "array": "array", "object": "table", "null": "null"}


def type_words(sub: Schema, root: Schema, *, plural: bool = False, titled: bool = True) -> str:
    """A (sub)schema's type as a reader says it: ``array of rule codes or prefixes``,
    ``table: glob -> array of rule codes or prefixes``, ``boolean``.  A definition with a
    title is named by it (``titled``) and explained once in :func:`_parts`; anything else
    is spelled out in place."""
    s = _resolve(sub, root)
    title = s.get("title")
    if titled and isinstance(title, str) and title:
        return _pluralize(title) if plural else title
    kind = s.get("type")
    if isinstance(kind, list):
        nouns = [_TYPE_NOUNS.get(str(k), str(k)) for k in cast(list[object], kind)]
        return _listing([_pluralize(n) if plural else n for n in nouns], "or")
    if kind == "array":
        head = "arrays" if plural else "array"
        items = s.get("items")
        return f"{head} of {type_words(cast(Schema, items), root, plural=True)}" if isinstance(items, Mapping) else head
    if kind == "object":
        return _table_words(s, root, plural)
    return _qualified(_TYPE_NOUNS.get(str(kind), "value") if kind is not None else "value", s, plural)


def _table_words(s: Schema, root: Schema, plural: bool) -> str:
    head = "tables" if plural else "table"
    fixed = list(_as_schema(s.get("properties")))
    extra = s.get("additionalProperties", True)
    with_keys = f" with keys {_listing([_code(k) for k in fixed], 'and')}" if fixed else ""
    if not isinstance(extra, Mapping):
        return head + with_keys
    names = type_words({"type": "string", **_as_schema(s.get("propertyNames"))}, root)
    mapping = f"{names} -> {type_words(cast(Schema, extra), root)}"
    return f"{head}{with_keys}, and {mapping} for other keys" if fixed else f"{head}: {mapping}"


_BOUNDS = (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<"))


def _qualified(noun: str, s: Schema, plural: bool) -> str:
    """A scalar type with its constraints: ``non-empty string matching `^\\S+$```."""
    word = _pluralize(noun) if plural else noun
    enum = s.get("enum")
    if isinstance(enum, list):
        choices = _listing([_code(toml_value(v)) for v in cast(list[object], enum)], "or")
        return f"{word}, each one of {choices}" if plural else f"one of {choices}"
    min_length = s.get("minLength")
    if min_length == 1:
        word = f"non-empty {word}"
    elif isinstance(min_length, int) and min_length > 1:
        word = f"{word} of at least {min_length} characters"
    pattern = s.get("pattern")
    if isinstance(pattern, str):
        word = f"{word} matching {_code(pattern)}"
    for keyword, relation in _BOUNDS:
        bound = s.get(keyword)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            word = f"{word} {relation} {toml_value(bound)}"
    return word


def _parts(sub: Schema, root: Schema) -> list[str]:
    """Bullets explaining the pieces a key's type names: its fixed sub-keys first, then each
    titled definition it uses (``rule code``, ``glob``), once, in reading order."""
    keys: list[str] = []
    terms: list[str] = []
    seen: set[str] = set()

    def visit(node: Schema, depth: int) -> None:
        s = _resolve(node, root)
        title = s.get("title")
        if depth > 0 and isinstance(title, str) and title and title not in seen:
            seen.add(title)
            terms.append(f"*{title}*: {_with_description(_article(type_words(s, root, titled=False)), s)}")
        if depth > 16:  # a recursive $ref
            return
        for name, prop in _as_schema(s.get("properties")).items():
            keys.append(f"{_code(name)}: {_with_description(_article(type_words(_as_schema(prop), root)), prop)}")
        for keyword in ("items", "propertyNames", "additionalProperties"):
            child = s.get(keyword)
            if isinstance(child, Mapping):
                visit(cast(Schema, child), depth + 1)
        for prop in _as_schema(s.get("properties")).values():
            visit(_as_schema(prop), depth + 1)

    visit(sub, 0)
    return keys + terms


def _with_description(words: str, s: object) -> str:
    description = _as_schema(s).get("description")
    return f"{words}. {description}" if isinstance(description, str) and description else words


def _article(words: str) -> str:
    if words.startswith("one of "):
        return words
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def _pluralize(noun: str) -> str:
    """``rule code or prefix`` -> ``rule codes or prefixes``: each alternative's last word."""
    return " or ".join(_plural_word(part) for part in noun.split(" or "))


def _plural_word(phrase: str) -> str:
    if re.search(r"(s|x|z|ch|sh)$", phrase):
        return phrase + "es"
    if re.search(r"[^aeiou]y$", phrase):
        return phrase[:-1] + "ies"
    return phrase + "s"


def _listing(items: Sequence[str], conjunction: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


# --------------------------------------------------------------------------- examples

#: Realistic string values, by the words a value's context must contain (the key names on
#: its path, its definition's name and title, and "key"/"value"/"item" for its role); the
#: first group whose words all occur and that has a value fitting the schema wins.  Words
#: are singular (see :func:`_words`).  Order matters: "option" before "glob" (options files
#: are globs), "prefix" before "code", "attribute" before "flow".
_STRING_POOLS: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = (
    (frozenset({"option"}), ("archy/options-prod.yaml", "archy/options-test.yaml")),
    (frozenset({"prefix"}), ("FL0", "FL1", "FL005", "FL11", "FL104", "FL900")),
    (frozenset({"code"}), ("FL005", "FL104", "FL111")),
    (frozenset({"glob"}), ("flows/generated/", "*.draft.yaml", "legacy/**")),
    (frozenset({"attribute"}), ("Customer.Tier", "Vendor.CallReason", "Api.CaseId")),
    (frozenset({"flow"}), ("Billing Bot", "Partner IVR", "Support In-Queue", "Main IVR", "After Hours IVR")),
    (frozenset({"yaml", "key"}), ("transferToQueue", "lookupCustomer")),
    (frozenset({"export", "key"}), ("CallDataActionV2", "TransferToAcdActionV2")),
    (frozenset({"substitution", "key"}), ("queueName", "maxWaitSeconds", "recordCalls")),
    (frozenset({"substitution"}), ("Support", "prod")),
    (frozenset({"kind"}), ("transfer_to_acd", "call_data_action")),
    (frozenset({"severity"}), ("error", "warning", "info")),
    (frozenset({"name"}), ("Main IVR", "Support In-Queue")),
    (frozenset(), ("example", "example-2", "example-3", "example-4")),
)
_NUMBERS: tuple[int, ...] = (30, 5, 1)


class _Sampler:
    """Hands out the values of a pool in turn, across the whole page, so that neighbouring
    examples differ (``select`` and ``ignore`` do not show the same codes) and a table's
    key differs from its values (a flow is not linked to itself)."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def pick(self, candidates: Sequence[object]) -> object:
        pool = json.dumps(list(candidates), sort_keys=True, default=str)
        turn = self._used.get(pool, 0)
        self._used[pool] = turn + 1
        return candidates[turn % len(candidates)]


def _examples(key: str, sub: Schema, root: Schema, default: _Default | None, sampler: _Sampler) -> list[object]:
    """The schema's ``examples`` for the key, else one generated value; a boolean's example
    is the opposite of its default, the only value worth writing down."""
    given = sub.get("examples")
    if isinstance(given, list) and given:
        return list(cast(list[object], given))
    if _resolve(sub, root).get("type") == "boolean" and default is not None and isinstance(default.value, bool):
        return [not default.value]
    return [_example(sub, root, sampler, _words(key))]


def _example(sub: Schema, root: Schema, sampler: _Sampler, context: tuple[str, ...], depth: int = 0) -> object:
    s = _resolve(sub, root)
    context = (*context, *_ref_words(sub), *_words(str(s.get("title", ""))))
    given = s.get("examples")
    if isinstance(given, list) and given:
        return sampler.pick(cast(list[object], given))
    kind = s.get("type")
    if isinstance(kind, list):
        kind = next(iter(cast(list[object], kind)), None)
    if "enum" in s or depth > 16:
        return _scalar(s, kind, context, sampler)
    if kind == "array":
        items = _as_schema(s.get("items"))
        values = [_example(items, root, sampler, (*context, "item"), depth + 1) for _ in range(2)]
        return values[:1] if values[0] == values[1] else values
    if kind == "object":
        return _table_example(s, root, sampler, context, depth)
    return _scalar(s, kind, context, sampler)


def _table_example(s: Schema, root: Schema, sampler: _Sampler, context: tuple[str, ...],
                   depth: int) -> dict[str, object]:
    """Every fixed sub-key, plus one free entry per type its values may have."""
    table: dict[str, object] = {}
    for name, prop in _as_schema(s.get("properties")).items():
        table[name] = _example(_as_schema(prop), root, sampler, (*context, *_words(name)), depth + 1)
    extra = s.get("additionalProperties", True)
    if isinstance(extra, Mapping):
        names: Schema = {"type": "string", **_as_schema(s.get("propertyNames"))}
        for alternative in _alternatives(cast(Schema, extra), root):
            key = ""
            for _ in range(8):  # the pool's next values until one is a new key
                key = str(_example(names, root, sampler, (*context, "key"), depth + 1))
                if key not in table:
                    break
            table.setdefault(key, _example(alternative, root, sampler, (*context, "value"), depth + 1))
    return table


def _alternatives(sub: Schema, root: Schema) -> list[Schema]:
    """``{"type": ["string", "number"]}`` as one schema per type, to show each."""
    s = _resolve(sub, root)
    kind = s.get("type")
    if isinstance(kind, list) and kind:
        return [{**s, "type": k} for k in cast(list[object], kind)]
    return [sub]


def _scalar(s: Schema, kind: object, context: tuple[str, ...], sampler: _Sampler) -> object:
    enum = s.get("enum")
    if isinstance(enum, list) and enum:
        options = cast(list[object], enum)
        preferred = [v for v in _pool(context, s) if v in options]
        return sampler.pick(preferred or options)
    if kind == "boolean":
        return True
    if kind in ("number", "integer"):
        fitting = [n for n in _NUMBERS if _fits(n, s)]
        return sampler.pick(fitting) if fitting else s.get("minimum", 0)
    pool = _pool(context, s)
    return sampler.pick(pool) if pool else "example"


def _pool(context: tuple[str, ...], s: Schema) -> list[str]:
    """The values of the first pool matching ``context`` that fit ``s``."""
    words = set(context)
    for needed, values in _STRING_POOLS:
        if needed <= words:
            fitting = [v for v in values if _fits(v, s)]
            if fitting:
                return fitting
    return []


def _fits(value: object, s: Schema) -> bool:
    """Whether ``value`` meets the keywords of ``s`` that the samples can miss."""
    if isinstance(value, str):
        if len(value) < s.get("minLength", 0) or len(value) > s.get("maxLength", math.inf):
            return False
        pattern = s.get("pattern")
        if isinstance(pattern, str) and re.search(pattern, value) is None:
            return False
    elif isinstance(value, int | float):
        if value < s.get("minimum", -math.inf) or value > s.get("maximum", math.inf):
            return False
        if value <= s.get("exclusiveMinimum", -math.inf) or value >= s.get("exclusiveMaximum", math.inf):
            return False
    enum = s.get("enum")
    return not isinstance(enum, list) or value in cast(list[object], enum)


def _words(text: str) -> tuple[str, ...]:
    """``"external-flows"``/``"codePrefix"`` -> ``("external", "flow")``/``("code", "prefix")``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    return tuple(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
                 for word in re.findall(r"[a-z0-9]+", spaced.lower()))


def _ref_words(sub: Schema) -> tuple[str, ...]:
    ref = sub.get("$ref")
    return _words(ref.rsplit("/", 1)[-1]) if isinstance(ref, str) else ()


# --------------------------------------------------------------------------- TOML


def toml_document(table: Mapping[str, object], path: Sequence[str] = ()) -> str:
    """``table`` as a TOML document (under ``[path]`` when given): plain keys first, then a
    ``[section]`` per non-empty sub-table, as people write configuration files."""
    return "\n".join(_table_lines(tuple(path), table, header=bool(path))) + "\n"


def _table_lines(path: tuple[str, ...], table: Mapping[str, object], *, header: bool) -> list[str]:
    lines = [f"[{'.'.join(map(_toml_key, path))}]"] if header else []
    lines.extend(f"{_toml_key(k)} = {toml_value(v)}" for k, v in table.items() if not _is_subtable(v))
    for key, value in table.items():
        if _is_subtable(value):
            sub = cast(Mapping[str, object], value)
            if lines:
                lines.append("")
            # [a.b] alone when [a] would hold nothing but sub-tables.
            own = any(not _is_subtable(v) for v in sub.values())
            lines.extend(_table_lines((*path, key), sub, header=own))
    return lines


def _is_subtable(value: object) -> bool:
    return isinstance(value, Mapping) and bool(cast(Mapping[object, object], value))


def toml_value(value: object) -> str:
    """``value`` as an inline TOML value (enums by their value)."""
    if isinstance(value, Enum):
        return toml_value(value.value)
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, Mapping):
        items = cast(Mapping[object, object], value).items()
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in items) + " }" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in cast(Sequence[object], value)) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(text: str) -> str:
    """A TOML basic string; other control characters as ``\\uXXXX`` (TOML forbids them raw)."""
    out = ['"']
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


# --------------------------------------------------------------------------- helpers


def _as_schema(value: object) -> Schema:
    """A subschema as a mapping; ``true`` or a missing one (anything goes) is ``{}``."""
    return cast(Schema, value) if isinstance(value, Mapping) else {}


def _resolve(sub: Schema, root: Schema) -> Schema:
    """``sub`` with its ``$ref`` into ``$defs`` replaced by the definition; keywords beside
    the ``$ref`` are kept and win (in JSON Schema 2020-12 both apply)."""
    for _ in range(32):  # a chain of refs, not a cycle
        ref = sub.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#/$defs/")):
            break
        target = _as_schema(_as_schema(root.get("$defs")).get(ref.removeprefix("#/$defs/")))
        sub = {**target, **{k: v for k, v in sub.items() if k != "$ref"}}
    return sub


def _code(text: str) -> str:
    """``text`` as a Markdown code span, fenced past any backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or text.startswith(" ") or text.endswith(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def main() -> None:
    """Print the page, as UTF-8 whatever the locale, so that the redirect is byte-exact."""
    sys.stdout.flush()
    sys.stdout.buffer.write(render_config(load_schema()).encode("utf-8"))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
