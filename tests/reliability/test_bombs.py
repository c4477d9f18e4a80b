"""Guarantee 11: a template cannot exhaust memory or time, in any mode.

Resource bombs planted in the templates (every kind: Word, HTML report and press page,
Markdown, text): expressions that build a gigabyte string or list (`*`, `**`, nested
joins, `center`, `format`), output of gigabytes from a loop, infinite recursion, loops
that never end; and Word packages that unzip to a gigabyte (declared, or lying about
their size), hold thousands of parts, or a quarter of a gigabyte in all. Each runs as
a real `dokgen` process in three modes: `build --jobs 1` (renders in dokgen's own
process), `build --jobs 2` (worker processes) and `check`. Every time:

* the process exits 1 within the time limit, its peak memory (and its workers') stays
  under MEMORY_LIMIT_MB, and no traceback is printed;
* the error is located in the template (`templates/<file>:line:col: ...`) and, for a
  render, names the record;
* in a build, the documents of the other templates are still written.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from .conftest import scale
from .workspaces import others_built, plant

MEMORY_LIMIT_MB = 800  # the command's own ~150 MB plus the 512 MB render ceiling, never gigabytes
TIMEOUT_S = 3  # --timeout given to dokgen for the endless loops
TEMPLATES = ["html/press.html", "markdown/press.md", "text/press.txt", "docx/mou.docx", "html/lab-report.html"]
MODES = [["build", "--jobs", "1"], ["build", "--jobs", "2"], ["check"]]
SIZE_LINE = re.compile(r"^(?:error: )?templates/[^:\s]+:\d+:\d+: \S")

# (name, template code, what stops it)
EXPRESSIONS = [
    ("string times a billion", '{{ "a" * 10**9 }}', "would build"),
    ("list times a billion", "{{ ([0] * 10**9)|length }}", "would build"),
    ("power tower", "{{ 10 ** (10 ** 8) }}", "digits"),
    ("join of a thousand megabytes", '{% set s = "a" * 1000000 %}{{ ([s] * 1000)|join }}', "memory"),
    ("loop printing a megabyte 3000 times", '{% set s = "a" * 1000000 %}{% for i in range(3000) %}{{ s }}{% endfor %}', "memory|longer than"),
    ("center to two gigabytes", '{{ "x"|center(2000000000) }}', "memory"),
    ("format to two gigabytes", '{{ "%2000000000d"|format(1) }}', "memory"),
    ("endless recursion", "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "recursion"),
    ("loop of ten billion", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "longer than"),
]


def expression_cases() -> list[tuple]:
    full = [(e, t, tuple(m)) for e in EXPRESSIONS for t in TEMPLATES for m in MODES]
    if scale(0, 1):
        return full
    # CI: every expression once, rotating through the templates and the modes
    return [(e, TEMPLATES[i % len(TEMPLATES)], tuple(MODES[i % len(MODES)])) for i, e in enumerate(EXPRESSIONS)]


def run_measured(args: list[str]) -> tuple[int, str, float, float]:
    """Run dokgen; return (exit status, stderr, seconds, peak RSS in MB of it and its workers)."""
    started = time.monotonic()
    with open(os.devnull, "w") as devnull:
        proc = subprocess.Popen([sys.executable, "-m", "dokgen", *args], stdout=devnull, stderr=subprocess.PIPE, text=True)
        try:
            stderr = proc.stderr.read()  # returns when every process holding it has exited
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if proc.poll() is None and proc.returncode is None:
                proc.kill()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, stderr, time.monotonic() - started, usage.ru_maxrss / 1024


def without_labs(ws: Path) -> None:
    """Drop the lab report (a second to render) where it is not the target of the case."""
    shutil.rmtree(ws / "records/labs")
    for press in (ws / "records/press").glob("*.yaml"):
        press.write_text(re.sub(r"(?m)^lab: .*\n", "", press.read_text()))


@pytest.mark.guarantee("11 resource bombs in templates")
@pytest.mark.parametrize("expression, rel, mode", expression_cases(),
                         ids=[f"{e[0]}-{t}-{m[-1]}" for e, t, m in expression_cases()])
def test_expression_bomb_stops_alone(workspace, figure, expression, rel, mode):
    name, code, stopped_by = expression
    if not rel.startswith("html/lab"):
        without_labs(workspace)
    plant(workspace, rel, code)
    figure.cases += 1
    status, stderr, seconds, peak = run_measured(["-C", str(workspace), *mode, "--timeout", str(TIMEOUT_S)])
    lines = [line for line in stderr.splitlines() if f"templates/{rel}" in line]
    problems = [
        f"exit {status}" if status != 1 else "",
        f"peak {peak:.0f} MB" if peak > MEMORY_LIMIT_MB else "",
        f"{seconds:.1f} s" if seconds > 60 else "",
        "traceback" if "Traceback" in stderr else "",
        "not located in the template" if not lines or not all(SIZE_LINE.match(line) for line in lines) else "",
        "the record is not named" if not any("records/" in line for line in lines) else "",
        f"not stopped by {stopped_by!r}" if not any(re.search(stopped_by, line) for line in lines) else "",
        "the other documents were not built" if mode[0] == "build" and not others_built(workspace, rel) else "",
    ]
    problems = [p for p in problems if p]
    figure.tracebacks += "Traceback" in stderr
    figure.failures += bool(problems)
    figure.files_checked += sum(1 for p in (workspace / "out").rglob("*") if p.is_file()) if (workspace / "out").is_dir() else 0
    assert not problems, f"{name} in {rel} ({' '.join(mode)}): {problems}\n{stderr[-1500:]}"


# --- Word packages that unzip to too much -----------------------------------------------------------


def zeros(z: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of size zero bytes, streamed (never held in memory), deflated: a 1 GiB member
    takes about 1 MB on disk, as a real zip bomb does (a stored one is refused by file size)."""
    chunk = b"\0" * (1 << 20)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with z.open(info, "w", force_zip64=True) as fh:
        for _ in range(size // len(chunk)):
            fh.write(chunk)


def rewrite(path: Path, extra: Callable[[zipfile.ZipFile], object], declare: dict[str, int] | None = None) -> None:
    """Copy the package at path, let extra add members, then make the zip's directory lie
    about the unpacked size of the members in declare (as a crafted bomb does)."""
    original = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        extra(dst)
    if not declare:
        return
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    entry = int.from_bytes(data[end + 16:end + 20], "little")  # where the central directory starts
    while data[entry:entry + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = (int.from_bytes(data[entry + i:entry + i + 2], "little") for i in (28, 30, 32))
        name = data[entry + 46:entry + 46 + name_len].decode()
        if name in declare:
            data[entry + 24:entry + 28] = declare[name].to_bytes(4, "little")
        entry += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


ZIP_CASES = {
    "a member of 1 GiB": (lambda z: zeros(z, "word/media/image1.png", 1 << 30), None, "word/media/image1.png"),
    "four members of 80 MB": (lambda z: [zeros(z, f"word/media/image{i}.png", 80 << 20) for i in range(4)], None, "word/media/image0.png"),
    "2,001 parts": (lambda z: [z.writestr(f"customXml/item{i}.xml", "<a/>") for i in range(2001)], None, "parts in the package"),
    "a part lying about its size (declares 1 KB, holds 100 MB)": (lambda z: zeros(z, "word/glossary.xml", 100 << 20), {"word/glossary.xml": 1024}, "mou.docx"),
    "a part declaring 3 GB": (lambda z: z.writestr("word/media/image9.png", b"\0" * 1000), {"word/media/image9.png": 3 << 30}, "word/media/image9.png"),
}


@pytest.mark.guarantee("11 resource bombs in templates")
@pytest.mark.parametrize("case", list(ZIP_CASES))
def test_zip_bomb_template_is_refused(workspace, figure, case):
    extra, declare, named = ZIP_CASES[case]
    without_labs(workspace)
    rewrite(workspace / "templates/docx/mou.docx", extra, declare)
    for mode in MODES if scale(0, 1) or case == "a member of 1 GiB" else MODES[:1]:
        figure.cases += 1
        status, stderr, seconds, peak = run_measured(["-C", str(workspace), *mode])
        lines = [line for line in stderr.splitlines() if line.startswith(("templates/", "error: templates/"))]
        problems = [
            f"exit {status}" if status != 1 else "",
            f"peak {peak:.0f} MB" if peak > MEMORY_LIMIT_MB else "",
            "traceback" if "Traceback" in stderr else "",
            "not located" if not lines or not all(SIZE_LINE.match(line) for line in lines) else "",
            f"{named!r} not named" if named not in stderr else "",
            "MoU written" if any((workspace / "out").rglob("*.docx")) else "",
        ]
        problems = [p for p in problems if p]
        figure.tracebacks += "Traceback" in stderr
        figure.failures += bool(problems)
        figure.files_checked += 1
        assert not problems, f"{case} ({' '.join(mode)}): {problems}\n{stderr[-1500:]}"
