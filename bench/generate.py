"""Generate a realistic synthetic flowlint project of N flows by recombining the corpus.

Usage:  python bench/generate.py N [--out DIR] [--seed S] [--corpus DIR] [--export-share F]

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


# --------------------------------------------------------------------------- writing


@dataclass(slots=True)
class Generated:
    root: Path
    files: list[Path]
    total_bytes: int
    yaml_files: int
    export_files: int


def generate(n: int, out: Path, seed: int = 1, corpus_dir: Path = DEFAULT_CORPUS,
             export_share: float = 0.05) -> Generated:
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
    for plan in plans:
        target = out / plan.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if plan.export is not None:
            data = _export_bytes(plan.export[1], plan.name)
            export_files += 1
        else:
            assert plan.base is not None
            flow = _FlowMaker(plan, plan.base, corpus, random.Random(rng.random()), by_type).make()
            text = dump(flow, Dumper=dumper, sort_keys=False, allow_unicode=True, width=110,
                        default_flow_style=False)
            data = text.encode("utf-8")
            yaml_files += 1
        target.write_bytes(data)
        files.append(target)
        total += len(data)
    return Generated(out, files, total, yaml_files, export_files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("n", type=int, help="number of flows")
    parser.add_argument("--out", help="output directory (default: a new temporary directory)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--export-share", type=float, default=0.05,
                        help="fraction of flows written as Architect exports (default 0.05)")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix=f"flowlint-bench-{args.n}-"))
    if out.resolve().is_relative_to(ROOT):
        print(f"refusing to write into the repository: {out}", file=sys.stderr)
        return 2
    result = generate(args.n, out, args.seed, Path(args.corpus), args.export_share)
    print(f"{len(result.files)} flows ({result.yaml_files} YAML, {result.export_files} exports), "
          f"{result.total_bytes / 1e6:.1f} MB in {os.fspath(result.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
