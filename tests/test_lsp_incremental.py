"""The incremental engine equals a from-scratch analysis, after every edit of random edit
sequences (issue 15): renaming Sets and Gets, adding and removing transfers and calls of a
data action that writes any attribute, renaming flows, changing flow types, editing only a
value, adding and removing files, and changing the configuration.  The same engine runs in
the language server, in ``--daemon`` and in a cached one-shot check: each is tested."""

from __future__ import annotations

import json
import random
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from flowlint.config import Config
from flowlint.diagnostics import Diagnostic
from flowlint.lsp.model import Document, WorkspaceModel

from .test_external_attributes import _CALL_PATCH  # pyright: ignore[reportPrivateUsage]

NAMES = ["AccountId", "accountId", "Tier", "CustomerTier", "Lang", "context.email", "Context.Email", "Region"]
TYPES = ["inboundCall", "inqueueCall", "inboundChat", "inboundShortMessage"]
MODULES = ["Module 0", "Module 1", "Module 2"]


@dataclass
class FlowSpec:
    name: str
    type: str
    sets: list[str] = field(default_factory=lambda: [])
    gets: list[str] = field(default_factory=lambda: [])
    transfer: str | None = None
    prompt: str = "Hello"
    comments: int = 0
    data_action: bool = False
    #: A common module it calls (passing it secured data when ``secured``).
    module: str | None = None
    #: Reads secured data (Get Secured Data), which flows into its screen pop or module call.
    secured: bool = False

    def render(self) -> str:
        actions: list[str] = []
        if self.secured:
            actions.append("""\
          - getSecuredData:
              name: Read card
              attributes:
                - attribute:
                    name:
                      lit: Card
                    variable: Task.card
""")
        for name in self.sets:
            actions.append(f"""\
          - setParticipantData:
              name: Set {name}
              attributes:
                - attribute:
                    name:
                      lit: {name}
                    value:
                      lit: "{self.prompt}"
""")
        for index, name in enumerate(self.gets):
            actions.append(f"""\
          - getParticipantData:
              name: Get {name}
              attributes:
                - attribute:
                    name:
                      lit: {name}
                    variable: Task.v{index}
          - updateData:
              name: Use {index}
              statements:
                - string:
                    variable: Task.out
                    value:
                      exp: Append(Task.v{index}, "{self.prompt}")
""")
        if self.data_action:
            actions.append(CALL_PATCH)
        if self.module is not None:
            actions.append(f"""\
          - callCommonModule:
              name: Use module
              commonModule:
                {self.module}:
                  ver_latestPublished:
                    inputs:
                      Common.value:
                        exp: {"Task.card" if self.secured else "Task.out"}
""")
        if self.type == "commonModule":  # what callers pass: a screen pop shows it (FL003)
            actions.append("""\
          - setScreenPop:
              name: Pop
              screenPopScript:
                Script:
                  inputs:
                    shown:
                      exp: Common.value
""")
        if self.transfer is not None and self.type != "commonModule":
            actions.append(f"""\
          - transferToFlow:
              name: Onwards
              targetFlow:
                name: {self.transfer}
""")
        ending = "endTask" if self.type == "commonModule" else "disconnect"
        actions.append(f"          - {ending}:\n              name: Bye\n")
        variables = "".join(f"""\
          - stringVariable:
              name: Task.v{index}
""" for index in range(len(self.gets)))
        if self.secured:
            variables += "          - stringVariable:\n              name: Task.card\n"
        return (f"{self.type}:\n  name: {self.name}\n  startUpRef: /{self.type}/tasks/task[t]\n  tasks:\n"
                f"    - task:\n        name: Main\n        refId: t\n        variables:\n{variables}"
                f"          - stringVariable:\n              name: Task.out\n"
                f"        actions:\n{''.join(actions)}" + "# reviewed\n" * self.comments)


CALL_PATCH = textwrap.indent(_CALL_PATCH, " " * 10)  # a data action that PATCHes participant attributes
#: Makes the data action above one that may write any attribute (FL005 then notes it).
WRITERS = ["Update Participant*"]


def _key(found: dict[str, list[Diagnostic]]) -> dict[str, list[tuple[object, ...]]]:
    return {path: [(d.code, d.severity, d.message, d.file, d.span, d.logical, d.related, d.fixes)
                   for d in diagnostics] for path, diagnostics in found.items() if diagnostics}


