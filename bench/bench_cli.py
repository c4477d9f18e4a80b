"""Whole-process timings of the dokgen CLI: `--help`, `check` and `build` of the example.

The example is one MoU (Word), one lab report (PDF, 8 pages) and one press piece (three
files); `build --clean` renders all of them, a second `build` finds nothing to do.

Run: make bench (or .venv/bin/python bench/bench_cli.py [--runs N]).
Each case runs N times interleaved with the others (this machine is noisy); we print the
median, min and max wall time, and ratios against a bare `python -c pass`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOKGEN = str(Path(sys.executable).with_name("dokgen"))


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dokgen-bench-"))
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, work / part)
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "dokgen --help": [DOKGEN, "--help"],
        "dokgen check": [DOKGEN, "check"],
        "dokgen build --clean (example)": [DOKGEN, "build", "--clean", "--quiet"],
        "dokgen build (nothing changed)": [DOKGEN, "build", "--quiet"],
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for name, cmd in cases.items():  # warm the file cache once
        timed(cmd, work)
    for _ in range(args.runs):
        for name, cmd in cases.items():
            samples[name].append(timed(cmd, work))
    shutil.rmtree(work)

    base = statistics.median(samples["python -c pass"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}; {args.runs} runs each, interleaved")
    print(f"{'case':28} {'median ms':>10} {'min':>8} {'max':>8} {'x python':>9}")
    for name, values in samples.items():
        med = statistics.median(values)
        print(f"{name:28} {med * 1000:10.0f} {min(values) * 1000:8.0f} {max(values) * 1000:8.0f} {med / base:9.1f}")


if __name__ == "__main__":
    main()
