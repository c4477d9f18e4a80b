"""The prepared fast path writes the document plain docxtpl writes (render_docx), only faster."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from dokgen.context.common import record_title
from dokgen.context.mou import mou_context
from dokgen.errors import TemplateProblem
from dokgen.records import load_workspace
from dokgen.render import docx_fast
from dokgen.render.docx import normalise_zip, render_docx
from dokgen.render.docx_fast import _read_members, _write_zip, prepare, render_docx_fast

MOU_ID = "pontianak-lan-2015"
MOU = f"records/mou/{MOU_ID}.yaml"
TEMPLATE = "templates/docx/mou.docx"
NAME = "templates/docx/mou.docx"

# A third party whose text must be escaped, and must never be evaluated, in every part.
THIRD = """name: <PT Maju & Jaya> "Nusantara" {{ 7*7 }}
short_name: PT Maju & Jaya
type: badan-usaha
address: Jalan Gajah Mada No. 1 <Blok A> & B, 'Pontianak'
signatory:
  name: Siti Rahma
  title_prefix: Prof. Dr. Ir.
  title_suffix: M.T.
  position: Direktur Utama & Pendiri
  nip: 19700512 199603 2 004
"""


def add_third_party(ws: Path) -> None:
    (ws / "records/parties/maju-jaya.yaml").write_text(THIRD)
    mou = (ws / MOU).read_text().replace(
        "  - party: lan\n    number: null\n",
        "  - party: lan\n    number: 01/NK/LAN/2015\n  - party: maju-jaya\n    number: '{{ 7*7 }}'\n",
    ).replace("subject: >-\n", "subject: >-\n  Uji {{ 7*7 }} & <b>\"tebal\"</b> 'kutip'\n")
    (ws / MOU).write_text(mou)


def context_of(ws: Path) -> tuple[dict, str]:
    loaded = load_workspace(ws)
    return mou_context(loaded, MOU_ID), record_title(loaded.mou[MOU_ID])


def both(ws: Path, ctx: dict | None = None) -> tuple[bytes, bytes]:
    """(plain docxtpl, fast path) bytes for the MoU of ws."""
    base, title = context_of(ws)
    ctx = base if ctx is None else ctx
    plain = render_docx(ws / TEMPLATE, ctx, template_name=NAME, title=title)
    fast = render_docx_fast(ws / TEMPLATE, ctx, template_name=NAME, title=title)
    return plain, fast


def text_of(data: bytes) -> list[str]:
    """What a reader sees: body paragraphs, table cells, and every header and footer."""
    doc = Document(io.BytesIO(data))
    text = [p.text for p in doc.paragraphs]
    text += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    for section in doc.sections:
        for hf in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            text += [p.text for p in hf.paragraphs]
            text += [cell.text for table in hf.tables for row in table.rows for cell in row.cells]
    return text


def canonical_parts(data: bytes) -> dict[str, bytes]:
    """Each member in order; XML parts strictly parsed (no repair) and canonicalised (C14N)."""
    strict = etree.XMLParser(recover=False, resolve_entities=False)
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        for name in z.namelist():
            raw = z.read(name)
            is_xml = name.endswith((".xml", ".rels"))
            parts[name] = etree.tostring(etree.fromstring(raw, strict), method="c14n") if is_xml else raw
    return parts


def assert_same_document(plain: bytes, fast: bytes) -> None:
    assert text_of(fast) == text_of(plain)
    p, f = canonical_parts(plain), canonical_parts(fast)
    assert list(f) == list(p)  # same members, same order
    for name in p:
        assert f[name] == p[name], name
    assert {n for n in p if n.startswith(("word/header", "word/footer"))}, "headers and footers compared"
    assert "docProps/core.xml" in p


@pytest.fixture
def three_party(workspace: Path) -> Path:
    add_third_party(workspace)
    return workspace


@pytest.mark.parametrize("variant", ["example", "three-party"])
def test_fast_path_gives_docxtpls_document(workspace, variant):
    if variant == "three-party":
        add_third_party(workspace)
    plain, fast = both(workspace)
    assert_same_document(plain, fast)
    # Stronger than the above: the very bytes (the kept members are deflated by the same zlib
    # at normalise_zip's level, and the zip records carry the same fields).
    assert fast == plain


def test_still_escaped_and_never_evaluated(three_party):
    plain, fast = both(three_party)
    canonical_parts(fast)  # every XML part parses strictly
    text = "\n".join(text_of(fast))
    assert '<PT Maju & Jaya> "Nusantara" {{ 7*7 }}' in text
    assert "Uji {{ 7*7 }} & <b>\"tebal\"</b> 'kutip'" in text
    assert "49" not in text
    with zipfile.ZipFile(io.BytesIO(fast)) as z:
        body = z.read("word/document.xml").decode()
        footers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
        core = z.read("docProps/core.xml").decode()
        assert not any(n.startswith("word/media/") for n in z.namelist())  # no logo: the fast path ran
    assert "&lt;PT Maju &amp; Jaya&gt;" in body
    assert "PIHAK KETIGA" in footers  # the paraf table has a column for the third party
    assert "Uji {{ 7*7 }} &amp; &lt;b&gt;" in core and "49" not in core


def test_line_breaks_and_tabs_in_values_as_docxtpl(workspace):
    """resolve_listing runs when a value holds \\n or \\t (and is skipped otherwise)."""
    ctx, _ = context_of(workspace)
    ctx = {**ctx, "purpose": "baris satu\nbaris dua\tdengan tab", "funding": "tanpa jeda"}
    plain, fast = both(workspace, ctx)
    assert fast == plain
    with zipfile.ZipFile(io.BytesIO(fast)) as z:
        assert "<w:br/>" in z.read("word/document.xml").decode()


def test_reproducible_across_renders_processes_and_time_zones(workspace, tmp_path):
    ctx, title = context_of(workspace)
    first = render_docx_fast(workspace / TEMPLATE, ctx, template_name=NAME, title=title)
    assert render_docx_fast(workspace / TEMPLATE, ctx, template_name=NAME, title=title) == first
    script = (
        "import sys; from pathlib import Path\n"
        "from dokgen.records import load_workspace\nfrom dokgen.context.mou import mou_context\n"
        "from dokgen.context.common import record_title\nfrom dokgen.render.docx_fast import render_docx_fast\n"
        f"ws = load_workspace(Path({str(workspace)!r}))\n"
        f"data = render_docx_fast(ws.root / {TEMPLATE!r}, mou_context(ws, {MOU_ID!r}), template_name={NAME!r}, title=record_title(ws.mou[{MOU_ID!r}]))\n"
        "sys.stdout.buffer.write(data)\n"
    )
    for tz in ("Asia/Tokyo", "America/Los_Angeles"):
        env = {**os.environ, "TZ": tz}
        out = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, check=True).stdout
        assert out == first, tz
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_cache_prepares_once_and_again_when_the_template_changes(workspace):
    path = workspace / TEMPLATE
    first = prepare(path, NAME)
    assert prepare(path, NAME) is first  # a worker prepares each template once
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # touch: the same content
    second = prepare(path, NAME)
    assert second is first

    # Replace the file (as an editor saving in place would): the new template is used.
    ctx, title = context_of(workspace)
    doc = Document()
    doc.add_paragraph("REVISI {{ doc.type_caps }} {{ parties[0].name }}")
    replacement = workspace / "replacement.docx"
    doc.save(str(replacement))
    os.replace(replacement, path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    fast = render_docx_fast(path, ctx, template_name=NAME, title=title)
    assert "REVISI NOTA KESEPAHAMAN Pemerintah Kota Pontianak" in text_of(fast)
    assert prepare(path, NAME) is not second
    assert fast == render_docx(path, ctx, template_name=NAME, title=title)


def stored_template(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite the template in place, uncompressed, with `old` replaced by `new` (same length) in its body."""
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for info, blob in members:
            info.compress_type = zipfile.ZIP_STORED
            z.writestr(info, blob.replace(old, new) if info.filename == "word/document.xml" else blob)
    with open(path, "r+b") as f:  # in place: same inode
        f.write(out.getvalue())
        f.truncate()


