"""`dokgen import FILE --into ...`: check the whole sheet against the records, then write every record or none.

Reading, checking and composing the new record texts happen before anything is written;
any problem raises ProblemsError (with every problem at its cell) and the workspace is
untouched. The records are written through yamlsave, so comments, key order and the way
each unchanged value was written stay as the clerk left them.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from .. import model
from ..errors import DokgenError, Location, Problem, ProblemsError
from ..files import FileRefused, read_regular, shown
from ..i18n import N_, _
from ..yamlfile import MAX_FILE_BYTES, YamlDoc, YamlProblems, read_yaml
from .checking import (Locator, Sheet, check_version, hidden_note, lab_with_units, limit_problems, match_sheet, merged,
                       model_problems, party_cells, read_parties, read_units)
from .layout import IDEAS, PARTIES
from .reading import read_tables


@dataclass
class Change:
    """One record file and the text the import gives it."""

    path: Path
    rel: str
    old_text: str | None
    new_text: str
    version: str | None  # sha256 of the bytes read; the save refuses a file changed since

    @property
    def status(self) -> str:
        return "new" if self.old_text is None else ("changed" if self.old_text != self.new_text else "unchanged")

    def diff(self) -> str:
        old = (self.old_text or "").splitlines(keepends=True)
        return "".join(difflib.unified_diff(old, self.new_text.splitlines(keepends=True),
                                            "/dev/null" if self.old_text is None else self.rel, self.rel))


STATUSES = {"new": N_("new"), "changed": N_("changed"), "unchanged": N_("unchanged")}  # of a record file


@dataclass
class ImportResult:
    kind: str  # "lab" or "parties"
    source: str
    target: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False

    def summary(self) -> str:
        if self.kind == "lab":
            said = (_("imported {source} into {target}: {units} units, {ideas} ideas "
                      "(before: {units_before} units, {ideas_before} ideas); the record is {change}") if self.written else
                    _("would import {source} into {target}: {units} units, {ideas} ideas "
                      "(before: {units_before} units, {ideas_before} ideas); the record is {change}"))
            return said.format(source=self.source, target=self.target, change=_(STATUSES[self.changes[0].status]), **self.counts)
        by = {s: [c.path.stem for c in self.changes if c.status == s] for s in STATUSES}
        listed = "; ".join(f"{len(ids)} {_(STATUSES[s])}" + (f" ({', '.join(ids[:8])}{', ...' if len(ids) > 8 else ''})" if ids and s != "unchanged" else "")
                           for s, ids in by.items())
        said = (_("imported {source} into {target}: {count} parties: {listed}") if self.written else
                _("would import {source} into {target}: {count} parties: {listed}"))
        return said.format(source=self.source, target=self.target, count=len(self.changes), listed=listed)


def target_kind(into: Path) -> str:
    """'lab' for records/labs/<id>.yaml, 'parties' for records/parties/."""
    if into.suffix == ".yaml" and into.parent.name == "labs":
        return "lab"
    if into.name == "parties" and into.suffix == "":
        return "parties"
    raise DokgenError(_("--into names a lab record (records/labs/<id>.yaml) or the parties folder (records/parties/), not {into}")
                      .format(into=shown(str(into))))


def import_sheet(workspace: Path, file: Path, into: Path, *, write: bool = True, annotate: Path | None = None,
                 name: str | None = None) -> ImportResult:
    """Import FILE into the records; ProblemsError (nothing written) on any problem.

    With annotate, a problem also writes a copy of the sheet with the problem cells
    marked there. write=False is --dry-run: everything is checked, nothing written.
    name is the file's name in messages (an upload's own name rather than its temporary file).
    """
    kind = target_kind(into)
    source = shown(name or str(file))
    target = _confined(workspace, into, kind)
    tables = read_tables(file, source)
    problems: list[Problem] = []
    check_version(tables, source, problems)
    spec = IDEAS if kind == "lab" else PARTIES
    sheet = match_sheet(tables, spec, source, problems)
    result = ImportResult(kind, source, shown(str(into)))
    if sheet is not None:
        result.notes += sheet.notes
        (_lab if kind == "lab" else _parties)(sheet, target, shown(str(into)), result, problems)
        note = hidden_note(sheet)
        if note:
            result.notes.append(note)
    if problems:
        error = ProblemsError(problems)
        if annotate is not None:
            from .writing import annotate_copy

            annotate_copy(file, tables, error.problems, annotate)
            error.annotated = annotate  # type: ignore[attr-defined]
        raise error
    if write:
        _save(workspace, result.changes)
        result.written = True
    return result


def _confined(workspace: Path, into: Path, kind: str) -> Path:
    """The target inside this workspace's records/ (never a file elsewhere that happens to sit in a labs/ folder)."""
    target = into if into.is_absolute() else workspace / into
    folder = (workspace / "records" / ("labs" if kind == "lab" else "parties")).resolve()
    inside = target.parent.resolve() == folder if kind == "lab" else target.resolve() == folder
    if not inside or (kind == "lab" and not model.ID_PATTERN.match(target.stem)):
        where = "records/labs/<id>.yaml" if kind == "lab" else "records/parties/"
        raise DokgenError(_("--into {into} is not {where} of the workspace {workspace}; use -C to name the workspace")
                          .format(into=shown(str(into)), where=where, workspace=shown(str(workspace))))
    return target


