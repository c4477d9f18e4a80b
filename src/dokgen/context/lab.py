"""The context of one end-of-lab report (Laporan Laboratorium Inovasi).

Everything the report states is computed here from the lab record and the records it
names, so the template only lays it out: ideas per unit, totals per unit type and
overall, the stages held (in 5D order) and those still ahead, the period written the
Indonesian way, the MoU the lab carries out, and the geometry of the chart of ideas per
unit type. No count is ever typed by a user.

The context is plain data (dicts, lists, strings, numbers, dates). Record text reaches
the template as data and is escaped there; nothing here is markup.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from .. import __version__, model
from ..records import Workspace
from .common import clean, held_span, join_list, party_context, person, stage_statuses, unit_words

# The 5D stages of LAN's Laboratorium Inovasi: name as written in reports (an English
# term, set in italics by the template), its Indonesian gloss, what it is for (after
# "Tahap ini bertujuan") and the work done in it as a whole clause with its own subject
# (after "Pada tahap ini"); {organizer} is the organiser's short name, never a fixed LAN.
STAGE_INFO: dict[str, dict[str, str]] = {
    "drum-up": {
        "name": "Drum Up",
        "gloss": "membangun kemauan berinovasi",
        "aim": "menumbuhkan kemauan dan komitmen pimpinan serta pegawai untuk berinovasi, "
        "termasuk mengubah penentang perubahan menjadi pendukungnya",
        "work": "{organizer} bersama pimpinan daerah menggugah kemauan dan komitmen pimpinan "
        "serta pegawai setiap unit untuk berinovasi",
    },
    "diagnose": {
        "name": "Diagnose",
        "gloss": "menggali ide inovasi",
        "aim": "memetakan kesiapan setiap unit untuk berinovasi, mendiagnosis dan "
        "memprioritaskan masalah pelayanan, lalu menggali ide inovasi dari bawah",
        "work": "setiap unit memetakan kesiapannya berinovasi, memilah masalah pelayanan "
        "yang paling mendesak, lalu merumuskan ide inovasinya",
    },
    "design": {
        "name": "Design",
        "gloss": "merancang inovasi",
        "aim": "mematangkan setiap ide inovasi menjadi rancangan dan rencana aksi yang siap "
        "diluncurkan",
        "work": "setiap unit menyusun rancangan dan rencana aksi bagi ide inovasinya; "
        "{organizer} menelaah dan menyempurnakan rancangan tersebut serta menyiapkan peluncurannya",
    },
    "deliver": {
        "name": "Deliver",
        "gloss": "meluncurkan dan menjalankan inovasi",
        "aim": "meluncurkan inovasi, lalu memantau dan mengevaluasi pelaksanaannya hingga "
        "tampak hasil dan buktinya",
        "work": "setiap unit meluncurkan inovasinya, sedangkan {organizer} memantau dan "
        "mengevaluasi pelaksanaannya melalui pendampingan dan klinik inovasi",
    },
    "display": {
        "name": "Display",
        "gloss": "memamerkan dan menyebarluaskan inovasi",
        "aim": "memamerkan dan mempromosikan inovasi, misalnya dalam ekspo atau festival, "
        "agar dimanfaatkan warga dan direplikasi unit atau daerah lain",
        "work": "inovasi yang telah berjalan dipamerkan dan dipromosikan, misalnya dalam ekspo "
        "atau festival, agar dimanfaatkan warga dan ditiru unit atau daerah lain",
    },
}

STATUS_TEXT = {"done": "selesai", "in-progress": "sedang berjalan", "planned": "direncanakan"}

# Idea statuses as a table cell, and as running text with a count before it.
IDEA_STATUS_TEXT = {"ide": "ide", "rencana-aksi": "rencana aksi", "diluncurkan": "diluncurkan", "dipamerkan": "dipamerkan"}
IDEA_STATUS_PROSE = {"ide": "masih berupa ide", "rencana-aksi": "telah memiliki rencana aksi",
                     "diluncurkan": "telah diluncurkan", "dipamerkan": "telah dipamerkan"}

# A blank where a party's nomor naskah is not known yet (as in the MoU draft).
NUMBER_BLANK = "……"

# Chart geometry in millimetres (the SVG's user unit is 1 mm on paper).
CHART_WIDTH = 160.0
CHART_LABEL_W = 46.0  # room for "Perangkat Daerah (OPD)" at 3.4 mm
CHART_BAR_X = 48.0
CHART_BAR_MAX = 96.0  # leaves room after the longest bar for its value label
CHART_ROW_H = 10.0
CHART_BAR_H = 6.0
CHART_TOP = 4.0
CHART_AXIS_H = 12.0  # tick labels and the axis title under the bars

# Reports carry the time zone of the place they are signed in; WIB covers Pontianak
# and is the safe default for a date-only value.
REPORT_TZ = "+07:00"


def day_span(start: dt.date, end: dt.date) -> str:
    """Write a span of days with weekdays: "Rabu, 11 November 2015",
    "Kamis–Jumat, 12–13 November 2015"; long spans without weekdays."""
    from babel.dates import format_date

    from ..indonesian import LOCALE, date_range, long_date

    if start == end:
        return long_date(start)
    if (end - start).days > 6:  # "Senin–Senin" would mislead
        return date_range(start, end)
    first = format_date(start, "EEEE", locale=LOCALE)
    last = format_date(end, "EEEE", locale=LOCALE)
    return f"{first}–{last}, {date_range(start, end)}"


def percent_text(part: int, whole: int) -> str:
    """Write a share with a decimal comma: 45,5%."""
    if not whole:
        return "0%"
    value = round(part * 100 / whole, 1)
    text = f"{value:.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + "%"


def _nice_step(maximum: int, most_ticks: int = 6) -> int:
    """Return a tick step of 1, 2 or 5 times a power of ten giving at most most_ticks ticks."""
    if maximum <= 0:
        return 1
    raw = maximum / most_ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        step = max(1, int(factor * power))
        if maximum / step <= most_ticks:
            return step
    return int(10 * power)


def chart_geometry(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Lay out a horizontal bar chart of rows [{label, value}] in millimetres.

    Bars are dark and carry their value as text, so the chart reads the same in
    grey-scale print and means nothing by colour alone. None when there is nothing to draw.
    """
    if not rows or not any(r["value"] for r in rows):
        return None
    step = _nice_step(max(r["value"] for r in rows))
    top = step * math.ceil(max(r["value"] for r in rows) / step)
    scale = CHART_BAR_MAX / top
    bars = []
    for i, r in enumerate(rows):
        y = CHART_TOP + i * CHART_ROW_H
        width = round(r["value"] * scale, 2)
        bars.append({
            "label": r["label"],
            "value": r["value"],
            "y": round(y + (CHART_ROW_H - CHART_BAR_H) / 2, 2),
            "height": CHART_BAR_H,
            "width": width,
            "text_y": round(y + CHART_ROW_H / 2 + 1.2, 2),  # baseline of 3.4 mm text, centred
            "value_x": round(CHART_BAR_X + width + 1.5, 2),
        })
    plot_bottom = CHART_TOP + len(rows) * CHART_ROW_H
    ticks = [
        {"value": v, "x": round(CHART_BAR_X + v * scale, 2)}
        for v in range(0, top + 1, step)
    ]
    return {
        "width": CHART_WIDTH,
        "height": round(plot_bottom + CHART_AXIS_H, 2),
        "label_x": CHART_LABEL_W,
        "bar_x": CHART_BAR_X,
        "plot_top": CHART_TOP,
        "plot_bottom": round(plot_bottom, 2),
        "tick_label_y": round(plot_bottom + 4.5, 2),
        "axis_title_y": round(plot_bottom + 10, 2),
        "axis_mid_x": round(CHART_BAR_X + CHART_BAR_MAX / 2, 2),
        "bars": bars,
        "ticks": ticks,
    }


