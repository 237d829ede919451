"""Golden IR dumps for Archy YAML and API configuration JSON (exports: test_export_loader.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from flowlint.ir_dump import dump_flow
from flowlint.loaders import load_file
from flowlint.loaders.export import decode_export
from flowlint.loaders.flow_json import load_json_text

GOLDEN = Path(__file__).resolve().parent / "golden"
CALLBACK = "GenesysCloudBlueprints__automated-callback-blueprint"


def check_golden(name: str, dumped: str) -> None:
    """FLOWLINT_UPDATE_GOLDEN=1 rewrites the golden files."""
    golden = GOLDEN / name
    if os.environ.get("FLOWLINT_UPDATE_GOLDEN") == "1":
        golden.write_text(dumped, encoding="utf-8")
    assert dumped == golden.read_text(encoding="utf-8")


def test_golden_yaml(corpus: Path) -> None:
    path = corpus / CALLBACK / "files__automated-powershell-script__flows__Proactive callback offer.yaml"
    (flow,) = load_file(str(path), "yaml").flows
    check_golden("yaml_proactive_callback_offer.txt", dump_flow(flow))


def test_golden_api_json(corpus: Path, tmp_path: Path) -> None:
    """An API configuration document = a decoded export plus API-only keys such as versionMetaData."""
    export = corpus / CALLBACK / "files__Trigger_proactive callback workflow_v1-0.i3InboundFlow"
    decoded, reason = decode_export(export.read_bytes())
    assert decoded is not None, reason
    document = json.loads(decoded)
    document["versionMetaData"] = {"inputSchema": {}, "outputSchema": {}}
    text = json.dumps(document, indent=2)
    result = load_json_text("trigger.json", text)
    assert not result.diagnostics and not result.not_a_flow
    (flow,) = result.flows
    # Spans of API JSON are resolved on demand; resolve the attribute names to pin them too.
    for action in flow.actions:
        for attribute in action.attributes:
            span = flow.file.resolve(attribute.name.loc)
            assert span is not None
            assert text.splitlines()[span.line - 1][span.column - 1:].startswith('"')
    check_golden("api_json_trigger_workflow.txt", dump_flow(flow))
