"""Signers and authority, and signature pages with any number of parties (issue 9 item 3,
issue 16 class 12), read back from the Word drafts, LibreOffice's layout and the report."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from signers import MOU, ORDER, mou_with, write_parties

NB = "\u00a0"
REPO = Path(__file__).resolve().parents[1]
COUNTS = (2, 3, 4, 5, 6, 10)


def copy_repo(target: Path) -> Path:
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, target / part)
    return target


def build_all(ws: Path, run, *extra: str) -> tuple[int, str]:
    code, _, err = run("-C", str(ws), "build", "--jobs", "1", *extra)
    return code, err


@pytest.fixture
def many(workspace: Path) -> Path:
    """The worked example plus every made-up party, and MoUs of 2 to 10 of them."""
    write_parties(workspace)
    for n in COUNTS:
        mou_with(workspace, f"mou-{n}", ORDER[:n])
    return workspace


def paragraphs(path: Path) -> list[str]:
    """Every paragraph of the body, tables and nested tables included, in order."""
    body = Document(str(path)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def komparisi(path: Path, name: str) -> str:
    found = [p for p in paragraphs(path) if name in p and "berkedudukan di" in p]
    assert len(found) == 1, (name, found)
    return found[0]


# --- the komparisi: position, acting status, institution, basis of authority --------------


@pytest.mark.parametrize(("name", "expected"), [
    # pj, pemerintah-daerah, with appointment
    ("Sarwono", f"Sarwono Hadi,{NB}S.Sos., M.Si. : Penjabat Bupati Kubu Raya, yang diangkat berdasarkan "
                "Keputusan Menteri Dalam Negeri Nomor 100.2.1.3-9999 Tahun 2024, berkedudukan di"),
    # perguruan-tinggi with a bare position: the university is named; decree given
    ("Ratna", f"Prof.{NB}Dr.{NB}Ir.{NB}Ratna Dewi Kusumawati,{NB}M.T., M.Sc. : Rektor Universitas Tanjungpura, "
              "yang diangkat berdasarkan Keputusan Menteri Pendidikan dan Kebudayaan Nomor 12345/MPK.A/KP/2022, berkedudukan di"),
    # badan-usaha with akta and pengesahan: "berdasarkan", not "yang diangkat"
    ("Hendra", ": Direktur Utama PT Khatulistiwa Data Nusantara, berdasarkan Akta Pendirian Nomor 7 tanggal 3 Maret 2010 "
               "yang dibuat di hadapan Notaris Lina Marlina, S.H., M.Kn., dengan pengesahan Menteri Hukum dan Hak Asasi "
               "Manusia Nomor AHU-12345.AH.01.01.Tahun 2010, berkedudukan di"),
    # badan-usaha whose position already names it, no akta: not doubled, a blank to fill
    ("Agus Salim", "Agus Salim : Direktur Utama PT Borneo Hijau Lestari, berdasarkan ……………………, berkedudukan di"),
    # lainnya without appointment: named, blank
    ("Maria", f"Dra.{NB}Maria Ulfa : Ketua Yayasan Pendidikan Kapuas Raya, yang diangkat berdasarkan ……………………, berkedudukan di"),
    # plt of a pemerintah-daerah unit without appointment: blank
    ("Yohanes", ": Pelaksana Tugas Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Singkawang, "
                "yang diangkat berdasarkan ……………………, berkedudukan di"),
    # plh with its surat perintah
    ("Nurhayati", ": Pelaksana Harian Kepala Dinas Kesehatan Kota Pontianak, yang diangkat berdasarkan Surat Perintah "
                  "Wali Kota Pontianak Nomor 800/15/BKPSDM-A tanggal 2 Januari 2024, berkedudukan di"),
    # definitive kepala daerah and head of a kementerian/lembaga: as typed, no blank asked for
    ("Sutarmidji", f"H.{NB}Sutarmidji,{NB}S.H., M.Hum. : Wali Kota Pontianak, berkedudukan di"),
    ("Bambang", f"Dr.{NB}H.{NB}Bambang Setiawan,{NB}M.Si. : Direktur Jenderal Bina Pembangunan Daerah, berkedudukan di"),
    ("Adi Suryanto", ": Kepala Lembaga Administrasi Negara, berkedudukan di"),
])
def test_komparisi_states_position_and_authority(many, run, name, expected):
    code, err = build_all(many, run)
    assert code == 0, err
    assert expected in komparisi(many / "out/mou/mou-10.docx", name)


def test_signature_blocks_print_position_in_capitals_and_whole_nips(many, run):
    assert build_all(many, run)[0] == 0
    text = paragraphs(many / "out/mou/mou-10.docx")
    for line in ["PENJABAT BUPATI KUBU RAYA,", "REKTOR UNIVERSITAS TANJUNGPURA,",
                 "DIREKTUR UTAMA PT KHATULISTIWA DATA NUSANTARA,", "DIREKTUR UTAMA PT BORNEO HIJAU LESTARI,",
                 "KETUA YAYASAN PENDIDIKAN KAPUAS RAYA,",
                 "PELAKSANA TUGAS KEPALA BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA KOTA SINGKAWANG,",
                 "PELAKSANA HARIAN KEPALA DINAS KESEHATAN KOTA PONTIANAK,", "WALI KOTA PONTIANAK,",
                 "PIHAK KESEPULUH,"]:
        assert line in text, line
    nips = [p for p in text if p.startswith("NIP")]
    assert sorted(nips) == sorted(f"NIP{NB}{n}".replace(" ", NB) for n in [
        "19680314 199003 1 007", "19700512 199603 2 004", "19750101 200003 1 002",
        "19800229 200501 2 002", "19660801 198803 1 001"])
    assert f"Prof.{NB}Dr.{NB}Ir.{NB}Ratna Dewi Kusumawati,{NB}M.T., M.Sc." in text  # gelar bound to the name
    assert not any("NIP." in p for p in text)  # one label style


def row_shapes(path: Path) -> tuple[list[int], list[list[int]]]:
    """Parties per row of the signature table, and per row of each footer's paraf box."""
    doc = Document(str(path))
    signatures = []
    for outer in doc.element.body.iter(qn("w:tbl")):
        nested = [t for t in outer.iter(qn("w:tbl")) if t is not outer]
        for inner in nested:
            signatures.append(len(inner.findall(qn("w:tr"))[0].findall(qn("w:tc"))))
    paraf = [[len(tr.findall(qn("w:tc"))) for tr in f._element.iter(qn("w:tr"))] for f in (doc.sections[0].footer, doc.sections[0].first_page_footer)]
    return signatures, paraf


