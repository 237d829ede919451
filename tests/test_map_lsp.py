"""flowlint.showMap through a real language client: the server advertises the command, writes
the workspace's page and answers with its path."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from lsprotocol import types

from tests.test_lsp import Client, start
from tests.test_lsp import client as client  # noqa: F401 - a pytest fixture this module uses
from tests.test_lsp import root as root  # noqa: F401 - a pytest fixture this module uses



@pytest.mark.asyncio
async def test_show_map_writes_the_workspace_page(client: Client, root: Path) -> None:  # noqa: F811
    result = await start(client, root)
    provider = result.capabilities.execute_command_provider
    assert provider is not None and "flowlint.showMap" in provider.commands
    answer: object = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="flowlint.showMap"))
    assert isinstance(answer, dict)
    fields = cast(dict[str, str], answer)
    page = Path(fields["path"])
    assert fields["uri"] == page.as_uri()
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'id="map-data"' in text
    flows = [p for p in root.rglob("*.yaml")]
    assert flows and any(p.stem in text for p in flows)
