"""Turn sheet rows into record data and check it with the record model, every problem at its cell.

The model (model.py) and records.pydantic_problems word the messages, exactly as for
`dokgen check`; this module only knows which cell a field path came from. Excel's own
traps (digits typed as numbers, formulas never calculated) are caught here, since the
model only ever sees text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel, ValidationError

from .. import model
from ..characters import character_problem, normalise
from ..errors import DokgenError, Location, Problem
from ..records import did_you_mean, pydantic_problems
from ..yamlfile import YamlDoc
from .layout import IDEAS, PARTIES, TEMPLATE_VERSION, VERSION_LABEL, CellLocation, Column, SheetSpec
from .reading import Table

_SCIENTIFIC = re.compile(r"^[+-]?\d+([.,]\d+)?[eE][+-]?\d+$")  # 1.96608E+17, 1,96608E+17 (Indonesian Excel)


@dataclass
class Sheet:
    """A table whose header row was matched against a SheetSpec."""

    table: Table
    spec: SheetSpec
    source: str  # the file name as shown in messages
    header_row: int  # 1-based
    columns: dict[str, int]  # header -> 0-based column index
    notes: list[str] = field(default_factory=list)

    def at(self, row: int, header: str | None = None) -> CellLocation:
        col = self.columns[header] + 1 if header else 0
        return CellLocation(self.source, row, col, self.table.name)

    def data_rows(self):
        """Yield (1-based row, {header: cell value}) for each row below the headers that is not blank."""
        for i in range(self.header_row, len(self.table.rows)):
            raw = self.table.rows[i]
            cells = {h: (raw[c] if c < len(raw) else "") for h, c in self.columns.items()}
            if any(not _blank(v) for v in cells.values()):
                yield i + 1, cells


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _canon(header: Any) -> str:
    return " ".join(str(header).split()).casefold()


def match_sheet(tables: list[Table], spec: SheetSpec, source: str, problems: list[Problem]) -> Sheet | None:
    """Find the table holding spec's sheet (by name, else by its headers) and map its columns."""
    table = _pick(tables, spec, source, problems)
    if table is None:
        return None
    header_idx = next((i for i, row in enumerate(table.rows) if any(not _blank(v) for v in row)), None)
    where = CellLocation(source, 0, 0, table.name)
    if header_idx is None:
        problems.append(Problem(where, "", f"the sheet is empty; its first row holds the headers: {', '.join(_headers(spec))}"))
        return None
    sheet = Sheet(table, spec, source, header_idx + 1, {})
    known = {_canon(c.header): c.header for c in spec.columns}
    for col, value in enumerate(table.rows[header_idx]):
        if _blank(value):
            continue
        text = str(value).strip()
        header = known.get(_canon(text))
        here = CellLocation(source, header_idx + 1, col + 1, table.name)
        if header is None:
            hint = did_you_mean(_canon(text), list(known))
            if hint:  # a typo of an agreed header: its column would be lost
                for canon, proper in known.items():  # say it as the header is written
                    hint = hint.replace(f"'{canon}'", f"'{proper}'")
                problems.append(Problem(here, "", f"unknown column '{text}'{hint}; the headers are: {', '.join(_headers(spec))}"))
            else:  # another column of the facilitators' own (a timestamp, a note): allowed, said
                sheet.notes.append(f"{here}: column '{text}' is not one dokgen reads; it was left out")
        elif header in sheet.columns:
            first = CellLocation(source, header_idx + 1, sheet.columns[header] + 1, table.name)
            problems.append(Problem(here, "", f"'{header}' is already the header of {first}; keep one column of each"))
        else:
            sheet.columns[header] = col
    missing = [c.header for c in spec.columns if c.header not in sheet.columns and not c.optional]
    for header in missing:
        problems.append(Problem(CellLocation(source, header_idx + 1, 0, table.name), header,
                                f"column is missing; the headers are, in this order: {', '.join(_headers(spec))}"))
    return None if missing else sheet


def _headers(spec: SheetSpec) -> list[str]:
    return [c.header for c in spec.columns if not c.optional]


