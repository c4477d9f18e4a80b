"""Excel's traps: digits typed as numbers, hidden rows, merged cells, formulas, dates, huge files."""

from __future__ import annotations

import datetime as dt
import os

from dokgen.yamlfile import read_yaml

from .conftest import IDE_HEADERS, IDEAS, LAB, PIHAK_HEADERS, write_csv, write_xlsx
from .test_sheets_import import EXPECTED_UNITS, UNTAN, units_of

PARTIES = "records/parties/"
NIP_FIX = "Excel keeps only 15 digits, so an 18-digit NIP has lost its last ones; format the column as Text (Format Cells > Text) and type the NIP again"


def party_files(ws):
    return {p.name: p.read_bytes() for p in (ws / PARTIES).iterdir()}


def test_nip_typed_as_a_number_is_refused_with_how_to_fix_it(workspace, run, tmp_path):
    before = party_files(workspace)
    row = list(UNTAN)
    row[9] = 196608011988031001  # Excel stores 196608011988031000: the last digit is gone
    sheet = write_xlsx(tmp_path / "pihak.xlsx", "Pihak", PIHAK_HEADERS, [row])
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", PARTIES)
    assert code == 1
    assert f"{sheet}:Pihak!J2: NIP: typed as a number (1.96608011988031e+17): {NIP_FIX}" in err
    assert party_files(workspace) == before


def test_nip_in_scientific_notation_from_a_csv_is_refused(workspace, run, tmp_path):
    row = list(UNTAN)
    row[9] = "1,96608E+17"  # what Excel in an Indonesian locale saves for a number column
    sheet = write_csv(tmp_path / "pihak.csv", PIHAK_HEADERS, [row], sep=";", bom=True)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", PARTIES)
    assert code == 1 and f"{sheet}:J2: NIP: typed as a number (1,96608E+17): {NIP_FIX}" in err


def test_id_typed_as_a_number_is_refused(workspace, run, tmp_path):
    row = list(UNTAN)
    row[0] = 2015
    sheet = write_xlsx(tmp_path / "pihak.xlsx", "Pihak", PIHAK_HEADERS, [row])
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", PARTIES)
    assert code == 1
    assert f"{sheet}:Pihak!A2: id: typed as a number (2015); an id is text: format the column as Text" in err


def test_nip_with_an_impossible_date_is_refused_by_the_model(workspace, run, tmp_path):
    row = list(UNTAN)
    row[9] = "19661301 198803 1 001"  # month 13
    sheet = write_xlsx(tmp_path / "pihak.xlsx", "Pihak", PIHAK_HEADERS, [row], text_columns=(1, 10))
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", PARTIES)
    from dokgen.indonesian import check_nip

    try:
        check_nip(row[9])
    except ValueError as exc:
        expected = str(exc)
    assert code == 1 and f"{sheet}:Pihak!J2: NIP: {expected}" in err


def test_real_date_cells_are_read_as_iso_dates(workspace, run, tmp_path):
    rows = [list(r) for r in IDEAS]
    rows[0][4] = dt.datetime(2015, 11, 11)  # a cell Excel holds as a date (here in a text column)
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, rows)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 0, err
    assert units_of(workspace)[0]["ideas"][0]["description"] == "2015-11-11"


def test_hidden_rows_are_imported_and_said(workspace, run, tmp_path):
    from openpyxl import load_workbook

    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, IDEAS)
    book = load_workbook(sheet)
    book["Ide"].row_dimensions[3].hidden = True  # e.g. left by a filter
    book.save(sheet)
    code, out, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 0, err
    assert f"note: {sheet}:Ide: 1 hidden row imported too (3); delete a row to leave it out" in err
    assert units_of(workspace) == EXPECTED_UNITS


