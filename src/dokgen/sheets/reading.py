"""Read a spreadsheet file into plain tables: every sheet's cells from A1, with what Excel hides.

python-calamine reads .xlsx, .xls and .ods (cached values of formulas, merged ranges);
what it does not tell, hidden rows and formulas never calculated, comes from the .xlsx
sheet XML. CSV is read as UTF-8 (with or without a BOM), `;` or `,` as the separator.
"""

from __future__ import annotations

import csv
import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..errors import DokgenError, Location, Problem, ProblemsError
from ..files import FileRefused, read_regular

MAX_SHEET_BYTES = 20_000_000  # a workbook of 100,000 ideas is ~10 MB
MAX_UNPACKED_BYTES = 200_000_000  # .xlsx and .ods are zip files: refuse a zip bomb before unpacking
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass
class Table:
    """One sheet: rows of cell values from A1 (str, float, int, bool, date, datetime...)."""

    name: str  # "" for a CSV file
    rows: list[list[Any]]
    hidden_rows: set[int] = field(default_factory=set)  # 1-based
    uncalculated: set[tuple[int, int]] = field(default_factory=set)  # formulas with no (or an empty) saved value, 1-based


def read_tables(path: Path, name: str) -> list[Table]:
    """Return the sheets of the file at path (shown to the user as name); DokgenError when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DokgenError(f"not a spreadsheet dokgen reads; save it as .xlsx, .ods, .xls or .csv", Location(name))
    try:
        data = read_regular(path, MAX_SHEET_BYTES, "a spreadsheet")
    except FileRefused as exc:
        raise DokgenError(f"not read: {exc.strerror}", Location(name)) from None
    except OSError as exc:
        raise DokgenError(f"cannot read: {exc.strerror}", Location(name)) from None
    if suffix == ".csv":
        return [read_csv(data, name)]
    return read_workbook(data, suffix, name)


def read_csv(data: bytes, name: str) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        raise ProblemsError([Problem(Location(name, row, 1), "", "the file is not UTF-8 text; in Excel use Save As > "
                                     "'CSV UTF-8 (Comma delimited)', in LibreOffice choose the character set Unicode (UTF-8)")]) from None
    first = text.split("\n", 1)[0]
    # Excel in an Indonesian locale writes ';' (the comma is the decimal mark); elsewhere ','
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
    except csv.Error as exc:
        raise DokgenError(f"not a well-formed CSV file: {exc}", Location(name)) from None
    return Table("", rows)


def read_workbook(data: bytes, suffix: str, name: str) -> list[Table]:
    from python_calamine import CalamineWorkbook

    if suffix != ".xls":
        _check_unpacked_size(data, name)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        tables = []
        for sheet_name in book.sheet_names:
            sheet = book.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)  # keep row numbers true to the sheet
            _fill_merged(rows, sheet.merged_cell_ranges or [])
            tables.append(Table(sheet_name, rows))
    except Exception as exc:  # calamine raises its own error types for damaged or mislabelled files
        raise DokgenError(f"cannot be read as a {suffix} workbook ({exc}); open it in Excel or LibreOffice and save it again",
                          Location(name)) from None
    if suffix in (".xlsx", ".xlsm"):
        _xlsx_extras(data, tables)
    return tables


def _check_unpacked_size(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        raise DokgenError("cannot be read: the file is damaged or not a workbook; open it in Excel or LibreOffice and save it again",
                          Location(name)) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise DokgenError(f"not read: it unpacks to {unpacked:,} bytes; a spreadsheet may unpack to at most {MAX_UNPACKED_BYTES:,}",
                          Location(name))


def _fill_merged(rows: list[list[Any]], ranges: list) -> None:
    """Every cell of a merged range shows its top-left value, as the person looking at the sheet reads it."""
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = value


def _xlsx_extras(data: bytes, tables: list[Table]) -> None:
    """Hidden rows and never-calculated formulas, which calamine does not report, from each sheet's XML."""
    by_name = {t.name: t for t in tables}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            for s in book.iter(f"{_MAIN}sheet"):
                table = by_name.get(s.get("name", ""))
                target = targets.get(s.get(f"{_REL}id"), "")
                if table is None or not target:
                    continue
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                with z.open(part) as fh:
                    _scan_sheet(fh, table)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return  # calamine read the cells; without the extras nothing is lost but the notes


def _scan_sheet(fh: Any, table: Table) -> None:
    for _, el in ElementTree.iterparse(fh):
        if el.tag == f"{_MAIN}c":
            value = el.find(f"{_MAIN}v")
            if el.find(f"{_MAIN}f") is not None and (value is None or not value.text):
                table.uncalculated.add(_cell_ref(el.get("r", "")))
        elif el.tag == f"{_MAIN}row":
            if el.get("hidden") in ("1", "true"):
                table.hidden_rows.add(int(el.get("r", "0")))
            el.clear()


def _cell_ref(ref: str) -> tuple[int, int]:
    letters = "".join(c for c in ref if c.isalpha())
    col = 0
    for c in letters.upper():
        col = col * 26 + ord(c) - 64
    return int(ref[len(letters):] or 0), col
