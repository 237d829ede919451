"""flowlint at organisation scale: cold, parallel, cached and warm checks against the bare parse.

Usage (from the repository root):

    .venv/bin/python bench/run.py [--sizes 100 1000 5000] [--terraform-sizes 1000] [--repeat 3]
                                  [--before REV ...] [--work DIR] [--write-docs]

For each N, ``bench/generate.py`` makes a synthetic project of N flows (seed 1) in a
temporary directory (``--work``), and this script times the ``flowlint`` command line on
it in fresh processes (wall clock, Python start-up included, best of ``--repeat`` runs):

* cold check: ``flowlint check DIR --no-cache`` (default ``--jobs``: every CPU), its peak
  RSS (largest process, and all processes together), and the same with ``--jobs 1``;
* the bare parse of the same files in this process, files already in memory, the cyclic GC
  off (the strictest baseline): ``yaml.compose`` with libyaml's C loader for YAML, base64 +
  percent-decoding + ``json.loads`` for exports; and the ratio check / bare parse;
* with the cache: a first run (filling it), then a re-check after editing one file (a
  comment line added at the top: every position in it moves), the same through the
  resident server (``flowlint check --daemon``, client start-up included), and after an
  edit that changes what other files see (an attribute a Set writes is renamed), one-shot
  and through the resident server;
* a cold single-file check (``examples/flows/support.yaml``);
* ``--before REV``: the cold check of an older revision (extracted with ``git archive``);
* ``--terraform-sizes N ...``: the same project deployed by Terraform (``generate.py
  --terraform``: every YAML flow deployed by a ``genesyscloud_flow``, names and links as
  ``{{key}}`` placeholders), where flowlint parses the ``.tf`` files and loads every flow as
  deployed: its cold check against the bare parse of the same flow files (the ``.tf`` files
  are flowlint's extra work, not the baseline's), the first run with the cache, and the
  one-shot and ``--daemon`` re-checks after editing one flow file.

Subprocesses run with a bytecode cache in a temporary directory (as after ``pip install``,
which compiles bytecode); this environment sets PYTHONDONTWRITEBYTECODE, which would
otherwise make every start-up compile flowlint from source.  ``--write-docs`` rewrites
docs/performance.md with the tables.  Timings are noisy when other processes run: the load
average before and after is printed with the tables.
"""

from __future__ import annotations

import argparse
import binascii
import gc
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
import yaml  # noqa: E402

from flowlint.loaders.discover import discover  # noqa: E402
from flowlint.loaders.export import percent_decode  # noqa: E402

SMALL_FILE = ROOT / "examples" / "flows" / "support.yaml"
DEFAULT_BEFORE = "699d1ff"  # the last commit before this work (issue 7)
DOC = ROOT / "docs" / "performance.md"


# --------------------------------------------------------------------------- measuring processes


@dataclass(slots=True)
class Run:
    seconds: float
    #: Peak RSS of the largest process (the CLI or one worker), MB.
    max_rss: float
    #: Peak of the sum of RSS over the process tree (main + workers), MB, sampled every 10 ms.
    tree_rss: float
    returncode: int
    stdout: bytes
    #: CPU seconds (user + system) of the process and its workers: the work, whatever the load.
    cpu: float = 0.0


def _tree_rss(root: int) -> float:
    """RSS of ``root`` and its descendants now, in MB (Linux /proc)."""
    total, stack = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return total / 2**20


def run(command: Sequence[str], env: dict[str, str], sample: bool = False) -> Run:
    # ``python -m`` puts the working directory first on sys.path: run where it selects the
    # intended flowlint (this checkout, or the extracted older revision).
    cwd = env.get("FLOWLINT_BENCH_TREE", str(ROOT))
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = [0.0]
    done = threading.Event()

    def sampler() -> None:
        while not done.wait(0.005):
            peak[0] = max(peak[0], _tree_rss(process.pid))

    thread = threading.Thread(target=sampler, daemon=True)
    if sample and os.path.isdir("/proc"):
        thread.start()
    assert process.stdout is not None
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    if thread.is_alive():
        thread.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_maxrss / 1024, peak[0], process.returncode, stdout,
               usage.ru_utime + usage.ru_stime)


