"""Safe by default (issue 10): each rule against the real `dokgen serve` over HTTP."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dokgen.web.app import create_app

MOU_URL = "/api/records/mou/pontianak-lan-2015"


def request(server, method: str, path: str, *, headers: dict | None = None, body: object = None, host: str | None = None):
    """One raw HTTP request (http.client sends exactly the headers given, Host included)."""
    port = urlsplit(server.base).port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    hdrs = {"Host": host or f"127.0.0.1:{port}", **(headers or {})}
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        hdrs["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=hdrs)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response, payload


def listening_addresses(port: int) -> list[str]:
    """Local addresses of the sockets listening on port, from the kernel's own table."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.split(":")
            if int(hexport, 16) == port and state == "0A":  # LISTEN
                found.append(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]) if len(address) == 8 else address)
    return found


def test_binds_loopback_only(server):
    assert listening_addresses(urlsplit(server.base).port) == ["127.0.0.1"]


def test_every_route_needs_the_token(server):
    for path in ("/", "/api/records", MOU_URL, "/records/mou/pontianak-lan-2015", "/static/dokgen.css", "/out/mou/pontianak-lan-2015.docx"):
        response, _ = request(server, "GET", path)
        assert response.status == 401, path
    response, _ = request(server, "GET", "/api/records", headers={"Authorization": "Bearer wrong"})
    assert response.status == 401
    response, _ = request(server, "GET", "/?token=wrong")
    assert response.status == 401
    assert request(server, "GET", "/api/records", headers=server.headers())[0].status == 200


def test_printed_url_sets_a_strict_cookie_and_drops_the_token_from_the_address(server):
    response, _ = request(server, "GET", urlsplit(server.url).path + "?" + urlsplit(server.url).query)
    assert response.status == 303
    assert response.getheader("Location") == "/"
    cookie = response.getheader("Set-Cookie")
    assert f"dokgen_token={server.token}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert request(server, "GET", "/api/records", headers={"Cookie": f"dokgen_token={server.token}"})[0].status == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost:1", "127.0.0.1"])
def test_a_foreign_host_header_is_refused_even_with_the_token(server, host):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example."""
    response, _ = request(server, "GET", "/api/records", headers=server.headers(), host=host)
    assert response.status == 400


def test_state_changes_with_the_cookie_need_a_same_origin_request(server):
    cookie = {"Cookie": f"dokgen_token={server.token}"}
    body = {"data": {}, "version": "x"}
    own = f"{server.base}"
    for headers in ({}, {"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": own.replace("127.0.0.1", "localhost")}):
        for method, path in (("PUT", MOU_URL), ("POST", "/api/records/lab"), ("POST", "/api/build"), ("POST", "/bangun"),
                             ("DELETE", "/api/drafts/mou/pontianak-lan-2015")):
            response, _ = request(server, method, path, headers={**cookie, **headers}, body=body)
            assert response.status == 403, (method, path, headers)
    # the app's own page: the browser sends its Origin
    response, _ = request(server, "POST", f"{MOU_URL}/check", headers={**cookie, "Origin": own}, body={"data": {}})
    assert response.status == 200
    response, _ = request(server, "POST", f"{MOU_URL}/check", headers={**cookie, "Sec-Fetch-Site": "same-origin"}, body={"data": {}})
    assert response.status == 200
    # a script with the Bearer token; but a foreign Origin is refused even then
    assert request(server, "POST", f"{MOU_URL}/check", headers=server.headers(), body={"data": {}})[0].status == 200
    assert request(server, "POST", f"{MOU_URL}/check", headers=server.headers(Origin="http://evil.example"), body={"data": {}})[0].status == 403


@pytest.mark.parametrize("path", [
    "/api/records/mou/..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/records/mou/../parties/lan",
    "/api/records/mou/%2e%2e",
    "/api/records/mou/pontianak-lan-2015.yaml",
    "/api/records/..%2Fmou/pontianak-lan-2015",
    "/api/records/records/mou",
    "/records/mou/..%2F..%2Fpyproject",
    "/records/party/%2Fetc%2Fpasswd",
    "/out/../records/mou/pontianak-lan-2015.yaml",
    "/out/%2e%2e/records/mou/pontianak-lan-2015.yaml",
    "/out/..%2Frecords%2Fmou%2Fpontianak-lan-2015.yaml",
    "/out/%2Fetc%2Fpasswd",
    "/out/.dokgen-manifest.json",
    "/out/mou/tidak-ada.docx",
    "/baru?kind=mou&salin=..%2F..%2Fetc%2Fpasswd",
    "/baru?kind=..%2Fetc&salin=x",
    "/tabel/lab/..%2Fmou%2Fpontianak-lan-2015",
    "/tabel/lab/pontianak-lan-2015",
    "/tabel/lab/tidak-ada",
    "/tabel/lab/tidak-ada/unduh",
    "/tabel/lab/..%2F..%2Fpyproject/unduh",
])
def test_traversal_in_any_form_is_404(server, path):
    response, payload = request(server, "GET", path, headers=server.headers())
    assert response.status == 404, (path, payload[:200])
    assert b"root:" not in payload and b"[project]" not in payload


def test_put_to_a_traversal_id_writes_nothing(server):
    response, _ = request(server, "PUT", "/api/records/mou/..%2F..%2Fevil", headers=server.headers(), body={"data": {"x": "y"}, "version": None})
    assert response.status == 404
    assert not list(server.root.parent.rglob("evil*"))


def test_every_response_carries_a_strict_csp(server):
    for path in ("/", "/records/mou/pontianak-lan-2015", "/api/records", "/nope", "/static/form.js"):
        response, _ = request(server, "GET", path, headers=server.headers())
        csp = response.getheader("Content-Security-Policy")
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert response.getheader("Referrer-Policy") == "same-origin"  # no Referer to other sites
    response, _ = request(server, "GET", "/api/records")  # refusals too
    assert "default-src 'none'" in response.getheader("Content-Security-Policy")


class Collect(HTMLParser):
    """Every tag and attribute, and the text inside <textarea>s, as a browser parses them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.textareas: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag == "textarea"
        if self._in:
            self.textareas.append("")

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        if self._in:
            self.textareas[-1] += data


