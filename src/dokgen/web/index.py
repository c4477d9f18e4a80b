"""The workspace index: which records exist, where, and what is wrong with them.

Every record the web app touches is looked up here by (kind, id); no path is ever built
from request text, so `../`, encoded slashes or absolute paths simply find nothing (404).
The index is read once and read again only when a file under records/ changed (by name,
size or mtime), so pages stay fast in a workspace of thousands of records.
"""

from __future__ import annotations

import copy
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import model
from ..errors import Location, Problem
from ..files import read_regular
from ..records import KINDS, SCOPES_FILE, Record, Workspace, pydantic_problems, read_workspace
from ..yamlfile import MAX_FILE_BYTES, YamlProblems, read_yaml

# kind -> folder under records/ (the reverse of records.KINDS); scopes live in one file
FOLDERS = {kind: folder for folder, (kind, _) in KINDS.items()}
MODELS = {kind: cls for kind, cls in KINDS.values()} | {"scope": model.Scope}
KIND_ORDER = ("mou", "lab", "press", "party", "scope")


@dataclass
class Entry:
    """One record file (or one scope of scopes.yaml) as the index knows it."""

    kind: str
    id: str
    source: str  # path relative to the workspace, e.g. records/mou/x.yaml
    path: Path
    data: Any = None  # plain data as read (None when the file could not be read)
    problems: list[Problem] = field(default_factory=list)

    @property
    def title(self) -> str:
        data = self.data if isinstance(self.data, dict) else {}
        for key in ("subject", "title", "headline", "name"):
            if isinstance(data.get(key), str):
                return data[key]
        return self.id

    @property
    def status(self) -> str:
        """`draft`/`final` for an MoU, else `ok`; `invalid` whenever the record has problems."""
        if self.problems:
            return "invalid"
        data = self.data if isinstance(self.data, dict) else {}
        return data["status"] if isinstance(data.get("status"), str) else "ok"