def _edit(rng: random.Random, flows: dict[str, FlowSpec], root: Path) -> str:
    """One random edit; returns what it did (for the failure message)."""
    path = rng.choice(sorted(flows))
    flow = flows[path]
    names = [f.name for f in flows.values()]
    kind = rng.choice(["rename-set", "rename-get", "transfer", "rename-flow", "type", "prompt", "add-file",
                       "remove-file", "add-set", "add-get", "comment", "reorder", "data-action", "module", "secured"])
    if kind == "rename-set" and flow.sets:
        flow.sets[rng.randrange(len(flow.sets))] = rng.choice(NAMES)
    elif kind == "rename-get" and flow.gets:
        flow.gets[rng.randrange(len(flow.gets))] = rng.choice(NAMES)
    elif kind == "add-set":
        flow.sets.append(rng.choice(NAMES))
    elif kind == "add-get":
        flow.gets.append(rng.choice(NAMES))
    elif kind == "transfer":
        flow.transfer = rng.choice([*names, "Nowhere", None])
    elif kind == "rename-flow" and flow.type == "commonModule":
        flow.name = rng.choice([*MODULES, "Module 9"])
    elif kind == "rename-flow":
        flow.name = rng.choice([f"Flow {rng.randrange(20)}", *names])
    elif kind == "type" and flow.type != "commonModule":
        flow.type = rng.choice(TYPES)
    elif kind == "module":
        flow.module = rng.choice([*MODULES, "No Such Module", None])
    elif kind == "secured":
        flow.secured = not flow.secured
    elif kind == "prompt":
        flow.prompt = rng.choice(["Hello", "Goodbye", "Welcome back"])
    elif kind == "data-action":
        flow.data_action = not flow.data_action
    elif kind == "comment":
        flow.comments = rng.randrange(3)
    elif kind == "reorder":
        rng.shuffle(flow.sets)
        rng.shuffle(flow.gets)
    elif kind == "add-file":
        new = str(root / f"extra{rng.randrange(1000)}.yaml")
        flows[new] = FlowSpec(f"Extra {rng.randrange(50)}", rng.choice(TYPES), [rng.choice(NAMES)],
                              [rng.choice(NAMES)], rng.choice([*names, None]))
        return f"{kind} {new}"
    elif kind == "remove-file" and len(flows) > 3:
        del flows[path]
        return f"{kind} {path}"
    return f"{kind} {path}"


def _workspace(rng: random.Random, root: Path) -> dict[str, FlowSpec]:
    flows: dict[str, FlowSpec] = {}
    for i in range(10):
        names = [f"Flow {j}" for j in range(10)]
        flows[str(root / f"flow{i}.yaml")] = FlowSpec(
            f"Flow {i}", rng.choice(TYPES), rng.sample(NAMES, rng.randrange(3)), rng.sample(NAMES, rng.randrange(3)),
            rng.choice([*names, None]), data_action=rng.random() < 0.2,
            module=rng.choice([*MODULES, None, None, None]), secured=rng.random() < 0.2)
    for i, name in enumerate(MODULES):
        flows[str(root / f"module{i}.yaml")] = FlowSpec(
            name, "commonModule", rng.sample(NAMES, rng.randrange(2)), rng.sample(NAMES, rng.randrange(2)),
            module=rng.choice([*MODULES[i + 1:], None]), secured=rng.random() < 0.2)
    for path, flow in flows.items():
        Path(path).write_text(flow.render(), encoding="utf-8")
    return flows


def _configs(seed: int) -> tuple[Config, Config]:
    """The configuration before and after step 12 (odd seeds: a data action writes attributes)."""
    writers = WRITERS if seed % 2 else []
    return (Config(data_action_writers=writers),
            Config(external_attributes=["Region"], flow_links={"Flow 3": ["Flow 1"]}, data_action_writers=writers))