PAYLOAD = "&<>\"' ]]> {{ 7*7 }} {% if x %} <script>alert(1)</script> <img src=x onerror=alert(2)>"


def test_record_text_is_escaped_everywhere(workspace: Path):
    mou = workspace / "records/mou/pontianak-lan-2015.yaml"
    text = mou.read_text(encoding="utf-8")
    mou.write_text(text.replace("city: Pontianak", f"city: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'"), encoding="utf-8")
    party = workspace / "records/parties/lan.yaml"
    party.write_text(party.read_text().replace("name: Lembaga Administrasi Negara", f"name: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'", 1))
    client = create_app(workspace, "t").test_client()
    for url in ("/", "/records/mou/pontianak-lan-2015", "/records/party/lan", "/baru?kind=party&salin=lan"):
        html = client.get(url, headers={"Authorization": "Bearer t"}).data.decode()
        parsed = Collect()
        parsed.feed(html)
        assert not [t for t, a in parsed.tags if t == "script" and "src" not in a and a.get("type") != "application/json"], url
        assert not [t for t, a in parsed.tags if t == "img" or any(k.startswith("on") for k in a)], url
        assert "<script>alert" not in html
        values = [a.get("value") for t, a in parsed.tags if t == "input"] + parsed.textareas
        if url != "/":
            assert PAYLOAD in values, url  # the exact text comes back in the field


def test_ctrl_c_stops_the_server_cleanly(tmp_path):
    import re
    import signal

    from dokgen.web.app import spawn

    from .conftest import copy_example

    process, url, _ = spawn(copy_example(tmp_path / "ws"))
    port = int(re.search(r":(\d+)/", url)[1])
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0
    assert "stopped" in process.stdout.read()
    assert "Traceback" not in process.stderr.read()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_another_host_warns_and_still_needs_the_token(tmp_path):
    import signal

    from dokgen.web.app import spawn

    from .conftest import copy_example

    process, url, lines = spawn(copy_example(tmp_path / "ws"), "--host", "0.0.0.0")
    try:
        assert any("warning: serving on 0.0.0.0" in line for line in lines)
        port = urlsplit(url).port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/records", headers={"Host": f"127.0.0.1:{port}"})
        assert conn.getresponse().status == 401
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