def test_a_template_rewritten_with_the_same_size_and_time_is_not_served_stale(workspace):
    """The prepared-template cache keys on the content: same size, same old mtime, same inode."""
    path = workspace / TEMPLATE
    ctx, title = context_of(workspace)
    stored_template(path, b"", b"")
    st = path.stat()
    old = render_docx_fast(path, ctx, template_name=NAME, title=title)
    assert "PARA_PIHAK" not in "\n".join(text_of(old))
    stored_template(path, b"PARA PIHAK", b"PARA_PIHAK")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    now = path.stat()
    assert (now.st_size, now.st_mtime_ns, now.st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)
    fast = render_docx_fast(path, ctx, template_name=NAME, title=title)
    assert "PARA_PIHAK" in "\n".join(text_of(fast))
    assert fast == render_docx(path, ctx, template_name=NAME, title=title)


def test_draft_watermark_and_paper_size(workspace):
    ctx, title = context_of(workspace)
    for is_draft, paper in [(True, (210, 297)), (False, (215, 330)), (True, (215, 330)), (False, (210, 297))]:
        variant = {**ctx, "doc": {**ctx["doc"], "is_draft": is_draft, "paper_mm": paper}}
        plain, fast = both(workspace, variant)
        assert fast == plain
        with zipfile.ZipFile(io.BytesIO(fast)) as z:
            headers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))
        assert ('string="DRAF"' in headers) is is_draft
        for section in Document(io.BytesIO(fast)).sections:
            assert (round(section.page_width.mm), round(section.page_height.mm)) == paper


