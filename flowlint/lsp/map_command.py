"""``flowlint.showMap`` (workspace/executeCommand): the map of the workspace as an HTML page
(:mod:`flowlint.reporters.map_html`), written to a private directory; the editor opens it."""

from __future__ import annotations

import hashlib
import os
import tempfile

from flowlint.config import ConfigResolver, load_config
from flowlint.reporters.map_html import render_html
from flowlint.reporters.map_model import build_map, load_projects

COMMAND = "flowlint.showMap"


def map_directory() -> str:
    """A directory only this user can read (the page names the workspace's files)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    directory = os.path.join(tempfile.gettempdir(), f"flowlint-map-{uid}")
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return directory


def write_workspace_map(roots: list[str], config_file: str | None, docs_url: str,
                        directory: str | None = None) -> str:
    """Write the map of ``roots`` (with their configuration, as ``flowlint check`` finds it, or
    ``config_file`` for everything) and return the page's absolute path."""
    roots = [os.path.abspath(root) for root in roots] or [os.getcwd()]
    explicit = load_config(roots[:1], config_file) if config_file is not None else None
    model = build_map(load_projects(roots, ConfigResolver(explicit), jobs=1))
    directory = directory or map_directory()
    key = hashlib.sha256("\0".join(sorted(roots)).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    path = os.path.join(directory, f"map-{key}.html")
    text = render_html(model, output_dir=directory, link_style="relative",
                       rules_url=docs_url)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as handle:
        handle.write(text)
    os.replace(temporary, path)
    return path
