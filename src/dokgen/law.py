"""The law an agreement rests on: the regulation table, citations in recitals, and checks.

The table is data (data/regulations.yaml, extended or overridden per workspace by
records/regulations.yaml): which regulation was enacted when, what repealed it, and which
agreements it is the basis of by party type. From the signing date and the parties' types
dokgen knows which regulations apply; recital text is scanned for citations in the forms
people type them (`Peraturan Pemerintah Nomor 28 Tahun 2018`, `PP 28/2018`,
`UU No. 23 Th. 2014` ...). A regulation cited before it existed is an error; one cited
after its repeal, or no basis at all, is advice.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Literal

from pydantic import Field, ValidationError

from . import model
from .errors import Problem
from .i18n import _
from .limits import MAX_TEXT_CHARS
from .yamlfile import YamlDoc, format_path, read_yaml

if TYPE_CHECKING:
    from .records import Record, Workspace

SHIPPED = Path(__file__).parent / "data" / "regulations.yaml"
WORKSPACE_FILE = "regulations.yaml"  # under records/

# kind -> (the full name written in a citation, the forms it is typed in, as regex).
# Order matters where one name begins another (Perppu before PP).
KINDS: dict[str, tuple[str, str]] = {
    "UUD": ("Undang-Undang Dasar", r"undang[- ]undang\s+dasar|uud"),
    "Perppu": ("Peraturan Pemerintah Pengganti Undang-Undang", r"peraturan\s+pemerintah\s+pengganti\s+undang[- ]undang|perppu|perpu"),
    "UU": ("Undang-Undang", r"undang[- ]undang|uu"),
    "PP": ("Peraturan Pemerintah", r"peraturan\s+pemerintah|pp"),
    "Perpres": ("Peraturan Presiden", r"peraturan\s+presiden|perpres"),
    "Permendagri": ("Peraturan Menteri Dalam Negeri", r"peraturan\s+menteri\s+dalam\s+negeri|permendagri"),
    "Permendikbud": ("Peraturan Menteri Pendidikan dan Kebudayaan", r"peraturan\s+menteri\s+pendidikan\s+dan\s+kebudayaan|permendikbud"),
    "Permendikbudristek": ("Peraturan Menteri Pendidikan, Kebudayaan, Riset, dan Teknologi",
                           r"peraturan\s+menteri\s+pendidikan,\s+kebudayaan,\s+riset,\s+dan\s+teknologi|permendikbudristek"),
    "PermenPANRB": ("Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
                    r"peraturan\s+menteri\s+pendayagunaan\s+aparatur\s+negara\s+dan\s+reformasi\s+birokrasi|permen\s*pan[- ]?rb"),
    "PerLAN": ("Peraturan Lembaga Administrasi Negara", r"peraturan\s+lembaga\s+administrasi\s+negara|peraturan\s+lan|perlan"),
}

# "<kind> [Republik Indonesia] [Nomor|No.] 28 [Tahun|Th.|/] 2018"
_CITATION = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<{k}>{forms})" for k, (_, forms) in KINDS.items()) + r")"
    r"(?:\s+republik\s+indonesia)?\s*(?:(?:nomor|nomer|no\.?|nr\.?)\s*)?(?P<number>\d{1,4})"
    r"\s*(?:/|tahun|thn\.?|th\.?)\s*(?P<year>(?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)


class Governs(model.Model):
    parties: list[model.PartyType] = Field(min_length=1, max_length=2)
    """One type: any agreement with such a party; two: both take part (two parties if the same)."""
    documents: list[Literal["Nota Kesepahaman", "Kesepakatan Bersama", "Nota Kesepakatan"]] = []
    """Only these document types; empty: every type."""


class Regulation(model.Model):
    kind: Literal[tuple(KINDS)]  # type: ignore[valid-type]
    number: model.Count
    year: model.Count
    title: model.Text
    enacted: model.Date
    """The day it was ditetapkan: it cannot be cited before."""
    in_force: model.Date | None = None
    """The day it took effect (diundangkan) when later than enacted."""
    repealed_by: model.RecordId | None = None
    governs: list[Governs] = []
    source: model.Text
    sure: Literal["high", "medium", "low"] | None = None

    @property
    def effective(self) -> dt.date:
        return self.in_force or self.enacted

    def cited(self) -> str:
        """The regulation as a recital names it: `Peraturan Pemerintah Nomor 28 Tahun 2018 tentang Kerja Sama Daerah`."""
        return f"{KINDS[self.kind][0]} Nomor {self.number} Tahun {self.year} tentang {self.title}"

    def short(self) -> str:
        return f"{self.kind} {self.number}/{self.year}"


Table = dict[str, Regulation]


@dataclass(frozen=True)
class Citation:
    kind: str
    number: int
    year: int
    text: str


def find_citations(text: str) -> list[Citation]:
    """Return the regulations cited in text, in the order written."""
    return list(_citations(text))


@functools.lru_cache(maxsize=4096)
def _citations(text: str) -> tuple[Citation, ...]:
    # a recital is searched by the reference check and by two advice checks, and most MoUs
    # of a workspace share their standard recitals: each text is searched once per process
    found = []
    for m in _CITATION.finditer(" ".join(text.split())):
        kind = next(k for k in KINDS if m.group(k))
        found.append(Citation(kind, int(m.group("number")), int(m.group("year")), m.group(0)))
    return tuple(found)


@functools.cache
def shipped_table() -> dict[str, Regulation]:
    """The table shipped with dokgen; a broken row is a bug in dokgen, not a user's problem."""
    doc = read_yaml(SHIPPED.read_bytes(), "dokgen/data/regulations.yaml")
    return {key: Regulation.model_validate(row) for key, row in doc.data.items()}


