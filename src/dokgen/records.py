"""Load a workspace's records/: read every file, validate it, resolve references.

All problems of all files are collected before anything is reported, so a user fixes a
whole batch of typos in one pass; `load_workspace` raises one ProblemsError with them.
"""

from __future__ import annotations

import difflib
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from . import model
from .errors import DokgenError, Location, Problem, ProblemsError
from .i18n import _
from .files import MAX_LOGO_BYTES, FileRefused, check_regular, litter, read_regular, shown
from .yamlfile import MAX_FILE_BYTES, YamlDoc, YamlProblems, format_path, read_yaml

if TYPE_CHECKING:
    from .cache import RecordCache

# folder under records/ -> (kind, model)
KINDS: dict[str, tuple[str, type[BaseModel]]] = {
    "parties": ("party", model.Party),
    "mou": ("mou", model.Mou),
    "labs": ("lab", model.Lab),
    "press": ("press", model.Press),
}
SCOPES_FILE = "scopes.yaml"
REGULATIONS_FILE = "regulations.yaml"  # extends dokgen's regulation table (law.py)
REGISTER_FILE = "register.yaml"  # the register's settings: verification URL, numbering (register.py)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


@dataclass
class Record:
    """One validated record: its kind, id (the file stem), model and source positions."""

    kind: str
    id: str
    model: Any
    doc: YamlDoc
    # Its file is ASCII without a backslash, so every text in it is ASCII (a YAML escape is
    # the only way to write another character in ASCII): the Word font check passes it over.
    ascii: bool = False

    @property
    def source(self) -> str:
        return self.doc.source

    def location(self, *path: str | int) -> Location:
        return self.doc.location(path)


@dataclass
class Workspace:
    """Every validated record of one workspace, by kind and id."""

    root: Path
    parties: dict[str, Record] = field(default_factory=dict)
    scopes: dict[str, model.Scope] = field(default_factory=dict)
    scopes_doc: YamlDoc | None = None
    mou: dict[str, Record] = field(default_factory=dict)
    labs: dict[str, Record] = field(default_factory=dict)
    press: dict[str, Record] = field(default_factory=dict)
    regulations: dict[str, Any] = field(default_factory=dict)
    """The regulation table (law.Regulation by id): dokgen's rows, then the workspace's."""
    regulations_doc: YamlDoc | None = None
    register: model.RegisterSettings = field(default_factory=model.RegisterSettings)
    register_doc: YamlDoc | None = None
    invalid: set[tuple[str, str]] = field(default_factory=set)
    """(kind, id) of record files that exist but failed validation: not "unknown" ids."""
    notes: list[str] = field(default_factory=list)
    """Informational lines for the user, e.g. system litter skipped in records/."""

    def by_kind(self, kind: str) -> dict[str, Record]:
        return {"party": self.parties, "mou": self.mou, "lab": self.labs, "press": self.press}[kind]

    def records(self) -> list[Record]:
        return [*self.parties.values(), *self.mou.values(), *self.labs.values(), *self.press.values()]


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' when a choice is close to word, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return _(" (did you mean '{choice}'?)").format(choice=close[0]) if close else ""


def load_workspace(root: Path, cache: RecordCache | None = None) -> Workspace:
    """Read and validate every record under root/records; raise ProblemsError on any problem.

    With a cache (cache.RecordCache), a record file whose bytes were validated before is
    taken from it instead of being parsed and validated again; the caller saves the cache.
    """
    ws, problems = read_workspace(root, cache)
    if problems:
        raise ProblemsError(problems)
    return ws


