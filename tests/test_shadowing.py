"""One flow, two formats: an Architect export beside the Archy YAML of the same flow. The
YAML is the source of truth for the cross-flow rules; the export is still checked alone."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

from flowlint.config import Config
from flowlint.engine import check_paths
from flowlint.lsp.model import Document, WorkspaceModel

from .helpers import write_project
from .test_flow_json_loader import act, doc, exp, lit, task

#: The YAML of 'Main IVR': sets AccountId and transfers to Support.
MAIN_YAML = """\
inboundCall:
  name: Main IVR
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - setParticipantData:
              name: Remember
              attributes:
                - attribute:
                    name:
                      lit: AccountId
                    value:
                      exp: Call.Ani
          - transferToFlow:
              name: To support
              targetFlow:
                name: Support
"""
SUPPORT_YAML = """\
inboundCall:
  name: Support
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - getParticipantData:
              name: Read account
              attributes:
                - attribute:
                    name:
                      lit: AccountId
                    variable: Task.account
          - disconnect:
              name: Done
"""


def export_of_main(undeclared: bool = False) -> bytes:
    """The same 'Main IVR' as an Architect export (base64 of percent-encoded JSON)."""
    document = doc(task("T1", "Start", "A1", [
        act("SetAttributesAction", "A1", "Remember", "A2",
            variables=[{"variable": lit("AccountId"), "expression": exp("Call.Ani")}]),
        act("TransferToFlowAction", "A2", "To support", None, flowName=lit("Support")),
    ]))
    document["name"] = "Main IVR"
    if undeclared:
        document["flowSequenceItemList"][0]["actionList"][0]["variables"][0]["expression"] = exp("Task.nope + 1")
    text = json.dumps(document, separators=(",", ":"))
    return base64.b64encode(quote(text, safe="!~*'()").encode("ascii"))


def project(root: Path, main_yaml: str = MAIN_YAML, undeclared: bool = False) -> None:
    write_project(root, {"flows/main.yaml": main_yaml, "flows/support.yaml": SUPPORT_YAML})
    (root / "exports").mkdir(exist_ok=True)
    (root / "exports" / "Main IVR.i3InboundFlow").write_bytes(export_of_main(undeclared))


def codes(root: Path, config: Config | None = None, **kwargs: object) -> list[tuple[str, str]]:
    found = check_paths([str(root)], config, **kwargs).diagnostics  # type: ignore[arg-type]
    return [(d.code, Path(d.file).name) for d in found]


def test_the_pair_is_not_a_duplicate(tmp_path: Path) -> None:
    project(tmp_path)
    assert codes(tmp_path) == []
    assert ("FL105", "main.yaml") in codes(tmp_path, Config(yaml_shadows_exports=False))  # later in path order


def test_renaming_the_yaml_set_is_not_masked_by_the_export(tmp_path: Path) -> None:
    """The export still sets AccountId; the YAML now sets AccountID. What gets deployed is the
    YAML: Support's Get reads a name no deployed flow sets (FL001, with the YAML's spelling)."""
    project(tmp_path, MAIN_YAML.replace("lit: AccountId", "lit: AccountID"))
    for kwargs in ({}, {"jobs": 2, "cache_dir": str(tmp_path / "cache")}, {"jobs": 1, "cache_dir": str(tmp_path / "c")}):
        found = check_paths([str(tmp_path)], None, **kwargs).diagnostics  # type: ignore[arg-type]
        assert [(d.code, Path(d.file).name) for d in found] == [("FL001", "support.yaml")], kwargs
        assert "'AccountID'" in found[0].message and found[0].related[0].file.endswith("main.yaml")


def test_per_file_rules_still_check_the_export(tmp_path: Path) -> None:
    project(tmp_path, undeclared=True)
    assert ("FL104", "Main IVR.i3InboundFlow") in codes(tmp_path)


def test_language_server_sees_the_yaml_only(tmp_path: Path) -> None:
    project(tmp_path)
    model = WorkspaceModel([str(tmp_path)])
    snapshot = model.update([], {}, rescan=True)
    assert snapshot.diagnostics == {}
    main = tmp_path / "flows" / "main.yaml"
    edited = MAIN_YAML.replace("lit: AccountId", "lit: AccountID")
    snapshot = model.update([str(main)], {str(main): Document(edited, 1)})
    support = str(tmp_path / "flows" / "support.yaml")
    assert [d.code for d in snapshot.diagnostics.get(support, [])] == ["FL001"]