def _pick(tables: list[Table], spec: SheetSpec, source: str, problems: list[Problem]) -> Table | None:
    if len(tables) == 1 and not tables[0].name:  # CSV: the headers tell
        return tables[0]
    named = [t for t in tables if t.name.strip().casefold() == spec.name.casefold()]
    if named:
        return named[0]
    required = {_canon(h) for h in _headers(spec)}
    for t in tables:  # e.g. "Form Responses 1" of a Google Forms export
        first = next((row for row in t.rows if any(not _blank(v) for v in row)), [])
        if required <= {_canon(v) for v in first if not _blank(v)}:
            return t
    names = [t.name for t in tables]
    problems.append(Problem(Location(source), "", f"no sheet '{spec.name}'{did_you_mean(spec.name, names)} and no sheet with its "
                                                  f"headers; the workbook holds: {', '.join(names)}"))
    return None


def check_version(tables: list[Table], source: str, problems: list[Problem]) -> None:
    """A template from a newer dokgen may mean columns this one does not know: refuse it, saying why."""
    for t in tables:
        if t.name.casefold() != "petunjuk":
            continue
        for r, row in enumerate(t.rows[:5]):
            if row and str(row[0]).strip() == VERSION_LABEL and len(row) > 1:
                try:
                    version = int(float(row[1]))
                except (TypeError, ValueError):
                    version = None
                if version is None or version > TEMPLATE_VERSION:
                    shown = version if isinstance(row[1], float) and float(row[1]).is_integer() else row[1]
                    problems.append(Problem(CellLocation(source, r + 1, 2, t.name), VERSION_LABEL,
                                            f"'{shown}' is not a template version this dokgen reads (up to {TEMPLATE_VERSION}); "
                                            "make a new template with `dokgen import template`, or update dokgen"))


def cell_text(value: Any, column: Column, where: CellLocation, table: Table, problems: list[Problem]) -> str | None:
    """The text of one cell, or None when empty; Excel's traps become problems at the cell."""
    def refuse(message: str) -> None:
        problems.append(Problem(where, column.header, message))

    if (where.line, where.col) in table.uncalculated and _blank(value):
        refuse("a formula with no saved value (a file written by a program and never opened has none); open it in "
               "Excel or LibreOffice, save it and import again, or type the value instead of the formula")
        return None
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    elif isinstance(value, (int, float)):
        if column.text_format:
            refuse(_typed_as_number(value, column))
            return None
        value = str(int(value)) if float(value).is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        # a real date cell stands for its date; a time of day is not part of any record field
        value = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    elif not isinstance(value, str):
        value = str(value)
    text = normalise(value.strip())
    if not text:
        return None
    if column.text_format and _SCIENTIFIC.match(text):
        refuse(_typed_as_number(text, column))
        return None
    message = character_problem(text)
    if message:
        refuse(message)
        return None
    return text


def _typed_as_number(value: Any, column: Column) -> str:
    shown = f"{value:.15g}" if isinstance(value, float) else str(value)
    if column.header == "NIP":
        return (f"typed as a number ({shown}): Excel keeps only 15 digits, so an 18-digit NIP has lost its last ones; "
                "format the column as Text (Format Cells > Text) and type the NIP again")
    return f"typed as a number ({shown}); an {column.header} is text: format the column as Text (Format Cells > Text) and type it again"


def _required(cls: type[BaseModel], path: tuple[str, ...]) -> bool:
    for name in path[:-1]:
        cls = cls.model_fields[name].annotation  # nested model (Party.signatory)
    return cls.model_fields[path[-1]].is_required()


def _put(data: dict, path: tuple[str, ...], value: Any) -> None:
    for name in path[:-1]:
        data = data.setdefault(name, {})
    data[path[-1]] = value


def merged(old: Any, new: dict) -> dict:
    """new laid over old: old's other keys and key order kept, a value equal but for outer spaces kept as typed,
    an empty cell removing an optional field (None where the record already had null)."""
    out = dict(old) if isinstance(old, dict) else {}
    for key, value in new.items():
        before = out.get(key)
        if value is None:
            if before is not None:
                del out[key]
        elif isinstance(value, dict):
            out[key] = merged(before, value)
        elif not (isinstance(before, str) and isinstance(value, str) and before.strip() == value):
            out[key] = value
    return out