def read_workspace(root: Path, cache: RecordCache | None = None) -> tuple[Workspace, list[Problem]]:
    """Like load_workspace, but return the valid records with every problem instead of raising.

    `dokgen serve` shows a workspace with problems in some files: the rest stay usable.
    """
    root = Path(root)
    ws = Workspace(root)
    problems: list[Problem] = []
    records_dir = root / "records"
    if not records_dir.is_dir():
        raise DokgenError(_("{root}: no records/ folder here; run `dokgen init DIR` to make a workspace, or use -C to point at one").format(root=root))

    with collector_paused():
        _read_records(ws, records_dir, problems, cache)
    if ws.regulations_doc is None:
        from .law import shipped_table

        ws.regulations = dict(shipped_table())
    problems += check_references(ws, cache)
    return ws, problems


def collector_paused():
    """The collector paused while records are made (collector.paused): a thousand records are
    some 200,000 objects that live as long as the workspace (a third of the time of loading
    cached records went to walking them)."""
    from .collector import paused

    return paused()


def _read_records(ws: Workspace, records_dir: Path, problems: list[Problem], cache: RecordCache | None) -> None:
    for entry in sorted(records_dir.iterdir()):
        rel = f"records/{shown(entry.name)}"
        if _skipped(ws, entry.name, rel):
            continue
        if entry.is_dir() and entry.name in KINDS:
            kind, cls = KINDS[entry.name]
            for path in sorted(entry.iterdir()):
                if not _skipped(ws, path.name, f"{rel}/{shown(path.name)}"):
                    _load_record(ws, kind, cls, path, f"{rel}/{shown(path.name)}", problems, cache)
        elif entry.name == SCOPES_FILE:
            _load_scopes(ws, entry, rel, problems)
        elif entry.name == REGULATIONS_FILE:
            _load_regulations(ws, entry, rel, problems)
        elif entry.name == REGISTER_FILE:
            _load_register_settings(ws, entry, rel, problems)
        else:
            expected = ", ".join([*(f"{k}/" for k in KINDS), SCOPES_FILE, REGULATIONS_FILE, REGISTER_FILE])
            hint = did_you_mean(entry.name, [*KINDS, SCOPES_FILE, REGULATIONS_FILE, REGISTER_FILE])
            problems.append(Problem(Location(rel, 1, 1), "", _("not a record folder{hint}; records/ holds {expected}").format(hint=hint, expected=expected)))


def _skipped(ws: Workspace, name: str, rel: str) -> bool:
    """True for files that are not records: editor backups and hidden files silently,
    system and Office litter (Thumbs.db, ~$ lock files...) with a note."""
    what = litter(name)
    if what:
        ws.notes.append(_("skipped {path}: {what}, not a record").format(path=rel, what=_(what)))
        return True
    return name.startswith(".") or name.endswith("~")


def _read(path: Path, rel: str, problems: list[Problem]) -> YamlDoc | None:
    raw = _read_bytes(path, rel, problems)
    return None if raw is None else _parse(raw, rel, problems)


def _read_bytes(path: Path, rel: str, problems: list[Problem]) -> bytes | None:
    try:
        return read_regular(path, MAX_FILE_BYTES, "a record")
    except FileRefused as exc:
        problems.append(Problem(Location(rel, 1, 1), "", _("not read: {reason}").format(reason=exc.strerror)))
    except OSError as exc:
        problems.append(Problem(Location(rel, 1, 1), "", _("cannot read: {reason}").format(reason=exc.strerror)))
    return None


def _parse(raw: bytes, rel: str, problems: list[Problem]) -> YamlDoc | None:
    try:
        return read_yaml(raw, rel)
    except YamlProblems as exc:
        problems += exc.problems
    return None