def lab_context(ws: Workspace, lab_id: str) -> dict[str, Any]:
    """Build the context of the end-of-lab report of one lab record."""
    from ..indonesian import count_in_words, date_range, long_date, plain_date
    from ..qr import verification_context

    lab: model.Lab = ws.labs[lab_id].model
    host = party_context(ws, lab.host)
    organizer = party_context(ws, lab.organizer)

    # Stages: held (done) in 5D order, and the road ahead (in progress or planned).
    listed = {s.stage: s for s in lab.stages}
    statuses = stage_statuses(lab)
    held, ahead = [], []
    for key in model.STAGES:
        info = STAGE_INFO[key]
        s = listed.get(key)
        entry = {
            "key": key,
            "name": info["name"],
            "gloss": info["gloss"],
            "aim": info["aim"],
            "work": info["work"].format(organizer=clean(organizer["short_name"])),
            "status": statuses[key],
            "status_text": STATUS_TEXT[statuses[key]],
            "dates": {"start": s.dates.start, "end": s.dates.end} if s and s.dates else None,
            "dates_text": day_span(s.dates.start, s.dates.end) if s and s.dates else None,
            "summary": clean(s.summary) if s and s.summary else None,
            "listed": s is not None,
        }
        (held if statuses[key] == "done" else ahead).append(entry)
    for i, entry in enumerate(held, start=1):
        entry["number"] = i
    for i, entry in enumerate(ahead, start=1):
        entry["number"] = i

    # Units and ideas, numbered straight through the report's table, in the words of the
    # lab's era (SKPD or perangkat daerah).
    words = unit_words(lab.period.start)
    units, idea_no = [], 0
    for u_no, u in enumerate(lab.units, start=1):
        ideas = []
        for idea in u.ideas:
            idea_no += 1
            ideas.append({
                "number": idea_no,
                "title": clean(idea.title),
                "problem": clean(idea.problem),
                "description": clean(idea.description),
                "status": idea.status,
                "status_text": IDEA_STATUS_TEXT[idea.status] if idea.status else None,
            })
        units.append({
            "number": u_no,
            "name": clean(u.name),
            "type": u.type,
            "type_label": words[u.type]["label"],
            "type_short": words[u.type]["short"],
            "ideas": ideas,
            "idea_count": len(ideas),
        })
    total_ideas = idea_no
    total_units = len(units)
    unit_types = []
    for key, word in words.items():
        of_type = [u for u in units if u["type"] == key]
        if not of_type:
            continue
        n_ideas = sum(u["idea_count"] for u in of_type)
        unit_types.append({
            "type": key,
            "label": word["label"],
            "short": word["short"],
            "prose": word["prose"],
            "units": len(of_type),
            "ideas": n_ideas,
            "share_text": percent_text(n_ideas, total_ideas),
        })
    units_without_ideas = [u["name"] for u in units if not u["idea_count"]]
    # "3 (tiga) masih berupa ide dan 1 (satu) telah diluncurkan", when ideas carry a status.
    by_status = [sum(1 for u in units for i in u["ideas"] if i["status"] == key) for key in model.IDEA_STATUSES]
    idea_status_text = join_list([f"{count_in_words(n)} {IDEA_STATUS_PROSE[key]}"
                                  for key, n in zip(model.IDEA_STATUSES, by_status) if n])
    # "5 (lima) dari perangkat daerah, 3 (tiga) dari kecamatan, dan 1 (satu) dari puskesmas"
    ideas_by_type_text = join_list([f"{count_in_words(t['ideas'])} dari {t['prose']}" for t in unit_types if t["ideas"]])
    units_by_type_text = join_list([f"{count_in_words(t['units'])} {t['prose']}" for t in unit_types])

    mou = None
    if lab.mou:
        from .mou import mou_context

        m = mou_context(ws, lab.mou)
        # Every party's number in party order; a visible blank where it is not known yet.
        numbers = [{"party": clean(p["short_name"]), "number": clean(p["number"]) if p["number"] else NUMBER_BLANK}
                   for p in m["parties"]]
        mou = {
            "id": lab.mou,
            "type": m["doc"]["type"],
            "subject": clean(m["doc"]["subject"]),
            "date": m["signing"]["date"],
            "date_text": long_date(m["signing"]["date"]),
            "city": m["signing"]["city"],
            "party_names": join_list([p["name"] for p in m["parties"]]),
            "numbers": numbers,
            "numbers_text": join_list([f"nomor {n['party']}: {n['number']}" for n in numbers]),
            "is_draft": m["doc"]["is_draft"],
        }

    facilitators = [
        {
            "name": clean(f.name),
            "institution": ws.parties[f.institution].model.short_name,
            "institution_name": ws.parties[f.institution].model.name,
        }
        for f in lab.facilitators
    ]

    logos = [
        {"party": p["id"], "name": p["name"], "path": p["logo_path"]}
        for p in (host, organizer)
        if p["logo_path"] is not None
    ]
    # The same party may host and organise; show its logo once.
    logos = [lg for i, lg in enumerate(logos) if lg["party"] not in {x["party"] for x in logos[:i]}]

    period = lab.period
    # The stages held span their own days, not the whole period of the lab.
    span = held_span(lab, statuses)
    held_names = [s["name"] for s in held]
    ahead_names = [s["name"] for s in ahead]
    created = f"{lab.report.date.isoformat()}T00:00:00{REPORT_TZ}"

    return {
        "id": lab_id,
        "lang": "id",
        "title": clean(lab.title),
        "title_caps": clean(lab.title).upper(),
        "locus": clean(lab.locus),
        "venue": clean(lab.venue),
        "period": {
            "start": period.start,
            "end": period.end,
            "text": date_range(period.start, period.end),
            "days_text": day_span(period.start, period.end),
            "days": (period.end - period.start).days + 1,
            "year": period.end.year,
        },
        "host": host,
        "organizer": organizer,
        "same_party": lab.host == lab.organizer,
        "logos": logos,
        "mou": mou,
        "facilitators": facilitators,
        "stages_held": held,
        "stages_ahead": ahead,
        "stages_5d": sorted(held + ahead, key=lambda e: model.STAGES.index(e["key"])),
        "held_names": held_names,
        "held_span_text": date_range(*span) if span else None,
        "ahead_names": ahead_names,
        "all_stages_held": not ahead,
        "units": units,
        "unit_types": unit_types,
        "units_without_ideas": units_without_ideas,
        "ideas_by_type_text": ideas_by_type_text,
        "idea_status_text": idea_status_text,
        "ideas_without_status": total_ideas - sum(by_status),
        "units_by_type_text": units_by_type_text,
        "totals": {"units": total_units, "ideas": total_ideas, "unit_types": len(unit_types)},
        "chart": chart_geometry([{"label": t["label"], "value": t["ideas"]} for t in unit_types]),
        "outcomes": [clean(o) for o in lab.outcomes],
        "recommendations": [clean(r) for r in lab.recommendations],
        "report": {
            "date": lab.report.date,
            "date_text": plain_date(lab.report.date),
            "city": clean(lab.report.city),
            "signatory": person(lab.report.signatory),
        },
        "verification": verification_context(lab.verification, lab.status, ws.register.verification_url, picture="svg"),
        "meta": {
            "title": f"Laporan {clean(lab.title)}",
            "author": organizer["name"],
            "description": f"Laporan akhir {clean(lab.title)}, {date_range(period.start, period.end)}",
            "created": created,
            "generator": f"dokgen {__version__}",
        },
    }
