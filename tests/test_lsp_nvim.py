"""A real editor: headless Neovim with tests/lsp/nvim/init.lua attaches ``flowlint lsp`` to
an Archy YAML file; tests/lsp/nvim/dump.lua reports what ``vim.diagnostic.get()`` holds.

Neovim converts the server's UTF-16 columns to byte columns of its buffer, so the byte
columns checked here also prove the server's positions land on the right characters.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent / "lsp"
NVIM = shutil.which("nvim")


@pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (Debian package 'neovim')")
def test_neovim_receives_diagnostics_and_updates_on_unsaved_edits(tmp_path: Path) -> None:
    assert NVIM is not None
    root = tmp_path / "ws"
    shutil.copytree(HERE / "workspace", root)
    (root / ".flowlint.toml").write_text("", encoding="utf-8")  # the root marker init.lua looks for
    out = tmp_path / "out.json"
    env = {**os.environ, "FLOWLINT_OUT": str(out), "FLOWLINT_EXPECT": "2",
           "FLOWLINT_FROM": "lit: kundenNummer", "FLOWLINT_TO": "lit: KundenNummer", "FLOWLINT_EXPECT_AFTER": "1",
           "FLOWLINT_LSP_CMD": json.dumps([sys.executable, "-c", "from flowlint.cli import main; main()", "lsp"]),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state")}
    subprocess.run([NVIM, "--headless", "--clean", "-u", str(HERE / "nvim" / "init.lua"), "flows/support.yaml",
                    "-c", f"luafile {HERE / 'nvim' / 'dump.lua'}"],
                   cwd=root, env=env, timeout=60, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))

    (client,) = result["clients"]
    assert client["name"] == "flowlint" and client["encoding"] == "utf-16"
    assert os.path.realpath(client["root"]) == os.path.realpath(root)

    before = result["before"]
    assert before["ok"], before
    lines = (root / "flows" / "support.yaml").read_text(encoding="utf-8").split("\n")
    first, second = sorted(before["diagnostics"], key=lambda d: d["lnum"])
    assert [first["code"], second["code"]] == ["FL001", "FL001"]
    assert first["source"] == "flowlint" and first["severity"] == 1  # vim.diagnostic.severity.ERROR
    assert (first["lnum"], first["col"], first["end_col"]) == (29, lines[29].index("accountId"),
                                                              lines[29].index("accountId") + 9)
    # Byte columns in Neovim's buffer: after "<tenant>-Größe😀" the UTF-8 and UTF-16 columns differ.
    line = lines[int(second["lnum"])].encode("utf-8")
    name = "kundenNummer😀".encode()
    assert second["col"] == line.index(name) and second["end_col"] == line.index(name) + len(name)
    assert "use 'KundenNummer😀'" in second["message"]

    after = result["after"]
    assert after["ok"], after
    (left,) = after["diagnostics"]
    assert left["lnum"] == 29 and "accountId" in left["message"]
