"""Page previews in serve: GET /preview/<kind>/<id>/<page>.png, the page count, a preview page.

Views only look up; the pages come from the library (dokgen.preview.Previewer: one warm
LibreOffice for the whole serve process, pages cached by input key). A press piece is
previewed as its own web page in a sandboxed iframe: no script runs in it, and it cannot
reach the app.
"""

from __future__ import annotations

import atexit
import re
import threading

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from ..errors import DokgenError
from ..i18n import _
from .app import state

bp = Blueprint("preview", __name__, url_prefix="/preview")
_made = threading.Lock()
PRESS_CSP = "sandbox; default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"


def previewer():
    """The app's Previewer, made on the first preview (LibreOffice starts on the first MoU page)."""
    from ..preview import Previewer

    with _made:
        found = current_app.extensions.get("dokgen.preview")
        if found is None:
            found = current_app.extensions["dokgen.preview"] = Previewer(state().root)
            atexit.register(found.close)  # serve stops on Ctrl-C; LibreOffice goes with it
        return found


def _problem(exc: DokgenError) -> Response:
    from ..preview import PreviewError

    return jsonify(error=str(exc)), 404 if isinstance(exc, PreviewError) else 422


@bp.get("/<kind>/<record_id>/pages")
def pages(kind: str, record_id: str):
    try:
        count = previewer().page_count(kind, record_id)
        return jsonify(kind=kind, id=record_id, pages=count, version=previewer().key(kind, record_id)[:16])
    except DokgenError as exc:
        return _problem(exc)


@bp.post("/<kind>/<record_id>/candidate")
def candidate(kind: str, record_id: str):
    """The pages of the form's unsaved data, once it checks clean: {pages, key}; the form asks
    after the clerk stops typing. Nothing goes into records/ or out/."""
    from .store import check, problems_json, read_text

    s = state()
    entry = s.index.lookup(kind, record_id)
    body = request.get_json(silent=True)
    if entry is None or not isinstance(body, dict) or not isinstance(entry.data, dict):
        return jsonify(error=_("no {kind} record '{id}' in {folder}").format(kind=kind, id=record_id, folder="records/")), 404
    text, problems = check(s.index, kind, record_id, body.get("data"), entry.source, read_text(entry.path), entry)
    ws = s.index.trial_workspace(entry.source, text) if text and not problems else None
    if ws is None:  # the form shows the problems; the preview keeps the last good pages
        return jsonify(problems=problems_json(problems)), 422
    try:
        key = previewer().candidate(ws, kind, record_id, {entry.source: text.encode("utf-8")})
        return jsonify(pages=previewer().page_count(kind, record_id, key=key), key=key)
    except DokgenError as exc:
        return _problem(exc)


@bp.get("/<kind>/<record_id>/<int:page>.png")
def page_png(kind: str, record_id: str, page: int):
    from ..preview import DEFAULT_WIDTH

    key = request.args.get("key")  # a candidate's pages
    if key is not None and not re.fullmatch(r"[0-9a-f]{64}", key):
        return jsonify(error="key"), 404
    try:
        png = previewer().page_png(kind, record_id, page, width=request.args.get("w", DEFAULT_WIDTH, type=int), key=key)
    except DokgenError as exc:
        return _problem(exc)
    return Response(png, mimetype="image/png")


@bp.get("/press/<record_id>.html")
def press_html(record_id: str):
    try:
        html = previewer().press_html(record_id)
    except DokgenError as exc:
        return _problem(exc)
    response = Response(html, mimetype="text/html")
    response.headers["X-Dokgen-Preview"] = "press"  # _frameable sets its headers
    return response


@bp.after_app_request
def _frameable(response: Response) -> Response:
    # Registered with the blueprint, so it runs after the app's own headers (app._headers, which
    # forbid framing): only the press preview may be framed, by the app's own pages, sandboxed.
    if response.headers.pop("X-Dokgen-Preview", None) == "press":
        response.headers["Content-Security-Policy"] = PRESS_CSP
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/<kind>/<record_id>/")
def preview_page(kind: str, record_id: str):
    """The pages of one document, refreshed by static/preview.js when the record changes."""
    from ..preview import PreviewError

    try:
        if kind == "press":
            version, count = previewer().key(kind, record_id)[:16], 0
        else:
            count = previewer().page_count(kind, record_id)
            version = previewer().key(kind, record_id)[:16]
    except PreviewError as exc:
        return render_template("error.html", title=_("No preview"), text=str(exc)), 404
    except DokgenError as exc:
        return render_template("error.html", title=_("The preview cannot be made yet"), text=str(exc)), 422
    return render_template("preview.html", kind=kind, record_id=record_id, pages=count, version=version)