def _load_record(ws: Workspace, kind: str, cls: type[BaseModel], path: Path, rel: str, problems: list[Problem],
                 cache: RecordCache | None = None) -> None:
    if path.suffix != ".yaml" or path.is_dir():
        problems.append(Problem(Location(rel, 1, 1), "", _("records are .yaml files; rename it or move it out of records/")))
        return
    if not model.ID_PATTERN.match(path.stem):
        problems.append(Problem(Location(rel, 1, 1), "", _("file name '{name}' is not a valid id: use lowercase letters, digits and '-' (e.g. pemkot-pontianak.yaml)").format(name=shown(path.stem))))
        return
    if path.stem in model.RESERVED_IDS:
        problems.append(Problem(Location(rel, 1, 1), "", _("file name '{name}' is a device name on Windows; choose another id").format(name=path.stem)))
        return
    ws.invalid.add((kind, path.stem))  # until it validates below
    if cache is not None:
        # the digest the build's first pass read, if the file is unchanged since: not read again
        known = cache.unchanged(rel, path)
        if known is not None and _from_cache(ws, cache, rel, known, kind, path.stem):
            return
    raw = _read_bytes(path, rel, problems)
    if raw is None:
        return
    if cache is not None:
        from .cache import sha256

        digest = sha256(raw)
        if _from_cache(ws, cache, rel, digest, kind, path.stem):
            return
    doc = _parse(raw, rel, problems)
    if doc is None:
        return
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.location(()), "", _("a {kind} record is a mapping of fields (name: value), not {what}").format(kind=kind, what=_describe(doc.data))))
        return
    try:
        record_model = cls.model_validate(doc.data)
    except ValidationError as exc:
        problems += pydantic_problems(exc, doc, cls)
        return
    ws.by_kind(kind)[path.stem] = Record(kind, path.stem, record_model, doc, raw.isascii() and b"\\" not in raw)
    ws.invalid.discard((kind, path.stem))
    if cache is not None:
        cache.keep(rel, digest, ws.by_kind(kind)[path.stem])


def _from_cache(ws: Workspace, cache: RecordCache, rel: str, digest: str, kind: str, rec_id: str) -> bool:
    """Take the record validated before from the bytes of this digest, if the cache holds it."""
    cached = cache.record(rel, digest, kind, rec_id)
    if cached is None:
        return False
    ws.by_kind(kind)[rec_id] = cached
    ws.invalid.discard((kind, rec_id))
    return True


def _load_scopes(ws: Workspace, path: Path, rel: str, problems: list[Problem]) -> None:
    doc = _read(path, rel, problems)
    if doc is None:
        ws.invalid.add(("scope", "*"))  # unreadable: its own problem says why; no "no scope x" per MoU
    if doc is None or doc.data is None:
        return
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.location(()), "", _("scopes.yaml maps each scope key to {fields}").format(fields="{title, description}")))
        return
    ws.scopes_doc = doc
    for key, value in doc.data.items():
        if not model.ID_PATTERN.match(key):
            problems.append(Problem(doc.location((key,), key=True), key, _("a scope key uses lowercase letters, digits and '-'")))
            continue
        try:
            ws.scopes[key] = model.Scope.model_validate(value)
        except ValidationError as exc:
            ws.invalid.add(("scope", key))
            problems += pydantic_problems(exc, doc, model.Scope, prefix=(key,))


def _load_regulations(ws: Workspace, path: Path, rel: str, problems: list[Problem]) -> None:
    from .law import load_rows, shipped_table

    doc = _read(path, rel, problems)
    if doc is None or doc.data is None:
        return
    ws.regulations_doc = doc
    ws.regulations = {**shipped_table(), **load_rows(doc, problems)}


def _load_register_settings(ws: Workspace, path: Path, rel: str, problems: list[Problem]) -> None:
    doc = _read(path, rel, problems)
    if doc is None or doc.data is None:
        return
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.location(()), "", _("register.yaml holds verification_url and numbering, not {what}").format(what=_describe(doc.data))))
        return
    try:
        ws.register = model.RegisterSettings.model_validate(doc.data)
    except ValidationError as exc:
        problems += pydantic_problems(exc, doc, model.RegisterSettings)
        return
    ws.register_doc = doc
    own = ws.register.numbering.party if ws.register.numbering else None
    if own is not None and own not in ws.parties and ("party", own) not in ws.invalid:
        problems.append(Problem(doc.location(("numbering", "party")), "numbering.party",
                                _("no party '{id}' in records/parties/{hint}").format(id=own, hint=did_you_mean(own, ws.parties))))


