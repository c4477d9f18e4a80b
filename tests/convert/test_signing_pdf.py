"""dokgen pdf: the signing PDF of a MoU, made by a real LibreOffice from the draft on disk."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from pypdf import PdfReader

from dokgen.build import build
from dokgen.convert import Converter, ConversionError
from dokgen.manifest import Manifest
from dokgen.signing import signing_pdfs

from .conftest import MOU

pytestmark = pytest.mark.slow


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_signing_pdf_carries_the_mou_and_joins_the_manifest(workspace, converter):
    report = signing_pdfs(workspace, converter=converter)
    pdf = workspace / f"out/mou/{MOU}.pdf"
    assert report.failed == [] and f"out/mou/{MOU}.pdf" in report.written
    assert f"out/mou/{MOU}.docx" in report.written  # the missing draft was built first
    text = " ".join(pdf_text(pdf).split())
    for expected in ("NOTA KESEPAHAMAN", "PEMERINTAH KOTA PONTIANAK", "LEMBAGA ADMINISTRASI NEGARA",
                     "H. Sutarmidji, S.H., M.Hum.", "PIHAK KESATU", "PARA PIHAK", "Pasal 1"):
        assert expected in text, expected
    assert re.search(r"-\s*2\s*-\s*Pasal 1", text)  # the page number heads page 2
    assert len(PdfReader(pdf).pages) == 4
    assert Manifest(workspace / "out").wrote(f"mou/{MOU}.pdf") is True


def test_pdf_is_pdf_a_2b_with_fixed_dates(workspace, converter):
    signing_pdfs(workspace, converter=converter)
    with pikepdf.open(workspace / f"out/mou/{MOU}.pdf") as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert len(pdf.Root.OutputIntents) == 1  # PDF/A's colour profile
        # the draft's own date (the signing date), the same in the Info dictionary and the XMP
        assert str(pdf.docinfo.CreationDate) == "D:20151111000000Z" and meta["xmp:CreateDate"] == "2015-11-11T00:00:00Z"
        assert "LibreOffice" in str(pdf.docinfo.Producer) and meta["pdf:Producer"] == str(pdf.docinfo.Producer)


def test_same_draft_same_bytes(workspace, converter):
    signing_pdfs(workspace, converter=converter)
    pdf = workspace / f"out/mou/{MOU}.pdf"
    first = pdf.read_bytes()
    again = signing_pdfs(workspace, converter=converter)
    assert again.skipped == [f"out/mou/{MOU}.pdf"] and again.written == []  # nothing to convert
    pdf.unlink()
    time.sleep(1.1)  # LibreOffice stamps the PDF, its XMP and its colour profile to the second
    signing_pdfs(workspace, converter=converter)
    assert pdf.read_bytes() == first


def test_hand_edited_draft_is_what_gets_signed(workspace, converter):
    build(workspace)
    draft = workspace / f"out/mou/{MOU}.docx"
    doc = Document(str(draft))
    doc.paragraphs[-1].insert_paragraph_before("Disepakati oleh Bagian Hukum pada rapat tanggal 9 November 2015.")
    doc.save(str(draft))
    edited = draft.read_bytes()
    # the record changes too: the draft is not rebuilt under the clerk's hands
    record = workspace / f"records/mou/{MOU}.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("city: Pontianak", "city: Kota Pontianak"), encoding="utf-8")
    report = signing_pdfs(workspace, converter=converter)
    assert report.failed == [] and report.kept == []
    assert draft.read_bytes() == edited
    assert any("edited by hand" in note and "record changed" in note for note in report.notes)
    assert "Disepakati oleh Bagian Hukum pada rapat tanggal 9 November 2015." in " ".join(pdf_text(workspace / f"out/mou/{MOU}.pdf").split())


def test_a_signing_pdf_edited_by_hand_is_kept(workspace, converter):
    signing_pdfs(workspace, converter=converter)
    pdf = workspace / f"out/mou/{MOU}.pdf"
    annotated = pdf.read_bytes() + b"%% paraf Bagian Hukum\n"  # what a PDF editor's incremental save looks like
    pdf.write_bytes(annotated)
    draft = workspace / f"out/mou/{MOU}.docx"
    doc = Document(str(draft))
    doc.add_paragraph("Tambahan setelah paraf.")
    doc.save(str(draft))
    report = signing_pdfs(workspace, converter=converter)
    assert report.kept == [(f"out/mou/{MOU}.pdf", f"out/mou/{MOU}.dokgen-new.pdf")] and report.exit_code == 3
    assert pdf.read_bytes() == annotated
    assert "Tambahan setelah paraf." in pdf_text(workspace / f"out/mou/{MOU}.dokgen-new.pdf")


def test_a_draft_that_is_no_word_document_gets_no_pdf(workspace, converter):
    build(workspace)
    draft = workspace / f"out/mou/{MOU}.docx"
    draft.write_text("Nota Kesepahaman (disimpan sebagai teks)\n", encoding="utf-8")
    report = signing_pdfs(workspace, converter=converter)
    assert report.failed == [f"out/mou/{MOU}.pdf: no PDF: out/mou/{MOU}.docx is not a Word document (.docx) any more; "
                             "save it from Word as a Word Document, or move it away to build it again"]
    assert not (workspace / f"out/mou/{MOU}.pdf").exists()


def test_killed_libreoffice_is_restarted(workspace, converter):
    build(workspace)
    draft = (workspace / f"out/mou/{MOU}.docx").read_bytes()
    converter.to_pdf(draft)  # running
    office = [pid for pid in converter.office_pids() if Path(f"/proc/{pid}/comm").read_text().strip() == "soffice.bin"]
    assert office, converter.office_pids()
    starts = converter.starts
    os.kill(office[0], signal.SIGKILL)
    time.sleep(0.2)
    pdf = converter.to_pdf(draft)
    assert converter.starts == starts + 1
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 4


def test_a_conversion_past_its_time_limit_stops_and_the_next_one_works(workspace, converter):
    build(workspace)
    draft = (workspace / f"out/mou/{MOU}.docx").read_bytes()
    limit, converter.timeout = converter.timeout, 0.001
    try:
        with pytest.raises(ConversionError, match="took longer than"):
            converter.to_pdf(draft, name="out/mou/x.docx")
    finally:
        converter.timeout = limit
    assert len(PdfReader(io.BytesIO(converter.to_pdf(draft))).pages) == 4


def test_missing_libreoffice_names_the_package(workspace, run, monkeypatch, tmp_path):
    build(workspace)
    monkeypatch.setenv("DOKGEN_SOFFICE", str(tmp_path / "nowhere" / "soffice"))
    code, out, err = run("-C", str(workspace), "pdf")
    assert code == 1
    assert "LibreOffice not found" in err and "apt-get install libreoffice-writer-nogui" in err
    assert "Traceback" not in err and not (workspace / f"out/mou/{MOU}.pdf").exists()

    monkeypatch.delenv("DOKGEN_SOFFICE")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(ConversionError, match="soffice is not on PATH.*libreoffice-writer-nogui"):
        Converter()
