"""Project configuration (``.flowlint.toml`` or ``[tool.flowlint]`` in ``pyproject.toml``).

Discovery walks up from the first linted path to the filesystem root; the nearest file
wins, and a ``.flowlint.toml`` beats a ``pyproject.toml`` in the same directory.  A
``pyproject.toml`` without a ``[tool.flowlint]`` table is not a configuration file.

The raw mapping is validated against ``flowlint/data/config.schema.json`` (JSON Schema
2020-12) and every problem is turned into a one-line, user-facing message naming the
file and the key.  ``jsonschema`` is imported only when a configuration is actually
validated: this module is imported by the engine and the language server, and most
runs (no configuration file, ``flowlint --version``) never need it.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from flowlint.deploy.model import DataActionDefinition, Deployments
from flowlint.diagnostics import Severity
from flowlint.ir import ActionKind

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

FLOWLINT_TOML = ".flowlint.toml"
PYPROJECT_TOML = "pyproject.toml"
PYPROJECT_ORIGIN = f"{PYPROJECT_TOML} [tool.flowlint]"

#: Kinds a user may alias a spelling to.  MENU is synthetic (a menu's entry node whose
#: successors are its choices); no real action can be one.
ALIASABLE_KINDS = tuple(kind.value for kind in ActionKind if kind is not ActionKind.MENU)


class ConfigError(Exception):
    """An unreadable or invalid configuration.  ``str(error)`` is the user-facing message,
    one problem per line, each prefixed with the file (or other origin) it concerns."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(slots=True)
class Config:
    select: list[str] = field(default_factory=lambda: [])
    ignore: list[str] = field(default_factory=lambda: [])
    severity: dict[str, Severity] = field(default_factory=lambda: {})
    #: gitignore-like globs, relative to ``root``; see :meth:`is_excluded`.
    exclude: list[str] = field(default_factory=lambda: [])
    #: Skip what git ignores when walking directories (``respect-gitignore``).
    respect_gitignore: bool = True
    #: An export beside the YAML of the same flow: cross-flow rules see the YAML only.
    yaml_shadows_exports: bool = True
    #: Attribute names (globs: ``context.*``) written outside the project, in any flow.
    external_attributes: list[str] = field(default_factory=lambda: [])
    #: Flow type (API spelling, ``inboundchat``) -> names (globs) written outside the project
    #: into the conversations that flow type handles.
    external_attributes_by_flow_type: dict[str, list[str]] = field(default_factory=lambda: {})
    #: Names (globs) of data actions that write participant attributes (``PATCH
    #: .../participants/{id}/attributes``) whose definition is not in the repository.
    data_action_writers: list[str] = field(default_factory=lambda: [])
    #: Data action definitions found in the repository (``*.custom.json``, Terraform
    #: ``genesyscloud_integration_action``): filled in by the repository stage, like ``deployments``.
    data_actions: tuple[DataActionDefinition, ...] = ()
    external_flows: list[str] = field(default_factory=lambda: [])
    flow_links: dict[str, list[str]] = field(default_factory=lambda: {})
    #: Extra action spellings: {"yaml": {key: kind}, "export": {__type: kind}}.
    action_aliases: dict[str, dict[str, str]] = field(default_factory=lambda: {})
    #: Glob (relative to ``root``) -> code prefixes disabled in matching files.
    per_file_ignores: dict[str, list[str]] = field(default_factory=lambda: {})
    #: Archy substitution values for flows no Terraform resource deploys (``[substitutions]``,
    #: then ``--substitute``); ``substitutions_origin`` names where they come from.
    substitutions: dict[str, str] = field(default_factory=lambda: {})
    substitutions_origin: str | None = None
    #: Archy options files (absolute, or relative to the current directory).
    options_files: list[str] = field(default_factory=lambda: [])
    #: How each flow file is deployed: filled in by the repository stage
    #: (:mod:`flowlint.deploy.repository`) before loading.  Part of the cache environment,
    #: since a flow's findings depend on its substitutions.
    deployments: Deployments | None = None
    #: The file this configuration came from, if any.
    path: str | None = None
    #: Directory that relative globs (``exclude``, ``per-file-ignores``) are anchored to:
    #: the configuration file's directory; None means the current directory.
    root: str | None = None

    def is_enabled(self, code: str) -> bool:
        if self.select and not any(code.startswith(prefix) for prefix in self.select):
            return False
        return not any(code.startswith(prefix) for prefix in self.ignore)

    def is_enabled_for(self, code: str, path: str) -> bool:
        """:meth:`is_enabled`, and not switched off for ``path`` by ``per-file-ignores``."""
        if not self.is_enabled(code):
            return False
        if not self.per_file_ignores:
            return True
        relative = self.relative_path(path)
        if relative is None:
            return True
        for pattern, prefixes in self.per_file_ignores.items():
            if any(code.startswith(p) for p in prefixes) and glob_matches(pattern, relative):
                return False
        return True

    def is_excluded(self, path: str) -> bool:
        """Whether ``path`` (a file or directory, relative to the cwd or absolute) is excluded.

        Paths outside ``root`` are never excluded: the globs describe the configured tree.
        """
        if not self.exclude:
            return False
        relative = self.relative_path(path)
        if relative is None:
            return False
        return any(glob_matches(pattern, relative) for pattern in self.exclude)

    def relative_path(self, path: str) -> str | None:
        """``path`` relative to ``root`` in POSIX form, or None if it lies outside ``root``."""
        root = self.root if self.root is not None else os.getcwd()
        try:
            relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
        except ValueError:  # another drive on Windows
            return None
        if relative == os.curdir or relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return None
        return Path(relative).as_posix()


