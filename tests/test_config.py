"""Configuration: discovery, parsing of every key, user-facing errors, enable/exclude logic."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any, cast

import pytest

from flowlint.config import (
    ALIASABLE_KINDS,
    Config,
    ConfigError,
    config_from_mapping,
    find_config,
    glob_matches,
    load_config,
)
from flowlint.diagnostics import Severity
from flowlint.ir import ActionKind


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(paths: list[str], explicit: str | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(paths, explicit)
    return str(info.value)


# --------------------------------------------------------------------------- discovery


def test_nearest_config_wins(tmp_path: Path) -> None:
    write(tmp_path / ".flowlint.toml", "select = ['FL1']\n")
    inner = write(tmp_path / "sub" / ".flowlint.toml", "select = ['FL9']\n")
    (tmp_path / "sub" / "flows").mkdir()
    assert find_config([str(tmp_path / "sub" / "flows")]) == inner
    assert load_config([str(tmp_path / "sub" / "flows")]).select == ["FL9"]
    assert find_config([str(tmp_path)]) == tmp_path / ".flowlint.toml"


def test_file_path_starts_at_its_directory(tmp_path: Path) -> None:
    config = write(tmp_path / "flows" / ".flowlint.toml", "")
    flow = write(tmp_path / "flows" / "main.yaml", "inboundCall: {}\n")
    assert find_config([str(flow)]) == config


def test_first_path_decides(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / ".flowlint.toml", "")
    write(tmp_path / "b" / ".flowlint.toml", "")
    assert find_config([str(tmp_path / "a"), str(tmp_path / "b")]) == first


def test_relative_start_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / ".flowlint.toml", "")
    (tmp_path / "flows").mkdir()
    monkeypatch.chdir(tmp_path / "flows")
    assert find_config(["."]) == config
    assert find_config([]) == config


def test_flowlint_toml_beats_pyproject_in_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.flowlint]\nselect = ['FL1']\n")
    config = write(tmp_path / ".flowlint.toml", "select = ['FL9']\n")
    assert find_config([str(tmp_path)]) == config
    assert load_config([str(tmp_path)]).select == ["FL9"]


def test_pyproject_without_section_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path / ".flowlint.toml", "ignore = ['FL103']\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'x'\n[tool.ruff]\nline-length = 100\n")
    assert find_config([str(tmp_path / "pkg")]) == outer


def test_pyproject_section_is_used_and_beats_farther_file(tmp_path: Path) -> None:
    write(tmp_path / ".flowlint.toml", "ignore = ['FL1']\n")
    pyproject = write(tmp_path / "pkg" / "pyproject.toml", """\
        [project]
        name = "x"

        [tool.flowlint]
        ignore = ["FL9"]
        external-flows = ["Vendor IVR"]
        """)
    assert find_config([str(tmp_path / "pkg")]) == pyproject
    config = load_config([str(tmp_path / "pkg")])
    assert config.ignore == ["FL9"]
    assert config.external_flows == ["Vendor IVR"]
    assert config.path == str(pyproject)
    assert config.root == str(tmp_path / "pkg")


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    if find_config([str(tmp_path)]) is not None:  # pragma: no cover - an ancestor of tmp has one
        pytest.skip("a configuration file exists above the temporary directory")
    assert load_config([str(tmp_path)]) == Config()


def test_explicit_config_overrides_discovery(tmp_path: Path) -> None:
    write(tmp_path / ".flowlint.toml", "select = ['FL1']\n")
    explicit = write(tmp_path / "elsewhere" / "ci.toml", "select = ['FL9']\n")
    config = load_config([str(tmp_path)], str(explicit))
    assert config.select == ["FL9"]
    assert config.path == str(explicit)
    assert config.root == str(tmp_path / "elsewhere")


def test_explicit_pyproject_reads_its_section(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "pyproject.toml", "[tool.flowlint]\nselect = ['FL0']\n")
    assert load_config([], str(pyproject)).select == ["FL0"]


def test_explicit_pyproject_without_section_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert error_of([], "pyproject.toml") == "pyproject.toml: no [tool.flowlint] table"


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.toml")
    assert error_of([], missing) == f"{missing}: configuration file not found"


def test_broken_pyproject_not_mentioning_flowlint_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path / ".flowlint.toml", "")
    write(tmp_path / "pkg" / "pyproject.toml", "[project\nname = 'x'\n")
    assert find_config([str(tmp_path / "pkg")]) == outer


def test_broken_pyproject_mentioning_flowlint_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.flowlint]\nselect = [\n")
    assert error_of(["."]).startswith("pyproject.toml:3:1: invalid TOML: ")


# --------------------------------------------------------------------------- parsing

FULL = """\
    select = ["FL0", "FL1"]
    ignore = ["FL103"]
    exclude = ["legacy/", "**/*.tftpl"]
    respect-gitignore = false
    yaml-shadows-exports = false
    external-attributes = ["Vendor.AccountId", "Vendor.Lang"]
    external-flows = ["Vendor IVR"]
    data-action-writers = ["Update Participant*"]
    options-files = ["deploy/archy-options.yaml"]

    [substitutions]
    flow_name = "Main IVR"
    retries = 3
    recording = true

    [severity]
    FL001 = "error"
    FL002 = "info"

    [flow-links]
    "Support In-Queue" = ["Main IVR"]

    [external-attributes-by-flow-type]
    inboundShortMessage = ["customer*", "case"]

    [action-aliases.yaml]
    setSecureData = "set_secured_data"

    [action-aliases.export]
    "CustomSetDataAction" = "set_participant_data"

    [per-file-ignores]
    "generated/**" = ["FL1", "FL001"]
    """


def test_every_key_is_parsed(tmp_path: Path) -> None:
    path = write(tmp_path / ".flowlint.toml", FULL)
    config = load_config([str(tmp_path)])
    assert config == Config(
        select=["FL0", "FL1"],
        ignore=["FL103"],
        severity={"FL001": Severity.ERROR, "FL002": Severity.INFO},
        exclude=["legacy/", "**/*.tftpl"],
        respect_gitignore=False,
        yaml_shadows_exports=False,
        external_attributes=["Vendor.AccountId", "Vendor.Lang"],
        external_flows=["Vendor IVR"],
        external_attributes_by_flow_type={"inboundshortmessage": ["customer*", "case"]},
        data_action_writers=["Update Participant*"],
        flow_links={"Support In-Queue": ["Main IVR"]},
        action_aliases={"yaml": {"setSecureData": "set_secured_data"},
                        "export": {"CustomSetDataAction": "set_participant_data"}},
        per_file_ignores={"generated/**": ["FL1", "FL001"]},
        substitutions={"flow_name": "Main IVR", "retries": "3", "recording": "true"},
        substitutions_origin=f"{path} [substitutions]",
        options_files=[str(tmp_path / "deploy" / "archy-options.yaml")],
        path=str(path),
        root=str(tmp_path),
    )
    assert all(isinstance(s, Severity) for s in config.severity.values())


def test_sample_covers_every_schema_key() -> None:
    """Keeps the sample above (and so the parsing test) in step with the schema."""
    import tomllib

    schema = json.loads(resources.files("flowlint.data").joinpath("config.schema.json").read_text("utf-8"))
    sample = tomllib.loads(textwrap.dedent(FULL))
    assert set(cast(dict[str, Any], schema["properties"])) == set(sample)


def test_empty_file_gives_defaults_with_path(tmp_path: Path) -> None:
    path = write(tmp_path / ".flowlint.toml", "")
    assert load_config([str(tmp_path)]) == Config(path=str(path), root=str(tmp_path))


def test_config_from_mapping_for_client_settings() -> None:
    config = config_from_mapping({"ignore": ["FL1"], "external-attributes": ["A"]}, "client settings",
                                 root="/work")
    assert (config.ignore, config.external_attributes, config.root, config.path) == (["FL1"], ["A"], "/work", None)
    with pytest.raises(ConfigError, match=r"^client settings: unknown key 'ignored' \(did you mean 'ignore'\?\)$"):
        config_from_mapping({"ignored": []}, "client settings")


def test_every_real_action_kind_is_aliasable() -> None:
    assert set(ALIASABLE_KINDS) == {k.value for k in ActionKind} - {ActionKind.MENU.value}
    aliases = {"yaml": {f"k{i}": kind for i, kind in enumerate(ALIASABLE_KINDS)}}
    assert config_from_mapping({"action-aliases": aliases}, "x").action_aliases == aliases


def test_schema_is_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(resources.files("flowlint.data").joinpath("config.schema.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)


def test_import_does_not_load_jsonschema_or_tomllib() -> None:
    """Startup time: validation and TOML parsing are paid only when a config is loaded."""
    code = ("import sys, flowlint.config, flowlint.engine; "
            "print(sorted(m for m in ('jsonschema', 'tomllib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("external_attributes = ['A']\n",
                 ".flowlint.toml: unknown key 'external_attributes' (did you mean 'external-attributes'?)",
                 id="unknown-key-suggestion"),
    pytest.param("selct = ['FL1']\n", ".flowlint.toml: unknown key 'selct' (did you mean 'select'?)",
                 id="unknown-key-typo"),
    pytest.param("colour = 'red'\n", ".flowlint.toml: unknown key 'colour'", id="unknown-key-no-suggestion"),
    pytest.param("[action-aliases.yml]\nx = 'decision'\n",
                 ".flowlint.toml: unknown key 'yml' in 'action-aliases' (did you mean 'yaml'?)",
                 id="unknown-nested-key"),
    pytest.param("[tool.flowlint]\nselect = ['FL1']\n",
                 ".flowlint.toml: unknown key 'tool' (in .flowlint.toml the settings go at the top level; "
                 "[tool.flowlint] is for pyproject.toml)", id="pyproject-style-table"),
    pytest.param("select = 'FL1'\n", ".flowlint.toml: 'select' must be a list of strings (got a string)",
                 id="wrong-type"),
    pytest.param("ignore = ['FL1', 103]\n", ".flowlint.toml: item 2 of 'ignore' must be a string (got an integer)",
                 id="wrong-item-type"),
    pytest.param("severity = 'error'\n", ".flowlint.toml: 'severity' must be a table (got a string)",
                 id="wrong-table-type"),
    pytest.param("[flow-links]\n'Support In-Queue' = 'Main IVR'\n",
                 ".flowlint.toml: 'flow-links.\"Support In-Queue\"' must be a list of strings (got a string)",
                 id="wrong-nested-type"),
    pytest.param("external-flows = ['']\n", ".flowlint.toml: item 1 of 'external-flows' must not be empty",
                 id="empty-name"),
    pytest.param("[severity]\nFL001 = 'warn'\n",
                 ".flowlint.toml: 'severity.FL001': 'warn' is not a valid severity; did you mean 'warning'? "
                 "(expected one of 'error', 'warning', 'info')", id="bad-severity"),
    pytest.param("[severity]\nFL001 = 2\n", ".flowlint.toml: 'severity.FL001' must be a string (got an integer)",
                 id="severity-not-string"),
    pytest.param("[severity]\nfl001 = 'error'\n",
                 ".flowlint.toml: 'severity': key 'fl001' is not a rule code (did you mean 'FL001'?)",
                 id="bad-severity-code"),
    pytest.param("[severity]\nFL1 = 'error'\n",
                 ".flowlint.toml: 'severity': key 'FL1' is not a rule code (expected 'FL' and three digits, "
                 "e.g. 'FL001')", id="severity-needs-exact-code"),
    pytest.param("select = ['E501']\n",
                 ".flowlint.toml: item 1 of 'select': 'E501' is not a rule code, prefix or name (expected 'FL' and up "
                 "to three digits, e.g. 'FL0' or 'FL001')", id="bad-select-code"),
    pytest.param("ignore = ['fl-103']\n",
                 ".flowlint.toml: ignore: unknown rule code or name 'fl-103': did you mean 'FL103'?", id="bad-ignore-code"),
    pytest.param("[per-file-ignores]\n'gen/**' = ['FL1x']\n",
                 ".flowlint.toml: item 1 of 'per-file-ignores.\"gen/**\"': 'FL1x' is not a rule code, prefix or name "
                 "(expected 'FL' and up to three digits, e.g. 'FL0' or 'FL001')", id="bad-per-file-code"),
    pytest.param("[action-aliases.yaml]\nsetSecure = 'set_secure_data'\n",
                 ".flowlint.toml: 'action-aliases.yaml.setSecure': 'set_secure_data' is not a valid action kind; "
                 "did you mean 'set_secured_data'? (expected one of ", id="bad-alias-kind"),
    pytest.param("[action-aliases.export]\nX = 'menu'\n",
                 ".flowlint.toml: 'action-aliases.export.X': 'menu' is not a valid action kind", id="synthetic-kind"),
])
def test_invalid_config_names_file_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           text: str, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".flowlint.toml", text)
    message = error_of(["."])
    assert message.startswith(expected), message
    assert "\n" not in message  # one problem, one line


def test_every_problem_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".flowlint.toml", "select = 'FL1'\nexternal_flows = []\n[severity]\nFL001 = 'fatal'\n")
    with pytest.raises(ConfigError) as info:
        load_config(["."])
    problems = info.value.problems
    assert len(problems) == 3
    assert all(p.startswith(".flowlint.toml: ") for p in problems)
    assert str(info.value) == "\n".join(problems)


def test_pyproject_errors_name_the_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.flowlint]\nselect = 'FL1'\n")
    assert error_of(["."]) == "pyproject.toml [tool.flowlint]: 'select' must be a list of strings (got a string)"


def test_pyproject_section_must_be_a_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool]\nflowlint = 3\n")
    assert error_of(["."]) == "pyproject.toml: [tool.flowlint] must be a table (got an integer)"


def test_config_found_above_cwd_is_named_by_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / ".flowlint.toml", "select = 1\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert error_of(["."]) == f"{config}: 'select' must be a list of strings (got an integer)"


@pytest.mark.parametrize(("text", "expected"), [
    ("select = ['FL1'\nignore = []\n", r"^\.flowlint\.toml:2:1: invalid TOML: "),
    ("select = ['FL1']\nselect = ['FL9']\n", r"^\.flowlint\.toml:2:\d+: invalid TOML: Cannot overwrite a value"),
    ("select = \n", r"^\.flowlint\.toml:1:10: invalid TOML: Invalid value"),
    ("select = [", r"^\.flowlint\.toml:1:11: invalid TOML: .* \(at end of file\)$"),
])
def test_toml_syntax_error_has_line_and_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               text: str, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".flowlint.toml").write_text(text, encoding="utf-8")
    message = error_of(["."])
    assert "\n" not in message
    assert re.search(expected, message), message


def test_non_utf8_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".flowlint.toml").write_bytes(b"select = ['\xff']\n")
    assert error_of(["."]) == ".flowlint.toml: not UTF-8 (byte offset 11)"


# --------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize(("select", "ignore", "enabled", "disabled"), [
    ([], [], ["FL001", "FL103"], []),
    (["FL1"], [], ["FL100", "FL103"], ["FL001", "FL200"]),
    (["FL0", "FL103"], [], ["FL001", "FL103"], ["FL100", "FL104"]),
    ([], ["FL1"], ["FL001"], ["FL100", "FL103"]),
    (["FL"], ["FL103"], ["FL001", "FL100"], ["FL103"]),
    (["FL1"], ["FL10"], ["FL110"], ["FL001", "FL101"]),
])
def test_is_enabled_with_prefixes(select: list[str], ignore: list[str], enabled: list[str], disabled: list[str]) -> None:
    config = Config(select=select, ignore=ignore)
    assert [code for code in enabled + disabled if config.is_enabled(code)] == enabled


def test_is_enabled_for_per_file_ignores(tmp_path: Path) -> None:
    config = Config(ignore=["FL9"], per_file_ignores={"generated/**": ["FL1"], "*.i3inboundflow": ["FL001"]},
                    root=str(tmp_path))
    generated = str(tmp_path / "generated" / "a" / "main.yaml")
    export = str(tmp_path / "exports" / "Main.i3InboundFlow")
    plain = str(tmp_path / "flows" / "main.yaml")
    assert not config.is_enabled_for("FL103", generated)
    assert config.is_enabled_for("FL001", generated)
    assert config.is_enabled_for("FL001", export)  # globs are case-sensitive, like gitignore
    assert config.is_enabled_for("FL103", plain)
    assert not config.is_enabled_for("FL900", plain)  # plain ignore still applies
    assert config.is_enabled_for("FL103", "/elsewhere/generated/x.yaml")  # outside root


def test_is_excluded_relative_to_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config(exclude=["legacy/", "/flows/old/*.yaml", "**/*.tftpl"], root=str(tmp_path))
    (tmp_path / "flows").mkdir()
    monkeypatch.chdir(tmp_path / "flows")  # paths given relative to a cwd below the root
    assert config.is_excluded("legacy")
    assert config.is_excluded("a/legacy/main.yaml")
    assert config.is_excluded("old/x.yaml")
    assert not config.is_excluded("old/sub/x.yaml")
    assert config.is_excluded(str(tmp_path / "templates" / "ivr.tftpl"))
    assert not config.is_excluded("main.yaml")
    assert not config.is_excluded(".")  # the root itself
    assert not config.is_excluded(str(tmp_path.parent / "legacy" / "x.yaml"))  # outside root


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("legacy", "legacy", True),
    ("legacy", "a/b/legacy/c.yaml", True),
    ("legacy", "legacy2/c.yaml", False),
    ("legacy/", "legacy/c.yaml", True),
    ("./legacy", "legacy/c.yaml", True),
    ("*.yaml", "deep/dir/x.yaml", True),
    ("*.yaml", "x.yml", False),
    ("flows/*.yaml", "flows/x.yaml", True),
    ("flows/*.yaml", "flows/sub/x.yaml", False),
    ("flows/*.yaml", "a/flows/x.yaml", False),  # a slash anchors the pattern to the root
    ("/x.yaml", "x.yaml", True),
    ("/x.yaml", "a/x.yaml", False),
    ("**/gen", "a/b/gen/x.yaml", True),
    ("**/gen", "gen/x.yaml", True),
    ("a/**/b.yaml", "a/b.yaml", True),
    ("a/**/b.yaml", "a/x/y/b.yaml", True),
    ("a/**", "a/x/y.yaml", True),
    ("a/**", "b/a.yaml", False),
    ("test_?.yaml", "test_1.yaml", True),
    ("test_?.yaml", "test_12.yaml", False),
    ("[ab].yaml", "b.yaml", True),
    ("[!ab].yaml", "b.yaml", False),
    ("[!ab].yaml", "c.yaml", True),
    ("file[.yaml", "file[.yaml", True),
    ("a+b (1).yaml", "a+b (1).yaml", True),
])
def test_glob_matches(pattern: str, path: str, matches: bool) -> None:
    assert glob_matches(pattern, path) is matches


@pytest.mark.parametrize(("text", "message"), [
    ("select = ['FL999']\n", "select: 'FL999' selects no rule (codes run from FL001 to FL900"),
    ("ignore = ['get-before-sett']\n", "ignore: unknown rule code or name 'get-before-sett': did you mean "
                                       "'get-before-set' (FL005)?"),
    ("[severity]\nFL099 = 'error'\n", "severity: 'FL099' selects no rule"),
    ("[per-file-ignores]\n'gen/**' = ['FL3']\n", "per-file-ignores 'gen/**': 'FL3' selects no rule"),
])
def test_unknown_rule_codes_are_errors_with_a_hint(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / ".flowlint.toml", text)
    with pytest.raises(ConfigError) as raised:
        load_config([str(tmp_path)])
    assert message in str(raised.value)


def test_rule_names_are_accepted_wherever_codes_are(tmp_path: Path) -> None:
    write(tmp_path / ".flowlint.toml", "select = ['FL0', 'duplicate-flow-name']\nignore = ['get-before-set']\n"
                                       "[per-file-ignores]\n'gen/**' = ['attribute-name-case-mismatch']\n")
    config = load_config([str(tmp_path)])
    assert (config.select, config.ignore, config.per_file_ignores) == (["FL0", "FL105"], ["FL005"],
                                                                       {"gen/**": ["FL001"]})


def test_readme_configuration_example_is_valid() -> None:
    """The annotated example in README's Configuration section is a configuration flowlint accepts."""
    import tomllib

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("```toml", readme.index("### Configuration"))
    block = readme[start + len("```toml"):readme.index("```", start + len("```toml"))]
    config = config_from_mapping(tomllib.loads(block), "README.md")
    assert config.external_attributes_by_flow_type == {"inboundshortmessage": ["customerName", "case*"]}
