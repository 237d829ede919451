"""Command-line settings over the configuration files, with ruff's conventions.

Every project keeps its own configuration file; what the command line says is applied on
top of each one (:func:`adjuster`):

* ``--select`` replaces ``select``; ``--extend-select`` adds to it; ``--ignore`` adds to
  ``ignore``; ``--exclude`` replaces ``exclude`` and ``--extend-exclude`` adds to it.  Codes,
  prefixes and rule names are accepted, and an unknown one is an error with a did-you-mean.
* ``--config KEY=VALUE`` (a TOML ``key = value``, e.g. ``--config "respect-gitignore = false"``)
  overrides one key of every configuration, validated like the file itself; ``--config FILE``
  names the one configuration file to use for everything.
* ``--substitute``, ``--substitutions``, ``--[no-]respect-gitignore`` as documented there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from flowlint.config import Config, ConfigError, config_from_mapping


class UsageProblem(Exception):
    """A command-line value that cannot be used (exit 2, with this message)."""


@dataclass(slots=True)
class Overrides:
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=lambda: [])
    ignore: list[str] = field(default_factory=lambda: [])
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=lambda: [])
    #: ``--config KEY=VALUE``, parsed: raw (kebab-case) keys and values.
    settings: dict[str, object] = field(default_factory=lambda: {})
    substitutions: dict[str, str] = field(default_factory=lambda: {})
    options_files: list[str] = field(default_factory=lambda: [])
    respect_gitignore: bool | None = None

    def empty(self) -> bool:
        return self == Overrides()


def split_codes(values: Sequence[str], option: str) -> list[str]:
    """Comma-separated codes, prefixes or rule names (repeatable) as codes and prefixes."""
    from flowlint.registry import UnknownSelector, resolve_selector

    found: list[str] = []
    for value in values:
        for item in value.split(","):
            if item.strip():
                try:
                    found.append(resolve_selector(item))
                except UnknownSelector as error:
                    raise UsageProblem(f"{option}: {error}") from error
    return found


def split_globs(values: Sequence[str]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def split_config(values: Sequence[str]) -> tuple[str | None, dict[str, object]]:
    """``--config`` values: at most one file, and any number of ``KEY = VALUE`` settings."""
    import tomllib

    path: str | None = None
    settings: dict[str, object] = {}
    for value in values:
        if "=" not in value or os.path.isfile(value):
            if path is not None:
                raise UsageProblem(f"--config: one configuration file only (got {path!r} and {value!r})")
            path = value
            continue
        try:
            parsed = tomllib.loads(value)
        except tomllib.TOMLDecodeError as error:
            raise UsageProblem(f"--config: {value!r} is neither a file nor a TOML 'key = value' ({error})") from error
        settings.update(parsed)
    if settings:
        try:
            config_from_mapping(settings, "--config")  # each key and value checked as in a file
        except ConfigError as error:
            raise UsageProblem(str(error)) from error
    return path, settings


def substitution_pairs(pairs: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key or any(c in key for c in "{} \t"):
            # Only the key is shown: the value may be a credential.
            raise UsageProblem(f"--substitute: expected KEY=VALUE with a key of no spaces or braces "
                               f"(got the key {key!r})")
        values[key] = value
    return values


def adjuster(overrides: Overrides) -> Callable[[Config], Config] | None:
    """The function applied to every project's configuration, or None when nothing is overridden."""
    if overrides.empty():
        return None

    def adjust(config: Config) -> Config:
        if overrides.settings:
            config = _with_settings(config, overrides.settings)
        select = list(overrides.select) if overrides.select is not None else list(config.select)
        if overrides.extend_select and select:  # nothing selected means every rule already
            select.extend(overrides.extend_select)
        exclude = list(overrides.exclude) if overrides.exclude is not None else list(config.exclude)
        substitutions = {**config.substitutions, **overrides.substitutions}
        origin = "--substitute" if overrides.substitutions else config.substitutions_origin
        return replace(
            config, select=select, ignore=[*config.ignore, *overrides.ignore],
            exclude=[*exclude, *overrides.extend_exclude], substitutions=substitutions, substitutions_origin=origin,
            options_files=[*config.options_files, *overrides.options_files],
            respect_gitignore=config.respect_gitignore if overrides.respect_gitignore is None
            else overrides.respect_gitignore)

    return adjust


def _with_settings(config: Config, settings: dict[str, object]) -> Config:
    """``config`` with ``--config KEY=VALUE`` settings: the keys they name replaced."""
    rebuilt = config_from_mapping(settings, "--config", root=config.root)
    changed = {key.replace("-", "_") for key in settings}
    if "substitutions" in changed:
        changed.add("substitutions_origin")
    return replace(config, **{name: getattr(rebuilt, name) for name in changed})
