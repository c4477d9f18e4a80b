"""Importing a lab's units and ideas and the parties from sheets of every kind, and the record files that result."""

from __future__ import annotations

from pathlib import Path

import pytest

from dokgen.records import load_workspace
from dokgen.yamlfile import read_yaml

from .conftest import BAD_IDEAS, IDE_HEADERS, IDEAS, LAB, PIHAK_HEADERS, write_csv, write_xlsx

BAD_MESSAGES = ["Ide!C3: Judul ide: must not be empty",
                "Ide!B4: Jenis unit: 'kelurhan' is not allowed (did you mean 'kelurahan'?); use one of: opd, kecamatan, kelurahan, puskesmas, bumd, lainnya"]


def units_of(ws: Path) -> list:
    return read_yaml((ws / LAB).read_bytes(), LAB).data["units"]


EXPECTED_UNITS = [
    {"name": "Dinas Perhubungan", "type": "opd", "ideas": [
        {"title": IDEAS[0][2], "problem": IDEAS[0][3], "description": IDEAS[0][4]},
        {"title": IDEAS[1][2], "problem": IDEAS[1][3], "description": IDEAS[1][4]}]},
    {"name": "Kelurahan Darat Sekip", "type": "kelurahan", "ideas": [
        {"title": IDEAS[2][2], "problem": IDEAS[2][3], "description": IDEAS[2][4]}]},
    {"name": "Puskesmas Alianyang", "type": "puskesmas"},
]


def test_import_replaces_units_and_keeps_every_other_field_and_comment(workspace, run, tmp_path):
    before = (workspace / LAB).read_text(encoding="utf-8")
    sheet = write_xlsx(tmp_path / "ide-lab.xlsx", "Ide", IDE_HEADERS, IDEAS)
    code, out, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 0, err
    assert "3 units, 3 ideas (before: 7 units, 10 ideas)" in out and "changed" in out
    after = (workspace / LAB).read_text(encoding="utf-8")
    assert units_of(workspace) == EXPECTED_UNITS
    # everything before units: (the comments at the top, title, stages with their >- blocks) is byte for byte the same
    head = before[:before.index("\nunits:")]
    assert after.startswith(head) and head.startswith("# Laboratorium Inovasi Daerah Kota Pontianak")
    assert after[after.index("\noutcomes:"):] == before[before.index("\noutcomes:"):]
    load_workspace(workspace)  # the whole workspace is still valid, as `dokgen check` reads it


@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("bom", [True, False])
def test_csv_in_both_separators_with_and_without_bom(workspace, run, tmp_path, sep, bom):
    sheet = write_csv(tmp_path / "ide.csv", IDE_HEADERS, IDEAS, sep=sep, bom=bom)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 0, err
    assert units_of(workspace) == EXPECTED_UNITS


@pytest.mark.parametrize("name", ["good.ods", "good.xls", "good.xlsx"])
def test_sheets_saved_by_libreoffice(workspace, run, libreoffice_sheets, name):
    code, _, err = run("-C", str(workspace), "import", str(libreoffice_sheets[name]), "--into", LAB)
    assert code == 0, err
    assert units_of(workspace) == EXPECTED_UNITS


@pytest.mark.parametrize("name", ["bad.ods", "bad.xls", "bad.xlsx"])
def test_problems_at_their_cells_in_libreoffice_files(workspace, run, libreoffice_sheets, name):
    before = (workspace / LAB).read_bytes()
    path = libreoffice_sheets[name]
    code, _, err = run("-C", str(workspace), "import", str(path), "--into", LAB)
    assert code == 1
    for message in BAD_MESSAGES:
        assert f"{path}:{message}" in err
    assert "error: 2 problems in 1 file; nothing was written" in err
    assert (workspace / LAB).read_bytes() == before


def test_problems_in_a_csv_name_the_cell_without_a_sheet(workspace, run, tmp_path):
    before = (workspace / LAB).read_bytes()
    sheet = write_csv(tmp_path / "ide.csv", IDE_HEADERS, BAD_IDEAS, sep=";", bom=True)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1
    assert f"{sheet}:C3: Judul ide: must not be empty" in err and f"{sheet}:B4: Jenis unit: 'kelurhan'" in err
    assert (workspace / LAB).read_bytes() == before


