"""What the sheets hold: their names, headers (spec/records.md "Spreadsheets") and the record field of each column.

One table drives reading, checking and writing, so a header is spelled in one place.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass

from ..errors import Location

TEMPLATE_VERSION = 1  # written in the Petunjuk sheet; a newer one is refused on import
VERSION_LABEL = "Versi templat dokgen"


@dataclass(frozen=True)
class Column:
    header: str
    field: tuple[str, ...]  # the record field it fills, relative to a unit, an idea or a party
    level: str  # "unit", "idea", "party" or "id"
    text_format: bool = False  # written formatted as Text ('@'): digits must never become a number
    optional: bool = False  # the header may be missing (a column beyond the spec's)
    width: int = 24


@dataclass(frozen=True)
class SheetSpec:
    name: str
    kind: str  # "lab" or "party"
    columns: tuple[Column, ...]
    choices_column: str  # the column with a dropdown of the model's choices

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)


IDEAS = SheetSpec("Ide", "lab", (
    Column("Nama unit", ("name",), "unit", width=36),
    Column("Jenis unit", ("type",), "unit", width=14),
    Column("Judul ide", ("title",), "idea", width=36),
    Column("Masalah", ("problem",), "idea", width=48),
    Column("Deskripsi", ("description",), "idea", width=48),
    # beyond the spec's five: an idea's progress (model.Idea.status), so export -> import keeps it
    Column("Status ide", ("status",), "idea", optional=True, width=14),
), "Jenis unit")

PARTIES = SheetSpec("Pihak", "party", (
    Column("id", (), "id", text_format=True, width=22),
    Column("Nama", ("name",), "party", width=40),
    Column("Singkatan", ("short_name",), "party", width=18),
    Column("Jenis", ("type",), "party", width=22),
    Column("Alamat", ("address",), "party", width=48),
    Column("Nama penanda tangan", ("signatory", "name"), "party", width=28),
    Column("Gelar depan", ("signatory", "title_prefix"), "party", width=12),
    Column("Gelar belakang", ("signatory", "title_suffix"), "party", width=16),
    Column("Jabatan", ("signatory", "position"), "party", width=40),
    Column("NIP", ("signatory", "nip"), "party", text_format=True, width=24),
), "Jenis")

SPECS = {"lab": IDEAS, "parties": PARTIES}


def choices(spec: SheetSpec) -> tuple[str, ...]:
    """The values the model allows in the dropdown column (read from the model, never retyped)."""
    from .. import model

    annotation = model.Unit.model_fields["type"].annotation if spec is IDEAS else model.Party.model_fields["type"].annotation
    return typing.get_args(annotation)


def idea_statuses() -> tuple[str, ...]:
    from .. import model

    return model.IDEA_STATUSES


def column_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_PLAIN_SHEET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(frozen=True, order=True)
class CellLocation(Location):
    """A cell as Excel's Name Box takes it: `ide-lab.xlsx:Ide!C5` (line = row, col = column, 1-based).

    A CSV file has no sheet name: `ide.csv:C5`. Row 0 names the whole sheet.
    """

    sheet: str = ""

    def __str__(self) -> str:
        sheet = self.sheet if not self.sheet or _PLAIN_SHEET_NAME.match(self.sheet) else "'" + self.sheet.replace("'", "''") + "'"
        where = f"{sheet}!" if sheet else ""
        if not self.line:
            return f"{self.path}:{sheet}" if sheet else self.path
        cell = f"{column_letter(self.col)}{self.line}" if self.col else f"{self.line}:{self.line}"
        return f"{self.path}:{where}{cell}"
