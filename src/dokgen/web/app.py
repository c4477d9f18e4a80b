"""`dokgen serve`: the Flask app factory, its safety rules, and the server around it.

Safe by default (issue 10): the server binds 127.0.0.1; every request needs the session
token (printed URL `?token=T` sets a cookie, scripts send `Authorization: Bearer T`); the
Host header must be the server's own (no DNS rebinding); a state change sent with the
cookie must come from the app's own pages (Origin or Sec-Fetch-Site, against CSRF); every
response carries a strict Content-Security-Policy (scripts and styles from /static only).

Other rooms add pages by naming a Blueprint in BLUEPRINTS ("module:attribute", imported
when an app is made), e.g. "dokgen.web.preview:bp". A view reaches the workspace through
`state()`: its root, its WorkspaceIndex and the build runner.
"""

from __future__ import annotations

import hmac
import pkgutil
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

from flask import Flask, Response, current_app, redirect, render_template, request

from .. import i18n
from .index import WorkspaceIndex

HTMX = "htmx-2.0.11.min.js"  # vendored from npm (static/VENDORED.md)
BLUEPRINTS: list[str] = [
    "dokgen.web.views:pages",
    "dokgen.web.api:api",
    "dokgen.web.preview:bp",
    "dokgen.web.sheets:bp",
    "dokgen.web.register:register_pages",
]
"""Blueprints of the app, in order. Append "your.module:bp" to add a room's pages."""
NAV: list[tuple[str, str]] = [("Pihak dari tabel", "sheets.parties"), ("Rekap", "register.rekap"), ("Register", "register.index")]
"""Links in the top bar after Beranda: (label, endpoint), e.g. ("Register", "register.index");
a link whose endpoint is not registered is left out."""

COOKIE = "dokgen_token"
LOCAL_HOSTS = ("127.0.0.1", "localhost")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LANGUAGE = "id"  # the clerks' language: problems beside fields are `LANG=id dokgen check`'s words


@dataclass
class State:
    """What every view needs: the workspace and its index, the token, the one build at a time."""

    root: Path
    token: str
    index: WorkspaceIndex
    hosts: tuple[str, ...]
    port: int | None = None
    build_lock: threading.Lock = field(default_factory=threading.Lock)
    progress: dict = field(default_factory=dict)  # the build in progress or the last one, for the beranda


def state() -> State:
    return current_app.extensions["dokgen"]


def create_app(workspace_root: Path, token: str, *, hosts: tuple[str, ...] = LOCAL_HOSTS, port: int | None = None,
               blueprints: list[str] | None = None) -> Flask:
    """Make the app for one workspace. `port` (set by serve() once bound) pins the Host check
    to host:port; without it (Flask's test client) the bare host names are accepted."""
    app = Flask(__name__)
    app.url_map.merge_slashes = False  # '//etc' is a 404, not a redirect to somewhere else
    app.config["MAX_CONTENT_LENGTH"] = 8_000_000  # far above a real record; a flood is refused early (uploads set their own)
    app.extensions["dokgen"] = State(Path(workspace_root), token, WorkspaceIndex(Path(workspace_root)), tuple(hosts), port)
    for spec in BLUEPRINTS if blueprints is None else blueprints:
        app.register_blueprint(pkgutil.resolve_name(spec))
    app.wsgi_app = _speaking(app.wsgi_app, LANGUAGE)  # type: ignore[method-assign]
    app.before_request(_guard)
    app.after_request(_headers)
    app.jinja_env.globals.update(htmx=HTMX, nav_links=lambda: [(n, e) for n, e in NAV if e in app.view_functions])
    app.jinja_env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return app


def _speaking(wsgi_app: Callable, code: str) -> Callable:
    """Answer every request in `code`; the context variable is reset afterwards, as waitress
    hands the same thread the next request."""

    def speaking(environ, start_response):
        with i18n.using(code):
            return wsgi_app(environ, start_response)

    return speaking


def _guard() -> Response | None:
    """Host, token and same-origin checks, before any view runs."""
    s = state()
    allowed = {f"{h}:{s.port}" for h in s.hosts} if s.port else {*s.hosts, *(f"{h}:80" for h in s.hosts)}
    if request.host not in allowed:
        return _refuse(400, i18n._("Unknown host"), i18n._("This address is not the address of this dokgen server."))
    given = request.args.get("token")
    if given is not None and request.method == "GET":
        if not hmac.compare_digest(given.encode(), s.token.encode()):
            return _refuse(401, i18n._("Wrong token"), i18n._("Open the full address that dokgen serve printed."))
        # The token leaves the address bar (and history, and Referer) for a cookie at once.
        rest = {k: v for k, v in request.args.items(multi=False) if k != "token"}
        response = redirect(request.path + (f"?{urlencode(rest)}" if rest else ""), code=303)
        response.set_cookie(COOKIE, s.token, httponly=True, samesite="Strict", path="/")
        return response
    bearer = request.headers.get("Authorization", "")
    by_bearer = bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].encode(), s.token.encode())
    by_cookie = hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), s.token.encode())
    if not (by_bearer or by_cookie):
        return _refuse(401, i18n._("Token needed"), i18n._(
            "Open the full address (with ?token=…) that dokgen serve printed, or send Authorization: Bearer <token>."))
    if request.method not in SAFE_METHODS and not _same_origin(by_bearer):
        return _refuse(403, i18n._("Request from another site refused"),
                       i18n._("Changes may only be sent from dokgen's own pages."))
    return None


