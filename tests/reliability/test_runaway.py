"""Guarantee 8: a runaway record fails alone, fast, with a clear message; the batch completes."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

LAB = "records/labs/labinov-pontianak-2015.yaml"
MOU = "records/mou/pontianak-lan-2015.yaml"
TIME_LIMIT_S = 60
MEMORY_LIMIT_MB = 1500


def huge_lab(ws: Path, ideas: int) -> None:
    head = (ws / LAB).read_text().split("units:\n")[0]
    tail = "outcomes:" + (ws / LAB).read_text().split("outcomes:")[1]
    idea = "      - title: Ide {n}\n        problem: Masalah layanan {n}.\n        description: Uraian ide {n}.\n"
    body = "units:\n  - name: Dinas Serba Ada\n    type: opd\n    ideas:\n" + "".join(idea.format(n=n) for n in range(ideas))
    (ws / "records/labs/lab-raksasa.yaml").write_text(head + body + tail)


def huge_field(ws: Path, chars: int) -> None:
    text = (ws / MOU).read_text()
    start = text.index("purpose: >-")
    end = text.index("scopes:")
    (ws / "records/mou/mou-raksasa.yaml").write_text(text[:start] + "purpose: " + "kerja sama " * (chars // 11) + "\n" + text[end:])


@pytest.mark.guarantee("8 runaway input")
def test_runaway_records_fail_alone(workspace, figure):
    huge_lab(workspace, 100_000)
    huge_field(workspace, 10_000_000)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "dokgen", "-C", str(workspace), "build", "--jobs", "2", "--json"],
        capture_output=True, text=True, timeout=TIME_LIMIT_S * 2,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figure.cases += 2
    figure.note = f"{seconds:.1f} s, peak {peak_mb:.0f} MB"
    print(f"\nrunaway batch: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB\n{done.stderr[-1500:]}")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    figure.tracebacks += "Traceback" in done.stderr
    figure.failures += summary["failed"] != 2
    assert done.returncode == 1
    assert summary["failed"] == 2
    assert "records/labs/lab-raksasa.yaml:" in done.stderr and "100,000" in done.stderr
    assert "records/mou/mou-raksasa.yaml:" in done.stderr and "purpose: too large to render" in done.stderr
    assert "Traceback" not in done.stderr
    # the rest of the batch was built
    assert (workspace / "out/mou/pontianak-lan-2015.docx").is_file()
    assert seconds < TIME_LIMIT_S and peak_mb < MEMORY_LIMIT_MB
    assert not (workspace / "out/labs/lab-raksasa.pdf").exists()
