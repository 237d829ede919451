"""Loading an Archy YAML file as it is deployed: once per deployment, with its substitutions.

The provider (and Archy) replace each exact ``{{key}}`` in the raw text before the YAML is
parsed (semantics-2.md §7.1); ``templatefile()`` replaces ``${key}`` first when the file is
rendered through ``local_file``.  We keep the placeholder machinery of
:mod:`flowlint.loaders.placeholders` (same-length tokens, so every position is the
template's own) and let each token restore to the *deployed* text instead of the
placeholder: a finding in a substituted value points at the placeholder, and a flow named
``{{flow_name}}`` carries its real name into the cross-flow graph.

Checks that need the file and its deployment together are made here, once per deployment:
FL110 (a placeholder without a value), FL111 (a key the file never uses), FL112 (a resource
argument written inside ``substitutions``), FL113 (a placeholder that is never replaced),
FL114 (a credential substituted into the flow) and FL100 for values that break the YAML.
Secret values are never substituted into the linted text and never printed.
"""

from __future__ import annotations

import re

from flowlint.deploy.model import (
    EXACT_PLACEHOLDER_RE,
    SPACED_PLACEHOLDER_RE,
    TEMPLATE_PLACEHOLDER_RE,
    Deployment,
    Substitution,
    is_secret_key,
)
from flowlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from flowlint.ir import Span
from flowlint.loaders.result import LoadResult
from flowlint.tables import ActionTable

#: Resource arguments that mean something to the provider, never to a flow file (FL112).
RESOURCE_ARGUMENTS = frozenset({"force_unlock", "filepath", "file_content_hash", "update_trigger_hash", "name", "type",
                                "substitutions", "depends_on", "lifecycle", "provider", "count", "for_each"})
#: Characters a value cannot hold without possibly changing the YAML around it (no escaping).
_RISKY = re.compile(r"[\"'#:\n\r\t{}\[\],&*!|>%@`]|^[\s\-?]|\s$")
_LINE_BREAK_RE = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def severity(code: str) -> Severity:
    from flowlint.registry import rule_info

    return rule_info(code).severity


def load_deployed(path: str, text: str, table: ActionTable | None, deployments: tuple[Deployment, ...]) -> LoadResult:
    """Load ``text`` once per deployment (a file no resource deploys: once, placeholders opaque)."""
    from flowlint.loaders.archy_yaml import load_yaml_text

    if not deployments:
        result = load_yaml_text(path, text, table)
        if not result.not_a_flow:
            result.diagnostics.extend(_never_substituted(path, text, None))
        return result
    merged: LoadResult | None = None
    for deployment in deployments:
        result = load_yaml_text(path, text, table, deployment, merged.source if merged is not None else None)
        if result.not_a_flow:
            return result
        found = list(result.diagnostics)
        found.extend(substitution_findings(path, text, deployment))
        # Values from the command line or the configuration alone are not a deployment to name.
        label = deployment.address if deployment.kind == "terraform" or deployment.keys_known else None
        for flow in result.flows:
            flow.deployment = label
            flow.root = deployment.root
        for diagnostic in found:
            diagnostic.deployment = label
        # Every deployment's findings are kept: finalize merges one defect found in several
        # deployments into one finding that names them all.
        if merged is None:
            merged = LoadResult(result.source, list(result.flows), found)
        else:
            merged.flows.extend(result.flows)
            merged.diagnostics.extend(found)
    assert merged is not None
    return merged


