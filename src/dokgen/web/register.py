"""The register in serve: the rekap with filters and its reminders, issuing, verifying an upload.

Thin views over portfolio.py, issuing.py and register.py; nothing here decides anything
the command line would decide differently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

from flask import Blueprint, Response, redirect, render_template, request, url_for

from ..i18n import _
from ..portfolio import ENDED, ENDING, UNSIGNED, VALID
from .app import state

register_pages = Blueprint("register", __name__)

STATES = (UNSIGNED, VALID, ENDING, ENDED)  # the rekap's filter, in the order a clerk reads them
MAX_UPLOAD = 7_000_000  # under the app's MAX_CONTENT_LENGTH: a Word file or signed PDF of an MoU is far smaller


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else dt.date.today()
    except ValueError:
        return dt.date.today()


def _workspace():
    from ..records import load_workspace

    return load_workspace(state().root)


@register_pages.get("/rekap")
def rekap():
    from ..errors import DokgenError
    from ..portfolio import rows

    on = _day(request.args.get("per"))
    wanted = request.args.get("keadaan", "")
    try:
        found = rows(_workspace(), on)
        error = None
    except DokgenError as exc:
        found, error = [], str(exc)
    shown = [r for r in found if not wanted or r.state == wanted]
    return render_template("rekap.html", rows=shown, total=len(found), on=on, wanted=wanted, states=STATES, error=error)


@register_pages.get("/rekap/pengingat.ics")
def reminders():
    from ..portfolio import reminders as ics, rows

    on = _day(request.args.get("per"))
    body = ics(rows(_workspace(), on), on)
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": 'attachment; filename="pengingat-kerja-sama.ics"'})


def _issuable():
    """Final MoUs and lab reports, each with its code if it carries one."""
    ws = _workspace()
    return [{"kind": r.kind, "id": r.id, "source": r.source, "code": r.model.verification}
            for r in (*ws.mou.values(), *ws.labs.values()) if r.model.status == "final"]


def _entries():
    from ..errors import DokgenError
    from ..register import REGISTER_FILE, Register

    if not (state().root / REGISTER_FILE).is_file():
        return []  # nothing issued yet
    try:
        with Register.open(state().root) as reg:
            return reg.entries()
    except DokgenError:
        return []


def _page(status: int = 200, issuable: list | None = None, **extra):
    from ..errors import DokgenError

    if issuable is None:  # not read by the caller already: the workspace is loaded once a request
        try:
            issuable = _issuable()
        except DokgenError as exc:
            issuable, extra["error"] = [], extra.get("error") or str(exc)
    # htmx (which the pages post with: the app's guard wants a same-origin fetch) swaps in
    # only 2xx answers, so a refusal it asked for comes back 200 with its message shown
    return render_template("register.html", entries=_entries(), issuable=issuable, **extra), 200 if request.headers.get("HX-Request") else status


@register_pages.get("/register")
def index():
    return _page(issued=request.args.get("terbit"))


@register_pages.post("/register/issue")
def issue():
    from ..errors import DokgenError
    from ..issuing import issue as issue_record

    s = state()
    source = request.form.get("source", "")
    issuable = _issuable()
    if source not in {r["source"] for r in issuable}:
        return _page(422, issuable=issuable, error=_("{source}: not a final record that can be issued").format(source=source))
    try:
        done = issue_record(s.root, s.root / source)
    except DokgenError as exc:
        return _page(422, error=str(exc))
    finally:
        s.index.refresh()
    return redirect(url_for("register.index", terbit=done.code), code=303)


@register_pages.post("/register/verify")
def verify():
    from ..register import verify_file

    upload = request.files.get("berkas")
    if upload is None or not upload.filename:
        return _page(422, error=_("choose the file to verify"))
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _page(413, error=_("the file is too large to verify here; use dokgen verify"))
    with tempfile.TemporaryDirectory(prefix="dokgen-verify-") as tmp:
        path = Path(tmp) / "berkas"
        path.write_bytes(data)
        verdict = verify_file(state().root, path)
    return _page(200, verdict=verdict, uploaded=upload.filename, digest=hashlib.sha256(data).hexdigest())
