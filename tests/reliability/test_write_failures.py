"""Guarantee: a write that fails is one located error; the rest of the batch is built.

Things in the way of an output (a file where out/mou/ should be, a folder or a named pipe
where a draft should be), a read-only out/mou/ or out/ or workspace (a read-only tmpfs
mount: the tests run as root, whom file permissions do not stop) and a full disk (a small
tmpfs, filled at several moments of a build) each end with exit 1, a message naming the
output (`out/mou/x.docx: cannot write: ...`) or the folder, every other document built,
no temp file left and every file in out/ complete. After a full disk is given room again,
the next build completes and mistakes nothing it wrote for a hand edit.

`dokgen init` into a dangling link, below a file, into a read-only or full disk, into a
folder that is not empty and twice at once (two processes) gives a clean message and never
leaves half a workspace. Cases that need `mount` are skipped when mounting is not allowed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from .conftest import scale
from .workspaces import BASE_MOU, DOKGEN, REPO, docx_problem, example_workspace, outputs, run_dokgen

GUARANTEE = "17 write failures fail alone"
DRAFT = "out/mou/pontianak-lan-2015.docx"
PRESS_OUT = [f"out/press/pemkot-gandeng-lan-2015.{x}" for x in ("html", "md", "txt")]
ALL_OUT = [DRAFT, *PRESS_OUT]


def _can_mount() -> str | None:
    """None if this process may mount a tmpfs, else why not."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d], capture_output=True, text=True)
        if done.returncode != 0:
            return f"cannot mount a tmpfs here ({done.stderr.strip() or 'mount failed'})"
        subprocess.run(["umount", d], check=True)
    return None


NO_MOUNT = _can_mount() if os.name == "posix" else "not a POSIX system"


