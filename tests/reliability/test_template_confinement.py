"""Guarantee 9: templates read nothing outside the workspace's templates/ folder.

A shared workspace (a flash drive, a colleague's folder) may hold templates that try to
pull a file from elsewhere into the documents: a template file that is a symbolic link
out of templates/, a symlinked folder, or `{% include %}`, `{% import %}`,
`{% from ... import %}` and `{% extends %}` naming `../` paths, absolute paths, links, or
a name computed while rendering. For every template kind (Word, HTML report and press
page, Markdown, text) and every way in, `dokgen check` and `dokgen build`:

* exit 1 with each problem as `templates/<file>:line:col: ...` naming the template (no
  traceback, no "internal error");
* put the secret's text in no file under out/ (every output is read back; the Word draft
  unzipped, the PDF through pdftotext when a report was built).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from .conftest import scale

SECRET = "RAHASIA-DI-LUAR-WORKSPACE"
LOCATED = re.compile(r"^(?:error: |warning: )?(templates|records)/[^:\s]+:\d+:\d+: \S.*$")
TEXT_TEMPLATES = ["html/press.html", "markdown/press.md", "text/press.txt", "html/lab-report.html"]
ALL_TEMPLATES = ["docx/mou.docx", *TEXT_TEMPLATES, "html/lab-report.css", "html/fonts/Arimo-Regular.ttf"]


def plant_secret(tmp_path: Path) -> Path:
    """A folder outside the workspace holding files that must never reach an output."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}\n")
    (outside / "secret.html").write_text(f"<p>{SECRET}</p>{{% macro m() %}}{SECRET}{{% endmacro %}}\n")
    return outside


def link_out(ws: Path, rel: str, outside: Path) -> None:
    """Replace templates/<rel> by a symlink to a copy of it outside, with the secret added."""
    path = ws / "templates" / rel
    target = outside / Path(rel).name
    if rel.endswith(".docx"):
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "word/document.xml":
                    data = data.replace(b"</w:body>", f"<w:p><w:r><w:t>{SECRET}</w:t></w:r></w:p></w:body>".encode())
                dst.writestr(info, data)
    elif rel.endswith((".ttf", ".css")):
        target.write_bytes(path.read_bytes() + (f"\n/* {SECRET} */\n".encode() if rel.endswith(".css") else b""))
    else:
        target.write_text(path.read_text().replace("</body>", f"{SECRET}</body>") + SECRET)
    path.unlink()
    path.symlink_to(target)


def include_cases() -> list[tuple[str, str]]:
    """(template, tag inserted at its top) for every way a Jinja template can load another."""
    tags = [
        '{% include "../../outside/secret.txt" %}',
        '{% include "html/../../../outside/secret.txt" %}',
        '{% include "OUTSIDE/secret.txt" %}',  # OUTSIDE: replaced by the absolute path
        '{% include "linked/secret.txt" %}',  # templates/linked -> the outside folder
        '{% include "partials/secret.txt" %}',  # templates/partials/secret.txt -> a file outside
        '{% import "linked/secret.html" as s %}{{ s.m() }}',
        '{% from "partials/secret.html" import m %}{{ m() }}',
        '{% include ["nothing-here.txt", "../../outside/secret.txt"] %}',
        '{% set n = "../../outside/" ~ "secret.txt" %}{% include n %}',  # computed while rendering
        '{% set n = "linked" ~ "/secret.txt" %}{% include n %}',
    ]
    cases = [(t, tag) for t in TEXT_TEMPLATES for tag in tags]
    cases += [(t, '{% extends "linked/secret.html" %}') for t in TEXT_TEMPLATES]
    return cases


def prepare(workspace: Path, tmp_path: Path) -> Path:
    outside = plant_secret(tmp_path)
    (workspace / "templates/linked").symlink_to(outside, target_is_directory=True)
    (workspace / "templates/partials").mkdir()
    for name in ("secret.txt", "secret.html"):
        (workspace / "templates/partials" / name).symlink_to(outside / name)
    return outside


