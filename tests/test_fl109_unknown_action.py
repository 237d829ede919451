"""FL109 unknown-action: the action catalog (flowlint/data/archy_actions.json), the rule, and the
loader's FL100 for container and action lists written as mappings."""

from __future__ import annotations

import json
import textwrap
from importlib import resources
from pathlib import Path

import pytest
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.engine import check_paths
from flowlint.loaders.archy_yaml import _compose, load_yaml_text  # pyright: ignore[reportPrivateUsage]
from flowlint.loaders.placeholders import substitute
from flowlint.tables import action_catalog, action_table

from .helpers import check_project

CORPORA = [Path(__file__).resolve().parents[2] / "shared" / name for name in ("corpus", "corpus-repos")]


def _task(actions: str) -> str:
    return ("inboundCall:\n  name: Main\n  startUpRef: /inboundCall/tasks/task[t]\n  tasks:\n    - task:\n"
            "        name: T\n        refId: t\n        actions:\n"
            + textwrap.indent(textwrap.dedent(actions), " " * 10))


def _fl109(tmp_path: Path, text: str, config: Config | None = None) -> list[Diagnostic]:
    return [d for d in check_project(tmp_path, {"main.yaml": text}, config) if d.code == "FL109"]


def _where(found: list[Diagnostic]) -> list[tuple[int, int, Severity]]:
    return [(d.span.line, d.span.column, d.severity) for d in found if d.span is not None]


# -- the rule ----------------------------------------------------------------------------


def test_made_up_actions_are_errors_at_their_key(tmp_path: Path) -> None:
    found = _fl109(tmp_path, _task("""\
        - setVariable:
            name: Remember
            variable: Flow.x
        - gotoTask:
            name: Again
        - setParticipantdata:
            name: Save
        - transferToFLow:
            name: Go
        - frobnicate:
            name: What
        - disconnect:
            name: End
        """))
    assert _where(found) == [(9, 13, Severity.ERROR), (12, 13, Severity.ERROR), (14, 13, Severity.ERROR),
                             (16, 13, Severity.ERROR), (18, 13, Severity.ERROR)]
    messages = [d.message for d in found]
    assert "unknown action 'setVariable'" in messages[0] and "'updateData'" in messages[0]
    assert "'jumpToTask'" in messages[1]
    assert "did you mean 'setParticipantData'?" in messages[2]
    assert "did you mean 'transferToFlow'?" in messages[3]
    assert "unknown action 'frobnicate'" in messages[4] and "action-aliases" in messages[4]


def test_unknown_keys_in_a_known_action_are_warnings(tmp_path: Path) -> None:
    found = _fl109(tmp_path, _task("""\
        - decision:
            name: Check
            branches:
              - when: Flow.x
            when: Flow.x == 1
            condition:
              exp: true
            outputs:
              yes:
                actions:
                  - disconnect:
                      name: Bye
        - disconnect:
            name: End
        """))
    assert _where(found) == [(11, 15, Severity.WARNING), (13, 15, Severity.WARNING)]
    assert "'branches' is not a key of 'decision'" in found[0].message and "'outputs'" in found[0].message
    assert "did you mean 'condition'?" in found[1].message


def test_misspelt_key_in_a_known_action_gets_a_suggestion(tmp_path: Path) -> None:
    found = _fl109(tmp_path, _task("""\
        - updateData:
            name: Set
            statement:
              - string:
                  variable: Flow.x
                  value:
                    lit: a
        """))
    assert len(found) == 1 and "did you mean 'statements'?" in found[0].message


