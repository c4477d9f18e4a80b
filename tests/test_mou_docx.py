"""The Word MoU draft, read back as a legal clerk would check it."""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

MOU = "records/mou/pontianak-lan-2015.yaml"
OUT = "out/mou/pontianak-lan-2015.docx"
SCOPES = ["Pengkajian Kebijakan", "Pendidikan dan Pelatihan", "Inovasi Administrasi Negara", "Penyelenggaraan Pendidikan Tinggi"]
DATE_IN_WORDS = "Rabu tanggal sebelas bulan November tahun dua ribu lima belas (11-11-2015)"


def build(ws: Path, run) -> Path:
    code, out, err = run("-C", str(ws), "build", str(ws / MOU))
    assert code == 0, err
    return ws / OUT


def body_text(path: Path) -> str:
    """Every paragraph of the body in order, those of (nested) tables included."""
    from docx.oxml.ns import qn

    body = Document(str(path)).element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def part_xml(path: Path, prefix: str) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith(prefix))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_worked_example_states_the_agreement(workspace, run):
    path = build(workspace, run)
    text = flat(body_text(path))
    for expected in [
        "NOTA KESEPAHAMAN", "ANTARA", "PEMERINTAH KOTA PONTIANAK", "LEMBAGA ADMINISTRASI NEGARA", "TENTANG",
        "KERJA SAMA PENGUATAN KAPASITAS PEMERINTAH KOTA PONTIANAK",
        DATE_IN_WORDS, "Aula Sultan Syarif Abdurrahman",
        "H. Sutarmidji, S.H., M.Hum.", "Dr. Adi Suryanto, M.Si.",
        "PIHAK KESATU", "PIHAK KEDUA", "PARA PIHAK", "5 (lima) tahun", "Rp6.000",
        *SCOPES,
    ]:
        assert expected in text, expected
    assert "PERTAMA" not in text.upper().replace("PERTAMA KALI", "")
    # one NOMOR line per party, left blank to fill because the numbers are null
    nomor = [l for l in body_text(path).splitlines() if l.strip().upper().startswith("NOMOR")]
    assert len(nomor) == 2 and all("…" in l or "..." in l or "___" in l for l in nomor), nomor
    # every scope's description from records/scopes.yaml is in the Ruang Lingkup article
    assert "Laboratorium Inovasi dengan tahapan drum up" in text


def test_articles_are_headings_in_order(workspace, run):
    doc = Document(str(build(workspace, run)))
    headings = [flat(p.text).strip() for p in doc.paragraphs if p.style.name.startswith("Heading")]
    titles = ["MAKSUD DAN TUJUAN", "RUANG LINGKUP", "PELAKSANAAN", "JANGKA WAKTU", "PEMBIAYAAN",
              "PENYELESAIAN PERSELISIHAN", "PERUBAHAN", "PENUTUP"]
    assert len(headings) == len(titles), headings
    for n, (heading, title) in enumerate(zip(headings, titles), start=1):
        assert heading.startswith(f"Pasal {n}") and title in heading, heading


def test_draft_watermark_page_numbers_and_paraf(workspace, run):
    path = build(workspace, run)
    headers, footers = part_xml(path, "word/header"), part_xml(path, "word/footer")
    assert 'string="DRAF"' in headers
    assert "PAGE" in headers and "- " in flat(re.sub(r"<[^>]+>", " ", headers))
    assert "<w:titlePg" in part_xml(path, "word/document.xml")  # no number on page 1
    footer_text = flat(re.sub(r"<[^>]+>", " ", footers))
    assert "PIHAK KESATU" in footer_text and "PIHAK KEDUA" in footer_text and "Paraf" in footer_text

    (workspace / MOU).write_text((workspace / MOU).read_text().replace("status: draft", "status: final"))
    path = build(workspace, run)
    assert "DRAF" not in part_xml(path, "word/header")


def test_paper_size_a4_and_f4(workspace, run):
    doc = Document(str(build(workspace, run)))
    assert round(doc.sections[0].page_width.mm) == 210 and round(doc.sections[0].page_height.mm) == 297
    (workspace / MOU).write_text((workspace / MOU).read_text() + "paper: f4\n")
    doc = Document(str(build(workspace, run)))
    assert round(doc.sections[0].page_width.mm) == 215 and round(doc.sections[0].page_height.mm) == 330


def test_same_records_give_identical_bytes(workspace, run, tmp_path):
    first = build(workspace, run).read_bytes()
    second = build(workspace, run).read_bytes()
    assert first == second
    env = {**os.environ, "TZ": "Asia/Tokyo"}
    other = tmp_path / "elsewhere"
    shutil.copytree(workspace, other, ignore=shutil.ignore_patterns("out"))
    subprocess.run([sys.executable, "-m", "dokgen", "-C", str(other), "build"], env=env, cwd=tmp_path, check=True, capture_output=True)
    assert (other / OUT).read_bytes() == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def tiny_png(path: Path) -> None:
    """Write a real 8x8 grey PNG (no Pillow needed to make it)."""
    raw = b"".join(b"\x00" + b"\x80" * 8 for _ in range(8))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


