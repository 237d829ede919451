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
from dataclasses import dataclass, field

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


def may_be_options(data: bytes) -> bool:
    return _TOP_SUBSTITUTIONS.search(data) is not None


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
