"""Finding flow files under the paths the user gives, and picking a loader for each."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from flowlint.loaders.gitignore import GitIgnore, work_tree

YAML_SUFFIXES = (".yaml", ".yml", ".tftpl")
JSON_SUFFIX = ".json"
EXPORT_PREFIX = ".i3"
#: Terraform files, read to learn how flow files are deployed (flowlint.deploy).
TERRAFORM_SUFFIXES = (".tf", ".tfvars")
TERRAFORM = "terraform"
#: Directories no user wants linted (VCS metadata, virtualenvs, caches, dependencies).
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox",
                       ".mypy_cache", ".pytest_cache", ".terraform", ".flowlint_cache"})


def file_format(path: str) -> str | None:
    """'yaml', 'export', 'json' or None (not a file flowlint reads)."""
    name = os.path.basename(path).lower()
    suffix = os.path.splitext(name)[1]
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix.startswith(EXPORT_PREFIX):
        return "export"
    if suffix == JSON_SUFFIX:
        return "json"
    return None


def discover(paths: list[str], excluded: Callable[[str], bool] | None = None,
             respect_gitignore: bool = True) -> Iterator[tuple[str, str]]:
    """Yield (path, format) for every flow candidate, in a deterministic (sorted) order.

    Paths named explicitly are always yielded when they have a flow extension; directories
    are walked without following symlinked directories (no loops), skipping SKIP_DIRS and
    whatever ``excluded`` (config ``exclude`` globs) says.
    """
    return (found for found in discover_all(paths, excluded, respect_gitignore) if found[1] != TERRAFORM)


def discover_all(paths: list[str], excluded: Callable[[str], bool] | None = None,
                 respect_gitignore: bool = True) -> Iterator[tuple[str, str]]:
    """:func:`discover`, plus Terraform files (format ``"terraform"``) found the same way.

    Directories are walked as git sees them (``respect_gitignore``): what ``.gitignore``,
    ``.git/info/exclude`` or the global excludes file ignore is skipped.  A file named
    explicitly is always yielded, ignored or not (as ruff does).
    """
    settings = _Walk(excluded or _never, respect_gitignore)
    return ((path, fmt) for path, fmt, _ in discover_configured(paths, lambda _directory: settings))


class WalkSettings(Protocol):
    """What a walk needs of a configuration (:class:`flowlint.config.Config` has it)."""

    @property
    def respect_gitignore(self) -> bool: ...

    def is_excluded(self, path: str) -> bool: ...


#: The configuration type a caller walks with, handed back with each file.
Settings = TypeVar("Settings", bound=WalkSettings)


@dataclass(frozen=True, slots=True)
class _Walk:
    excluded: Callable[[str], bool]
    respect_gitignore: bool

    def is_excluded(self, path: str) -> bool:
        return self.excluded(path)


def discover_configured(paths: list[str],
                        config_of: Callable[[str], Settings]) -> Iterator[tuple[str, str, Settings]]:
    """:func:`discover_all` with a configuration per directory (``config_of``: the nearest
    configuration file's): each directory is walked with its own ``exclude`` and
    ``respect-gitignore``, and every file comes with the configuration of its project.  A
    subdirectory is excluded (or not) by its parent's configuration."""
    ignores: dict[str, GitIgnore] = {}
    for root in paths:
        if not os.path.isdir(root):
            fmt = file_format(root) or _terraform(root)
            yield _display(root), fmt or "yaml", config_of(os.path.dirname(os.path.abspath(root)))
            continue
        found: list[tuple[str, str, Settings]] = []
        for directory, dirnames, filenames in os.walk(root, followlinks=False):
            config = config_of(directory)
            ignore = _gitignore(root, ignores) if config.respect_gitignore else None
            here = ignore.relative(directory) if ignore is not None else None
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS
                                 and not config.is_excluded(os.path.join(directory, d))
                                 and not (here is not None and ignore is not None
                                          and ignore.ignored_in(here, d, True)))
            for filename in filenames:
                fmt = file_format(filename) or _terraform(filename)
                if fmt is None or (here is not None and ignore is not None and ignore.ignored_in(here, filename)):
                    continue
                path = os.path.join(directory, filename)
                if not config.is_excluded(path):
                    found.append((_display(path), fmt, config))
        found.sort(key=lambda item: (item[0], item[1]))
        yield from found


def _gitignore(root: str, known: dict[str, GitIgnore]) -> GitIgnore | None:
    tree = work_tree(root)
    if tree is None:
        return None
    if tree not in known:
        known[tree] = GitIgnore(tree)
    return known[tree]


def _terraform(name: str) -> str | None:
    return TERRAFORM if name.lower().endswith(TERRAFORM_SUFFIXES) else None


def _never(_path: str) -> bool:
    return False


def _display(path: str) -> str:
    return path[2:] if path.startswith("./") else path