# --------------------------------------------------------------------------- globs


def glob_matches(pattern: str, relative_path: str) -> bool:
    """gitignore-like: the pattern matches the path or one of its parent directories.

    A pattern containing a slash (other than a trailing one) is anchored to the root;
    otherwise it matches at any depth.  ``*`` and ``?`` stay within one path segment,
    ``**`` crosses segments.  Negation (``!pattern``) is not supported.
    """
    glob = _compile_glob(pattern)
    parts = relative_path.split("/")
    return any(_fullmatch(glob, "/".join(parts[: i + 1])) for i in range(len(parts)))


# Glob steps.  Matching runs them over the set of reachable positions (an NFA), in time
# linear in pattern x path: a translation to a backtracking regex took exponential time on
# patterns such as ``a*a*a*a*b`` or ``*****x`` (found by fuzzing the configuration).
_ANY_DIRS, _ANY, _STAR, _ONE, _CLASS, _CHAR = range(6)
_Step = tuple[int, str | re.Pattern[str]]


@cache
def _compile_glob(pattern: str) -> tuple[_Step, ...]:
    text = pattern
    while text.startswith("./"):
        text = text[2:]
    text = text.rstrip("/")  # "build/" means the directory; matching parents covers its contents
    anchored = "/" in text
    text = text.lstrip("/")
    steps: list[_Step] = [] if anchored else [(_ANY_DIRS, "")]
    i, n = 0, len(text)
    while i < n:
        if text.startswith("**/", i):
            steps.append((_ANY_DIRS, ""))
            i += 3
        elif text.startswith("**", i):
            steps.append((_ANY, ""))
            i += 2
        elif text[i] == "*":
            steps.append((_STAR, ""))
            i += 1
        elif text[i] == "?":
            steps.append((_ONE, ""))
            i += 1
        elif text[i] == "[" and (end := _class_end(text, i)) > 0 and (chars := _char_class(text[i + 1 : end])):
            steps.append((_CLASS, chars))
            i = end + 1
        else:
            steps.append((_CHAR, text[i]))
            i += 1
    return tuple(steps)


