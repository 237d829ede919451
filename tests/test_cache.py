"""The on-disk cache: a cached or warm re-check reports exactly what a fresh check does,
after every kind of edit; corrupt, foreign and concurrent cache files are harmless."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from flowlint import cache
from flowlint.pipeline import changes
from flowlint.pipeline.collect import collect
from flowlint.cache import Cache, Memory
from flowlint.config import Config, load_config
from flowlint.engine import check_paths, finalize
from flowlint.loaders.discover import discover

from .helpers import write_project
from .test_parallel import mixed_project, outcome, signature

SET = """\
inboundCall:
  name: {name}
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - setParticipantData:
              name: Remember
              attributes:
                - attribute:
                    name:
                      lit: {attribute}
                    value:
                      exp: Call.Ani
          - transferToFlow:
              name: Onwards
              targetFlow:
                name: {target}
"""
GET = """\
inboundCall:
  name: {name}
  startUpRef: /inboundCall/tasks/task[t]
  tasks:
    - task:
        name: Start
        refId: t
        actions:
          - playAudio:
              name: Greet
              audio:
                tts: {greeting}
          - getParticipantData:
              name: Read
              attributes:
                - attribute:
                    name:
                      lit: {attribute}
                    variable: Task.value
"""


def project(root: Path) -> Path:
    mixed_project(root)
    write_project(root, {
        "more/a.yaml": SET.format(name="A", attribute="OrderId", target="B"),
        "more/b.yaml": GET.format(name="B", attribute="orderid", greeting="Hello"),  # FL001 -> a.yaml
        "more/c.yaml": GET.format(name="C", attribute="Unrelated", greeting="Hi"),  # FL005, on its own
    })
    return root


def mode(root: Path, cache_dir: Path) -> str:
    """Run the cached pipeline (updating the cache), check its findings against a fresh run,
    and say which path it took."""
    files = list(discover([str(root)]))
    config = load_config([str(root)])  # the project's own (a generated project has one)
    found = collect(files, config, jobs=1, cache_dir=str(cache_dir))
    kept = finalize(found.diagnostics, config, project=found.project)
    assert signature(kept) == signature(check_paths([str(root)]).diagnostics)
    return found.mode


def same(root: Path, cache_dir: Path, jobs: int = 1) -> None:
    """A cached run (which also refreshes the cache) reports what an uncached run does."""
    assert outcome([str(root)], jobs=jobs, cache_dir=str(cache_dir)) == outcome([str(root)])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    root = project(tmp_path / "project")
    cache_dir = tmp_path / "cache"
    same(root, cache_dir)  # cold: fills the cache
    assert mode(root, cache_dir) == "unchanged"
    return root, cache_dir


def test_cold_then_unchanged(setup: tuple[Path, Path]) -> None:
    root, cache_dir = setup
    same(root, cache_dir)
    same(root, cache_dir, jobs=2)
    assert (cache_dir / "CACHEDIR.TAG").is_file() and (cache_dir / ".gitignore").read_text().strip().endswith("*")


def test_edit_without_moving_lines_is_warm(setup: tuple[Path, Path]) -> None:
    root, cache_dir = setup
    edit(root / "more" / "c.yaml", "tts: Hi", "tts: Hey")
    assert mode(root, cache_dir) == "warm"
    same(root, cache_dir)


def test_moving_a_set_updates_findings_that_point_at_it(setup: tuple[Path, Path]) -> None:
    root, cache_dir = setup
    before = [d for d in check_paths([str(root)]).diagnostics if d.code == "FL001" and d.file.endswith("b.yaml")]
    assert before and "a.yaml:14" in before[0].message
    edit(root / "more" / "a.yaml", "inboundCall:\n", "# moved down\n\n\ninboundCall:\n")
    assert mode(root, cache_dir) == "warm"  # same interface: b.yaml is re-checked because it points into a.yaml
    same(root, cache_dir)
    after = [d for d in check_paths([str(root)], cache_dir=str(cache_dir)).diagnostics if d.code == "FL001"
             and d.file.endswith("b.yaml")]
    assert "a.yaml:17" in after[0].message and after[0].related[0].span != before[0].related[0].span


def test_edits_in_the_edited_file_itself(setup: tuple[Path, Path]) -> None:
    root, cache_dir = setup
    edit(root / "more" / "c.yaml", "tts: Hi", "exp: Flow.nope")  # FL104 appears
    edit(root / "more" / "c.yaml", "variable: Task.value", "variable: Task.other")
    assert mode(root, cache_dir) == "warm"
    same(root, cache_dir)


@pytest.mark.parametrize("change", [
    ("more/a.yaml", "lit: OrderId", "lit: orderid"),  # a Set's name: FL001 in b.yaml goes away
    ("more/c.yaml", "lit: Unrelated", "lit: OrderId"),  # a Get's name
    ("more/a.yaml", "name: A\n", "name: A2\n"),  # a flow's name
    ("more/a.yaml", "name: B\n", "name: C\n"),  # a transfer target
])
def test_interface_changes_are_incremental(setup: tuple[Path, Path], change: tuple[str, str, str]) -> None:
    """An edit other files can see re-checks the files it can change (the incremental
    engine the language server uses), not the whole project."""
    root, cache_dir = setup
    edit(root / change[0], change[1], change[2])
    assert mode(root, cache_dir) == "warm"
    same(root, cache_dir)
    assert mode(root, cache_dir) == "unchanged"


@pytest.mark.parametrize("change", [
    ("flows/module.yaml", "name: Read card", "name: Read the card"),  # a module: taint and summaries
    ("flows/main.yaml", "name: Remember", "name: Remember it"),  # calls a module
])
def test_edits_of_modules_and_their_callers_are_incremental(setup: tuple[Path, Path],
                                                           change: tuple[str, str, str]) -> None:
    """Flows the taint analysis walks: the engine follows module calls (a module's callers,
    a caller's modules) instead of re-checking the whole project."""
    root, cache_dir = setup
    edit(root / change[0], change[1], change[2])
    assert mode(root, cache_dir) == "warm"
    same(root, cache_dir)
    assert mode(root, cache_dir) == "unchanged"


def test_added_removed_and_broken_files(setup: tuple[Path, Path]) -> None:
    root, cache_dir = setup
    (root / "more" / "d.yaml").write_text(SET.format(name="D", attribute="Unrelated", target="C"), encoding="utf-8")
    assert mode(root, cache_dir) == "warm"  # a file added: the same project, one file more
    (root / "more" / "a.yaml").unlink()
    assert mode(root, cache_dir) == "warm"
    same(root, cache_dir)
    (root / "more" / "c.yaml").write_text("inboundCall:\n  name: [\n", encoding="utf-8")
    same(root, cache_dir)
    (root / "more" / "c.yaml").write_text(GET.format(name="C", attribute="Unrelated", greeting="Hi"), encoding="utf-8")
    same(root, cache_dir)


def test_suppression_comments_are_honoured_from_the_cache(setup: tuple[Path, Path]) -> None:
    root, cache_dir = setup
    edit(root / "more" / "c.yaml", "          - getParticipantData:\n",
         "          - getParticipantData:  # flowlint: disable=FL005\n")
    same(root, cache_dir)
    assert outcome([str(root)], cache_dir=str(cache_dir))[2] == 2
    edit(root / "more" / "b.yaml", "tts: Hello", "tts: Hello there")  # warm, with directive files unchanged
    assert mode(root, cache_dir) == "warm"
    same(root, cache_dir)
    same(root, cache_dir)  # unchanged: directive files come from the cache


def test_configuration_is_part_of_the_key(setup: tuple[Path, Path]) -> None:
    root, cache_dir = setup
    config = Config(severity={"FL005": "error"}, external_attributes=["Unrelated"])  # type: ignore[dict-item]
    assert outcome([str(root)], config, cache_dir=str(cache_dir)) == outcome([str(root)], config)
    assert outcome([str(root)], cache_dir=str(cache_dir)) == outcome([str(root)])


def every_file(cache_dir: Path) -> list[Path]:
    return [p for p in cache_dir.rglob("*") if p.is_file() and p.name not in ("CACHEDIR.TAG", ".gitignore")]


@pytest.mark.parametrize("damage", ["garbage", "truncate", "empty", "foreign"])
def test_corrupt_entries_are_ignored(setup: tuple[Path, Path], damage: str) -> None:
    root, cache_dir = setup
    files = every_file(cache_dir)
    assert files
    for path in files:
        data = path.read_bytes()
        if damage == "garbage":
            path.write_bytes(b"\x80\x05not a pickle at all")
        elif damage == "truncate":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "empty":
            path.write_bytes(b"")
        else:  # valid pickles of something else
            path.write_bytes(pickle.dumps({"path": "x"}))
    same(root, cache_dir)
    same(root, cache_dir)


class _Planted:
    """Unpickles to subprocess.call(...) with a plain pickle: the cache must refuse it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[list[str]]]:
        return subprocess.call, (["touch", str(self.marker)],)


def test_planted_pickles_never_run(setup: tuple[Path, Path], tmp_path: Path) -> None:
    root, cache_dir = setup
    marker = tmp_path / "pwned"
    for path in every_file(cache_dir):
        path.write_bytes(pickle.dumps(_Planted(marker)))
    same(root, cache_dir)
    assert not marker.exists()


def test_cache_writes_only_in_its_directory(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    cache_dir = tmp_path / "cache"
    same(root, cache_dir, jobs=2)
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if not p.is_relative_to(cache_dir))
    assert after == before and cache_dir.is_dir()
    assert not [p for p in cache_dir.rglob(".tmp-*")]  # no temporary file left behind


def test_unwritable_cache_directory_just_checks(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    assert outcome([str(root)], cache_dir=str(blocker)) == outcome([str(root)])


def _run(args: tuple[str, str]) -> bytes:
    root, cache_dir = args
    return subprocess.run([sys.executable, "-m", "flowlint.cli", "check", root, "--cache-dir", cache_dir,
                           "--format", "json", "--jobs", "1"], capture_output=True, check=False).stdout


def test_concurrent_runs_share_a_cache(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    cache_dir = tmp_path / "cache"
    expected = subprocess.run([sys.executable, "-m", "flowlint.cli", "check", str(root), "--no-cache", "--format",
                               "json"], capture_output=True, check=False).stdout
    with ProcessPoolExecutor(4) as pool:
        outputs = list(pool.map(_run, [(str(root), str(cache_dir))] * 8))
    assert all(out == expected for out in outputs)
    edit(root / "more" / "c.yaml", "tts: Hi", "tts: Hey")
    expected = subprocess.run([sys.executable, "-m", "flowlint.cli", "check", str(root), "--no-cache", "--format",
                               "json"], capture_output=True, check=False).stdout
    with ProcessPoolExecutor(4) as pool:
        outputs = list(pool.map(_run, [(str(root), str(cache_dir))] * 8))
    assert all(out == expected for out in outputs)


def test_cli_default_cache_location(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    (root / ".flowlint.toml").write_text("", encoding="utf-8")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    run = subprocess.run([sys.executable, "-m", "flowlint.cli", "check", str(root / "more")], cwd=elsewhere,
                         capture_output=True, check=False)
    assert run.returncode == 1, run.stderr
    assert (root / ".flowlint_cache" / "CACHEDIR.TAG").is_file()  # next to the configuration
    assert not list(elsewhere.iterdir())
    again = subprocess.run([sys.executable, "-m", "flowlint.cli", "check", str(root / "more")], cwd=elsewhere,
                           capture_output=True, check=False)
    assert again.stdout == run.stdout
    shutil.rmtree(root / ".flowlint_cache")
    subprocess.run([sys.executable, "-m", "flowlint.cli", "check", str(root / "more"), "--no-cache"], cwd=elsewhere,
                   capture_output=True, check=False)
    assert not (root / ".flowlint_cache").exists()


def test_environment_changes_with_configuration() -> None:
    assert Cache("x", Config()).environment != Cache("x", Config(external_flows=["X"])).environment
    assert Cache("x", Config()).environment == Cache("y", Config()).environment


@pytest.mark.parametrize("resident", [False, True], ids=["one-shot", "resident"])
def test_random_edits_on_a_generated_project(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             resident: bool) -> None:
    """Many kinds of edits, anywhere: every cached run must equal a fresh one, also in a
    resident server, where the last run stays in memory between checks (cache.Memory)."""
    import random
    import re

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        import generate  # pyright: ignore[reportMissingImports]
    finally:
        sys.path.pop(0)
    root = tmp_path / "project"
    generate.generate(150, root, seed=3, corpus_dir=corpus)  # pyright: ignore
    cache_dir = tmp_path / "cache"
    memory = Memory() if resident else None
    monkeypatch.setattr(cache, "MEMORY", memory)
    same(root, cache_dir)
    rng = random.Random(5)
    flows = sorted(root.rglob("*.yaml"))
    edits: list[Callable[[str], str]] = [
        lambda text: "# a comment\n" + text,
        lambda text: text.replace("name: ", "name: Renamed ", 1),
        lambda text: re.sub(r"lit: (\w+)", r"lit: \1X", text, count=1),
        lambda text: text.replace("- setParticipantData:", "- getParticipantData:", 1),
        lambda text: text.replace("\n", "\n\n", 3),
        lambda text: re.sub(r"exp: (.+)", r"exp: Flow.notDeclared", text, count=1),
        lambda text: text[: len(text) // 2],  # truncated: broken YAML or a smaller flow
    ]
    modes: list[str] = []
    for _ in range(14):
        path = rng.choice(flows)
        text = path.read_text(encoding="utf-8")
        path.write_text(rng.choice(edits)(text), encoding="utf-8")
        modes.append(mode(root, cache_dir))
        if memory is not None:
            assert len(memory.snapshots) == 1  # kept; written after the "reply"
            assert memory.pending or modes[-1] == "unchanged"  # (unchanged: when a stat key became trusted)
            memory.flush()
        same(root, cache_dir)
        if memory is not None:
            memory.flush()
    assert modes.count("warm") >= len(modes) // 2, modes


def test_resident_memory_reads_a_snapshot_written_by_another_process(setup: tuple[Path, Path],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A resident server's snapshot in memory is used only while the file on disk is the one
    it wrote or read: after a one-shot run rewrote it, the server reads it again."""
    root, cache_dir = setup
    memory = Memory()
    monkeypatch.setattr(cache, "MEMORY", memory)
    assert mode(root, cache_dir) == "unchanged"
    (target, (key, kept)), = memory.snapshots.items()
    assert key is not None and Cache(str(cache_dir), Config()).get_snapshot(
        list(discover([str(root)]))) is kept  # served from memory, the very same object
    edit(root / "more" / "c.yaml", "tts: Hi", "tts: Hey")
    monkeypatch.setattr(cache, "MEMORY", None)  # another flowlint process, one-shot
    assert mode(root, cache_dir) == "warm"
    monkeypatch.setattr(cache, "MEMORY", memory)
    assert memory.get(target) is None  # the file changed under it
    assert mode(root, cache_dir) == "unchanged"  # read again: the other run's snapshot, not ours
    assert memory.snapshots[target][1] is not kept


def test_symlinks_out_of_the_cache_are_not_followed(setup: tuple[Path, Path], tmp_path: Path) -> None:
    root, cache_dir = setup
    outside = tmp_path / "outside"
    outside.mkdir()
    (env,) = [p for p in cache_dir.iterdir() if p.is_dir()]
    shutil.rmtree(env / "units")
    (env / "units").symlink_to(outside, target_is_directory=True)
    edit(root / "more" / "c.yaml", "tts: Hi", "tts: Hey")
    same(root, cache_dir)
    assert not list(outside.rglob("*"))


def test_stat_keys_never_hide_an_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged files are recognised by their stat key; an edit that keeps the size and puts
    the modification time back still changes the inode's ctime, and is seen."""
    monkeypatch.setattr(changes, "_RACY_NS", -10**18)  # trust keys of files written just now
    root = project(tmp_path / "project")
    cache_dir = tmp_path / "cache"
    same(root, cache_dir)
    target = root / "more" / "c.yaml"
    before = target.stat()
    edit(target, "tts: Hi", "tts: Ho")  # same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == before.st_mtime_ns
    assert mode(root, cache_dir) == "warm"
    assert mode(root, cache_dir) == "unchanged"


# --------------------------------------------------------------------------- what a re-check loads


CHAIN = {
    "a.yaml": SET.format(name="A", attribute="Account", target="B"),
    "b.yaml": SET.format(name="B", attribute="Other", target="C"),
    "c.yaml": GET.format(name="C", attribute="Account", greeting="Hi"),  # set two flows earlier: no FL005
    "q.yaml": GET.format(name="Q", attribute="Queued", greeting="Hi"),  # set by M before the queue (flow-links)
    "m.yaml": SET.format(name="M", attribute="Queued", target="Elsewhere"),
    **{f"other{i}.yaml": GET.format(name=f"Other {i}", attribute=f"Lonely{i}", greeting="Hi") for i in range(6)},
}


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """File names whose units a run reads from the cache."""
    loaded: list[str] = []
    real = Cache.get_unit

    def counting(self: Cache, path: str, digest: str) -> object:
        loaded.append(Path(path).name)
        return real(self, path, digest)

    monkeypatch.setattr(Cache, "get_unit", counting)
    return loaded


def test_a_re_check_loads_only_the_files_around_the_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits at the end of a transfer chain and of a config flow link: the one-shot run
    restores the engine from the snapshot and loads the units of the flows that can run
    earlier (and of the edited file), name-only stand-ins standing in for the rest."""
    root = tmp_path / "project"
    write_project(root, {**CHAIN, ".flowlint.toml": 'flow-links = { "Q" = ["M"] }\n'})
    config = load_config([str(root)], str(root / ".flowlint.toml"))
    cache_dir = tmp_path / "cache"
    files = list(discover([str(root)]))
    collect(files, config, jobs=1, cache_dir=str(cache_dir))
    loaded = _loads(monkeypatch)
    for name, rename, earlier in (("c.yaml", None, {"a.yaml", "b.yaml"}), ("q.yaml", None, {"m.yaml"}),
                                  ("c.yaml", ("lit: Account", "lit: Lonely1"), {"a.yaml", "b.yaml", "other1.yaml"})):
        if rename is None:
            edit(root / name, "inboundCall:\n", "# edited\ninboundCall:\n")
        else:
            edit(root / name, *rename)  # a Get renamed: its new name's files are read too
        loaded.clear()
        found = collect(files, config, jobs=1, cache_dir=str(cache_dir))
        assert found.mode == "warm"
        fresh = check_paths([str(root)], config).diagnostics
        assert signature(finalize(found.diagnostics, config, project=found.project)) == signature(fresh)
        assert set(loaded) - {name} == earlier, loaded  # not the others


def test_a_unit_gone_from_the_cache_starts_over(setup: tuple[Path, Path]) -> None:
    """The engine needs the IR of the files around an edit; when the cache lost one, the run
    checks the files again instead (and reports the same)."""
    root, cache_dir = setup
    (env,) = [p for p in cache_dir.iterdir() if p.is_dir()]
    shutil.rmtree(env / "units")
    edit(root / "more" / "a.yaml", "lit: OrderId", "lit: orderid")
    assert mode(root, cache_dir) == "full"
    same(root, cache_dir)


def test_stand_ins_keep_the_deployment_root(tmp_path: Path) -> None:
    """dev/ deploys Main, which transfers to Other; only prod/ deploys Other: the transfer is
    unknown in dev's organisation (FL106).  A re-check of Main sees Other as a name-only
    stand-in, which must keep its root for the lookup to be filtered the same way."""
    root = tmp_path / "project"
    write_project(root, {
        "dev/main.tf": 'resource "genesyscloud_flow" "main" {\n  filepath = "../flows/main.yaml"\n}\n',
        "prod/main.tf": 'resource "genesyscloud_flow" "other" {\n  filepath = "../flows/other.yaml"\n}\n',
        "flows/main.yaml": SET.format(name="Main", attribute="OrderId", target="Other"),
        "flows/other.yaml": GET.format(name="Other", attribute="Unrelated", greeting="Hi"),
    })
    cache_dir = tmp_path / "cache"
    same(root, cache_dir)
    assert "FL106" in {d.code for d in check_paths([str(root)]).diagnostics}
    edit(root / "flows" / "main.yaml", "inboundCall:\n", "# moved down\ninboundCall:\n")
    same(root, cache_dir)
