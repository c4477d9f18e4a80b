"""The rekap kerja sama: end dates, states on chosen days, and reminders a calendar reads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from dokgen.portfolio import ENDED, ENDING, UNSIGNED, VALID, end_date, state_on

D = dt.date


@pytest.mark.parametrize(("signed", "years", "last_day"), [
    (D(2015, 11, 11), 5, D(2020, 11, 10)),   # the worked example
    (D(2015, 1, 1), 1, D(2015, 12, 31)),     # a year ends on New Year's Eve
    (D(2015, 3, 1), 5, D(2020, 2, 29)),      # the day before 1 March of a leap year is 29 February
    (D(2016, 3, 1), 1, D(2017, 2, 28)),      # ... and 28 February of a common year
    (D(2016, 2, 29), 1, D(2017, 2, 28)),     # 29 February signed: runs to the end of February
    (D(2016, 2, 29), 4, D(2020, 2, 28)),     # the same in a leap year: 29 Feb 2020 is the anniversary
    (D(2016, 2, 28), 4, D(2020, 2, 27)),
    (D(2019, 1, 31), 2, D(2021, 1, 30)),     # month ends
    (D(2019, 12, 31), 3, D(2022, 12, 30)),
    (D(2020, 8, 31), 10, D(2030, 8, 30)),
])
def test_end_date_is_the_day_before_the_anniversary(signed, years, last_day):
    assert end_date(signed, years) == last_day


def test_states_on_chosen_days():
    signed, end = D(2015, 11, 11), D(2020, 11, 10)
    assert state_on(signed, end, D(2015, 11, 10)) == UNSIGNED  # the day before signing
    assert state_on(None, end, D(2017, 1, 1)) == UNSIGNED      # a draft
    assert state_on(signed, end, D(2015, 11, 11)) == VALID     # from the signing day itself
    assert state_on(signed, end, D(2020, 5, 14)) == VALID      # 180 days left
    assert state_on(signed, end, D(2020, 5, 15)) == ENDING     # 179 days left
    assert state_on(signed, end, D(2020, 11, 10)) == ENDING    # the last day still counts
    assert state_on(signed, end, D(2020, 11, 11)) == ENDED


def _final(ws: Path) -> None:
    path = ws / "records/mou/pontianak-lan-2015.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: final"), encoding="utf-8")


def test_status_table_csv_json(workspace, run):
    _final(workspace)
    code, out, _ = run("-C", str(workspace), "status", "--on", "2020-06-01")
    assert code == 0
    line = next(li for li in out.splitlines() if li.startswith("pontianak-lan-2015"))
    assert "2020-11-10" in line and "segera berakhir" in line and " 162 " in line
    assert "labinov-pontianak-2015" in line and "pemkot-gandeng-lan-2015" in line
    code, out, _ = run("-C", str(workspace), "status", "--on", "2018-01-01", "--csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert (row["keadaan"], row["berakhir"], row["para_pihak"]) == ("berlaku", "2020-11-10", "Pemkot Pontianak, LAN")
    code, out, _ = run("-C", str(workspace), "status", "--on", "2021-01-01", "--json")
    data = json.loads(out)
    assert data["kerja_sama"][0]["keadaan"] == "berakhir" and data["kerja_sama"][0]["sisa_hari"] is None


def test_draft_is_not_yet_signed(workspace, run):
    code, out, _ = run("-C", str(workspace), "status", "--on", "2018-01-01", "--json")
    assert json.loads(out)["kerja_sama"][0]["keadaan"] == "belum ditandatangani"


def test_xlsx_holds_real_dates(workspace, run, tmp_path):
    from openpyxl import load_workbook

    _final(workspace)
    target = tmp_path / "rekap.xlsx"
    code, _, _ = run("-C", str(workspace), "status", "--on", "2018-01-01", "--xlsx", str(target))
    assert code == 0
    sheet = load_workbook(target).active
    heads = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(heads, sheet[2])}
    assert row["berakhir"].date() == D(2020, 11, 10) and row["keadaan"] == "berlaku"


def test_reminders_parse_as_icalendar(workspace, run, tmp_path):
    import icalendar

    _final(workspace)
    target = tmp_path / "pengingat.ics"
    code, _, _ = run("-C", str(workspace), "status", "--on", "2018-01-01", "--ics", str(target))
    assert code == 0
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [e.decoded("DTSTART") for e in events] == [D(2020, 5, 14), D(2020, 8, 12), D(2020, 10, 11)]
    assert "berakhir dalam 180 hari" in str(events[0]["SUMMARY"])
    assert "10 November 2020" in str(events[0]["DESCRIPTION"])  # folded lines and escaped commas read back whole
    assert "Pengkajian Kebijakan, Pendidikan" in str(events[0]["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == 3
    # an ended agreement has nothing left to remind of
    code, _, _ = run("-C", str(workspace), "status", "--on", "2021-01-01", "--ics", str(target))
    assert not icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
