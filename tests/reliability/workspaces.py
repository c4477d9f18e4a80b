"""Workspaces and output checks shared by the reliability tests."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import zipfile
from pathlib import Path

from lxml import etree

DOKGEN = [sys.executable, "-m", "dokgen"]
BASE_MOU = "records/mou/pontianak-lan-2015.yaml"


def make_mou_workspace(ws: Path, n: int) -> list[str]:
    """Turn the example workspace into one with n generated MoUs (plus the example MoU).

    The lab report and press piece are removed: this test is about the write path, and
    a PDF render would only make each build slower.
    """
    shutil.rmtree(ws / "records/labs", ignore_errors=True)
    shutil.rmtree(ws / "records/press", ignore_errors=True)
    lan = (ws / "records/parties/lan.yaml").read_text()
    for name in ("mitra-a", "mitra-b"):
        letter = name[-1].upper()
        (ws / f"records/parties/{name}.yaml").write_text(
            lan.replace("Lembaga Administrasi Negara", f"Mitra {letter}").replace("short_name: LAN", f"short_name: Mitra {letter}")
        )
    base = (ws / BASE_MOU).read_text()
    assert "  - party: pemkot-pontianak\n" in base and "  - party: lan\n" in base and "term_years: 5\n" in base
    ids = []
    for i in range(n):
        text = base.replace("  - party: pemkot-pontianak\n", "  - party: mitra-a\n").replace("  - party: lan\n", "  - party: mitra-b\n")
        text = text.replace("term_years: 5\n", f"term_years: {i % 30 + 1}\n").replace("Usman No. 3\n", f"Usman No. 3, ruang {i}\n")
        ids.append(f"mitra-{i:03d}")
        (ws / f"records/mou/{ids[-1]}.yaml").write_text(text)
    return ids


def outputs(out: Path) -> dict[str, str]:
    """sha256 of every output file under out/ (dokgen's own .dokgen-* files excluded)."""
    found = {}
    for folder, _, files in os.walk(out):
        for name in files:
            if not name.startswith(".dokgen"):
                path = Path(folder, name)
                found[path.relative_to(out).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def docx_problem(path: Path) -> str | None:
    """None if path is a complete Word file whose XML parts all parse strictly."""
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad is not None:
                return f"{path.name}: CRC error in {bad}"
            names = z.namelist()
            for required in ("[Content_Types].xml", "word/document.xml"):
                if required not in names:
                    return f"{path.name}: no {required}"
            for name in names:
                if name.endswith((".xml", ".rels")):
                    etree.fromstring(z.read(name), parser)
    except (OSError, zipfile.BadZipFile, etree.XMLSyntaxError, ValueError) as exc:
        return f"{path.name}: {type(exc).__name__}: {exc}"
    return None


REPO = Path(__file__).resolve().parents[2]
PRESS = "records/press/pemkot-gandeng-lan-2015.yaml"


def example_workspace(ws: Path, *, lab: bool = False) -> None:
    """Copy the worked example to ws; without the lab report unless asked (no PDF to render:
    each build takes a fraction of a second)."""
    import re

    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, ws / part)
    if not lab:
        shutil.rmtree(ws / "records/labs")
        press = ws / PRESS
        press.write_text(re.sub(r"(?m)^lab: .*\n", "", press.read_text()))


def run_dokgen(*args: str, timeout: int = 60, memory: int = 3 << 30) -> tuple[int | None, str]:
    """Run dokgen as its own process under a memory limit; exit None if it hung and was killed."""
    import resource
    import subprocess

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    try:
        proc = subprocess.run([*DOKGEN, *args], capture_output=True, timeout=timeout, preexec_fn=limit, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, f"hung: killed after {timeout} s"
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


def plant(ws: Path, rel: str, code: str) -> None:
    """Put template code at the top of templates/<rel>: a first paragraph of a Word
    template, the start of an HTML body, or the first line of a text template."""
    path = ws / "templates" / rel
    if rel.endswith(".docx"):
        from docx import Document

        doc = Document(str(path))
        doc.paragraphs[0].insert_paragraph_before(code)
        doc.save(str(path))
    elif rel.endswith(".html") and "<body>" in path.read_text():
        path.write_text(path.read_text().replace("<body>", "<body>" + code, 1))
    else:
        path.write_text(code + "\n" + path.read_text())


def others_built(ws: Path, rel: str) -> bool:
    """Whether documents not made from templates/<rel> were written (a failure stayed alone)."""
    other = "out/press" if rel.endswith(".docx") else "out/mou"
    return any((ws / other).glob("*.*"))