def make_logos(ws: Path, kinds: str) -> list[Path]:
    """Real logos of different sizes and colours: P for a PNG, J for a JPEG."""
    from PIL import Image

    paths = []
    for i, kind in enumerate(kinds):
        fmt, ext = ("PNG", "png") if kind == "P" else ("JPEG", "jpg")
        path = ws / f"assets/logo-{i}.{ext}"
        Image.new("RGB", (40 + 7 * i, 30 + 11 * i), (30 * i % 256, 120, 200 - 20 * i)).save(path, fmt)
        paths.append(path)
    return paths


def with_logos(ctx: dict, logos: list[Path]) -> dict:
    """The context with one party per logo (the example's two parties in turn), each with its logo."""
    parties = [{**ctx["parties"][i % 2], "logo_path": logo} for i, logo in enumerate(logos)]
    return {**ctx, "parties": parties}


def media_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("word/media/")}


@pytest.mark.parametrize("kinds", ["P", "J", "PJ", "JP", "PPJ", "PJPJPP", "JJJJJJ"])
def test_logos_on_the_fast_path_give_docxtpls_bytes(workspace, kinds):
    logos = make_logos(workspace, kinds)
    ctx = with_logos(context_of(workspace)[0], logos)
    plain, fast = both(workspace, ctx)
    assert fast == plain
    assert len(media_of(fast)) == len(kinds)  # one picture part per logo
    assert text_of(fast) == text_of(plain)
    # the fast path did it (no step aside to docxtpl): the layout for these kinds is prepared
    layouts = prepare(workspace / TEMPLATE, NAME).layouts
    assert layouts[tuple("png" if k == "P" else "jpg" for k in kinds)] is not None


def test_the_same_logo_twice_is_one_picture_part(workspace):
    first, second = make_logos(workspace, "PJ")
    ctx = with_logos(context_of(workspace)[0], [first, second, first])
    plain, fast = both(workspace, ctx)
    assert fast == plain
    assert len(media_of(fast)) == 2


def test_documents_in_turn_keep_their_own_logos(workspace):
    """Renders with different logos, numbers of logos and none, in turn, each as docxtpl writes it."""
    logos = make_logos(workspace, "PJPPJP")
    base = context_of(workspace)[0]
    for chosen in ([0, 1], [2, 3, 4], [], [5, 0], [1], [0, 1]):
        ctx = with_logos(base, [logos[i] for i in chosen]) if chosen else base
        plain, fast = both(workspace, ctx)
        assert fast == plain, chosen
        assert sorted(media_of(fast).values()) == sorted({clean(logos[i]) for i in chosen})


def clean(path: Path) -> bytes:
    from dokgen.images import clean_logo

    return clean_logo(path)[0]


