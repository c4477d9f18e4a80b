"""Guarantee 10: a Word template carries no link out of the file and no code into the MoUs.

Hostile templates are made from the real templates/docx/mou.docx by adding what Word
itself writes for each feature: an attached remote template, linked pictures (in the body
and in a header), a file: hyperlink, a linked subdocument and frame, a macro project, an
OLE object, an ActiveX control, altChunk, and INCLUDETEXT / INCLUDEPICTURE / DDEAUTO /
LINK fields (whole in w:fldSimple, and split over runs as Word does). For each, `dokgen
check` and `dokgen build` exit 1, name the template and the part
(`templates/docx/mou.docx:1:1: word/_rels/settings.xml.rels: ...`), write no MoU, and
print no traceback. A web hyperlink (it fetches nothing by itself) and Word's printer
settings are still accepted, and no MoU built then has another external relationship or
a code part.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from .conftest import scale

TEMPLATE = "templates/docx/mou.docx"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
LOCATED = re.compile(r"^templates/docx/mou\.docx:\d+:\d+: (\S+): \S.*$")


def rel(rid: str, kind: str, target: str, external: bool = True) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{R}/{kind}" Target="{target}"{mode}/>'


def paragraph(inner: str) -> str:
    return f"<w:p>{inner}</w:p>"


def run_text(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def split_field(code: str) -> str:
    """A field as Word stores it: begin, the instruction spread over runs, separate, end."""
    half = len(code) // 2
    return paragraph(
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {code[:half]}</w:instrText></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{code[half:]} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + run_text("isi") + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


# name -> (edits: {part: (old, new)} or {part: new content}, the part the message must name)
HOSTILE = {
    "attached remote template": ({
        "word/settings.xml": ("</w:settings>", '<w:attachedTemplate r:id="rIdT1"/></w:settings>'),
        "word/_rels/settings.xml.rels": RELS_HEAD + rel("rIdT1", "attachedTemplate", "http://127.0.0.1:9/normal.dotm") + "</Relationships>",
    }, "word/_rels/settings.xml.rels"),
    "attached template on a share": ({
        "word/_rels/settings.xml.rels": RELS_HEAD + rel("rIdT1", "attachedTemplate", "file://///server/share/normal.dotm") + "</Relationships>",
    }, "word/_rels/settings.xml.rels"),
    "linked picture": ({
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdX1", "image", "http://127.0.0.1:9/pixel.png") + "</Relationships>"),
    }, "word/_rels/document.xml.rels"),
    "linked picture in a header": ({
        "word/_rels/header1.xml.rels": RELS_HEAD + rel("rIdX1", "image", "file:///etc/hostname") + "</Relationships>",
    }, "word/_rels/header1.xml.rels"),
    "file hyperlink": ({
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdX1", "hyperlink", "file:///C:/Windows/System32/calc.exe") + "</Relationships>"),
    }, "word/_rels/document.xml.rels"),
    "unc hyperlink": ({
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdX1", "hyperlink", "\\\\attacker\\share\\x") + "</Relationships>"),
    }, "word/_rels/document.xml.rels"),
    "linked subdocument": ({
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdX1", "subDocument", "http://127.0.0.1:9/bab.docx") + "</Relationships>"),
    }, "word/_rels/document.xml.rels"),
    "frame in web settings": ({
        "word/_rels/webSettings.xml.rels": RELS_HEAD + rel("rIdX1", "frame", "http://127.0.0.1:9/frame.html") + "</Relationships>",
    }, "word/_rels/webSettings.xml.rels"),
    "macro project": ({
        "word/vbaProject.bin": "\x00" * 64,
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdV1", "vbaProject", "vbaProject.bin", external=False) + "</Relationships>"),
    }, "word/vbaProject.bin"),
    "macro content type": ({
        "[Content_Types].xml": ("</Types>", '<Override PartName="/word/document.xml2" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'),
    }, "[Content_Types].xml"),
    "OLE object": ({
        "word/embeddings/oleObject1.bin": "\x00" * 64,
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdO1", "oleObject", "embeddings/oleObject1.bin", external=False) + "</Relationships>"),
    }, "word/embeddings/oleObject1.bin"),
    "linked OLE object": ({
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdO1", "oleObject", "file:///tmp/sheet.xlsx") + "</Relationships>"),
    }, "word/_rels/document.xml.rels"),
    "ActiveX control": ({
        "word/activeX/activeX1.xml": '<?xml version="1.0"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" ax:classid="{8BD21D40-EC42-11CE-9E0D-00AA006002F3}"/>',
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdA1", "control", "activeX/activeX1.xml", external=False) + "</Relationships>"),
    }, "word/activeX/activeX1.xml"),
    "altChunk": ({
        "word/afchunk.mht": "MIME-Version: 1.0\n\n<html><img src='http://127.0.0.1:9/x.png'></html>",
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdC1", "aFChunk", "afchunk.mht", external=False) + "</Relationships>"),
        "word/document.xml": ("</w:body>", '<w:altChunk r:id="rIdC1"/></w:body>'),
    }, "word/_rels/document.xml.rels"),
    "INCLUDETEXT field": ({
        "word/document.xml": ("</w:body>", '<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;C:\\\\rahasia.docx&quot; "><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p></w:body>'),
    }, "word/document.xml"),
    "INCLUDEPICTURE field, split": ({
        "word/document.xml": ("</w:body>", split_field('INCLUDEPICTURE "http://127.0.0.1:9/p.png" \\d') + "</w:body>"),
    }, "word/document.xml"),
    "DDEAUTO field, split": ({
        "word/document.xml": ("</w:body>", split_field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"') + "</w:body>"),
    }, "word/document.xml"),
    "LINK field in a footer": ({
        "word/footer1.xml": ("</w:ftr>", split_field('LINK Excel.Sheet.12 "C:\\\\data.xlsx" "Sheet1"') + "</w:ftr>"),
    }, "word/footer1.xml"),
}


def hostile_template(path: Path, edits: dict[str, object]) -> None:
    """Rewrite the Word package at path with edits applied (replace in a part, or a new part)."""
    with zipfile.ZipFile(path) as z:
        parts = {info.filename: z.read(info) for info in z.infolist()}
    for name, edit in edits.items():
        if isinstance(edit, tuple):
            old, new = edit
            text = parts[name].decode()
            assert old in text, (name, old)
            parts[name] = text.replace(old, new, 1).encode()
        else:
            parts[name] = edit.encode("latin-1")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


CASES = list(HOSTILE)


@pytest.mark.guarantee("10 Word templates: no links, no code")
@pytest.mark.parametrize("case", CASES)
def test_hostile_word_template_is_refused(workspace, run, figure, case):
    edits, part = HOSTILE[case]
    hostile_template(workspace / TEMPLATE, edits)
    problems = []
    rounds = scale(1, 3)  # soak: also once more after a clean build of the rest
    for _ in range(rounds):
        for command in (["check"], ["build", "--jobs", "1"]):
            figure.cases += 1
            code, _, stderr = run("-C", str(workspace), *command)
            lines = [line for line in stderr.splitlines() if line.startswith("templates/")]
            if code != 1:
                problems.append(f"{command[0]}: exit {code}")
            if not any(LOCATED.match(line) and LOCATED.match(line).group(1) == part for line in lines):
                problems.append(f"{command[0]}: no problem located at {TEMPLATE} {part}: {stderr[-600:]}")
            if "Traceback" in stderr or "internal error" in stderr:
                figure.tracebacks += 1
                problems.append("traceback")
    written = list((workspace / "out").rglob("*.docx"))
    figure.files_checked += 1 + len(written)
    if written:
        problems.append(f"MoUs written from a hostile template: {written}")
    figure.failures += bool(problems)
    assert not problems, problems


@pytest.mark.guarantee("10 Word templates: no links, no code")
def test_harmless_parts_are_accepted_and_outputs_are_clean(workspace, run, figure):
    """A web hyperlink and the printer settings Word often saves are not refused."""
    hostile_template(workspace / TEMPLATE, {
        "word/_rels/document.xml.rels": ("</Relationships>", rel("rIdH1", "hyperlink", "https://lan.go.id/")
                                         + rel("rIdP1", "printerSettings", "printerSettings/printerSettings1.bin", external=False) + "</Relationships>"),
        "word/printerSettings/printerSettings1.bin": "\x00" * 64,
        "[Content_Types].xml": ("<Default ", '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.printerSettings"/><Default '),
    })
    figure.cases += 1
    code, _, stderr = run("-C", str(workspace), "build", "--jobs", "1")
    assert code == 0, stderr
    problems = []
    for path in (workspace / "out/mou").glob("*.docx"):
        figure.files_checked += 1
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                data = z.read(name)
                external = re.findall(rb'<Relationship [^>]*TargetMode="External"[^>]*>', data)
                if any(b"hyperlink" not in e or b"https://" not in e for e in external):
                    problems.append(f"{path.name}:{name}: {external}")
                if re.search(r"vbaProject|activeX|embeddings/", name):
                    problems.append(f"{path.name}: code part {name}")
    figure.failures += bool(problems)
    assert not problems
