"""Guarantee 12: Ctrl-C (once or twice) and SIGTERM stop a build promptly and leave nothing behind.

A real `dokgen build` process (the installed command, as a person runs it) renders a
workspace of many lab reports and MoUs, in worker processes and in-process. Once it has
written its first outputs it gets SIGINT, SIGINT twice in quick succession, or SIGTERM.
Then:

* it exits within a few seconds, with 130 (Ctrl-C) or 143 (SIGTERM), a one-line message
  and no traceback;
* no process it started lives on (its descendants are read from /proc while it runs);
* out/ holds no .tmp-* file, and every output in it is complete (Word files unzip and
  parse strictly, PDFs end with %%EOF);
* the lock is free: the next build starts at once and finishes the batch (exit 0).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import scale
from .workspaces import docx_problem, make_mou_workspace

REPO = Path(__file__).resolve().parents[2]
DOKGEN = str(REPO / ".venv/bin/dokgen")
LAB = "records/labs/labinov-pontianak-2015.yaml"
STOP_WITHIN_S = 8  # from the signal to the process's exit, on a loaded 2-core machine


def lab_workspace(ws: Path, labs: int, mous: int) -> None:
    """The example plus `labs` copies of its lab report and `mous` generated MoUs."""
    lab = (ws / LAB).read_text()
    make_mou_workspace(ws, mous)
    (ws / "records/labs").mkdir(exist_ok=True)
    for i in range(labs):
        (ws / f"records/labs/lab-{i:03d}.yaml").write_text(lab)


def descendants(pid: int) -> set[int]:
    """Every living process below pid, from /proc (psutil is not installed)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int, start: str) -> bool:
    """Whether pid is still the process first seen with this start time (not a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == start and fields[0] != "Z"


def start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except OSError:
        return ""


def outputs(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".dokgen")]


def incomplete(path: Path) -> str | None:
    if path.suffix == ".docx":
        return docx_problem(path)
    if path.suffix == ".pdf":
        return None if path.read_bytes().rstrip().endswith(b"%%EOF") else f"{path.name}: no %%EOF"
    return None


CASES = [
    ("SIGINT once", [signal.SIGINT], 2, 130),
    ("SIGINT twice", [signal.SIGINT, signal.SIGINT], 2, 130),
    ("SIGTERM", [signal.SIGTERM], 2, 143),
    ("SIGTERM then SIGINT", [signal.SIGTERM, signal.SIGINT], 2, 143),
    ("SIGINT twice, in-process", [signal.SIGINT, signal.SIGINT], 1, 130),
    ("SIGTERM, in-process", [signal.SIGTERM], 1, 143),
]


@pytest.mark.guarantee("12 interrupts: Ctrl-C, SIGTERM")
@pytest.mark.parametrize("name, signals, jobs, status", CASES, ids=[c[0] for c in CASES])
def test_interrupted_build_stops_and_leaves_nothing(tmp_path, name, signals, jobs, status, figure):
    rounds = scale(1, 4)
    for round_ in range(rounds):
        ws = tmp_path / f"ws{round_}"
        for part in ("records", "templates", "assets"):
            shutil.copytree(REPO / part, ws / part)
        lab_workspace(ws, labs=scale(6, 30), mous=60)
        figure.cases += 1
        proc = subprocess.Popen([DOKGEN, "-C", str(ws), "build", "--jobs", str(jobs)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        seen: dict[int, str] = {}
        deadline = time.monotonic() + 60
        # Signal once the build is writing (a first output exists) with its workers running.
        while time.monotonic() < deadline and proc.poll() is None:
            seen.update({p: start_time(p) for p in descendants(proc.pid) if p not in seen})
            if any(p.suffix == ".pdf" for p in outputs(ws / "out")) and (jobs == 1 or len(seen) >= jobs):
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the build ended before it could be interrupted: {proc.communicate()}"
        seen.update({p: start_time(p) for p in descendants(proc.pid) if p not in seen})
        time.sleep(0.1 * round_)  # vary the moment a little between rounds
        stopped = time.monotonic()
        for sig in signals:
            proc.send_signal(sig)
            time.sleep(0.15)
        try:
            _, stderr = proc.communicate(timeout=STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            figure.failures += 1
            pytest.fail(f"{name}: the build was still running {STOP_WITHIN_S} s after the signal")
        took = time.monotonic() - stopped
        time.sleep(0.2)
        left = [p for p, start in seen.items() if alive(p, start)]
        temp = [p for p in (ws / "out").rglob(".tmp-*")]
        broken = [problem for p in outputs(ws / "out") if (problem := incomplete(p))]
        figure.files_checked += len(outputs(ws / "out"))
        figure.tracebacks += "Traceback" in stderr
        again = subprocess.run([DOKGEN, "-C", str(ws), "build", "--jobs", "2", "-q"], capture_output=True, text=True, timeout=300)
        problems = [
            f"exit {proc.returncode}, expected {status}" if proc.returncode != status else "",
            f"worker processes left running: {left}" if left else "",
            f"temp files left: {temp}" if temp else "",
            f"incomplete outputs: {broken}" if broken else "",
            "traceback" if "Traceback" in stderr else "",
            "no message" if "stopped by" not in stderr else "",
            f"the next build failed ({again.returncode}): {again.stderr[-500:]}" if again.returncode != 0 else "",
        ]
        problems = [p for p in problems if p]
        figure.failures += bool(problems)
        figure.note = f"stopped in {took:.1f} s"
        print(f"{name}: stopped in {took:.1f} s")
        assert not problems, f"{name}: {problems}\n{stderr[-1500:]}"
        for p in left:  # never leave a stray process behind a failing test either
            os.kill(p, signal.SIGKILL)
        shutil.rmtree(ws)
