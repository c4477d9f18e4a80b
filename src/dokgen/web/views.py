"""The pages: beranda, a form per record, "Buat baru", "Bangun semua", downloads.

Views only look things up and render; checking and saving are store.py's, building is
the library's (runner.py), the form is walked from the model (forms.py).
"""

from __future__ import annotations

import datetime as dt
import json
import stat
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request, send_file

from .. import yamlsave
from ..i18n import _
from .app import state
from .forms import empty_value, form_for
from .index import FOLDERS, KIND_ORDER, MODELS
from .store import all_drafts, problems_json, read_draft

pages = Blueprint("pages", __name__)

KIND_NAMES = {"mou": "Nota kesepahaman", "lab": "Laboratorium inovasi", "press": "Siaran pers",
              "party": "Pihak", "scope": "Ruang lingkup"}
STATUSES = {"draft": "draf", "final": "final", "ok": "lengkap", "invalid": "bermasalah"}
OUTPUT_NAMES = {"docx": "Draf Word", "pdf": "Laporan PDF", "html": "Halaman web", "md": "Markdown", "txt": "Teks"}


@dataclass
class Output:
    """One file in out/ as the beranda shows it."""

    path: str  # under out/
    label: str
    built: str  # when dokgen wrote it, local time
    state: str  # "ok", "edited" (kept: a clerk changed it), "new" (dokgen's new version beside an edited one)


def _outputs(kind: str, record_id: str, manifest, families: dict[str, list[str]]) -> list[Output]:
    from ..build import PRODUCERS

    producer = PRODUCERS.get(kind)
    if producer is None:
        return []
    found = []
    for pattern in producer.outputs:
        rel = pattern.format(id=record_id)
        for key in sorted(families.get(rel, ()), key=lambda k: (k != rel, k)):
            wrote = manifest.wrote(key)
            if wrote is None:  # listed, but gone from out/
                continue
            when = dt.datetime.fromtimestamp(manifest.entries[key].mtime_ns / 1e9).strftime("%d/%m/%Y %H.%M")
            ext = key.rpartition(".")[2]
            shown = "new" if key != rel else ("ok" if wrote else "edited")
            found.append(Output(key, OUTPUT_NAMES.get(ext, ext), when, shown))
    return found


@pages.get("/")
def beranda():
    from ..manifest import Manifest, output_of

    s = state()
    groups = s.index.by_kind()
    manifest = Manifest(s.root / "out")
    families: dict[str, list[str]] = {}
    for key in manifest.entries:
        families.setdefault(output_of(key), []).append(key)
    outputs = {(e.kind, e.id): _outputs(e.kind, e.id, manifest, families) for entries in groups.values() for e in entries}
    return render_template("beranda.html", groups=groups, kind_names=KIND_NAMES, outputs=outputs,
                           drafts=all_drafts(s.root), general=s.index.general, notes=s.index.notes,
                           progress=s.progress, kinds=KIND_ORDER, statuses=STATUSES)


@pages.get("/records/<kind>/<record_id>")
def record_form(kind: str, record_id: str):
    s = state()
    entry = s.index.lookup(kind, record_id)
    if entry is None:
        abort(404)
    if kind != "scope" and not isinstance(entry.data, dict):  # unreadable: the text is the clerk's, no form replaces it
        return render_template("unreadable.html", entry=entry, kind_names=KIND_NAMES)
    draft = read_draft(s.root, kind, record_id)
    data = entry.data
    using = bool(draft and request.args.get("draf") and isinstance(draft["data"], dict))
    return _form_page(kind, record_id, draft["data"] if using else data,  # type: ignore[index]
                      version=yamlsave.file_version(entry.path), problems=problems_json(entry.problems),
                      draft=draft, source=entry.source, title=entry.title, using_draft=using)


@pages.get("/baru")
def new_record():
    """Buat baru: an empty form of a kind, or a copy of an existing record."""
    s = state()
    kind = request.args.get("kind", "")
    if kind not in MODELS:
        abort(404)
    copy_id = request.args.get("salin", "")
    data = empty_value(form_for(MODELS[kind]))
    copy_of = None
    if copy_id:
        source = s.index.lookup(kind, copy_id)
        if source is None:
            abort(404)
        data, copy_of = source.data, source.id
    new_id = request.args.get("id", "")
    draft = read_draft(s.root, kind, new_id) if new_id and _valid_id(new_id) else None
    using = bool(draft and request.args.get("draf") and isinstance(draft["data"], dict))
    return _form_page(kind, new_id, draft["data"] if using else data, version=None, problems=[], draft=draft,  # type: ignore[index]
                      source=None, title=f"{KIND_NAMES[kind]} baru", new=True, copy_of=copy_of, using_draft=using)


def _valid_id(value: str) -> bool:
    from ..model import ID_PATTERN

    return bool(ID_PATTERN.match(value))


def _form_page(kind: str, record_id: str, data: dict, *, version, problems, draft, source, title, new=False, copy_of=None,
               using_draft=False):
    s = state()
    refs = {k: sorted((e.id, e.title) for e in entries) for k, entries in s.index.by_kind(fresh=False).items()}
    return render_template("form.html", kind=kind, record_id=record_id, node=form_for(MODELS[kind]), data=data,
                           version=version or "", problems=problems, draft=draft, source=source, title=title,
                           new=new, copy_of=copy_of, refs=refs, kind_names=KIND_NAMES, long_date=_long_date,
                           using_draft=using_draft)


def _long_date(value: object) -> str:
    """'2015-11-11' -> 'Rabu, 11 November 2015' beside a date field; '' when not a date."""
    from ..indonesian import long_date

    try:
        return long_date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return ""


@pages.post("/bangun")
def bangun():
    from .runner import start_build

    s = state()
    start_build(s)
    return render_template("_progress.html", progress=s.progress)


@pages.get("/bangun/status")
def bangun_status():
    return render_template("_progress.html", progress=state().progress)


@pages.get("/out/<path:relpath>")
def download(relpath: str):
    """An output listed in out/'s manifest; anything else (traversal included) is 404."""
    from ..manifest import Manifest

    s = state()
    out = s.root / "out"
    entry = Manifest(out).entries.get(relpath)
    if entry is None or relpath.startswith("/") or ".." in relpath.split("/") or "\\" in relpath:
        abort(404)
    path = out / relpath
    try:
        st = path.lstat()
    except OSError:
        abort(404)
    if not stat.S_ISREG(st.st_mode) or not path.resolve().is_relative_to(out.resolve()):
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name, max_age=0)


@pages.app_errorhandler(404)
def not_found(_exc) -> tuple[Response | str, int]:
    if request.path.startswith("/api/"):
        return Response(json.dumps({"error": _("not found")}, ensure_ascii=False), 404, mimetype="application/json"), 404
    return render_template("error.html", title=_("Not found"),
                           text=_("This page or record is not in the workspace.")), 404