def test_menu_choice_in_an_action_list_and_action_in_choices(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        inboundCall:
          name: Main
          startUpRef: /inboundCall/menus/menu[m]
          menus:
            - menu:
                name: Main menu
                refId: m
                audio:
                  tts: Press 1
                choices:
                  - disconnect:
                      name: Bye
                  - menuTask:
                      name: Inline
                      dtmf: digit_2
                      task:
                        actions:
                          - menuDisconnect:
                              name: Bye too
                          - disconnect:
                              name: Really bye
        """)
    found = _fl109(tmp_path, text)
    assert [(d.span.line if d.span else 0) for d in found] == [11, 18]
    assert "is not a menu choice" in found[0].message and "'menuDisconnect'" in found[0].message
    assert "is a menu choice" in found[1].message and "write 'disconnect'" in found[1].message


def test_config_action_aliases_make_a_spelling_valid(tmp_path: Path) -> None:
    text = _task("- setVariable:\n    name: Remember\n- disconnect:\n    name: End\n")
    config = Config(action_aliases={"yaml": {"setVariable": "update_data"}})
    assert _fl109(tmp_path, text, config) == []


def test_real_actions_are_not_reported(tmp_path: Path) -> None:
    found = _fl109(tmp_path, _task("""\
        - updateData:
            name: Set
            statements:
              - string:
                  variable: Flow.x
                  value:
                    lit: a
        - callTask:
            name: Sub
            targetTaskRef: ./tasks/task[t]
        - setWrapupCode:
            name: Wrap
        - disconnect:
            name: End
        """))
    assert found == []


def test_exports_are_left_alone(corpus: Path) -> None:
    """Export ``__type`` names are not checked: the kind table lists the ones flowlint reads,
    not every type Architect writes (ExitLoopAction, PlayAudioAction, ...)."""
    exports = sorted({str(p.parent) for p in corpus.rglob("*.i3*")})
    assert exports
    for directory in exports[:5]:
        assert [d for d in check_paths([directory]).diagnostics if d.code == "FL109"] == []


# -- the loader: lists written as mappings are FL100 at their key -------------------------


def test_states_written_as_a_mapping_is_fl100_at_the_key_not_fl103() -> None:
    text = textwrap.dedent("""\
        workflow:
          name: W
          startUpRef: /workflow/states/state[s]
          states:
            state:
              name: Initial
              refId: s
              actions:
                - endWorkflow:
                    name: End
        """)
    result = load_yaml_text("w.yaml", text)
    assert [(d.code, d.span.line if d.span else 0, d.span.column if d.span else 0) for d in result.diagnostics] \
        == [("FL100", 4, 3)]
    assert "'states' must be a list" in result.diagnostics[0].message
    assert result.flows[0].references == []  # nothing to resolve against: no FL103


@pytest.mark.parametrize(("body", "line", "key"), [
    ("        actions:\n          disconnect:\n            name: End\n", 8, "actions"),
])
def test_actions_written_as_a_mapping_is_fl100(body: str, line: int, key: str) -> None:
    text = ("inboundCall:\n  name: A\n  startUpRef: /inboundCall/tasks/task[t]\n  tasks:\n    - task:\n"
            "        name: Main\n        refId: t\n" + body)
    result = load_yaml_text("a.yaml", text)
    assert [(d.code, d.span.line if d.span else 0) for d in result.diagnostics] == [("FL100", line)]
    assert f"'{key}' must be a list" in result.diagnostics[0].message


def test_nested_actions_written_as_a_mapping_is_fl100() -> None:
    text = _task("""\
        - decision:
            name: Check
            condition:
              exp: true
            outputs:
              yes:
                actions:
                  disconnect:
                    name: Bye
        """)
    result = load_yaml_text("a.yaml", text)
    assert [(d.code, d.span.line if d.span else 0) for d in result.diagnostics] == [("FL100", 15)]


def test_items_of_the_wrong_shape_are_fl100() -> None:
    text = textwrap.dedent("""\
        inboundCall:
          name: A
          startUpRef: /inboundCall/tasks/task[t]
          tasks:
            - task:
                name: Main
                refId: t
                actions:
                  - name: Loose
                    disconnect: {}
            - state:
                name: Wrong list
        """)
    result = load_yaml_text("a.yaml", text)
    assert [(d.code, d.span.line if d.span else 0) for d in result.diagnostics] == [("FL100", 9), ("FL100", 11)]


# -- the catalog ----------------------------------------------------------------------------


def _catalog_doc() -> dict[str, dict[str, object]]:
    text = resources.files("flowlint.data").joinpath("archy_actions.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_every_catalog_entry_has_a_basis() -> None:
    doc = _catalog_doc()
    for table in ("actions", "choices"):
        for key, entry in doc[table].items():
            assert isinstance(entry, dict) and entry.get("basis"), key  # pyright: ignore[reportUnknownMemberType]
    for key, entry in doc["fields"].items():
        if not key.startswith("$"):
            assert isinstance(entry, dict) and entry.get("basis"), key  # pyright: ignore[reportUnknownMemberType]


def test_catalog_hints_point_at_real_keys() -> None:
    catalog = action_catalog()
    assert not set(catalog.aliases) & catalog.keys
    assert set(catalog.aliases.values()) <= catalog.actions
    for action, aliases in catalog.field_aliases.items():
        assert set(aliases.values()) <= catalog.fields[action], action
    assert set(catalog.fields) <= catalog.actions
    assert set(action_table().yaml) <= catalog.keys  # every spelling the kind table reads


def _action_keys(node: Node, found: dict[str, set[str]], key: str | None = None) -> None:
    """Every action key (items of actions/startUpTaskActions/choices lists) and the keys of its body."""
    stack: list[tuple[Node, str | None]] = [(node, key)]
    while stack:
        current, parent = stack.pop()
        if isinstance(current, MappingNode):
            for k, v in current.value:
                stack.append((v, k.value if isinstance(k, ScalarNode) else None))
        elif isinstance(current, SequenceNode):
            for item in current.value:
                if parent in ("actions", "startUpTaskActions", "choices") and isinstance(item, MappingNode) \
                        and len(item.value) == 1:
                    action, body = item.value[0]
                    keys = found.setdefault(action.value, set())
                    if isinstance(body, MappingNode):
                        keys.update(k.value for k, _ in body.value if isinstance(k, ScalarNode))
                stack.append((item, None))


def _corpus_yaml() -> list[Path]:
    files = [p for root in CORPORA if root.is_dir() for p in root.rglob("*") if p.suffix in (".yaml", ".yml")]
    if not files:
        pytest.skip("shared corpus not available")
    return sorted(files)


def test_every_action_key_of_the_corpus_is_in_the_catalog_as_observed() -> None:
    found: dict[str, set[str]] = {}
    for path in _corpus_yaml():
        text, _ = substitute(path.read_text(encoding="utf-8", errors="replace"))
        root = _compose(text)
        if root is not None:
            _action_keys(root, found)
    assert len(found) > 40
    doc = _catalog_doc()
    observed = {k for table in ("actions", "choices") for k, v in doc[table].items()
                if "observed" in v["basis"]}  # type: ignore[index, operator]
    assert set(found) <= observed, sorted(set(found) - observed)
    catalog = action_catalog()
    for action, keys in found.items():
        if action in catalog.fields:
            assert keys <= catalog.fields[action], (action, sorted(keys - catalog.fields[action]))


def test_no_fl109_or_fl100_on_any_real_file() -> None:
    """A key used in a real file is never flagged (a false positive is a bug)."""
    directories = sorted({str(p.parent) for p in _corpus_yaml()})
    found = [d for directory in directories for d in check_paths([directory]).diagnostics
             if d.code in ("FL109", "FL100")]
    assert found == []
