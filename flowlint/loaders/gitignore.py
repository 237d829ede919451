"""What git ignores, so that discovery lints the repository a clean checkout has.

Matching is pathspec's ``GitIgnoreSpec`` (git's wildmatch semantics, negation, directory
patterns); this module only gathers the pattern files the way git does and applies git's
precedence, lowest first: the global excludes file (``core.excludesFile``, else
``$XDG_CONFIG_HOME/git/ignore``), ``.git/info/exclude``, then every ``.gitignore`` from the
work tree's root down to the file's directory; the last pattern that matches decides.
Patterns apply only inside a git work tree, as in git (and ruff, ripgrep).  Git itself is
never run: its configuration can name programs to execute (``core.fsmonitor``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

#: Pattern files larger than this are ignored (a real .gitignore is a few KB).
_MAX_PATTERN_BYTES = 1024 * 1024
_EXCLUDES_FILE = re.compile(r"^\s*excludesfile\s*=\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_SECTION = re.compile(r"^\s*\[([^\]]+)\]", re.MULTILINE)


def work_tree(path: str) -> str | None:
    """The git work tree ``path`` lies in (the directory holding ``.git``), if any."""
    current = os.path.abspath(path)
    if not os.path.isdir(current):
        current = os.path.dirname(current)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _spec(path: str) -> GitIgnoreSpec | None:
    try:
        if os.path.getsize(path) > _MAX_PATTERN_BYTES:
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        return None
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(lines)


def global_excludes_file() -> str | None:
    """``core.excludesFile`` from the user's git configuration, else git's default location."""
    home = Path.home()
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    for config in (os.path.join(xdg, "git", "config"), str(home / ".gitconfig")):
        try:
            with open(config, encoding="utf-8", errors="replace") as handle:
                text = handle.read(_MAX_PATTERN_BYTES)
        except OSError:
            continue
        for match in _EXCLUDES_FILE.finditer(text):
            sections = [m for m in _SECTION.finditer(text, 0, match.start())]
            if sections and sections[-1].group(1).strip().lower() == "core":
                value = match.group(1).strip().strip('"')
                return os.path.expanduser(value)
    default = os.path.join(xdg, "git", "ignore")
    return default if os.path.isfile(default) else None


class GitIgnore:
    """git's ignore rules for one work tree; pattern files are read once, when first needed."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self._base: list[GitIgnoreSpec] = []
        for path in (global_excludes_file(), os.path.join(self.root, ".git", "info", "exclude")):
            spec = _spec(path) if path else None
            if spec is not None:
                self._base.append(spec)
        self._by_dir: dict[str, GitIgnoreSpec | None] = {}
        #: Directory (relative, "/"-separated) -> its own path from the root, and the specs
        #: that apply below it with the depth of the directory each belongs to.
        self._chains: dict[str, list[tuple[int, GitIgnoreSpec]]] = {}

    def _dir_spec(self, relative_dir: str) -> GitIgnoreSpec | None:
        if relative_dir not in self._by_dir:
            self._by_dir[relative_dir] = _spec(os.path.join(self.root, relative_dir, ".gitignore"))
        return self._by_dir[relative_dir]

    def _chain(self, directory: str) -> list[tuple[int, GitIgnoreSpec]]:
        """The .gitignore specs from the root down to ``directory`` (relative, "/"-separated),
        each with the length of the prefix it is relative to."""
        found = self._chains.get(directory)
        if found is None:
            parent, _, _ = directory.rpartition("/")
            found = list(self._chain(parent)) if directory else []
            spec = self._dir_spec(directory)
            if spec is not None:
                found.append((len(directory) + 1 if directory else 0, spec))
            self._chains[directory] = found
        return found

    def ignored(self, path: str, is_dir: bool = False) -> bool:
        """Whether git ignores ``path`` (absolute, or relative to the current directory).
        A directory's parents are not checked: callers walk from the top and stop at one."""
        relative = os.path.relpath(os.path.abspath(path), self.root)
        if relative.startswith(os.pardir) or relative == os.curdir:
            return False
        directory, _, name = relative.replace(os.sep, "/").rpartition("/")
        return self.ignored_in(directory, name, is_dir)

    def ignored_in(self, directory: str, name: str, is_dir: bool = False) -> bool:
        """:meth:`ignored` for ``name`` in ``directory`` (relative to the root, "/"-separated)."""
        if directory.split("/", 1)[0] == ".git" or (not directory and name == ".git"):
            return True
        relative = f"{directory}/{name}" if directory else name
        if is_dir:
            relative += "/"
        verdict: bool | None = None
        for spec in self._base:
            found = spec.check_file(relative).include
            if found is not None:
                verdict = found
        for start, spec in self._chain(directory):
            found = spec.check_file(relative[start:]).include
            if found is not None:
                verdict = found
        return bool(verdict)

    def relative(self, directory: str) -> str | None:
        """``directory`` relative to the root, "/"-separated ("" for the root), or None outside."""
        relative = os.path.relpath(os.path.abspath(directory), self.root)
        if relative == os.curdir:
            return ""
        if relative.startswith(os.pardir):
            return None
        return relative.replace(os.sep, "/")
