"""The QR code of an issued document and the words printed with it.

The QR holds the verification address of the document's code (register.yaml's
verification_url with {code} filled in) or `DOKGEN:<code>` when the workspace has no
public page. The caption says what the code is and what it is not: PP 71/2019 keeps a
certified electronic signature apart from any other mark, and a QR must never pass for one.
"""

from __future__ import annotations

import functools
import io

CAPTION = "Kode verifikasi {code} · dokumen terdaftar, bukan tanda tangan elektronik"
QR_HEIGHT_MM = 22  # as tall as a logo: a phone reads it from arm's length, the signature block keeps its room
BORDER = 4  # modules of quiet zone the QR standard asks for; readers miss codes with less
ERROR = "m"  # level M (15 %): survives a stamp or a fold over a corner


def payload(code: str, url_pattern: str | None) -> str:
    """What the QR holds for code."""
    return url_pattern.replace("{code}", code) if url_pattern else f"DOKGEN:{code}"


def caption(code: str) -> str:
    return CAPTION.format(code=code)


@functools.lru_cache(maxsize=64)
def qr_png(data: str) -> bytes:
    """A black-on-white 1-bit PNG of the QR, 8 pixels a module: crisp when Word scales it to 22 mm.

    segno encodes (its choice of mask, as the standard asks, is most of the ~5 ms); Pillow
    scales the module matrix and writes the PNG, several times faster than segno's own
    pure-Python PNG writer at this size.
    """
    from PIL import Image

    rows = list(_encoded(data).matrix_iter(scale=1, border=BORDER))
    size = len(rows)
    image = Image.frombytes("L", (size, size), bytes(0 if dark else 255 for row in rows for dark in row))
    out = io.BytesIO()
    image.resize((size * 8, size * 8), Image.Resampling.NEAREST).convert("1").save(out, "PNG", optimize=False)
    return out.getvalue()


@functools.lru_cache(maxsize=64)
def qr_svg_uri(data: str) -> str:
    """The QR as an SVG data URI for the lab report: vector, sharp at any zoom or print."""
    return _encoded(data).svg_data_uri(scale=4, border=BORDER, xmldecl=False)


@functools.lru_cache(maxsize=64)
def _encoded(data: str):
    import segno

    return segno.make(data, error=ERROR, micro=False)


def verification_context(code: str | None, status: str, url_pattern: str | None, picture: str = "png") -> dict | None:
    """The template's `verification`: code, payload, caption and QR; None unless issued and final.

    A record that carries a code but went back to draft gets no QR (check warns about it):
    the mark is for final documents only. picture: "png" (qr_png, the Word file) or "svg"
    (qr_svg, the lab report's HTML).
    """
    if not code or status != "final":
        return None
    data = payload(code, url_pattern)
    qr = {"qr_png": qr_png(data)} if picture == "png" else {"qr_svg": qr_svg_uri(data)}
    return {"code": code, "url": data, "caption": caption(code), **qr}