class Locator:
    """Stands in for a YamlDoc in records.pydantic_problems: sheet paths answer with their cell."""

    def __init__(self, doc: YamlDoc | None, source: str, cells: dict[tuple, CellLocation]):
        self.doc, self.source, self.cells = doc, source, cells

    def location(self, path: tuple, *, key: bool = False) -> Location:
        p = tuple(path)
        while p:
            if p in self.cells:
                return self.cells[p]
            p = p[:-1]
        return self.doc.location(tuple(path), key=key) if self.doc is not None else Location(self.source)


def model_problems(data: dict, cls: type[BaseModel], locator: Locator, sheet: Sheet) -> tuple[Any, list[Problem]]:
    """Validate data with the record model; a problem at a cell names the cell's column as its field."""
    try:
        return cls.model_validate(data), []
    except ValidationError as exc:
        problems = pydantic_problems(exc, locator, cls)  # type: ignore[arg-type]
    headers = {col + 1: header for header, col in sheet.columns.items()}
    return None, [Problem(p.location, headers.get(p.location.col, p.field), p.message)
                  if isinstance(p.location, CellLocation) and p.location.col else p for p in problems]


def limit_problems(kind: str, record_model: Any, locator: Locator) -> list[Problem]:
    """The size limits of a build (limits.py), checked now so an import cannot make an unbuildable record."""
    from ..limits import check_limits

    try:
        check_limits(SimpleNamespace(kind=kind, model=record_model, location=lambda *p: locator.location(p)))
    except DokgenError as exc:
        return [Problem(exc.location or Location(locator.source), exc.field, str(exc.args[0]))]
    return []


# --- the Ide sheet: a lab's units and ideas ---------------------------------------------------------


@dataclass
class SheetRows:
    """What a sheet says, before it meets a record: values by field path and the cell of each path."""

    items: list[dict] = field(default_factory=list)
    cells: dict[tuple, CellLocation] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)  # the sheet row of each item


def read_units(sheet: Sheet, problems: list[Problem]) -> SheetRows:
    """Units and their ideas, one idea a row; a unit's rows one below the other."""
    out = SheetRows()
    unit_cols = [c for c in IDEAS.columns if c.level == "unit"]
    idea_cols = [c for c in IDEAS.columns if c.level == "idea" and c.header in sheet.columns]
    closed: dict[str, int] = {}  # unit name -> its first row, for units whose rows have ended
    current: dict | None = None
    for row, cells in sheet.data_rows():
        values = {c.header: cell_text(cells[c.header], c, sheet.at(row, c.header), sheet.table, problems)
                  for c in (*unit_cols, *idea_cols)}
        name, unit_type = values["Nama unit"], values["Jenis unit"]
        if name is None:
            problems.append(Problem(sheet.at(row, "Nama unit"), "Nama unit", "must not be empty: every row names its unit "
                                    "(type the name again, or merge the unit's cells)"))
            continue
        if current is None or current["name"] != name:
            if current is not None:
                closed[current["name"]] = current["_row"]
            if name in closed:
                problems.append(Problem(sheet.at(row, "Nama unit"), "Nama unit", f"'{name}' is already listed from row "
                                        f"{closed[name]}; keep a unit's rows together, one below the other"))
                current = None
                continue
            u = len(out.items)
            current = {"name": name, "type": unit_type if unit_type is not None else "", "ideas": [], "_row": row}
            out.items.append(current)
            out.rows.append(row)
            out.cells[("units", u)] = sheet.at(row, "Nama unit")
            out.cells[("units", u, "name")] = sheet.at(row, "Nama unit")
            out.cells[("units", u, "type")] = sheet.at(row, "Jenis unit")
        elif unit_type is not None and unit_type != current["type"]:
            problems.append(Problem(sheet.at(row, "Jenis unit"), "Jenis unit", f"'{unit_type}' differs from '{current['type']}' "
                                    f"in row {current['_row']} of the same unit; a unit has one type"))
        if all(values[c.header] is None for c in idea_cols):
            continue  # a unit with no ideas yet, or a repeated unit row without an idea
        u, i = len(out.items) - 1, len(current["ideas"])
        idea = {}
        for c in idea_cols:
            value = values[c.header]
            idea[c.field[0]] = "" if value is None and _required(model.Idea, c.field) else value
            out.cells[("units", u, "ideas", i, c.field[0])] = sheet.at(row, c.header)
        out.cells[("units", u, "ideas", i)] = sheet.at(row, "Judul ide")
        current["ideas"].append(idea)
    for unit in out.items:
        unit.pop("_row")
    out.cells[("units",)] = CellLocation(sheet.source, 0, 0, sheet.table.name)
    return out


