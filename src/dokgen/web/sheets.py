"""Spreadsheet upload and download in `dokgen serve`: a thin face over dokgen.sheets, like the CLI's.

The lab form and the parties list link here (through the `sheet_link` helper, so their
templates work without this blueprint). An upload is checked whole; problems are shown
at their rows, beside the cells the clerk typed; nothing is saved until all are fixed.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, abort, render_template, request, send_file, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import DokgenError, Problem, ProblemsError
from ..i18n import _
from .app import state

bp = Blueprint("sheets", __name__, url_prefix="/tabel", static_folder="sheets_static", static_url_path="/static")
FORM_SLACK = 1_000_000  # the multipart wrapping and the other fields around the file


@bp.before_request
def _upload_limit() -> None:
    """A sheet may be as large as the reader takes (MAX_SHEET_BYTES), above the app's limit for records."""
    from ..sheets.reading import MAX_SHEET_BYTES

    request.max_content_length = MAX_SHEET_BYTES + FORM_SLACK


@dataclass
class Row:
    """One sheet row that has problems: its cells, which of them are wrong, and the messages."""

    number: int
    cells: list[str]
    marked: set[int] = field(default_factory=set)  # 1-based columns with a problem
    messages: list[str] = field(default_factory=list)


@bp.app_context_processor
def _links() -> dict:
    def sheet_link(kind: str, record_id: str | None = None) -> str | None:
        if kind == "lab" and record_id:
            return url_for("sheets.lab", lab_id=record_id)
        return url_for("sheets.parties") if kind == "party" else None
    return {"sheet_link": sheet_link}


@bp.route("/lab/<lab_id>", methods=["GET", "POST"])
def lab(lab_id: str):
    entry = state().index.lookup("lab", lab_id)  # by id in the index: no path from request text
    if entry is None:
        abort(404)
    return _page("lab", Path(entry.source), lab_id)


@bp.route("/pihak", methods=["GET", "POST"])
def parties():
    return _page("parties", Path("records/parties"), None)


def _page(kind: str, into: Path, lab_id: str | None):
    context = {"kind": kind, "lab_id": lab_id, "into": into.as_posix() + ("/" if kind == "parties" else "")}
    if request.method == "GET":
        return render_template("sheets.html", **context)
    try:
        upload = request.files.get("berkas")
    except RequestEntityTooLarge:  # Flask's bare 413 page would leave the clerk without the form
        return render_template("sheets.html", **context, name="", general=[_too_large()]), _refused()
    if upload is None or not upload.filename:
        return render_template("sheets.html", **context, general=["Pilih berkas tabel (.xlsx, .ods, .xls atau .csv) dahulu."]), _refused()
    name = Path(upload.filename).name  # a browser may send a path; only its last part is the name
    dry = request.form.get("periksa") == "1"
    with tempfile.TemporaryDirectory(prefix="dokgen-upload-") as tmp:
        path = Path(tmp) / f"upload{Path(name).suffix.lower()}"
        upload.save(path)
        try:
            result = _import(path, into, name, dry)
        except ProblemsError as exc:
            rows, general = _at_rows(path, name, exc.problems)
            return render_template("sheets.html", **context, name=name, rows=rows, general=general, summary=exc.summary), _refused()
        except DokgenError as exc:
            return render_template("sheets.html", **context, name=name, general=[str(exc)]), _refused()
    diffs = [c.diff() for c in result.changes if c.status != "unchanged"] if dry else []
    return render_template("sheets.html", **context, name=name, done=result.summary(), notes=result.notes, diffs=diffs)


def _too_large() -> str:
    """The reader's own words for a file over MAX_SHEET_BYTES (files.check_regular, sheets.reading)."""
    from ..sheets.reading import MAX_SHEET_BYTES

    size = _("it is {size} bytes; {what} may be at most {limit}").format(
        size=f"{request.content_length or 0:,}", what=_("a spreadsheet"), limit=f"{MAX_SHEET_BYTES:,}")
    return _("not read: {reason}").format(reason=size)


def _refused() -> int:
    """422 for scripts; 200 for the page's own htmx request, which swaps in only 2xx answers (the problems are the answer)."""
    return 200 if request.headers.get("HX-Request") else 422


def _import(path: Path, into: Path, name: str, dry: bool):
    from ..sheets.importing import import_sheet

    s = state()
    result = import_sheet(s.root, path, into, write=not dry, name=name)
    if result.written:
        s.index.refresh()  # the beranda and the forms show the imported records at once
    return result


def _at_rows(path: Path, name: str, problems: list[Problem]) -> tuple[list[Row], list[str]]:
    """Problems grouped under the sheet rows they are at; the rest (a header, the record file) listed apart."""
    from ..sheets.layout import CellLocation
    from ..sheets.reading import read_tables

    try:
        tables = {t.name: t for t in read_tables(path, name)}
    except DokgenError:
        tables = {}
    rows: dict[tuple[str, int], Row] = {}
    general = []
    for p in problems:
        loc = p.location
        table = tables.get(loc.sheet) if isinstance(loc, CellLocation) and loc.line > 1 else None
        if table is None or loc.line > len(table.rows):
            general.append(str(p))
            continue
        row = rows.get((loc.sheet, loc.line))
        if row is None:
            cells = ["" if v is None else str(v) for v in table.rows[loc.line - 1]]
            row = rows[(loc.sheet, loc.line)] = Row(loc.line, cells)
        row.marked.add(loc.col)
        cell = str(loc).rpartition("!")[2] if "!" in str(loc) else str(loc).rpartition(":")[2]
        row.messages.append(f"{cell}: {p.field}: {p.message}" if p.field else f"{cell}: {p.message}")
    return sorted(rows.values(), key=lambda r: r.number), general


@bp.get("/lab/<lab_id>/unduh")
def export_lab(lab_id: str):
    from ..sheets.exporting import export_lab as run

    if state().index.lookup("lab", lab_id) is None:
        abort(404)
    return _download(lambda out: run(state().root, lab_id, out), f"ide-{lab_id}.xlsx")


@bp.get("/pihak/unduh")
def export_parties():
    from ..sheets.exporting import export_parties as run

    return _download(lambda out: run(state().root, out), "pihak.xlsx")


@bp.get("/templat/<kind>")
def template(kind: str):
    from ..sheets.layout import SPECS
    from ..sheets.writing import save_workbook, workbook_bytes

    if kind not in SPECS:
        abort(404)
    return _download(lambda out: save_workbook(out, workbook_bytes(SPECS[kind], [])), f"templat-{kind}.xlsx")


def _download(write, filename: str):
    import io

    with tempfile.TemporaryDirectory(prefix="dokgen-export-") as tmp:
        out = Path(tmp) / filename
        try:
            write(out)
        except DokgenError as exc:
            return render_template("error.html", title=_("Cannot be exported"), text=str(exc)), 422
        data = out.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