@pytest.mark.parametrize("seed", range(60))
def test_incremental_equals_from_scratch(tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The language server: edits in open documents, files added and removed on disk."""
    # Ten flows are a small organisation: without this, most edits would touch more than
    # the share of files above which the full path is cheaper, and take it.
    monkeypatch.setattr("flowlint.pipeline.resident.MAX_SHARE", 1.0)
    rng = random.Random(seed)
    flows = _workspace(rng, tmp_path)
    first, second = _configs(seed)
    model = WorkspaceModel([str(tmp_path)], first)
    model.update([], {}, rescan=True)
    documents: dict[str, Document] = {}
    modes: list[str] = []
    history: list[str] = []
    for step in range(20):
        before = set(flows)
        history.append(_edit(rng, flows, tmp_path))
        changed = sorted(before ^ set(flows)) + sorted(p for p in flows if p in before)
        for path in before - set(flows):
            documents.pop(path, None)
            Path(path).unlink()
        for path, flow in flows.items():
            text = flow.render()
            if path not in before:
                Path(path).write_text(text, encoding="utf-8")
            else:
                documents[path] = Document(text, step)
        if step == 12:  # a configuration change: the analysis starts over, then goes on incrementally
            snapshot = model.update([], documents, config=second)
        else:
            snapshot = model.update(changed, documents)
        if model.last_outcome is not None:
            modes.append(model.last_outcome.mode)
        fresh = WorkspaceModel([str(tmp_path)], model.config).update([], documents, rescan=True)
        assert _key(snapshot.diagnostics) == _key(fresh.diagnostics), history
    assert modes.count("incremental") >= 5, modes


def _toml(config: Config) -> str:
    lines = [f"data-action-writers = {json.dumps(config.data_action_writers)}"]
    if config.external_attributes:
        lines.append(f"external-attributes = {json.dumps(config.external_attributes)}")
    if config.flow_links:
        lines.append("[flow-links]")
        lines.extend(f"{json.dumps(after)} = {json.dumps(befores)}" for after, befores in config.flow_links.items())
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("resident", [False, True], ids=["one-shot", "daemon"])
@pytest.mark.parametrize("seed", range(12))
def test_cached_checks_equal_from_scratch(tmp_path: Path, seed: int, resident: bool,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line with the cache: each one-shot check restores the engine from the
    snapshot on disk; a resident server (``--daemon``) keeps it in memory between checks.
    Edits are made on disk; the text report must equal an uncached check's, byte for byte."""
    from flowlint import cache
    from flowlint.cache import Memory

    monkeypatch.setattr("flowlint.pipeline.resident.MAX_SHARE", 1.0)
    monkeypatch.setattr(cache, "MEMORY", Memory() if resident else None)
    rng = random.Random(1000 + seed)
    root = tmp_path / "project"
    root.mkdir()
    flows = _workspace(rng, root)
    first, second = _configs(seed)
    (root / ".flowlint.toml").write_text(_toml(first), encoding="utf-8")
    cache_dir = tmp_path / "cache"
    modes: list[str] = []
    history: list[str] = []
    for step in range(20):
        before = set(flows)
        history.append(_edit(rng, flows, root))
        for path in before - set(flows):
            Path(path).unlink()
        for path, flow in flows.items():
            Path(path).write_text(flow.render(), encoding="utf-8")
        if step == 12:
            (root / ".flowlint.toml").write_text(_toml(second), encoding="utf-8")
        cached, mode = _report(root, cache_dir, monkeypatch)
        modes.append(mode)
        if cache.MEMORY is not None:
            cache.MEMORY.flush()  # the server writes the snapshot after the reply
        assert cached == _report(root, None, monkeypatch)[0], history
    assert modes.count("warm") >= 5, modes


def _report(root: Path, cache_dir: Path | None, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The text report of a check of ``root``, and the mode its one project took."""
    from flowlint.engine import check_paths
    from flowlint.pipeline import collect as collect_module
    from flowlint.reporters import Report, render

    modes: list[str] = []
    real = collect_module.collect

    def recording(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        modes.append(found.mode)
        return found

    monkeypatch.setattr(collect_module, "collect", recording)
    result = check_paths([str(root)], cache_dir=str(cache_dir) if cache_dir is not None else None)
    files = sorted({source.path for source in result.project.files})
    text = render("json", Report(result.diagnostics, result.files_checked, files, str(root)))
    return f"{text}\nsuppressed: {result.suppressed}\n", modes[0]