@pytest.mark.parametrize(("n", "signatures", "paraf"), [
    (2, [2], [2]), (3, [2, 1], [3]), (4, [2, 2], [4]), (5, [2, 2, 1], [3, 2]),
    (6, [2, 2, 2], [3, 3]), (10, [2, 2, 2, 2, 2], [4, 3, 3]),
])
def test_rows_of_two_signatures_and_up_to_four_paraf_boxes(many, run, n, signatures, paraf):
    assert build_all(many, run)[0] == 0
    found_sign, found_paraf = row_shapes(many / f"out/mou/mou-{n}.docx")
    assert found_sign == signatures
    assert found_paraf == [paraf, paraf]  # page 1 and the other pages
    # every cell spans its share of the grid: a lone party is centred across the width
    doc = Document(str(many / f"out/mou/mou-{n}.docx"))
    for tr in doc.element.body.iter(qn("w:tr")):
        spans = [int(tc.find(qn("w:tcPr")).find(qn("w:gridSpan")).get(qn("w:val"))) for tc in tr.findall(qn("w:tc"))
                 if tc.find(qn("w:tcPr")) is not None and tc.find(qn("w:tcPr")).find(qn("w:gridSpan")) is not None]
        if spans:
            assert sum(spans) == 4, spans


# --- what the record may say ------------------------------------------------------------------

KUBU = "records/parties/pemkab-kubu-raya.yaml"


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("  position: Bupati Kubu Raya\n", "  position: Pj. Bupati Kubu Raya\n", "signatory.position",
     "'Pj.' is an acting status: write acting: pj and position: Bupati Kubu Raya"),
    ("  position: Bupati Kubu Raya\n", "  position: Pelaksana Tugas Bupati Kubu Raya\n", "signatory.position",
     "write acting: plt and position: Bupati Kubu Raya"),
    ("  acting: pj\n", "  acting: pjs\n", "signatory.acting", "pj, plt, plh"),
    ("  appointment: Keputusan", "  appointment: ''\n  x: Keputusan", "signatory.appointment", "empty"),
])
def test_acting_and_appointment_are_checked_where_typed(many, run, old, new, field, words):
    path = many / KUBU
    text = path.read_text()
    path.write_text(text.replace(old, new, 1))
    code, _, err = run("-C", str(many), "check")
    assert code == 1 and "Traceback" not in err
    line = [n for n, l in enumerate(path.read_text().splitlines(), 1) if l.strip().startswith(field.split(".")[-1] + ":")][0]
    assert re.search(rf"^{KUBU}:{line}:\d+: {re.escape(field)}: .*{re.escape(words)}", err, re.M), err