def _describe(value: Any) -> str:
    if value is None:
        return _("an empty file")
    return _("a list") if isinstance(value, list) else _("a single value")


def _models_at(cls: Any, loc: tuple[str | int, ...]) -> list[type[BaseModel]]:
    """Find the model classes that describe the mapping at loc (for 'did you mean')."""
    current: list[Any] = [cls]
    for part in loc:
        nxt: list[Any] = []
        for tp in _flatten(current):
            if isinstance(part, str) and isinstance(tp, type) and issubclass(tp, BaseModel):
                f = tp.model_fields.get(part)
                if f is not None:
                    nxt.append(f.annotation)
            elif isinstance(part, int) and typing.get_origin(tp) is list:
                nxt.extend(typing.get_args(tp))
        current = nxt
    return [tp for tp in _flatten(current) if isinstance(tp, type) and issubclass(tp, BaseModel)]


def _flatten(types: list[Any]) -> list[Any]:
    out: list[Any] = []
    for tp in types:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            out += _flatten([typing.get_args(tp)[0]])
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType")):
            out += _flatten(list(typing.get_args(tp)))
        else:
            out.append(tp)
    return out


def pydantic_problems(exc: ValidationError, doc: YamlDoc, cls: type[BaseModel], prefix: tuple = ()) -> list[Problem]:
    """Translate pydantic's errors into located, plainly worded problems."""
    problems = []
    errors = exc.errors(include_url=False)
    # A typo'd key shows up twice: as an unknown key and as a missing field. Say it once,
    # at the typo ("did you mean"), where the user has to fix it. Missing fields are grouped
    # by their mapping once, so thousands of unknown keys cost linear time.
    missing: dict[tuple, list[str]] = {}
    for e in errors:
        if e["type"] == "missing":
            missing.setdefault(tuple(e["loc"][:-1]), []).append(str(e["loc"][-1]))
    typos = {(*e["loc"][:-1], close) for e in errors if e["type"] == "extra_forbidden" and tuple(e["loc"][:-1]) in missing
             for close in difflib.get_close_matches(str(e["loc"][-1]), missing[tuple(e["loc"][:-1])], n=1, cutoff=0.6)}
    known_at: dict[tuple, list[str]] = {}  # allowed field names per mapping, looked up once
    for err in errors:
        if err["type"] == "missing" and tuple(err["loc"]) in typos:
            continue
        loc = (*prefix, *(p for p in err["loc"] if p not in model.UNION_TAGS))
        kind = err["type"]
        field_path = format_path(loc)
        if kind == "extra_forbidden":
            parent = loc[len(prefix):-1]
            if parent not in known_at:
                known_at[parent] = [name for m in _models_at(cls, parent) for name in m.model_fields if name != "kind"]
            known = known_at[parent]
            hint = did_you_mean(str(loc[-1]), known)
            message = _("unknown field{hint}; allowed here: {allowed}").format(hint=hint, allowed=", ".join(known))
            location = doc.location(loc, key=True)
        elif kind == "missing":
            message = _("required field is missing")
            location = doc.location(loc[:-1], key=True)  # the line that opens the parent
        elif kind == "literal_error":
            allowed = err["ctx"]["expected"].replace("'", "")
            given = err["input"]
            choices = [c.strip() for c in allowed.replace(" or ", ", ").split(",")]
            hint = did_you_mean(str(given), choices) if isinstance(given, str) else ""
            message = _("'{value}' is not allowed{hint}; use one of: {choices}").format(value=given, hint=hint, choices=", ".join(choices))
            location = doc.location(loc)
        else:
            message = _plain_message(err)
            location = doc.location(loc)
        problems.append(Problem(location, field_path, message))
    return problems


