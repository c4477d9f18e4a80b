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
