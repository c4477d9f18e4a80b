"""The clause library: which Pasal an MoU holds, in what words, numbered consecutively.

data/clauses.yaml lists the articles in order, each with the party types and scopes that
call for it (PENGAKHIRAN, KORESPONDENSI, MONITORING DAN EVALUASI for a company or a
university; KERAHASIAAN and HAK KEKAYAAN INTELEKTUAL when they also do research; a court
fallback in the dispute clause when a company signs). A record switches a clause on or off
or gives its own wording in `articles:`; its own text is printed as typed, never filled in.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from . import model
from .errors import Problem
from .i18n import _
from .statutory import enumeration, lower_first, lower_title
from .yamlfile import format_path, read_yaml

if TYPE_CHECKING:
    from .records import Record, Workspace

LIBRARY = Path(__file__).parent / "data" / "clauses.yaml"
PLACEHOLDER = re.compile(r"\{(dokumen|maksud|pembiayaan|jangka_waktu|kota)\}")


class When(model.Model):
    parties: list[model.PartyType] = []
    scope_words: list[str] = []


class Ayat(model.Model):
    text: str
    when: When | None = None
    items: Union[Literal["scopes", "addresses"], List[str], None] = Field(None, alias="list")
    """The enumeration after this ayat: literal items, the record's scopes or the parties' addresses."""


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str
    when: When | None = None
    ayat: list[Union[str, Ayat]]


@functools.cache
def library() -> dict[str, Clause]:
    """The shipped clauses by id, in article order."""
    data = read_yaml(LIBRARY.read_bytes(), "dokgen/data/clauses.yaml").data
    return {c["id"]: Clause.model_validate(c) for c in data}


def article_errors(rec: Record) -> list[Problem]:
    """A record's `articles:` names a clause the library does not have, or adds one without a title."""
    problems = []
    known = library()
    for key, choice in rec.model.articles.items():
        path = ("articles", key)
        if key in known:
            continue
        if isinstance(choice, str):
            from .records import did_you_mean

            message = _("no article '{key}' in the clause library{hint}; known: {known}").format(key=key, hint=did_you_mean(key, known), known=", ".join(known))
        elif choice.title is None:
            message = _("'{key}' is a new article (not in the clause library: {known}); give it a title").format(key=key, known=", ".join(known))
        else:
            continue
        problems.append(Problem(rec.doc.location(path, key=True), format_path(path), message))
    return problems


def _applies(when: When | None, types: list[str], scopes: list[tuple[str, str]]) -> bool:
    if when is None:
        return True
    if when.parties and not set(when.parties) & set(types):
        return False
    if when.scope_words:
        words = [w.lower() for w in when.scope_words]
        return any(w in f"{key} {title}".lower() for key, title in scopes for w in words)
    return True


def proper_names(ws: Workspace, m: model.Mou) -> list[str]:
    """Names that keep their capitals inside an enumeration: the parties' names and the city."""
    names = [m.signing.city]
    for p in m.parties:
        party = ws.parties[p.party].model
        names += [party.name, party.short_name]
    return sorted(set(names), key=len, reverse=True)


def scope_items(ws: Workspace, m: model.Mou, keep: list[str]) -> list[str]:
    """Ruang lingkup items as typed: "<title>, yaitu <description>" with the title in running-text case."""
    items = []
    for s in m.scopes:
        scope = ws.scopes[s] if isinstance(s, str) else s
        title = " ".join(scope.title.split())
        items.append(f"{lower_title(title, keep)}, yaitu {lower_first(' '.join(scope.description.split()), keep)}")
    return items


def articles(ws: Workspace, m: model.Mou, values: dict[str, str], parties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The MoU's articles before PENUTUP: [{number, id, title, paragraphs: [{style, label, text}]}]."""
    keep = proper_names(ws, m)
    types = [ws.parties[p.party].model.type for p in m.parties]
    scopes = [(s, ws.scopes[s].title) if isinstance(s, str) else ("", s.title) for s in m.scopes]
    lists = {
        "scopes": lambda: scope_items(ws, m, keep),
        "addresses": lambda: [f"{p['label']}: {p['name']}, {p['address']}" for p in parties],
    }

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda x: values[x.group(1)], " ".join(text.split()))

    chosen: list[tuple[str, str, list[tuple[str, list[str] | None]]]] = []
    for key, clause in library().items():
        choice = m.articles.get(key)
        if choice == "off" or (choice is None and not _applies(clause.when, types, scopes)):
            continue
        if isinstance(choice, model.ArticleText):
            chosen.append((key, choice.title or clause.title, [(t, None) for t in choice.ayat]))
            continue
        ayat = []
        for a in clause.ayat:
            a = Ayat(text=a) if isinstance(a, str) else a
            if not _applies(a.when, types, scopes):
                continue
            # the library's own items take placeholders; scopes and addresses are record text, as typed
            items = lists[a.items]() if isinstance(a.items, str) else [fill(i) for i in a.items or []]
            ayat.append((fill(a.text), items or None))
        chosen.append((key, clause.title, ayat))
    for key, choice in m.articles.items():  # the record's own new articles, before PENUTUP
        if key not in library() and isinstance(choice, model.ArticleText):
            chosen.append((key, choice.title, [(t, None) for t in choice.ayat]))

    out = []
    for number, (key, title, ayat) in enumerate(chosen, start=1):
        paragraphs = []
        numbered = len(ayat) > 1
        for n, (text, items) in enumerate(ayat, start=1):
            paragraphs.append({"style": "ayat" if numbered else "plain", "label": f"({n})" if numbered else "", "text": text})
            if items:
                from .indonesian import letter

                texts, _ = enumeration(items, keep)
                paragraphs += [{"style": "subitem" if numbered else "item", "label": f"{letter(i)}.", "text": t}
                               for i, t in enumerate(texts, start=1)]
        out.append({"number": number, "id": key, "title": " ".join(title.split()).upper(), "paragraphs": paragraphs})
    return out
