"""Property tests of configuration loading (issue 8).

Any text, and any TOML-shaped data, gives a Config or a ConfigError naming its origin and
nothing else (the oracle of ``fuzz/targets.py``).  A valid configuration means the same
whatever its key order, layout and comments, and in ``.flowlint.toml`` or in
``pyproject.toml [tool.flowlint]``.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from flowlint.config import ALIASABLE_KINDS, Config, ConfigError, config_from_mapping, load_config
from flowlint.registry import all_rules
from fuzz.targets import config

CODES = sorted(rule.info.code for rule in all_rules())
PREFIXES = ["FL", "FL0", "FL1", "FL9", "FL00", "FL10", *CODES]


def toml_string(value: str) -> str:
    """A TOML basic string (control characters escaped, as TOML requires)."""
    out = ['"']
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out) + '"'


#: ``draw`` of st.composite or of st.data(): both fit.
Draw = Callable[[st.SearchStrategy[Any]], Any]


def toml_key(key: str, draw: Draw) -> str:
    bare = key.replace("-", "").replace("_", "").isascii() and key.replace("-", "").replace("_", "").isalnum()
    return key if bare and draw(st.booleans()) else toml_string(key)


names = st.text(min_size=1, max_size=12)
string_lists = st.lists(names, max_size=4)


@st.composite
def valid_settings(draw: st.DrawFn) -> dict[str, object]:
    """A valid configuration as TOML would load it: a subset of every key."""
    candidates: dict[str, st.SearchStrategy[object]] = {
        "select": st.lists(st.sampled_from(PREFIXES), max_size=3),
        "ignore": st.lists(st.sampled_from(PREFIXES), max_size=3),
        "severity": st.dictionaries(st.sampled_from(CODES), st.sampled_from(["error", "warning", "info"]), max_size=3),
        "exclude": string_lists,
        "external-attributes": string_lists,
        "external-flows": string_lists,
        "flow-links": st.dictionaries(names, string_lists, max_size=3),
        "action-aliases": st.fixed_dictionaries({}, optional={
            "yaml": st.dictionaries(names, st.sampled_from(ALIASABLE_KINDS), max_size=2),
            "export": st.dictionaries(names, st.sampled_from(ALIASABLE_KINDS), max_size=2)}),
        "per-file-ignores": st.dictionaries(names, st.lists(st.sampled_from(PREFIXES), max_size=2), max_size=2),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(candidates)), unique=True))
    return {key: draw(candidates[key]) for key in chosen}


def to_toml(data: dict[str, object], draw: Draw, table: str = "") -> str:
    """``data`` as TOML, with keys shuffled, random spacing, comments and blank lines."""
    def gap() -> str:
        return draw(st.sampled_from(["", " ", "  ", "\t"]))

    def noise() -> str:
        return draw(st.sampled_from(["", "", "\n", "# a comment\n", "  # [not a table] = 1\n", "\n\n"]))

    def array(items: list[str]) -> str:
        separator = draw(st.sampled_from([", ", ",", ",\n  ", " ,\t"]))
        trailing = draw(st.sampled_from(["", ","])) if items else ""
        return "[" + gap() + separator.join(toml_string(item) for item in items) + trailing + gap() + "]"

    plain = {k: cast(list[str], v) for k, v in data.items() if isinstance(v, list)}
    tables = {k: cast(dict[str, object], v) for k, v in data.items() if isinstance(v, dict)}
    lines = [f"[{table}]\n"] if table else []
    for key in draw(st.permutations(sorted(plain))):
        lines.append(f"{noise()}{gap()}{toml_key(key, draw)}{gap()}={gap()}{array(plain[key])}{gap()}\n")
    for key in draw(st.permutations(sorted(tables))):
        inner = tables[key]
        name = f"{table}.{toml_key(key, draw)}" if table else toml_key(key, draw)
        if inner and all(isinstance(v, dict) for v in inner.values()):  # action-aliases: nested tables
            lines.append(to_toml(inner, draw, name))
            continue
        lines.append(f"{noise()}[{gap()}{name}{gap()}]\n")
        for inner_key in draw(st.permutations(sorted(inner))):
            value = inner[inner_key]
            text = array(cast(list[str], value)) if isinstance(value, list) else toml_string(str(value))
            lines.append(f"{noise()}{toml_key(inner_key, draw)}{gap()}={gap()}{text}\n")
    return "".join(lines)


def fields(settings_: Config) -> tuple[object, ...]:
    return astuple(settings_)[:-2]  # all but path and root


# --------------------------------------------------------------------------- no surprise

@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text(text: str) -> None:
    config(text.encode("utf-8"))


toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.dates() | st.times() | st.just(datetime.datetime(2024, 1, 1)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12)
keys = st.sampled_from(["select", "ignore", "severity", "exclude", "external-attributes", "external-flows",
                        "flow-links", "action-aliases", "per-file-ignores", "tool", "Select", "x"])


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, toml_values, max_size=4))
def test_any_toml_data_is_a_config_or_a_config_error(data: dict[str, object]) -> None:
    try:
        config_from_mapping(data, "settings.toml")
    except ConfigError as error:
        assert error.problems and all(p.startswith("settings.toml: ") for p in error.problems), error.problems


# --------------------------------------------------------------------------- irrelevant edits

@settings(max_examples=50, deadline=None)
@given(valid_settings(), st.data())
def test_layout_key_order_and_comments_change_nothing(data: dict[str, object], draw: st.DataObject) -> None:
    expected = fields(config_from_mapping(data, "mapping"))
    first, second = to_toml(data, draw.draw), to_toml(data, draw.draw)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "a").mkdir()
        (root / "a" / ".flowlint.toml").write_text(first, encoding="utf-8")
        (root / "b").mkdir()
        (root / "b" / ".flowlint.toml").write_text(second, encoding="utf-8")
        (root / "c").mkdir()
        (root / "c" / "pyproject.toml").write_text(
            '[project]\nname = "x"\n' + to_toml(data, draw.draw, "tool.flowlint"), encoding="utf-8")
        for where in ("a", "b", "c"):
            loaded = load_config([str(root / where)])
            assert loaded.path is not None and fields(loaded) == expected, (where, first, second)


# --------------------------------------------------------------------------- hostile globs

def test_hostile_globs_match_in_linear_time() -> None:
    """Globs were regexes: ``a*a*...b`` and star runs backtracked for minutes (found by
    fuzz/run.py), and ``[z-a]`` raised re.error out of every run."""
    import time

    from flowlint.config import glob_matches

    cases = [("*" * 40 + "x", "a" * 300), ("a*" * 30 + "b", "a" * 300), ("**/" * 40 + "z", "a/" * 150),
             ("*?" * 40, "b" * 39), ("[z-a].yaml", "[z-a].yaml"), ("[[]x", "[x"), ("[a--b]", "[a--b]"), ("[", "[")]
    started = time.monotonic()
    results = [glob_matches(pattern, path) for pattern, path in cases]
    assert results == [False, False, False, False, True, True, True, True]
    assert time.monotonic() - started < 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab*?[]!-/.\\^", max_size=24), st.text(alphabet="ab/.-[", max_size=40))
def test_any_glob_on_any_path(pattern: str, path: str) -> None:
    from flowlint.config import glob_matches

    glob_matches(pattern, path)
    glob_matches(pattern, pattern)