def leaked(out: Path) -> list[str]:
    """Outputs holding the secret, every file read back (Word unzipped, PDF as text)."""
    found = []
    for path in out.rglob("*") if out.is_dir() else []:
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        elif path.suffix == ".pdf" and shutil.which("pdftotext"):
            data += subprocess.run(["pdftotext", str(path), "-"], capture_output=True).stdout
        if SECRET.encode() in data:
            found.append(path.name)
    return found


def files_in(out: Path) -> int:
    return sum(1 for p in out.rglob("*") if p.is_file()) if out.is_dir() else 0


def assert_refused(run, workspace: Path, figure, expect_in_message: str) -> None:
    figure.cases += 1
    problems = []
    for command in (["check"], ["build", "--jobs", "1"]):
        code, _, stderr = run("-C", str(workspace), *command)
        lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("error: 1 problem") and not re.match(r"^(error: \d+ problems|\[)", line)]
        if code != 1:
            problems.append(f"{command[0]}: exit {code}")
        if not lines or not all(LOCATED.match(line) for line in lines):
            problems.append(f"{command[0]}: not located: {lines}")
        if expect_in_message not in stderr:
            problems.append(f"{command[0]}: {expect_in_message!r} not named: {stderr[-400:]}")
        if "internal error" in stderr or "Traceback" in stderr:
            problems.append(f"{command[0]}: internal error")
            figure.tracebacks += 1
    leaks = leaked(workspace / "out")
    figure.files_checked += files_in(workspace / "out")
    if leaks:
        problems.append(f"the secret reached {leaks}")
    figure.failures += bool(problems)
    assert not problems, problems


@pytest.mark.guarantee("9 templates stay in templates/")
@pytest.mark.parametrize("rel", ALL_TEMPLATES)
def test_template_file_linked_out_is_refused(workspace, tmp_path, run, figure, rel):
    outside = prepare(workspace, tmp_path)
    link_out(workspace, rel, outside)
    assert_refused(run, workspace, figure, f"templates/{rel}")


CASES = include_cases()
PICKED = CASES if scale(0, 1) else CASES[::3]  # CI: every third case (each tag, rotating templates)


@pytest.mark.guarantee("9 templates stay in templates/")
@pytest.mark.parametrize("rel, tag", PICKED, ids=[f"{r}-{i}" for i, (r, _) in enumerate(PICKED)])
def test_template_loading_outside_is_refused(workspace, tmp_path, run, figure, rel, tag):
    outside = prepare(workspace, tmp_path)
    path = workspace / "templates" / rel
    tag = tag.replace("OUTSIDE", str(outside))
    source = path.read_text()
    if "extends" in tag:
        path.write_text(tag + "\n")  # a child template is only its blocks
    else:
        path.write_text(tag + "\n" + source)
    assert_refused(run, workspace, figure, f"templates/{rel}")


@pytest.mark.guarantee("9 templates stay in templates/")
def test_word_template_cannot_include(workspace, run, figure):
    from docx import Document

    path = workspace / "templates/docx/mou.docx"
    doc = Document(str(path))
    doc.add_paragraph('{% include "text/press.txt" %}')
    doc.save(str(path))
    assert_refused(run, workspace, figure, "templates/docx/mou.docx")


@pytest.mark.guarantee("9 templates stay in templates/")
def test_links_inside_templates_still_work(workspace, run, figure):
    """A partial reached through a link that stays inside templates/ is fine."""
    (workspace / "templates/partials").mkdir()
    (workspace / "templates/partials/credit.txt").write_text("Disiapkan oleh dokgen.\n")
    (workspace / "templates/text/credit.txt").symlink_to(Path("../partials/credit.txt"))
    path = workspace / "templates/text/press.txt"
    path.write_text(path.read_text() + '{% include "text/credit.txt" %}')
    figure.cases += 1
    code, _, stderr = run("-C", str(workspace), "build", "--jobs", "1")
    built = list((workspace / "out/press").glob("*.txt"))
    figure.files_checked += len(built)
    ok = code == 0 and built and "Disiapkan oleh dokgen." in built[0].read_text()
    figure.failures += not ok
    assert ok, stderr
