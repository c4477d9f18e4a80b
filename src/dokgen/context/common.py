"""Context pieces shared by every document kind: people, parties, the meterai of the era.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .. import model
from ..records import Record, Workspace

# Stamp duty on agreements: Rp6.000 under UU 13/1985 (PP 24/2000), Rp10.000 from
# 1 January 2021 under UU 10/2020.
METERAI_2021 = dt.date(2021, 1, 1)
PAPER_MM = {"a4": (210, 297), "f4": (215, 330)}


def meterai_for(date: dt.date) -> str:
    """Return the stamp duty that applies to an agreement signed on date."""
    return "Rp10.000" if date >= METERAI_2021 else "Rp6.000"


# Written before the position (Permendagri 1/2023 names the three kinds of acting official);
# in full, as the decrees appointing them do: "Penjabat Bupati Kubu Raya".
ACTING_WORDS = {"pj": "Penjabat", "plt": "Pelaksana Tugas", "plh": "Pelaksana Harian"}
# Party types whose signer holds an office inside the body the party names (a Direktur Utama
# of a PT, a Rektor of a university, a Ketua of a yayasan): a bare position gets the name.
# Government positions name their region or agency in a form of their own (Wali Kota
# Pontianak for Pemerintah Kota Pontianak), so they are printed as typed.
NAMED_IN_POSITION = frozenset({"badan-usaha", "perguruan-tinggi", "lainnya"})
# Party types whose signer's authority does not follow from the office alone, so the komparisi
# must state its basis: a PT is bound by its Direksi as its anggaran dasar says (UU 40/2007
# Pasal 98), a university or yayasan by whoever its own decree or akta appoints. A definitive
# kepala daerah or head of a kementerian/lembaga represents the institution by law (UU 23/2014
# Pasal 65; the agency's Perpres); their decree is printed when given, never demanded.
# Acting officials of any type sign only by their decree (see authority_clause).
AUTHORITY_REQUIRED = frozenset({"badan-usaha", "perguruan-tinggi", "lainnya"})
AUTHORITY_BLANK = "……………………"
_LEAD_IN = re.compile(r"^(yang\s+diangkat\s+)?berdasarkan\s+", re.IGNORECASE)
_LEGAL_FORM = re.compile(r"^(pt|cv|perum|perseroan terbatas)\s+|\s+(tbk|\(persero\))$")


def person(p: model.Signatory, party: model.Party | None = None) -> dict[str, Any]:
    """Return a signatory as templates print it: titles bound to the name, the NIP unbroken,
    the position with its acting status and (for a party) its institution."""
    from ..indonesian import format_nip, full_name

    position = signer_position(p, party)
    return {
        "name": p.name,
        "title_prefix": p.title_prefix,
        "title_suffix": p.title_suffix,
        "full_name": full_name(p.name, p.title_prefix, p.title_suffix, nowrap=True),
        "position": position,
        "position_caps": position.upper(),
        "nip": format_nip(p.nip) if p.nip else None,
        "acting": p.acting,
        "appointment": clean(p.appointment) if p.appointment else None,
        "authority": authority_clause(party) if party is not None else None,
    }


def signer_position(p: model.Signatory, party: model.Party | None = None) -> str:
    """The position as printed: "Pelaksana Tugas Direktur Utama PT Maju Jaya"."""
    position = clean(p.position)
    if party is not None and party.type in NAMED_IN_POSITION and not names_party(position, party):
        position = f"{position} {clean(party.name)}"
    return f"{ACTING_WORDS[p.acting]} {position}" if p.acting else position


def names_party(position: str, party: model.Party) -> bool:
    """Whether a position already names the party (its name, short name, or name without PT)."""
    def norm(text: str) -> str:
        return " ".join(text.lower().replace(".", " ").replace(",", " ").split())

    words = f" {norm(position)} "
    names = {norm(party.name), norm(party.short_name), _LEGAL_FORM.sub("", norm(party.name))}
    return any(f" {n} " in words for n in names if n)


def needs_authority(party: model.Party) -> bool:
    """Whether the komparisi must state the basis of the signer's authority."""
    return party.type in AUTHORITY_REQUIRED or party.signatory.acting is not None


def authority_clause(party: model.Party) -> str | None:
    """The komparisi's basis of authority: the decree, a PT's akta, or a visible blank to fill."""
    sig = party.signatory
    lead = "berdasarkan" if party.type == "badan-usaha" else "yang diangkat berdasarkan"
    if sig.appointment:
        return f"{lead} {_LEAD_IN.sub('', clean(sig.appointment)).rstrip(',;')}"
    return f"{lead} {AUTHORITY_BLANK}" if needs_authority(party) else None


