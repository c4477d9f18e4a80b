"""The MoU portfolio (rekap kerja sama): end dates, states and reminders, as pure functions.

An MoU is "berlaku N tahun terhitung sejak tanggal ditandatangani": it runs from the
signing date up to and including the day before the N-th anniversary of that date. The
rows are computed for one day (today, or any date asked for), so the same records give the
same rekap on the same date, and the tests can choose their dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .records import Workspace

# States as the bagian kerja sama says them.
UNSIGNED, VALID, ENDING, ENDED = "belum ditandatangani", "berlaku", "segera berakhir", "berakhir"
ENDING_DAYS = 180  # the first reminder: half a year is what an extension (perpanjangan) takes to agree
REMINDER_DAYS = (180, 90, 30)


def anniversary(signed: dt.date, years: int) -> dt.date:
    """The date `years` years after signed; 29 February falls on 1 March in a common year.

    A term counted in years ends where the same calendar day comes round again. A year
    without 29 February has no such day, and the period then runs to the end of February
    (as civil codes count periods, e.g. BGB 188(3)): its anniversary is 1 March.
    """
    try:
        return signed.replace(year=signed.year + years)
    except ValueError:  # 29 February into a common year
        return dt.date(signed.year + years, 3, 1)


def end_date(signed: dt.date, years: int) -> dt.date:
    """The last day an MoU signed on `signed` for `years` years is in force (inclusive).

    11 Nov 2015 for 5 years ends 10 Nov 2020; 1 Mar 2015 for 5 years ends 29 Feb 2020;
    29 Feb 2016 ends on 28 February whatever the term.
    """
    return anniversary(signed, years) - dt.timedelta(days=1)


def state_on(signed: dt.date | None, end: dt.date | None, on: dt.date) -> str:
    """The state of an agreement on a day: unsigned (draft or signing still ahead), valid, ending, ended."""
    if signed is None or end is None or on < signed:
        return UNSIGNED
    if on > end:
        return ENDED
    return ENDING if (end - on).days < ENDING_DAYS else VALID


@dataclass
class Row:
    """One MoU of the rekap."""

    id: str
    kind: str
    subject: str
    parties: list[str]
    status: str  # the record's own draft/final
    signed: dt.date
    term_years: int
    end: dt.date | None
    state: str
    days_left: int | None  # None unless signed and not ended
    labs: list[str] = field(default_factory=list)
    press: list[str] = field(default_factory=list)
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "jenis": self.kind, "perihal": self.subject, "para_pihak": self.parties,
            "status": self.status, "tanggal_tanda_tangan": self.signed.isoformat(), "jangka_waktu_tahun": self.term_years,
            "berakhir": self.end.isoformat() if self.end else None, "keadaan": self.state,
            "sisa_hari": self.days_left, "lab": self.labs, "berita": self.press,
        }


COLUMNS = ("id", "jenis", "para_pihak", "tanggal_tanda_tangan", "jangka_waktu_tahun", "berakhir", "keadaan", "sisa_hari", "lab", "berita", "perihal")


def rows(ws: Workspace, on: dt.date) -> list[Row]:
    """Every MoU of the workspace as of `on`, soonest end first, unsigned ones last."""
    found = []
    labs, press = _by_mou(ws.labs), _by_mou(ws.press)  # once, not a scan per MoU
    for mou_id, rec in ws.mou.items():
        m = rec.model
        signed = m.signing.date
        end = end_date(signed, m.term_years)
        state = state_on(signed if m.status == "final" else None, end, on)
        left = (end - on).days if state in (VALID, ENDING) else None
        found.append(Row(
            id=mou_id, kind=m.document_type, subject=m.subject,
            parties=[ws.parties[p.party].model.short_name for p in m.parties],
            status=m.status, signed=signed, term_years=m.term_years, end=end, state=state, days_left=left,
            labs=sorted(labs.get(mou_id, [])),
            press=sorted(press.get(mou_id, [])),
            source=rec.source,
        ))
    return sorted(found, key=lambda r: (r.state == UNSIGNED, r.end or dt.date.max, r.id))


def _by_mou(records: dict) -> dict[str, list[str]]:
    """Ids of the labs (or press pieces) made under each MoU."""
    found: dict[str, list[str]] = {}
    for record_id, rec in records.items():
        found.setdefault(rec.model.mou, []).append(record_id)
    return found


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return "" if value is None else str(value)


def table(found: list[Row]) -> str:
    """The rekap as a plain text table for a terminal (the subject is left to --csv/--json)."""
    heads = ("id", "jenis", "para pihak", "ditandatangani", "tahun", "berakhir", "keadaan", "sisa hari", "lab", "berita")
    keys = COLUMNS[:-1]
    body = [[_cell(r.as_dict()[k]) for k in keys] for r in found]
    widths = [max([len(h), *(len(line[i]) for line in body)]) for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in body]
    return "\n".join(lines)


def as_csv(found: list[Row]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(COLUMNS)
    for r in found:
        d = r.as_dict()
        out.writerow([_cell(d[k]) for k in COLUMNS])
    return buffer.getvalue()


def as_json(found: list[Row], on: dt.date) -> str:
    import json

    return json.dumps({"per_tanggal": on.isoformat(), "kerja_sama": [r.as_dict() for r in found]}, ensure_ascii=False, indent=2) + "\n"


def as_xlsx(found: list[Row], on: dt.date) -> bytes:
    """A workbook of one sheet, dates as real dates so Excel sorts and filters them."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = "Rekap kerja sama"
    sheet.append(list(COLUMNS))
    for r in found:
        d = r.as_dict()
        d["tanggal_tanda_tangan"], d["berakhir"] = r.signed, r.end
        sheet.append([d[k] if not isinstance(d[k], list) else _cell(d[k]) for k in COLUMNS])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    wb.properties.created = wb.properties.modified = dt.datetime(on.year, on.month, on.day)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- iCalendar reminders ---------------------------------------------------------------------


def _ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and line breaks."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        enc = ch.encode("utf-8")
        if len(current) + len(enc) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += enc
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def reminders(found: list[Row], on: dt.date) -> str:
    """An iCalendar file with an all-day event 180, 90 and 30 days before each end date.

    Only agreements still in force get reminders; UIDs are stable (id, days), so importing
    a newer file updates the events instead of doubling them.
    """
    from .indonesian import plain_date

    stamp = f"{on:%Y%m%d}T000000Z"  # the rekap's date, not the clock: the same rekap, the same file
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dokgen//rekap kerja sama//ID", "CALSCALE:GREGORIAN"]
    for r in found:
        if r.state not in (VALID, ENDING) or r.end is None:
            continue
        for days in REMINDER_DAYS:
            day = r.end - dt.timedelta(days=days)
            parties = " dan ".join(r.parties)
            lines += [
                "BEGIN:VEVENT",
                f"UID:{r.id}-{days}@dokgen",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
                "SUMMARY:" + _ics_text(f"{r.kind} {parties} berakhir dalam {days} hari"),
                "DESCRIPTION:" + _ics_text(f"{r.kind} {parties} tentang {r.subject} berlaku sampai {plain_date(r.end)}. Rekaman: {r.source}"),
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