def test_headers_are_matched_case_insensitively_and_typos_get_did_you_mean(workspace, run, tmp_path):
    other = ["NAMA UNIT", "jenis  unit", "Judl ide", "Masalah", "Deskripsi", "Cap waktu"]
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", other, [r + ["2015-11-12 08:00"] for r in IDEAS])
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1
    assert f"{sheet}:Ide!C1: unknown column 'Judl ide' (did you mean 'Judul ide'?)" in err
    assert f"{sheet}:Ide!1:1: Judul ide: column is missing" in err
    # a column of the facilitators' own is left out with a note, not refused
    other[2] = "Judul ide"
    write_xlsx(sheet, "Ide", other, [r + ["2015-11-12 08:00"] for r in IDEAS])
    code, out, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 0, err
    assert f"note: {sheet}:Ide!F1: column 'Cap waktu' is not one dokgen reads; it was left out" in err


def test_a_workbook_without_the_sheet_names_the_sheets_it_has(workspace, run, tmp_path):
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ied", ["Nama"], [["x"]])
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and f"{sheet}: no sheet 'Ide' (did you mean 'Ied'?) and no sheet with its headers; the workbook holds: Ied" in err


def test_a_google_forms_export_is_found_by_its_headers(workspace, run, tmp_path):
    sheet = write_xlsx(tmp_path / "form.xlsx", "Form Responses 1", IDE_HEADERS, BAD_IDEAS)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and f"{sheet}:'Form Responses 1'!C3: Judul ide: must not be empty" in err


def test_an_empty_sheet_removes_nothing(workspace, run, tmp_path):
    before = (workspace / LAB).read_bytes()
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, [])
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and "no units below the headers; nothing to import" in err
    assert (workspace / LAB).read_bytes() == before


def test_a_units_rows_stay_together(workspace, run, tmp_path):
    rows = [IDEAS[0], IDEAS[2], IDEAS[1]]
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, rows)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1
    assert f"{sheet}:Ide!A4: Nama unit: 'Dinas Perhubungan' is already listed from row 2; keep a unit's rows together" in err


def test_dry_run_shows_the_change_and_writes_nothing(workspace, run, tmp_path):
    before = (workspace / LAB).read_bytes()
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, IDEAS)
    code, out, err = run("-C", str(workspace), "--debug", "import", str(sheet), "--into", LAB, "--dry-run")
    assert code == 0, err
    assert "would import" in out and "+  - name: Kelurahan Darat Sekip" in out and "-  - name: Dinas Kesehatan" in out
    assert (workspace / LAB).read_bytes() == before
    assert not (workspace / "out").exists()


