"""The repository stage: how every flow file is deployed, before any flow is loaded.

Sources, strongest first for a given flow file:

1. Terraform: every ``genesyscloud_flow`` of the ``.tf`` files under the linted paths
   (:mod:`flowlint.deploy.terraform`).  A file deployed by Terraform is linted once per
   resource instance, exactly as deployed; nothing else applies to it.
2. An Archy options file: named by ``--substitutions FILE`` or config ``options-files``, or
   found next to the flow (a YAML file with a top-level ``substitutions:`` mapping; its
   ``file:`` key, when present, names the one flow it is for).
3. ``--substitute KEY=VALUE`` and the config ``[substitutions]`` table: values for every
   other flow file, on top of its options file (command line first).  These are partial by
   nature, so a placeholder they do not cover is not reported (FL110) unless an options
   file covers the flow.

A file no source covers is linted as before: its placeholders stay opaque.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowlint.config import Config
from flowlint.deploy.data_actions import MAX_DEFINITION_BYTES, is_export, read_export
from flowlint.deploy.hcl import TfFile
from flowlint.deploy.model import DataActionDefinition, Deployment, Deployments, Origin, Substitution
from flowlint.deploy.options import (
    MAX_OPTIONS_BYTES,
    OptionsFile,
    command_line,
    may_be_options,
    may_be_options_file,
    parse_options,
)
from flowlint.diagnostics import Diagnostic, Severity
from flowlint.ir import Span
if TYPE_CHECKING:
    from flowlint.cache import Cache


@dataclass(slots=True)
class Repository:
    """What the repository stage found."""

    deployments: Deployments = field(default_factory=Deployments)
    #: Findings in .tf / options files that no flow file load produces (FL100, FL111, FL115, FL116).
    findings: list[Diagnostic] = field(default_factory=lambda: [])
    #: The flow files to load ((path, format)), generated copies left out.
    flow_files: list[tuple[str, str]] = field(default_factory=lambda: [])
    #: Data actions defined in the repository that write conversation attributes.
    data_actions: list[DataActionDefinition] = field(default_factory=lambda: [])


#: Parsed .tf files by (path, content digest): parsed once per run, and kept by a resident
#: server or language server between runs.
_PARSED: dict[tuple[str, str], TfFile] = {}
_MAX_PARSED = 4096


def diagnostic_maker(severity_of: Callable[[str], Severity]) -> Callable[..., Diagnostic]:
    """Findings of the repository stage, at their rule's default severity (overrides apply later)."""
    def make(code: str, message: str, path: str, span: Span | None, logical: str) -> Diagnostic:
        return Diagnostic(code, severity_of(code), message, path, span, logical)

    return make


def _severity(code: str) -> Severity:
    from flowlint.registry import rule_info

    return rule_info(code).severity


def _read_text(path: str, limit: int) -> tuple[str | None, str | None]:
    """(text, None) or (None, why it cannot be read)."""
    from flowlint.loaders import decode_text, read_flow_bytes

    try:
        data = read_flow_bytes(path)
    except OSError as error:
        return None, f"cannot read file: {error.strerror or error}"
    if data is None:
        return None, "not a regular file"
    if len(data) > limit:
        return None, f"file is too large to read (over {limit // 2**20} MB)"
    try:
        return decode_text(data), None
    except UnicodeDecodeError as error:
        return None, f"file is not valid UTF-8 (byte {error.start}: {error.reason})"


def parse_tf(path: str, text: str) -> TfFile:
    """python-hcl2 and lark are imported only when a Terraform file has to be parsed."""
    from flowlint.deploy.hcl_tree import parse_tf as parse

    return parse(path, text)


