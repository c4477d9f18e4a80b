"""Guarantee: special files in a workspace never hang dokgen, exhaust memory or crash it.

Every place dokgen reads a workspace file (a record, records/scopes.yaml, a template, a
font, a logo, the manifest, the journal, the lock file) is given in turn a named pipe, a
symbolic link to /dev/zero, a sparse 10 GB file and a folder. Each run is a real
`dokgen build` or `dokgen check` process under a 3 GB address-space limit and a 60 s
timeout, so a hang or a runaway read shows up as a failure instead of stopping the test
run. Each case must end with exit 1 and a message naming the file at fault, or, where the
file is not needed (an unused file in templates/html/fonts/), build as usual.

Litter that Windows, macOS and Office leave in shared folders (Thumbs.db, desktop.ini,
*:Zone.Identifier, .DS_Store, ._*, ~$ and .~lock files) is skipped with a `note:` line and
every document is built; file names that are not UTF-8 are reported, never a crash.
Outputs already in out/ are hashed before and after: a refused build changes none.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image

from .conftest import SOAK
from .workspaces import example_workspace, run_dokgen

TEN_GB = 10 * 1024**3
GUARANTEE = "16 special files: pipes, devices, litter"


def make_workspace(ws: Path, *, lab: bool) -> None:
    """The example, with a logo for one party (a file the MoU and the report read)."""
    example_workspace(ws, lab=lab)
    Image.new("RGB", (40, 40), "navy").save(ws / "assets/logo-lan.png")
    with open(ws / "records/parties/lan.yaml", "a") as fh:
        fh.write("logo: assets/logo-lan.png\n")


def run(ws: Path, *args: str) -> tuple[int | None, str]:
    return run_dokgen("-C", str(ws), *args)


def hashes(out: Path, skip: Path | None = None) -> dict[str, str]:
    found = {}
    for path in out.rglob("*") if out.is_dir() else ():
        if skip is not None and path.is_relative_to(skip):
            continue
        if path.is_file() and not path.is_symlink() and not path.name.startswith(".dokgen"):
            found[path.relative_to(out).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# --- what to put in place of a file -------------------------------------------------------------

def fifo(path: Path) -> None:
    os.mkfifo(path)


def dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def sparse(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.truncate(TEN_GB)


def folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("someone's file\n")


SPECIAL: dict[str, Callable[[Path], None]] = {"fifo": fifo, "/dev/zero": dev_zero, "10 GB": sparse, "folder": folder}
REFUSAL = {"fifo": "a named pipe", "/dev/zero": "a device", "10 GB": "10,737,418,240 bytes", "folder": "a folder"}


# (file, needs the lab, needs a first build, command, message regex with {why}) per place read
PLACES = [
    ("records/mou/tambahan.yaml", False, False, r"records/mou/tambahan\.yaml:1:1: (not read: it is {why}|records are \.yaml files)"),
    ("records/parties/lan.yaml", False, False, r"records/parties/lan\.yaml:1:1: (not read: it is {why}|records are \.yaml files)"),
    ("records/scopes.yaml", False, False, r"records/scopes\.yaml:1:1: not read: it is {why}"),
    ("templates/docx/mou.docx", False, False, r"templates/docx/mou\.docx(: not used: it is {why}| not found|.*(symbolic link|outside))"),
    ("templates/markdown/press.md", False, False, r"templates/markdown/press\.md(: not used: it is {why}| not found|.*(symbolic link|outside))"),
    ("assets/logo-lan.png", False, False, r"records/parties/lan\.yaml:\d+:\d+: logo: 'assets/logo-lan\.png' (cannot be used: it is {why}|is outside the workspace)"),
    ("out/.dokgen-manifest.json", False, True, r"out/\.dokgen-manifest\.json: not read: it is {why}"),
    ("out/.dokgen-journal", False, True, r"out/\.dokgen-journal: not read: it is {why}"),
    ("out/.dokgen.lock", False, True, r"lock file .*\.dokgen\.lock: (it is {why}|it is a symbolic link|Is a directory)"),
    # a link out of templates/ (to /dev/zero) is refused before any render (guarantee 9);
    # a pipe or folder in the font's place fails the report alone, at the fetcher
    ("templates/html/fonts/Arimo-Regular.ttf", True, False, r"(labs/labinov-pontianak-2015\.yaml: refused to load file://\S*/Arimo-Regular\.ttf: (not a regular file|it is {why}|a report may load only)|templates/html/fonts/Arimo-Regular\.ttf:1:1: refused to read: it resolves through a symbolic link to /dev/zero)"),
]
# A lock file is never read, only truncated and locked: a 10 GB one is simply emptied. A
# link in place of the journal is removed unread (guarantee 6), and the build goes on.
NOT_REFUSED = {("out/.dokgen.lock", "10 GB"), ("out/.dokgen-journal", "/dev/zero")}
CASES = [(place, kind) for place in PLACES for kind in SPECIAL if (place[0], kind) not in NOT_REFUSED]
# `check` reads records as `build` does; the rest of what it reads is the same code, so the
# soak run alone repeats every case with `check`.
COMMANDS = [(c, place, kind) for c in ("build", "check") for place, kind in CASES
            if c == "build" or (not place[0].startswith("out/") and (SOAK or place[0].startswith("records/")))]


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("command,place,kind", COMMANDS, ids=[f"{c}-{p[0]}-{k}" for c, p, k in COMMANDS])
def test_special_file_is_refused_with_its_name(tmp_path, figure, place, kind, command):
    rel, lab, first_build, pattern = place
    ws = tmp_path / "ws"
    make_workspace(ws, lab=lab)
    if first_build:
        code, err = run(ws, "build", "--jobs", "1")
        assert code == 0, err
        if rel.endswith("journal"):
            (ws / rel).write_text("")
    target = ws / rel
    if target.exists() or target.is_symlink():
        target.unlink()
    SPECIAL[kind](target)
    before = hashes(ws / "out", skip=target)
    if first_build:  # new inputs: the build has something to write, and must not
        (ws / "records/parties/lan.yaml").write_text((ws / "records/parties/lan.yaml").read_text().replace("Jalan Veteran", "Jl. Veteran"))
    code, err = run(ws, command, "--jobs", "1") if command == "build" else run(ws, command)
    figure.cases += 1
    figure.tracebacks += "Traceback" in err
    problems = []
    if code != 1:
        problems.append(f"exit {code}")
    if not re.search(pattern.format(why=REFUSAL[kind]), err) and not (rel.endswith(".lock") and code == 1 and "error:" in err):
        problems.append("no message naming the file")
    after = hashes(ws / "out", skip=target)
    figure.files_checked += len(before) + 1
    if rel.startswith("templates/html/fonts/") and command == "build" and "refused to read" not in err:  # the report fails alone; the rest is built
        if "labs/labinov-pontianak-2015.pdf" in after or len(after) != 4:
            problems.append(f"built {sorted(after)}")
    elif after != before:
        problems.append(f"out/ changed: {sorted(set(after.items()) ^ set(before.items()))[:4]}")
    figure.failures += bool(problems) or "Traceback" in err
    assert not problems and "Traceback" not in err, f"{problems}\n{err[-1500:]}"


UNUSED_FONT_FILES = {
    "fifo": lambda fonts: os.mkfifo(fonts / "rusak.ttf"),
    "10 GB": lambda fonts: sparse(fonts / "besar.ttf"),
    # (a link to /dev/zero is not here: a link out of templates/ is refused, used or not: guarantee 9)
    "non-UTF-8 name": lambda fonts: (fonts / os.fsdecode(b"huruf-\xff\xfe.ttf")).write_bytes(b"not a font"),
    "folder": lambda fonts: folder(fonts / "lama"),
    "litter": lambda fonts: (fonts / "Thumbs.db").write_bytes(b"\x00" * 512),
}


# One report with every kind of unused file at once; the soak run tries each on its own.
FONT_CASES = [[k] for k in UNUSED_FONT_FILES] if SOAK else [list(UNUSED_FONT_FILES)]


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("kinds", FONT_CASES, ids=["+".join(k) for k in FONT_CASES])
def test_unused_file_among_the_fonts_does_not_stop_the_report(tmp_path, figure, kinds):
    ws = tmp_path / "ws"
    make_workspace(ws, lab=True)
    for kind in kinds:
        UNUSED_FONT_FILES[kind](ws / "templates/html/fonts")
    code, err = run(ws, "build", "--jobs", "1")
    pdf = ws / "out/labs/labinov-pontianak-2015.pdf"
    ok = code == 0 and pdf.is_file() and pdf.read_bytes().startswith(b"%PDF-")
    if ok:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout if shutil.which("pdftotext") else "Pontianak"
        ok = "Pontianak" in text
    figure.cases += len(kinds)
    figure.files_checked += 1
    figure.tracebacks += "Traceback" in err
    figure.failures += not ok or "Traceback" in err
    assert ok and "Traceback" not in err, err[-1500:]


LITTER = {
    "records/Thumbs.db": b"\xd0\xcf\x11\xe0" + b"\x00" * 200,
    "records/mou/Thumbs.db": b"\xd0\xcf\x11\xe0" + b"\x00" * 200,
    "records/desktop.ini": b"[.ShellClassInfo]\r\nIconResource=x\r\n",
    "records/parties/Desktop.ini": b"[.ShellClassInfo]\r\n",
    "records/mou/pontianak-lan-2015.yaml:Zone.Identifier": b"[ZoneTransfer]\r\nZoneId=3\r\n",
    "records/.DS_Store": b"\x00\x00\x00\x01Bud1" + b"\x00" * 100,
    "records/press/._pemkot-gandeng-lan-2015.yaml": b"\x00\x05\x16\x07" + b"\x00" * 60,
    "records/mou/~$ntoh-draf.docx": b"\x0bsomeone   " + b"\x00" * 40,
    "records/parties/.~lock.lan.yaml#": b"someone,host,01.01.2026 10:00,\n",
}


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("rel", LITTER)
def test_litter_is_skipped_with_a_note(tmp_path, figure, rel, command):
    ws = tmp_path / "ws"
    make_workspace(ws, lab=False)
    (ws / rel).write_bytes(LITTER[rel])
    code, err = run(ws, command, "--jobs", "1") if command == "build" else run(ws, command)
    built = hashes(ws / "out")
    problems = []
    if code != 0:
        problems.append(f"exit {code}")
    if not rel.split("/")[-1].startswith(".") or rel.endswith(("DS_Store", "#")) or "/._" in rel:
        if f"note: skipped {rel}" not in err:
            problems.append("no note")
    if command == "build" and len(built) != 4:
        problems.append(f"built {sorted(built)}")
    figure.cases += 1
    figure.files_checked += len(built)
    figure.tracebacks += "Traceback" in err
    figure.failures += bool(problems) or "Traceback" in err
    assert not problems and "Traceback" not in err, f"{problems}\n{err[-1500:]}"


NAMES = {
    "record": ("records/mou", b"ntoh-\xe9.yaml", r"records/mou/ntoh-\\xe9\.yaml:1:1: file name 'ntoh-\\xe9' is not a valid id"),
    "folder in records/": ("records", b"arsip-\xff", r"records/arsip-\\xff:1:1: not a record folder"),
    "Latin-1 party": ("records/parties", b"dinas-pendidikan-\xe9.yaml", r"records/parties/dinas-pendidikan-\\xe9\.yaml:1:1: file name"),
}


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("name", NAMES)
def test_name_that_is_not_utf8_is_reported_not_a_crash(tmp_path, figure, name):
    folder_rel, raw, pattern = NAMES[name]
    ws = tmp_path / "ws"
    make_workspace(ws, lab=False)
    path = os.path.join(os.fsencode(ws / folder_rel), raw)
    if raw.endswith(b".yaml"):
        shutil.copyfile(ws / "records/parties/lan.yaml", path)
    else:
        os.mkdir(path)
    code, err = run(ws, "build", "--jobs", "1")
    ok = code == 1 and re.search(pattern, err) is not None and not (ws / "out/mou").exists()
    figure.cases += 1
    figure.tracebacks += "Traceback" in err
    figure.failures += not ok or "Traceback" in err
    assert ok and "Traceback" not in err, err[-1500:]