class WorkspaceIndex:
    """Every record of one workspace, valid or not, by (kind, id); thread-safe."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.RLock()
        self._signature: tuple | None = None
        self.entries: dict[tuple[str, str], Entry] = {}
        self.ws: Workspace | None = None
        self.notes: list[str] = []
        self.general: list[Problem] = []  # problems of no single record (a stray folder...)
        self._baseline: set[Problem] | None = None  # cross-record problems as the files stand
        self._trials: dict[tuple[str, str], tuple] = {}  # checked texts, for accept()

    # --- reading ---------------------------------------------------------------------------

    def _scan(self) -> tuple:
        records = self.root / "records"
        stats = []
        for folder in (records, *(records / f for f in KINDS)):
            try:
                with os.scandir(folder) as it:
                    for e in it:
                        if e.is_file(follow_symlinks=False):
                            st = e.stat(follow_symlinks=False)
                            stats.append((e.path, st.st_size, st.st_mtime_ns))
            except OSError:
                stats.append((str(folder), -1, -1))
        return tuple(sorted(stats))

    def refresh(self) -> "WorkspaceIndex":
        """Read the workspace again if any file under records/ changed since the last read."""
        with self._lock:
            signature = self._scan()
            if signature != self._signature:
                self._load()
                self._signature = signature
        return self

    def _load(self) -> None:
        from ..cache import RecordCache

        ws, problems = read_workspace(self.root, RecordCache(self.root / "out"))  # the cache is read, never saved here
        entries: dict[tuple[str, str], Entry] = {}
        records = self.root / "records"
        for folder, (kind, _) in KINDS.items():
            try:
                names = sorted(os.listdir(records / folder))
            except OSError:
                continue
            for name in names:
                stem, dot, ext = name.rpartition(".")
                if ext != "yaml" or not model.ID_PATTERN.match(stem) or stem in model.RESERVED_IDS:
                    continue
                path = records / folder / name
                if not path.is_file():
                    continue
                rec = ws.by_kind(kind).get(stem)
                data = rec.doc.data if rec is not None else _read_data(path, f"records/{folder}/{name}")
                entries[(kind, stem)] = Entry(kind, stem, f"records/{folder}/{name}", path, data)
        scopes_path = records / SCOPES_FILE
        if scopes_path.is_file():
            data = ws.scopes_doc.data if ws.scopes_doc is not None else _read_data(scopes_path, f"records/{SCOPES_FILE}")
            for key, value in (data or {}).items() if isinstance(data, dict) else ():
                if isinstance(key, str) and model.ID_PATTERN.match(key):
                    entries[("scope", key)] = Entry("scope", key, f"records/{SCOPES_FILE}", scopes_path, value)
        by_source: dict[str, list[Entry]] = {}
        for e in entries.values():
            by_source.setdefault(e.source, []).append(e)
        general = []
        for p in problems:
            owners = by_source.get(p.location.path, [])
            if len(owners) > 1:  # scopes.yaml: the scope named first in the field path
                owners = [e for e in owners if p.field.split(".")[0].split("[")[0] == e.id] or owners[:1]
            if owners:
                owners[0].problems.append(p)
            else:
                general.append(p)
        self.entries, self.ws, self.notes, self.general = entries, ws, ws.notes, general
        self._baseline = None

    def lookup(self, kind: str, record_id: str) -> Entry | None:
        """The entry of (kind, id), or None: the only way a request reaches a file."""
        self.refresh()
        return self.entries.get((kind, record_id))

    def by_kind(self, *, fresh: bool = True) -> dict[str, list[Entry]]:
        """Entries by kind, in KIND_ORDER; fresh=False when this request looked already."""
        if fresh:
            self.refresh()
        out: dict[str, list[Entry]] = {k: [] for k in KIND_ORDER}
        for e in self.entries.values():
            out[e.kind].append(e)
        return out

    # --- checking a record before it is written ------------------------------------------

    def check_candidate(self, kind: str, record_id: str, source: str, text: str) -> list[Problem]:
        """Problems `dokgen check` would report if `text` were the file `source` (a record of kind).

        The same code as the CLI's: the YAML reader, the model, records.pydantic_problems, the
        cross-record checks (references, law, articles, stages) and the size limits. Only
        problems the change brings are returned, so a problem elsewhere does not block a save.
        """
        from ..limits import check_limits

        if self.ws is None:
            self.refresh()
        try:
            doc = read_yaml(text.encode("utf-8"), source)
        except YamlProblems as exc:
            return exc.problems
        if kind == "scope":
            value = (doc.data or {}).get(record_id) if isinstance(doc.data, dict) else None
            try:
                model.Scope.model_validate(value)
            except Exception as exc:  # pydantic.ValidationError
                return pydantic_problems(exc, doc, model.Scope, prefix=(record_id,))  # type: ignore[arg-type]
            return []
        if not isinstance(doc.data, dict):
            return [Problem(doc.location(()), "", f"a {kind} record is a mapping of fields (name: value)")]
        cls = MODELS[kind]
        try:
            validated = cls.model_validate(doc.data)
        except Exception as exc:  # pydantic.ValidationError
            return pydantic_problems(exc, doc, cls)  # type: ignore[arg-type]
        record = Record(kind, record_id, validated, doc)
        try:
            check_limits(record)
        except Exception as exc:  # DokgenError, located
            loc = getattr(exc, "location", None) or Location(source, 1, 1)
            return [Problem(loc, getattr(exc, "field", ""), str(exc.args[0]) if exc.args else str(exc))]
        return self._reference_problems(record, text)

    def _reference_problems(self, record: Record, text: str) -> list[Problem]:
        from ..records import check_references

        with self._lock:
            ws = self.ws
            if ws is None:
                return []
            if self._baseline is None:
                self._baseline = set(check_references(ws))
            baseline = self._baseline
        others = {p for p in baseline if p.location.path != record.source}
        trial = copy.copy(ws)
        for attr in ("parties", "mou", "labs", "press"):
            setattr(trial, attr, dict(getattr(ws, attr)))
        trial.invalid = set(ws.invalid) - {(record.kind, record.id)}
        trial.by_kind(record.kind)[record.id] = record
        if record.kind == "party":  # a party's type and name reach the MoUs, labs and press that name it
            after = set(check_references(trial))
            new = [p for p in after if p not in others]
        else:  # a MoU, lab or press piece: only its own references and rules can change
            new = check_references(trial, only=record)
            after = others | set(new)
        if not new:
            with self._lock:
                if len(self._trials) > 8:
                    self._trials.clear()
                self._trials[(record.source, text)] = (ws, trial, after, record)
        return new

    def warnings_for(self, kind: str, record_id: str, source: str, text: str) -> list[Problem]:
        """The advice `dokgen check` prints for this record (warnings, not errors), from a
        workspace cut down to the record and what it names, so a keystroke costs little."""
        from ..advice import collect_warnings

        with self._lock:
            found = self._trials.get((source, text))
        if found is None:
            return []
        trial, record = found[1], found[3]
        small = copy.copy(trial)
        small.mou, small.labs, small.press = {}, {}, {}
        m = record.model
        if kind == "mou":
            small.mou = {record_id: record}
        elif kind == "lab":
            small.labs = {record_id: record}
            small.mou = {k: v for k, v in trial.mou.items() if k == m.mou}
        elif kind == "press":
            small.press = {record_id: record}
            small.mou = {k: v for k, v in trial.mou.items() if k == m.mou}
            small.labs = {k: v for k, v in trial.labs.items() if k == m.lab}
        try:
            return [w for w in collect_warnings(small) if w.location.path == source]
        except Exception:  # advice must never stop a form; `dokgen check` still says it
            return []

    def accept(self, source: str, path: Path, text: str) -> None:
        """The file `source` now holds `text`, as checked by check_candidate: take that record
        into the index without reading the workspace again (a full read of 1,000 records
        takes over a second; this takes none). Anything unexpected: read it all next time."""
        with self._lock:
            trial = self._trials.pop((source, text), None)
            if trial is None or trial[0] is not self.ws or self._signature is None:
                self._signature = None
                return
            _, ws, after, record = trial
            entry = self.entries.get((record.kind, record.id)) or Entry(record.kind, record.id, source, path)
            entry.data, entry.problems = record.doc.data, []
            self.entries[(record.kind, record.id)] = entry
            self.ws, self._baseline = ws, after
            try:
                st = os.stat(path, follow_symlinks=False)
            except OSError:
                self._signature = None
                return
            rest = [item for item in self._signature if item[0] != str(path)]
            self._signature = tuple(sorted([*rest, (str(path), st.st_size, st.st_mtime_ns)]))


def _read_data(path: Path, source: str) -> Any:
    try:
        return read_yaml(read_regular(path, MAX_FILE_BYTES, "a record"), source).data
    except (OSError, YamlProblems):
        return None
