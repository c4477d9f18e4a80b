"""Which characters record text may hold, so that what is stored is what Word and the PDF show.

Every scalar and key is normalised to NFC (a decomposed `e` + U+0301 and a composed `é`
are then the same text, in comparisons, in ids and in print). Refused, with the reason:

- C0/C1 controls (except tab, newline, CR), DEL, a stray byte-order mark, surrogates and
  the noncharacters U+FFFE/FFFF: Word refuses most of them in XML, and none is intended in
  an administrative text (they arrive by pasting from PDFs and e-mails).
- Bidirectional controls (embeddings, overrides, isolates, LRM/RLM/ALM): they reorder what
  is displayed, so `Rp1.000.000` can show as `Rp000.000.1`. Indonesian records are
  left-to-right; Arabic or Hebrew words in them are ordered by the Unicode bidi algorithm
  without any control.
- Zero-width and other invisible format characters (ZWSP, word joiner, BOM inside text,
  invisible operators, tag characters): a name with one inside prints like another name but
  is not equal to it. ZWJ and ZWNJ are the exception where a script needs them: between two
  letters of a joining script (Arabic, Indic and the like, not Latin, Greek or Cyrillic), or
  ZWJ between two emoji.

The soft hyphen (U+00AD) stays allowed: it is a hyphenation hint that shows only where a
line breaks, so it never hides or reorders anything.
"""

from __future__ import annotations

import re
import unicodedata

from .i18n import _

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZWNJ, ZWJ = "\u200c", "\u200d"
ZERO_WIDTH = frozenset({"\u200b", ZWNJ, ZWJ, "\u2060", "\ufeff"})
# Format characters (category Cf) that print a visible sign: number signs of Arabic, Syriac
# and Kaithi, and the soft hyphen (see above).
_VISIBLE_FORMAT = frozenset("\u00ad\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u08e2\U000110bd\U000110cd")
_NON_JOINING_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARMENIAN")


def normalise(text: str) -> str:
    """Return text in Unicode NFC (cheap when it already is, as nearly every text is)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def character_problem(text: str) -> str | None:
    """Say which refused character text holds first (see the module docstring), or None."""
    m = _CONTROLS.search(text)
    if m is not None:
        return _("control character {character} is not allowed in text (remove it; it often comes from pasting)").format(character=_name(m.group()))
    if text.isascii():
        return None
    for i, c in enumerate(text):
        if c in BIDI_CONTROLS:
            return _("invisible bidirectional control {character} at character {position} is not allowed: it makes Word "
                     "and the PDF show the text in another order than it is stored; remove it").format(character=_name(c), position=i + 1)
        if c in ZERO_WIDTH:
            if c in (ZWJ, ZWNJ) and _joins(text, i):
                continue
            allowed = _("; ZWJ and ZWNJ are allowed only between letters of a script that joins them (e.g. Arabic)") if c in (ZWJ, ZWNJ) else ""
            return _("invisible zero-width character {character} at character {position} is not allowed: the text prints "
                     "like another text but is not equal to it; remove it{allowed}").format(character=_name(c), position=i + 1, allowed=allowed)
        if c not in _VISIBLE_FORMAT and unicodedata.category(c) == "Cf":
            return _("invisible format character {character} at character {position} is not allowed: it hides what the text says; remove it").format(character=_name(c), position=i + 1)
    return None


def _joins(text: str, i: int) -> bool:
    """Whether the ZWJ/ZWNJ at i sits between two letters of a joining script, or ZWJ between emoji."""
    if i == 0 or i + 1 >= len(text):
        return False
    before, after = text[i - 1], text[i + 1]
    if text[i] == ZWJ and unicodedata.category(before) in ("So", "Sk", "Mn") and unicodedata.category(after) == "So":
        return True
    return all(unicodedata.category(c)[0] in "LM" and not unicodedata.name(c, "").startswith(_NON_JOINING_SCRIPTS)
               and ord(c) >= 0x0370 for c in (before, after))


def _name(c: str) -> str:
    name = unicodedata.name(c, "")
    return f"U+{ord(c):04X}" + (f" ({name})" if name else "")
