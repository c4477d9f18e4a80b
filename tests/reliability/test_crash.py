"""Guarantee 4: nothing is lost when a build is killed (kill -9 of the whole process group).

A workspace of many MoUs is built once, one draft is edited by hand, then builds are killed
with SIGKILL at seeded random moments spread over a build's measured duration. Each killed
build has new inputs (a party's address changes), so it really is replacing files when it
dies. After every kill:

* every .docx in out/ is complete: the zip passes testzip and every XML part parses
  strictly (lxml, recover=False);
* the hand-edited draft is byte-for-byte what staff saved;
* a normal build completes (exit 3: the hand-edited draft is kept, its new version goes to
  <id>.dokgen-new.docx), leaves no .tmp-* file anywhere in out/, and the manifest's sha256
  matches the bytes on disk for every entry; every draft shows the current inputs.

On two kills in three the inputs change again before that normal build: files the killed
build managed to write must not then be mistaken for hand edits (exactly one file, the
really edited one, may be reported as kept).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document

from .conftest import scale
from .workspaces import DOKGEN, docx_problem, make_mou_workspace

SEED = 4  # guarantee 4


# --- helpers (kept local: each reliability test file stands alone) ------------------------


def set_address(ws: Path, address: str) -> None:
    party = ws / "records/parties/mitra-a.yaml"
    text, n = re.subn(r"(?m)^address: .*$", f"address: {address}", party.read_text())
    assert n == 1
    party.write_text(text)


def document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode()


def temp_files(out: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(out):
        found += [os.path.join(folder, f) for f in files + dirs if f.startswith(".tmp-")]
    return found


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_problems(out: Path, edited: str) -> tuple[list[str], int]:
    """Compare every manifest entry with the bytes on disk; return (problems, entries)."""
    data = json.loads((out / ".dokgen-manifest.json").read_text())
    problems = []
    for rel, entry in data["outputs"].items():
        path = out / rel
        if not path.is_file():
            problems.append(f"manifest lists out/{rel}, which is missing")
        elif rel == edited:
            if sha(path) == entry["sha256"]:
                problems.append(f"manifest claims dokgen wrote the hand-edited out/{rel}")
        elif sha(path) != entry["sha256"]:
            problems.append(f"manifest sha256 of out/{rel} does not match the file")
    return problems, len(data["outputs"])


def group_alive(pgid: int) -> bool:
    """True while a process of the group other than a zombie exists."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
            return True
        except ProcessLookupError:
            return False
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    deadline = time.monotonic() + 10
    while group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not group_alive(proc.pid), "a worker of the killed build is still running"


def build(ws: Path, jobs: str = "2") -> subprocess.CompletedProcess:
    return subprocess.run([*DOKGEN, "-C", str(ws), "build", "--jobs", jobs, "--json"],
                          capture_output=True, text=True, timeout=600)


# --- the test ------------------------------------------------------------------------------


