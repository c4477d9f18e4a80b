"""`dokgen register publish DIR`: static verification pages humas can upload anywhere.

One page per code at DIR/<code>/index.html (so https://…/verifikasi/<code> works on any
static host) and DIR/index.html listing them all. Every value is record text typed by a
clerk: the pages are rendered by Jinja with autoescaping on, so a `<script>` in a subject
is shown as text, never run. No script, no external resource: the pages work offline.
"""

from __future__ import annotations

from pathlib import Path

PAGE = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verifikasi {{ e.code }}</title>
<style>{{ css }}</style>
</head>
<body>
<main>
<h1>Verifikasi dokumen</h1>
<p class="state {{ e.status }}">{{ e.state }}</p>
<dl>
<dt>Kode verifikasi</dt><dd>{{ e.code }}</dd>
{%- if numbers %}
<dt>Nomor</dt><dd>{% for n in numbers %}{{ n }}{% if not loop.last %}<br>{% endif %}{% endfor %}</dd>
{%- endif %}
<dt>Tanggal terbit</dt><dd>{{ e.issued_on }}</dd>
<dt>Perihal</dt><dd>{{ e.subject }}</dd>
<dt>Para pihak</dt><dd><ul>{% for p in e.parties %}<li>{{ p.name }}{% if p.signer %}: ditandatangani oleh {{ p.signer }}, {{ p.position }}{% endif %}</li>{% endfor %}</ul></dd>
<dt>Berkas terdaftar (SHA-256)</dt><dd><ul>{% for name, digest in files %}<li><code>{{ digest }}</code></li>{% endfor %}</ul></dd>
</dl>
<p class="note">Kode ini menandakan dokumen terdaftar di register instansi; kode ini bukan tanda tangan elektronik.
Dokumen asli cocok dengan register bila sidik SHA-256 berkasnya sama dengan salah satu di atas.</p>
<p><a href="../index.html">Semua dokumen terdaftar</a></p>
</main>
</body>
</html>
"""

INDEX = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dokumen terdaftar</title>
<style>{{ css }}</style>
</head>
<body>
<main>
<h1>Dokumen terdaftar</h1>
<table>
<thead><tr><th>Kode</th><th>Tanggal terbit</th><th>Perihal</th><th>Keadaan</th></tr></thead>
<tbody>
{%- for e in entries %}
<tr><td><a href="{{ e.code }}/index.html">{{ e.code }}</a></td><td>{{ e.issued_on }}</td><td>{{ e.subject }}</td><td>{{ e.state }}</td></tr>
{%- endfor %}
</tbody>
</table>
</main>
</body>
</html>
"""

CSS = ("body{font-family:system-ui,sans-serif;margin:0;color:#222}main{max-width:46rem;margin:2rem auto;padding:0 1rem}"
       "dt{font-weight:600;margin-top:.8rem}dd{margin:0}ul{margin:0;padding-left:1.2rem}code{font-size:.8rem;word-break:break-all}"
       ".state{font-size:1.3rem;font-weight:700;padding:.5rem .8rem;border-radius:4px;background:#e6f4ea}"
       ".state.revoked,.state.superseded{background:#fce8e6}.note{color:#555;font-size:.9rem;margin-top:1.5rem}"
       "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}")


def publish(root: Path, directory: Path) -> list[Path]:
    """Write the pages of every register entry into directory; return the files written."""
    from jinja2 import Environment

    from .register import Register
    from .writer import atomic_write

    env = Environment(autoescape=True, keep_trailing_newline=True)
    page, index = env.from_string(PAGE), env.from_string(INDEX)
    directory = Path(directory)
    with Register.open(root) as reg:
        entries = reg.entries()
        files = {e.code: reg.files(e.code) for e in entries}
    written = []
    for e in entries:
        target = directory / e.code / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        html = page.render(e=e, numbers=[n for n in e.numbers if n], files=files[e.code], css=CSS)
        atomic_write(target, html.encode("utf-8"))
        written.append(target)
    directory.mkdir(parents=True, exist_ok=True)
    atomic_write(directory / "index.html", index.render(entries=entries, css=CSS).encode("utf-8"))
    written.append(directory / "index.html")
    return written