def _plain_message(err: Any) -> str:
    kind, msg, given = err["type"], err["msg"], err.get("input")
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind in ("string_type", "model_type", "model_attributes_type", "dict_type"):
        got = _describe(given) if not isinstance(given, str) else repr(given)
        if kind == "string_type":
            return _("expected text, got {value}").format(value=got)
        return _("expected a mapping of fields, got {value}").format(value=got)
    if kind == "list_type":
        return _("expected a list (lines starting with '- ')")
    if kind == "too_short":
        return _("needs at least {count} item(s)").format(count=err["ctx"]["min_length"])
    if kind == "too_long":
        return _("may have at most {count} item(s)").format(count=err["ctx"]["max_length"])
    if kind == "greater_than_equal":
        return _("'{value}' is out of range (it must be at least {limit})").format(value=given, limit=err["ctx"]["ge"])
    if kind == "less_than_equal":
        return _("'{value}' is out of range (it must be at most {limit})").format(value=given, limit=err["ctx"]["le"])
    if kind == "string_pattern_mismatch":
        return _("'{value}' does not have the expected form ({pattern})").format(value=given, pattern=err["ctx"]["pattern"])
    if kind in ("int_parsing", "int_type"):
        return _("'{value}' is not a whole number").format(value=given)
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return _("'{value}' is not a date; write YYYY-MM-DD, e.g. 2015-11-11").format(value=given)
    return msg  # a kind no record field produces yet: pydantic's own English words


# --- cross-record checks ------------------------------------------------------------------


def _ref(ws: Workspace, rec: Record, path: tuple, target_kind: str, ref_id: str | None, problems: list[Problem]) -> None:
    if ref_id is None:
        return
    pool = ws.by_kind(target_kind)
    if ref_id in pool or (target_kind, ref_id) in ws.invalid:
        return  # an invalid target is reported in its own file already
    # a file that exists but has its own problems is still what the user meant to name
    existing = sorted({*pool, *(i for k, i in ws.invalid if k == target_kind)})
    known = ", ".join(existing) or _("none yet")
    folder = next(k for k, (kind, _) in KINDS.items() if kind == target_kind)
    problems.append(Problem(rec.location(*path), format_path(path), _("no {kind} '{id}' in records/{folder}/{hint}; known: {known}").format(
        kind=target_kind, id=ref_id, folder=folder, hint=did_you_mean(ref_id, existing), known=known)))


def check_references(ws: Workspace, cache: RecordCache | None = None, only: Record | None = None) -> list[Problem]:
    """Check every reference between records and the constraints that span fields.

    With `only`, check that one record's references and rules (`dokgen serve` checks a
    form this way; the records it names are looked up in ws as usual).
    """
    from .clauses import article_errors
    from .law import citation_errors, table_problems

    def each(records: dict[str, Record]) -> typing.Iterable[Record]:
        return records.values() if only is None else [r for r in (records.get(only.id),) if r is only]

    problems: list[Problem] = table_problems(ws) if only is None else []
    for rec in each(ws.parties):
        problems += _check_logo(ws, rec, cache)
    for rec in each(ws.mou):
        m: model.Mou = rec.model
        seen: dict[str, int] = {}
        for i, p in enumerate(m.parties):
            _ref(ws, rec, ("parties", i, "party"), "party", p.party, problems)
            if p.party in seen:
                problems.append(Problem(rec.location("parties", i, "party"), f"parties[{i}].party", _("'{party}' is already party {number}; each party signs once").format(party=p.party, number=seen[p.party] + 1)))
            seen.setdefault(p.party, i)
        for i, s in enumerate(m.scopes):
            if isinstance(s, str) and s not in ws.scopes and not {("scope", s), ("scope", "*")} & ws.invalid:
                hint = did_you_mean(s, ws.scopes)
                known = ", ".join(sorted(ws.scopes)) or _("none (records/scopes.yaml is missing or empty)")
                problems.append(Problem(rec.location("scopes", i), f"scopes[{i}]", _("no scope '{scope}' in records/scopes.yaml{hint}; known: {known}").format(scope=s, hint=hint, known=known)))
        problems += citation_errors(ws, rec) + article_errors(rec)
    for rec in each(ws.labs):
        lab: model.Lab = rec.model
        for path, kind, ref in [(("host",), "party", lab.host), (("organizer",), "party", lab.organizer), (("mou",), "mou", lab.mou)]:
            _ref(ws, rec, path, kind, ref, problems)
        for i, f in enumerate(lab.facilitators):
            _ref(ws, rec, ("facilitators", i, "institution"), "party", f.institution, problems)
        problems += _check_lab(rec, lab)
    for rec in each(ws.press):
        pr: model.Press = rec.model
        _ref(ws, rec, ("mou",), "mou", pr.mou, problems)
        _ref(ws, rec, ("lab",), "lab", pr.lab, problems)
        for i, q in enumerate(pr.quotes):
            if isinstance(q.speaker, str):
                _ref(ws, rec, ("quotes", i, "speaker"), "party", q.speaker, problems)
        problems += _check_quote_verbs(rec, pr)
    return problems


