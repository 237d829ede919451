"""Which flow files a repository's Terraform deploys, and with which substitutions.

Every directory holding ``.tf`` files is a Terraform module; a directory that no other one
calls as a local module (``source = "./modules/flow"``) is a root, and each root is
instantiated as Terraform would: variables take ``terraform.tfvars`` / ``*.auto.tfvars``
values over their defaults, module calls pass their inputs down (a module called twice is
two instances), ``count``/``for_each`` over known values expand.  Each
``genesyscloud_flow`` instance becomes a :class:`~flowlint.deploy.model.Deployment` with
its ``filepath`` resolved (``path.module``, ``path.root``, paths relative to the root,
``local_file`` outputs rendered by ``templatefile()``) and its ``substitutions`` evaluated.

The evaluator is deliberately small (semantics-2.md §7): literals, string templates,
``var``/``local``/``path``/``module``/``each``/``count`` references, configured resource
attributes, conditionals on known values and a handful of pure string functions.  Anything
else (data sources, remote modules, ``file()``, impure functions) is an :class:`Unknown`
value: opaque, never an error, never a guess.  Nothing is ever fetched or executed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from flowlint.deploy import functions
from flowlint.deploy.functions import NotEvaluated, Value, as_list, as_map, number, to_text
from flowlint.deploy.hcl import Attribute, Block, Expr, TfFile
from flowlint.deploy.model import DataActionDefinition, Deployment, Deployments, Origin, Substitution, is_secret_key
from flowlint.diagnostics import Diagnostic
from flowlint.loaders.placeholders import has_placeholder
from flowlint.ir import Span

#: Nesting and expansion limits: hostile or broken configurations end as unknown values.
MAX_MODULE_DEPTH = 32
MAX_INSTANCES = 5000
MAX_EVAL_DEPTH = 200
_REMOTE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[A-Za-z0-9.-]+\.s3\.amazonaws\.com/|^git::|^s3::")
_FLOW_RESOURCES = frozenset({"genesyscloud_flow"})
_FILE_RESOURCES = frozenset({"local_file", "local_sensitive_file"})
_DATA_ACTION_RESOURCE = "genesyscloud_integration_action"


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value only known at apply time; ``text`` is its symbol (``${var.x}``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """``templatefile(template, vars)``: what a ``local_file`` writes."""

    template: str
    vars: dict[str, object] | Unknown
    #: The vars argument, for per-key positions.
    vars_expr: Expr | None
    path: str
    span: Span



@dataclass(slots=True)
class ModuleDef:
    directory: str
    files: list[TfFile] = field(default_factory=lambda: [])
    variables: dict[str, Block] = field(default_factory=lambda: {})
    locals: dict[str, Attribute] = field(default_factory=lambda: {})
    local_paths: dict[str, str] = field(default_factory=lambda: {})
    modules: dict[str, Block] = field(default_factory=lambda: {})
    resources: dict[tuple[str, str], Block] = field(default_factory=lambda: {})
    outputs: dict[str, Block] = field(default_factory=lambda: {})
    #: .tfvars files of this directory (used when it is a root), in Terraform's order.
    tfvars: list[TfFile] = field(default_factory=lambda: [])
    has_tf: bool = False


def _module_defs(files: Sequence[TfFile]) -> dict[str, ModuleDef]:
    defs: dict[str, ModuleDef] = {}
    for tf in sorted(files, key=lambda f: f.path):
        directory = os.path.dirname(os.path.abspath(tf.path))
        module = defs.setdefault(directory, ModuleDef(directory))
        name = os.path.basename(tf.path)
        if name.endswith(".tfvars"):
            if name == "terraform.tfvars" or name.endswith(".auto.tfvars"):
                module.tfvars.append(tf)
            continue
        module.has_tf = True
        module.files.append(tf)
        for block in tf.blocks:
            labels = block.labels
            if block.type == "variable" and labels:
                module.variables[labels[0]] = block
            elif block.type == "locals":
                module.locals.update(block.attributes)
                module.local_paths.update((name, block.path) for name in block.attributes)
            elif block.type == "module" and labels:
                module.modules[labels[0]] = block
            elif block.type == "resource" and len(labels) >= 2:
                module.resources[(labels[0], labels[1])] = block
            elif block.type == "output" and labels:
                module.outputs[labels[0]] = block
    for module in defs.values():  # terraform.tfvars first, then *.auto.tfvars in lexical order
        module.tfvars.sort(key=lambda f: (os.path.basename(f.path) != "terraform.tfvars", os.path.basename(f.path)))
    return defs


def _local_source(block: Block, directory: str) -> str | None:
    source = block.attributes.get("source")
    if source is None or source.expr.kind != "lit" or not isinstance(source.expr.value, str):
        return None
    text = source.expr.value
    if not (text.startswith("./") or text.startswith("../")):
        return None  # registry, git, http sources: remote, never fetched
    return os.path.normpath(os.path.join(directory, text))


class _Reader:
    """One pass over all modules: instantiate roots, collect deployments and findings."""

    def __init__(self, defs: dict[str, ModuleDef], diagnostic: Callable[..., Diagnostic]) -> None:
        self.defs = defs
        self.diagnostic = diagnostic
        self.deployments: list[Deployment] = []
        self.findings: list[Diagnostic] = []
        self.instances = 0
        self.generated: set[str] = set()
        self.cycles_reported: set[tuple[str, Span]] = set()
        #: Files that local_file renders from a template, in the root being read: path -> render.
        self.rendered: dict[str, Rendered] = {}
        self.data_actions: list[DataActionDefinition] = []

    def run(self) -> None:
        called: set[str] = set()
        for module in self.defs.values():
            for block in module.modules.values():
                target = _local_source(block, module.directory)
                if target is not None and target != module.directory:
                    called.add(target)
        roots = [d for d, m in sorted(self.defs.items()) if m.has_tf and d not in called]
        reached: set[str] = set()
        for directory in roots:
            self._instantiate_root(directory, reached)
        for directory, module in sorted(self.defs.items()):  # modules only called from a cycle
            if module.has_tf and directory not in reached:
                self._instantiate_root(directory, reached)

    def _instantiate_root(self, directory: str, reached: set[str]) -> None:
        root = Instance(self, self.defs[directory], "", None, {}, directory, ())
        root.tfvars = _tfvars_values(self.defs[directory])
        root.walk(reached)
        # Every render of the root first, then the flows: a flow may deploy what another
        # instance's local_file writes, wherever that instance is in the tree.
        self.rendered = {}
        instances = list(root.all_instances())
        for instance in instances:
            instance.collect_files()
        for instance in instances:
            instance.collect_flows()
            instance.collect_data_actions()


@dataclass(slots=True)
class _Input:
    expr: Expr
    scope: Instance
    each: dict[str, Value]
    #: The .tf file the expression is written in (the module block's).
    path: str = ""


class Instance:
    """One instance of a module: the root, or a ``module`` block (one per count/for_each key)."""

    def __init__(self, reader: _Reader, module: ModuleDef, address: str, parent: Instance | None,
                 inputs: dict[str, _Input], root_dir: str, chain: tuple[str, ...]) -> None:
        self.reader = reader
        self.module = module
        self.address = address
        self.parent = parent
        self.inputs = inputs
        self.root_dir = root_dir
        self.chain = (*chain, module.directory)
        self.tfvars: dict[str, Value] = {}
        self.children: dict[str, list[Instance]] = {}
        self._values: dict[str, Value] = {}
        self._busy: set[str] = set()
        self.depth = 0
        self._created = False
        #: This instance's key in its module call's count/for_each (None for a single instance).
        self.key: Value = None

    # -- structure -------------------------------------------------------------------
    def walk(self, reached: set[str]) -> None:
        """Create the tree of module instances below this one."""
        reached.add(self.module.directory)
        self.ensure_children()
        for _, children in sorted(self.children.items()):
            for child in children:
                child.walk(reached)

    def ensure_children(self) -> None:
        """Create this instance's module instances (once), before any is walked: a module's
        inputs may read a sibling's outputs, whatever the order of their blocks."""
        if self._created:
            return
        self._created = True
        for name, block in sorted(self.module.modules.items()):
            target = _local_source(block, self.module.directory)
            if target is None or target not in self.reader.defs or not self.reader.defs[target].has_tf:
                continue
            if target in self.chain or len(self.chain) >= MAX_MODULE_DEPTH:
                key = (block.path, block.span)
                if key not in self.reader.cycles_reported:
                    self.reader.cycles_reported.add(key)
                    why = "calls itself through a module cycle" if target in self.chain else \
                        f"nests modules more than {MAX_MODULE_DEPTH} deep"
                    self.reader.findings.append(self.reader.diagnostic(
                        "FL100", f"module '{name}' {why} ({' -> '.join(_short_dir(d) for d in (*self.chain, target))});"
                                 " Terraform rejects this configuration, and flowlint does not follow it",
                        block.path, block.span, f'module "{name}"'))
                continue
            self.children[name] = []  # being created: an output read meanwhile is unknown
            for suffix, each in self.expansions(block):
                if self.reader.instances >= MAX_INSTANCES:
                    return
                self.reader.instances += 1
                inputs = {key: _Input(attr.expr, self, each, block.path) for key, attr in block.attributes.items()
                          if key not in ("source", "version", "count", "for_each", "depends_on", "providers")}
                prefix = f"{self.address}." if self.address else ""
                child = Instance(self.reader, self.reader.defs[target], f"{prefix}module.{name}{suffix}", self,
                                 inputs, self.root_dir, self.chain)
                child.key = each.get("each.key", each.get("count.index"))
                self.children[name].append(child)

    def expansions(self, block: Block) -> list[tuple[str, dict[str, Value]]]:
        """(address suffix, each/count values) per instance of a block with count/for_each."""
        if "for_each" in block.attributes:
            value = self.eval(block.attributes["for_each"].expr, {})
            mapping = as_map(value)
            if mapping is not None:
                return [(f'["{k}"]', {"each.key": k, "each.value": v}) for k, v in sorted(mapping.items())]
            items = as_list(value)
            if items is not None and all(isinstance(v, str) for v in items):
                keys = sorted({str(v) for v in items})
                return [(f'["{v}"]', {"each.key": v, "each.value": v}) for v in keys]
            symbol = f"{self.prefix}{block.labels[-1] if block.labels else ''}"
            return [("", {"each.key": Unknown("${" + symbol + ".each.key}"),
                          "each.value": Unknown("${" + symbol + ".each.value}")})]
        if "count" in block.attributes:
            value = self.eval(block.attributes["count"].expr, {})
            if isinstance(value, bool):
                value = int(value)
            if isinstance(value, int):
                return [(f"[{i}]", {"count.index": i}) for i in range(max(0, min(value, MAX_INSTANCES)))]
            return [("", {"count.index": Unknown("${" + self.prefix + "count.index}")})]
        return [("", {})]

    @property
    def prefix(self) -> str:
        return f"{self.address}." if self.address else ""

    def collect_files(self) -> None:
        for (kind, _), block in sorted(self.module.resources.items()):
            if kind not in _FILE_RESOURCES:
                continue
            for _, each in self.expansions(block):
                content = block.attributes.get("content")
                filename = block.attributes.get("filename")
                if content is None or filename is None:
                    continue
                rendered = self.eval(content.expr, each)
                target = self.eval(filename.expr, each)
                if isinstance(rendered, Rendered) and isinstance(target, str):
                    path = self.local_path(target)
                    self.reader.rendered[path] = rendered
                    self.reader.generated.add(path)

    def collect_data_actions(self) -> None:
        """``genesyscloud_integration_action`` resources whose request writes attributes."""
        from flowlint.deploy.data_actions import classify

        for (kind, _), block in sorted(self.module.resources.items()):
            if kind != _DATA_ACTION_RESOURCE:
                continue
            request = next((b for b in block.blocks if b.type == "config_request"), None)
            name_attr = block.attributes.get("name")
            if request is None or name_attr is None:
                continue
            url_attr, type_attr = request.attributes.get("request_url_template"), request.attributes.get("request_type")
            if url_attr is None or type_attr is None:
                continue
            for _, each in self.expansions(block):
                url, method, name = (self.eval(url_attr.expr, each), self.eval(type_attr.expr, each),
                                     self.eval(name_attr.expr, each))
                if not isinstance(url, str) or not isinstance(method, str):
                    continue
                effect = classify(method, url)
                if effect is None:
                    continue
                shown = name if isinstance(name, str) else name.text if isinstance(name, Unknown) else None
                if shown is not None:
                    self.reader.data_actions.append(DataActionDefinition(
                        shown, effect, Origin(block.path, block.span), f"{method.upper()} {url}"))

    def collect_flows(self) -> None:
        for (kind, name), block in sorted(self.module.resources.items()):
            if kind not in _FLOW_RESOURCES:
                continue
            for suffix, each in self.expansions(block):
                self._flow(f"{self.prefix}{kind}.{name}{suffix}", block, each)

    def _flow(self, address: str, block: Block, each: dict[str, Value]) -> None:
        deployment = self._deployment(address, block, each, report=True)
        if deployment is not None:
            self.reader.deployments.append(deployment)

    def _deployment(self, address: str, block: Block, each: dict[str, Value], *, report: bool) -> Deployment | None:
        """The deployment a genesyscloud_flow instance makes; FL116 (when ``report``) if none can be known."""
        filepath = block.attributes.get("filepath")
        origin = Origin(block.path, block.span)
        if filepath is None:
            return None
        value = self.eval(filepath.expr, each)
        if isinstance(value, Unknown) or not isinstance(value, str):
            if report:
                hint = "" if self.parent is not None or not self.module.variables else \
                    (" (if this directory is a module called from a root outside the linted paths, lint the "
                     "directory that holds the root)")
                self.reader.findings.append(self.reader.diagnostic(
                    "FL116", f"{address}: its filepath cannot be resolved offline, so the flow it deploys is not "
                             f"linted as deployed{hint}", block.path, filepath.span, address))
            return None
        if _REMOTE_RE.match(value):
            scheme = value.split(":", 1)[0] if "://" in value else "a remote location"
            if report:
                self.reader.findings.append(self.reader.diagnostic(
                    "FL116", f"{address} deploys a flow fetched from {scheme} at apply time; flowlint never "
                             "fetches anything, so that flow is not linted (keep the flow file in the repository "
                             "to lint it)", block.path, filepath.span, address))
            return None
        path = self.local_path(value)
        rendered = self._rendered(path)
        template_vars: tuple[Substitution, ...] | None = None
        template = path
        if rendered is not None:
            template = rendered.template
            template_vars = tuple(self._pairs(rendered.vars, rendered.vars_expr, rendered.path, rendered.span, {}))
        substitutions: list[Substitution] = []
        keys_known = True
        subs = block.attributes.get("substitutions")
        if subs is not None:
            evaluated = self.eval(subs.expr, each)
            if isinstance(evaluated, Unknown):
                keys_known = False
            else:
                substitutions = self._pairs(evaluated, subs.expr, block.path, subs.span, each)
        return Deployment(template, address, Origin(block.path, filepath.span) if filepath else origin,
                          tuple(substitutions), template_vars, keys_known, self.root_dir, "terraform")

    def _rendered(self, path: str) -> Rendered | None:
        """The templatefile() render that writes ``path``, in any instance of the root."""
        return self.reader.rendered.get(path)

    def all_instances(self) -> Iterator[Instance]:
        """This instance and every one below it, parents first, in a stable order."""
        yield self
        for _, children in sorted(self.children.items()):
            for child in children:
                yield from child.all_instances()

    def _pairs(self, value: Value, expr: Expr | None, path: str, span: Span,
               each: dict[str, Value]) -> list[Substitution]:
        """Substitutions from a map value; per-key positions when the map is written literally."""
        found: list[Substitution] = []
        if expr is not None and expr.kind == "obj":
            for key_expr, value_expr in expr.items:
                key = self.eval(key_expr, each)
                if not isinstance(key, str):
                    continue
                found.append(_substitution(key, self.eval(value_expr, each), Origin(path, key_expr.span),
                                           _describe(value_expr)))
            return found
        mapping = as_map(value)
        if mapping is not None:
            # Where each key is written, followed through variables, locals and merge():
            # a map passed down to a shared module is reported where the caller wrote it.
            origins = self.key_origins(expr, each, path, 0) if expr is not None else {}
            for key, item in sorted(mapping.items()):
                found.append(_substitution(key, item, origins.get(key, Origin(path, span)), ""))
        return found

    def key_origins(self, expr: Expr, each: dict[str, Value], path: str, depth: int) -> dict[str, Origin]:
        """Where the keys of the map ``expr`` evaluates to are written (those we can follow)."""
        if depth > MAX_MODULE_DEPTH:
            return {}
        if expr.kind == "obj":
            found: dict[str, Origin] = {}
            for key_expr, _ in expr.items:
                key = self.eval(key_expr, each)
                if isinstance(key, str):
                    found[key] = Origin(path, key_expr.span)
            return found
        if expr.kind == "call" and expr.name == "merge":
            merged: dict[str, Origin] = {}
            for arg in expr.args:
                merged.update(self.key_origins(arg, each, path, depth + 1))
            return merged
        if expr.kind == "ref" and len(expr.names) == 2 and expr.names[0] == "var":
            given = self.inputs.get(str(expr.names[1]))
            if given is not None:
                return given.scope.key_origins(given.expr, given.each, given.path, depth + 1)
            block = self.module.variables.get(str(expr.names[1]))
            default = block.attributes.get("default") if block is not None else None
            if block is not None and default is not None:
                return self.key_origins(default.expr, {}, block.path, depth + 1)
        if expr.kind == "ref" and len(expr.names) == 2 and expr.names[0] == "local":
            name = str(expr.names[1])
            attribute = self.module.locals.get(name)
            if attribute is not None:
                return self.key_origins(attribute.expr, {}, self.module.local_paths.get(name, path), depth + 1)
        return {}

    def local_path(self, value: str) -> str:
        # Terraform resolves relative paths against its working directory: the root module.
        return os.path.normpath(value if os.path.isabs(value) else os.path.join(self.root_dir, value))

    # -- evaluation ------------------------------------------------------------------
    def var(self, name: str) -> Value:
        key = "var." + name
        if key in self._values:
            return self._values[key]
        if key in self._busy:
            return Unknown("${" + self.prefix + key + "}")
        self._busy.add(key)
        try:
            value: Value = Unknown("${" + self.prefix + key + "}")
            given = self.inputs.get(name)
            if given is not None:
                value = given.scope.eval(given.expr, given.each)
            elif self.parent is None and name in self.tfvars:
                value = self.tfvars[name]
            else:
                block = self.module.variables.get(name)
                default = block.attributes.get("default") if block is not None else None
                if default is not None:
                    value = self.eval(default.expr, {})
            self._values[key] = value
            return value
        finally:
            self._busy.discard(key)

    def local(self, name: str) -> Value:
        key = "local." + name
        if key in self._values:
            return self._values[key]
        attribute = self.module.locals.get(name)
        if attribute is None or key in self._busy:
            return Unknown("${" + self.prefix + key + "}")
        self._busy.add(key)
        try:
            value = self.eval(attribute.expr, {})
        finally:
            self._busy.discard(key)
        self._values[key] = value
        return value

    def module_value(self, module: str) -> Value:
        """``module.NAME``: its outputs (a map), a list of them (count) or a map by key (for_each)."""
        self.ensure_children()
        children = self.children.get(module)
        symbol = Unknown("${" + self.prefix + f"module.{module}" + "}")
        block = self.module.modules.get(module)
        if not children or block is None:
            return symbol
        if "for_each" not in block.attributes and "count" not in block.attributes:
            return _Outputs(children[0])
        if "count" in block.attributes:
            return [_Outputs(child) for child in children]
        return {str(child.key): _Outputs(child) for child in children if not isinstance(child.key, Unknown)}

    def output(self, child: Instance, name: str) -> Value:
        """Output ``name`` of the module instance ``child`` (of this instance)."""
        child.ensure_children()
        symbol = Unknown("${" + child.address + f".{name}" + "}")
        block = child.module.outputs.get(name)
        value = block.attributes.get("value") if block is not None else None
        if value is None:
            return symbol
        key = "output." + name
        if key in child._busy:
            return symbol
        child._busy.add(key)
        try:
            return child.eval(value.expr, {})
        finally:
            child._busy.discard(key)

    def resource_attribute(self, kind: str, name: str, attr: str) -> Value:
        symbol = Unknown("${" + self.prefix + f"{kind}.{name}.{attr}" + "}")
        block = self.module.resources.get((kind, name))
        if block is None or "count" in block.attributes or "for_each" in block.attributes:
            return symbol
        attribute = block.attributes.get(attr)
        key = f"resource.{kind}.{name}.{attr}"
        if key in self._busy or (attribute is None and not (kind in _FLOW_RESOURCES and attr == "name")):
            return symbol
        self._busy.add(key)
        try:
            if attribute is not None:
                return self.eval(attribute.expr, {})
            # A genesyscloud_flow's name is computed: the flow's name as deployed.
            deployment = self._deployment(f"{self.prefix}{kind}.{name}", block, {}, report=False)
            found = _deployed_name(deployment) if deployment is not None else None
            if found is None:
                return symbol
            return Unknown(found) if has_placeholder(found) else found
        finally:
            self._busy.discard(key)

    def eval(self, expr: Expr, each: dict[str, Value]) -> Value:
        self.depth += 1
        try:
            if self.depth > MAX_EVAL_DEPTH:
                return Unknown("${" + self.prefix + "...}")
            return self._eval(expr, each)
        finally:
            self.depth -= 1

    def _eval(self, expr: Expr, each: dict[str, Value]) -> Value:
        kind = expr.kind
        if kind == "lit":
            return expr.value
        if kind == "tmpl":
            parts: list[str] = []
            unknown = False
            for part in expr.parts:
                if isinstance(part, str):
                    parts.append(part)
                    continue
                value = self.eval(part, each)
                text = to_text(value)
                if text is None:
                    unknown = True
                    parts.append(value.text if isinstance(value, Unknown) else "${" + self.prefix + "...}")
                else:
                    parts.append(text)
            joined = "".join(parts)
            return Unknown(joined) if unknown else joined
        if kind == "ref":
            return self._ref(expr, each)
        if kind == "obj":
            result: dict[str, Value] = {}
            for key_expr, value_expr in expr.items:
                key = self.eval(key_expr, each)
                if not isinstance(key, str):
                    return Unknown("${" + self.prefix + "{...}}")
                result[key] = self.eval(value_expr, each)
            return result
        if kind == "tuple":
            return [self.eval(item, each) for item in expr.args]
        if kind == "cond":
            test = self.eval(expr.args[0], each)
            if isinstance(test, bool):
                return self.eval(expr.args[1] if test else expr.args[2], each)
            return Unknown("${" + self.prefix + f"cond@{expr.span.line}:{expr.span.column}" + "}")
        if kind == "index":
            target = self.eval(expr.args[0], each)
            key = self.eval(expr.args[1], each)
            mapping, items = as_map(target), as_list(target)
            if mapping is not None and isinstance(key, str) and key in mapping:
                return mapping[key]
            if items is not None and isinstance(key, int) and 0 <= key < len(items):
                return items[key]
            if isinstance(target, _Outputs) and isinstance(key, str):
                return target.get(key)
            if isinstance(target, Unknown) and isinstance(key, (str, int)) and target.text.endswith("}"):
                index = f"[{key}]" if isinstance(key, int) else f'["{key}"]'  # as Terraform writes it
                return Unknown(target.text[:-1] + index + "}")
            if isinstance(target, Unknown):
                return target
            return Unknown("${" + self.prefix + f"index@{expr.span.line}:{expr.span.column}" + "}")
        if kind == "binop":
            return self._binop(expr, each)
        if kind == "not":
            value = self.eval(expr.args[0], each)
            return (not value) if isinstance(value, bool) else Unknown("${" + self.prefix + "!...}")
        if kind == "neg":
            value = self.eval(expr.args[0], each)
            return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else \
                Unknown("${" + self.prefix + "-...}")
        if kind == "call":
            return self._call(expr, each)
        return Unknown("${" + self.prefix + f"{expr.text or kind}@{expr.span.line}:{expr.span.column}" + "}")

    def _ref(self, expr: Expr, each: dict[str, Value]) -> Value:
        names = [str(n) for n in expr.names]
        head = names[0]
        symbol = Unknown("${" + self.prefix + ".".join(names) + "}")
        if head == "var" and len(names) >= 2:
            return _traverse(self.var(names[1]), names[2:])
        if head == "local" and len(names) >= 2:
            return _traverse(self.local(names[1]), names[2:])
        if head == "path" and len(names) == 2:
            if names[1] == "module":
                return self.module.directory
            if names[1] in ("root", "cwd"):
                return self.root_dir
            return symbol
        if head in ("each", "count") and len(names) >= 2:
            value = each.get(f"{head}.{names[1]}")
            return _traverse(value, names[2:]) if value is not None else symbol
        if head == "module" and len(names) >= 2:
            return _traverse(self.module_value(names[1]), names[2:])
        if head in ("data", "terraform", "self"):
            return symbol
        if len(names) >= 3:
            return _traverse(self.resource_attribute(names[0], names[1], names[2]), names[3:])
        return symbol

    def _binop(self, expr: Expr, each: dict[str, Value]) -> Value:
        left = self.eval(expr.args[0], each)
        right = self.eval(expr.args[1], each)
        operator = expr.name
        unknown = Unknown("${" + self.prefix + f"({operator})@{expr.span.line}:{expr.span.column}" + "}")
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return unknown
        if operator == "==":
            return left == right
        if operator == "!=":
            return left != right
        if operator in ("&&", "||") and isinstance(left, bool) and isinstance(right, bool):
            return (left and right) if operator == "&&" else (left or right)
        numbers = isinstance(left, (int, float)) and isinstance(right, (int, float))
        if numbers and not isinstance(left, bool) and not isinstance(right, bool):
            a, b = float(left), float(right)  # type: ignore[arg-type]
            if operator == "+":
                return number(a + b)
            if operator == "-":
                return number(a - b)
            if operator == "*":
                return number(a * b)
            if operator in ("<", ">", "<=", ">="):
                return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[operator]
        return unknown

    def _call(self, expr: Expr, each: dict[str, Value]) -> Value:
        name = expr.name
        if name == "templatefile" and len(expr.args) == 2:
            path = self.eval(expr.args[0], each)
            values = self.eval(expr.args[1], each)
            mapping = as_map(values)
            if isinstance(path, str):
                return Rendered(self.local_path(path), mapping if mapping is not None else Unknown("${vars}"),
                                expr.args[1], _expr_path(self, expr), expr.span)
        args = [self.eval(arg, each) for arg in expr.args]
        if not any(isinstance(a, (Unknown, Rendered)) for a in args):
            try:
                return functions.call(name, args)
            except NotEvaluated:
                pass
        if name in functions.FUNCTIONS and args and all(isinstance(a, Unknown) for a in args):
            # Pure: equal arguments give equal results.  Known arguments are never spelt out
            # (a symbol may reach a message, and a known value may be a credential).
            texts = [a.text[2:-1] if isinstance(a, Unknown) and a.text.startswith("${") else "..." for a in args]
            return Unknown("${" + self.prefix + f"{name}({', '.join(texts)})" + "}")
        return Unknown("${" + self.prefix + f"{name}(...)@{expr.span.line}:{expr.span.column}" + "}")


