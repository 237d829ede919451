"""FL007 secured-data-leak: every sink of flowlint/data/sinks.json, the sources, the sanitizer and
the declassifier. The sink cases are generated from the data file: a new entry is tested as is."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from flowlint.analysis.taint import Role, SlotEntry, parse_secured_flow_table, secured_flow_table
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import Action, ActionKind, Loc, SourceFile, SourceFormat

from .helpers import check_project

_LITERAL = "NEVER-PRINT-4111"

_FLOW = """\
inboundCall:
  name: Main IVR
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - getSecuredData:
              name: Read card token
              attributes:
                - attribute:
                    name:
                      lit: CardToken
                    variable: Flow.card
          - updateData:
              name: Tag it
              statements:
                - string:
                    variable: Flow.tagged
                    value:
                      exp: Append(Flow.card, "NEVER-PRINT-4111")
{actions}          - disconnect:
              name: Done
"""


def _indent(text: str, spaces: int = 10) -> str:
    return "".join(" " * spaces + line + "\n" for line in text.splitlines())


def _fl007(tmp_path: Path, actions: str) -> list[Diagnostic]:
    return [d for d in check_project(tmp_path, {"main.yaml": _FLOW.format(actions=actions)}) if d.code == "FL007"]


def _concrete(slot: str) -> str:
    """One value path the slot pattern matches."""
    return slot.replace("[*]", "[0]").replace("*", "x")


def _nest(path: str, leaf: object) -> object:
    """The YAML data whose value at ``path`` (``a.b[0].c``) is ``leaf``."""
    head, _, rest = path.partition(".")
    match = re.fullmatch(r"(.+)\[0\]", head)
    inner = _nest(rest, leaf) if rest else leaf
    return {match.group(1): [inner]} if match else {head: inner}


def _action(key: str, slot: str, expression: str) -> str:
    body = _nest(_concrete(slot), {"exp": expression})
    assert isinstance(body, dict)
    return _indent(yaml.safe_dump([{key: {"name": "Sink", **body}}], sort_keys=False))


def _yaml_key(entry: SlotEntry) -> str:
    return next(key for key in entry.keys if key[:1].islower())


_SINKS = [entry for entry in secured_flow_table().entries if entry.role == Role.SINK and entry.rule == "FL007"]
_CASES = [(entry, slot) for entry in _SINKS for slot in entry.slots]


def test_the_data_file_is_well_formed() -> None:
    doc = json.loads((resources.files("flowlint.data") / "sinks.json").read_text(encoding="utf-8"))
    assert doc["$comment"]
    ids = [entry["id"] for entry in doc["entries"]]
    assert len(ids) == len(set(ids))
    table = parse_secured_flow_table(doc)
    assert {entry.role for entry in table.entries} == set(Role)
    families = {entry.family for entry in _SINKS}
    # the families of semantics-2 section 5.2 (screen pops are FL003's)
    assert {"participant-data", "data-action", "secure-flow-invocation", "script-inputs", "bot-flow",
            "conversation-fields", "communication", "external-transfer"} <= families
    for entry in table.entries:
        assert any(key[:1].islower() for key in entry.keys), f"{entry.id}: no Archy YAML key"
        assert entry.why and entry.source
        if entry.role == Role.SINK:
            assert entry.fix


@pytest.mark.parametrize(("entry", "slot"), _CASES, ids=[f"{e.id}:{s}" for e, s in _CASES])
def test_a_tainted_value_in_the_slot_is_reported(tmp_path: Path, entry: SlotEntry, slot: str) -> None:
    found = _fl007(tmp_path, _action(_yaml_key(entry), slot, "Flow.tagged"))
    assert len(found) == 1, found
    finding = found[0]
    assert finding.severity == Severity(entry.finding_severity)
    assert finding.message.startswith(f"{entry.action} 'Sink': ")
    assert f"; {entry.basis.value}: {entry.why}; {entry.fix}" in finding.message
    assert "Flow.card (Get Secured Data 'Read card token' reads attribute 'CardToken'" in finding.message
    assert "-> Flow.tagged (assigned in Update Data 'Tag it'" in finding.message
    assert _LITERAL not in finding.message and "Append(" not in finding.message  # never a value
    assert [r.message.split(":")[0] for r in finding.related] == ["Flow.card", "Flow.tagged"]


@pytest.mark.parametrize(("entry", "slot"), _CASES, ids=[f"{e.id}:{s}" for e, s in _CASES])
def test_a_clean_value_in_the_slot_is_not(tmp_path: Path, entry: SlotEntry, slot: str) -> None:
    assert not _fl007(tmp_path, _action(_yaml_key(entry), slot, 'Append("x", Call.Ani)'))


def test_severity_follows_the_basis() -> None:
    by_id = {entry.id: entry for entry in secured_flow_table().entries}
    assert by_id["transfer-to-secure-flow-invocation-data"].finding_severity == "error"  # documented
    assert by_id["set-participant-data-values"].finding_severity == "warning"  # inferred
    assert by_id["transfer-to-number-target"].finding_severity == "info"  # semantics-2 5.2: I


_CALL = """\
- {key}:
    name: Charge
    category:
      Payments:
        dataAction:
          Charge:
            inputs:
              token:
                exp: {variable}
