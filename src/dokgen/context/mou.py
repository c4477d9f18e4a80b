"""The context of one MoU draft (Nota Kesepahaman / Kesepakatan Bersama)."""

from __future__ import annotations

from typing import Any

from .. import model
from ..records import Workspace
from .common import PAPER_MM, meterai_for, party_context


def mou_context(ws: Workspace, mou_id: str) -> dict[str, Any]:
    """Build the context of one MoU draft."""
    from ..indonesian import party_label, party_ordinal, roman

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
