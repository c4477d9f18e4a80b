"""Pure functions from validated records to the plain data a template sees.

Everything a document states is derived here once, so the Word draft, the PDF report and
the press text cannot disagree (ordinals, full names, the meterai of the era, counts).
Contexts hold only plain values; renderers add format-specific objects (images).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import model
from .records import Record, Workspace

# Stamp duty on agreements: Rp6.000 under UU 13/1985 (PP 24/2000), Rp10.000 from
# 1 January 2021 under UU 10/2020.
METERAI_2021 = dt.date(2021, 1, 1)
PAPER_MM = {"a4": (210, 297), "f4": (215, 330)}


def meterai_for(date: dt.date) -> str:
    """Return the stamp duty that applies to an agreement signed on date."""
    return "Rp10.000" if date >= METERAI_2021 else "Rp6.000"


def person(p: model.Signatory | model.PersonSignature) -> dict[str, Any]:
    """Return a signatory with the full name written with titles."""
    from .indonesian import format_nip, full_name

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


def mou_context(ws: Workspace, mou_id: str) -> dict[str, Any]:
    """Build the context of one MoU draft."""
    from .indonesian import party_label, party_ordinal, roman

    m: model.Mou = ws.mou[mou_id].model
    parties = []
    for i, ref in enumerate(m.parties, start=1):
        parties.append(
            {
                **party_context(ws, ref.party),
                "ordinal": party_ordinal(i),
                "label": party_label(i),
                "roman": roman(i),
                "number": ref.number,
            }
        )
    scopes = [
        {"key": s, "title": ws.scopes[s].title, "description": ws.scopes[s].description}
        if isinstance(s, str)
        else {"key": None, "title": s.title, "description": s.description}
        for s in m.scopes
    ]
    return {
        "id": mou_id,
        "doc": {
            "type": m.document_type,
            "type_caps": m.document_type.upper(),
            "subject": m.subject,
            "subject_caps": m.subject.upper(),
            "status": m.status,
            "is_draft": m.status == "draft",
            "meterai": meterai_for(m.signing.date),
            "paper": m.paper,
            "paper_mm": PAPER_MM[m.paper],
        },
        "signing": {"date": m.signing.date, "city": m.signing.city, "venue": m.signing.venue},
        "parties": parties,
        "recitals": list(m.recitals),
        "purpose": m.purpose,
        "scopes": scopes,
        "term_years": m.term_years,
        "funding": m.funding,
    }


def record_title(rec: Record) -> str:
    """Return the human title of a record, used for document properties and messages."""
    if rec.kind == "mou":
        return f"{rec.model.document_type} tentang {rec.model.subject}"
    return getattr(rec.model, "title", None) or getattr(rec.model, "headline", rec.id)