"""
_ENCRYPT = """\
- encryptData:
    name: Encrypt
    dataToEncrypt:
      exp: Flow.tagged
    outputs:
      encrypted:
        var: Flow.encrypted
"""


def test_encrypt_data_sanitizes(tmp_path: Path) -> None:
    assert not _fl007(tmp_path, _indent(_ENCRYPT + _CALL.format(key="callData", variable="Flow.encrypted")))
    assert len(_fl007(tmp_path, _indent(_ENCRYPT + _CALL.format(key="callData", variable="Flow.tagged")))) == 1


def test_call_secure_data_is_not_a_sink(tmp_path: Path) -> None:
    assert not _fl007(tmp_path, _indent(_CALL.format(key="callDataSecure", variable="Flow.tagged")))


def test_screen_pops_are_fl003s_only(tmp_path: Path) -> None:
    actions = _indent("""\
- setScreenPop:
    name: Pop
    screenPopScript:
      Account Script:
        inputs:
          card:
            exp: Flow.tagged
""")
    codes = [d.code for d in check_project(tmp_path, {"main.yaml": _FLOW.format(actions=actions)})]
    assert codes.count("FL003") == 1 and "FL007" not in codes


def test_set_participant_data_names_the_attribute(tmp_path: Path) -> None:
    found = _fl007(tmp_path, _indent("""\
- setParticipantData:
    name: Remember
    attributes:
      - attribute:
          name:
            lit: LastCard
          value:
            exp: Right(Flow.tagged, 4)
"""))
    assert len(found) == 1 and found[0].attribute == "LastCard"
    assert found[0].message.startswith("Set Participant Data 'Remember': the value of attribute 'LastCard' reads "
                                       "Flow.tagged, which carries secured data: ")


def test_extract_secure_data_declassifies_as_info(tmp_path: Path) -> None:
    found = _fl007(tmp_path, _indent("""\
- extractSecureData:
    name: Extract
    secureValue:
      exp: Flow.tagged
    outputs:
      value:
        var: Flow.plain
""" + _CALL.format(key="callData", variable="Flow.plain")))
    assert len(found) == 1
    assert found[0].severity == Severity.INFO
    assert "declassified by Extract Secure Data 'Extract' (acknowledged by the author)" in found[0].message


def _source_flow(source: str, sink_variable: str) -> str:
    return f"""\
inboundCall:
  name: Main IVR
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
{_indent(source)}{_indent(_CALL.format(key="callData", variable=sink_variable))}          - disconnect:
              name: Done
"""


@pytest.mark.parametrize("source", [
    """\
- decryptData:
    name: Decrypt
    data:
      exp: Call.Ani
    outputs:
      decrypted:
        var: Flow.out
""",
    """\
- callDataSecure:
    name: PCI lookup
    category:
      Payments:
        dataAction:
          Vault:
            inputs:
              id:
                exp: Call.Ani
            successOutputs:
              pan:
                var: Flow.out
""",
])
def test_table_sources(tmp_path: Path, source: str) -> None:
    found = [d for d in check_project(tmp_path, {"main.yaml": _source_flow(source, "Flow.out")}) if d.code == "FL007"]
    assert len(found) == 1, found
    assert "Flow.out (output of " in found[0].message


def test_secure_variables_are_sources(tmp_path: Path) -> None:
    flow = """\
secureCall:
  name: Pay
  startUpRef: /secureCall/tasks/task[t]
  variables:
    - stringVariable:
        name: Flow.pan
        isSecure: true
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - setParticipantData:
              name: Keep
              attributes:
                - attribute:
                    name:
                      lit: Pan
                    value:
                      exp: Flow.pan
          - disconnect:
              name: Done
"""
    found = [d for d in check_project(tmp_path, {"pay.yaml": flow}) if d.code == "FL007"]
    assert len(found) == 1 and "declared as a secure variable" in found[0].message, found


def _export_action(key: str) -> Action:
    file = SourceFile("flow.i3InboundFlow", SourceFormat.EXPORT)
    return Action(0, ActionKind.OTHER, key, "x", Loc(file, ""), 0)


def test_export_spellings_match() -> None:
    table = secured_flow_table()
    for key, path, entry_id in [("SetAttributesAction", "variables[3].expression", "set-participant-data-values"),
                                ("DataAction", "inputs[0].value", "call-data-action-inputs"),
                                ("CommunicateAction", "communication", "communicate"),
                                ("PlayAudioAction", "prompts.defaultAudio", "play-audio"),
                                ("SendResponseAction", "messageBody", "send-response")]:
        entries = [e for e in table.for_action(_export_action(key), Role.SINK) if e.matches(path)]
        assert [e.id for e in entries] == [entry_id]
    assert not [e for e in table.for_action(_export_action("DataAction"), Role.SINK) if e.matches("outputs[0].value")]


def test_malformed_entries_are_rejected() -> None:
    good = {"id": "x", "action": "X", "keys": ["x"], "slots": ["*"], "role": "sink", "basis": "inferred",
            "why": "w", "fix": "f"}
    assert parse_secured_flow_table({"entries": [good]}).entries[0].finding_severity == "warning"
    for broken in [{**good, "role": "leak"}, {**good, "basis": "rumour"}, {**good, "slots": []},
                   {**good, "severity": "fatal"}, {**good, "fix": ""}]:
        with pytest.raises(ValueError):
            parse_secured_flow_table({"entries": [broken]})
