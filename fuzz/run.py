"""Fuzz flowlint's readers and writers: ``python fuzz/run.py [--seconds N] [TARGET ...]``.

Each target of ``fuzz/targets.py`` (expression, yaml, export, json, config, report) runs
for ``--seconds`` in its own process, seeded from ``../shared/corpus`` and ``examples/``
(built at run time: flows, decoded exports, every expression found in them).  With
atheris installed (``pip install atheris``) the run is coverage-guided (libFuzzer); without
it, a random-mutation loop drives the same targets, so the command works everywhere.

Findings (inputs that raise) are written to the work directory, a fresh temporary
directory unless ``--work DIR`` is given; reuse one to keep atheris' grown corpus across
runs.  Exit status: 0 clean, 1 something failed.  Reproduce one with
``python fuzz/run.py --replay TARGET FILE``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
if str(ROOT) not in sys.path:  # run as a script: make `fuzz.targets` importable
    sys.path.insert(0, str(ROOT))

#: Seeds for the configuration target (the corpus holds no configuration files).
CONFIG_SEEDS = [
    'select = ["FL0", "FL1"]\nignore = ["FL106"]\nexclude = ["build/", "**/*.tftpl"]\n',
    '[severity]\nFL005 = "info"\n[per-file-ignores]\n"legacy/**" = ["FL001"]\n',
    'external-attributes = ["CallbackNumber"]\nexternal-flows = ["Default In-Queue Flow"]\n'
    '[flow-links]\n"Support In-Queue" = ["Main IVR"]\n',
    '[action-aliases.yaml]\nmyTransfer = "transfer_to_flow"\n[action-aliases.export]\nX = "decision"\n',
    '[tool.flowlint]\nselect = ["FL001"]\n',
    'select = "FL001"\nseverity = {FL001 = "loud"}\nunknown = 1\n',
]
#: Tokens worth splicing into inputs: YAML structure, aliases, tags, placeholders,
#: expression operators, encodings.
DICTIONARY = [b"[", b"]", b"{", b"}", b": ", b"- ", b"&a ", b"*a", b"!!python/object ", b"? ", b"---\n", b"|\n",
              b"{{x}}", b"${x}", b"<x>", b"\t", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf", b'"\\ud800"', b"%",
              b"%25", b"==", b"(", b")", b"If(", b"Flow.", b'"', b"\\", b"?", b":", b"NOT_SET", b"flowSequenceItemList"]


# --------------------------------------------------------------------------- seeds

def seeds(target: str) -> list[bytes]:
    """The seed corpus of ``target``, from the shared corpus and the examples."""
    flow_files = sorted(p for base in (CORPUS, ROOT / "examples") if base.is_dir()
                        for p in base.rglob("*") if p.is_file())
    yaml_files = [p for p in flow_files if p.suffix in (".yaml", ".yml", ".tftpl")]
    exports = [p for p in flow_files if p.suffix.startswith(".i3")]
    if target == "yaml":
        return [p.read_bytes() for p in yaml_files]
    if target == "export":
        return [p.read_bytes() for p in exports]
    if target == "json":
        from flowlint.loaders.export import decode_export

        decoded = (decode_export(p.read_bytes())[0] for p in exports)
        return [text.encode("utf-8") for text in decoded if text is not None]
    if target == "expression":
        return sorted(_expressions(yaml_files + exports))
    if target == "config":
        return [seed.encode("utf-8") for seed in CONFIG_SEEDS]
    rng = random.Random(8)
    return [rng.randbytes(rng.randrange(8, 400)) for _ in range(32)]


def _expressions(paths: Iterable[Path]) -> set[bytes]:
    from flowlint.ir import ValueKind
    from flowlint.loaders import load_file
    from flowlint.loaders.discover import file_format

    found: set[bytes] = set()
    for path in paths:
        for flow in load_file(str(path), file_format(str(path)) or "yaml").flows:
            for action in flow.actions:
                found.update((value.text or "").encode("utf-8") for _, value in action.values
                             if value.kind is ValueKind.EXP)
    return found


# --------------------------------------------------------------------------- the fallback loop

def mutate(data: bytes, pool: list[bytes], rng: random.Random) -> bytes:
    """One to four byte-level edits, libFuzzer style, including splices of other seeds."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        where = rng.randint(0, len(out))
        match rng.randrange(7):
            case 0 if out:  # flip a bit
                out[where % len(out)] ^= 1 << rng.randrange(8)
            case 1:  # insert a token
                out[where:where] = rng.choice(DICTIONARY)
            case 2 if out:  # delete a range
                del out[where:where + rng.randint(1, 64)]
            case 3 if out:  # duplicate a range
                start = rng.randrange(len(out))
                out[where:where] = out[start:start + rng.randint(1, 256)]
            case 4:  # splice in a piece of another seed
                other = rng.choice(pool)
                start = rng.randint(0, len(other))
                out[where:where] = other[start:start + rng.randint(1, 512)]
            case 5 if out:  # truncate
                del out[where:]
            case _:  # a random byte
                out[where:where] = bytes([rng.randrange(256)])
    return bytes(out)