def test_annotate_marks_the_problem_cells(workspace, run, tmp_path):
    from openpyxl import load_workbook

    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, BAD_IDEAS)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB, "--annotate")
    assert code == 1 and "note: the problems are marked in" in err
    book = load_workbook(tmp_path / "ide-periksa.xlsx")
    cell = book["Ide"]["C3"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE") and cell.comment.text == "Judul ide: must not be empty"
    assert "kelurhan" in book["Ide"]["B4"].comment.text
    assert book["Ide"]["A2"].comment is None and book["Ide"]["A2"].value == "Dinas Perhubungan"
    listed = [r[0].value for r in book["Masalah"].iter_rows(min_row=2)]
    assert listed == [f"{sheet}:{m}" for m in BAD_MESSAGES]


# --- parties ---------------------------------------------------------------------------------------

UNTAN = ["untan", "Universitas Tanjungpura", "Untan", "perguruan-tinggi", "Jalan Prof. Dr. H. Hadari Nawawi, Pontianak",
         "Garuda Wiratama", "Prof. Dr.", "M.Sc.", "Rektor Universitas Tanjungpura", "19660801 198803 1 001"]


def test_parties_created_and_updated_keeping_other_fields_and_comments(workspace, run, tmp_path):
    lan = workspace / "records/parties/lan.yaml"
    lan.write_text(lan.read_text(encoding="utf-8").replace("signatory:", "logo: assets/logo-lan.png  # logo resmi\nsignatory:"),
                   encoding="utf-8")
    _png(workspace / "assets/logo-lan.png")
    rows = [["lan", "Lembaga Administrasi Negara", "LAN", "kementerian-lembaga", "Jalan Veteran No. 10, Jakarta Pusat 10110",
             "Muhammad Taufiq", "Dr.", "DEA", "Kepala Lembaga Administrasi Negara", None], UNTAN]
    sheet = write_xlsx(tmp_path / "pihak.xlsx", "Pihak", PIHAK_HEADERS, rows, text_columns=(1, 10))
    code, out, err = run("-C", str(workspace), "import", str(sheet), "--into", "records/parties/")
    assert code == 0, err
    assert "2 parties: 1 new (untan); 1 changed (lan); 0 unchanged" in out
    text = lan.read_text(encoding="utf-8")
    assert text.startswith("# Pihak: Lembaga Administrasi Negara\n") and "logo: assets/logo-lan.png  # logo resmi" in text
    assert "  name: Muhammad Taufiq\n  title_prefix: Dr.\n  title_suffix: DEA\n" in text
    untan = read_yaml((workspace / "records/parties/untan.yaml").read_bytes(), "untan").data
    assert untan["signatory"]["nip"] == "19660801 198803 1 001" and untan["type"] == "perguruan-tinggi"
    ws = load_workspace(workspace)
    assert ws.parties["untan"].model.signatory.title_prefix == "Prof. Dr."


def _png(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (8, 8), "grey").save(path)


def test_party_problems_at_their_cells_and_nothing_written(workspace, run, tmp_path):
    before = {p.name: p.read_bytes() for p in (workspace / "records/parties").iterdir()}
    bad = [list(UNTAN), list(UNTAN)]
    bad[0][3] = "universitas"
    bad[0][8] = "Plt. Rektor Universitas Tanjungpura"
    bad[1][0] = "Untan"
    sheet = write_xlsx(tmp_path / "pihak.xlsx", "Pihak", PIHAK_HEADERS, bad, text_columns=(1, 10))
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", "records/parties/")
    assert code == 1
    assert f"{sheet}:Pihak!D2: Jenis: 'universitas' is not allowed" in err
    assert f"{sheet}:Pihak!I2: Jabatan: 'Plt.' is an acting status: write acting: plt and position: Rektor Universitas Tanjungpura" in err
    assert f"{sheet}:Pihak!A3: id: 'Untan' is not an id" in err
    assert {p.name: p.read_bytes() for p in (workspace / "records/parties").iterdir()} == before


def test_an_invalid_record_file_is_named_at_its_line(workspace, run, tmp_path):
    lan = workspace / "records/parties/lan.yaml"
    lan.write_text(lan.read_text(encoding="utf-8").replace("short_name: LAN", "short_name: LAN\nshortname: LAN"), encoding="utf-8")
    row = ["lan", "Lembaga Administrasi Negara", "LAN", "kementerian-lembaga", "Jalan Veteran No. 10, Jakarta Pusat 10110",
           "Adi Suryanto", "Dr.", "M.Si.", "Kepala Lembaga Administrasi Negara", None]
    sheet = write_xlsx(tmp_path / "pihak.xlsx", "Pihak", PIHAK_HEADERS, [row])
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", "records/parties/")
    assert code == 1 and "lan.yaml:4:1: shortname: unknown field (did you mean 'short_name'?)" in err


def test_into_stays_inside_the_workspace(workspace, run, tmp_path):
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, IDEAS)
    (tmp_path / "labs").mkdir()
    outside = tmp_path / "labs/x.yaml"
    outside.write_text("title: x\n", encoding="utf-8")
    for into in (str(outside), "records/labs/../../../labs/x.yaml", "records/labs/Bad Id.yaml"):
        code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", into)
        assert code == 1 and "is not records/labs/<id>.yaml of the workspace" in err, err
    assert outside.read_text(encoding="utf-8") == "title: x\n"
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", str((workspace / LAB).resolve()))
    assert code == 0, err