@pytest.mark.guarantee("4 crash: kill -9")
def test_kill_9_during_a_parallel_build_loses_nothing(workspace, figure):
    n_records, n_kills = scale(200, 500), scale(6, 20)
    rng = random.Random(SEED)
    ws = workspace
    ids = make_mou_workspace(ws, n_records)
    out = ws / "out"
    failures: list[str] = []
    tracebacks = 0
    files_checked = 0

    set_address(ws, "Jalan Uji No. 0, Jakarta")
    first = build(ws)
    assert first.returncode == 0, first.stderr[-2000:]

    # staff edit one draft by hand once; it must survive every kill and every rebuild
    edited_id = rng.choice(ids)
    edited_rel = f"mou/{edited_id}.docx"
    draft = out / edited_rel
    doc = Document(str(draft))
    doc.add_paragraph("Catatan tangan: pasal 5 disepakati dalam rapat 12 November.")
    doc.save(str(draft))
    hand_edited = draft.read_bytes()
    new_version = out / f"mou/{edited_id}.dokgen-new.docx"

    # a rebuild with new inputs, the kind of build that will be killed, timed: when it
    # publishes its first draft (progress lines on stderr) and when it ends
    generation = 1
    set_address(ws, f"Jalan Uji No. {generation}, Jakarta")
    started = time.perf_counter()
    proc = subprocess.Popen([*DOKGEN, "-C", str(ws), "build", "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    writing_from = None
    for line in proc.stderr:
        if writing_from is None and line.startswith("[1/"):
            writing_from = time.perf_counter() - started
    proc.wait()
    duration = time.perf_counter() - started
    assert proc.returncode == 3 and writing_from is not None, "the timing build failed"

    # one kill at a random moment before the first draft is written, the others at one
    # random moment in each equal slice of the time the build spends writing drafts
    slices = n_kills - 1
    delays = [rng.random() * writing_from]
    delays += [writing_from + (i + rng.random()) / slices * (duration - writing_from) for i in range(slices)]
    rng.shuffle(delays)
    landed_mid_write = finished_first = 0
    for k, delay in enumerate(delays):
        generation += 1
        set_address(ws, f"Jalan Uji No. {generation}, Jakarta")
        before = {p.name: p.stat().st_mtime_ns for p in (out / "mou").glob("mitra-*.docx")}
        proc = subprocess.Popen([*DOKGEN, "-C", str(ws), "build", "--jobs", "2"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        if proc.poll() is not None:
            finished_first += 1
        kill_group(proc)
        rewritten = sum(1 for p in (out / "mou").glob("mitra-*.docx") if p.stat().st_mtime_ns != before.get(p.name))
        print(f"kill {k}: after {delay:.2f} s, {rewritten} drafts already replaced, exit status {proc.returncode}")
        if 0 < rewritten < n_records:
            landed_mid_write += 1

        # right after the kill: every Word file in out/ is whole, the edited one untouched
        for path in sorted(out.rglob("*.docx")):
            files_checked += 1
            problem = docx_problem(path)
            if problem:
                failures.append(f"kill {k} ({delay:.2f} s): {problem}")
        if draft.read_bytes() != hand_edited:
            failures.append(f"kill {k} ({delay:.2f} s): the hand-edited out/{edited_rel} changed")
        manifest = out / ".dokgen-manifest.json"
        try:
            json.loads(manifest.read_text())
        except ValueError as exc:
            failures.append(f"kill {k}: the manifest is not valid JSON after the kill: {exc}")

        # on two kills in three the records change again before the next build
        if k % 3 != 2:
            generation += 1
            set_address(ws, f"Jalan Uji No. {generation}, Jakarta")
        current = f"Jalan Uji No. {generation}, Jakarta"

        after = build(ws, jobs="1")  # in-process: the quicker way to build 200 drafts here
        if "Traceback" in after.stderr:
            tracebacks += 1
        if after.returncode != 3:
            failures.append(f"kill {k}: the next build exited {after.returncode}, expected 3 (hand edit kept): {after.stderr[-500:]}")
        else:
            summary = json.loads(after.stdout.strip().splitlines()[-1])
            if summary["kept"] != 1 or summary["failed"]:
                kept = re.findall(r"kept (\S+):", after.stderr)
                failures.append(f"kill {k}: the next build kept {summary['kept']} file(s) as hand-edited, expected 1: {kept[:5]}")
        if f"kept out/{edited_rel}" not in after.stderr:
            failures.append(f"kill {k}: the next build did not report out/{edited_rel} as kept")
        leftovers = temp_files(out)
        if leftovers:
            failures.append(f"kill {k}: temp files survive the next build: {leftovers[:3]}")
        problems, entries = manifest_problems(out, edited_rel)
        files_checked += entries
        failures += [f"kill {k}: {p}" for p in problems]
        if draft.read_bytes() != hand_edited:
            failures.append(f"kill {k}: the rebuild changed the hand-edited out/{edited_rel}")
        if not new_version.is_file():
            failures.append(f"kill {k}: no out/mou/{edited_id}.dokgen-new.docx beside the hand-edited draft")
        for i in ids:
            path = new_version if i == edited_id else out / f"mou/{i}.docx"
            if not path.is_file():
                failures.append(f"kill {k}: out/mou/{path.name} is missing after the next build")
                continue
            files_checked += 1
            problem = docx_problem(path)
            if problem:
                failures.append(f"kill {k}: after the next build: {problem}")
            elif current not in document_xml(path):
                failures.append(f"kill {k}: out/mou/{path.name} does not show the current records (stale)")

    figure.cases = n_kills
    figure.failures = len(failures)
    figure.tracebacks = tracebacks
    figure.files_checked = files_checked
    figure.note = (f"{n_records} MoUs, build {duration:.1f} s (writing from {writing_from:.1f} s); "
                   f"{landed_mid_write}/{n_kills} kills mid-write, {finished_first} after the build ended")
    print(f"\nguarantee 4: {n_kills} kills over a {duration:.1f} s build of {n_records + 1} drafts "
          f"(writing from {writing_from:.1f} s); "
          f"{landed_mid_write} landed while drafts were being replaced; {files_checked} files checked; "
          f"{len(failures)} failures")
    assert not failures, "\n".join(failures[:20])
