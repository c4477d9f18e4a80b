"""The validated record model: field names follow spec/records.md exactly.

Every scalar arrives as text (see yamlfile.py); a field becomes a number or a date only
where a type below says so. Unknown keys are refused: in hand-written records they are
nearly always typos.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, field_validator

from .characters import normalise
from .i18n import _

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
# Names Windows reserves for devices: out\mou\con.docx would be the console, not a file.
RESERVED_IDS = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))})
YEARS = (1900, 2100)
STAGES = ("drum-up", "diagnose", "design", "deliver", "display")


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError(_("must not be empty"))
    # NFC again here: a model built in code, not read by yamlfile, must store what it prints.
    return normalise(value.strip())


def _record_id(value: str) -> str:
    if value in RESERVED_IDS:
        raise ValueError(_("'{value}' is a device name on Windows; choose another id").format(value=value))
    if not ID_PATTERN.match(value):
        raise ValueError(_("'{value}' is not an id: use lowercase letters, digits and '-', starting with a letter or digit (at most 80)").format(value=value))
    return value


def _iso_date(value: object) -> object:
    # Only ISO dates: '11/11/2015' or a number must not be guessed at.
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(_("'{value}' is not a date; write YYYY-MM-DD, e.g. 2015-11-11").format(value=value))
        try:
            date = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_("'{value}' is not a real date").format(value=value)) from None
        # Records are of the Republic's administration; a year outside this range is a typo
        # (0999 for 1999), and Word's core.xml and the PDF's dates need four-digit years.
        if not YEARS[0] <= date.year <= YEARS[1]:
            raise ValueError(_("'{value}' is outside the years dokgen accepts ({first}-{last}); check the year").format(value=value, first=YEARS[0], last=YEARS[1]))
        return date
    return value


def _whole_number(value: object) -> object:
    if isinstance(value, str) and not re.fullmatch(r"\d{1,4}", value.strip()):
        raise ValueError(_("'{value}' is not a whole number").format(value=value))
    return value


def _nip(value: str) -> str:
    from .indonesian import check_nip  # keeps Babel/num2words off the import path of the CLI

    return check_nip(value)


Text = Annotated[str, AfterValidator(_text)]
RecordId = Annotated[str, AfterValidator(_record_id)]
Date = Annotated[dt.date, BeforeValidator(_iso_date)]
Count = Annotated[int, BeforeValidator(_whole_number)]
Nip = Annotated[str, AfterValidator(_nip)]

# A register's verification code: two groups of four from an alphabet without 0/O, 1/I/L
# (register.CODE_ALPHABET), so a code read off paper is typed back right.
CODE_PATTERN = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


def _code(value: str) -> str:
    if not CODE_PATTERN.match(value):
        raise ValueError(_("'{value}' is not a verification code (XXXX-XXXX, written by dokgen issue); remove it and run dokgen issue").format(value=value))
    return value


Code = Annotated[str, AfterValidator(_code)]


class Model(BaseModel):
    # defer_build: a model's validator is built when a record of it is first validated, not
    # at import; a rebuild that takes every record from the cache builds none (~40 ms each process)
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True)


# --- party -----------------------------------------------------------------------------

PartyType = Literal["pemerintah-daerah", "kementerian-lembaga", "perguruan-tinggi", "badan-usaha", "lainnya"]


# An acting status typed into the position would print twice or not in capitals with the
# rest of the signature block; it belongs in `acting`.
_ACTING_WORDS = re.compile(r"(pj|plt|plh|penjabat|pelaksana\s+(tugas|harian))\b\.?", re.IGNORECASE)
ACTING = ("pj", "plt", "plh")


def _position(value: str) -> str:
    found = _ACTING_WORDS.match(value)
    if found:
        rest = value[found.end():].strip(" .") or "..."
        raise ValueError(_("'{word}' is an acting status: write acting: {key} and position: {rest}").format(word=found[0], key=_acting_key(found[0]), rest=rest))
    return value


def _acting_key(word: str) -> str:
    word = " ".join(word.lower().rstrip(".").split())
    return {"penjabat": "pj", "pelaksana tugas": "plt", "pelaksana harian": "plh"}.get(word, word)


class Signatory(Model):
    name: Text
    title_prefix: Text | None = None
    """Front titles written before the name without a comma: `Dr.`, `H.`"""
    title_suffix: Text | None = None
    """Back titles written after a comma: `S.H., M.Hum.`"""
    position: Annotated[Text, AfterValidator(_position)]
    nip: Nip | None = None
    acting: Literal[ACTING] | None = None  # type: ignore[valid-type]
    """Penjabat, Pelaksana Tugas or Pelaksana Harian of the position (Permendagri 1/2023)."""
    appointment: Text | None = None
    """The basis of the signer's authority: the appointing decree, or a PT's akta and pengesahan."""


class Party(Model):
    kind: Literal["party"] | None = None
    name: Text
    short_name: Text
    type: PartyType
    address: Text
    logo: Text | None = None
    """Image path inside the workspace, e.g. assets/logo-pontianak.png."""
    signatory: Signatory


class Scope(Model):
    title: Text
    description: Text


# --- mou -------------------------------------------------------------------------------


class Signing(Model):
    date: Date
    city: Text
    venue: Text


class MouParty(Model):
    party: RecordId
    number: Text | None = None
    """The party's own nomor naskah; None leaves a visible blank to fill in."""


def _scope_kind(value: object) -> str:
    return "ref" if isinstance(value, str) else "inline"


ScopeRef = Annotated[
    Union[Annotated[RecordId, Tag("ref")], Annotated[Scope, Tag("inline")]],
    Discriminator(_scope_kind),
]


