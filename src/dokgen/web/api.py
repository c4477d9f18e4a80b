"""The JSON contract scripts and the pages use (issue 10, "The contract")."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from .. import model, yamlsave
from ..errors import Location, Problem
from .app import state
from .index import Entry
from .store import create, problems_json, read_draft, save
from .store import check as check_candidate

api = Blueprint("api", __name__, url_prefix="/api")


def _entry(kind: str, record_id: str) -> Entry:
    entry = state().index.lookup(kind, record_id)  # by id in the index: traversal finds nothing
    if entry is None:
        abort(404)
    return entry


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "send a JSON object")
    return body


@api.get("/records")
def records():
    entries = [e for kind in state().index.by_kind().values() for e in kind]
    return jsonify([{"kind": e.kind, "id": e.id, "source": e.source, "title": e.title, "status": e.status} for e in entries])


@api.get("/records/<kind>/<record_id>")
def record(kind: str, record_id: str):
    entry = _entry(kind, record_id)
    body = {"data": entry.data, "version": yamlsave.file_version(entry.path),
            "problems": problems_json(entry.problems)}
    draft = read_draft(state().root, kind, record_id)
    if draft is not None:
        body["draft"] = draft
    return jsonify(body)


@api.put("/records/<kind>/<record_id>")
def put_record(kind: str, record_id: str):
    entry = _entry(kind, record_id)
    body = _body()
    outcome = save(state().index, entry, body.get("data"), body.get("version"))
    return jsonify(outcome.body), outcome.status


@api.post("/records/<kind>")
def post_record(kind: str):
    body = _body()
    copy_of = body.get("copy_of")
    source = state().index.lookup(kind, copy_of) if isinstance(copy_of, str) else None
    outcome = create(state().index, kind, body.get("id"), body.get("data"), source)
    return jsonify(outcome.body), outcome.status


@api.post("/records/<kind>/<record_id>/check")
def check_record(kind: str, record_id: str):
    """What saving this form would say, without saving: the form calls it as the clerk types."""
    body = _body()
    entry = state().index.lookup(kind, record_id)
    if entry is None and not body.get("new"):
        abort(404)
    from .index import FOLDERS

    if entry is not None:
        source, base = entry.source, _text(entry)
    elif kind in FOLDERS:
        source, base = f"records/{FOLDERS[kind]}/new.yaml", ""
    else:
        abort(404)
    text, problems = check_candidate(state().index, kind, record_id, body.get("data"), source, base, entry)
    if entry is None:  # a new record: its id is checked as POST will check it
        try:
            model._record_id(record_id)
        except ValueError as exc:
            problems = [Problem(Location(source, 1, 1), "id", str(exc)), *problems]
    warnings = state().index.warnings_for(kind, record_id, source, text) if text and not problems else []
    return jsonify({"problems": problems_json(problems), "warnings": problems_json(warnings)})


def _text(entry: Entry) -> str:
    from .store import read_text

    return read_text(entry.path)


@api.delete("/drafts/<kind>/<record_id>")
def delete_draft(kind: str, record_id: str):
    from .index import FOLDERS
    from .store import discard_draft

    if (kind not in FOLDERS and kind != "scope") or not model.ID_PATTERN.match(record_id):
        abort(404)
    discard_draft(state().root, kind, record_id)
    return jsonify({"discarded": True})


@api.post("/build")
def build():
    from .runner import run_build

    status, body = run_build(state())
    return jsonify(body), status
