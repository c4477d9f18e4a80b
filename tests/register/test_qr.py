"""The QR of an issued document decodes, with zbar, to the address of its code."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from .conftest import LAB, MOU, dokgen

pytestmark = pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools (zbarimg) is not installed")


def zbar(image: Path) -> list[str]:
    result = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
                            capture_output=True, text=True, timeout=60)
    return result.stdout.split()


def last_page_png(pdf: Path, folder: Path) -> Path:
    from pypdf import PdfReader

    last = len(PdfReader(pdf).pages)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(last), "-l", str(last), "-singlefile", str(pdf), str(folder / "page")],
                   check=True, timeout=120)
    return folder / "page.png"


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """The worked example issued once (MoU and lab report) for every test of this module."""
    from dokgen.workspace import init_workspace

    from .conftest import REGISTER_SETTINGS, make_final

    ws = tmp_path_factory.mktemp("qr") / "ws"
    init_workspace(ws)
    (ws / "records/register.yaml").write_text(REGISTER_SETTINGS, encoding="utf-8")
    codes = {}
    for rel in (MOU, LAB):
        make_final(ws, rel)
        result = dokgen(ws, "issue", rel)
        assert result.returncode == 0, result.stderr
        codes[rel] = re.search(r"issued as (\S+)", result.stdout).group(1)
    return ws, codes


def test_the_qr_picture_in_the_word_file_decodes(issued, tmp_path):
    ws, codes = issued
    with zipfile.ZipFile(ws / "out/mou/pontianak-lan-2015.docx") as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 1  # the QR; the example's parties have no logo
        (tmp_path / "qr.png").write_bytes(z.read(media[0]))
        body = z.read("word/document.xml").decode()
    assert zbar(tmp_path / "qr.png") == [f"https://jdih.lan.go.id/verifikasi/{codes[MOU]}"]
    assert f"Kode verifikasi {codes[MOU]} · dokumen terdaftar, bukan tanda tangan elektronik" in body


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_qr_on_the_word_signature_page_decodes(issued, tmp_path):
    """As printed: LibreOffice lays out the Word file, the signature page is rasterised and read."""
    ws, codes = issued
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(ws / "out/mou/pontianak-lan-2015.docx")], check=True, capture_output=True, timeout=180)
    page = last_page_png(tmp_path / "pontianak-lan-2015.pdf", tmp_path)
    assert zbar(page) == [f"https://jdih.lan.go.id/verifikasi/{codes[MOU]}"]
    text = subprocess.run(["pdftotext", str(tmp_path / "pontianak-lan-2015.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Dr. Adi Suryanto" in text.split(f"Kode verifikasi {codes[MOU]}")[0][-400:]  # under the signatures


def test_the_qr_on_the_lab_reports_last_page_decodes(issued, tmp_path):
    ws, codes = issued
    page = last_page_png(ws / "out/labs/labinov-pontianak-2015.pdf", tmp_path)
    assert zbar(page) == [f"https://jdih.lan.go.id/verifikasi/{codes[LAB]}"]


def test_without_a_verification_url_the_qr_holds_the_code(workspace, tmp_path):
    from .conftest import make_final

    make_final(workspace, MOU)
    result = dokgen(workspace, "issue", MOU)
    code = re.search(r"issued as (\S+)", result.stdout).group(1)
    with zipfile.ZipFile(workspace / "out/mou/pontianak-lan-2015.docx") as z:
        (tmp_path / "qr.png").write_bytes(z.read(next(n for n in z.namelist() if n.startswith("word/media/"))))
    assert zbar(tmp_path / "qr.png") == [f"DOKGEN:{code}"]


def test_a_draft_has_no_qr(workspace, run):
    run("-C", str(workspace), "build", "-q")
    with zipfile.ZipFile(workspace / "out/mou/pontianak-lan-2015.docx") as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
        assert "Kode verifikasi" not in z.read("word/document.xml").decode()


def test_the_qr_keeps_the_mou_on_the_fast_word_path(issued):
    """The QR is placed like a logo: the prepared template renders it, byte for byte as docxtpl would."""
    from dokgen.context.mou import mou_context
    from dokgen.records import load_workspace
    from dokgen.render.docx import render_docx
    from dokgen.render.docx_fast import prepare

    ws_path, _ = issued
    ws = load_workspace(ws_path)
    context = mou_context(ws, "pontianak-lan-2015")
    template = ws_path / "templates/docx/mou.docx"
    prepared = prepare(template, "templates/docx/mou.docx")
    assert prepared is not None
    fast = prepared.render(context, template_name="templates/docx/mou.docx", title="t")  # raises _StepAside if it cannot
    assert fast == render_docx(template, context, template_name="templates/docx/mou.docx", title="t")
