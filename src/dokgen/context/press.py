"""The context of one press summary for humas: the story composed from the records' facts.

Parties, document type, subject, date, venue and scope areas come from the MoU; period
and stages from the lab; only the headline, quotes and credit are the press record's own.
So the press piece cannot disagree with the MoU, and no fact is typed twice.

The story is a list of paragraphs; each is a list of runs `{"text", "style"}` where style
is None, "dateline", "foreign" (an English term, set in italics) or "credit". Every
renderer (HTML, Markdown, plain text) writes the same runs in its own way and escapes the
text for its target; `paragraph["text"]` is the plain form.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .. import model
from ..i18n import _
from ..records import Workspace
from .common import clean, join_list, stage_statuses_on, unit_words

WORDS_MIN, WORDS_MAX = 150, 600
"""A piece outside this range is a warning (an error with --strict)."""

STAGE_NAMES = {"drum-up": "drum up", "diagnose": "diagnose", "design": "design", "deliver": "deliver", "display": "display"}

# Academic and religious titles dropped from names in news copy ("Dr. Adi Suryanto, M.Si."
# is written "Adi Suryanto"). Compared lowercase, without the final dot.
_FRONT_TITLES = frozenset(
    "prof dr drs dra ir drg dr(h.c.) h hj kh k.h apt ns rev pdt".split()
)
# First names that news copy does not use alone as the short name ("ujar Muhammad" is
# ambiguous): the short name then keeps the next word too ("Muhammad Yusuf").
_COMMON_FIRST = frozenset(
    "muhammad mohammad mohamad muhamad mochammad mochamad mohammed moh muh m "
    "abdul abdur abd siti sri nur nurul andi i ni gusti raden teuku tengku cut".split()
)
_ENDS_SENTENCE = re.compile(r"[.]+$")


# --- small text helpers --------------------------------------------------------------------


def count_words(text: str) -> int:
    """Count the words of a text: tokens with at least one letter or digit (not '–')."""
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


def number_text(n: int) -> str:
    """Write a number as news copy does (PUEBI): in letters when one or two words, else digits."""
    from ..indonesian import terbilang

    words = terbilang(n)
    return words if len(words.split()) <= 2 else str(n)


def _all_of(n: int) -> str:
    """"keempat" (all four) for 2..10, else the number: "kedua", "ketiga", …, "12"."""
    from ..indonesian import terbilang

    return f"ke{terbilang(n)}" if 2 <= n <= 10 else str(n)


def strip_titles(name: str) -> str:
    """Return a name without academic titles: "Dr. Adi Suryanto, M.Si." -> "Adi Suryanto"."""
    name = clean(name).split(",")[0]
    tokens = name.split()
    while len(tokens) > 1 and tokens[0].lower().rstrip(".") in _FRONT_TITLES:
        tokens.pop(0)
    return " ".join(tokens)


def short_person(name: str) -> str:
    """Return the short name used after the first mention: "Adi Suryanto" -> "Adi"."""
    tokens = name.split()
    if len(tokens) <= 1:
        return name
    first = tokens[0].lower().rstrip(".")
    if first in _COMMON_FIRST or len(first) <= 1:
        return " ".join(tokens[:2])
    return tokens[0]


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- runs and paragraphs ------------------------------------------------------------------


class Paragraph:
    """Collects the runs of one paragraph."""

    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []

    def add(self, text: str, style: str | None = None) -> Paragraph:
        if not text:
            return self
        if self.runs and self.runs[-1]["style"] == style:
            self.runs[-1]["text"] += text
        else:
            self.runs.append({"text": text, "style": style})
        return self

    def foreign_list(self, words: list[str]) -> Paragraph:
        """Add a prose list of foreign terms, each in italics, the links in roman."""
        for i, word in enumerate(words):
            if i:
                last = i == len(words) - 1
                self.add(f"{',' if len(words) > 2 else ''} dan " if last else ", ")
            self.add(word, "foreign")
        return self

    def done(self) -> dict[str, Any]:
        return {"runs": self.runs, "text": "".join(r["text"] for r in self.runs)}


class Mentions:
    """Full names at first mention, short names after: parties and people."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.seen: set[object] = set()

    def party(self, party_id: str) -> str:
        p: model.Party = self.ws.parties[party_id].model
        name, short = clean(p.name), clean(p.short_name)
        if party_id in self.seen:
            return short
        self.seen.add(party_id)
        # An acronym is introduced in brackets at first mention: Lembaga Administrasi
        # Negara (LAN). A short form made of words (Pemkot Pontianak) needs no introduction.
        if " " not in short and short != name and short not in name.split():
            return f"{name} ({short})"
        return name


