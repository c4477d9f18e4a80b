"""Saving a record from the web: checked like `dokgen check`, written by yamlsave, never lost.

A form that would fail the check is not written into records/; it is kept as a draft in
.dokgen/drafts/<kind>/<id>.json (so are the clerk's words when someone else saved the
record first) until it is saved or discarded. A file that changed since the form read it
is a conflict (409), never a silent overwrite. Writes happen under the build lock, so a
build never reads half a save.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import model, yamlsave
from ..errors import DokgenError, Problem
from ..i18n import N_, _
from ..files import read_regular
from ..lock import BuildLock
from ..writer import atomic_write
from ..yamlfile import MAX_FILE_BYTES
from .index import FOLDERS, Entry, WorkspaceIndex

DRAFTS = Path(".dokgen") / "drafts"


@dataclass
class Outcome:
    """HTTP status and JSON body of a save or create."""

    status: int
    body: dict


def problems_json(problems: list[Problem]) -> list[dict]:
    return [{"field": p.field, "message": p.message, "where": str(p.location)} for p in problems]


def read_text(path: Path) -> str:
    return read_regular(path, MAX_FILE_BYTES, "a record").decode("utf-8-sig")


def keep_nulls(old: Any, new: Any) -> Any:
    """Give back the keys the file wrote as `null` that an empty form field left out: a save
    changes what the clerk changed, not `number: null` lines they never touched."""
    if isinstance(old, dict) and isinstance(new, dict):
        merged = {k: keep_nulls(old.get(k), v) for k, v in new.items()}
        out = {}
        for k, v in old.items():  # in the file's order, then the new keys
            if k in merged:
                out[k] = merged[k]
            elif v is None:
                out[k] = None
        out.update({k: v for k, v in merged.items() if k not in out})
        return out
    if isinstance(old, list) and isinstance(new, list):
        return [keep_nulls(o, n) for o, n in zip(old, new)] + new[len(old):]
    return new


def candidate_text(entry: Entry | None, kind: str, record_id: str, data: dict, base_text: str = "") -> str:
    """The file text the form's data would make; raises yamlsave.RoundTripError."""
    if kind == "scope":
        whole = _scopes_data(entry.path) if entry is not None else {}
        whole[record_id] = keep_nulls(whole.get(record_id), data)
        return yamlsave.update_text(base_text, whole, source="records/scopes.yaml")
    old = entry.data if entry is not None else None
    return yamlsave.update_text(base_text, keep_nulls(old, data) if isinstance(old, dict) else data)


def _scopes_data(path: Path) -> dict:
    from ..yamlfile import read_yaml

    try:
        data = read_yaml(read_text(path).encode(), "records/scopes.yaml").data
    except Exception:
        return {}
    return dict(data) if isinstance(data, dict) else {}


def check(index: WorkspaceIndex, kind: str, record_id: str, data: Any, source: str, base_text: str = "",
          entry: Entry | None = None) -> tuple[str | None, list[Problem]]:
    """(text to write, problems): the candidate text and what `dokgen check` would say of it."""
    if not isinstance(data, dict):
        return None, [Problem(_loc(source), "", _("data must be a mapping of fields"))]
    try:
        text = candidate_text(entry, kind, record_id, data, base_text)
    except DokgenError as exc:  # RoundTripError: a character the reader refuses, say
        return None, [Problem(_loc(source), exc.field, str(exc.args[0]))]
    return text, index.check_candidate(kind, record_id, source, text)


def _loc(source: str):
    from ..errors import Location

    return Location(source, 1, 1)


def save(index: WorkspaceIndex, entry: Entry, data: Any, version: str | None) -> Outcome:
    """PUT: 200 {version}, 409 {error, version} or 422 {problems}; nothing written unless 200."""
    if entry.kind != "scope" and not isinstance(entry.data, dict):
        # a file the reader cannot take apart: its text is the clerk's, a form must not replace it
        return Outcome(422, {"problems": problems_json(entry.problems) or [
            {"field": "", "message": _("this file is not a record dokgen can read; fix it in a text editor first"), "where": entry.source}]})
    current = yamlsave.file_version(entry.path)
    if version != current:
        keep_draft(index.root, entry.kind, entry.id, data, "conflict")
        return Outcome(409, {"error": _("someone else changed this file since you opened it; what you typed is kept as a draft"),
                             "version": current})
    text, problems = check(index, entry.kind, entry.id, data, entry.source, read_text(entry.path), entry)
    if problems or text is None:
        keep_draft(index.root, entry.kind, entry.id, data, "invalid")
        return Outcome(422, {"problems": problems_json(problems)})
    try:
        with BuildLock(index.root / "out"):
            new_version = yamlsave.save_text(entry.path, text, expected_version=version)
    except yamlsave.VersionConflict:
        keep_draft(index.root, entry.kind, entry.id, data, "conflict")
        return Outcome(409, {"error": _("this file was changed just now; what you typed is kept as a draft"),
                             "version": yamlsave.file_version(entry.path)})
    except (DokgenError, OSError) as exc:  # a long build holds the lock, or the disk refused the write
        return _not_written(index, entry.kind, entry.id, data, exc)
    discard_draft(index.root, entry.kind, entry.id)
    index.accept(entry.source, entry.path, text)
    return Outcome(200, {"version": new_version})