def _char_class(body: str) -> re.Pattern[str] | None:
    """``[...]`` as a one-character regex; None when it is not one (``[z-a]``): then the
    ``[`` is an ordinary character, as when it is never closed."""
    body = body.replace("\\", "\\\\")
    with warnings.catch_warnings():  # "possible nested set" for a "[" inside: harmless here
        warnings.simplefilter("ignore", FutureWarning)
        try:
            return re.compile("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
        except re.error:
            return None


def _fullmatch(steps: tuple[_Step, ...], path: str) -> bool:
    n = len(path)
    reached = {0}
    for kind, arg in steps:
        if not reached:
            return False
        if kind == _CHAR:
            reached = {p + 1 for p in reached if p < n and path[p] == arg}
        elif kind == _ONE:
            reached = {p + 1 for p in reached if p < n and path[p] != "/"}
        elif kind == _CLASS:
            assert isinstance(arg, re.Pattern)
            reached = {p + 1 for p in reached if p < n and arg.fullmatch(path[p])}
        elif kind == _ANY:
            reached = set(range(min(reached), n + 1))
        elif kind == _ANY_DIRS:  # nothing, or anything up to and including a slash
            first = min(reached)
            reached |= {q + 1 for q in range(first, n) if path[q] == "/"}
        else:  # _STAR: any run of non-slash characters
            extended: set[int] = set()
            for p in sorted(reached):
                q = p
                while q not in extended:
                    extended.add(q)
                    if q >= n or path[q] == "/":
                        break
                    q += 1
            reached = extended
    return n in reached


def _class_end(text: str, start: int) -> int:
    """Index of the ``]`` closing the character class opened at ``start``, or -1."""
    k = start + 1
    if k < len(text) and text[k] in "!^":
        k += 1
    if k < len(text) and text[k] == "]":  # a leading ] is a literal member
        k += 1
    return text.find("]", k)


# --------------------------------------------------------------------------- discovery


def find_config(start_paths: list[str]) -> Path | None:
    """The configuration file that applies to ``start_paths`` (the first one decides), if any.

    Raises :class:`ConfigError` when the nearest candidate cannot be read or parsed: a
    broken configuration must not silently fall through to one further up.
    """
    found = _discover(start_paths)
    return found[0] if found else None


def load_config(paths: list[str], explicit: str | None = None) -> Config:
    """The configuration for linting ``paths``: ``explicit`` if given, else the discovered
    file, else defaults.  Raises :class:`ConfigError` for unreadable or invalid files."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError([f"{explicit}: configuration file not found"])
        if path.name == PYPROJECT_TOML:
            section = _flowlint_section(path, _read_toml(path))
            if section is None:
                raise ConfigError([f"{_display(path)}: no [tool.flowlint] table"])
            data = section
        else:
            data = _read_toml(path)
    else:
        found = _discover(paths)
        if found is None:
            return Config()
        path, data = found
    absolute = Path(os.path.abspath(path))
    config = config_from_mapping(data, _origin(path), root=str(absolute.parent))
    config.path = str(absolute)
    return config


class ConfigResolver:
    """The configuration of every directory: the nearest configuration file at or above it,
    as ruff resolves hierarchical configuration; each file is read once.  Every such file's
    directory is one project for the cross-flow rules.

    ``explicit`` (``--config FILE``) applies to every directory; ``adjust`` is applied to
    every configuration (command-line overrides).  Broken files raise :class:`ConfigError`
    when first needed.
    """

    def __init__(self, explicit: Config | None = None, adjust: Callable[[Config], Config] | None = None) -> None:
        self.explicit = adjust(explicit) if explicit is not None and adjust is not None else explicit
        self.adjust = adjust
        self._files: dict[str, Config | None] = {}
        self._dirs: dict[str, Config] = {}
        self._default: Config | None = None

    def default(self) -> Config:
        if self._default is None:
            self._default = self.adjust(Config()) if self.adjust is not None else Config()
        return self._default

    def for_directory(self, directory: str) -> Config:
        """The configuration that applies to files in ``directory``."""
        if self.explicit is not None:
            return self.explicit
        key = os.path.abspath(directory)
        found = self._dirs.get(key)
        if found is None:
            own = self._own(key)
            parent = os.path.dirname(key)
            found = own if own is not None else (self.default() if parent == key else self.for_directory(parent))
            self._dirs[key] = found
        return found

    def for_path(self, path: str) -> Config:
        absolute = os.path.abspath(path)
        return self.for_directory(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))

    def _own(self, directory: str) -> Config | None:
        """The configuration file of ``directory`` itself, if it has one."""
        if directory not in self._files:
            config: Config | None = None
            candidate = Path(directory) / FLOWLINT_TOML
            data: Mapping[str, object] | None = None
            if candidate.is_file():
                data = _read_toml(candidate)
            else:
                candidate = Path(directory) / PYPROJECT_TOML
                data = _pyproject_section(candidate) if candidate.is_file() else None
            if data is not None:
                config = config_from_mapping(data, _origin(candidate), root=directory)
                config.path = str(candidate)
                if self.adjust is not None:
                    config = self.adjust(config)
            self._files[directory] = config
        return self._files[directory]


def _discover(start_paths: list[str]) -> tuple[Path, Mapping[str, object]] | None:
    start = Path(os.path.abspath(start_paths[0] if start_paths else os.curdir))
    if not start.is_dir():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / FLOWLINT_TOML
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        candidate = directory / PYPROJECT_TOML
        if candidate.is_file():
            section = _pyproject_section(candidate)
            if section is not None:
                return candidate, section
    return None


def _pyproject_section(path: Path) -> Mapping[str, object] | None:
    """[tool.flowlint] of a discovered pyproject.toml, or None when it has none.

    A broken pyproject.toml that does not mention flowlint is someone else's problem (it
    may be a parent project's file): skip it rather than fail every run beneath it.
    """
    try:
        data = _read_toml(path)
    except ConfigError:
        try:
            mentions_us = "flowlint" in path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            mentions_us = False
        if mentions_us:
            raise
        return None
    return _flowlint_section(path, data)


def _flowlint_section(path: Path, data: Mapping[str, object]) -> Mapping[str, object] | None:
    tool = data.get("tool")
    if not isinstance(tool, dict) or "flowlint" not in tool:
        return None
    section = cast(dict[str, object], tool)["flowlint"]
    if not isinstance(section, dict):
        raise ConfigError([f"{_display(path)}: [tool.flowlint] must be a table (got {_type_name(section)})"])
    return cast(dict[str, object], section)


def _read_toml(path: Path) -> dict[str, object]:
    import tomllib  # lazy: ~10 ms, and most runs have no configuration file

    display = _display(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError([f"{display}: cannot read: {exc.strerror or exc}"]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{display}: not UTF-8 (byte offset {exc.start})"]) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_toml_error(display, text, str(exc))]) from exc


def _toml_error(display: str, text: str, message: str) -> str:
    """``file:line:column: invalid TOML: ...`` from tomllib's message (3.11 has no attributes)."""
    match = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message, re.DOTALL)
    if match:
        return f"{display}:{match[2]}:{match[3]}: invalid TOML: {match[1]}"
    if message.endswith(" (at end of document)"):
        lines = text.split("\n")
        return (f"{display}:{len(lines)}:{len(lines[-1]) + 1}: invalid TOML: "
                f"{message.removesuffix(' (at end of document)')} (at end of file)")
    return f"{display}: invalid TOML: {message}"