THIRD = """name: <PT Maju & Jaya> "Nusantara"
short_name: PT Maju & Jaya
type: badan-usaha
address: Jalan Gajah Mada No. 1 <Blok A> & B, Pontianak
logo: assets/logo-maju.png
signatory:
  name: Siti Rahma
  title_prefix: Prof. Dr. Ir.
  title_suffix: M.T.
  position: Direktur Utama & Pendiri
  nip: 19700512 199603 2 004
"""


@pytest.fixture
def three_party(workspace: Path) -> Path:
    tiny_png(workspace / "assets/logo-maju.png")
    (workspace / "records/parties/maju-jaya.yaml").write_text(THIRD)
    mou = (workspace / MOU).read_text().replace(
        "  - party: lan\n    number: null\n",
        "  - party: lan\n    number: 01/NK/LAN/2015\n  - party: maju-jaya\n    number: '{{ 7*7 }}'\n",
    ).replace("subject: >-\n", "subject: >-\n  Uji {{ 7*7 }} & <b>tebal</b>\n")
    (workspace / MOU).write_text(mou)
    return workspace


def test_three_parties_with_markup_in_names(three_party, run):
    path = build(three_party, run)
    text = flat(body_text(path))
    assert '<PT MAJU & JAYA> "NUSANTARA"' in text  # title block, in caps
    assert '<PT Maju & Jaya> "Nusantara"' in text  # komparisi
    assert "Prof. Dr. Ir. Siti Rahma, M.T." in text and "19700512 199603 2 004" in text
    assert "PIHAK KETIGA" in text and "PIHAK KESATU, PIHAK KEDUA" in text or "PIHAK KEDUA, dan PIHAK KETIGA" in text or "PIHAK KEDUA dan PIHAK KETIGA" in text
    assert "01/NK/LAN/2015" in text and "{{ 7*7 }}" in text and "49" not in text
    assert "Uji {{ 7*7 }} & <b>tebal</b>" in text
    assert "3 (tiga)" in text  # three originals
    # the signature blocks: two parties in the first row, the third alone below (test_signers.py)
    rows = [t for t in Document(str(path)).element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tbl")
            if "Meterai" in "".join(t.itertext()) and not t.xpath("./w:tr/w:tc/w:tbl")]
    assert ["Siti Rahma" in "".join(t.itertext()) for t in rows] == [False, True]
    assert Document(str(path)).core_properties.title.startswith("Nota Kesepahaman tentang Uji {{ 7*7 }} & <b>tebal</b>")
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())  # the logo
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(z.read(name), etree.XMLParser(recover=False))  # strict: no repair


def test_missing_variable_names_template_and_variable(workspace, run):
    doc = Document()
    doc.add_paragraph("Nomor: {{ doc.nomor_tidak_ada }}")
    doc.save(str(workspace / "templates/docx/mou.docx"))
    code, _, err = run("-C", str(workspace), "build")
    assert code == 1
    assert "templates/docx/mou.docx" in err and "nomor_tidak_ada" in err
    assert "Traceback" not in err and not list(workspace.glob("out/**/*.docx"))


def test_template_syntax_error_is_reported(workspace, run):
    doc = Document()
    doc.add_paragraph("{% for p in parties %}{{ p.name }}")
    doc.save(str(workspace / "templates/docx/mou.docx"))
    code, _, err = run("-C", str(workspace), "check")
    assert code == 1 and "templates/docx/mou.docx" in err and "Traceback" not in err


soffice = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(soffice is None or shutil.which("pdftotext") is None, reason="LibreOffice/poppler not installed (.ci/run installs them)")
@pytest.mark.parametrize("variant", ["example", "three-party"])
def test_libreoffice_opens_and_converts(workspace, run, tmp_path, variant, request):
    ws = request.getfixturevalue("three_party") if variant == "three-party" else workspace
    path = build(ws, run)
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / (path.stem + ".pdf")
    text = flat(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert "PEMERINTAH KOTA PONTIANAK" in text and "LEMBAGA ADMINISTRASI NEGARA" in text
    assert DATE_IN_WORDS.replace(" (", " (") in text or "sebelas bulan November tahun dua ribu lima belas" in text
    for scope in SCOPES:
        assert scope in text, scope
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
    assert pages >= 3
    if variant == "three-party":
        assert "PIHAK KETIGA" in text and "<PT Maju & Jaya>" in text