def load_rows(doc: YamlDoc, problems: list[Problem]) -> Table:
    """Validate a workspace's records/regulations.yaml (already read) into rows, reporting problems."""
    from .records import pydantic_problems

    rows: Table = {}
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.location(()), "", _("regulations.yaml maps each regulation id (e.g. pp-28-2018) to its kind, number, year, title, enacted, source")))
        return rows
    for key, value in doc.data.items():
        if not model.ID_PATTERN.match(key):
            problems.append(Problem(doc.location((key,), key=True), key, _("a regulation id uses lowercase letters, digits and '-', e.g. pp-28-2018")))
            continue
        try:
            rows[key] = Regulation.model_validate(value)
        except ValidationError as exc:
            problems += pydantic_problems(exc, doc, Regulation, prefix=(key,))
    return rows


def table_problems(ws: Workspace) -> list[Problem]:
    """A workspace row whose repealed_by names no regulation of the table."""
    if ws.regulations_doc is None:
        return []
    from .records import did_you_mean

    problems = []
    for key, reg in ws.regulations.items():
        if reg.repealed_by and reg.repealed_by not in ws.regulations and key in (ws.regulations_doc.data or {}):
            problems.append(Problem(ws.regulations_doc.location((key, "repealed_by")), f"{key}.repealed_by",
                                    _("no regulation '{id}' in the table{hint}").format(id=reg.repealed_by, hint=did_you_mean(reg.repealed_by, ws.regulations))))
    return problems


def repealed_on(table: Table, reg: Regulation) -> dt.date | None:
    """The day reg stopped being law: when the regulation that repealed it took effect."""
    if reg.repealed_by is None or reg.repealed_by not in table:
        return None
    return table[reg.repealed_by].effective


def lookup(table: Table, c: Citation) -> tuple[str, Regulation] | None:
    for key, reg in table.items():
        if (reg.kind, reg.number, reg.year) == (c.kind, c.number, c.year):
            return key, reg
    return None


def _governs(g: Governs, types: list[str], document: str) -> bool:
    """Whether g covers these party types and document type ("*": any document type)."""
    if g.documents and document != "*" and document not in g.documents:
        return False
    pool = list(types)
    for t in g.parties:
        if t not in pool:
            return False
        pool.remove(t)
    return True


def applicable(table: Table, date: dt.date, types: list[str], document: str) -> list[tuple[str, Regulation]]:
    """The regulations in force on date that govern an agreement of document type between these party types."""
    out = []
    for key, reg in table.items():
        gone = repealed_on(table, reg)
        if reg.effective <= date and (gone is None or date < gone) and any(_governs(g, types, document) for g in reg.governs):
            out.append((key, reg))
    return sorted(out, key=lambda kr: (list(KINDS).index(kr[1].kind), kr[1].year, kr[1].number))


def party_types(ws: Workspace, m: model.Mou) -> list[str] | None:
    """The types of the MoU's parties, or None while a party does not resolve."""
    if any(p.party not in ws.parties for p in m.parties):
        return None
    return [ws.parties[p.party].model.type for p in m.parties]


def expected(ws: Workspace, m: model.Mou) -> list[tuple[str, Regulation]]:
    types = party_types(ws, m)
    return [] if types is None else applicable(ws.regulations, m.signing.date, types, m.document_type)