def lab_with_units(old: dict, units: list[dict]) -> dict:
    """The lab record's data with its units replaced; what did not change keeps its old value (and so its style)."""
    old_units = old.get("units") if isinstance(old.get("units"), list) else []
    old_by_name = {u.get("name"): u for u in old_units if isinstance(u, dict)}
    new_units = []
    for k, unit in enumerate(units):
        before = old_units[k] if k < len(old_units) and isinstance(old_units[k], dict) and old_units[k].get("name") == unit["name"] \
            else old_by_name.get(unit["name"])
        before = before if isinstance(before, dict) else {}
        old_ideas = before.get("ideas") if isinstance(before.get("ideas"), list) else []
        ideas = [merged(old_ideas[i] if i < len(old_ideas) else None, idea) for i, idea in enumerate(unit["ideas"])]
        fields = {"name": unit["name"], "type": unit["type"]}
        result = merged(before, fields)
        if ideas or "ideas" in before:
            result["ideas"] = ideas
        new_units.append(result)
    data = dict(old)
    if new_units or "units" in old:
        data["units"] = new_units
    return data


# --- the Pihak sheet: parties ----------------------------------------------------------------------


def read_parties(sheet: Sheet, problems: list[Problem]) -> SheetRows:
    """One party a row; `id` names its file records/parties/<id>.yaml."""
    out = SheetRows()
    seen: dict[str, int] = {}
    for row, cells in sheet.data_rows():
        party_id = cell_text(cells["id"], PARTIES.column("id"), sheet.at(row, "id"), sheet.table, problems)
        if party_id is None:
            if _blank(cells["id"]):
                problems.append(Problem(sheet.at(row, "id"), "id", "must not be empty: the id names the party's file "
                                        "(lowercase letters, digits and '-', e.g. pemkot-pontianak)"))
            continue
        try:
            model._record_id(party_id)  # the model's own id rule and message
        except ValueError as exc:
            problems.append(Problem(sheet.at(row, "id"), "id", str(exc)))
            continue
        if party_id in seen:
            problems.append(Problem(sheet.at(row, "id"), "id", f"'{party_id}' is already in row {seen[party_id]}; one row per party"))
            continue
        seen[party_id] = row
        fields: dict = {}
        for c in PARTIES.columns:
            if c.level != "party" or c.header not in sheet.columns:
                continue
            value = cell_text(cells[c.header], c, sheet.at(row, c.header), sheet.table, problems)
            _put(fields, c.field, "" if value is None and _required(model.Party, c.field) else value)
        fields["_id"] = party_id
        out.items.append(fields)
        out.rows.append(row)
    return out


def party_cells(sheet: Sheet, row: int) -> dict[tuple, CellLocation]:
    cells = {(): sheet.at(row, "id")}
    for c in PARTIES.columns:
        if c.level == "party" and c.header in sheet.columns:
            cells[c.field] = sheet.at(row, c.header)
    cells[("signatory",)] = sheet.at(row, "Nama penanda tangan")
    return cells


def hidden_note(sheet: Sheet) -> str | None:
    """Hidden rows are imported like the others: they are in the file, and leaving them out would lose them unsaid."""
    rows = sheet.table.rows
    hidden = sorted(r for r in sheet.table.hidden_rows
                    if sheet.header_row < r <= len(rows) and any(not _blank(v) for v in rows[r - 1]))
    if not hidden:
        return None
    listed = ", ".join(map(str, hidden[:10])) + (f" and {len(hidden) - 10} more" if len(hidden) > 10 else "")
    return f"{sheet.at(0)}: {len(hidden)} hidden row{'s' if len(hidden) != 1 else ''} imported too ({listed}); delete a row to leave it out"