class ArticleText(Model):
    """An article's own wording in a record: replaces the library's, or adds an article."""

    title: Text | None = None
    ayat: list[Text] = Field(min_length=1)


def _article_kind(value: object) -> str:
    return "switch" if isinstance(value, str) else "article"


ArticleChoice = Annotated[
    Union[Annotated[Literal["on", "off"], Tag("switch")], Annotated[ArticleText, Tag("article")]],
    Discriminator(_article_kind),
]


class Mou(Model):
    kind: Literal["mou"] | None = None
    document_type: Literal["Nota Kesepahaman", "Kesepakatan Bersama", "Nota Kesepakatan"]
    subject: Text
    status: Literal["draft", "final"]
    signing: Signing
    parties: list[MouParty] = Field(min_length=2)
    recitals: list[Text] = []
    purpose: Text
    scopes: list[ScopeRef] = Field(min_length=1)
    term_years: Annotated[Count, Field(ge=1, le=99)]
    funding: Text
    paper: Literal["a4", "f4"] = "a4"
    """Paper size: A4 (default) or F4 215 x 330 mm."""
    legal_basis: Literal["cited", "auto"] = "cited"
    """cited: the recitals name the law (advice when none does); auto: a recital is generated from the regulation table."""
    articles: dict[RecordId, ArticleChoice] = {}
    """Per clause id of the library: on, off, or {title, ayat} of the record's own."""
    verification: Code | None = None
    """Written by `dokgen issue`: the register's code, shown with its QR in the signature block."""


# --- lab -------------------------------------------------------------------------------


class Period(Model):
    start: Date
    end: Date


class Facilitator(Model):
    name: Text
    institution: RecordId


class Stage(Model):
    stage: Literal[STAGES]  # type: ignore[valid-type]
    status: Literal["done", "in-progress", "planned"]
    dates: Period | None = None
    summary: Text | None = None


# How far an idea has come, in 5D order: an idea (diagnose), an action plan (design),
# launched (deliver), shown at an expo (display).
IDEA_STATUSES = ("ide", "rencana-aksi", "diluncurkan", "dipamerkan")


class Idea(Model):
    title: Text
    problem: Text
    description: Text
    status: Literal[IDEA_STATUSES] | None = None  # type: ignore[valid-type]


class Unit(Model):
    name: Text
    type: Literal["opd", "kecamatan", "kelurahan", "puskesmas", "bumd", "lainnya"]
    ideas: list[Idea] = []


class Report(Model):
    date: Date
    city: Text
    signatory: Signatory  # the report is signed like an MoU: titles, position, NIP


class Lab(Model):
    kind: Literal["lab"] | None = None
    title: Text
    locus: Text
    host: RecordId
    organizer: RecordId
    mou: RecordId | None = None
    venue: Text
    period: Period
    facilitators: list[Facilitator] = []
    stages: list[Stage] = Field(min_length=1)
    units: list[Unit] = []
    outcomes: list[Text] = []
    recommendations: list[Text] = []
    report: Report
    status: Literal["draft", "final"] = "draft"
    """final: the report is ready to sign and may be issued (registered, given a QR)."""
    verification: Code | None = None
    """Written by `dokgen issue`: the register's code, shown with its QR on the last page."""


# --- press -----------------------------------------------------------------------------


class Speaker(Model):
    name: Text
    position: Text


def _speaker_kind(value: object) -> str:
    return "ref" if isinstance(value, str) else "person"


SpeakerRef = Annotated[
    Union[Annotated[RecordId, Tag("ref")], Annotated[Speaker, Tag("person")]],
    Discriminator(_speaker_kind),
]


# Attribution verbs of news copy. Any of the first may open a speaker's words ("kata
# Sutarmidji"); the continuing ones only go on from the same speaker's previous quote
# ("imbuhnya"), which records.py checks.
QUOTE_VERBS_OPENING = ("kata", "ujar", "ungkap", "jelas", "tegas", "tutur", "ucap", "sebut", "terang")
QUOTE_VERBS_CONTINUING = ("imbuh", "tambah", "lanjut")


class Quote(Model):
    speaker: SpeakerRef
    text: Text
    verb: Literal[QUOTE_VERBS_OPENING + QUOTE_VERBS_CONTINUING] = "kata"  # type: ignore[valid-type]


class Press(Model):
    kind: Literal["press"] | None = None
    headline: Text
    dateline: Text
    date: Date
    mou: RecordId
    lab: RecordId | None = None
    quotes: list[Quote] = []
    credit: Annotated[str, Field(pattern=r"^[a-z0-9]+(/[a-z0-9]+)*$")]


# Discriminator tags that appear in pydantic error locations but are not field names.
UNION_TAGS = frozenset({"ref", "inline", "person", "switch", "article"})


# --- records/register.yaml: the workspace's register settings ------------------------------


class Numbering(Model):
    party: RecordId
    """The workspace's own party: issue fills its blank `number` in an MoU."""
    pattern: Text
    """e.g. {seq:03}/{kode}/{bulan_romawi}/{tahun}; see register.NUMBER_FIELDS."""
    kode: Text | None = None
    """The classification code of the unit, put where the pattern says {kode}."""

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        from .register import check_pattern

        return check_pattern(value)


class RegisterSettings(Model):
    verification_url: Text | None = None
    """The page a QR opens, with {code}: https://jdih.example.go.id/verifikasi/{code}; none: the QR holds DOKGEN:<code>."""
    numbering: Numbering | None = None

    @field_validator("verification_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith("https://") or value.count("{code}") != 1):
            raise ValueError(_("write an https:// address holding {code} once, e.g. https://jdih.example.go.id/verifikasi/{code}"))
        return value
