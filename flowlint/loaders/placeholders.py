"""Template placeholders in Archy YAML: ``{{name}}``, ``${name}`` and ``<name>``.

Many real flow files are templates (Archy substitutions, Terraform ``templatefile``,
deploy scripts) and are not valid YAML until substituted.  We replace every placeholder
with a token of *exactly the same length* made of Unicode private-use characters, parse,
and restore the original text in every scalar.  Equal length keeps every line and column
of the parsed document identical to the original file, so no position mapping is needed;
private-use characters are legal in YAML plain scalars and never occur in real flows.

Token layout: MARK, two index digits (base 4096), then PAD up to the placeholder length.
The shortest placeholder (``<x>``) is 3 characters, exactly the minimum token length.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowlint.deploy.model import Deployment

MARK = "\ue000"
_PAD = "\ue001"
_DIGIT0 = 0xE100
_BASE = 4096
MAX_PLACEHOLDERS = _BASE * _BASE

PLACEHOLDER_RE = re.compile(
    r"\{\{[^{}\n]*\}\}"  # {{name}}: Archy / Terraform genesyscloud_flow substitutions
    r"|\$\{[^{}\n]*\}"  # ${name}: Terraform templatefile()
    r"|<[A-Za-z_][A-Za-z0-9_]*>"  # <name>: deploy-script placeholders
)
TOKEN_RE = re.compile(MARK + "[\ue100-\uf0ff]{2}" + _PAD + "*")


#: YAML's double-quoted escapes of one character by its code point.
_ESCAPE_RE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2) or match.group(3), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def _token(index: int, length: int) -> str:
    high, low = divmod(index, _BASE)
    return MARK + chr(_DIGIT0 + high) + chr(_DIGIT0 + low) + _PAD * (length - 3)


def substitute(text: str) -> tuple[str, dict[str, str]]:
    """Replace placeholders by same-length tokens; return the new text and token -> original."""
    if "{{" not in text and "${" not in text and "<" not in text:
        return text, {}
    mapping: dict[str, str] = {}
    # A text that already holds token-like characters (hostile, never a real flow): skip the
    # indices it spells, so that restoring never mistakes its own characters for a token;
    # also those spelt by escapes (``"\ue000..."``), which YAML decodes in the scalar.
    taken = {m.group(0)[:3] for m in TOKEN_RE.finditer(text)} if MARK in text else set[str]()
    if "\\" in text:
        escaped = _ESCAPE_RE.sub(_unescape, text)
        if MARK in escaped:
            taken |= {m.group(0)[:3] for m in TOKEN_RE.finditer(escaped)}
    next_index = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal next_index
        while next_index < MAX_PLACEHOLDERS and _token(next_index, 3) in taken:
            next_index += 1
        if next_index >= MAX_PLACEHOLDERS:
            return match.group(0)
        token = _token(next_index, len(match.group(0)))
        next_index += 1
        mapping[token] = match.group(0)
        return token

    new_text = PLACEHOLDER_RE.sub(replace, text)
    return new_text, mapping


def restore(value: str, mapping: dict[str, str]) -> str:
    """Put the original placeholder text back into a scalar value."""
    if MARK not in value:
        return value

    def original(match: re.Match[str]) -> str:
        token, rest = match.group(0), ""
        while token not in mapping and token.endswith(_PAD):  # a pad character right after a token
            token, rest = token[:-1], rest + _PAD
        return mapping[token] + rest if token in mapping else match.group(0)

    return TOKEN_RE.sub(original, value)


def has_placeholder(value: str) -> bool:
    """True when a (restored) string contains template placeholders, so its content is unknown."""
    return PLACEHOLDER_RE.search(value) is not None


def deployed_mapping(mapping: dict[str, str], deployment: Deployment) -> dict[str, str]:
    """token -> deployed text, for the tokens of ``mapping`` (token -> placeholder) that the
    deployment replaces; the others keep their placeholder text (opaque)."""
    values = deployment.values()
    template = deployment.template_values() if deployment.template_vars is not None else None
    result: dict[str, str] = {}
    for token, original in mapping.items():
        replaced = original
        if original.startswith("{{"):
            found = values.get(original[2:-2])
            if found is not None:
                replaced = found.text
        elif original.startswith("${") and template is not None:
            found = template.get(original[2:-1])
            if found is not None:
                replaced = found.text
        result[token] = replaced
    return result
