"""Loading speed: flowlint's loaders vs the bare parse of the same bytes, and the full check.

Prints a table. Targets (issue "Foundation" and "Cross-flow analysis"):
  * loading within 2x the bare parse (libyaml C compose for YAML; base64 + unquote +
    json.loads for exports; json.loads for API JSON);
  * whole-project check within 1.5x of loading alone.

Usage: python bench/bench_load.py [CORPUS_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import yaml

from flowlint.config import Config
from flowlint.engine import run_rules
from flowlint.pipeline.units import build_project
from flowlint.expressions.parser import parse_cached
from flowlint.loaders import load_bytes
from flowlint.loaders.discover import discover
from flowlint.loaders.placeholders import substitute

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def bare_parse(files: list[tuple[str, str, bytes]]) -> None:
    compose = yaml.compose  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    for _, fmt, data in files:
        try:
            if fmt == "yaml":
                # Placeholders must be replaced for the bare parse too, or 38 files do not parse.
                compose(substitute(data.decode("utf-8"))[0], Loader=yaml.CSafeLoader)
            elif fmt == "export":
                json.loads(urllib.parse.unquote(base64.b64decode(data).decode("utf-8")))
            else:
                json.loads(data)
        except Exception:  # noqa: BLE001 - the baseline only measures; broken files cost what they cost
            pass


def flowlint_load(files: list[tuple[str, str, bytes]]) -> None:
    for path, fmt, data in files:
        load_bytes(path, data, fmt)


def flowlint_check(files: list[tuple[str, str, bytes]]) -> None:
    parse_cached.cache_clear()  # a cold run: no expression parsed by an earlier repeat
    project, _ = build_project(load_bytes(path, data, fmt) for path, fmt, data in files)
    run_rules(project, Config())


def best(fn: Callable[[list[tuple[str, str, bytes]]], None], files: list[tuple[str, str, bytes]],
         repeat: int) -> float:
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(files)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"corpus not found: {corpus}", file=sys.stderr)
        return 2
    files = [(path, fmt, Path(path).read_bytes()) for path, fmt in discover([str(corpus)])]
    size = sum(len(data) for _, _, data in files)
    rows: list[tuple[str, float]] = []
    for fmt in ("yaml", "export", "json"):
        subset = [f for f in files if f[1] == fmt]
        if not subset:
            continue
        bare = best(bare_parse, subset, args.repeat)
        ours = best(flowlint_load, subset, args.repeat)
        print(f"{fmt:<7} files={len(subset):>4}  bare parse {bare * 1000:8.1f} ms  flowlint load "
              f"{ours * 1000:8.1f} ms  ratio {ours / bare:5.2f}x")
        rows.append((fmt, ours / bare))
    bare = best(bare_parse, files, args.repeat)
    load = best(flowlint_load, files, args.repeat)
    check = best(flowlint_check, files, args.repeat)
    print(f"{'all':<7} files={len(files):>4}  bare parse {bare * 1000:8.1f} ms  flowlint load "
          f"{load * 1000:8.1f} ms  ratio {load / bare:5.2f}x   ({size / 1e6:.1f} MB)")
    print(f"check (load + all rules) {check * 1000:8.1f} ms = {check / load:4.2f}x loading alone "
          f"(target <= 1.5x); load = {load / bare:4.2f}x bare parse (target <= 2.0x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