def best(runs: Sequence[Run]) -> Run:
    """The best run: on a shared virtual machine noise only ever adds time (other processes,
    CPU steal), so the minimum is the steadiest estimate of what the code costs."""
    chosen = min(runs, key=lambda r: r.seconds)
    return Run(chosen.seconds, max(r.max_rss for r in runs), max(r.tree_rss for r in runs), chosen.returncode,
               chosen.stdout, min(r.cpu for r in runs))


def best_run(command: Sequence[str], env: dict[str, str], repeat: int, sample: bool = False,
             before_each: Callable[[int], object] | None = None) -> Run:
    runs: list[Run] = []
    for attempt in range(repeat):
        if before_each is not None:
            before_each(attempt)
        runs.append(run(command, env, sample=sample))
    return best(runs)


def environment(pycache: Path, pythonpath: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return env


# --------------------------------------------------------------------------- the bare parse


def bare_parse_seconds(project: Path, repeat: int) -> tuple[float, float]:
    """Best wall and CPU seconds of parsing every file of ``project`` once."""
    files = [(fmt, Path(path).read_bytes()) for path, fmt in discover([str(project)])]
    compose: Callable[..., object] = yaml.compose  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    loader = getattr(yaml, "CSafeLoader")

    def once() -> None:
        for fmt, data in files:
            if fmt == "yaml":
                compose(data.decode("utf-8"), Loader=loader)
            elif fmt == "export":
                json.loads(percent_decode(binascii.a2b_base64(data)))
            else:
                json.loads(data)

    best, best_cpu = float("inf"), float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            started, cpu = time.perf_counter(), time.process_time()
            once()
            best = min(best, time.perf_counter() - started)
            best_cpu = min(best_cpu, time.process_time() - cpu)
    finally:
        if enabled:
            gc.enable()
    return best, best_cpu


# --------------------------------------------------------------------------- sending IR between processes


@dataclass(slots=True)
class Pickling:
    files: int
    load: float
    full_mb: float
    full_dumps: float
    full_loads: float
    view_mb: float
    view_dumps: float
    view_loads: float


def pickling_costs(project: Path) -> Pickling:
    """What a worker's results cost to send back, in this process (one core, GC off): the
    whole IR of every file, or the project view that ``flowlint.pipeline.units`` sends."""
    from flowlint.config import Config
    from flowlint.loaders import load_file
    from flowlint.pipeline.units import check_file, per_file_rules, project_view, table_for

    files = list(discover([str(project)]))
    config = Config()
    table, rules = table_for(config), per_file_rules(config)
    enabled = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        results = [load_file(path, fmt, table) for path, fmt in files]
        load = time.perf_counter() - started
        full = _round_trip(results)
        units = [check_file(path, fmt, config, table, rules) for path, fmt in files]
        for unit in units:
            project_view(unit)
        view = _round_trip(units)
    finally:
        if enabled:
            gc.enable()
    return Pickling(len(files), load, *full, *view)


def _round_trip(items: Sequence[object]) -> tuple[float, float, float]:
    import pickle

    started = time.perf_counter()
    blobs = [pickle.dumps(item, pickle.HIGHEST_PROTOCOL) for item in items]
    dumps = time.perf_counter() - started
    started = time.perf_counter()
    for blob in blobs:
        pickle.loads(blob)
    return sum(len(b) for b in blobs) / 1e6, dumps, time.perf_counter() - started


# --------------------------------------------------------------------------- edits


def plain_flows(project: Path) -> list[Path]:
    """YAML flows a typical edit touches: no module calls or secured data (those are re-checked
    with the whole project, see docs/performance.md)."""
    found: list[Path] = []
    for path in sorted(project.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if not any(word in text for word in ("commonModule", "SecuredData", "isSecure")):
            found.append(path)
    return found


def prepend_comment(path: Path) -> None:
    path.write_text("# edited by bench/run.py\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def rename_attribute(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    marker = "- setParticipantData:"
    at = text.find(marker)
    if at < 0:
        return False
    lit = text.find("lit: ", at)
    if lit < 0:
        return False
    end = text.find("\n", lit)
    path.write_text(text[:end] + "Renamed" + text[end:], encoding="utf-8")
    return True


# --------------------------------------------------------------------------- the benchmark


@dataclass(slots=True)
class Size:
    n: int
    files: int = 0
    yaml_files: int = 0
    export_files: int = 0
    megabytes: float = 0.0
    bare: float = 0.0
    bare_cpu: float = 0.0
    cold: Run | None = None
    cold_one_job: Run | None = None
    cache_fill: float = 0.0
    warm: float = 0.0
    daemon_warm: float = 0.0
    interface_edit: float = 0.0
    daemon_interface_edit: float = 0.0
    before: dict[str, float] = field(default_factory=lambda: {})
    findings: str = ""
    pickling: Pickling | None = None


def flowlint(*args: str) -> list[str]:
    return [sys.executable, "-m", "flowlint.cli", "check", *args]


def measure_size(n: int, work: Path, env: dict[str, str], repeat: int, befores: dict[str, dict[str, str]],
                 jobs: int) -> Size:
    project = work / f"project-{n}"
    if project.exists():
        shutil.rmtree(project)
    generated = generate.generate(n, project, seed=1)
    size = Size(n, len(generated.files), generated.yaml_files, generated.export_files, generated.total_bytes / 1e6)
    print(f"N={n}: {size.files} files, {size.megabytes:.1f} MB", file=sys.stderr)
    target = str(project)
    # Interleaved, so that the baseline and both modes see the same conditions.
    bare: list[tuple[float, float]] = []
    cold: list[Run] = []
    one_job: list[Run] = []
    for _ in range(repeat):
        bare.append(bare_parse_seconds(project, 1))
        cold.append(run(flowlint(target, "--no-cache", "--jobs", str(jobs)), env, sample=True))
        one_job.append(run(flowlint(target, "--no-cache", "--jobs", "1"), env, sample=True))
    size.bare, size.bare_cpu = min(b[0] for b in bare), min(b[1] for b in bare)
    size.cold, size.cold_one_job = best(cold), best(one_job)
    size.findings = size.cold.stdout.decode("utf-8", "replace").strip().rsplit("\n", 1)[-1]
    if n == 1000:
        size.pickling = pickling_costs(project)
    if size.cold_one_job.stdout != size.cold.stdout:
        raise SystemExit(f"N={n}: --jobs 1 and --jobs {jobs} disagree")
    for rev, before_env in befores.items():
        before = best_run(flowlint(target), before_env, 1 if n >= 5000 else repeat)
        if before.returncode not in (0, 1):
            raise SystemExit(f"{rev} failed on N={n} (exit {before.returncode})")
        size.before[rev] = before.seconds
    cached, candidates, (size.cache_fill, size.warm, size.daemon_warm) = measure_warm(
        f"N={n}", project, work / f"cache-{n}", size.cold.stdout, env, repeat, jobs)
    setters = [path for path in candidates if "- setParticipantData:" in path.read_text(encoding="utf-8")]
    step = max(1, len(setters) // (2 * repeat + 1))
    renamed = setters[step::step][:2 * repeat]
    size.interface_edit = best_run(cached, env, repeat, before_each=lambda i: rename_attribute(renamed[i])).seconds
    check = run(flowlint(target, "--no-cache", "--jobs", str(jobs)), env)
    if run(cached, env).stdout != check.stdout:
        raise SystemExit(f"N={n}: the re-check after a rename disagrees with a fresh one")
    size.daemon_interface_edit = measure_daemon(target, work / f"cache-{n}", env, jobs, renamed[repeat:],
                                                check.stdout, rename_attribute)
    return size


@dataclass(slots=True)
class TerraformSize:
    """The project of N flows deployed by Terraform (``generate.py --terraform``)."""

    n: int
    files: int = 0
    yaml_files: int = 0
    export_files: int = 0
    terraform_files: int = 0
    megabytes: float = 0.0
    bare: float = 0.0
    #: The bare parse of the .tf files: python-hcl2's own ``parses_to_tree``.
    bare_tf: float = 0.0
    cold: Run | None = None
    cache_fill: float = 0.0
    warm: float = 0.0
    daemon_warm: float = 0.0
    findings: str = ""


def bare_parse_terraform_seconds(project: Path, repeat: int) -> float:
    """Best wall seconds of parsing every .tf/.tfvars file of ``project`` with python-hcl2's
    public parser (into its lark tree): the bare parse of the Terraform a repository holds."""
    import hcl2.api

    from flowlint.loaders.discover import TERRAFORM, discover_all

    texts = [Path(path).read_text(encoding="utf-8") for path, fmt in discover_all([str(project)]) if fmt == TERRAFORM]
    parse: Callable[[str], object] = getattr(hcl2.api, "parses_to_tree")
    parse("a = 1\n")  # the grammar is built (or read from its cache) once, outside the timing
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            parse(text if text.endswith("\n") else text + "\n")
        best = min(best, time.perf_counter() - started)
    return best


#: Findings that mean the generated Terraform does not match its flow files (a value missing
#: or unused, a file not found or not linted): a generator bug, not something to measure.
_INCONSISTENT = re.compile(rb": (FL11[0-35-6]) \[")


def measure_terraform(n: int, work: Path, env: dict[str, str], repeat: int, jobs: int) -> TerraformSize:
    """What linting as deployed costs: ``measure_size``'s cold, cached and warm checks on the
    Terraform-deployed project.  The baseline is the bare parse of the flow files alone, as
    for the plain project: parsing and evaluating the Terraform is flowlint's own work."""
    project = work / f"terraform-{n}"
    if project.exists():
        shutil.rmtree(project)
    generated = generate.generate(n, project, seed=1, terraform=True)
    size = TerraformSize(n, len(generated.files), generated.yaml_files, generated.export_files,
                         len(generated.terraform_files), generated.total_bytes / 1e6)
    print(f"N={n} (Terraform): {size.files} files, {size.terraform_files} .tf files, {size.megabytes:.1f} MB",
          file=sys.stderr)
    target = str(project)
    bare: list[float] = []
    cold: list[Run] = []
    for _ in range(repeat):
        bare.append(bare_parse_seconds(project, 1)[0])
        cold.append(run(flowlint(target, "--no-cache", "--jobs", str(jobs)), env))
    size.bare, size.cold = min(bare), best(cold)
    size.bare_tf = bare_parse_terraform_seconds(project, repeat)
    size.findings = size.cold.stdout.decode("utf-8", "replace").strip().rsplit("\n", 1)[-1]
    inconsistent = sorted({m.group(1).decode() for m in _INCONSISTENT.finditer(size.cold.stdout)})
    if size.cold.returncode not in (0, 1) or inconsistent:
        raise SystemExit(f"N={n} (Terraform): exit {size.cold.returncode}, generated Terraform inconsistent with its "
                         f"flows ({', '.join(inconsistent) or 'no finding'})")
    _, _, (size.cache_fill, size.warm, size.daemon_warm) = measure_warm(
        f"N={n} (Terraform)", project, work / f"terraform-cache-{n}", size.cold.stdout, env, repeat, jobs)
    return size


def measure_warm(label: str, project: Path, cache: Path, cold_stdout: bytes, env: dict[str, str], repeat: int,
                 jobs: int) -> tuple[list[str], list[Path], tuple[float, float, float]]:
    """The cached command, the plain flows, and (first cached run, one-shot re-check after an
    edit, ``--daemon`` re-check), each checked against a fresh run."""
    target = str(project)
    shutil.rmtree(cache, ignore_errors=True)
    cached = flowlint(target, "--cache-dir", str(cache), "--jobs", str(jobs))
    fill = run(cached, env)
    if fill.stdout != cold_stdout:
        raise SystemExit(f"{label}: the cached run disagrees with the uncached one")
    candidates = plain_flows(project)
    step = max(1, len(candidates) // (repeat + 1))
    edited = candidates[step::step][:repeat]
    warm = best_run(cached, env, len(edited), before_each=lambda i: prepend_comment(edited[i])).seconds
    check = run(flowlint(target, "--no-cache", "--jobs", str(jobs)), env)
    if run(cached, env).stdout != check.stdout:
        raise SystemExit(f"{label}: the warm run disagrees with a fresh one")
    return cached, candidates, (fill.seconds, warm, measure_daemon(target, cache, env, jobs, edited, check.stdout))


def measure_daemon(target: str, cache: Path, env: dict[str, str], jobs: int, edited: list[Path],
                   fresh: bytes, change: Callable[[Path], object] | None = None) -> float:
    """The warm re-check through the resident server (``flowlint check --daemon``), the
    client's start-up included: best of one run after each edit (``change``, by default a
    comment added at the top) of a file in ``edited``."""
    change = change or prepend_comment
    runtime = Path(tempfile.mkdtemp(prefix="fl-run-"))  # the server's socket: a short, private path
    denv = {**env, "XDG_RUNTIME_DIR": str(runtime)}
    launcher = [sys.executable, "-m", "flowlint"]
    try:
        subprocess.run([*launcher, "daemon", "start"], env=denv, cwd=ROOT, check=True, capture_output=True)
        command = [*launcher, "check", target, "--cache-dir", str(cache), "--jobs", str(jobs), "--daemon"]
        if run(command, denv).stdout != fresh:  # the server reads the project's last run from the cache
            raise SystemExit("the resident server disagrees with a fresh check")
        seconds = best_run(command, denv, len(edited), before_each=lambda i: change(edited[i])).seconds
        check = run(flowlint(target, "--no-cache", "--jobs", str(jobs)), env)
        if run(command, denv).stdout != check.stdout:
            raise SystemExit("the resident server's warm run disagrees with a fresh one")
        return seconds
    finally:
        subprocess.run([*launcher, "daemon", "stop"], env=denv, cwd=ROOT, capture_output=True)
        shutil.rmtree(runtime, ignore_errors=True)


def before_environment(rev: str, work: Path, pycache: Path) -> dict[str, str]:
    """Extract ``rev`` (git archive) so that ``python -m flowlint.cli`` runs that version."""
    tree = work / f"before-{rev}"
    if not tree.exists():
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        # The installed layout maps rules/ and grammars/ into the package (pyproject package-dir).
        (tree / "flowlint" / "rules").symlink_to(tree / "rules", target_is_directory=True)
        (tree / "flowlint" / "grammars").symlink_to(tree / "grammars", target_is_directory=True)
    env = environment(pycache, str(tree))
    env["FLOWLINT_BENCH_TREE"] = str(tree)
    probe = subprocess.run([sys.executable, "-c", "import flowlint; print(flowlint.__file__)"], cwd=tree, env=env,
                           capture_output=True, text=True, check=True).stdout
    if not Path(probe.strip()).is_relative_to(tree):
        raise SystemExit(f"{rev}: the extracted tree is not what python imports ({probe.strip()})")
    return env


def _pycache_note() -> str:
    return "; a __pycache__ in the checkout was read" if any(ROOT.glob("flowlint/**/__pycache__")) else ""


_STEAL_START: list[int] = []


def _cpu_ticks() -> tuple[int, int]:
    """(all ticks, steal ticks) from /proc/stat: time the hypervisor gave to other guests."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    return sum(fields), fields[7] if len(fields) > 7 else 0


def steal() -> str:
    try:
        total, stolen = _cpu_ticks()
    except OSError:
        return "n/a"
    if not _STEAL_START:
        _STEAL_START.extend((total, stolen))
        return ""
    return f"{100 * (stolen - _STEAL_START[1]) / max(1, total - _STEAL_START[0]):.1f}%"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def fmt(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds >= 0.1 else f"{seconds:.3f}"


def tables(sizes: list[Size], single: Run, single_source: Run, jobs: int, befores: list[str]) -> str:
    names = [f"N = {s.n:,}" for s in sizes]
    rows: list[tuple[str, list[str], str]] = [
        ("files (YAML + exports), MB", [f"{s.yaml_files:,} + {s.export_files:,}, {s.megabytes:.1f}" for s in sizes], ""),
        ("findings (from the text report)", [s.findings.split(":")[0].replace("Found ", "") for s in sizes], ""),
        ("bare parse (C YAML compose, json.loads), s", [fmt(s.bare) for s in sizes], ""),
        (f"`flowlint check`, cold, no cache (`--jobs {jobs}`), s", [fmt(s.cold.seconds) for s in sizes if s.cold], ""),
        ("ratio flowlint / bare parse", [f"{s.cold.seconds / s.bare:.2f}x" for s in sizes if s.cold],
         "<= 2.0x at N = 1,000"),
        ("CPU time of the check (all processes) / of the bare parse, s",
         [f"{s.cold.cpu:.2f} / {s.bare_cpu:.2f} = {s.cold.cpu / s.bare_cpu:.2f}x" for s in sizes if s.cold], ""),
        ("peak RSS: largest process / whole tree, MB",
         [f"{s.cold.max_rss:.0f} / {s.cold.tree_rss:.0f}" for s in sizes if s.cold], "<= 600 MB at N = 5,000"),
        ("`flowlint check --jobs 1`, cold, no cache, s (CPU s)",
         [f"{fmt(s.cold_one_job.seconds)} ({s.cold_one_job.cpu:.2f})" for s in sizes if s.cold_one_job], ""),
        ("peak RSS with `--jobs 1`, MB", [f"{s.cold_one_job.max_rss:.0f}" for s in sizes if s.cold_one_job], ""),
    ]
    for rev in befores:
        rows.append((f"before ({rev}): `flowlint check`, s", [fmt(s.before.get(rev, float("nan"))) for s in sizes],
                     ""))
        rows.append((f"speed-up since {rev}", [f"{s.before.get(rev, float('nan')) / s.cold.seconds:.1f}x"
                                               for s in sizes if s.cold], ""))
    rows += [
        ("first run with the cache (fills it), s", [fmt(s.cache_fill) for s in sizes], ""),
        ("re-check after editing one file, one-shot process (cache), s", [fmt(s.warm) for s in sizes], ""),
        ("re-check / cold check", [f"{100 * s.warm / s.cold.seconds:.0f}%" for s in sizes if s.cold], ""),
        ("re-check after editing one file, resident server (`--daemon`), s", [fmt(s.daemon_warm) for s in sizes],
         ""),
        ("re-check with `--daemon` / cold check", [f"{100 * s.daemon_warm / s.cold.seconds:.1f}%" for s in sizes
                                                   if s.cold], "<= 10% at N = 1,000"),
        ("re-check after renaming a Set's attribute, one-shot process (cache), s",
         [fmt(s.interface_edit) for s in sizes], ""),
        ("re-check after renaming a Set's attribute, resident server (`--daemon`), s",
         [fmt(s.daemon_interface_edit) for s in sizes], ""),
    ]
    lines = ["| measure | " + " | ".join(names) + " | target |", "|---" * (len(names) + 2) + "|"]
    lines += [f"| {name} | " + " | ".join(values) + f" | {target} |" for name, values, target in rows]
    by_n = {s.n: s for s in sizes}
    summary = [
        "| measure | value | target |", "|---|---|---|",
        f"| cold single-file check (`examples/flows/support.yaml`, `--no-cache`), s | {fmt(single.seconds)} | "
        "<= 0.35 |",
        f"| the same with PYTHONDONTWRITEBYTECODE=1 (flowlint compiled at every start{_pycache_note()}), s | "
        f"{fmt(single_source.seconds)} | |",
    ]
    if 1000 in by_n and 5000 in by_n:
        big, mid = by_n[5000], by_n[1000]
        assert big.cold and mid.cold and big.cold_one_job
        summary.append(f"| scaling: time(5,000) / time(1,000) | {big.cold.seconds / mid.cold.seconds:.2f} "
                       "(linear: 5.0) | <= 5.5 |")
    largest = sizes[-1]
    if largest.cold and largest.cold_one_job:
        summary.append(f"| {jobs}-process speed-up at N = {largest.n:,} (`--jobs 1` / `--jobs {jobs}`) | "
                       f"{largest.cold_one_job.seconds / largest.cold.seconds:.2f}x | |")
    text = "\n".join(lines) + "\n\n" + "\n".join(summary) + "\n"
    for size in sizes:
        p = size.pickling
        if p is not None:
            text += (f"\nSending results back from workers, N = {size.n:,} ({p.files:,} files; one core, GC off; "
                     f"loading them takes {p.load:.2f} s):\n\n"
                     "| what a worker sends | MB | pickle, s | unpickle, s | both / loading |\n|---|---|---|---|---|\n"
                     f"| whole IR (`LoadResult`) | {p.full_mb:.1f} | {p.full_dumps:.2f} | {p.full_loads:.2f} | "
                     f"{(p.full_dumps + p.full_loads) / p.load:.0%} |\n"
                     f"| project view (`FileUnit`, sent by flowlint) | {p.view_mb:.1f} | {p.view_dumps:.2f} | "
                     f"{p.view_loads:.2f} | {(p.view_dumps + p.view_loads) / p.load:.0%} |\n")
    return text


def terraform_table(sizes: list[TerraformSize], plain: list[Size], jobs: int) -> str:
    """The second table: the same measures on the project deployed by Terraform (and, where
    the plain project of that N was measured too, its cold check for comparison)."""
    if not sizes:
        return ""
    names = [f"N = {s.n:,}" for s in sizes]
    by_n = {s.n: s for s in plain}
    rows: list[tuple[str, list[str], str]] = [
        ("files (YAML + exports), `.tf` files, MB",
         [f"{s.yaml_files:,} + {s.export_files:,}, {s.terraform_files}, {s.megabytes:.1f}" for s in sizes], ""),
        ("findings (from the text report)", [s.findings.split(":")[0].replace("Found ", "") for s in sizes], ""),
        ("bare parse of the flow files (as above), s", [fmt(s.bare) for s in sizes], ""),
        ("bare parse of the `.tf` files (python-hcl2 `parses_to_tree`), s", [fmt(s.bare_tf) for s in sizes], ""),
        (f"`flowlint check`, cold, no cache (`--jobs {jobs}`), s", [fmt(s.cold.seconds) for s in sizes if s.cold], ""),
        ("ratio flowlint / bare parse of every file read (flow files + `.tf` files)",
         [f"{s.cold.seconds / (s.bare + s.bare_tf):.2f}x" for s in sizes if s.cold], "<= 2.0x at N = 1,000"),
        ("ratio flowlint / bare parse of the flow files alone",
         [f"{s.cold.seconds / s.bare:.2f}x" for s in sizes if s.cold], ""),
        ("the same flows without Terraform (table above): cold check, s",
         [_plain_cold(by_n.get(s.n)) for s in sizes], ""),
        ("first run with the cache (fills it), s", [fmt(s.cache_fill) for s in sizes], ""),
        ("re-check after editing one flow file, one-shot process (cache), s", [fmt(s.warm) for s in sizes], ""),
        ("re-check / cold check", [f"{100 * s.warm / s.cold.seconds:.0f}%" for s in sizes if s.cold], ""),
        ("re-check after editing one flow file, resident server (`--daemon`), s",
         [fmt(s.daemon_warm) for s in sizes], ""),
        ("re-check with `--daemon` / cold check", [f"{100 * s.daemon_warm / s.cold.seconds:.1f}%" for s in sizes
                                                   if s.cold], "<= 10% at N = 1,000"),
    ]
    lines = ["| measure (deployed by Terraform) | " + " | ".join(names) + " | target |",
             "|---" * (len(names) + 2) + "|"]
    lines += [f"| {name} | " + " | ".join(values) + f" | {target} |" for name, values, target in rows]
    return ("\nThe same projects deployed by Terraform (`bench/generate.py --terraform`: every YAML flow deployed by "
            "a `genesyscloud_flow`, half of the names and a third of the cross-flow references as `{{key}}` "
            "placeholders; flowlint parses the `.tf` files and lints each flow as deployed):\n\n"
            + "\n".join(lines) + "\n")


def _plain_cold(size: Size | None) -> str:
    return fmt(size.cold.seconds) if size is not None and size.cold is not None else "not measured"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--terraform-sizes", type=int, nargs="*", default=[1000],
                        help="sizes of the project deployed by Terraform to measure (none: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                        else os.cpu_count() or 1)
    parser.add_argument("--before", nargs="*", default=[DEFAULT_BEFORE], help="older revisions to compare")
    parser.add_argument("--work", help="scratch directory (default: a new temporary directory, removed after)")
    parser.add_argument("--write-docs", action="store_true", help=f"rewrite {DOC.relative_to(ROOT)}")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="flowlint-bench-"))
    if work.resolve().is_relative_to(ROOT):
        print("the scratch directory must be outside the repository", file=sys.stderr)
        return 2
    load_before = load_average()
    steal()
    started = time.perf_counter()
    try:
        pycache = work / "pycache"
        env = environment(pycache)
        befores = {rev: before_environment(rev, work, pycache) for rev in args.before}
        run(flowlint(str(SMALL_FILE), "--no-cache"), env)  # writes the bytecode cache
        for before_env in befores.values():
            run(flowlint(str(SMALL_FILE)), before_env)
        single = best_run(flowlint(str(SMALL_FILE), "--no-cache"), env, max(9, args.repeat))
        # As this environment runs it: the standard library's bytecode is read, flowlint's is
        # never written (unless __pycache__ directories exist in the checkout).
        source_env = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
        source_env.pop("PYTHONPYCACHEPREFIX")
        single_source = best_run(flowlint(str(SMALL_FILE), "--no-cache"), source_env, max(5, args.repeat))
        sizes = [measure_size(n, work, env, args.repeat, befores, args.jobs) for n in args.sizes]
        deployed = [measure_terraform(n, work, env, args.repeat, args.jobs) for n in args.terraform_sizes]
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    header = (f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} CPUs, Python "
              f"{platform.python_version()}, PyYAML {yaml.__version__} (libyaml); load average (1/5/15 min) "
              f"before: {load_before}, after: {load_average()}; {time.perf_counter() - started:.0f} s in all; "
              f"best of {args.repeat} runs; CPU steal during the run: {steal()}")
    table = tables(sizes, single, single_source, args.jobs, list(args.before))
    table += terraform_table(deployed, sizes, args.jobs)
    print(header + "\n\n" + table)
    if args.write_docs:
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        if start in text and end in text:
            text = text[: text.index(start) + len(start)] + "\n" + header + "\n\n" + table + text[text.index(end):]
            DOC.write_text(text, encoding="utf-8")
        else:
            print(f"{DOC} has no {start} ... {end} block", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