def _display(path: Path) -> str:
    """The path as the user would write it: relative to the cwd when below it."""
    try:
        relative = os.path.relpath(os.path.abspath(path))
    except ValueError:
        return str(path)
    return str(path) if relative.startswith(os.pardir) else relative


def _origin(path: Path) -> str:
    display = _display(path)
    return f"{display} [tool.flowlint]" if path.name == PYPROJECT_TOML else display


# --------------------------------------------------------------------------- validation


def config_from_mapping(data: Mapping[str, object], origin: str, *, root: str | None = None) -> Config:
    """Validate a raw (kebab-case) mapping and build a :class:`Config`.

    ``origin`` prefixes error messages (a file name, ``pyproject.toml [tool.flowlint]``,
    ``client settings``); ``root`` anchors relative globs (None: the current directory).
    """
    plain = dict(data)  # jsonschema's "object" is dict, not any Mapping
    validate(plain, origin)
    problems: list[str] = []
    select = _selectors(_strings(plain.get("select")), f"{origin}: select", problems)
    ignore = _selectors(_strings(plain.get("ignore")), f"{origin}: ignore", problems)
    severity = {code: Severity(value) for code, value in _table(plain.get("severity")).items()}
    _selectors([code for code in severity if len(code) == 5], f"{origin}: severity", problems)
    per_file_ignores = {glob: _selectors(_strings(codes), f"{origin}: per-file-ignores '{glob}'", problems)
                        for glob, codes in _table(plain.get("per-file-ignores")).items()}
    external_by_type = _by_flow_type(_table(plain.get("external-attributes-by-flow-type")),
                                     f"{origin}: external-attributes-by-flow-type", problems)
    if problems:
        raise ConfigError(problems)
    return Config(
        select=select,
        ignore=ignore,
        severity=severity,
        exclude=_strings(plain.get("exclude")),
        respect_gitignore=plain.get("respect-gitignore") is not False,
        yaml_shadows_exports=plain.get("yaml-shadows-exports") is not False,
        external_attributes=_strings(plain.get("external-attributes")),
        external_attributes_by_flow_type=external_by_type,
        data_action_writers=_strings(plain.get("data-action-writers")),
        external_flows=_strings(plain.get("external-flows")),
        flow_links={name: _strings(before) for name, before in _table(plain.get("flow-links")).items()},
        action_aliases={section: {spelling: str(kind) for spelling, kind in _table(table).items()}
                        for section, table in _table(plain.get("action-aliases")).items()},
        per_file_ignores=per_file_ignores,
        substitutions={key: _scalar_text(value) for key, value in _table(plain.get("substitutions")).items()},
        substitutions_origin=f"{origin} [substitutions]" if plain.get("substitutions") else None,
        options_files=[os.path.join(root, p) if root is not None and not os.path.isabs(p) else p
                       for p in _strings(plain.get("options-files"))],
        root=root,
    )


