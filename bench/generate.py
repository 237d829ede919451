"""Generate a realistic synthetic flowlint project of N flows by recombining the corpus.

Usage:  python bench/generate.py N [--out DIR] [--seed S] [--corpus DIR] [--export-share F] [--terraform]

Every generated flow starts from a real corpus Archy YAML flow of the same type (its
settings, containers, menus and start-up reference are kept) and gets its task/state/bot
action lists re-drawn from the pool of actions seen in that container kind of that flow
type anywhere in the corpus, nested outputs, loops and placeholders included, with the
variables they use declared.  Sizes follow the corpus (a base flow's action count scaled
by a log-normal factor).  On top of that, the generator adds the cross-flow structure an
organisation has: transfers between flows of the same type, common module and bot calls
(to generated flows), and participant-data Sets/Gets over one shared, Zipf-distributed
vocabulary of attribute names, where a flow's Gets mostly read what its callers set.  A
share of the flows are Architect exports (a corpus export, renamed).

With ``--terraform`` the project is deployed by Terraform, as CX-as-code repositories are:
every YAML flow is deployed by a ``genesyscloud_flow`` of ``terraform/`` (exports are not),
about half of them are named ``"{{flow_name}}"``, about a third of the cross-flow references
to generated flows become placeholders (``"{{support_flow}}"``), a set division becomes
``"{{division}}"``, and the corpus's own placeholders get values (see :class:`Terraform`).
Every placeholder resolves to what the plain generation writes, so flowlint sees the same
flows, names and links either way: the difference is the cost of linting as deployed.

Output is deterministic for a given seed, N and corpus; files go under ``--out`` (default:
a new temporary directory), never into the repository.  A ``.flowlint.toml`` is written at
the root so that the directory is a project of its own (config root, cache directory).
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import math
import os
import random
import re
import sys
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"

Data = dict[str, object]

_CONTAINER_LISTS = {"tasks": "task", "states": "state", "bots": "bot"}
_REF_KEYS = {"targetTaskRef": "tasks", "targetStateRef": "states", "targetMenuRef": "menus"}
#: Flow types whose toolbox has Set/Get Participant Data (workflows use conversation data).
_PD_TYPES = frozenset({"inboundCall", "inqueueCall", "outboundCall", "secureCall", "inboundShortMessage",
                       "inboundEmail", "inboundChat", "commonModule", "botFlow", "digitalBot"})
#: Flow types that call common modules in real projects.
_MODULE_CALLERS = frozenset({"inboundCall", "inqueueCall", "outboundCall", "inboundShortMessage",
                             "inboundEmail", "inboundChat"})
#: Placeholder syntaxes (as in flowlint.loaders.placeholders), parsed away then restored.
_PLACEHOLDER = re.compile(r"\{\{[^{}\n]*\}\}|\$\{[^{}\n]*\}|<[A-Za-z_][A-Za-z0-9_]*>")
_MARK = "\ue000"


@dataclass(slots=True)
class Base:
    """One corpus Archy YAML flow: its type key and parsed body (all scalars strings)."""

    path: str
    type_key: str
    body: Data


@dataclass(slots=True)
class PoolEntry:
    action: Data
    #: Variable declarations of the container and flow the action came from.
    container_vars: list[object]
    flow_vars: list[object]


@dataclass(slots=True)
class Corpus:
    bases: list[Base] = field(default_factory=lambda: [])
    #: (flow type key, container word) -> actions seen at the top of such containers.
    pool: dict[tuple[str, str], list[PoolEntry]] = field(default_factory=lambda: {})
    #: (export extension, decoded document) for every corpus export.
    exports: list[tuple[str, Data]] = field(default_factory=lambda: [])


@dataclass(slots=True)
class Plan:
    index: int
    name: str
    type_key: str
    base: Base | None
    export: tuple[str, Data] | None
    path: str
    sets: list[str] = field(default_factory=lambda: [])
    gets: list[str] = field(default_factory=lambda: [])
    transfers: list[str] = field(default_factory=lambda: [])
    modules: list[str] = field(default_factory=lambda: [])
    callers: list[int] = field(default_factory=lambda: [])


# --------------------------------------------------------------------------- reading the corpus


def _restore(node: object, mapping: dict[str, str]) -> object:
    """Put placeholder text back into every string (keys included) of parsed data."""
    if isinstance(node, str):
        if _MARK not in node:
            return node
        for token, original in mapping.items():
            node = node.replace(token, original)
        return node
    if isinstance(node, list):
        return [_restore(item, mapping) for item in cast(list[object], node)]
    if isinstance(node, dict):
        return {cast(str, _restore(k, mapping)): _restore(v, mapping) for k, v in cast(Data, node).items()}
    return node


def _parse_yaml(text: str) -> object:
    """Parse with every scalar a string (YAML 1.2-like keys: ``yes:`` stays "yes")."""
    mapping: dict[str, str] = {}

    def token(match: re.Match[str]) -> str:
        index = len(mapping)
        # Same scheme as flowlint's loader: equal length, private-use characters.
        key = _MARK + chr(0xE100 + index // 4096) + chr(0xE100 + index % 4096) + "\ue001" * (len(match.group(0)) - 3)
        mapping[key] = match.group(0)
        return key

    substituted = _PLACEHOLDER.sub(token, text)
    load: Callable[..., object] = yaml.load  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    data = load(substituted, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    return _restore(data, mapping)


def _as_dict(value: object) -> Data | None:
    return cast(Data, value) if isinstance(value, dict) else None


def _as_list(value: object) -> list[object]:
    return cast(list[object], value) if isinstance(value, list) else []


def _single(item: object) -> tuple[str, object] | None:
    found = _as_dict(item)
    if found is None or len(found) != 1:
        return None
    key, value = next(iter(found.items()))
    return key, value


def read_corpus(corpus: Path) -> Corpus:
    result = Corpus()
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml", ".tftpl"):
            try:
                doc = _as_dict(_parse_yaml(path.read_text(encoding="utf-8-sig")))
            except yaml.YAMLError:
                continue
            pair = _single(doc)
            body = _as_dict(pair[1]) if pair is not None else None
            if pair is None or body is None:
                continue
            base = Base(str(path), pair[0], body)
            result.bases.append(base)
            _add_to_pool(result, base)
        elif suffix.startswith(".i3"):
            try:
                text = urllib.parse.unquote(base64.b64decode(path.read_bytes()).decode("utf-8"))
                doc = _as_dict(json.loads(text))
            except (ValueError, UnicodeDecodeError):
                continue
            if doc is not None and "flowSequenceItemList" in doc:
                result.exports.append((path.suffix, doc))
    return result


def _containers(body: Data) -> list[tuple[str, Data]]:
    """(container word, container body) of every task/state/bot, plus start-up actions."""
    found: list[tuple[str, Data]] = []
    for list_key, word in _CONTAINER_LISTS.items():
        for item in _as_list(body.get(list_key)):
            pair = _single(item)
            inner = _as_dict(pair[1]) if pair is not None else None
            if inner is not None:
                found.append((word, inner))
    if isinstance(body.get("startUpTaskActions"), list):
        found.append(("startup", {"actions": body["startUpTaskActions"],
                                  "variables": body.get("startUpTaskVariables", [])}))
    return found


def _add_to_pool(corpus: Corpus, base: Base) -> None:
    flow_vars = _as_list(base.body.get("variables"))
    for word, container in _containers(base.body):
        container_vars = _as_list(container.get("variables"))
        for action in _as_list(container.get("actions")):
            pair = _single(action)
            if pair is None or pair[0].endswith(("ParticipantData", "SecuredData")):
                continue  # data actions are generated, with the shared vocabulary
            corpus.pool.setdefault((base.type_key, word), []).append(
                PoolEntry(cast(Data, action), container_vars, flow_vars))


# --------------------------------------------------------------------------- planning


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40] or "flow"


def _base_name(base: Base) -> str:
    name = base.body.get("name")
    if not isinstance(name, str) or _PLACEHOLDER.search(name):
        return Path(base.path).stem.split("__")[-1]
    return name


def plan_project(corpus: Corpus, n: int, rng: random.Random, export_share: float) -> list[Plan]:
    plans: list[Plan] = []
    modules = [b for b in corpus.bases if b.type_key == "commonModule"]
    others = [b for b in corpus.bases if b.type_key != "commonModule"]
    for index in range(n):
        if corpus.exports and rng.random() < export_share:
            extension, doc = rng.choice(corpus.exports)
            stem = str(doc.get("name") or "export")
            name = f"{stem} {index:05d}"
            plans.append(Plan(index, name, str(doc.get("type") or ""), None, (extension, doc),
                              f"exports/{index // 100:03d}/{_slug(stem)}-{index:05d}{extension}"))
            continue
        # About 3% common modules (the corpus has 2 of 64), so that module calls are shared.
        base = rng.choice(modules) if modules and rng.random() < 0.03 else rng.choice(others)
        name = f"{_base_name(base)} {index:05d}"
        plans.append(Plan(index, name, base.type_key, base, None,
                          f"flows/{base.type_key}/{index // 100:03d}/{_slug(_base_name(base))}-{index:05d}.yaml"))
    by_type: dict[str, list[int]] = {}
    for plan in plans:
        if plan.base is not None:
            by_type.setdefault(plan.type_key, []).append(plan.index)
    module_names = [plans[i].name for i in by_type.get("commonModule", [])]
    # Transfers form a sparse graph between flows of one type; Gets read what callers set.
    vocabulary = max(40, n // 3)
    for plan in plans:
        if plan.base is None:
            continue
        if plan.type_key in _PD_TYPES:
            plan.sets = [_attribute(rng, vocabulary) for _ in range(rng.randint(0, 4))]
        same = by_type.get(plan.type_key, [])
        if len(same) > 1 and plan.type_key not in ("commonModule", "workflow", "botFlow", "digitalBot") \
                and rng.random() < 0.5:
            for target in rng.sample(same, min(len(same), rng.randint(1, 2))):
                if target != plan.index:
                    plan.transfers.append(plans[target].name)
                    plans[target].callers.append(plan.index)
        if module_names and plan.type_key in _MODULE_CALLERS and rng.random() < 0.25:
            plan.modules.append(rng.choice(module_names))
    for plan in plans:
        if plan.base is None or plan.type_key not in _PD_TYPES:
            continue
        inherited = [name for caller in plan.callers for name in plans[caller].sets]
        for _ in range(rng.randint(0, 3)):
            if inherited and rng.random() < 0.9:
                plan.gets.append(rng.choice(inherited))
            else:
                plan.gets.append(_attribute(rng, vocabulary))
    return plans


def _attribute(rng: random.Random, vocabulary: int) -> str:
    rank = min(vocabulary, int(rng.paretovariate(1.1)))  # Zipf-like: a few names are everywhere
    name = f"{rng.choice(_STEMS)}{rank}"
    return name[0].lower() + name[1:] if rng.random() < 0.01 else name  # rare case slips (FL001)


_STEMS = ("CustomerId", "AccountNumber", "CallbackNumber", "Language", "Intent", "CaseId", "Segment",
          "QueueName", "OrderId", "Priority")


# --------------------------------------------------------------------------- building YAML flows


class _FlowMaker:
    def __init__(self, plan: Plan, base: Base, corpus: Corpus, rng: random.Random,
                 by_type: dict[str, list[str]]) -> None:
        self.plan = plan
        self.base = base
        self.corpus = corpus
        self.rng = rng
        self.by_type = by_type
        self.body = copy.deepcopy(base.body)
        self.refs: dict[str, list[str]] = {}
        for list_key in ("tasks", "states", "menus"):
            word = list_key[:-1]
            for item in _as_list(self.body.get(list_key)):
                pair = _single(item)
                inner = _as_dict(pair[1]) if pair is not None else None
                if inner is not None and isinstance(inner.get("refId"), str):
                    ref = f"/{base.type_key}/{list_key}/{word}[{inner['refId']}]"
                    self.refs.setdefault(list_key, []).append(ref)

    def make(self) -> Data:
        body, plan, rng = self.body, self.plan, self.rng
        body["name"] = plan.name
        scale = math.exp(rng.gauss(-0.35, 0.35))  # mean size ~ the corpus mean
        flow_vars = list(_as_list(body.get("variables")))
        containers = _containers(body)
        top_lists: list[tuple[list[object], list[object]]] = []
        for word, container in containers:
            old = _as_list(container.get("actions"))
            pool = self.corpus.pool.get((self.base.type_key, word))
            if pool and old:
                count = max(1, round(len(old) * scale))
                entries = [rng.choice(pool) for _ in range(count)]
                actions: list[object] = [self.retarget(copy.deepcopy(e.action)) for e in entries]
                container_vars = list(_as_list(container.get("variables")))
                for entry in entries:
                    _merge(container_vars, entry.container_vars)
                    _merge(flow_vars, entry.flow_vars)
            else:
                actions = [self.retarget(copy.deepcopy(a)) for a in old]
                container_vars = list(_as_list(container.get("variables")))
            top_lists.append((actions, container_vars))
            if word == "startup":
                body["startUpTaskActions"] = actions
                if container_vars:
                    body["startUpTaskVariables"] = container_vars
            else:
                container["actions"] = actions
                if container_vars:
                    container["variables"] = container_vars
        if top_lists:
            self.add_generated(top_lists, flow_vars)
        if flow_vars:
            body["variables"] = flow_vars
        return {self.base.type_key: body}

    def add_generated(self, top_lists: list[tuple[list[object], list[object]]], flow_vars: list[object]) -> None:
        plan, rng = self.plan, self.rng
        prefix = _VAR_PREFIX.get(plan.type_key, "Flow")
        for number, name in enumerate(plan.sets):
            actions, _ = rng.choice(top_lists)
            actions.insert(rng.randint(0, len(actions)), {"setParticipantData": {
                "name": f"Remember {name}",
                "attributes": [{"attribute": {"name": {"lit": name},
                                              "value": {"exp": f'ToString("{name}-{number}")'}}}]}})
        for number, name in enumerate(plan.gets):
            actions, _ = rng.choice(top_lists)
            variable = f"{prefix}.pd{number}_{name}"
            _merge(flow_vars, [{"stringVariable": {"name": variable, "initialValue": {"noValue": "true"}}}])
            actions.insert(rng.randint(0, len(actions)), {"getParticipantData": {
                "name": f"Read {name}",
                "attributes": [{"attribute": {"name": {"lit": name}, "variable": variable}}]}})
        for module in plan.modules:
            actions, _ = rng.choice(top_lists)
            actions.insert(rng.randint(0, len(actions)), {"callCommonModule": {
                "name": f"Call {module}",
                "commonModule": {module: {"ver_latestPublished": {"inputs": {}, "outputs": {}}}}}})
        for target in plan.transfers:
            actions, _ = rng.choice(top_lists)
            actions.insert(max(0, len(actions) - 1), {"transferToFlow": {
                "name": f"To {target}", "targetFlow": {"name": target},
                "failureOutputs": {"errorType": {"noValue": "true"}, "errorMessage": {"noValue": "true"}}}})

    def retarget(self, node: object) -> object:
        """Point in-flow references and flow/module/bot names at this generated project."""
        data = _as_dict(node)
        if data is not None:
            for key, value in list(data.items()):
                if key in _REF_KEYS and isinstance(value, str):
                    refs = self.refs.get(_REF_KEYS[key])
                    if refs:
                        data[key] = self.rng.choice(refs)
                elif key == "targetFlow" and isinstance(value, dict):
                    targets = self.by_type.get(self.plan.type_key)
                    inner = cast(Data, value)
                    if targets and isinstance(inner.get("name"), str) and not _PLACEHOLDER.search(str(inner["name"])):
                        inner["name"] = self.rng.choice(targets)
                elif key in _CALLED and isinstance(value, dict) and len(cast(Data, value)) == 1:
                    targets = self.by_type.get(_CALLED[key])
                    if targets:
                        data[key] = {self.rng.choice(targets): next(iter(cast(Data, value).values()))}
                else:
                    self.retarget(cast(object, value))
        else:
            for item in _as_list(node):
                self.retarget(item)
        return node


_CALLED = {"commonModule": "commonModule", "botFlow": "botFlow", "digitalBotFlow": "digitalBot"}
_VAR_PREFIX = {"commonModule": "Common"}


def _merge(into: list[object], extra: list[object]) -> None:
    """Append variable declarations whose names are not declared yet."""
    names = {_var_name(item) for item in into}
    for item in extra:
        name = _var_name(item)
        if name is not None and name not in names:
            names.add(name)
            into.append(copy.deepcopy(item))


def _var_name(item: object) -> str | None:
    pair = _single(item)
    inner = _as_dict(pair[1]) if pair is not None else None
    name = inner.get("name") if inner is not None else None
    return name if isinstance(name, str) else None


def _export_bytes(doc: Data, name: str) -> bytes:
    renamed = dict(doc)
    renamed["name"] = name
    text = json.dumps(renamed, ensure_ascii=False, separators=(",", ":"))
    # Architect's encoding: encodeURIComponent, then base64.
    return base64.b64encode(urllib.parse.quote(text, safe="!~*'()").encode("ascii"))


# --------------------------------------------------------------------------- deploying with Terraform

#: ``{{key}}`` exactly as the provider replaces it, and ``${key}`` as templatefile() does.
_EXACT = re.compile(r"\{\{([^{}\s]+)\}\}")
_TEMPLATE_VAR = re.compile(r"(?<!\$)\$\{([^{}\n]*)\}")
#: Corpus placeholder keys that name a credential: a sensitive root variable without a value,
#: as real repositories keep them (given by TF_VAR_... at apply time, unknown offline).
_SECRET = re.compile(r"secret|passw(or)?d|token|api[_-]?key|credential|private[_-]?key", re.IGNORECASE)
#: Values for corpus placeholders whose key alone does not say what a plausible value is.
#: ``external_contact_email_type`` ends an expression (``State.externalContact.{{...}}``):
#: its value must be a property of ExternalContact for the expression to stay valid.
_CORPUS_VALUES = {"default_language": "en-us", "language": "en-us", "external_contact_email_type": "workEmail"}
#: The division the root's ``var.division`` defaults to; other set divisions are written literally.
_DEFAULT_DIVISION = "Home"
#: Which kind of flow a reference names, by the key it is written under: the placeholder's suffix.
_REFERENCE_SUFFIX = {"targetFlow": "flow", "commonModule": "module", "botFlow": "bot", "digitalBotFlow": "bot"}


@dataclass(slots=True)
class _Deployed:
    """One generated YAML flow as the Terraform deploys it."""

    plan: Plan
    #: The flow's own name is ``"{{flow_name}}"``.
    named: bool
    #: Placeholder key -> name of the generated flow the reference names.
    references: dict[str, str] = field(default_factory=lambda: {})
    #: The division the flow had, when its ``division:`` became ``"{{division}}"``.
    division: str | None = None
    #: Placeholder key -> HCL expression of its value (``flow_name`` included).
    substitutions: dict[str, str] = field(default_factory=lambda: {})
    #: ``${key}`` in the file -> HCL expression: the file is rendered by templatefile() first.
    template_vars: dict[str, str] = field(default_factory=lambda: {})


class Terraform:
    """Makes the generated YAML flows templates, and writes the Terraform that deploys them.

    The layout is the one CX-as-code repositories use: a root module (``terraform/``) with
    ``variables.tf`` (defaults) and ``terraform.tfvars`` (this environment's values: no name
    prefix, so that the deployed names are the plain generation's), ``locals.tf`` (the flow
    names the Terraform spells out, for the placeholders that name another flow), and one
    file per flow type that calls the modules: ``modules/flow`` once per flow named by
    ``{{flow_name}}`` (its name is a module input), ``modules/flow_set`` once per type for the
    flows with a literal name (``for_each`` over a map input), and ``modules/rendered_flow``
    for files with ``${key}`` placeholders (corpus ``.tftpl`` templates: ``local_file`` +
    ``templatefile()``, then ``substitutions``).  Only modules that are called are written:
    flowlint instantiates a directory of ``.tf`` files that nothing calls as a root.

    Its decisions draw from a random stream of their own, so the generator's stream, and
    with it every flow, is the same as without ``--terraform``.
    """

    def __init__(self, plans: list[Plan], seed: int) -> None:
        self.rng = random.Random(f"terraform-{seed}")
        self.by_name = {plan.name: plan for plan in plans if plan.base is not None}
        self.deployed: list[_Deployed] = []
        #: Flows whose name the Terraform writes (``local.flow_names``), by index.
        self.spelt: dict[int, Plan] = {}
        self.secrets: set[str] = set()

    # -- the flow files ------------------------------------------------------------------
    def template(self, plan: Plan, flow: Data) -> _Deployed:
        """Put placeholders into ``flow`` (in place): its name for about half of the flows,
        its division, and about a third of its references to other generated flows."""
        body = _as_dict(flow.get(plan.type_key))
        assert body is not None
        deployed = _Deployed(plan, self.rng.random() < 0.5)
        if deployed.named:
            body["name"] = "{{flow_name}}"
        division = body.get("division")
        if isinstance(division, str) and not _PLACEHOLDER.search(division):
            body["division"] = "{{division}}"
            deployed.division = division
        taken = {key for text in _strings(body) for key in _EXACT.findall(text)}
        self._references(body, deployed, taken)
        return deployed

    def _references(self, node: object, deployed: _Deployed, taken: set[str]) -> None:
        data = _as_dict(node)
        if data is None:
            for item in _as_list(node):
                self._references(item, deployed, taken)
            return
        for key, value in list(data.items()):
            inner = _as_dict(value)
            if inner is None:
                self._references(value, deployed, taken)
                continue
            suffix = _REFERENCE_SUFFIX.get(key)
            name = inner.get("name") if key == "targetFlow" else next(iter(inner)) if len(inner) == 1 else None
            if suffix is None or not isinstance(name, str) or name not in self.by_name:
                self._references(inner, deployed, taken)
            elif self.rng.random() < 1 / 3:
                placeholder = "{{" + self._key(name, suffix, deployed, taken) + "}}"
                if key == "targetFlow":
                    inner["name"] = placeholder
                else:  # callCommonModule / callBotFlow / callDigitalBot: the flow's name is the key
                    data[key] = {placeholder: inner[name]}

    @staticmethod
    def _key(name: str, suffix: str, deployed: _Deployed, taken: set[str]) -> str:
        """``support_flow`` for 'Support 00042': one key per target in a flow, none the corpus uses."""
        for key, target in deployed.references.items():
            if target == name:
                return key
        stem = re.sub(r"[^a-z0-9]+", "_", name.rsplit(" ", 1)[0].lower()).strip("_")[:32].strip("_") or "target"
        stem = stem if stem[0].isalpha() else f"flow_{stem}"
        key, number = f"{stem}_{suffix}", 1
        while key in taken or key in deployed.references:
            number += 1
            key = f"{stem}_{suffix}_{number}"
        deployed.references[key] = name
        return key

    def deploy(self, deployed: _Deployed, text: str) -> str:
        """The dumped flow with its placeholders double-quoted, and its deployment recorded:
        a value for every ``{{key}}`` the file has (no FL110), and no key it has not (no FL111)."""
        ours = {"flow_name", "division", *deployed.references}
        text = re.sub(r"'(\{\{([^{}\s]+)\}\})'", lambda m: f'"{m.group(1)}"' if m.group(2) in ours else m.group(0),
                      text)
        for key in sorted(set(_EXACT.findall(text))):
            deployed.substitutions[key] = self._value(deployed, key)
        for key in sorted(set(_TEMPLATE_VAR.findall(text))):
            if not re.fullmatch(r"\w+", key):
                raise SystemExit(f"{deployed.plan.path}: '${{{key}}}' cannot be given to templatefile()")
            deployed.template_vars[key] = _hcl(_corpus_value(key))
        if deployed.template_vars and "%{" in text:
            raise SystemExit(f"{deployed.plan.path}: '%{{' would be a templatefile() directive")
        self.deployed.append(deployed)
        return text

    def _value(self, deployed: _Deployed, key: str) -> str:
        if key == "flow_name" and deployed.named:
            return self._name(deployed.plan)
        if key in deployed.references:
            return self._name(self.by_name[deployed.references[key]])
        if key == "division" and deployed.division is not None and deployed.division != _DEFAULT_DIVISION:
            return _hcl(deployed.division)
        if "division" in key.lower():
            return "var.division"
        if _SECRET.search(key):
            variable = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()
            self.secrets.add(variable)
            return f"var.{variable}"
        return _hcl(_corpus_value(key))

    def _name(self, plan: Plan) -> str:
        self.spelt[plan.index] = plan
        return f"local.flow_names.f{plan.index:05d}"

    # -- the Terraform -------------------------------------------------------------------
    def write(self, out: Path) -> list[Path]:
        """Write ``out/terraform``: every recorded deployment, and the modules they call."""
        root = out / "terraform"
        files: dict[str, str] = {
            "versions.tf": _VERSIONS,
            "variables.tf": _VARIABLES + "".join(_SECRET_VARIABLE.format(name=name) for name in sorted(self.secrets)),
            "terraform.tfvars": _TFVARS,
            "locals.tf": self._locals(),
        }
        by_type: dict[str, list[_Deployed]] = {}
        for deployed in self.deployed:
            by_type.setdefault(deployed.plan.type_key, []).append(deployed)
        called: set[str] = set()
        for type_key, group in sorted(by_type.items()):
            files[f"flows_{_snake(type_key)}.tf"] = self._type_file(type_key, group, called)
        for module in sorted(called):
            for name, text in _MODULES[module].items():
                files[f"modules/{module}/{name}"] = text
        written: list[Path] = []
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written

    def _locals(self) -> str:
        lines = ["locals {", '  flows_dir = "${path.module}/../flows"', "",
                 "  # Flow names as deployed: the environment's prefix (var.name_prefix) on each one.",
                 "  flow_names = {"]
        for index, plan in sorted(self.spelt.items()):
            lines.append(f'    f{index:05d} = "${{var.name_prefix}}{_hcl(plan.name)[1:]}')
        lines += ["  }", "}", ""]
        return "\n".join(lines)

    def _type_file(self, type_key: str, group: list[_Deployed], called: set[str]) -> str:
        """The root's file for one flow type: a module call per flow named by ``{{flow_name}}``
        or rendered by templatefile(), and one ``flow_set`` call for the others."""
        parts = [f"# {type_key} flows, deployed as generated by bench/generate.py --terraform\n"]
        in_set: dict[str, str] = {}
        for deployed in group:
            plan = deployed.plan
            stem = Path(plan.path).stem
            label = _snake(stem) if stem[0].isalpha() else f"flow_{_snake(stem)}"
            filepath = '"${local.flows_dir}/' + _hcl(plan.path.removeprefix("flows/"))[1:]
            if deployed.template_vars:
                called.add("rendered_flow")
                parts.append(f'module "{label}" {{\n  source        = "./modules/rendered_flow"\n'
                             f"  template      = {filepath}\n  rendered_name = {_hcl(stem)}\n"
                             f"  template_vars = {_hcl_map(deployed.template_vars, 2)}\n"
                             f"  substitutions = {_hcl_map(deployed.substitutions, 2)}\n}}\n")
            elif deployed.named:
                called.add("flow")
                others = {k: v for k, v in deployed.substitutions.items() if k != "flow_name"}
                parts.append(f'module "{label}" {{\n  source        = "./modules/flow"\n  filepath      = {filepath}\n'
                             f"  flow_name     = {deployed.substitutions['flow_name']}\n"
                             f"  substitutions = {_hcl_map(others, 2)}\n}}\n")
            else:
                in_set[stem] = _hcl_map({"filepath": filepath,
                                         "substitutions": _hcl_map(deployed.substitutions, 6)}, 4)
        if in_set:
            called.add("flow_set")
            parts.append(f'module "{_snake(type_key)}_flows" {{\n  source = "./modules/flow_set"\n'
                         f"  flows = {_hcl_map(in_set, 2)}\n}}\n")
        return "\n".join(parts)


def _strings(node: object) -> list[str]:
    """Every string of parsed data, mapping keys included."""
    data = _as_dict(node)
    if data is not None:
        return [text for key, value in data.items() for text in (key, *_strings(value))]
    if isinstance(node, str):
        return [node]
    return [text for item in _as_list(node) for text in _strings(item)]


def _corpus_value(key: str) -> str:
    """A plausible value for a placeholder the corpus flow came with (a queue, a data action,
    an address...).  Only the characters of real names: a value is substituted unescaped, and
    must neither break the YAML around it nor turn a quoted scalar into something else."""
    if key in _CORPUS_VALUES:
        return _CORPUS_VALUES[key]
    lowered = key.lower()
    if "email" in lowered and not any(word in lowered for word in ("body", "subject", "type")):
        return "contact-center@example.com"
    if "phone" in lowered or "sms_number" in lowered:
        return "+13175550100"
    return " ".join(word.capitalize() for word in re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key).replace("_", " ").split())


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()).strip("_")


def _hcl(text: str) -> str:
    """A quoted HCL string of ``text``: escapes, and ``${``/``%{`` kept literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


def _hcl_map(values: dict[str, str], indent: int) -> str:
    """An HCL object of ``values`` (key -> expression), closing at ``indent`` spaces."""
    if not values:
        return "{}"
    keys = {key: key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else _hcl(key) for key in values}
    width = max(len(k) for k in keys.values())
    lines = ["{"]
    for key, value in values.items():
        # Aligned as ``terraform fmt`` aligns one-line values (objects are not).
        shown = keys[key] if "\n" in value else keys[key].ljust(width)
        lines.append(f"{' ' * (indent + 2)}{shown} = {value}")
    return "\n".join([*lines, " " * indent + "}"])


_VERSIONS = """\
terraform {
  required_version = ">= 1.5"
  required_providers {
    genesyscloud = {
      source  = "mypurecloud/genesyscloud"
      version = "~> 1.50"
    }
  }
}

provider "genesyscloud" {
  # OAuth client and region: GENESYSCLOUD_OAUTHCLIENT_ID, _SECRET and _REGION
  sdk_debug = false
}
"""
_VARIABLES = f"""\
variable "division" {{
  description = "Division of the flows that do not name one of their own"
  type        = string
  default     = "{_DEFAULT_DIVISION}"
}}

variable "name_prefix" {{
  description = "Prefix of every flow name that Terraform gives: the environment (see terraform.tfvars)"
  type        = string
  default     = "DEV "
}}
"""
_SECRET_VARIABLE = """
variable "{name}" {{
  description = "A credential a flow needs: given by TF_VAR_{name} at apply time, never committed"
  type        = string
  sensitive   = true
}}
"""
_TFVARS = """\
# This environment (production): flow names without an environment prefix.
name_prefix = ""
"""
_MODULES: dict[str, dict[str, str]] = {
    "flow": {
        "variables.tf": """\
variable "filepath" {
  description = "The Archy YAML flow file to deploy"
  type        = string
}

variable "flow_name" {
  description = "The flow's name: the value of the file's {{flow_name}}"
  type        = string
}

variable "substitutions" {
  description = "The file's other {{key}} placeholders and their values"
  type        = map(string)
  default     = {}
}
""",
        "main.tf": """\
resource "genesyscloud_flow" "this" {
  filepath          = var.filepath
  file_content_hash = filesha256(var.filepath)
  substitutions     = merge(var.substitutions, { flow_name = var.flow_name })
}
""",
        "outputs.tf": """\
output "flow_id" {
  value = genesyscloud_flow.this.id
}

output "flow_name" {
  value = var.flow_name
}
""",
    },
    "flow_set": {
        "variables.tf": """\
variable "flows" {
  description = "Flows to deploy, by key: the file and the values of its {{key}} placeholders"
  type = map(object({
    filepath      = string
    substitutions = map(string)
  }))
}
""",
        "main.tf": """\
resource "genesyscloud_flow" "flows" {
  for_each          = var.flows
  filepath          = each.value.filepath
  file_content_hash = filesha256(each.value.filepath)
  substitutions     = each.value.substitutions
}
""",
    },
    "rendered_flow": {
        "variables.tf": """\
variable "template" {
  description = "A flow file with Terraform template placeholders"
  type        = string
}

variable "rendered_name" {
  description = "Name of the rendered file"
  type        = string
}

variable "template_vars" {
  description = "Values of the template's placeholders"
  type        = map(string)
}

variable "substitutions" {
  description = "The rendered file's {{key}} placeholders and their values"
  type        = map(string)
  default     = {}
}
""",
        "main.tf": """\
# The template is rendered by templatefile() into a file of its own, which the provider
# deploys with substitutions like any other flow file.
resource "local_file" "flow" {
  content  = templatefile(var.template, var.template_vars)
  filename = "${path.root}/rendered/${var.rendered_name}.yaml"
}

resource "genesyscloud_flow" "this" {
  filepath          = local_file.flow.filename
  file_content_hash = sha256(local_file.flow.content)
  substitutions     = var.substitutions
}
""",
    },
}


# --------------------------------------------------------------------------- writing


@dataclass(slots=True)
class Generated:
    root: Path
    files: list[Path]
    total_bytes: int
    yaml_files: int
    export_files: int
    #: ``.tf``/``.tfvars`` files written (``--terraform``), not counted in ``files``.
    terraform_files: list[Path] = field(default_factory=lambda: [])


def generate(n: int, out: Path, seed: int = 1, corpus_dir: Path = DEFAULT_CORPUS,
             export_share: float = 0.05, terraform: bool = False) -> Generated:
    """Write the project; with ``terraform``, deployed by ``out/terraform`` (see :class:`Terraform`)."""
    corpus = read_corpus(corpus_dir)
    if not corpus.bases:
        raise SystemExit(f"no Archy YAML flows found in {corpus_dir}")
    rng = random.Random(seed)
    plans = plan_project(corpus, n, rng, export_share)
    by_type: dict[str, list[str]] = {}
    for plan in plans:
        if plan.base is not None:
            by_type.setdefault(plan.type_key, []).append(plan.name)
    out.mkdir(parents=True, exist_ok=True)
    (out / ".flowlint.toml").write_text("# generated by bench/generate.py\n", encoding="utf-8")
    dump: Callable[..., str] = yaml.dump  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    files: list[Path] = []
    total = yaml_files = export_files = 0
    deploy = Terraform(plans, seed) if terraform else None
    for plan in plans:
        target = out / plan.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if plan.export is not None:
            data = _export_bytes(plan.export[1], plan.name)
            export_files += 1
        else:
            assert plan.base is not None
            flow = _FlowMaker(plan, plan.base, corpus, random.Random(rng.random()), by_type).make()
            deployed = deploy.template(plan, flow) if deploy is not None else None
            text = dump(flow, Dumper=dumper, sort_keys=False, allow_unicode=True, width=110,
                        default_flow_style=False)
            if deploy is not None and deployed is not None:
                text = deploy.deploy(deployed, text)
            data = text.encode("utf-8")
            yaml_files += 1
        target.write_bytes(data)
        files.append(target)
        total += len(data)
    terraform_files = deploy.write(out) if deploy is not None else []
    return Generated(out, files, total, yaml_files, export_files, terraform_files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("n", type=int, help="number of flows")
    parser.add_argument("--out", help="output directory (default: a new temporary directory)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--export-share", type=float, default=0.05,
                        help="fraction of flows written as Architect exports (default 0.05)")
    parser.add_argument("--terraform", action="store_true",
                        help="deploy every YAML flow with Terraform (terraform/), names and links as placeholders")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix=f"flowlint-bench-{args.n}-"))
    if out.resolve().is_relative_to(ROOT):
        print(f"refusing to write into the repository: {out}", file=sys.stderr)
        return 2
    result = generate(args.n, out, args.seed, Path(args.corpus), args.export_share, args.terraform)
    deployed = f", deployed by {len(result.terraform_files)} Terraform files" if args.terraform else ""
    print(f"{len(result.files)} flows ({result.yaml_files} YAML, {result.export_files} exports), "
          f"{result.total_bytes / 1e6:.1f} MB{deployed} in {os.fspath(result.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