def speaker_of(ws: Workspace, quote: model.Quote) -> tuple[object, str, str]:
    """Return (identity, position, name without titles) of a quote's speaker."""
    if isinstance(quote.speaker, str):
        sig = ws.parties[quote.speaker].model.signatory
        return ("party", quote.speaker), clean(sig.position), strip_titles(sig.name)
    s = quote.speaker
    name = strip_titles(s.name)
    return ("person", name, clean(s.position)), clean(s.position), name


def quote_text(text: str) -> str:
    """Prepare a quote for “…,” kata X: strip typed quote marks, end on a comma."""
    text = clean(text)
    if len(text) > 1 and text[0] in "\"“" and text[-1] in "\"”" and not re.search("[\"“”]", text[1:-1]):
        text = text[1:-1].strip()  # the writer typed the quote marks that we add
    if _ENDS_SENTENCE.search(text) and not text.endswith("..."):
        return _ENDS_SENTENCE.sub(",", text)
    if text[-1:] in ",?!…" or text.endswith("..."):
        return text
    return text + ","


# --- the story -----------------------------------------------------------------------------


def press_context(ws: Workspace, press_id: str) -> dict[str, Any]:
    """Compose the press summary of one press record from the facts it refers to."""
    from ..indonesian import date_range, long_date, press_date

    pr: model.Press = ws.press[press_id].model
    mou: model.Mou = ws.mou[pr.mou].model
    names = Mentions(ws)
    party_ids = [p.party for p in mou.parties]
    doc_type = clean(mou.document_type)
    signing = mou.signing
    venue = clean(signing.venue).rstrip(".")
    scope_titles = [clean(ws.scopes[s].title if isinstance(s, str) else s.title) for s in mou.scopes]
    paragraphs: list[dict[str, Any]] = []

    # Lead: who, what, when, where.
    lead = Paragraph().add(f"{clean(pr.dateline)} –", "dateline")
    who = join_list([names.party(p) for p in party_ids])
    lead.add(f" {who} menandatangani {doc_type} tentang {clean(mou.subject)}, {press_date(signing.date)}, di {venue}.")
    paragraphs.append(lead.done())

    # Why: the areas of cooperation, and for how long. When the subject already names
    # every area (as the example's does), the lead has said them: refer back, don't repeat.
    n = len(scope_titles)
    if all(t.lower() in clean(mou.subject).lower() for t in scope_titles):
        areas = "bidang tersebut" if n == 1 else f"{_all_of(n)} bidang tersebut"
    else:
        areas = f"bidang {scope_titles[0]}" if n == 1 else f"{number_text(n)} bidang, yaitu {join_list(scope_titles)}"
    short_parties = join_list([names.party(p) for p in party_ids])
    why = (
        f"{sentence_case(doc_type.lower())} yang berlaku {number_text(mou.term_years)} tahun itu menjadi dasar "
        f"kerja sama {short_parties} di {areas}."
    )
    paragraphs.append(Paragraph().add(why).done())

    # Quotes: position and name at first mention, then the short name; "imbuhnya" when
    # the same person goes on speaking.
    previous: object = None
    spoken: set[object] = set()
    quotes = []
    for q in pr.quotes:
        who_id, position, name = speaker_of(ws, q)
        if who_id == previous:
            attribution = f"{q.verb}nya"
        elif who_id in spoken:
            attribution = f"{q.verb} {short_person(name)}"
        else:
            attribution = f"{q.verb} {position} {name}"
        spoken.add(who_id)
        previous = who_id
        quotes.append({"text": clean(q.text), "verb": q.verb, "position": position, "name": name, "attribution": attribution})
        paragraphs.append(Paragraph().add(f"“{quote_text(q.text)}” {attribution}.").done())

    lab_facts = None
    if pr.lab is not None:
        lab_paras, lab_facts = _lab_paragraph(ws, pr, mou, names)
        paragraphs += lab_paras

    # The credit closes the last paragraph: "… menyusul. (tyas/dan/humas)"
    credit = f"({pr.credit})"
    paragraphs[-1]["runs"].append({"text": f" {credit}", "style": "credit"})
    paragraphs[-1]["text"] += f" {credit}"

    word_count = sum(count_words(p["text"]) for p in paragraphs)
    parties = [
        {"id": pid, "name": clean(ws.parties[pid].model.name), "short_name": clean(ws.parties[pid].model.short_name)}
        for pid in party_ids
    ]
    # The publisher is the city's humas: the first regional government among the parties.
    publisher_id = next((p for p in party_ids if ws.parties[p].model.type == "pemerintah-daerah"), party_ids[0])
    return {
        "id": press_id,
        "lang": "id",
        "headline": clean(pr.headline),  # as the writer typed it: casing is an editorial choice
        "dateline": clean(pr.dateline),
        "date": pr.date,
        "date_iso": pr.date.isoformat(),
        "date_long": long_date(pr.date),
        "event_date": press_date(signing.date),
        "publisher": {"name": clean(ws.parties[publisher_id].model.name), "short_name": clean(ws.parties[publisher_id].model.short_name)},
        "description": _description(paragraphs[0]["text"].split("–", 1)[-1].strip()),
        "paragraphs": paragraphs,
        "credit": credit,
        "word_count": word_count,
        "words_min": WORDS_MIN,
        "words_max": WORDS_MAX,
        # The facts the story states, for checks and for templates that want them apart.
        "facts": {
            "document_type": doc_type,
            "subject": clean(mou.subject),
            "signing_date": signing.date,
            "venue": venue,
            "parties": parties,
            "scopes": scope_titles,
            "term_years": mou.term_years,
            "quotes": quotes,
            "lab": lab_facts,
            "period": date_range(lab_facts["start"], lab_facts["end"]) if lab_facts else None,
        },
    }