def _check_quote_verbs(rec: Record, pr: model.Press) -> list[Problem]:
    """'imbuhnya' goes on from the quote just before, by the same speaker; anything else
    would put words in the wrong mouth or open a speaker's words with an afterthought."""
    problems = []
    opening = ", ".join(model.QUOTE_VERBS_OPENING[:5])
    for i, q in enumerate(pr.quotes):
        if q.verb not in model.QUOTE_VERBS_CONTINUING:
            continue
        if i == 0 or pr.quotes[i - 1].speaker != q.speaker:
            if i == 0:
                message = _("'{verb}' only continues the same speaker's previous quote, and it opens the quotes; use {opening}")
            else:
                message = _("'{verb}' only continues the same speaker's previous quote, and {previous} is by another speaker; use {opening}")
            problems.append(Problem(rec.location("quotes", i, "verb"), f"quotes[{i}].verb",
                                    message.format(verb=q.verb, previous=f"quotes[{i - 1}]", opening=opening)))
    return problems


def _check_lab(rec: Record, lab: model.Lab) -> list[Problem]:
    problems = []

    def add(path: tuple, message: str) -> None:
        problems.append(Problem(rec.location(*path), format_path(path), message))

    if lab.period.end < lab.period.start:
        add(("period", "end"), _("ends before it starts"))
    order = [s.stage for s in lab.stages]
    for i, s in enumerate(lab.stages):
        if order.index(s.stage) != i:
            add(("stages", i, "stage"), _("'{stage}' is listed twice; list each stage once").format(stage=s.stage))
        if s.status == "done" and (s.dates is None or s.summary is None):
            add(("stages", i), _("a stage that is done needs its dates and a summary"))
        if s.dates is not None:
            if s.dates.end < s.dates.start:
                add(("stages", i, "dates", "end"), _("ends before it starts"))
            if s.status == "done" and not (lab.period.start <= s.dates.start and s.dates.end <= lab.period.end):
                add(("stages", i, "dates"), _("a stage held in this lab falls within its period"))
    if order != sorted(order, key=model.STAGES.index):
        add(("stages",), _("list the stages in 5D order: {stages}").format(stages=", ".join(model.STAGES)))
    _check_stage_dates(lab, add)
    return problems