def _same_origin(by_bearer: bool) -> bool:
    """A cookie rides along with any site's request; only the app's own pages may change things.

    A script with the Bearer token sends no Origin; a browser always sends one on a
    cross-site POST/PUT, and a page cannot set Authorization cross-site without CORS, which
    this server never grants.
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == f"{request.scheme}://{request.host}"
    if by_bearer:
        return True
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def _refuse(status: int, title: str, text: str) -> Response:
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return Response(_json({"error": f"{title}: {text}"}), status, mimetype="application/json")
    return Response(render_template("error.html", title=title, text=text), status)


def _json(data: object) -> str:
    import json

    return json.dumps(data, ensure_ascii=False)


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with a plain
    # form POST, which _same_origin must refuse; other sites still get no Referer at all
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


# --- the server -----------------------------------------------------------------------------


def _names_of(host: str) -> tuple[str, ...]:
    """Host names a browser may send for a non-local bind: the address itself, or for a
    wildcard (0.0.0.0, ::) this machine's name and addresses; never just anything."""
    import socket

    if host not in ("0.0.0.0", "::", ""):
        return (host,)
    name = socket.gethostname()
    try:
        addresses = socket.gethostbyname_ex(name)[2]
    except OSError:
        addresses = []
    return (*[a for a in addresses if not a.startswith("127.")], name, *LOCAL_HOSTS)


def serve(workspace_root: Path, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = True,
          say: Callable[[str], None] = print, ready: Callable[[str, object], None] | None = None) -> None:
    """Serve the workspace until Ctrl-C. Prints the URL with a fresh token; `ready(url, server)`
    is told once the socket is bound (tests use it to stop the server)."""
    from waitress.server import create_server

    from ..errors import DokgenError

    root = Path(workspace_root)
    if not (root / "records").is_dir():
        raise DokgenError(i18n._("{root}: no records/ folder here; run `dokgen init DIR` to make a workspace, or use -C to point at one").format(root=root))
    token = secrets.token_urlsafe(24)
    hosts = LOCAL_HOSTS if host in LOCAL_HOSTS else _names_of(host)
    app = create_app(root, token, hosts=hosts)
    try:
        server = create_server(app, host=host, port=port, threads=4, clear_untrusted_proxy_headers=True, ident="dokgen")
    except OSError as exc:
        raise DokgenError(i18n._("cannot listen on {host}:{port}: {reason}; choose another --port (0 = any free port)")
                          .format(host=host, port=port, reason=exc.strerror)) from None
    bound = server.effective_port  # type: ignore[union-attr]
    app.extensions["dokgen"].port = bound
    url = f"http://{'127.0.0.1' if host in LOCAL_HOSTS else hosts[0]}:{bound}/?token={token}"
    if host not in LOCAL_HOSTS:
        say(i18n._("warning: serving on {host}, reachable from other machines; everyone with the URL below can edit this workspace")
            .format(host=host))
    try:  # Ctrl-C at any moment from here on stops cleanly: saves are atomic, builds leave out/ complete
        with i18n.using(LANGUAGE):  # the index keeps the problems it found, in the words requests show
            app.extensions["dokgen"].index.refresh()  # read the workspace now, not on the first click
        say(i18n._("dokgen serve: {root} at\n  {url}\nCtrl-C stops it.").format(root=root.resolve(), url=url))
        if ready is not None:
            ready(url, server)
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        say(i18n._("dokgen serve: stopped"))


def spawn(workspace_root: Path, *options: str):
    """Start `dokgen serve --port 0 --no-browser` in a child process, as a clerk would, and
    return (process, printed URL, lines printed so far) once it listens; for tests, benchmarks and tools/pictures.py.
    Stop it with process.send_signal(SIGINT), which is Ctrl-C."""
    import re
    import subprocess
    import sys

    from ..errors import DokgenError

    process = subprocess.Popen([sys.executable, "-m", "dokgen", "-C", str(workspace_root), "serve", "--port", "0", "--no-browser", *options],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in process.stdout:  # type: ignore[union-attr]
        lines.append(line)
        found = re.search(r"http://\S+/\?token=\S+", line)
        if found:
            return process, found[0], lines
    process.wait()
    raise DokgenError(i18n._("dokgen serve did not start: {output}").format(output="".join(lines) + process.stderr.read()))  # type: ignore[union-attr]