def read_record(path: Path, rel: str, problems: list[Problem]) -> tuple[str, YamlDoc, str] | None:
    """Text, parsed document and version of one record file; None (with problems) when unreadable."""
    try:
        raw = read_regular(path, MAX_FILE_BYTES, "a record")
    except FileNotFoundError:
        raise
    except FileRefused as exc:
        problems.append(Problem(Location(rel, 1, 1), "", _("not read: {reason}").format(reason=exc.strerror)))
        return None
    except OSError as exc:
        problems.append(Problem(Location(rel, 1, 1), "", _("cannot read: {reason}").format(reason=exc.strerror)))
        return None
    try:
        doc = read_yaml(raw, rel)
    except YamlProblems as exc:
        problems += exc.problems
        return None
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.location(()), "", _("a record is a mapping of fields (name: value); fix the file first")))
        return None
    return raw.decode("utf-8-sig"), doc, hashlib.sha256(raw).hexdigest()  # the version yamlsave.file_version gives


def _compose(old_text: str | None, old_data: dict | None, data: dict, rel: str, where: Location, header: str,
             problems: list[Problem]) -> str | None:
    from ..yamlsave import RoundTripError, new_text, update_text

    if old_text is not None and data == old_data:
        return old_text  # nothing changed: the round-trip writer (seconds for 5,000 ideas) is not needed
    try:
        return new_text(data, header=header, source=rel) if old_text is None else update_text(old_text, data, source=rel)
    except RoundTripError as exc:
        problems.append(Problem(where, exc.field, str(exc.args[0])))
        return None


def _lab(sheet: Sheet, path: Path, rel: str, result: ImportResult, problems: list[Problem]) -> None:
    try:
        read = read_record(path, rel, problems)
    except FileNotFoundError:
        raise DokgenError(_("no lab record {rel}; write the lab's record first (its title, period, stages...), then import its units").format(rel=rel)) from None
    rows = read_units(sheet, problems)
    if not rows.items and not problems:  # an empty sheet would silently remove every unit
        problems.append(Problem(sheet.at(0), "", _("no units below the headers; nothing to import (to remove every unit, "
                                                   "delete units: from {rel} itself)").format(rel=rel)))
    if read is None:
        return
    text, doc, version = read
    old_units = doc.data.get("units") if isinstance(doc.data.get("units"), list) else []
    result.counts = {"units": len(rows.items), "ideas": sum(len(u["ideas"]) for u in rows.items), "units_before": len(old_units),
                     "ideas_before": sum(len(u.get("ideas") or []) for u in old_units if isinstance(u, dict))}
    data = lab_with_units(doc.data, rows.items)
    locator = Locator(doc, sheet.source, rows.cells)
    lab, found = model_problems(data, model.Lab, locator, sheet)
    problems += found
    if lab is None:
        return
    problems += limit_problems("lab", lab, locator)
    if problems:
        return  # composing the text is the slow part: only for a sheet that will be written
    new = _compose(text, doc.data, data, rel, sheet.at(0), "", problems)
    if new is not None:
        result.changes.append(Change(path, rel, text, new, version))


def _parties(sheet: Sheet, folder: Path, rel: str, result: ImportResult, problems: list[Problem]) -> None:
    if not folder.is_dir():
        raise DokgenError(_("no folder {rel}; run dokgen in a workspace (or give -C), the folder records/parties/ holds the parties").format(rel=rel))
    rows = read_parties(sheet, problems)
    if not rows.items and not problems:
        problems.append(Problem(sheet.at(0), "", _("no parties below the headers; nothing to import")))
    for row, fields in zip(rows.rows, rows.items):
        party_id = fields.pop("_id")
        path = folder / f"{party_id}.yaml"
        file_rel = f"{rel.rstrip('/')}/{party_id}.yaml"
        cells = party_cells(sheet, row)
        try:
            read = read_record(path, file_rel, problems)
        except FileNotFoundError:
            read = (None, None, None)
        if read is None:
            continue
        text, doc, version = read
        data = merged(doc.data if doc is not None else None, fields)
        party, found = model_problems(data, model.Party, Locator(doc, sheet.source, cells), sheet)
        problems += found
        if party is None or problems:
            continue
        new = _compose(text, doc.data if doc is not None else None, data, file_rel, cells[()], f"Pihak: {party.name}", problems)
        if new is not None:
            result.changes.append(Change(path, file_rel, text, new, version))


def _save(workspace: Path, changes: list[Change]) -> None:
    """Write the changed records under the workspace's lock, each atomically; a file changed meanwhile stops the import."""
    from ..lock import BuildLock
    from ..yamlsave import VersionConflict, file_version, save_text

    todo = [c for c in changes if c.status != "unchanged"]
    if not todo:
        return
    with BuildLock(workspace / "out"):
        for c in todo:  # checked for all first, so a conflict found late does not leave half an import
            if c.old_text is not None and file_version(c.path) != c.version:
                raise DokgenError(_("changed on disk while the sheet was imported; nothing was written, import again"), Location(c.rel))
            if c.old_text is None and c.path.exists():
                raise DokgenError(_("was created while the sheet was imported; nothing was written, import again"), Location(c.rel))
        for c in todo:
            try:
                save_text(c.path, c.new_text, expected_version=c.version, create=c.old_text is None)
            except VersionConflict as exc:
                raise DokgenError(str(exc), Location(c.rel)) from None
            except OSError as exc:
                raise DokgenError(_("cannot be written: {reason}").format(reason=exc.strerror), Location(c.rel)) from None