def warnings(err: str) -> list[str]:
    return [l.removeprefix("warning: ") for l in err.splitlines() if l.startswith("warning: ")]


def test_unknown_authority_is_a_located_warning_only_where_required(many, run):
    code, _, err = run("-C", str(many), "check")
    assert code == 0, err
    about = {w.split(":")[0] for w in warnings(err) if "signatory: no appointment" in w}
    # badan-usaha and lainnya without appointment, and a Plt without decree; not the
    # definitive Wali Kota, Kepala LAN or Dirjen, nor anyone whose appointment is given
    assert about == {"records/parties/pt-tanpa-akta.yaml", "records/parties/yayasan.yaml", "records/parties/bkpsdm.yaml"}
    pt = next(w for w in warnings(err) if w.startswith("records/parties/pt-tanpa-akta.yaml") and "appointment" in w)
    assert pt.startswith("records/parties/pt-tanpa-akta.yaml:6:3: signatory: no appointment: a company")  # the signatory block
    assert "records/mou/mou-10.yaml, records/mou/mou-6.yaml" in pt and "AHU-" in pt
    plt = next(w for w in warnings(err) if w.startswith("records/parties/bkpsdm.yaml") and "appointment" in w)
    assert "acting: plt" in plt


def test_a_warning_never_stops_a_build_unless_strict(many, run):
    code, err = build_all(many, run)
    assert code == 0 and "signatory: no appointment" in err
    assert (many / "out/mou/mou-10.docx").is_file()
    shutil.rmtree(many / "out")
    code, err = build_all(many, run, "--strict")
    assert code == 1 and "signatory: no appointment" in err and "(warnings are errors with --strict)" in err
    assert not (many / "out").exists()


def test_party_without_logo_is_warned_at_its_file(many, run):
    from test_mou_docx import tiny_png

    tiny_png(many / "assets/logo-lan.png")
    lan = many / "records/parties/lan.yaml"
    lan.write_text(lan.read_text().replace("type: kementerian-lembaga\n", "type: kementerian-lembaga\nlogo: assets/logo-lan.png\n"))
    code, _, err = run("-C", str(many), "check")
    assert code == 0
    logo = sorted(w.split(":")[0] for w in warnings(err) if ": logo: none given" in w)
    # every party of an MoU without a logo, and only those: LAN now has one
    assert logo == sorted(f"records/parties/{p}.yaml" for p in ORDER if p != "lan")
    assert "records/parties/pemkot-pontianak.yaml:2:1: logo: none given; every MoU shows each party's logo" in err


def test_worked_example_warns_only_of_its_missing_logos(workspace, run):
    code, _, err = run("-C", str(workspace), "check")
    assert code == 0
    assert sorted(w.split(": ")[0].split(":")[0] + " " + w.split(": ")[1] for w in warnings(err)) == [
        "records/parties/lan.yaml logo", "records/parties/pemkot-pontianak.yaml logo"]
    code, _, err = run("-C", str(workspace), "build", str(workspace / MOU))
    assert code == 0
    # a definitive Wali Kota and Kepala LAN: no basis of authority asked for, so no blank
    assert "berdasarkan" not in komparisi(workspace / "out/mou/pontianak-lan-2015.docx", "Sutarmidji")
    assert "berdasarkan" not in komparisi(workspace / "out/mou/pontianak-lan-2015.docx", "Adi Suryanto")


def test_lab_report_signatory_prints_acting_position_and_whole_nip(workspace, run):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler not installed")
    lab = workspace / "records/labs/labinov-pontianak-2015.yaml"
    text = lab.read_text()
    start = text.index("  signatory:")
    lab.write_text(text[:start] + (
        "  signatory:\n    name: Tri Widodo Wahyu Utomo\n    title_prefix: Dr.\n    title_suffix: S.H., M.A.\n"
        "    position: Deputi Bidang Inovasi Administrasi Negara\n    nip: 19710507 199403 1 001\n    acting: plh\n"))
    code, _, err = run("-C", str(workspace), "build", str(lab))
    assert code == 0, err
    pdf = workspace / "out/labs/labinov-pontianak-2015.pdf"
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [" ".join(l.replace(NB, " ").split()) for l in layout.splitlines()]
    assert "Pelaksana Harian Deputi Bidang Inovasi Administrasi Negara," in " ".join(lines)
    assert "NIP 19710507 199403 1 001" in lines
    assert "Dr. Tri Widodo Wahyu Utomo, S.H., M.A." in lines


