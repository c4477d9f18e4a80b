"""Context pieces shared by every document kind: people, parties, the meterai of the era.
"""

from __future__ import annotations

import datetime as dt
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


def person(p: model.Signatory) -> dict[str, Any]:
    """Return a signatory with the full name written with titles."""
    from ..indonesian import format_nip, full_name

    return {
        "name": p.name,
        "title_prefix": p.title_prefix,
        "title_suffix": p.title_suffix,
        "full_name": full_name(p.name, p.title_prefix, p.title_suffix),
        "position": p.position,
        "nip": format_nip(p.nip) if p.nip else None,
    }


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
        "signatory": person(p.signatory),
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


# Unit types of a lab as running text writes them ("tiga perangkat daerah").
UNIT_TYPE_PROSE = {"opd": "perangkat daerah", "kecamatan": "kecamatan", "kelurahan": "kelurahan",
                   "puskesmas": "puskesmas", "bumd": "BUMD", "lainnya": "unit lainnya"}


def stage_statuses(lab: model.Lab) -> dict[str, str]:
    """Return the status of each 5D stage in order; a stage the record leaves out is planned."""
    listed = {s.stage: s.status for s in lab.stages}
    return {key: listed.get(key, "planned") for key in model.STAGES}