def _cited(rec: Record) -> Iterable[tuple[int, Citation]]:
    for i, text in enumerate(rec.model.recitals):
        if len(text) > MAX_TEXT_CHARS:
            continue  # fails its size limit, alone, when rendered
        for c in find_citations(text):
            yield i, c


def _problem(rec: Record, i: int, message: str) -> Problem:
    path = ("recitals", i)
    return Problem(rec.location(*path), format_path(path), message)


def citation_errors(ws: Workspace, rec: Record) -> list[Problem]:
    """Errors: a recital of rec cites a regulation that did not exist on the signing date."""
    signed = rec.model.signing.date
    problems = []
    for i, c in _cited(rec):
        found = lookup(ws.regulations, c)
        if found is not None:
            key, reg = found
            if reg.enacted > signed:
                problems.append(_problem(rec, i, _("cites {citation}, enacted {enacted}, after the signing date {signed}").format(
                    citation=c.text, enacted=reg.enacted.isoformat(), signed=signed.isoformat())))
        elif c.year > signed.year:
            problems.append(_problem(rec, i, _("cites {citation}, a regulation of {year}, after the signing date {signed}").format(
                citation=c.text, year=c.year, signed=signed.isoformat())))
    return problems


def repealed_citations(ws: Workspace, rec: Record) -> Iterable[Problem]:
    """Advice on one MoU: a recital cites a regulation already repealed on the signing date."""
    signed = rec.model.signing.date
    for i, c in _cited(rec):
        found = lookup(ws.regulations, c)
        if found is None:
            continue
        key, reg = found
        gone = repealed_on(ws.regulations, reg)
        if gone is not None and gone <= signed:
            new = ws.regulations[reg.repealed_by]
            yield _problem(rec, i, _("cites {citation}, repealed by {new} in force since {since}; cite {cite}").format(
                citation=c.text, new=new.short(), since=gone.isoformat(), cite=new.cited()))


def missing_legal_basis(ws: Workspace, rec: Record) -> Iterable[Problem]:
    """Advice on one MoU: it cites no regulation at all (unless its basis is generated)."""
    m: model.Mou = rec.model
    if m.legal_basis == "auto" and expected(ws, m):
        return
    if any(True for _c in _cited(rec)):
        return
    wanted = expected(ws, m)
    types = party_types(ws, m) or []
    if wanted:
        names = "; ".join(reg.cited() for _key, reg in wanted)
        message = _("cites no legal basis; for {parties} on {date} the regulation table expects: {names} (cite them in a recital, or set legal_basis: auto)").format(
            parties=" + ".join(types), date=m.signing.date.isoformat(), names=names)
    else:
        message = _("cites no legal basis, and the regulation table has none for {parties} on {date}; cite one in a recital or add it to records/regulations.yaml").format(
            parties=" + ".join(types), date=m.signing.date.isoformat())
    path = ("recitals",) if m.recitals else ("signing", "date")
    yield Problem(rec.doc.location(path, key=bool(m.recitals)), format_path(path), message)


def document_types(ws: Workspace, rec: Record) -> Iterable[Problem]:
    """Advice on one MoU: a regulation in force governs these parties only through other document types
    (PP 28/2018 Pasal 46: a Pemda and a ministry sign a Nota Kesepakatan)."""
    m: model.Mou = rec.model
    types = party_types(ws, m)
    if types is None:
        return
    for _key, reg in applicable(ws.regulations, m.signing.date, types, "*"):
        if any(_governs(g, types, m.document_type) for g in reg.governs):
            continue
        docs = sorted({d for g in reg.governs if _governs(g, types, "*") for d in g.documents})
        if docs:
            yield Problem(rec.location("document_type"), "document_type",
                          _("{regulation} (in force since {since}) makes an agreement between {parties} a {documents}, not a {document}").format(
                              regulation=reg.short(), since=reg.effective.isoformat(), parties=" + ".join(types),
                              documents=_(" or ").join(docs), document=m.document_type))


def basis_recital(ws: Workspace, m: model.Mou) -> str | None:
    """With legal_basis: auto, the recital naming what the table expects and the recitals do not cite yet."""
    if m.legal_basis != "auto":
        return None
    cited = {(c.kind, c.number, c.year) for text in m.recitals for c in find_citations(text)}
    missing = [reg for _, reg in expected(ws, m) if (reg.kind, reg.number, reg.year) not in cited]
    if not missing:
        return None
    names = [reg.cited() for reg in missing]
    # join_list would pick "serta" for titles holding "dan"; a list of laws reads with "dan".
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])}{',' if len(names) > 2 else ''} dan {names[-1]}"
    return f"bahwa kerja sama ini dilaksanakan berdasarkan {joined}"