def _lab_paragraph(ws: Workspace, pr: model.Press, mou: model.Mou, names: Mentions) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The lab paragraphs as of the piece's own date: the lab coming, under way or held
    (in stages over its period, not N days on end), its units, and each 5D stage with its
    status on that date, whatever the lab record says about later."""
    from ..indonesian import date_range, date_span_since

    lab: model.Lab = ws.labs[pr.lab].model
    start, end = lab.period.start, lab.period.end
    day = pr.date
    phase = "before" if day < start else "after" if day > end else "during"
    by = names.party(lab.organizer)
    if lab.host != lab.organizer:
        by += f" bersama {names.party(lab.host)}"
    title = clean(lab.title)
    venue = clean(lab.venue)
    span = date_span_since(start, end)
    held_in_stages = "secara bertahap " if start != end else ""
    verb = {
        "before": f"akan diselenggarakan {by} di {venue} {held_in_stages}{span}",
        "during": f"diselenggarakan {by} di {venue} dan berlangsung {'bertahap ' if start != end else ''}{span}",
        "after": f"telah diselenggarakan {by} di {venue} {held_in_stages}{span}",
    }[phase]
    part_of = (lab.mou is None or lab.mou == pr.mou) and start <= mou.signing.date <= end
    opening = f"Penandatanganan itu menjadi bagian dari rangkaian {title}, yang {verb}." if part_of else f"{title} {verb}."

    status = stage_statuses_on(lab, day)
    # A stage still under way after its last day (so the record says) is told without its
    # past dates: "sedang berlangsung pada 1 Juli – 31 Oktober" would read wrong in November.
    dates = {s.stage: date_range(s.dates.start, s.dates.end) for s in lab.stages
             if s.dates is not None and not (status[s.stage] == "in-progress" and day > s.dates.end)}
    held = [s for s in model.STAGES if status[s] == "done"]
    ongoing = [s for s in model.STAGES if status[s] == "in-progress"]
    follow = [s for s in model.STAGES if status[s] == "planned"]

    paragraphs = [Paragraph().add(opening + _units_sentence(lab, phase)).done()]
    para = Paragraph()
    para.add(f"Laboratorium inovasi mengenal {number_text(len(model.STAGES))} tahap yang disebut 5D, yaitu ")
    para.foreign_list([STAGE_NAMES[s] for s in model.STAGES]).add(".")
    _stage_sentence(para, held, dates, "telah dilaksanakan", None)
    _stage_sentence(para, ongoing, dates, "sedang berlangsung", "sedang berlangsung")
    # Undated stages "follow" what came before; with nothing before them they are just coming.
    first_news = not (held or ongoing or any(s in dates for s in follow))
    _stage_sentence(para, follow, dates, "akan dilaksanakan", "akan dilaksanakan bertahap" if first_news else "akan menyusul")
    paragraphs.append(para.done())
    facts = {
        "title": title,
        "start": start,
        "end": end,
        "days": (end - start).days + 1,
        "phase": phase,
        "venue": venue,
        "units": len(lab.units),
        "held": [STAGE_NAMES[s] for s in held],
        "ongoing": [STAGE_NAMES[s] for s in ongoing],
        "follow": [STAGE_NAMES[s] for s in follow],
    }
    return paragraphs, facts


def _stage_sentence(para: Paragraph, stages: list[str], dates: dict[str, str], dated_verb: str, undated_verb: str | None) -> None:
    """Add one sentence about stages of one status: the dated ones each with its days
    ("Tahap drum up telah dilaksanakan pada 11 November 2015 dan tahap diagnose pada
    12–13 November 2015"), then, after "sedangkan", those without dates."""
    dated = [s for s in stages if s in dates]
    undated = [s for s in stages if s not in dates]
    if undated and undated_verb is None:  # a held stage always has dates (records.py)
        dated, undated = stages, []
    if not stages:
        return
    para.add(" ")
    for i, s in enumerate(dated):
        if i:
            para.add(" dan " if i == len(dated) - 1 and len(dated) == 2 else ", dan " if i == len(dated) - 1 else ", ")
        para.add("Tahap " if i == 0 else "tahap ").add(STAGE_NAMES[s], "foreign")
        if i == 0:
            para.add(f" {dated_verb}")
        if s in dates:
            para.add(f" pada {dates[s]}")
    if undated and dated and undated_verb == dated_verb:
        para.add(", demikian pula tahap ").foreign_list([STAGE_NAMES[s] for s in undated])
    elif undated:
        para.add(", sedangkan tahap " if dated else "Tahap ").foreign_list([STAGE_NAMES[s] for s in undated]).add(f" {undated_verb}")
    para.add(".")


def _units_sentence(lab: model.Lab, phase: str) -> str:
    """' Sebanyak tujuh unit kerja ikut serta, yaitu tiga SKPD, …' or '' (the era's words)."""
    if not lab.units:
        return ""
    words = unit_words(lab.period.start)
    counts: dict[str, int] = {}
    for unit in lab.units:
        counts[unit.type] = counts.get(unit.type, 0) + 1
    parts = [f"{number_text(n)} {words[t]['prose']}" for t, n in counts.items()]
    join = "akan ikut serta" if phase == "before" else "ikut serta"
    if len(parts) == 1:
        return f" Sebanyak {parts[0]} {join}."
    return f" Sebanyak {number_text(len(lab.units))} unit kerja {join}, yaitu {join_list(parts)}."


def _description(lead: str, limit: int = 160) -> str:
    """Shorten the lead (without dateline) for meta description and link previews."""
    if len(lead) <= limit:
        return lead
    cut = lead[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def date_problem(ws: Workspace, press_id: str) -> str | None:
    """Say what is wrong when a piece is dated before the signing it reports."""
    pr: model.Press = ws.press[press_id].model
    signed: dt.date = ws.mou[pr.mou].model.signing.date
    if pr.date < signed:
        return _("the piece is dated {date}, before the signing it reports ({signed} in {source})").format(
            date=pr.date.isoformat(), signed=signed.isoformat(), source=f"records/mou/{pr.mou}.yaml")
    return None
