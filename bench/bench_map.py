"""The map page at organisation scale: its load-to-interactive time in headless Chromium.

Usage (from the repository root):

    .venv/bin/python bench/bench_map.py [--sizes 100 1000] [--repeat 5] [--work DIR]

For each N, ``bench/generate.py`` makes a synthetic project of N flows (seed 1), then this
script times ``flowlint map DIR -o map.html`` (wall clock, a fresh process) and opens the page
``--repeat`` times in the system's headless Chromium (Playwright's Python API with
``executable_path``, never a downloaded browser), reading ``window.flowlintReady``: the
``performance.now()`` at which the page has drawn every flow and answers input, i.e. the
time from the start of navigation (file read, HTML and JSON parsed, SVG built, first layout
done) to interactive.  Prints the median and the worst of the runs, and the page size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402

CHROMIUM = os.environ.get("FLOWLINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def measure(page_path: Path, repeat: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times: list[float] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(page_path.as_uri())
            page.wait_for_selector("html[data-ready=true]", timeout=60_000)
            times.append(float(page.evaluate("window.flowlintReady")) / 1000)
            # Interactive indeed: an attribute search answers.
            page.fill("#search", "a")
            page.wait_for_selector("#results li")
            page.close()
        browser.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)
    if not os.path.exists(CHROMIUM):
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="flowlint-bench-map-"))
    flowlint = str(Path(sys.executable).with_name("flowlint"))
    rows: list[tuple[int, int, float, float, float, float]] = []
    for n in args.sizes:
        project = work / f"n{n}"
        if not project.exists():
            generate.generate(n, project, seed=1)
        out = work / f"map-{n}.html"
        started = time.perf_counter()
        subprocess.run([flowlint, "map", str(project), "-o", str(out)], check=True, capture_output=True)
        command = time.perf_counter() - started
        times = measure(out, args.repeat)
        rows.append((n, out.stat().st_size, command, statistics.median(times), max(times), min(times)))
    print(f"Chromium: {CHROMIUM}; {args.repeat} page loads per size; load average {os.getloadavg()[0]:.2f}")
    print()
    print("| flows | page size | `flowlint map` (s) | load-to-interactive, median (s) | worst (s) | best (s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, size, command, median, worst, best in rows:
        print(f"| {n:,} | {size / 1e6:.1f} MB | {command:.2f} | {median:.2f} | {worst:.2f} | {best:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
