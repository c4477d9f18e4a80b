"""Guarantees 2 and 3: record text stays data, and record text fetches nothing.

Every free-text field of every record kind (found by trying each field of the worked
example against the schema) gets a hostile payload; every output is read back the way a
person would read it. Control characters are rejected at validation, naming the field.
"""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from lxml import etree

from dokgen.records import KINDS
from dokgen.model import Scope

PAYLOAD = "&<>\"' ]]> {{ 7*7 }} {% if x %} {{ ''.__class__.__mro__ }} {{ cycler.__init__.__globals__ }}"
URLS = '<img src="file:///etc/passwd"> <link rel=attachment href="file:///etc/hostname"> <style>@import url({url}/i.css)</style> url({url}/u.png) <img src="{url}/x.png">'
CONTROL = [chr(c) for c in range(32) if c not in (9, 10, 13)] + ["\x7f", "\ufffe", "\uffff"]


def _model_for(rel: str):
    if rel == "records/scopes.yaml":
        return None
    return KINDS[rel.split("/")[1]][1]


def _leaves(data, path=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _leaves(v, (*path, i))
    elif isinstance(data, str):
        yield path


def _set(data, path, value):
    for p in path[:-1]:
        data = data[p]
    data[path[-1]] = value


def _get(data, path):
    for p in path:
        data = data[p]
    return data


def _valid(rel: str, data) -> bool:
    from pydantic import ValidationError

    try:
        if rel == "records/scopes.yaml":
            for v in data.values():
                Scope.model_validate(v)
        else:
            _model_for(rel).model_validate(data)
        return True
    except ValidationError:
        return False


def poison(ws: Path, text_for) -> list[tuple[str, tuple]]:
    """Put text_for(n) into every free-text field of every record; return the fields."""
    from dokgen.yamlfile import read_yaml

    fields = []
    for path in sorted((ws / "records").rglob("*.yaml")):
        rel = path.relative_to(ws).as_posix()
        data = read_yaml(path.read_bytes(), rel).data
        for leaf in list(_leaves(data)):
            before = _get(data, leaf)
            _set(data, leaf, before + " " + text_for(len(fields)))
            if _valid(rel, data):
                fields.append((rel, leaf))
            else:
                _set(data, leaf, before)  # an id, a choice, a date: not free text
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000))
    return fields


class _Text(HTMLParser):
    """Visible text of a page (not its stylesheet)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("style", "script")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("style", "script")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def readable_text(path: Path) -> str:
    """What a person reads in each output."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            texts = []
            for name in z.namelist():
                if name.endswith(".xml"):
                    root = etree.fromstring(z.read(name), etree.XMLParser(recover=False))
                    texts.append(" ".join(t.text or "" for t in root.iter("{*}t")))
                    texts += [root.get("title") or ""]
            return " ".join(texts)
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    if path.suffix == ".html":
        parser = _Text()
        parser.feed(path.read_text())
        return " ".join(parser.parts)
    if path.suffix == ".md":
        from markdown_it import MarkdownIt

        parser = _Text()
        parser.feed(MarkdownIt().render(path.read_text()))
        return " ".join(parser.parts)
    return path.read_text()


def tag(n: int) -> str:
    """A marker with no digits, so a stray '49' can only come from evaluation."""
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(97 + r) + letters
    return letters


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", ""))


@pytest.mark.guarantee("2 data stays data")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_payload_in_every_text_field_is_rendered_literally(workspace, run, figure):
    fields = poison(workspace, lambda n: f"Q{tag(n)}Q {PAYLOAD} Z{tag(n)}Z")
    index = {tag(i): i for i in range(len(fields))}
    code, out, err = run("-C", str(workspace), "build", "--jobs", "1")
    assert code == 0, err
    outputs = sorted(p for p in (workspace / "out").rglob("*") if p.is_file() and not p.name.startswith("."))
    assert {p.suffix for p in outputs} >= {".docx", ".html", ".md", ".txt"}
    seen: set[int] = set()
    for path in outputs:
        text = _norm(readable_text(path))
        figure.files_checked += 1
        assert not re.search(r"(?<![\d/.-])49(?![\d/.-])", text), path  # {{ 7*7 }} never evaluated
        for t in re.findall(r"Q([a-z]+)Q", text):
            n = index[t]
            seen.add(n)
            m = re.search(rf"Q{t}Q (.*?) Z{t}Z", text)
            literal = m is not None and m.group(1) == _norm(PAYLOAD)
            figure.failures += not literal
            assert literal, (path.name, fields[n], m.group(1) if m else text[text.index(f"Q{t}Q"):][:200])
    figure.cases = len(fields)
    missing = [f"{rel}:{'.'.join(map(str, leaf))}" for i, (rel, leaf) in enumerate(fields) if i not in seen]
    figure.note = f"{len(fields)} fields, {len(missing)} not shown in any document"
    print(f"\n{len(fields)} free-text fields poisoned; not printed by any template: {missing}")
    assert len(fields) >= 40
    for path in outputs:
        if path.suffix == ".pdf" and shutil.which("qpdf"):
            subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)


@pytest.mark.guarantee("2 data stays data")
@pytest.mark.parametrize("char", CONTROL, ids=[f"U+{ord(c):04X}" for c in CONTROL])
def test_control_character_is_rejected_naming_the_field(workspace, run, figure, char):
    path = workspace / "records/mou/pontianak-lan-2015.yaml"
    escaped = "\\x%02x" % ord(char) if ord(char) < 256 else "\\u%04x" % ord(char)
    path.write_text(path.read_text().replace("city: Pontianak", f'city: "Ponti{escaped}anak"'))
    code, _, err = run("-C", str(workspace), "check")
    figure.cases += 1
    ok = code == 1 and "signing.city" in err and f"U+{ord(char):04X}" in err
    figure.failures += not ok
    assert ok, err


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Counter.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.guarantee("3 no file or network access")
def test_urls_in_records_fetch_nothing(workspace, run, figure):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    _Counter.hits.clear()
    try:
        fields = poison(workspace, lambda n: URLS.format(url=url))
        code, _, err = run("-C", str(workspace), "build", "--jobs", "1")
    finally:
        server.shutdown()
    assert code == 0, err
    figure.cases = len(fields)
    figure.failures = len(_Counter.hits)
    assert _Counter.hits == []
    for pdf in (workspace / "out").rglob("*.pdf"):
        raw = pdf.read_bytes()
        figure.files_checked += 1
        assert b"/EmbeddedFile" not in raw and b"root:x:0:0" not in raw
        text = readable_text(pdf)
        assert "file:///etc/passwd" in _norm(text).replace(" ", "") or "passwd" in text
    for html in (workspace / "out").rglob("*.html"):
        figure.files_checked += 1
        assert '<img src="file:' not in html.read_text() and "<link rel=attachment" not in html.read_text()


def tiny_png(path: Path, width: int, height: int) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.guarantee("3 no file or network access")
def test_image_declaring_enormous_dimensions_is_refused(workspace, run, figure):
    tiny_png(workspace / "assets/bom.png", 50_000, 50_000)
    lan = workspace / "records/parties/lan.yaml"
    lan.write_text(lan.read_text().replace("short_name: LAN", "short_name: LAN\nlogo: assets/bom.png"))
    code, _, err = run("-C", str(workspace), "check")
    figure.cases += 1
    ok = code == 1 and "records/parties/lan.yaml" in err and "50000x50000" in err
    figure.failures += not ok
    assert ok, err
    assert (workspace / "assets/bom.png").stat().st_size < 2_000