def random_loop(target: Callable[[bytes], None], pool: list[bytes], seconds: float, work: Path,
                name: str, seed: int) -> int:
    """Mutate seeds for ``seconds``; save and count inputs that raise."""
    rng = random.Random(seed)
    pool = pool or [b""]
    deadline = time.monotonic() + seconds
    runs = failures = 0
    for data in pool:  # every seed once, unmutated
        failures += _run_one(target, data, work, name)
        runs += 1
    while time.monotonic() < deadline:
        failures += _run_one(target, mutate(rng.choice(pool), pool, rng), work, name)
        runs += 1
    print(f"{name}: {runs} inputs, {failures} failing (random mutation, seed {seed})", flush=True)
    return failures


def _run_one(target: Callable[[bytes], None], data: bytes, work: Path, name: str) -> int:
    try:
        target(data)
    except Exception:  # noqa: BLE001 - any exception is a finding
        path = work / f"crash-{name}-{abs(hash(data)):x}"
        path.write_bytes(data)
        print(f"{name}: FAILED, input saved to {path}\n{traceback.format_exc()}", flush=True)
        return 1
    return 0


# --------------------------------------------------------------------------- atheris

def atheris_child(name: str, seconds: int, work: Path) -> None:
    """Runs in its own process: libFuzzer never returns (it exits)."""
    atheris: Any = importlib.import_module("atheris")  # no type information
    with atheris.instrument_imports():  # coverage feedback from every flowlint module imported here
        for module in INSTRUMENTED:
            importlib.import_module(module)
        targets: dict[str, Callable[[bytes], None]] = importlib.import_module("fuzz.targets").TARGETS
    corpus = work / f"corpus-{name}"
    if not corpus.is_dir():
        corpus.mkdir(parents=True)
        for index, data in enumerate(seeds(name)):
            (corpus / f"seed-{index:05}").write_bytes(data)
    args = [sys.argv[0], f"-max_total_time={seconds}", "-timeout=20", "-rss_limit_mb=3072", "-max_len=1000000",
            f"-artifact_prefix={work}/crash-{name}-", "-print_final_stats=1", str(corpus)]
    atheris.Setup(args, targets[name])
    atheris.Fuzz()


#: Imported under atheris' instrumentation (what the targets reach, directly or lazily).
INSTRUMENTED = [
    "flowlint.config", "flowlint.engine", "flowlint.expressions.parser", "flowlint.expressions.printer",
    "flowlint.loaders.archy_yaml", "flowlint.loaders.export", "flowlint.loaders.flow_json",
    "flowlint.loaders.json_positions", "flowlint.loaders.yaml_scalar", "flowlint.reporters.json_report",
    "flowlint.reporters.sarif", "flowlint.reporters.junit", "flowlint.reporters.text", "flowlint.reporters.github",
]


def has_atheris() -> bool:
    return importlib.util.find_spec("atheris") is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="targets to run (default: all)")
    parser.add_argument("--seconds", type=int, default=60, help="per target (default: 60)")
    parser.add_argument("--engine", choices=["auto", "atheris", "random"], default="auto")
    parser.add_argument("--work", type=Path, help="work directory (grown corpus, failing inputs)")
    parser.add_argument("--seed", type=int, default=0, help="random engine: the seed (default: 0)")
    parser.add_argument("--replay", nargs=2, metavar=("TARGET", "FILE"), help="run one input and show the error")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    work: Path = args.work or Path(tempfile.mkdtemp(prefix="flowlint-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.child:  # before anything imports flowlint: atheris instruments it on import
        atheris_child(args.child, args.seconds, work)
        return 0
    from fuzz.targets import TARGETS

    if args.replay:
        TARGETS[args.replay[0]](Path(args.replay[1]).read_bytes())
        print("no failure")
        return 0
    names = args.targets or list(TARGETS)
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    engine = args.engine
    if engine == "auto":
        engine = "atheris" if has_atheris() else "random"
    print(f"fuzzing {', '.join(names)} for {args.seconds} s each with {engine}; work directory {work}", flush=True)
    failed = 0
    for name in names:
        if engine == "atheris":
            done = subprocess.run([sys.executable, __file__, "--child", name, "--seconds", str(args.seconds),
                                   "--work", str(work)], check=False, env={**os.environ, "PYTHONHASHSEED": "0"})
            print(f"{name}: libFuzzer exit status {done.returncode}", flush=True)
            failed += done.returncode != 0
        else:
            failed += random_loop(TARGETS[name], seeds(name), args.seconds, work, name, args.seed) > 0
    print("fuzzing: " + ("FAILED (inputs saved in the work directory)" if failed else "no failure"), flush=True)
    if not failed and args.work is None:
        shutil.rmtree(work, ignore_errors=True)  # a fresh temporary directory with nothing worth keeping
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
