"""Warn about MoU text that the Word draft's font may not show.

The draft's font is the template's (its default paragraph font, Arial in the shipped
template), drawn by whatever copy of that font the computer opening the draft has. dokgen
cannot see that computer, so it says exactly what it checks: the record text against the
font fontconfig gives for that name on this machine (`fc-match Arial`: Liberation Sans on
Debian). Latin letters up to U+017F and general punctuation are not checked, every font a
template would name draws them; so a workspace in Indonesian costs one scan of its text.
The lab report has its own check against the fonts it embeds (render/pdf.py).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any, Iterable
from xml.etree import ElementTree

from .errors import Problem
from .i18n import _
from .limits import walk_fields
from .records import Record, Workspace
from .yamlfile import format_path

TEMPLATE = "templates/docx/mou.docx"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CONSULTED: set[str] = set()
"""Font names this process looked up on the machine: the build memo (cache.py) keys on them."""


def draft_font_gaps(ws: Workspace) -> Iterable[Problem]:
    """Advice check: one warning per field whose text the draft's font lacks a glyph for."""
    fields = [(rec, path, text) for rec, path, text in _mou_texts(ws) if _unusual(text)]
    if not fields:
        return
    font = template_font(ws.root / TEMPLATE)
    if font:
        CONSULTED.add(font)
    found = font and system_font(font)
    if not found:
        return  # no font name in the template or no fontconfig: nothing truthful to say
    file, covered = found
    for rec, path, text in fields:
        lacking = sorted({c for c in _unusual(text) if ord(c) not in covered})
        if lacking:
            shown = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in lacking[:3]) + (", ..." if len(lacking) > 3 else "")
            yield Problem(rec.location(*path), format_path(path),
                          _("the Word draft's font '{font}' (set by {template}) has no glyph for {characters} on this machine "
                            "(checked against {file}); Word shows another font or a box there unless the reader's '{font}' has it").format(
                              font=font, template=TEMPLATE, characters=shown, file=Path(file).name))


def _unusual(text: str) -> set[str]:
    if text.isascii():
        return set()
    return {c for c in text if ord(c) > 0x17F and not 0x2000 <= ord(c) <= 0x206F
            and not c.isspace() and unicodedata.category(c)[0] not in "CZ"}


def _mou_texts(ws: Workspace) -> Iterable[tuple[Record, tuple, str]]:
    """(record, field path, text) of every text an MoU draft prints: its own and its parties'.

    A record whose every text is ASCII is passed over (the usual case: a walk over all the
    fields of a thousand MoUs costs more than the rest of this check).
    """
    parties: set[str] = set()
    # a scope of scopes.yaml is walked once, not once per MoU that names it
    scope_texts = {key: [text for _, text in _texts(scope) if not text.isascii()] for key, scope in ws.scopes.items()}
    for rec in ws.mou.values():
        if not (rec.ascii or _all_ascii(rec.doc.data)):
            yield from ((rec, path, text) for path, text in _texts(rec.model))
        parties.update(p.party for p in rec.model.parties)
        for i, scope in enumerate(rec.model.scopes):
            if isinstance(scope, str) and scope_texts.get(scope):  # from scopes.yaml: located at the MoU's line
                yield from ((rec, ("scopes", i), text) for text in scope_texts[scope])
    for party in sorted(parties):
        if party in ws.parties:
            rec = ws.parties[party]
            yield from ((rec, path, text) for path, text in _texts(rec.model))


def _all_ascii(data: Any) -> bool:
    """Whether every key and text of a record's data as read (str, list, dict) is ASCII."""
    if isinstance(data, str):
        return data.isascii()
    if isinstance(data, dict):
        return all(_all_ascii(k) and _all_ascii(v) for k, v in data.items())
    if isinstance(data, list):
        return all(_all_ascii(v) for v in data)
    return True


def _texts(model: Any) -> Iterable[tuple[tuple, str]]:
    return ((path, value) for path, value in walk_fields(model) if isinstance(value, str))


def template_font(template: Path) -> str | None:
    """The default font of a Word template (docDefaults, else the Normal style), or None."""
    try:
        with zipfile.ZipFile(template) as z:
            styles = ElementTree.fromstring(z.read("word/styles.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None  # lint reports a broken template; this check only warns
    for where in (f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}rFonts", f"{_W}style[@{_W}styleId='Normal']/{_W}rPr/{_W}rFonts"):
        fonts = styles.find(where)
        if fonts is not None and fonts.get(f"{_W}ascii"):
            return fonts.get(f"{_W}ascii")
    return None


@functools.lru_cache(maxsize=8)
def system_font(name: str) -> tuple[str, frozenset[int]] | None:
    """(file, code points) of the font fontconfig picks for name on this machine, or None."""
    file = font_file(name)
    if file is None:
        return None
    from fontTools.ttLib import TTFont

    with TTFont(file, lazy=True) as font:
        return file, frozenset(font.getBestCmap())


def font_file(name: str) -> str | None:
    """The TrueType or OpenType file fontconfig picks for name on this machine, or None."""
    if shutil.which("fc-match") is None:
        return None
    try:
        done = subprocess.run(["fc-match", "--format=%{file}", name], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    file = done.stdout.strip()
    if done.returncode != 0 or not file.lower().endswith((".ttf", ".otf")):
        return None
    return file