def _comment_start(line: str) -> int:
    """Index of a YAML comment's ``#`` in ``line`` (outside quotes), else len(line)."""
    quote: str | None = None
    for index, char in enumerate(line):
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "\"'" and (index == 0 or line[index - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
    return len(line)


def _placeholders(text: str, pattern: re.Pattern[str]) -> list[tuple[re.Match[str], Span]]:
    """Matches of ``pattern`` (within one line) outside YAML comments, with their spans."""
    from flowlint.loaders.yaml_scalar import index_to_position

    found: list[tuple[re.Match[str], Span]] = []
    if "{{" not in text and "${" not in text:
        return found
    comments: dict[int, int] = {}  # line start -> where its comment starts (once per line: lines can be long)
    for match in pattern.finditer(text):
        line, column = index_to_position(text, match.start())
        line_start = match.start() - (column - 1)
        limit = comments.get(line_start)
        if limit is None:
            breaks = _LINE_BREAK_RE.search(text, match.end())
            limit = comments[line_start] = _comment_start(text[line_start:breaks.start() if breaks else len(text)])
        if column - 1 < limit:
            found.append((match, Span(line, column, line, column + match.end() - match.start())))
    return found


def _fl(code: str, message: str, path: str, span: Span | None, logical: str) -> Diagnostic:
    return Diagnostic(code, severity(code), message, path, span, logical)


def _never_substituted(path: str, text: str, deployment: Deployment | None) -> list[Diagnostic]:
    """FL113: ``{{ key }}`` with spaces (never replaced); ``${key}`` in a file deployed through
    ``substitutions`` but not rendered by ``templatefile()``."""
    found: list[Diagnostic] = []
    for match, span in _placeholders(text, SPACED_PLACEHOLDER_RE):
        key = (match.group(2) or match.group(5) or "").strip()
        if not key:
            continue
        found.append(_fl("FL113", f"'{match.group(0)}' is never substituted: Terraform and Archy replace only the exact "
                                  f"'{{{{{key}}}}}' (no spaces inside the braces); write '{{{{{key}}}}}'",
                         path, span, "placeholder"))
        if EXACT_PLACEHOLDER_RE.fullmatch(f"{{{{{key}}}}}"):  # a key with inner spaces has no exact form
            found[-1].fixes = (_placeholder_fix(match.group(0), key, span, Applicability.SAFE),)
    if deployment is not None and deployment.template_vars is None and deployment.kind == "terraform":
        for match, span in _placeholders(text, TEMPLATE_PLACEHOLDER_RE):
            key = match.group(1)
            hint = f"write '{{{{{key}}}}}' and give '{key}' in substitutions" if re.fullmatch(r"\w+", key) else \
                "use a '{{key}}' placeholder and give its value in substitutions"
            found.append(_fl("FL113", f"'{match.group(0)}' is never substituted: {deployment.address} deploys this file "
                                      f"with substitutions, which replace only '{{{{key}}}}' ('${{...}}' is "
                                      f"templatefile() syntax); {hint}", path, span, "placeholder"))
            if re.fullmatch(r"\w+", key):  # substituted from now on: what the flow does changes
                found[-1].fixes = (_placeholder_fix(match.group(0), key, span, Applicability.UNSAFE),)
    return found


def _placeholder_fix(written: str, key: str, span: Span, applicability: Applicability) -> Fix:
    return Fix(f"Write '{{{{{key}}}}}'", (Edit(span, f"{{{{{key}}}}}", written),), applicability)


def substitution_findings(path: str, text: str, deployment: Deployment) -> list[Diagnostic]:
    found = _never_substituted(path, text, deployment)
    used: set[str] = set()
    values = deployment.values()
    who = deployment.address
    for match, span in _placeholders(text, EXACT_PLACEHOLDER_RE):
        key = match.group(1)
        used.add(key)
        if key not in values and deployment.keys_known:
            where = "its substitutions" if deployment.kind == "terraform" else "the substitutions given"
            close = _close(key, list(values))
            hint = f"did you mean '{close}'? " if close else ""
            found.append(_fl("FL110", f"'{{{{{key}}}}}' has no value in {where} ({who}): the placeholder is deployed "
                                      f"as literal text (Archy fails, or callers hear '{{{{{key}}}}}'); {hint}add "
                                      f"'{key}' to the substitutions or remove the placeholder",
                             path, span, "placeholder"))
    # Occurrences anywhere in the text count as uses (the provider replaces in comments too).
    used.update(m.group(1) for m in EXACT_PLACEHOLDER_RE.finditer(text))
    for substitution in deployment.substitutions:
        found.extend(_key_findings(substitution, used, deployment))
    broken = _breaks_yaml(path, text, deployment)
    if broken is not None:
        found.append(broken)
    return found


def _key_findings(substitution: Substitution, used: set[str], deployment: Deployment) -> list[Diagnostic]:
    key = substitution.key
    origin = substitution.origin
    who = deployment.address
    if key not in used:
        if deployment.kind != "terraform":
            return []  # an options file may serve several flows: FL111 is decided over all of them
        if key in RESOURCE_ARGUMENTS:
            return [_fl("FL112", f"'{key}' is written inside substitutions of {who}, so it is a substitution key "
                                 f"(no placeholder uses it), not the resource argument: move '{key}' out of the "
                                 "substitutions map", origin.path, origin.span, f"substitution '{key}'")]
        return [_fl("FL111", f"substitution '{key}' of {who} is not used: the deployed file has no "
                             f"'{{{{{key}}}}}'; remove it or add the placeholder", origin.path, origin.span,
                    f"substitution '{key}'")]
    if substitution.secret and origin.span is not None:  # command-line values have no place to point at
        named = f"'{key}' names a credential" if is_secret_key(key) else \
            f"'{key}' carries a credential ({substitution.source})"
        return [_fl("FL114", f"{named} and {who} substitutes it into the flow, where it is "
                             "published in clear text to everyone who can read flows: keep credentials in an "
                             "integration's credentials (data actions) instead", origin.path, origin.span,
                    f"substitution '{key}'")]
    return []


def _close(key: str, keys: list[str]) -> str | None:
    import difflib

    lowered = {k.lower(): k for k in keys}
    if key.lower() in lowered:
        return lowered[key.lower()]
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.8)
    return close[0] if close else None


def _breaks_yaml(path: str, text: str, deployment: Deployment) -> Diagnostic | None:
    """FL100 when known values, substituted as the provider does (no escaping), make the
    file invalid YAML though the template itself parses.  The value is never printed."""
    risky = [s for s in deployment.substitutions if s.known and _RISKY.search(s.text)]
    risky_vars = [s for s in deployment.template_vars or () if s.known and _RISKY.search(s.text)]
    if not risky and not risky_vars:
        return None
    rendered = text
    for substitution in deployment.template_vars or ():
        if substitution.known:
            rendered = re.sub(r"(?<!\$)\$\{" + re.escape(substitution.key) + r"\}",
                              lambda _m, v=substitution.text: v, rendered)
    for substitution in deployment.substitutions:
        if substitution.known:
            rendered = rendered.replace("{{" + substitution.key + "}}", substitution.text)
    from flowlint.loaders import placeholders
    from flowlint.loaders.archy_yaml import compose_error

    substituted, _ = placeholders.substitute(rendered)
    problem = compose_error(substituted)
    if problem is None:
        return None
    culprit = (risky or risky_vars)[0]
    marker = "{{" + culprit.key + "}}" if culprit in risky else "${" + culprit.key + "}"
    span: Span | None = None
    for match, found_span in _placeholders(text, re.compile(re.escape(marker))):
        del match
        span = found_span
        break
    return _fl("FL100", f"after substitution by {deployment.address} the file is not valid YAML ({problem}): the value "
                        f"of '{culprit.key}' holds characters that change the YAML around '{marker}' (substitution "
                        "does no escaping); quote the placeholder or change the value", path, span, "placeholder")

