"""Archy options files: YAML with a top-level ``substitutions:`` mapping (semantics-2.md §7.2).

``archy publish --file flow.yaml --optionsFile opts.yaml`` replaces each ``{{key}}`` of the
flow with the options file's value.  An options file applies to the flow its ``file:`` key
names, else to every flow file in its own directory that no Terraform resource deploys.
Values may be strings, numbers or booleans (written as in the file); other keys of the file
(``clientId``, ``clientSecret``, ``location``...) are CLI parameters, never read.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from functools import cache

from flowlint.deploy.model import Origin, Substitution, is_secret_key
from flowlint.ir import Span

#: Cheap pre-check on raw bytes: a top-level ``substitutions:`` key.
_TOP_SUBSTITUTIONS = re.compile(rb"(?m)^substitutions[ \t]*:")
MAX_OPTIONS_BYTES = 1024 * 1024


@dataclass(slots=True)
class OptionsFile:
    path: str
    substitutions: list[Substitution] = field(default_factory=lambda: [])
    #: The flow file its ``file:`` key names (absolute), if any.
    file: str | None = None
    error: str | None = None
    error_span: Span | None = None


#: The first top-level key of a YAML file.
_FIRST_KEY = re.compile(rb"^([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)


@cache
def _flow_keys() -> frozenset[bytes]:
    from flowlint.tables import flow_types

    return frozenset(key.lower().encode("ascii", "replace") for key in flow_types())


#: The start of a file read to tell an options file from a flow (real options files are small).
HEAD_BYTES = 4096


def may_be_options(data: bytes) -> bool:
    # The substring test runs at C speed; the line-anchored search only when it can match.
    return b"substitutions" in data and _TOP_SUBSTITUTIONS.search(data) is not None


#: path -> (stat key, verdict): a resident server or language server asks again on every run.
_CHECKED: dict[str, tuple[tuple[int, int, int, int], bool]] = {}


def may_be_options_file(path: str) -> bool:
    """Cheap pre-check on disk: a YAML file that may have a top-level ``substitutions:``.
    Flow files (most YAML files here) are ruled out by their first top-level key, read from
    the first few KB: re-reading every flow whole would cost a warm re-check a third."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    known = _CHECKED.get(path)
    if known is not None and known[0] == key:
        return known[1]
    verdict = _may_be_options_file(path)
    if len(_CHECKED) > 100_000:
        _CHECKED.clear()
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > 2_000_000_000:  # clocks are coarse: as git does
        _CHECKED[path] = (key, verdict)
    return verdict


def _may_be_options_file(path: str) -> bool:
    from flowlint.loaders import read_flow_bytes

    try:
        head = read_flow_bytes(path, HEAD_BYTES)
        if head is None:
            return False
        if b"substitutions" in head:
            return may_be_options(head) or len(head) == HEAD_BYTES
        first = _FIRST_KEY.search(head)
        if len(head) < HEAD_BYTES or (first is not None and first.group(1).lower() in _flow_keys()):
            return False
        data = read_flow_bytes(path, MAX_OPTIONS_BYTES + 1)
    except OSError:
        return False
    return data is not None and may_be_options(data)


def parse_options(path: str, text: str) -> OptionsFile | None:
    """The options file's substitutions, or None when ``text`` is not an options file."""
    import yaml
    from yaml.nodes import MappingNode, ScalarNode

    from flowlint.loaders.archy_yaml import looks_like_flow

    if looks_like_flow(text) is not None:
        return None
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        compose = yaml.compose  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        root = compose(text, Loader=loader)  # pyright: ignore[reportUnknownVariableType]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        span = Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark else None
        return OptionsFile(path, error=f"invalid YAML: {error.problem or 'syntax error'}", error_span=span)
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        return OptionsFile(path, error=f"invalid YAML: {error}")
    if not isinstance(root, MappingNode):
        return None
    found = OptionsFile(path)
    subs_node = None
    for key, value in root.value:  # pyright: ignore[reportUnknownVariableType]
        if not isinstance(key, ScalarNode):
            continue
        if key.value == "substitutions":
            subs_node = value  # pyright: ignore[reportUnknownVariableType]
        elif key.value == "file" and isinstance(value, ScalarNode) and value.value:
            found.file = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), str(value.value)))
    if not isinstance(subs_node, MappingNode):
        return None
    for key, value in subs_node.value:  # pyright: ignore[reportUnknownVariableType]
        if not isinstance(key, ScalarNode) or not isinstance(value, ScalarNode):
            continue
        name = str(key.value)
        mark, end = key.start_mark, key.end_mark
        origin = Origin(path, Span(mark.line + 1, mark.column + 1, end.line + 1, end.column + 1))
        if is_secret_key(name):
            found.substitutions.append(Substitution(name, "{{" + name + "}}", False, origin, True))
        else:
            found.substitutions.append(Substitution(name, str(value.value), True, origin))
    return found


def command_line(values: dict[str, str], origin: str) -> list[Substitution]:
    """``--substitute KEY=VALUE`` / config ``[substitutions]`` values as substitutions."""
    found: list[Substitution] = []
    for key, value in sorted(values.items()):
        place = Origin(origin, None)
        if is_secret_key(key):
            found.append(Substitution(key, "{{" + key + "}}", False, place, True))
        else:
            found.append(Substitution(key, value, True, place))
    return found
