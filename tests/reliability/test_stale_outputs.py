"""Guarantee 13: an output is rebuilt whenever any file its templates read changes.

The workspace is built; then one file a template really reads is changed: a partial it
includes, a macro file it imports, a layout it extends (each for HTML, Markdown and text),
a stylesheet the report links, a stylesheet that one @imports, an image and a font its CSS
uses (in templates/ and in assets/), the Word template, and, for a template that names
its include by an expression, any file of templates/. The next incremental build must
rebuild exactly the outputs that depend on it (read back: the new text is in them), and a
change to a file no template reads must rebuild nothing.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

def png(colour: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


PIXEL, PIXEL_2 = png("red"), png("blue")


def build(run, ws: Path) -> dict:
    code, out, err = run("-C", str(ws), "build", "--jobs", "1", "--json")
    assert code == 0, err
    return json.loads(out.strip().splitlines()[-1])


def add_to(path: Path, head: str = "", tail: str = "") -> None:
    text = path.read_text()
    if path.suffix == ".html" and head:
        text = text.replace("<body>", "<body>" + head, 1)
        head = ""
    path.write_text(head + text + tail)


def pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        return ""
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


# name -> (setup(ws), change(ws), outputs that must be rebuilt (globs under out/), text the new output holds)
def _partial(rel: str, tag: str):
    suffix = Path(rel).suffix

    def setup(ws: Path) -> None:
        (ws / "templates/partials").mkdir(exist_ok=True)
        (ws / f"templates/partials/credit{suffix}").write_text("Kredit: VERSI-SATU\n")
        (ws / f"templates/partials/macros{suffix}").write_text("{% macro credit() %}Makro: VERSI-SATU{% endmacro %}\n")
        (ws / f"templates/partials/base{suffix}").write_text("Dasar: VERSI-SATU\n{% block body %}{% endblock %}\n")
        if tag == "extends":
            source = (ws / "templates" / rel).read_text()
            (ws / "templates" / rel).write_text('{% extends "partials/base' + suffix + '" %}{% block body %}' + source + "{% endblock %}")
        elif tag == "import":
            add_to(ws / "templates" / rel, head='{% import "partials/macros' + suffix + '" as m %}{{ m.credit() }}\n')
        elif tag == "include":
            add_to(ws / "templates" / rel, head='{% include "partials/credit' + suffix + '" %}\n')
        else:  # computed name: any file of templates/ may be read
            add_to(ws / "templates" / rel, head='{% set n = "partials/credit" ~ "' + suffix + '" %}{% include n %}\n')

    def change(ws: Path) -> None:
        name = {"extends": "base", "import": "macros"}.get(tag, "credit")
        path = ws / f"templates/partials/{name}{suffix}"
        path.write_text(path.read_text().replace("VERSI-SATU", "VERSI-DUA"))

    return setup, change, [f"press/*{suffix}"], "VERSI-DUA"


def _report(setup_css: str, changed: str, data: bytes | None = None, text: str = ""):
    def setup(ws: Path) -> None:
        (ws / "templates/html/img").mkdir(exist_ok=True)
        (ws / "templates/html/img/dot.png").write_bytes(PIXEL)
        (ws / "assets/dot.png").write_bytes(PIXEL)
        (ws / "templates/html/extra.css").write_text(".cover-year { color: #000; }\n")
        add_to(ws / "templates/html/lab-report.css", tail=setup_css)

    def change(ws: Path) -> None:
        path = ws / changed
        if data is not None:
            path.write_bytes(data)
        else:
            path.write_text(path.read_text() + "\n.cover-by { color: #123; }\n")

    return setup, change, ["labs/*.pdf"], text


def _changed_copy(path: Path) -> bytes:
    """A font file with one byte of padding more: a different file that still loads."""
    return path.read_bytes() + b"\0"


CASES = {
    **{f"{tag} in {rel}": _partial(rel, tag) for rel in ("html/press.html", "markdown/press.md", "text/press.txt") for tag in ("include", "import", "extends", "computed include")},
    "stylesheet linked by the report": _report("", "templates/html/lab-report.css"),
    "stylesheet @imported by the stylesheet": _report('\n@import "extra.css";\n', "templates/html/extra.css"),
    "image in templates/ used by the CSS": _report("\n.cover { background: url(img/dot.png); }\n", "templates/html/img/dot.png", PIXEL_2),
    "image in assets/ used by the CSS": _report("\n.cover { background: url(../../assets/dot.png); }\n", "assets/dot.png", PIXEL_2),
}


@pytest.mark.guarantee("13 no stale outputs")
@pytest.mark.parametrize("case", list(CASES))
def test_dependency_change_rebuilds(workspace, run, figure, case):
    setup, change, rebuilt, text = CASES[case]
    setup(workspace)
    build(run, workspace)
    before = {p: p.read_bytes() for p in (workspace / "out").rglob("*") if p.is_file()}
    assert build(run, workspace)["built"] == 0  # nothing changed: nothing rebuilt
    change(workspace)
    summary = build(run, workspace)
    figure.cases += 1
    targets = [p for pattern in rebuilt for p in (workspace / "out").glob(pattern)]
    figure.files_checked += len(before)
    problems = []
    if not targets or summary["built"] < len(targets):
        problems.append(f"{summary['built']} rebuilt, expected at least {len(targets)}: {summary}")
    for path in targets:
        shown = pdf_text(path) if path.suffix == ".pdf" else path.read_text()
        if text and text not in shown:
            problems.append(f"{path.name} does not show the changed {text}")
        if not text and path.suffix != ".pdf" and path.read_bytes() == before.get(path):
            problems.append(f"{path.name} unchanged")
    figure.failures += bool(problems)
    assert not problems, problems


@pytest.mark.guarantee("13 no stale outputs")
@pytest.mark.parametrize("changed, rebuilt", [
    ("templates/html/fonts/Arimo-Regular.ttf", "labs/*.pdf"),
    ("templates/docx/mou.docx", "mou/*.docx"),
    ("templates/html/press.html", "press/*.html"),
])
def test_template_change_rebuilds(workspace, run, figure, changed, rebuilt):
    build(run, workspace)
    path = workspace / changed
    if path.suffix == ".docx":
        from docx import Document

        doc = Document(str(path))
        doc.add_paragraph("Paragraf tambahan.")
        doc.save(str(path))
    elif path.suffix == ".ttf":
        path.write_bytes(_changed_copy(path))
    else:
        add_to(path, tail="\n")
    summary = build(run, workspace)
    figure.cases += 1
    figure.files_checked += len(list((workspace / "out").glob(rebuilt)))
    ok = summary["built"] >= len(list((workspace / "out").glob(rebuilt))) > 0
    figure.failures += not ok
    assert ok, summary


@pytest.mark.guarantee("13 no stale outputs")
def test_unread_file_rebuilds_nothing(workspace, run, figure):
    build(run, workspace)
    (workspace / "templates/text/catatan.txt").write_text("catatan pribadi, tidak dipakai\n")
    (workspace / "templates/html/unused.css").write_text("body { color: red; }\n")
    summary = build(run, workspace)
    figure.cases += 1
    figure.failures += summary["built"] != 0
    assert summary["built"] == 0, summary