def _by_flow_type(table: dict[str, object], where: str, problems: list[str]) -> dict[str, list[str]]:
    """Keys as API flow types (``inboundChat`` and ``inboundchat`` both name Inbound Chat);
    an unknown one is a problem with a did-you-mean, not a table that silently never applies."""
    if not table:
        return {}
    import difflib

    from flowlint.tables import flow_types

    known = {spelling.lower(): info.type for spelling, info in flow_types().items()}
    known.update({info.type: info.type for info in flow_types().values()})
    found: dict[str, list[str]] = {}
    for key, names in table.items():
        flow_type = known.get(key.lower())
        if flow_type is None:
            close = difflib.get_close_matches(key.lower(), sorted(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (one of: {', '.join(sorted(set(known.values())))})"
            problems.append(f"{where}: unknown flow type '{key}'{hint}")
            continue
        found.setdefault(flow_type, []).extend(_strings(names))
    return found


def _selectors(values: list[str], where: str, problems: list[str]) -> list[str]:
    """Rule codes, prefixes or names as codes and prefixes; each unknown one is a problem
    (with a did-you-mean): a misspelt code must not silently select or ignore nothing."""
    if not values:
        return []
    from flowlint.registry import UnknownSelector, resolve_selector

    found: list[str] = []
    for value in values:
        try:
            found.append(resolve_selector(value))
        except UnknownSelector as error:
            problems.append(f"{where}: {error}")
    return found


def _scalar_text(value: object) -> str:
    """A TOML scalar as Archy writes it into the flow text (booleans in lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _strings(value: object) -> list[str]:
    return [str(item) for item in cast(list[object], value or [])]


def _table(value: object) -> dict[str, object]:
    return cast(dict[str, object], value or {})


def validate(data: Mapping[str, object], origin: str) -> None:
    """Raise :class:`ConfigError` listing every problem in ``data`` (none: return)."""
    schema = _schema()
    if _certainly_valid(data, schema, schema):
        return  # importing jsonschema costs more than a small check: only for its error messages
    errors = list(_validator().iter_errors(data))
    if not errors:
        return
    problems: list[str] = []
    for error in _most_relevant(errors):
        problems.extend(f"{origin}: {message}" for message in _messages(error, data, schema))
    raise ConfigError(problems)


#: The JSON Schema keywords :func:`_certainly_valid` understands; any other sends the
#: document to jsonschema.
_QUICK_KEYWORDS = frozenset({"$schema", "$comment", "$defs", "title", "description", "type", "properties",
                             "additionalProperties", "propertyNames", "items", "$ref", "pattern", "enum",
                             "minLength"})
_QUICK_TYPES: dict[str, type] = {"object": dict, "array": list, "string": str, "boolean": bool}


def _certainly_valid(value: object, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    """True when ``value`` satisfies ``schema``, for the subset of JSON Schema the config
    schema uses (False also means "not sure": jsonschema then decides, with messages)."""
    if not _QUICK_KEYWORDS.issuperset(schema):
        return False
    ref = schema.get("$ref")
    if ref is not None:
        if not (isinstance(ref, str) and ref.startswith("#/$defs/")):
            return False
        target = root.get("$defs", {}).get(ref[len("#/$defs/"):])
        if target is None or not _certainly_valid(value, target, root):
            return False
    kind = schema.get("type")
    if kind is not None and (not isinstance(kind, str) or kind not in _QUICK_TYPES
                             or not isinstance(value, _QUICK_TYPES[kind])):
        return False
    if "enum" in schema and not any(type(value) is type(option) and value == option for option in schema["enum"]):
        return False
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return False
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            return False
    if isinstance(value, list):
        items = schema.get("items")
        if items is not None and not all(_certainly_valid(item, items, root) for item in cast(list[object], value)):
            return False
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        names = schema.get("propertyNames")
        for key, item in cast(dict[object, object], value).items():
            if names is not None and not _certainly_valid(key, names, root):
                return False
            if isinstance(key, str) and key in properties:
                if not _certainly_valid(item, properties[key], root):
                    return False
            elif extra is False or (isinstance(extra, dict)
                                    and not _certainly_valid(item, cast(Mapping[str, Any], extra), root)):
                return False
    return True


@cache
def _schema() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("flowlint.data").joinpath("config.schema.json").read_text(encoding="utf-8")
    schema = cast(dict[str, Any], json.loads(text))
    # Generated here rather than written in the file so that a new ActionKind is aliasable at once.
    schema["$defs"]["actionKind"]["enum"] = list(ALIASABLE_KINDS)
    return schema


class _Validator(Protocol):
    """The one method used; typeshed's overloads for it are partly untyped."""

    def iter_errors(self, instance: object, /) -> Iterator[ValidationError]: ...


@cache
def _validator() -> _Validator:
    from jsonschema import Draft202012Validator

    return cast(_Validator, Draft202012Validator(_schema()))


def _most_relevant(errors: list[ValidationError]) -> list[ValidationError]:
    """Drop follow-on errors: a value of the wrong type also fails its pattern/enum."""
    typed = {_error_key(e) for e in errors if e.validator == "type"}
    return [e for e in errors if e.validator == "type" or _error_key(e) not in typed]


def _error_key(error: ValidationError) -> tuple[str, ...]:
    about_key = "propertyNames" in error.relative_schema_path
    return (*map(str, error.absolute_path), "<key>" if about_key else "")


def _messages(error: ValidationError, data: Mapping[str, object], schema: Mapping[str, Any]) -> Iterator[str]:
    path = list(error.absolute_path)
    where = _where(path)
    sub = cast(Mapping[str, Any], error.schema)
    instance: object = error.instance
    title = str(sub.get("title", "value"))
    about_key = "propertyNames" in error.relative_schema_path

    if error.validator == "additionalProperties":
        allowed = list(cast(Mapping[str, object], sub.get("properties", {})))
        for key in _unexpected(instance, allowed):
            inside = f" in {where}" if path else ""
            yield f"unknown key {key!r}{inside}{_unknown_key_hint(key, allowed, data, path)}"
    elif error.validator == "type":
        if not path:
            yield f"must be a table (got {_type_name(instance)})"
        else:
            yield f"{where} must be {_describe(sub, schema)} (got {_type_name(instance)})"
    elif error.validator == "pattern":
        value = str(instance)
        what = f"{where}: key {value!r}" if about_key else f"{where}: {value!r}"
        yield f"{what} is not a {title}{_code_hint(value, str(sub['pattern']))}"
    elif error.validator == "enum":
        choices = [str(c) for c in cast(list[object], sub["enum"])]
        suggestion = _suggest(str(instance), choices)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        yield (f"{where}: {instance!r} is not a valid {title}{hint} "
               f"(expected one of {', '.join(map(repr, choices))})")
    elif error.validator == "minLength":
        yield f"{where}: keys must not be empty" if about_key else f"{where} must not be empty"
    else:  # a keyword added to the schema later: jsonschema's own wording beats nothing
        yield f"{where}: {error.message}" if path else error.message


def _unexpected(instance: object, allowed: Iterable[str]) -> list[str]:
    known = set(allowed)
    return [str(k) for k in cast(dict[object, object], instance) if k not in known]


def _where(path: Sequence[object]) -> str:
    """``'flow-links."Support In-Queue"'`` or ``item 2 of 'select'`` (TOML-style dotted keys)."""
    keys = [p for p in path if isinstance(p, str)]
    dotted = ".".join(k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k) for k in keys)
    last = path[-1] if path else None
    if isinstance(last, int):
        return f"item {last + 1} of {dotted!r}"
    return repr(dotted)


def _unknown_key_hint(key: str, allowed: list[str], data: Mapping[str, object], path: Sequence[object]) -> str:
    if not path and key == "tool" and isinstance(data.get("tool"), dict):
        return (" (in .flowlint.toml the settings go at the top level; "
                "[tool.flowlint] is for pyproject.toml)")
    suggestion = _suggest(key, allowed)
    return f" (did you mean {suggestion!r}?)" if suggestion else ""


def _code_hint(value: str, pattern: str) -> str:
    canonical = re.sub(r"[^A-Za-z0-9]", "", value).upper()
    if canonical != value and re.fullmatch(pattern, canonical):
        return f" (did you mean {canonical!r}?)"
    if pattern.endswith("{3}$"):
        return " (expected 'FL' and three digits, e.g. 'FL001')"
    return " (expected 'FL' and up to three digits, e.g. 'FL0' or 'FL001')"


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    """The choice ``word`` most likely meant: same key modulo case/_/camelCase, else close."""
    import difflib

    normalized = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", word).replace("_", "-").lower()
    for choice in choices:
        if choice == normalized:
            return choice
    close = difflib.get_close_matches(normalized, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _resolve(sub: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = sub.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return cast(Mapping[str, Any], schema["$defs"][ref.removeprefix("#/$defs/")])
    return sub


def _describe(sub: Mapping[str, Any], schema: Mapping[str, Any]) -> str:
    sub = _resolve(sub, schema)
    kind = sub.get("type")
    if kind == "array":
        items = sub.get("items")
        if not isinstance(items, Mapping):
            return "a list"
        return f"a list of {_plural(_resolve(cast(Mapping[str, Any], items), schema))}"
    if kind == "object":
        return "a table"
    if kind == "string":
        return "a string"
    return "a valid value"


def _plural(sub: Mapping[str, Any]) -> str:
    return {"string": "strings", "array": "lists", "object": "tables"}.get(str(sub.get("type")), "values")


def _type_name(value: object) -> str:
    import datetime

    if isinstance(value, bool):  # before int: bool is an int subclass
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, datetime.date | datetime.time):
        return "a date/time"
    if value is None:
        return "null"
    return type(value).__name__
