"""Template and export: what a facilitator opens in Excel, and export -> import changing nothing."""

from __future__ import annotations

from .conftest import IDE_HEADERS, LAB, PIHAK_HEADERS, write_xlsx


def record_files(ws):
    return {p.relative_to(ws).as_posix(): p.read_bytes() for p in sorted((ws / "records").rglob("*.yaml"))}


def test_export_then_import_leaves_every_record_byte_identical(workspace, run, tmp_path):
    # ideas with and without a status, a unit without ideas, quoted and folded values, a party with a NIP
    lab = workspace / LAB
    text = lab.read_text(encoding="utf-8")
    text = text.replace("        description: Nomor antrean diambil lewat pesan singkat sebelum datang.\n",
                        "        description: Nomor antrean diambil lewat pesan singkat sebelum datang.\n        status: rencana-aksi\n", 1)
    text = text.replace("  - name: Dinas Kesehatan\n", "  - name: 'Dinas Kesehatan'  # dinas teknis\n", 1)
    text = text.replace("\noutcomes:", "\n  - name: Kelurahan Bansir Laut  # belum ada ide\n    type: kelurahan\noutcomes:", 1)
    lab.write_text(text, encoding="utf-8")
    lan = workspace / "records/parties/lan.yaml"
    lan.write_text(lan.read_text(encoding="utf-8") + "  nip: 19660801 198803 1 001\n", encoding="utf-8")
    before = record_files(workspace)

    code, out, err = run("-C", str(workspace), "export", "lab", "labinov-pontianak-2015", str(tmp_path / "ide.xlsx"))
    assert code == 0 and "8 units, 10 ideas" in out, err
    code, out, err = run("-C", str(workspace), "export", "parties", str(tmp_path / "pihak.xlsx"))
    assert code == 0 and "2 parties" in out, err
    code, out, err = run("-C", str(workspace), "import", str(tmp_path / "ide.xlsx"), "--into", LAB)
    assert code == 0 and "the record is unchanged" in out, err
    code, out, err = run("-C", str(workspace), "import", str(tmp_path / "pihak.xlsx"), "--into", "records/parties/")
    assert code == 0 and "0 new; 0 changed; 2 unchanged" in out, err
    assert record_files(workspace) == before


def test_an_edited_export_changes_only_the_edited_value(workspace, run, tmp_path):
    from openpyxl import load_workbook

    before = (workspace / LAB).read_text(encoding="utf-8")
    run("-C", str(workspace), "export", "lab", "labinov-pontianak-2015", str(tmp_path / "ide.xlsx"))
    book = load_workbook(tmp_path / "ide.xlsx")
    assert book["Ide"]["C2"].value == "Antrean puskesmas daring"
    book["Ide"]["C2"] = "Antrean puskesmas daring dan luring"
    book.save(tmp_path / "ide.xlsx")
    code, _, err = run("-C", str(workspace), "import", str(tmp_path / "ide.xlsx"), "--into", LAB)
    assert code == 0, err
    after = (workspace / LAB).read_text(encoding="utf-8")
    assert after == before.replace("title: Antrean puskesmas daring\n", "title: Antrean puskesmas daring dan luring\n")


def test_the_template_has_the_agreed_headers_dropdowns_text_columns_and_a_guide(run, tmp_path):
    from openpyxl import load_workbook

    for kind, name, headers, dropdown, text_cols in [("lab", "Ide", IDE_HEADERS, "B", ()), ("parties", "Pihak", PIHAK_HEADERS, "D", ("A", "J"))]:
        path = tmp_path / f"{kind}.xlsx"
        code, out, err = run("import", "template", kind, str(path))
        assert code == 0, err
        book = load_workbook(path)
        assert book.sheetnames == [name, "Petunjuk"]
        sheet = book[name]
        assert [c.value for c in sheet[1]][:len(headers)] == headers
        lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
        assert f"{dropdown}2" in lists and "opd" in lists[f"{dropdown}2"] if kind == "lab" else "perguruan-tinggi" in lists[f"{dropdown}2"]
        for col in text_cols:
            assert sheet[f"{col}2"].number_format == "@" and sheet[f"{col}500"].number_format == "@"
        guide = book["Petunjuk"]
        assert guide["A1"].value == "Versi templat dokgen" and guide["B1"].value == 1
        assert any("wajib diisi" in str(r[0].value) for r in guide.iter_rows())
        code, _, err = run("import", "template", kind, str(path))
        assert code == 1 and "exists already; choose another name, or use --force" in err


def test_a_template_from_a_newer_dokgen_is_refused(workspace, run, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "ide.xlsx"
    run("-C", str(workspace), "export", "lab", "labinov-pontianak-2015", str(path))
    book = load_workbook(path)
    book["Petunjuk"]["B1"] = 7
    book.save(path)
    code, _, err = run("-C", str(workspace), "import", str(path), "--into", LAB)
    assert code == 1 and f"{path}:Petunjuk!B1: Versi templat dokgen: '7' is not a template version this dokgen reads" in err


def test_exported_text_stays_text_in_excel(workspace, run, tmp_path):
    """A value that looks like a formula or a number is written as text, never evaluated or converted."""
    from openpyxl import load_workbook

    lab = workspace / LAB
    lab.write_text(lab.read_text(encoding="utf-8").replace("title: Antrean puskesmas daring", "title: '=1+1'", 1), encoding="utf-8")
    path = tmp_path / "ide.xlsx"
    code, _, err = run("-C", str(workspace), "export", "lab", "labinov-pontianak-2015", str(path))
    assert code == 0, err
    cell = load_workbook(path)["Ide"]["C2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    code, out, err = run("-C", str(workspace), "import", str(path), "--into", LAB)
    assert code == 0 and "unchanged" in out, err


def test_export_of_an_invalid_record_names_its_problem(workspace, run, tmp_path):
    lab = workspace / LAB
    lab.write_text(lab.read_text(encoding="utf-8").replace("type: opd", "type: dinas", 1), encoding="utf-8")
    code, _, err = run("-C", str(workspace), "export", "lab", "labinov-pontianak-2015", str(tmp_path / "ide.xlsx"))
    assert code == 1 and "units[0].type: 'dinas' is not allowed" in err and not (tmp_path / "ide.xlsx").exists()
    code, _, err = run("-C", str(workspace), "export", "lab", "nope", str(tmp_path / "ide.xlsx"))
    assert code == 1 and "no record records/labs/nope.yaml" in err
