"""Write .xlsx workbooks with openpyxl: the empty template, an export of records, a copy with problems marked.

Template and export are one workbook: headers, a dropdown of the model's choices, id and
NIP columns formatted as Text (so Excel never turns digits into a rounded number), a
Petunjuk sheet in Indonesian with the template's version, and the rows, if any.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..errors import DokgenError, Location, Problem
from ..files import shown
from ..writer import atomic_write
from .layout import IDEAS, TEMPLATE_VERSION, VERSION_LABEL, CellLocation, SheetSpec, choices, column_letter, idea_statuses
from .reading import Table

SPARE_ROWS = 1000  # rows below the data that keep the Text format and the dropdown for typing
HEADER_FILL = "DDEBF7"
PROBLEM_FILL = "FFC7CE"

_GUIDE = {
    "lab": [
        "Lembar 'Ide' memuat unit kerja peserta Laboratorium Inovasi beserta ide inovasinya, satu ide per baris.",
        "Unit yang punya beberapa ide: tulis nama dan jenis unitnya di setiap baris (atau gabungkan sel-selnya); baris satu unit harus berurutan.",
        "Unit yang belum punya ide: satu baris saja, dengan kolom ide dibiarkan kosong.",
        "Nama unit: nama unit kerja, misalnya Dinas Kesehatan. Wajib diisi.",
        "Jenis unit: pilih dari daftar ({choices}).",
        "Judul ide, Masalah, Deskripsi: wajib diisi untuk setiap ide. Masalah adalah persoalan layanan yang dijawab oleh ide itu.",
        "Status ide: boleh kosong; bila diisi, pilih {statuses}.",
        "Mengimpor: dokgen import BERKAS.xlsx --into records/labs/<id>.yaml. Unit dan ide pada rekaman lab diganti dengan isi lembar ini; isian lain dan komentar rekaman tetap.",
    ],
    "party": [
        "Lembar 'Pihak' memuat satu instansi per baris beserta pejabat penanda tangannya.",
        "id: nama berkas rekaman, huruf kecil, angka dan tanda '-', misalnya pemkot-pontianak. Baris dengan id yang sudah ada memperbarui rekaman itu; id baru membuat rekaman baru.",
        "Nama, Singkatan, Alamat, Nama penanda tangan, Jabatan: wajib diisi.",
        "Jenis: pilih dari daftar ({choices}).",
        "Gelar depan dan Gelar belakang: boleh kosong, misalnya Dr. dan S.H., M.Hum.",
        "NIP: 18 angka, spasi boleh (19660801 198803 1 001); kosongkan bila penanda tangan bukan ASN. Kolom id dan NIP berformat Teks: jangan ubah menjadi Angka, sebab Excel hanya menyimpan 15 digit dan angka terakhir NIP akan hilang.",
        "Mengimpor: dokgen import BERKAS.xlsx --into records/parties/. Isian rekaman yang tidak ada di lembar ini (logo, dasar penunjukan) tetap.",
    ],
}
_COMMON = [
    "Baris pertama berisi judul kolom; jangan diubah. Kolom lain boleh ditambahkan di sebelah kanan; dokgen melewatkannya.",
    "Setiap masalah ditunjukkan pada selnya, misalnya Ide!C5, seperti yang diketik di Kotak Nama Excel. Tidak ada yang disimpan sebelum semua masalah diperbaiki; --annotate menandai sel bermasalah dengan warna merah dan komentar.",
    "Baris yang disembunyikan tetap diimpor. Sel yang digabung dibaca dengan isi sel kirinya yang teratas. Rumus dibaca dari nilai terakhir yang tersimpan.",
]


def workbook_bytes(spec: SheetSpec, rows: list[list[Any]]) -> bytes:
    """A workbook of spec's sheet holding rows (none for the template), with its Petunjuk sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = spec.name
    sheet.append([c.header for c in spec.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    sheet.freeze_panes = "A2"
    last = len(rows) + 1 + SPARE_ROWS
    for c, column in enumerate(spec.columns, start=1):
        letter = column_letter(c)
        sheet.column_dimensions[letter].width = column.width
        for r, values in enumerate(rows, start=2):
            value = values[c - 1]
            if value is not None:
                cell = sheet.cell(r, c, value)
                cell.data_type = "s"  # text stays text: "=..." is never a formula, "0777" never a number
        if column.text_format:
            for r in range(2, last + 1):
                sheet.cell(r, c).number_format = "@"
        if column.header in (spec.choices_column, "Status ide"):
            allowed = choices(spec) if column.header == spec.choices_column else idea_statuses()
            dv = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True, showErrorMessage=True,
                                errorTitle=f"{column.header} tidak dikenal", error=f"Pilih salah satu: {', '.join(allowed)}")
            dv.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(dv)
    _guide(book.create_sheet("Petunjuk"), spec)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _guide(sheet: Any, spec: SheetSpec) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append([VERSION_LABEL, TEMPLATE_VERSION])
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    statuses = ", ".join(idea_statuses())
    for line in [*_GUIDE[spec.kind], *_COMMON]:
        sheet.append([line.format(choices=", ".join(choices(spec)), statuses=statuses)])
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows(min_row=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def save_workbook(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write a workbook the user named; an existing file (perhaps the working copy) only with force."""
    name = shown(str(path))
    if path.suffix.lower() != ".xlsx":
        raise DokgenError("dokgen writes .xlsx workbooks; name the file <name>.xlsx", Location(name))
    if path.exists() and not force:
        raise DokgenError("exists already; choose another name, or use --force to replace it", Location(name))
    if not path.parent.is_dir():
        raise DokgenError(f"no folder {shown(str(path.parent))} to write into", Location(name))
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise DokgenError(f"cannot be written: {exc.strerror}", Location(name)) from None


def annotate_copy(original: Path, tables: list[Table], problems: list[Problem], out: Path) -> None:
    """A copy of the sheet with each problem cell filled red and its messages as the cell's comment.

    An .xlsx is copied with its formatting; other formats are rebuilt from the values read.
    A `Masalah` sheet lists every problem, also those outside the sheet (in the record file).
    """
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    if original.suffix.lower() in (".xlsx", ".xlsm"):
        book = load_workbook(original)
    else:
        book = Workbook()
        book.remove(book.active)
        for t in tables:
            sheet = book.create_sheet((t.name or original.stem)[:31])
            for row in t.rows:
                sheet.append([v if v != "" else None for v in row])
    by_cell: dict[tuple[str, int, int], list[str]] = {}
    for p in problems:
        loc = p.location
        if isinstance(loc, CellLocation):
            by_cell.setdefault((loc.sheet or original.stem[:31], max(loc.line, 1), max(loc.col, 1)), []).append(
                f"{p.field}: {p.message}" if p.field else p.message)
    fill = PatternFill("solid", fgColor=PROBLEM_FILL)
    for (sheet_name, row, col), messages in by_cell.items():
        if sheet_name not in book.sheetnames:
            continue
        cell = book[sheet_name].cell(row, col)
        cell.fill = fill
        cell.comment = Comment("\n".join(messages), "dokgen", width=320, height=40 + 40 * len(messages))
    listing = book.create_sheet("Masalah", 0)
    listing.append(["Masalah yang ditemukan dokgen (perbaiki di lembar aslinya, lalu impor lagi)"])
    for p in problems:
        listing.append([str(p)])
    listing.column_dimensions["A"].width = 140
    buf = io.BytesIO()
    book.save(buf)
    save_workbook(out, buf.getvalue(), force=True)
