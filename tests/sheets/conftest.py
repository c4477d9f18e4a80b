"""Sheets made the ways facilitators make them: openpyxl (as Excel), LibreOffice (.ods, .xls), CSV."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LAB = "records/labs/labinov-pontianak-2015.yaml"
IDE_HEADERS = ["Nama unit", "Jenis unit", "Judul ide", "Masalah", "Deskripsi"]
PIHAK_HEADERS = ["id", "Nama", "Singkatan", "Jenis", "Alamat", "Nama penanda tangan", "Gelar depan", "Gelar belakang",
                 "Jabatan", "NIP"]

# Two units, three ideas, and a unit with no idea yet (its idea cells empty).
IDEAS = [
    ["Dinas Perhubungan", "opd", "Parkir bayar nontunai", "Retribusi parkir bocor karena dibayar tunai.",
     "Juru parkir menerima pembayaran lewat kode QR."],
    ["Dinas Perhubungan", "opd", "Halte pintar", "Warga tidak tahu kapan bus tiba.", "Papan jadwal di halte utama."],
    ["Kelurahan Darat Sekip", "kelurahan", "Surat pengantar daring", "Warga antre di kantor RT untuk surat pengantar.",
     "Ketua RT menandatangani surat pengantar dari ponsel."],
    ["Puskesmas Alianyang", "puskesmas", None, None, None],
]
# The same sheet with a title left empty (C3) and a unit type typed wrong (B4).
BAD_IDEAS = [list(r) for r in IDEAS]
BAD_IDEAS[1][2] = None
BAD_IDEAS[2][1] = "kelurhan"

soffice = shutil.which("soffice") or shutil.which("libreoffice")


def write_xlsx(path: Path, sheet: str, headers: list[str], rows: list[list], *, text_columns: tuple[int, ...] = ()) -> Path:
    """A workbook as Excel writes one; text_columns (1-based) are formatted as Text like the template's."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for col in text_columns:
        for r in range(2, len(rows) + 2):
            ws.cell(r, col).number_format = "@"
    book.save(path)
    return path


def write_csv(path: Path, headers: list[str], rows: list[list], *, sep: str, bom: bool) -> Path:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")  # as Excel writes it
    w.writerow(headers)
    w.writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    return path


@pytest.fixture(scope="session")
def libreoffice_sheets(tmp_path_factory) -> dict[str, Path]:
    """The good and the bad Ide sheet, and a sheet with a formula, saved by LibreOffice as .ods and .xls (one run each)."""
    if soffice is None:
        pytest.skip("LibreOffice not installed (.ci/run installs it)")
    base = tmp_path_factory.mktemp("lo")
    sources = [write_xlsx(base / "good.xlsx", "Ide", IDE_HEADERS, IDEAS), write_xlsx(base / "bad.xlsx", "Ide", IDE_HEADERS, BAD_IDEAS)]
    formula = [list(r) for r in IDEAS]
    formula[1][3] = '="Warga tidak tahu "&"kapan bus tiba."'  # LibreOffice calculates and saves the value
    sources.append(write_xlsx(base / "formula.xlsx", "Ide", IDE_HEADERS, formula))
    out = base / "out"
    for fmt in ("ods", "xls", "xlsx"):
        subprocess.run([soffice, f"-env:UserInstallation=file://{base / 'profile'}", "--headless", "--convert-to", fmt,
                        "--outdir", str(out / fmt), *map(str, sources)], check=True, capture_output=True, timeout=180)
    made = {f"{p.stem}.{fmt}": out / fmt / f"{p.stem}.{fmt}" for fmt in ("ods", "xls", "xlsx") for p in sources}
    assert all(p.is_file() for p in made.values()), made
    return made
