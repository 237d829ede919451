"""The pipeline's shape: flowlint's modules import each other without a circle (counting every
import a module can make when it runs, those deferred into functions included; not those made
for type checking only), and the pipeline's stages depend only on earlier ones."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[0] == "rules":
        parts[0] = "flowlint.rules"
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes inside ``if TYPE_CHECKING:`` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                skipped.update(id(n) for n in ast.walk(inner))
    return skipped


def _imports(path: Path, package: str, modules: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    found: set[str] = set()
    for node in [tree]:
        for inner in ast.walk(node):
            if id(inner) in skipped:
                continue
            if isinstance(inner, ast.ImportFrom):
                if inner.level:
                    base = package.rsplit(".", inner.level - 1)[0] if inner.level > 1 else package
                    module = f"{base}.{inner.module}" if inner.module else base
                else:
                    module = inner.module or ""
                if module.startswith("flowlint"):
                    # ``from package import submodule`` depends on the submodule; any other
                    # name depends on the module that defines it.
                    for alias in inner.names:
                        found.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module)
            elif isinstance(inner, ast.Import):
                found.update(alias.name for alias in inner.names if alias.name.startswith("flowlint"))
    return found


def _graph() -> dict[str, set[str]]:
    files = [*ROOT.joinpath("flowlint").rglob("*.py"), *ROOT.joinpath("rules").glob("*.py")]
    modules = {_module_name(path): path for path in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = {m for m in _imports(path, package, set(modules)) if m in modules and m != name}
    return graph


def test_no_import_circle() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_stages_depend_on_earlier_stages_only() -> None:
    """loaders -> IR -> analysis -> rules -> reporters / language server, with the
    pipeline's parts not reaching back into the engine or the command line."""
    graph = _graph()
    forbidden = {
        "flowlint.loaders": ("flowlint.engine", "flowlint.pipeline", "flowlint.cli", "flowlint.lsp", "flowlint.cache"),
        "flowlint.deploy": ("flowlint.engine", "flowlint.pipeline", "flowlint.cli", "flowlint.lsp"),
        "flowlint.analysis": ("flowlint.engine", "flowlint.pipeline", "flowlint.cli", "flowlint.lsp"),
        "flowlint.pipeline": ("flowlint.engine", "flowlint.cli", "flowlint.lsp", "flowlint.daemon"),
        "flowlint.cache": ("flowlint.engine", "flowlint.pipeline.collect", "flowlint.pipeline.changes"),
    }
    for module, imports in graph.items():
        for prefix, banned in forbidden.items():
            if module == prefix or module.startswith(prefix + "."):
                bad = sorted(i for i in imports if i.startswith(banned))
                assert not bad, f"{module} imports {bad}"
