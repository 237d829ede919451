"""The language server and deployments: editing a .tf, .tfvars or options file re-checks
the flows it deploys; hover on a placeholder shows its value per deploying resource."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsprotocol import types

from flowlint.lsp import features
from flowlint.lsp.model import Document, WorkspaceModel
from flowlint.lsp.positions import UTF16, Pos

from .helpers import write_project
from .test_deploy import INBOUND, SECRET, SUPPORT, repository


def _codes(snapshot: object, path: Path) -> list[str]:
    from flowlint.lsp.model import Snapshot

    assert isinstance(snapshot, Snapshot)
    return [d.code for d in snapshot.diagnostics.get(str(path), [])]


def test_editing_terraform_rechecks_the_flows_it_deploys(tmp_path: Path) -> None:
    write_project(tmp_path, repository())
    model = WorkspaceModel([str(tmp_path)])
    snapshot = model.update([], {}, rescan=True)
    assert snapshot.diagnostics == {}
    inbound = tmp_path / "modules" / "inbound" / "inbound.yaml"
    main_tf = tmp_path / "main.tf"
    # An unsaved edit of main.tf: the transfer target no longer names a flow.
    edited = main_tf.read_text(encoding="utf-8").replace('support_flow = "Support"', 'support_flow = "Suport"')
    snapshot = model.update([str(main_tf)], {str(main_tf): Document(edited, 1)})
    assert "FL106" in _codes(snapshot, inbound)
    # A .tfvars file on disk, read when it changes.
    (tmp_path / "terraform.tfvars").write_text('unused = "x"\n', encoding="utf-8")
    snapshot = model.update([str(tmp_path / "terraform.tfvars")], {str(main_tf): Document(edited, 2)})
    assert "FL106" in _codes(snapshot, inbound)
    # Closing the buffer: back to the disk's content.
    snapshot = model.update([str(main_tf)], {})
    assert _codes(snapshot, inbound) == []
    # A finding in the .tf itself is published for the .tf.
    broken = main_tf.read_text(encoding="utf-8") + 'resource "genesyscloud_flow" "x" {\n  filepath = "./gone.yaml"\n}\n'
    snapshot = model.update([str(main_tf)], {str(main_tf): Document(broken, 3)})
    assert _codes(snapshot, main_tf) == ["FL115"]


def test_options_file_edits_recheck(tmp_path: Path) -> None:
    write_project(tmp_path, {"flows/inbound.yaml": INBOUND.replace('"{{support_flow}}"', "Elsewhere"),
                             "flows/options.yaml": "substitutions:\n  flow_name: Main\n  division: Home\n"})
    model = WorkspaceModel([str(tmp_path)])
    snapshot = model.update([], {}, rescan=True)
    inbound = tmp_path / "flows" / "inbound.yaml"
    assert "FL110" not in _codes(snapshot, inbound)
    options = tmp_path / "flows" / "options.yaml"
    snapshot = model.update([str(options)], {str(options): Document("substitutions:\n  flow_name: Main\n", 1)})
    assert "FL110" in _codes(snapshot, inbound)


def test_hover_on_a_placeholder_shows_each_deployment(tmp_path: Path) -> None:
    files = {
        "main.tf": 'module "sales" {\n  source = "./m"\n  flow_name = "Sales"\n}\n'
                   'module "support" {\n  source = "./m"\n  flow_name = var.unset\n}\n'
                   'variable "unset" {\n  type = string\n}\n',
        "m/main.tf": 'variable "flow_name" {}\nvariable "api_key" {\n  default = "' + SECRET + '"\n}\n'
                     'resource "genesyscloud_flow" "f" {\n  filepath = "${path.module}/flow.yaml"\n'
                     '  substitutions = {\n    flow_name = var.flow_name\n    api_key = var.api_key\n  }\n}\n',
        "m/flow.yaml": SUPPORT.replace("CustomerTier", "{{api_key}}"),
    }
    write_project(tmp_path, files)
    snapshot = WorkspaceModel([str(tmp_path)]).update([], {}, rescan=True)
    flow = str(tmp_path / "m" / "flow.yaml")
    hover = features.hover(snapshot, flow, Pos(1, 10), UTF16)  # on "{{flow_name}}"
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "module.sales.genesyscloud\\_flow.f: `Sales`" in text
    assert "module.support.genesyscloud\\_flow.f: unknown offline (`${var.unset}`)" in text
    assert hover.range == types.Range(types.Position(1, 9), types.Position(1, 22))
    secret = features.hover(snapshot, flow, Pos(13, 30), UTF16)  # on "{{api_key}}"
    assert secret is not None and isinstance(secret.contents, types.MarkupContent)
    assert "a credential: not shown" in secret.contents.value and SECRET not in secret.contents.value
    assert features.hover(snapshot, flow, Pos(0, 2), UTF16) is None  # not on a placeholder


def test_moving_a_flow_to_another_root_rechecks_the_flows_that_meet_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """dev/ deploys Main (which transfers to Other) and prod/ deploys Other: FL106 in Main.
    Moving Other to dev/ changes no flow's text, only where it is deployed: Main's findings
    change all the same, incrementally as from scratch."""
    from .test_cache import GET, SET

    monkeypatch.setattr("flowlint.pipeline.resident.MAX_SHARE", 1.0)
    write_project(tmp_path, {
        "dev/main.tf": 'resource "genesyscloud_flow" "main" {\n  filepath = "../flows/main.yaml"\n}\n',
        "prod/main.tf": 'resource "genesyscloud_flow" "other" {\n  filepath = "../flows/other.yaml"\n}\n',
        "flows/main.yaml": SET.format(name="Main", attribute="OrderId", target="Other"),
        "flows/other.yaml": GET.format(name="Other", attribute="Unrelated", greeting="Hi"),
        **{f"flows/more{i}.yaml": GET.format(name=f"More {i}", attribute="Lonely", greeting="Hi") for i in range(4)},
    })
    model = WorkspaceModel([str(tmp_path)])
    snapshot = model.update([], {}, rescan=True)
    main = tmp_path / "flows" / "main.yaml"
    assert "FL106" in _codes(snapshot, main)
    dev, prod = tmp_path / "dev" / "main.tf", tmp_path / "prod" / "main.tf"
    documents = {  # Other moves from prod/ to dev/: one flow still, in another root
        str(dev): Document(dev.read_text(encoding="utf-8") + prod.read_text(encoding="utf-8"), 1),
        str(prod): Document("# nothing deployed here any more\n", 1)}
    snapshot = model.update([str(dev), str(prod)], documents)
    assert model.last_outcome is not None and model.last_outcome.mode == "incremental"
    fresh = WorkspaceModel([str(tmp_path)]).update([], documents, rescan=True)
    assert "FL106" not in _codes(fresh, main)
    assert _codes(snapshot, main) == _codes(fresh, main)