def test_merged_unit_cells_name_every_row(workspace, run, tmp_path):
    from openpyxl import load_workbook

    rows = [list(r) for r in IDEAS]
    rows[1][0] = rows[1][1] = None  # the unit's name and type merged over its two rows
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, rows)
    book = load_workbook(sheet)
    book["Ide"].merge_cells("A2:A3")
    book["Ide"].merge_cells("B2:B3")
    book.save(sheet)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 0, err
    assert units_of(workspace) == EXPECTED_UNITS


def test_an_empty_unit_name_that_is_not_merged_is_refused(workspace, run, tmp_path):
    rows = [list(r) for r in IDEAS]
    rows[1][0] = None
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, rows)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and f"{sheet}:Ide!A3: Nama unit: must not be empty: every row names its unit" in err


def test_formulas_are_read_by_their_saved_values(workspace, run, libreoffice_sheets):
    for name in ("formula.ods", "formula.xlsx"):
        code, _, err = run("-C", str(workspace), "import", str(libreoffice_sheets[name]), "--into", LAB)
        assert code == 0, err
        assert units_of(workspace) == EXPECTED_UNITS


def test_a_formula_never_calculated_is_refused(workspace, run, tmp_path):
    rows = [list(r) for r in IDEAS]
    rows[1][3] = '="Warga tidak tahu "&"kapan bus tiba."'  # openpyxl saves the formula without a value
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, rows)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and f"{sheet}:Ide!D3: Masalah: a formula with no saved value" in err


def test_a_huge_file_is_refused_before_it_is_read(workspace, run, tmp_path):
    from dokgen.sheets.reading import MAX_SHEET_BYTES

    sheet = tmp_path / "ide.xlsx"
    with open(sheet, "wb") as fh:
        fh.truncate(MAX_SHEET_BYTES + 1)  # sparse: refused by its size, never read
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and f"error: {sheet}: not read: it is {MAX_SHEET_BYTES + 1:,} bytes; a spreadsheet may be at most" in err


def test_a_zip_bomb_is_refused_before_it_is_unpacked(workspace, run, tmp_path, monkeypatch):
    import zipfile

    sheet = tmp_path / "ide.xlsx"
    with zipfile.ZipFile(sheet, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 210_000_000)  # ~200 KB packed
    assert os.path.getsize(sheet) < 1_000_000
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and "not read: it unpacks to 210,000,000 bytes" in err


def test_a_damaged_workbook_and_a_non_utf8_csv_are_named(workspace, run, tmp_path):
    sheet = tmp_path / "ide.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and f"error: {sheet}: cannot be read" in err
    csv = tmp_path / "ide.csv"
    csv.write_bytes(";".join(IDE_HEADERS).encode() + b"\r\nDinas Perhubungan;opd;Jalan r\xe9sik;a;b\r\n")  # cp1252
    code, _, err = run("-C", str(workspace), "import", str(csv), "--into", LAB)
    assert code == 1 and f"{csv}:2:1: the file is not UTF-8 text" in err


def test_a_unit_over_the_build_limit_is_refused_at_the_sheet(workspace, run, tmp_path):
    rows = [["Dinas Perhubungan", "opd", f"Ide {i}", "Masalah.", "Deskripsi."] for i in range(2001)]
    sheet = write_csv(tmp_path / "ide.csv", IDE_HEADERS, rows, sep=",", bom=False)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and f"{sheet}:A2: units[0].ideas: too large to render: 2,001 items; the limit is 2,000 per list" in err


def test_control_characters_pasted_into_a_cell_are_refused(workspace, run, tmp_path):
    rows = [list(r) for r in IDEAS]
    rows[0][2] = "Parkir\u200b bayar nontunai"
    sheet = write_xlsx(tmp_path / "ide.xlsx", "Ide", IDE_HEADERS, rows)
    code, _, err = run("-C", str(workspace), "import", str(sheet), "--into", LAB)
    assert code == 1 and f"{sheet}:Ide!C2: Judul ide: invisible zero-width character U+200B" in err
    assert read_yaml((workspace / LAB).read_bytes(), LAB).data["units"][0]["name"] == "Dinas Kesehatan"
