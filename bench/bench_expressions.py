"""Expression parser throughput and start-up cost.

Run from the repository root:  .venv/bin/python bench/bench_expressions.py

Prints corpus expressions parsed per second on one core (target: 20,000) and the wall
time of importing flowlint's CLI and of ``flowlint --version``, each against a bare
interpreter start for reference.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flowlint.expressions.parser import parse_expression  # noqa: E402
from tests.test_expr_corpus import corpus_expressions  # noqa: E402
from tests.test_expr_grammar import VALID  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
TARGET = 20_000


def expressions() -> tuple[str, list[str]]:
    if CORPUS.is_dir():
        return "corpus", [found.text for found in corpus_expressions(CORPUS)]
    return "reference examples (corpus absent)", list(VALID)


def throughput(texts: list[str], seconds: float = 3.0) -> float:
    """Best rate over rounds of parsing every text once (uncached), in expressions/second."""
    parse_expression("1")  # load the table outside the measurement
    best = 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        for text in texts:
            parse_expression(text)
        best = max(best, len(texts) / (time.perf_counter() - started))
    return best


def wall(code: list[str], runs: int = 7) -> float:
    """Median wall time of a fresh interpreter running ``code``, in milliseconds."""
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, *code], check=True, capture_output=True, cwd=ROOT)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def first_parse_ms() -> float:
    probe = ("import time; t = time.perf_counter(); "
             "from flowlint.expressions.parser import parse_expression; parse_expression('1'); "
             "print((time.perf_counter() - t) * 1000)")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT)
    return float(out.stdout)


def main() -> None:
    source, texts = expressions()
    rate = throughput(texts)
    invalid = sum(1 for text in texts if not parse_expression(text).ok)
    baseline = wall(["-c", "pass"])
    rows = [
        (f"expressions parsed per second ({len(texts)} {source} texts, {invalid} invalid)",
         f"{rate:,.0f}", "PASS" if rate >= TARGET else f"below target {TARGET:,}"),
        ("python -c pass (baseline)", f"{baseline:.0f} ms", ""),
        ("python -c 'import flowlint.cli'", f"{wall(['-c', 'import flowlint.cli']):.0f} ms", ""),
        ("flowlint --version", f"{wall(['-m', 'flowlint.cli', '--version']):.0f} ms", ""),
        ("import parser + first parse (loads the LALR table)", f"{first_parse_ms():.1f} ms", ""),
    ]
    width = max(len(name) for name, _, _ in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>12}  {note}".rstrip())


if __name__ == "__main__":
    main()