def _deployed_name(deployment: Deployment) -> str | None:
    """The name of the flow a deployment publishes: its file's ``name:``, substituted."""
    from flowlint.loaders import decode_text, read_flow_bytes
    from flowlint.loaders.archy_yaml import load_yaml_text

    try:
        data = read_flow_bytes(deployment.file)
        text = decode_text(data) if data is not None else None
    except (OSError, UnicodeDecodeError):
        return None
    if text is None:
        return None
    flows = load_yaml_text(deployment.file, text, None, deployment).flows
    return flows[0].name if flows and flows[0].name else None


def _expr_path(instance: Instance, expr: Expr) -> str:
    """The .tf file an expression of this instance's module is written in (by its position)."""
    for tf in instance.module.files:
        for block in tf.blocks:
            for attribute in _all_attributes(block):
                if _contains(attribute.expr.span, expr.span):
                    return tf.path
    return instance.module.files[0].path if instance.module.files else instance.module.directory


def _all_attributes(block: Block) -> Iterator[Attribute]:
    yield from block.attributes.values()
    for nested in block.blocks:
        yield from _all_attributes(nested)


def _contains(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def _short_dir(directory: str) -> str:
    return os.path.relpath(directory) if not os.path.relpath(directory).startswith("..") else directory


@dataclass(frozen=True, slots=True)
class _Outputs:
    """A module instance's outputs, read one by one as a traversal asks for them."""

    instance: Instance

    def get(self, name: str) -> Value:
        parent = self.instance.parent
        return parent.output(self.instance, name) if parent is not None else Unknown("${" + name + "}")


def _traverse(value: Value, names: list[str]) -> Value:
    for name in names:
        if isinstance(value, _Outputs):
            value = value.get(name)
            continue
        mapping = as_map(value)
        if mapping is not None and name in mapping:
            value = mapping[name]
        elif isinstance(value, Unknown):
            return Unknown(value.text[:-1] + "." + name + "}" if value.text.endswith("}") else value.text)
        else:
            return Unknown("${" + ".".join(names) + "}")
    return value


def _describe(expr: Expr) -> str:
    if expr.kind == "ref":
        return ".".join(str(n) for n in expr.names)
    return ""


def _substitution(key: str, value: Value, origin: Origin, source: str) -> Substitution:
    # A credential by its key's name, or by the variable it comes from (``creds = var.client_secret``).
    secret = is_secret_key(key) or is_secret_key(source)
    text = to_text(value)
    if secret:
        return Substitution(key, "{{" + key + "}}", False, origin, True, source)
    if text is not None:
        return Substitution(key, text, True, origin, False, source)
    symbol = value.text if isinstance(value, Unknown) else "${" + (source or key) + "}"
    return Substitution(key, symbol, False, origin, False, source or symbol[2:-1])


def _tfvars_values(module: ModuleDef) -> dict[str, Value]:
    values: dict[str, Value] = {}
    scope = Instance(_Reader({}, _no_diagnostic), module, "", None, {}, module.directory, ())
    for tf in module.tfvars:
        for name, attribute in tf.attributes.items():
            values[name] = scope.eval(attribute.expr, {})
    return values


def _no_diagnostic(*_args: object, **_kwargs: object) -> Diagnostic:  # pragma: no cover - never called
    raise AssertionError


def read_terraform(files: Sequence[TfFile], make: Callable[..., Diagnostic]
                   ) -> tuple[Deployments, list[Diagnostic], list[DataActionDefinition]]:
    """Deployments of every ``genesyscloud_flow`` in ``files`` (parsed ``.tf``/``.tfvars``),
    findings about the Terraform itself (FL100, FL115), and the data actions that write
    conversation attributes."""
    findings: list[Diagnostic] = []
    readable: list[TfFile] = []
    for tf in files:
        if tf.error is not None:
            findings.append(make("FL100", f"cannot read this Terraform file ({tf.error}); the flows it deploys are "
                                          "linted as plain files", tf.path, tf.error_span, "file"))
        else:
            readable.append(tf)
    reader = _Reader(_module_defs(readable), make)
    reader.run()
    deployments = Deployments()
    for deployment in reader.deployments:
        deployments.add(deployment)
    deployments.generated = reader.generated
    findings.extend(reader.findings)
    return deployments, findings, reader.data_actions

