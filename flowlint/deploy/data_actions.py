"""Data action definitions in a repository, classified by what their request does to attributes.

A Genesys Cloud data action whose request is ``PATCH .../participants/{id}/attributes``
writes whatever attribute map it is given (semantics-2.md §4, observed in public
CX-as-code repositories): a flow that calls one may set any participant attribute, so
"Get before Set" downstream cannot be decided. Two places define them beside the flows:
the Architect/Admin export (``<name>.custom.json``) and Terraform's
``genesyscloud_integration_action`` (read by :mod:`flowlint.deploy.terraform`).

Only the request type and URL template are read; nothing is executed or fetched.
"""

from __future__ import annotations

import json
import re

from flowlint.deploy.model import DataActionDefinition, DataActionEffect, Origin
from flowlint.ir import Span

#: Data action exports as the Genesys Cloud UI downloads them.
EXPORT_SUFFIX = ".custom.json"
#: A definition larger than this is not a data action export (they are a few KB).
MAX_DEFINITION_BYTES = 512 * 1024

#: The exporter appends " - Exported <date> @ <time>" to the name; flows call the action by
#: the name without it.
_EXPORTED_SUFFIX = re.compile(r"\s+-\s+Exported\s.*$")
#: ``/api/v2/conversations[/<media>]/{id}/participants/{id}/attributes`` with any template
#: syntax for the ids (``${input.x}``, Terraform's escaped ``$${input.x}``, a literal id).
_PARTICIPANT_ATTRIBUTES = re.compile(r"/api/v2/conversations/(?:[a-z]+/)?[^/]+/participants/[^/]+/attributes/?$")
_SECURE_ATTRIBUTES = re.compile(r"/api/v2/conversations/[^/]+/secureattributes/?$")
_WRITES = frozenset({"PATCH", "PUT", "POST"})


def classify(request_type: str, url_template: str) -> DataActionEffect | None:
    """What a request does to conversation attributes (None: nothing flowlint tracks)."""
    if request_type.upper() not in _WRITES:
        return None
    path = url_template.split("?", 1)[0].strip()
    if _PARTICIPANT_ATTRIBUTES.search(path):
        return DataActionEffect.WRITES_PARTICIPANT_DATA
    if _SECURE_ATTRIBUTES.search(path):
        return DataActionEffect.WRITES_SECURED_DATA
    return None


def action_name(name: str) -> str:
    """The name flows call an exported data action by."""
    return _EXPORTED_SUFFIX.sub("", name).strip()


def is_export(path: str) -> bool:
    return path.lower().endswith(EXPORT_SUFFIX)


def read_export(path: str, text: str) -> DataActionDefinition | None:
    """The definition in a ``*.custom.json`` export, if it writes attributes.

    Anything else (not JSON, another shape, a read-only action) is None: such a file is not
    a flow and not flowlint's to judge.
    """
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    name, config = doc.get("name"), doc.get("config")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if not isinstance(name, str) or not isinstance(config, dict):
        return None
    request = config.get("request")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if not isinstance(request, dict):
        return None
    url, kind = request.get("requestUrlTemplate"), request.get("requestType")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if not isinstance(url, str) or not isinstance(kind, str):
        return None
    effect = classify(kind, url)
    if effect is None:
        return None
    line = _line_of(text, '"requestUrlTemplate"')
    span = Span(line, 1, line, 1) if line else None
    return DataActionDefinition(action_name(name), effect, Origin(path, span), f"{kind.upper()} {url}")


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 0