def parse_terraform_file(path: str, text: str | None = None, cache: Cache | None = None) -> TfFile:
    """One .tf/.tfvars file, parsed (from ``text`` when given, e.g. an editor buffer): from
    memory, else from the on-disk cache, else by python-hcl2 (whose import alone costs more
    than a warm re-check should)."""
    from flowlint.deploy.hcl import MAX_TF_BYTES

    if text is None:
        text, problem = _read_text(path, MAX_TF_BYTES)
        if text is None:
            return TfFile(path, error=problem)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    key = (path, digest)
    found = _PARSED.get(key)
    if found is None and cache is not None:
        found = cache.get_parsed(path, digest)
    if found is None:
        found = parse_tf(path, text)
        if cache is not None:
            cache.put_parsed(path, digest, found)
    if len(_PARSED) >= _MAX_PARSED:
        _PARSED.clear()
    _PARSED[key] = found
    return found


def read_repository(files: Sequence[tuple[str, str]], config: Config,
                    texts: Callable[[str], str | None] | None = None, cache_dir: str | None = None) -> Repository:
    """Deployments of the flow files among ``files`` ((path, format) from discovery, Terraform
    files included).  ``texts`` gives editor buffers by path (None: read the disk);
    ``cache_dir`` keeps parsed Terraform files between runs."""
    from flowlint.loaders.discover import TERRAFORM

    get_text: Callable[[str], str | None] = texts or _from_disk
    make = diagnostic_maker(_severity)
    terraform = [path for path, fmt in files if fmt == TERRAFORM]
    cache: Cache | None = None
    if terraform and cache_dir is not None:
        from flowlint.cache import Cache

        cache = Cache(cache_dir, None, shared="terraform")
    tf_files = [parse_terraform_file(path, get_text(path), cache) for path in terraform]
    flows = [(path, fmt) for path, fmt in files if fmt != TERRAFORM and not is_export(path)]
    repository = Repository()
    repository.data_actions = _data_action_exports([p for p, _ in files if is_export(p)], get_text)
    if tf_files:
        from flowlint.deploy.terraform import read_terraform  # its evaluator: only with Terraform files

        repository.deployments, repository.findings, defined = read_terraform(tf_files, make)
        repository.data_actions.extend(defined)
    repository.data_actions = sorted(set(repository.data_actions), key=lambda d: (d.name, d.origin.path))
    deployments = repository.deployments
    # Deployments are keyed by the flow file as discovered (its display path).
    by_abs = {os.path.normpath(os.path.abspath(path)): path for path, _ in flows} if deployments.by_file else {}
    keyed = Deployments(generated=deployments.generated)
    for target, found in sorted(deployments.by_file.items()):
        shown = by_abs.get(target)
        if shown is not None:
            for deployment in found:
                keyed.add(_retarget(deployment, shown))
            continue
        for deployment in found:
            repository.findings.append(_not_linted(deployment, target, config, make))
    repository.flow_files = [(p, f) for p, f in flows if not deployments.generated
                             or os.path.normpath(os.path.abspath(p)) not in deployments.generated or p in keyed.by_file]
    _options(repository, keyed, config, get_text, make)
    repository.deployments = keyed
    return repository


def _from_disk(_path: str) -> str | None:
    return None


def _data_action_exports(paths: list[str], get_text: Callable[[str], str | None]) -> list[DataActionDefinition]:
    found: list[DataActionDefinition] = []
    for path in paths:
        text = get_text(path)
        if text is None:
            try:
                if os.path.getsize(path) > MAX_DEFINITION_BYTES:
                    continue
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue  # unreadable: not a flow, nothing to report
        definition = read_export(path, text)
        if definition is not None:
            found.append(definition)
    return found


def _retarget(deployment: Deployment, path: str) -> Deployment:
    from dataclasses import replace

    return replace(deployment, file=path)


def _not_linted(deployment: Deployment, target: str, config: Config, make: Callable[..., Diagnostic]) -> Diagnostic:
    origin = deployment.origin
    shown = os.path.relpath(target) if not os.path.relpath(target).startswith(os.pardir * 3) else target
    if not os.path.exists(target):
        return make("FL115", f"{deployment.address} deploys '{shown}', which does not exist: terraform apply fails "
                             "(Terraform resolves a relative filepath against the root module's directory, the "
                             "working directory; use \"${path.module}/...\" for a file beside the module)",
                    origin.path, origin.span, deployment.address)
    if config.is_excluded(target):
        why = "it is excluded by the configuration"
    else:
        why = "it is outside the linted paths"
    return make("FL116", f"{deployment.address} deploys '{shown}', which is not linted ({why}): its placeholders "
                         "and cross-flow links are not checked as deployed", origin.path, origin.span,
                deployment.address)


