"""Statutory style (UU 12/2011 Lampiran II, followed in MoU drafting) from what users type.

A recital reads `bahwa …;` with exactly one `;`; an enumeration item starts in lower case
(proper names, acronyms and PIHAK KESATU/PARA PIHAK stay as they are), ends with `;`, the
second-to-last with `; dan` (or `; atau` when the user typed alternatives), the last
with `.`. Users type `.`, `;`, `; dan`, nothing, or a leading `a.`; all of that is
normalised silently. Only where normalising would change what the text says (a question,
an unfinished sentence, two statements in one recital) is a note returned, for advice.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Iterable

from .errors import Problem
from .i18n import N_, _
from .limits import MAX_TEXT_CHARS
from .yamlfile import format_path

if TYPE_CHECKING:
    from .records import Record, Workspace

# Capitalised words that stay capitalised at the start of an item: offices and names
# that PUEBI writes with a capital even alone, and the one-word defined terms of an MoU.
KEEP_WORDS = frozenset({
    "Allah", "Tuhan", "Pancasila", "Indonesia", "Nusantara", "Presiden", "Menteri", "Gubernur",
    "Bupati", "Rektor", "Pasal", "Lampiran",
})
# A place type followed by a capitalised name is a proper name: "Kota Pontianak".
PLACE = re.compile(r"(?:Kota|Kabupaten|Provinsi|Kecamatan|Kelurahan|Desa)\s+[A-Z][\w'’-]*")
# A leading label the template adds itself: "a.", "1)", "(2)", "-", "•".
LABEL = re.compile(r"^\s*(?:\(?(?:[a-zA-Z]|\d{1,2})[.)]|[-•*])\s+")
# A list connector typed at the end of an item: "…; dan", "…, atau".
CONNECTOR = re.compile(r"(?:^|[\s;,])(dan|atau|serta)$", re.IGNORECASE)
# A full stop after a word and a capital: a second sentence ("… daerah. Kerja sama …"),
# not a title ("Dr. Adi") or a number ("No. 3").
SENTENCE_BREAK = re.compile(r"\b[a-z]{3,}\.\s+[A-Z]")
WORD = re.compile(r"[\w'’-]+")
ENDINGS_THAT_CHANGE = {"?": N_("asks a question"), "!": N_("is an exclamation"), ":": N_("ends with ':' as if a list followed"),
                       "…": N_("ends unfinished ('…')"), "...": N_("ends unfinished ('...')")}


def _name_like(word: str) -> bool:
    """All caps (LAN, PIHAK), inner capitals (eKTP, McD; not the repeat in Undang-Undang), or a kept word."""
    return word.isupper() or any(ch.isupper() for part in word.split("-") for ch in part[1:]) or word in KEEP_WORDS


def _is_proper(word: str, rest: str, keep: Iterable[str]) -> bool:
    """Whether a capitalised first word is a name: all caps, inner capitals, a known name or office."""
    if not word[:1].isupper():
        return True  # nothing to lower
    if _name_like(word):
        return True
    text = f"{word}{rest}"
    if PLACE.match(text) or any(text.startswith(name) for name in keep if name):
        return True
    # "Dinas Kesehatan menyediakan …": the next word capitalised too reads as a name.
    nxt = WORD.search(rest)
    return bool(nxt and rest[: nxt.start()].strip() == "" and nxt.group(0)[:1].isupper())


def lower_first(text: str, keep: Iterable[str] = ()) -> str:
    """Lower the first letter when the first word is a common word capitalised only by position."""
    m = WORD.match(text)
    if m is None or _is_proper(m.group(0), text[m.end():], keep):
        return text
    word = m.group(0)
    return "-".join(part[:1].lower() + part[1:] for part in word.split("-")) + text[m.end():]


def lower_title(title: str, keep: Iterable[str] = ()) -> str:
    """A Title Case heading as it reads inside a sentence: "Inovasi Administrasi Negara" -> lower case,
    except names ("Kota Pontianak", a party's name), acronyms and the words of KEEP_WORDS."""
    return _lower_title(title, tuple(k for k in keep if k))


@functools.lru_cache(maxsize=4096)  # the same few scope titles, draft after draft
def _lower_title(title: str, keep: tuple[str, ...]) -> str:
    out, i = [], 0
    while i < len(title):
        rest = title[i:]
        place = PLACE.match(rest)
        name = next((k for k in keep if rest.startswith(k)), None) or (place.group(0) if place else None)
        if name:
            out.append(name)
            i += len(name)
            continue
        m = WORD.match(rest)
        if m is None:
            out.append(rest[0])
            i += 1
            continue
        w = m.group(0)
        proper = not w[:1].isupper() or _name_like(w)
        out.append(w if proper else "-".join(part[:1].lower() + part[1:] for part in w.split("-")))
        i += len(w)
    return "".join(out)


def _strip(text: str) -> tuple[str, list[str], str]:
    """Drop a typed label, trailing punctuation and connector; return the text, a note when the
    ending carried meaning that a statement loses, and the connector typed ('dan', 'atau', '')."""
    text = LABEL.sub("", " ".join(text.split()), count=1)
    notes = [_("{what}; it is printed as a statement").format(what=_(what)) for end, what in ENDINGS_THAT_CHANGE.items() if text.endswith(end)][:1]
    text = text.rstrip(" ?!:…")
    connector = ""
    for _attempt in range(2):  # "…; dan" or "…, dan;": never more is typed (and a loop over a pasted "dan dan dan …" must end)
        text = text.rstrip(" .;,")
        tail = max(len(text) - 8, 0)  # search the end only: the pattern is anchored there
        m = CONNECTOR.search(text, tail)
        if m is None:
            break
        connector = connector or m.group(1).lower()
        text = text[: m.start(1)]
    return text.rstrip(" .;,"), notes, connector


def recital(text: str, keep: Iterable[str] = ()) -> tuple[str, list[str]]:
    """Return the recital as `bahwa …;` and notes on what normalising changed in meaning."""
    body, notes, _connector = _strip(text)
    m = re.match(r"(?:menimbang\s*:?\s*)?bahwa\b[\s,:]*", body, re.IGNORECASE)
    if m:
        body = body[m.end():]
    else:
        body = lower_first(body, keep)
    if ";" in body or SENTENCE_BREAK.search(body):
        notes.append(_("holds more than one statement (a ';' or a full stop inside); split it into two recitals"))
    return f"bahwa {body};", notes


def enumeration(items: list[str], keep: Iterable[str] = ()) -> tuple[list[str], list[list[str]]]:
    """Return items as a statutory list (`…;`, `…; dan`, `….`) and, per item, notes on changed meaning."""
    keep = list(keep)
    bodies, notes, link = [], [], "dan"
    for text in items:
        body, note, connector = _strip(text)
        bodies.append(lower_first(body, keep))
        notes.append(note)
        link = "atau" if connector == "atau" else link
    out = []
    for i, body in enumerate(bodies):
        if i == len(bodies) - 1:
            out.append(f"{body}.")
        elif i == len(bodies) - 2:
            out.append(f"{body}; {link}")
        else:
            out.append(f"{body};")
    return out, notes


def _note(doc, path: tuple, note: str) -> Problem:
    return Problem(doc.location(path), format_path(path), note)


def recital_notes(ws: Workspace, rec: Record) -> Iterable[Problem]:
    """Advice on one MoU: a recital or scope description whose statutory form says something other than what was typed."""
    from .clauses import proper_names

    keep = proper_names(ws, rec.model)
    for i, text in enumerate(rec.model.recitals):
        if len(text) > MAX_TEXT_CHARS:
            continue  # the record fails its size limit when rendered; nothing to advise
        for note in recital(text, keep)[1]:
            yield _note(rec.doc, ("recitals", i), note)
    for i, s in enumerate(rec.model.scopes):
        if not isinstance(s, str):
            for note in _strip(s.description)[1]:
                yield _note(rec.doc, ("scopes", i, "description"), note)


def scope_notes(ws: Workspace) -> Iterable[Problem]:
    """Advice: a description in records/scopes.yaml whose statutory form says something other than what was typed."""
    if ws.scopes_doc is not None:
        for key, scope in ws.scopes.items():
            for note in _strip(scope.description)[1]:
                yield _note(ws.scopes_doc, (key, "description"), note)