def test_a_logo_changed_on_disk_is_used_at_once(workspace):
    from PIL import Image

    logo = make_logos(workspace, "P")[0]
    ctx = with_logos(context_of(workspace)[0], [logo])
    before = both(workspace, ctx)[1]
    Image.new("RGB", (90, 20), "red").save(logo, "PNG")  # another picture, another size
    plain, fast = both(workspace, ctx)
    assert fast == plain and fast != before
    assert list(media_of(fast).values()) == [clean(logo)]
    Image.new("RGB", (90, 20), "blue").save(logo, "JPEG")  # a JPEG under a .png name: still what docxtpl writes
    plain, fast = both(workspace, ctx)
    assert fast == plain


def test_a_logo_in_a_header_is_left_to_docxtpl(workspace):
    """docxtpl relates a picture in a header to the header: the fast path steps aside, same bytes."""
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "{% for p in parties %}{{ p.logo }}{% endfor %}"
    doc.add_paragraph("Isi {{ parties[0].name }}")
    path = workspace / "templates/docx/kop.docx"
    doc.save(str(path))
    ctx = with_logos(context_of(workspace)[0], make_logos(workspace, "PJ"))
    plain = render_docx(path, ctx, template_name="kop", title="t")
    assert render_docx_fast(path, ctx, template_name="kop", title="t") == plain
    with zipfile.ZipFile(io.BytesIO(plain)) as z:
        assert any(n.startswith("word/header") and "r:embed" in z.read(n).decode() for n in z.namelist())


def test_build_writes_the_fast_paths_bytes(workspace, run):
    code, _, err = run("-C", str(workspace), "build", str(workspace / MOU))
    assert code == 0, err
    plain, _ = both(workspace)
    assert (workspace / f"out/mou/{MOU_ID}.docx").read_bytes() == plain


def broken_template(ws: Path, text: str) -> Path:
    doc = Document()
    doc.add_paragraph("Pembukaan")
    doc.add_paragraph(text)
    doc.add_paragraph("Penutup")
    path = ws / "templates/docx/broken.docx"
    doc.save(str(path))
    return path


@pytest.mark.parametrize("text, expected", [
    ("Nomor: {{ doc.nomor_tidak_ada }}", "nomor_tidak_ada"),
    ("{% for p in parties %}{{ p.name }}", "endfor"),
    ("{{ parties[0].name | tidak_ada_filter }}", "tidak_ada_filter"),
])
def test_template_errors_read_as_with_docxtpl(workspace, text, expected):
    path = broken_template(workspace, text)
    ctx, title = context_of(workspace)
    messages = []
    for render in (render_docx, render_docx_fast):
        with pytest.raises(TemplateProblem) as caught:
            render(path, ctx, template_name="templates/docx/broken.docx", title=title)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert messages[1].startswith("templates/docx/broken.docx:1:1: ") and expected in messages[1]  # located


def test_syntax_error_quotes_the_paragraph(workspace):
    path = broken_template(workspace, "Pasal {% if doc.is_draft %} tanpa penutup")
    with pytest.raises(TemplateProblem, match=r"near: .*Pasal"):
        render_docx_fast(path, context_of(workspace)[0], template_name="templates/docx/broken.docx", title="t")


def test_template_code_in_document_properties_is_refused(workspace):
    path = broken_template(workspace, "Isi")
    doc = Document(str(path))
    doc.core_properties.comments = "dibuat untuk {{ doc.subject }}"
    doc.save(str(path))
    for render in (render_docx, render_docx_fast):
        with pytest.raises(TemplateProblem, match="properties comments hold template code"):
            render(path, context_of(workspace)[0], template_name="templates/docx/broken.docx", title="t")


def test_zip_writer_writes_what_zipfile_writes(workspace):
    """_write_zip, given the members of a normalise_zip output as stored, gives back its bytes."""
    plain, _ = both(workspace)
    assert plain == normalise_zip(plain)
    assert _write_zip(_read_members(plain)) == plain
    # a non-ASCII member name takes zipfile's UTF-8 flag
    member = docx_fast._Member("word/média.xml", zipfile.ZIP_STORED, 0, 0, b"")
    with zipfile.ZipFile(io.BytesIO(_write_zip([member]))) as z:
        assert z.namelist() == ["word/média.xml"] and z.testzip() is None