class Mounts:
    """tmpfs mounts made by one test, all unmounted in teardown (innermost first)."""

    def __init__(self) -> None:
        self.points: list[Path] = []

    def tmpfs(self, path: Path, size: str) -> Path:
        if NO_MOUNT:
            pytest.skip(NO_MOUNT)
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
        self.points.append(path)
        return path

    def read_only(self, path: Path) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)

    def resize(self, path: Path, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,rw,size={size}", str(path)], check=True)

    def close(self) -> None:
        for point in reversed(self.points):
            subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.fixture
def mounts():
    m = Mounts()
    yield m
    m.close()


def build(ws: Path, *args: str) -> tuple[int | None, str]:
    return run_dokgen("-C", str(ws), "build", "--jobs", "1", *args)


def temp_files(out: Path) -> list[str]:
    return [str(p) for p in out.rglob(".tmp-*")] if out.is_dir() else []


def incomplete(out: Path) -> list[str]:
    """Outputs in out/ that are not whole files of their kind."""
    bad = []
    for path in out.rglob("*") if out.is_dir() else ():
        if not path.is_file() or path.is_symlink() or path.name.startswith(".dokgen"):
            continue  # a named pipe in the way is never opened
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".docx":
            problem = docx_problem(path)
            if problem:
                bad.append(problem)
        elif path.suffix == ".html" and not path.read_text().rstrip().endswith("</html>"):
            bad.append(f"{rel}: cut short")
    return bad


def manifest_problems(out: Path, edited: tuple[str, ...] = ()) -> list[str]:
    """Every manifest entry must describe the bytes on disk (but for files a person edited)."""
    import hashlib

    path = out / ".dokgen-manifest.json"
    if not path.is_file():
        return []
    problems = []
    for rel, entry in json.loads(path.read_text())["outputs"].items():
        f = out / rel
        if f"out/{rel}" not in edited and f.is_file() and hashlib.sha256(f.read_bytes()).hexdigest() != entry["sha256"]:
            problems.append(f"manifest disagrees with out/{rel}")
    return problems


# --- things in the way of an output --------------------------------------------------------
# (name, setup(ws), outputs that must fail, message regex); every other output is built.

def a_file(rel: str) -> Callable[[Path], None]:
    def setup(ws: Path) -> None:
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_text("a clerk's notes\n")
    return setup


def a_folder(rel: str) -> Callable[[Path], None]:
    def setup(ws: Path) -> None:
        (ws / rel).mkdir(parents=True)
        (ws / rel / "catatan.txt").write_text("a clerk's notes\n")
    return setup


def a_fifo(rel: str) -> Callable[[Path], None]:
    def setup(ws: Path) -> None:
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(ws / rel)
    return setup


def edited_draft_and(then: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(ws: Path) -> None:
        code, err = build(ws)
        assert code == 0, err
        (ws / DRAFT).write_bytes((ws / DRAFT).read_bytes() + b"edited")
        (ws / BASE_MOU).write_text((ws / BASE_MOU).read_text().replace("term_years: 5", "term_years: 4"))
        then(ws)
    return setup


IN_THE_WAY = [
    ("out/mou is a file", a_file("out/mou"), [DRAFT], r"out/mou/pontianak-lan-2015\.docx: cannot write: out/mou is a file, not a folder"),
    ("out/press is a file", a_file("out/press"), PRESS_OUT, r"out/press/pemkot-gandeng-lan-2015\.html: cannot write: out/press is a file"),
    ("out/mou is a named pipe", a_fifo("out/mou"), [DRAFT], r"out/mou is a named pipe \(FIFO\), not a folder"),
    ("the draft is a folder", a_folder(DRAFT), [DRAFT], r"out/mou/pontianak-lan-2015\.docx: cannot write: a folder is in the way"),
    ("the .md is a folder", a_folder(PRESS_OUT[1]), [PRESS_OUT[1]], r"out/press/pemkot-gandeng-lan-2015\.md: cannot write: a folder is in the way"),
    ("the draft is a named pipe", a_fifo(DRAFT), [DRAFT], r"out/mou/pontianak-lan-2015\.docx: cannot write: a named pipe \(FIFO\) is in the way"),
    ("the new version's name is a folder", edited_draft_and(a_folder("out/mou/pontianak-lan-2015.dokgen-new.docx")), [DRAFT],
     r"out/mou/pontianak-lan-2015\.docx: cannot write: a folder is in the way at out/mou/pontianak-lan-2015\.dokgen-new\.docx"),
]


def snapshot(ws: Path) -> dict[str, bytes]:
    """The bytes of every regular file below ws/out that is not dokgen's own."""
    found = {}
    for path in (ws / "out").rglob("*") if (ws / "out").is_dir() else ():
        if path.is_file() and not path.is_symlink() and not path.name.startswith((".dokgen", ".tmp-")):
            found[path.relative_to(ws).as_posix()] = path.read_bytes()
    return found


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("name,setup,failing,message", IN_THE_WAY, ids=[c[0] for c in IN_THE_WAY])
def test_something_in_the_way_fails_that_output_alone(tmp_path, figure, name, setup, failing, message):
    ws = tmp_path / "ws"
    example_workspace(ws)
    setup(ws)
    before = snapshot(ws)
    code, err = build(ws)
    after = snapshot(ws)
    problems = []
    if code != 1:
        problems.append(f"exit {code}")
    if not re.search(message, err):
        problems.append("no message naming the output")
    for rel in ALL_OUT:
        if rel not in failing and rel not in after:
            problems.append(f"{rel} was not built")
    for rel, data in before.items():  # the thing in the way and anything a person made stay as they were
        if (rel.startswith(tuple(failing)) or rel not in ALL_OUT) and after.get(rel) != data:
            problems.append(f"{rel} changed")
    problems += [f"temp file left: {t}" for t in temp_files(ws / "out")] + incomplete(ws / "out") + manifest_problems(ws / "out", tuple(failing))
    figure.cases += 1
    figure.files_checked += len(after)
    figure.tracebacks += "Traceback" in err
    figure.failures += bool(problems) or "Traceback" in err
    assert not problems and "Traceback" not in err, f"{problems}\n{err[-1500:]}"


@pytest.mark.guarantee(GUARANTEE)
def test_out_being_a_file_is_one_clean_error(tmp_path, figure):
    ws = tmp_path / "ws"
    example_workspace(ws)
    (ws / "out").write_text("not a folder\n")
    code, err = build(ws)
    ok = code == 1 and "it is a file, not a folder" in err and (ws / "out").read_text() == "not a folder\n"
    figure.cases += 1
    figure.tracebacks += "Traceback" in err
    figure.failures += not ok or "Traceback" in err
    assert ok and "Traceback" not in err, err


# --- read-only disks -----------------------------------------------------------------------


@pytest.mark.guarantee(GUARANTEE)
def test_read_only_out_mou_fails_the_drafts_and_builds_the_rest(tmp_path, figure, mounts):
    ws = tmp_path / "ws"
    example_workspace(ws)
    mounts.tmpfs(ws / "out/mou", "1m")
    mounts.read_only(ws / "out/mou")
    code, err = build(ws)
    built = snapshot(ws)
    ok = code == 1 and re.search(r"out/mou/pontianak-lan-2015\.docx: cannot write: the disk is read-only", err) and sorted(built) == sorted(PRESS_OUT)
    figure.cases += 1
    figure.files_checked += len(built)
    figure.tracebacks += "Traceback" in err
    figure.failures += not ok or "Traceback" in err
    assert ok and "Traceback" not in err, err


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("where", ["out", "workspace"])
def test_read_only_out_or_workspace_is_one_clean_error(tmp_path, figure, mounts, where):
    ws = tmp_path / "ws"
    if where == "workspace":  # a workspace on a locked flash drive or a CD: no out/ yet
        mounts.tmpfs(ws, "8m")
        example_workspace(ws)
    else:
        example_workspace(ws)
        mounts.tmpfs(ws / "out", "8m")
        assert build(ws)[0] == 0
        (ws / BASE_MOU).write_text((ws / BASE_MOU).read_text().replace("term_years: 5", "term_years: 4"))
    before = snapshot(ws)
    mounts.read_only(ws if where == "workspace" else ws / "out")
    code, err = build(ws)
    ok = code == 1 and re.search(r"^error: .*(Read-only file system|read-only)", err, re.M) and snapshot(ws) == before
    figure.cases += 1
    figure.files_checked += len(before)
    figure.tracebacks += "Traceback" in err
    figure.failures += not ok or "Traceback" in err
    assert ok and "Traceback" not in err, err


# --- a full disk -----------------------------------------------------------------------------


def many_mous(ws: Path, n: int) -> None:
    base = (ws / BASE_MOU).read_text()
    for i in range(n):
        (ws / f"records/mou/tambahan-{i:02d}.yaml").write_text(base.replace("term_years: 5", f"term_years: {i % 20 + 1}"))


@pytest.mark.guarantee(GUARANTEE)
def test_full_disk_fails_what_does_not_fit_and_recovers(tmp_path, figure, mounts):
    """out/ on a tmpfs filled at several moments of a 20-document build, then given room."""
    ref = tmp_path / "ref"
    example_workspace(ref)
    many_mous(ref, 20)
    code, err = build(ref)
    assert code == 0, err
    total = sum(p.stat().st_size for p in (ref / "out").rglob("*") if p.is_file())
    fractions = [0.1, 0.35, 0.6, 0.85, 0.97, 1.0] if scale(0, 1) == 0 else [i / 20 for i in range(1, 21)]
    failures = []
    for k, fraction in enumerate(fractions):
        ws = tmp_path / f"ws-{k}"
        example_workspace(ws)
        many_mous(ws, 20)
        size = max(16, int(total * fraction) // 1024)
        mounts.tmpfs(ws / "out", f"{size}k")
        code, err = build(ws)
        problems = []
        if "Traceback" in err:
            figure.tracebacks += 1
            problems.append(f"a traceback: {err[-300:]}")
        if code not in (0, 1) or (code == 1 and not re.search(r"the disk is full", err)):
            problems.append(f"exit {code} without a disk-full message")
        for rel in outputs(ref / "out"):  # each document is either built whole or named as not written
            if not (ws / "out" / rel).is_file() and f"out/{rel}: cannot write: the disk is full" not in err:
                problems.append(f"out/{rel} neither built nor reported")
        problems += [f"temp file left: {t}" for t in temp_files(ws / "out")] + incomplete(ws / "out") + manifest_problems(ws / "out")
        mounts.resize(ws / "out", "64m")
        code2, err2 = build(ws)
        if "Traceback" in err2:
            figure.tracebacks += 1
            problems.append(f"a traceback after room was made: {err2[-300:]}")
        if code2 != 0 or "kept" in err2.replace("0 kept", ""):
            problems.append(f"after room was made: exit {code2}: {err2[-400:]}")
        got = outputs(ws / "out")
        if sorted(got) != sorted(outputs(ref / "out")):
            problems.append(f"after room was made: {len(got)} outputs, expected {len(outputs(ref / 'out'))}")
        problems += incomplete(ws / "out") + manifest_problems(ws / "out")
        figure.cases += 1
        figure.files_checked += len(got)
        figure.failures += bool(problems)
        failures += [f"disk of {size} KB ({fraction:.0%}): {p}" for p in problems]
    assert not failures, "\n".join(failures)


# --- dokgen init -----------------------------------------------------------------------------


def init(target: Path) -> tuple[int | None, str]:
    return run_dokgen("init", str(target))


def source_files() -> dict[str, bytes]:
    return {p.relative_to(REPO).as_posix(): p.read_bytes() for part in ("records", "templates", "assets") for p in (REPO / part).rglob("*") if p.is_file()}


def workspace_files(ws: Path) -> dict[str, bytes]:
    return {p.relative_to(ws).as_posix(): p.read_bytes() for p in ws.rglob("*") if p.is_file() and p.name != ".gitignore"}


def leftovers(folder: Path) -> list[str]:
    """What a failed init left below folder (it must leave nothing)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.is_dir() else []


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("case", ["dangling link", "below a file", "not empty", "read-only", "full disk"])
def test_init_that_cannot_succeed_says_so_cleanly(tmp_path, figure, mounts, case):
    place = tmp_path / "place"
    place.mkdir()
    target = place / "kerja-sama"
    expect = {
        "dangling link": r"symbolic link to .*does not exist",
        "below a file": r"a file is in the way",
        "not empty": r"is not empty",
        "read-only": r"Read-only file system",
        "full disk": r"No space left on device; nothing was left there",
    }[case]
    if case == "dangling link":
        target.symlink_to(tmp_path / "nowhere")
    elif case == "below a file":
        (place / "berkas").write_text("x")
        target = place / "berkas" / "kerja-sama"
    elif case == "not empty":
        target.mkdir()
        (target / "catatan.txt").write_text("mine\n")
    elif case == "read-only":
        mounts.tmpfs(place, "1m")
        mounts.read_only(place)
    elif case == "full disk":
        mounts.tmpfs(place, "160k")
    before = leftovers(place)
    code, err = init(target)
    ok = code == 1 and re.search(r"^error: .*" + expect, err, re.M) is not None and leftovers(place) == before
    figure.cases += 1
    figure.tracebacks += "Traceback" in err
    figure.failures += not ok or "Traceback" in err
    assert ok and "Traceback" not in err, f"{err}\nleft: {leftovers(place)}"


@pytest.mark.guarantee(GUARANTEE)
def test_two_inits_at_once_make_one_whole_workspace(tmp_path, figure):
    expected = source_files()
    failures = []
    for round_ in range(scale(4, 30)):
        target = tmp_path / f"ws-{round_}"
        if round_ % 2:
            target.mkdir()  # an empty folder made beforehand, as by a file manager
        procs = [subprocess.Popen([*DOKGEN, "init", str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        results = [(p.wait(timeout=60), p.stderr.read().decode()) for p in procs]
        codes = sorted(code for code, _ in results)
        errs = "".join(err for _, err in results)
        figure.cases += 1
        figure.tracebacks += "Traceback" in errs
        problems = []
        if codes != [0, 1] or "Traceback" in errs or not re.search(r"^error: .*is not empty", errs, re.M):
            problems.append(f"exits {codes}: {errs[-300:]}")
        got = workspace_files(target)
        figure.files_checked += len(got)
        if got != expected:
            problems.append(f"workspace differs from the example: {sorted(set(got) ^ set(expected))[:5]}")
        figure.failures += bool(problems)
        failures += [f"round {round_}: {p}" for p in problems]
    assert not failures, "\n".join(failures)