def party_context(ws: Workspace, party_id: str) -> dict[str, Any]:
    """Return a party as templates see it (no role: see mou_parties)."""
    rec = ws.parties[party_id]
    p: model.Party = rec.model
    return {
        "id": party_id,
        "name": p.name,
        "name_caps": p.name.upper(),
        "short_name": p.short_name,
        "type": p.type,
        "address": p.address,
        "logo_path": (ws.root / p.logo) if p.logo else None,
        "signatory": person(p.signatory, p),
    }


def record_title(rec: Record) -> str:
    """Return the human title of a record, used for document properties and messages."""
    if rec.kind == "mou":
        return f"{rec.model.document_type} tentang {rec.model.subject}"
    return getattr(rec.model, "title", None) or getattr(rec.model, "headline", rec.id)


def clean(text: object) -> str:
    """Collapse all whitespace (YAML folded or literal blocks) into single spaces."""
    return " ".join(str(text).split())


def join_list(items: list[str]) -> str:
    """Join as Indonesian prose: "a", "a dan b", "a, b, dan c".

    When an item itself contains "dan" (Pendidikan dan Pelatihan) the last link is
    "serta", so the reader sees where one item ends.
    """
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    word = "serta" if any(" dan " in f" {i} " for i in items) else "dan"
    if len(items) == 2:
        return f"{items[0]} {word} {items[1]}"
    return f"{', '.join(items[:-1])}, {word} {items[-1]}"


# PP 18/2016 tentang Perangkat Daerah replaced PP 41/2007's "satuan kerja perangkat daerah"
# (SKPD) with "perangkat daerah"; it was promulgated, and took effect, on 19 June 2016
# (enacted 15 June). A lab that starts earlier speaks of SKPD, a later one of OPD.
PERANGKAT_DAERAH_FROM = dt.date(2016, 6, 19)

# Unit types in the order reports list them: (table label, short form, running text).
_UNIT_WORDS: dict[str, tuple[str, str, str]] = {
    "opd": ("Perangkat Daerah (OPD)", "OPD", "perangkat daerah"),
    "kecamatan": ("Kecamatan", "Kecamatan", "kecamatan"),
    "kelurahan": ("Kelurahan", "Kelurahan", "kelurahan"),
    "puskesmas": ("Puskesmas", "Puskesmas", "puskesmas"),
    "bumd": ("BUMD", "BUMD", "BUMD"),
    "lainnya": ("Lainnya", "Lainnya", "unit lainnya"),
}
_SKPD = ("SKPD", "SKPD", "SKPD")


def unit_words(day: dt.date) -> dict[str, dict[str, str]]:
    """Return, per unit type, its table label, short form and running-text word as of day."""
    words = dict(_UNIT_WORDS)
    if day < PERANGKAT_DAERAH_FROM:
        words["opd"] = _SKPD
    return {key: {"label": w[0], "short": w[1], "prose": w[2]} for key, w in words.items()}


STATUS_RANK = {"planned": 0, "in-progress": 1, "done": 2}


def stage_statuses(lab: model.Lab) -> dict[str, str]:
    """Return the status of each 5D stage in order; a stage the record leaves out is planned."""
    listed = {s.stage: s.status for s in lab.stages}
    return {key: listed.get(key, "planned") for key in model.STAGES}


def stage_statuses_on(lab: model.Lab, day: dt.date) -> dict[str, str]:
    """Return the status of each 5D stage as a reader on day knew it.

    The record tells the status at report time; dates cap it: before a stage's first day it
    is planned, during its days at most in progress, so a piece dated before a stage is
    never told it was held, whatever the record says later. An undated stage keeps the
    record's status, except that nothing has happened before the lab starts.
    """
    dated = {s.stage: s.dates for s in lab.stages if s.dates is not None}
    statuses = {}
    for key, status in stage_statuses(lab).items():
        dates = dated.get(key)
        if dates is not None:
            by_date = "planned" if day < dates.start else "in-progress" if day <= dates.end else "done"
        else:
            by_date = "planned" if day < lab.period.start else "done"
        statuses[key] = min(status, by_date, key=STATUS_RANK.__getitem__)
    return statuses


def held_span(lab: model.Lab, statuses: dict[str, str]) -> tuple[dt.date, dt.date] | None:
    """Return (first day, last day) of the dated stages that are done, or None."""
    dates = [s.dates for s in lab.stages if s.dates is not None and statuses[s.stage] == "done"]
    if not dates:
        return None
    return min(d.start for d in dates), max(d.end for d in dates)