def _check_stage_dates(lab: model.Lab, add: typing.Callable[[tuple, str], None]) -> None:
    """Statuses and dates that cannot both be true, and stages dated out of 5D order."""
    report = lab.report.date.isoformat()
    latest: tuple[int, model.Stage] | None = None  # the latest-starting earlier dated stage
    indexed = sorted(enumerate(lab.stages), key=lambda e: model.STAGES.index(e[1].stage))
    for i, s in indexed:
        if s.dates is None:
            continue
        start = s.dates.start.isoformat()
        if s.status == "done" and s.dates.start > lab.report.date:
            add(("stages", i, "status"), _("cannot be done on the report date ({report}): the stage starts on {start}; mark it planned").format(report=report, start=start))
        if s.status == "in-progress" and s.dates.start > lab.report.date:
            add(("stages", i, "status"), _("cannot be in progress on the report date ({report}): the stage starts on {start}; mark it planned").format(report=report, start=start))
        if s.status == "planned" and s.dates.start < lab.period.start:
            add(("stages", i, "dates", "start"), _("a planned stage cannot lie before the lab starts ({start})").format(start=lab.period.start.isoformat()))
        if latest is not None and s.dates.start < latest[1].dates.start:  # type: ignore[union-attr]
            j, earlier = latest
            add(("stages", i, "dates", "start"),
                _("'{stage}' starts on {start}, before '{earlier}' ({path}) starts on {earlier_start}; the 5D stages follow one another: {stages}").format(
                    stage=s.stage, start=start, earlier=earlier.stage, path=f"stages[{j}]",
                    earlier_start=earlier.dates.start.isoformat(), stages=", ".join(model.STAGES)))  # type: ignore[union-attr]
        if latest is None or s.dates.start >= latest[1].dates.start:  # type: ignore[union-attr]
            latest = (i, s)


def _check_logo(ws: Workspace, rec: Record, cache: RecordCache | None = None) -> list[Problem]:
    logo = rec.model.logo
    if logo is None:
        return []
    where = rec.location("logo")

    def problem(message: str) -> list[Problem]:
        return [Problem(where, "logo", message)]

    if os.path.isabs(logo) or "\\" in logo:
        return problem(_("give the path relative to the workspace, e.g. assets/logo.png"))
    root = ws.root.resolve()
    path = (ws.root / logo).resolve()
    if not path.is_relative_to(root):
        return problem(_("'{logo}' is outside the workspace; copy the image into assets/").format(logo=logo))
    try:
        check_regular(path, path.stat(), MAX_LOGO_BYTES, "a logo")
    except FileNotFoundError:
        return problem(_("'{logo}' does not exist{twin}").format(logo=logo, twin=_decomposed_twin(path)))
    except OSError as exc:  # a named pipe or device would hang every render; a huge file exhaust memory
        return problem(_("'{logo}' cannot be used: {reason}").format(logo=logo, reason=exc.strerror))
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return problem(_("'{logo}' is not a PNG or JPEG image").format(logo=logo))
    try:
        digest = _logo_digest(path) if cache is not None else None
        if digest is not None and cache.passed("logo", digest):  # these very bytes passed before
            return []
        from .images import LogoError, clean_logo  # Pillow only when a record has a logo

        try:
            clean_logo(path)  # decoded and converted now, so the render cannot fail on it
        except LogoError as exc:
            return problem(f"'{logo}' {exc}")  # LogoError's words are translated where raised
        if digest is not None and digest == _logo_digest(path):  # unchanged while it was checked
            cache.keep_passed("logo", digest)
    except OSError as exc:
        return problem(_("'{logo}' cannot be read: {reason}").format(logo=logo, reason=exc.strerror))
    return []


def _logo_digest(path: Path) -> str:
    from .cache import sha256

    return sha256(read_regular(path, MAX_LOGO_BYTES, "a logo"))


def _decomposed_twin(path: Path) -> str:
    """Name a file beside path whose name differs only in Unicode form (macOS writes NFD names)."""
    import unicodedata

    try:
        twins = [p.name for p in path.parent.iterdir() if p.name != path.name and unicodedata.normalize("NFC", p.name) == path.name]
    except OSError:
        return ""
    return _("; the folder holds {name}, the same name with decomposed accents (as macOS writes them): rename that file").format(name=repr(twins[0])) if twins else ""