# --- LibreOffice's layout of the signature pages ----------------------------------------------

soffice = shutil.which("soffice") or shutil.which("libreoffice")
LABELS = ["PIHAK KESATU", "PIHAK KEDUA", "PIHAK KETIGA", "PIHAK KEEMPAT", "PIHAK KELIMA", "PIHAK KEENAM",
          "PIHAK KETUJUH", "PIHAK KEDELAPAN", "PIHAK KESEMBILAN", "PIHAK KESEPULUH"]
NIPS = {"pemkab-kubu-raya": "19680314 199003 1 007", "untan": "19700512 199603 2 004",
        "bkpsdm": "19750101 200003 1 002", "dinkes": "19800229 200501 2 002", "kemendagri": "19660801 198803 1 001"}


@pytest.fixture(scope="session")
def laid_out(tmp_path_factory, request) -> dict[int, list[list[str]]]:
    """MoUs of 2, 3, 4, 5, 6 and 10 parties through LibreOffice in one call: n -> pages of
    pdftotext -layout lines (no-break spaces as spaces, runs of spaces kept)."""
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice/poppler not installed (.ci/run installs them)")
    from click.testing import CliRunner

    from dokgen.cli import cli

    ws = copy_repo(tmp_path_factory.mktemp("signers") / "ws")
    write_parties(ws)
    for n in COUNTS:
        mou_with(ws, f"mou-{n}", ORDER[:n])
    result = CliRunner().invoke(cli, ["-C", str(ws), "build", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    pdfs = ws / "pdf"
    docs = [str(ws / f"out/mou/mou-{n}.docx") for n in COUNTS]
    subprocess.run([soffice, f"-env:UserInstallation=file://{ws.parent / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(pdfs), *docs], check=True, capture_output=True, timeout=300)
    pages = {}
    for n in COUNTS:
        out = subprocess.run(["pdftotext", "-layout", str(pdfs / f"mou-{n}.pdf"), "-"], capture_output=True, text=True, check=True).stdout
        pages[n] = [page.replace(NB, " ").splitlines() for page in out.split("\f") if page.strip()]
    return pages


def signature_pages(pages: list[list[str]]) -> list[list[str]]:
    """The pages from the one with the closing article (Pasal PENUTUP) on."""
    first = next(i for i, page in enumerate(pages) if any(l.strip() == "PENUTUP" for l in page))
    return pages[first:]


@pytest.mark.slow
@pytest.mark.parametrize("n", COUNTS)
def test_libreoffice_keeps_labels_nips_and_blocks_whole(laid_out, n):
    pages = signature_pages(laid_out[n])
    # A signature label ends with a comma ("PIHAK KESATU,"); a paraf label does not.
    label_lines = [(p, " ".join(l.split())) for p, page in enumerate(pages) for l in page if re.search(r"PIHAK \w+,", l)]
    # rows of two: the labels of one row share a line, each whole; a lone last party is alone
    assert [line for _, line in label_lines] == [", ".join(LABELS[k:min(k + 2, n)]) + "," for k in range(0, n, 2)]
    for i, party in enumerate(ORDER[:n]):
        if party in NIPS:
            # its NIP whole on one line, on the page of its label: the block did not split
            label_page = next(p for p, line in label_lines if re.search(rf"(^| ){LABELS[i]},", line))
            nip_pages = [p for p, page in enumerate(pages) if any(f"NIP {NIPS[party]}" in l for l in page)]
            assert nip_pages == [label_page], (party, nip_pages, label_page)


@pytest.mark.slow
@pytest.mark.parametrize("n", COUNTS)
def test_libreoffice_paraf_labels_stay_whole_on_every_page(laid_out, n):
    expected = sorted(w for label in LABELS[:n] for w in label.split())
    for page in laid_out[n]:
        rows = [i for i, l in enumerate(page) if "Paraf" in l]
        assert sum(page[i].split().count("Paraf") for i in rows) == n
        # the line under each row of "Paraf" holds that row's labels, no fragment (PIHA, KESA)
        assert sorted(w for i in rows for w in page[i + 1].split()) == expected
