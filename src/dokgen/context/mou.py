"""The context of one MoU draft (Nota Kesepahaman / Kesepakatan Bersama)."""

from __future__ import annotations

from typing import Any

from .. import model
from ..records import Workspace
from .common import PAPER_MM, meterai_for, party_context


# Signature blocks go two to a row: at 12 pt a NIP with its label (about 5.4 cm) and a
# Direktur Utama's position do not fit a third of the 16 cm text width, and a smaller size
# would set the signature page apart from the rest. An odd last party is centred alone.
SIGNATURES_PER_ROW = 2
# Paraf boxes go up to four to a row of the 9 cm footer box: 2 cm still holds the longest
# word of a label (KESEMBILAN) at 7 pt, so "PIHAK KESEMBILAN" wraps only at its space.
PARAF_PER_ROW = 4


def rows_of(items: list[Any], most: int) -> list[list[Any]]:
    """Split items into the fewest rows of at most `most`, as even as possible, fuller rows first.

    10 items, at most 4: 4 + 3 + 3 (never 4 + 4 + 2); at most 2: 2 + 2 + 2 + 2 + 2.
    """
    count = -(-len(items) // most)
    size, extra = divmod(len(items), count) if items else (0, 0)
    rows, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        rows.append(items[start:end])
        start = end
    return rows


def mou_context(ws: Workspace, mou_id: str) -> dict[str, Any]:
    """Build the context of one MoU draft."""
    from ..clauses import articles, proper_names
    from ..indonesian import count_in_words, party_label, party_ordinal, roman
    from ..law import basis_recital
    from ..qr import verification_context
    from ..statutory import recital

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
    keep = proper_names(ws, m)
    typed = [*m.recitals, *filter(None, [basis_recital(ws, m)])]
    values = {"dokumen": m.document_type, "maksud": m.purpose, "pembiayaan": m.funding,
              "jangka_waktu": count_in_words(m.term_years, "tahun"), "kota": m.signing.city}
    body = articles(ws, m, values, parties)
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
        "signature_rows": rows_of(parties, SIGNATURES_PER_ROW),
        "paraf_rows": rows_of(parties, PARAF_PER_ROW),
        "recitals": [recital(text, keep)[0] for text in typed],
        "articles": body,
        "closing_number": len(body) + 1,
        "purpose": m.purpose,
        "scopes": scopes,
        "term_years": m.term_years,
        "funding": m.funding,
        "verification": verification_context(m.verification, m.status, ws.register.verification_url),
    }