def _options(repository: Repository, keyed: Deployments, config: Config, get_text: Callable[[str], str | None],
             make: Callable[..., Diagnostic]) -> None:
    """Options files, --substitute values and the config table, for files Terraform does not deploy."""
    named = list(config.options_files)
    found: list[OptionsFile] = []
    for path in named:
        text, problem = (get_text(path), None)
        if text is None:
            text, problem = _read_text(path, MAX_OPTIONS_BYTES)
        parsed = parse_options(path, text) if text is not None else None
        if parsed is None:
            repository.findings.append(make("FL100", f"options file '{path}' "
                                                     f"{problem or 'has no top-level substitutions: mapping'}",
                                            path, None, "file"))
            continue
        found.append(parsed)
    named_abs = {os.path.abspath(p) for p in named}
    for path, fmt in repository.flow_files:
        if fmt != "yaml" or path in keyed.by_file or (named_abs and os.path.abspath(path) in named_abs):
            continue
        text = get_text(path)
        if text is None:
            if not may_be_options_file(path):
                continue
            text, _ = _read_text(path, MAX_OPTIONS_BYTES)
        elif not may_be_options(text.encode("utf-8", "surrogatepass")):
            continue
        parsed = parse_options(path, text) if text is not None else None
        if parsed is not None:
            found.append(parsed)
    for options in found:
        if options.error is not None:
            repository.findings.append(make("FL100", f"cannot read this options file ({options.error})",
                                            options.path, options.error_span, "file"))
    extra = command_line(config.substitutions, config.substitutions_origin or "configuration [substitutions]")
    if not found and not extra:
        return
    flow_files = [(p, f) for p, f in repository.flow_files if f == "yaml" and p not in keyed.by_file]
    usable = sorted((o for o in found if o.error is None), key=lambda o: o.path)
    usage: dict[int, set[str]] = {}
    for path, _ in flow_files:
        options = _options_for(os.path.abspath(path), usable)
        if options is None and not extra:
            continue
        values: dict[str, Substitution] = {}
        if options is not None:
            values.update((s.key, s) for s in options.substitutions)
        values.update((s.key, s) for s in extra)  # the command line / config over the options file
        address = f"options file {options.path}" if options is not None else (extra[0].origin.path if extra else "")
        origin = Origin(options.path, None) if options is not None else Origin(address, None)
        deployment = Deployment(path, address, origin, tuple(values[k] for k in sorted(values)), None,
                                options is not None, "", "options")
        keyed.add(deployment)
        if options is not None:
            text = get_text(path)
            if text is None:
                text, _ = _read_text(path, 16 * 1024 * 1024)
            if text is not None:
                from flowlint.deploy.model import EXACT_PLACEHOLDER_RE

                usage.setdefault(id(options), set()).update(m.group(1) for m in EXACT_PLACEHOLDER_RE.finditer(text))
    for options in found:
        if options.error is not None or id(options) not in usage:
            continue
        for substitution in options.substitutions:  # FL111: a key no flow it applies to uses
            if substitution.key not in usage[id(options)]:
                repository.findings.append(make(
                    "FL111", f"substitution '{substitution.key}' of options file {options.path} is not used: no flow "
                             f"it applies to has '{{{{{substitution.key}}}}}'; remove it or add the placeholder",
                    options.path, substitution.origin.span, f"substitution '{substitution.key}'"))


def _options_for(path: str, found: list[OptionsFile]) -> OptionsFile | None:
    """The options file for a flow: one naming it in ``file:``, else one in its directory
    without ``file:`` (the first by path; ``found`` is sorted by path)."""
    for options in found:
        if options.file == path:
            return options
    directory = os.path.dirname(path)
    for options in found:
        if options.file is None and os.path.dirname(os.path.abspath(options.path)) == directory:
            return options
    return None