def create(index: WorkspaceIndex, kind: str, record_id: Any, data: Any, copy_of: Entry | None = None) -> Outcome:
    """POST: 201 {version, id}, 409 when the id exists, 422 for a bad id or record."""
    if kind not in FOLDERS and kind != "scope":
        return Outcome(404, {"error": _("unknown kind of record")})
    try:
        record_id = model._record_id(record_id) if isinstance(record_id, str) else model._record_id("")
    except ValueError as exc:
        return Outcome(422, {"problems": [{"field": "id", "message": str(exc), "where": ""}]})
    if index.lookup(kind, record_id) is not None:
        return Outcome(409, {"error": _("'{id}' exists already; open that record or choose another id").format(id=record_id)})
    if kind == "scope":
        path = index.root / "records" / "scopes.yaml"
        source = "records/scopes.yaml"
        base = read_text(path) if path.is_file() else ""
        entry = Entry("scope", record_id, source, path) if path.is_file() else None
    else:
        path = index.root / "records" / FOLDERS[kind] / f"{record_id}.yaml"  # id checked against ID_PATTERN above
        source = f"records/{FOLDERS[kind]}/{record_id}.yaml"
        base = read_text(copy_of.path) if copy_of is not None and copy_of.kind == kind and kind != "scope" else ""
        entry = None
    text, problems = check(index, kind, record_id, data, source, base, entry)
    if problems or text is None:
        keep_draft(index.root, kind, record_id, data, "invalid")
        return Outcome(422, {"problems": problems_json(problems)})
    try:
        with BuildLock(index.root / "out"):
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "scope":
                version = yamlsave.save_text(path, text, expected_version=yamlsave.file_version(path))
            else:
                version = yamlsave.save_text(path, text, create=True)
    except yamlsave.VersionConflict:
        return Outcome(409, {"error": _("'{id}' was created by someone else just now; open that record or choose another id").format(id=record_id)})
    except (DokgenError, OSError) as exc:
        return _not_written(index, kind, record_id, data, exc)
    discard_draft(index.root, kind, record_id)
    index.accept(source, path, text)
    return Outcome(201, {"version": version, "id": record_id})


def _not_written(index: WorkspaceIndex, kind: str, record_id: str, data: Any, exc: Exception) -> Outcome:
    keep_draft(index.root, kind, record_id, data, "not-written")
    return Outcome(503, {"error": _("not saved ({reason}); what you typed is kept as a draft, try Save again in a moment").format(reason=exc)})


# --- drafts: what the clerk typed, kept until saved or discarded --------------------------


def _draft_path(root: Path, kind: str, record_id: str) -> Path:
    # kind is one of the fixed kinds and record_id matched ID_PATTERN before any call here
    assert kind in (*FOLDERS, "scope") and model.ID_PATTERN.match(record_id)
    return root / DRAFTS / kind / f"{record_id}.json"


def keep_draft(root: Path, kind: str, record_id: str, data: Any, why: str) -> None:
    path = _draft_path(root, kind, record_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps({"data": data, "why": why}, ensure_ascii=False).encode())
    except OSError:
        pass  # the browser still holds the form; the page says it was not saved


def read_draft(root: Path, kind: str, record_id: str) -> dict | None:
    try:
        draft = json.loads(read_regular(_draft_path(root, kind, record_id), MAX_FILE_BYTES, N_("a draft")))
    except (OSError, ValueError):
        return None
    return draft if isinstance(draft, dict) and "data" in draft else None


def discard_draft(root: Path, kind: str, record_id: str) -> None:
    try:
        _draft_path(root, kind, record_id).unlink()
    except OSError:
        pass


def all_drafts(root: Path) -> list[tuple[str, str]]:
    """(kind, id) of every kept draft, for the beranda."""
    out = []
    for kind in (*FOLDERS, "scope"):
        folder = root / DRAFTS / kind
        for p in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            if model.ID_PATTERN.match(p.stem):
                out.append((kind, p.stem))
    return out
