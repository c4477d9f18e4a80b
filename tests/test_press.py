"""Press summaries for humas: the worked example's HTML, Markdown and text, escaping,
the word-count warning, and the web page in a real browser (headless Chromium)."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dokgen.build import Options
from dokgen.context.press import count_words, press_context, quote_text, short_person, strip_titles
from dokgen.records import load_workspace
from dokgen.render.press import md_escape, produce_press

ID = "pemkot-gandeng-lan-2015"
PRESS = f"records/press/{ID}.yaml"
MOU = "records/mou/pontianak-lan-2015.yaml"
LAN = "records/parties/lan.yaml"
LAB = "records/labs/labinov-pontianak-2015.yaml"
KINDS = ("html", "md", "txt")

HEADLINE = "Pemkot Pontianak Gandeng LAN untuk Tingkatkan Inovasi"
SUBJECT = (
    "Kerja Sama Penguatan Kapasitas Pemerintah Kota Pontianak melalui Pengkajian Kebijakan, "
    "Pendidikan dan Pelatihan, Inovasi Administrasi Negara, serta Penyelenggaraan Pendidikan Tinggi"
)
SCOPES = ["Pengkajian Kebijakan", "Pendidikan dan Pelatihan", "Inovasi Administrasi Negara", "Penyelenggaraan Pendidikan Tinggi"]
VENUE = "Aula Sultan Syarif Abdurrahman, Kantor Wali Kota Pontianak, Jalan Rahadi Usman No. 3"
CREDIT = "(tyas/dan/humas)"


# --- helpers -------------------------------------------------------------------------------


def edit(ws: Path, rel: str, old: str, new: str) -> None:
    path = ws / rel
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def render(ws: Path) -> tuple[dict[str, str], dict, list[str]]:
    """Render the example press record in memory: ({kind: text}, context, warnings)."""
    loaded = load_workspace(ws)
    rendered = produce_press(loaded, loaded.press[ID], Options())
    files = {name.rsplit(".", 1)[1]: data.decode("utf-8") for name, data in rendered.files.items()}
    assert set(rendered.files) == {f"press/{ID}.{k}" for k in KINDS}
    return files, press_context(loaded, ID), rendered.warnings


class Blocks(HTMLParser):
    """Collect what a reader sees: block texts in order, meta tags, tags, URL attributes."""

    BLOCKS = {"h1", "h2", "h3", "p", "li", "blockquote", "title"}
    URL_ATTRS = {"src", "href", "action", "poster", "srcset", "data", "formaction", "background"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, dict, str]] = []
        self.meta: dict[str, str] = {}
        self.tags: list[str] = []
        self.inline: dict[str, list[str]] = {}
        self.urls: list[str] = []
        self._open: list[tuple[str, dict, list[str]]] = []
        self._inline: list[tuple[str, list[str]]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in self.URL_ATTRS]
        if tag == "meta":
            key = a.get("property") or a.get("name") or a.get("http-equiv")
            if key:
                self.meta[key] = a.get("content", "")
        if tag in ("style", "script"):
            self._skip += 1
        if tag in self.BLOCKS:
            self._open.append((tag, a, []))
        elif tag in ("em", "i", "strong", "b", "a", "code", "span"):
            self._inline.append((tag, []))

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        if tag in self.BLOCKS and self._open and self._open[-1][0] == tag:
            t, a, parts = self._open.pop()
            self.blocks.append((t, a, " ".join("".join(parts).split())))
        elif self._inline and self._inline[-1][0] == tag:
            t, parts = self._inline.pop()
            self.inline.setdefault(t, []).append("".join(parts))

    def handle_data(self, data):
        if self._skip and not (self._open and self._open[-1][0] == "title"):
            return
        for _, _, parts in self._open:
            parts.append(data)
        for _, parts in self._inline:
            parts.append(data)


def parse(html: str) -> Blocks:
    p = Blocks()
    p.feed(html)
    p.close()
    return p


def markdown_to_html(md: str) -> str:
    """Render Markdown as a CMS would (CommonMark with raw HTML allowed, plus GFM tables and strikethrough)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)


def reader_view(kind: str, text: str) -> tuple[str, list[str]]:
    """Return (headline, story paragraphs) as a reader of that output sees them."""
    if kind == "txt":
        blocks = [" ".join(b.split()) for b in text.strip().split("\n\n")]
        assert all("\n" not in b for b in text.strip().split("\n\n")), "one paragraph a line"
        return blocks[0], blocks[1:]
    html = text if kind == "html" else markdown_to_html(text)
    p = parse(html)
    h1 = [b for t, _, b in p.blocks if t == "h1"]
    assert len(h1) == 1, h1
    paras = [(a, b) for t, a, b in p.blocks if t == "p"]
    if kind == "html":
        story = [b for a, b in paras if not a.get("class")]
    else:
        story = [b for _, b in paras][1:]  # after the date line
    return h1[0], story


@pytest.fixture
def example(workspace):
    files, ctx, warnings = render(workspace)
    return files, ctx, warnings


# --- the worked example ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_example_states_every_fact(example, kind):
    files, ctx, warnings = example
    headline, story = reader_view(kind, files[kind])
    text = "\n".join(story)
    assert warnings == []
    assert headline == HEADLINE

    # lead: dateline, who (full names), what (type + subject), when, where
    lead = story[0]
    assert lead.startswith("Pontianak – Pemerintah Kota Pontianak dan Lembaga Administrasi Negara (LAN) menandatangani")
    assert f"Nota Kesepahaman tentang {SUBJECT}" in lead
    assert "Rabu (11/11/2015)" in lead
    assert VENUE in lead
    # full names at first mention, short names after
    first_short = text.index("Pemkot Pontianak")
    assert text.index("Pemerintah Kota Pontianak") < first_short
    assert re.search(r"\bLAN\b", text[text.index("(LAN)") + 5 :])
    # why: the four scope areas (named by the subject, so the next paragraph refers back), the term
    for scope in SCOPES:
        assert scope in lead
    why = story[1]
    assert why == "Nota kesepahaman yang berlaku lima tahun itu menjadi dasar kerja sama Pemkot Pontianak dan LAN di keempat bidang tersebut."

    # quotes: position + name at first mention, the record's verb, "imbuhnya" when the same person goes on
    assert (
        "“Kami minta setiap SKPD, kecamatan, kelurahan, hingga puskesmas menghadirkan inovasi yang "
        "memudahkan warga mendapatkan layanan,” kata Wali Kota Pontianak Sutarmidji."
    ) in story
    assert "“Kami ingin Pontianak menjadi rujukan daerah lain yang ingin belajar berinovasi,” imbuhnya." in story
    tegas = [p for p in story if p.endswith("tegas Kepala Lembaga Administrasi Negara Adi Suryanto.")]
    assert len(tegas) == 1 and tegas[0].startswith("“Inovasi tidak cukup dengan semangat.")
    # news style: no academic titles
    for title in ("Dr.", "M.Si", "S.H.", "M.Hum", "H. Sutarmidji"):
        assert title not in text

    # the lab as of the piece's own date (the signing day, the lab's first day): held in
    # stages, drum up under way, diagnose still to come, the 2015 word SKPD
    assert (
        "Penandatanganan itu menjadi bagian dari rangkaian Laboratorium Inovasi Daerah Kota Pontianak, yang "
        "diselenggarakan LAN bersama Pemkot Pontianak di Kantor Wali Kota Pontianak dan berlangsung bertahap "
        "sejak 11 hingga 13 November 2015."
    ) in text
    assert "selama tiga hari" not in text
    assert "Sebanyak tujuh unit kerja ikut serta, yaitu tiga SKPD, dua kecamatan" in text
    assert "5D, yaitu drum up, diagnose, design, deliver, dan display" in text
    assert "Tahap drum up sedang berlangsung pada 11 November 2015." in text
    assert "Tahap diagnose akan dilaksanakan pada 12–13 November 2015, sedangkan tahap design, deliver, dan display akan menyusul." in text
    assert "telah dilaksanakan" not in text

    # the credit closes the piece
    assert story[-1].endswith(f"akan menyusul. {CREDIT}")
    assert text.count(CREDIT) == 1

    # the word count is the reader's
    assert count_words(text) == ctx["word_count"]
    assert 150 <= ctx["word_count"] <= 600


def test_example_word_count_and_forms(example):
    files, ctx, _ = example
    assert ctx["word_count"] == 220
    txt = files["txt"]
    assert txt.startswith(HEADLINE + "\n\nPontianak – ")
    assert not re.search(r"[*_#<>`]|\*\*", txt), "the chat text has no markup"
    assert txt.endswith(f"{CREDIT}\n")
    md = files["md"]
    assert md.startswith(f"# {HEADLINE}\n\n*Rabu, 11 November 2015*\n\n**Pontianak –** Pemerintah Kota Pontianak")
    assert "*drum up*" in md and md.endswith(f"{CREDIT}\n")
    # English terms are in italics in the web page and in Markdown
    assert parse(files["html"]).inline["i"][:5] == ["drum up", "diagnose", "design", "deliver", "display"]


def test_html_page_has_title_preview_meta_print_styles_and_no_external_resource(example):
    files, ctx, _ = example
    html = files["html"]
    p = parse(html)
    assert html.startswith("<!doctype html>\n<html lang=\"id\">")
    assert [b for t, _, b in p.blocks if t == "title"] == [HEADLINE]
    assert p.meta["viewport"] == "width=device-width, initial-scale=1"
    description = p.meta["description"]
    assert description.startswith("Pemerintah Kota Pontianak dan Lembaga Administrasi Negara (LAN) menandatangani")
    assert 50 < len(description) <= 160
    assert p.meta["og:title"] == HEADLINE and p.meta["og:description"] == description
    assert p.meta["og:type"] == "article" and p.meta["og:locale"] == "id_ID"
    assert p.meta["og:site_name"] == "Pemerintah Kota Pontianak"
    assert p.meta["article:published_time"] == "2015-11-11"
    assert p.meta["twitter:card"] == "summary"
    assert "default-src 'none'" in p.meta["Content-Security-Policy"]
    assert "@media print" in html and "@page" in html
    assert '<time datetime="2015-11-11">Rabu, 11 November 2015</time>' in html
    # nothing that loads from elsewhere: no URL attributes, no CSS url()/@import, no script
    assert p.urls == []
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert not re.search(r"url\(|@import|https?:|//[a-z]", html.split("<body>")[0].split("<style>")[1])
    assert not re.search(r"https?://", html)


def test_facts_come_from_the_mou_and_lab_not_the_press_record(workspace):
    edit(workspace, MOU, "date: 2015-11-11", "date: 2015-11-12")
    edit(workspace, MOU, "venue: Aula Sultan Syarif Abdurrahman,", "venue: Ruang Rapat Wali Kota,")
    edit(workspace, MOU, "term_years: 5", "term_years: 3")
    edit(workspace, LAN, "short_name: LAN", "short_name: LAN RI")
    edit(workspace, MOU, "Kerja Sama Penguatan Kapasitas Pemerintah Kota Pontianak melalui Pengkajian\n  Kebijakan, Pendidikan dan Pelatihan, Inovasi Administrasi Negara, serta\n  Penyelenggaraan Pendidikan Tinggi", "Penguatan Kapasitas Aparatur")
    edit(workspace, LAB, "  - stage: design\n    status: planned", "  - stage: design\n    status: in-progress")
    files, ctx, _ = render(workspace)
    text = "\n".join(reader_view("txt", files["txt"])[1])
    assert "Kamis (12/11/2015), di Ruang Rapat Wali Kota, Kantor Wali Kota Pontianak" in text
    assert "menandatangani Nota Kesepahaman tentang Penguatan Kapasitas Aparatur, Kamis" in text
    assert "berlaku tiga tahun" in text
    assert f"kerja sama Pemkot Pontianak dan LAN RI di empat bidang, yaitu {', '.join(SCOPES[:3])}, serta {SCOPES[3]}." in text
    assert "(LAN RI)" not in text, "a short form made of words needs no introduction"
    # the stages are told as of the piece's date (still 11 November): design, undated and in
    # progress at report time, is under way; diagnose is still to come
    assert "Tahap drum up sedang berlangsung pada 11 November 2015, demikian pula tahap design." in text
    assert "Tahap diagnose akan dilaksanakan pada 12–13 November 2015, sedangkan tahap deliver dan display akan menyusul." in text


def test_later_mentions_use_the_short_name_and_titles_are_dropped(workspace):
    edit(
        workspace,
        PRESS,
        "credit: tyas/dan/humas",
        "  - speaker: {name: 'Dr. Tri Widodo Wahyu Utomo, S.H., M.A.', position: Deputi Bidang Inovasi Administrasi Negara LAN}\n"
        "    text: Fasilitator kami mendampingi setiap unit.\n"
        "    verb: jelas\n"
        "  - speaker: pemkot-pontianak\n"
        "    text: Hasilnya akan kami pantau setiap bulan.\n"
        "    verb: ujar\n"
        "  - speaker: {name: Tri Widodo Wahyu Utomo, position: Deputi Bidang Inovasi Administrasi Negara LAN}\n"
        "    text: Kami siap kembali untuk tahap berikutnya!\n"
        "    verb: kata\n"
        "credit: tyas/dan/humas",
    )
    files, _, _ = render(workspace)
    story = reader_view("txt", files["txt"])[1]
    assert "“Fasilitator kami mendampingi setiap unit,” jelas Deputi Bidang Inovasi Administrasi Negara LAN Tri Widodo Wahyu Utomo." in story
    assert "“Hasilnya akan kami pantau setiap bulan,” ujar Sutarmidji." in story
    assert "“Kami siap kembali untuk tahap berikutnya!” kata Tri." in story


@pytest.mark.parametrize(
    ("name", "plain", "short"),
    [
        ("Dr. Adi Suryanto, M.Si.", "Adi Suryanto", "Adi"),
        ("H. Sutarmidji, S.H., M.Hum.", "Sutarmidji", "Sutarmidji"),
        ("Prof. Dr. Ir. Muhammad Yusuf", "Muhammad Yusuf", "Muhammad Yusuf"),
        ("Hj. Sri Mulyani", "Sri Mulyani", "Sri Mulyani"),
        ("Edi Rusdi Kamtono", "Edi Rusdi Kamtono", "Edi"),
    ],
)
def test_names_in_news_style(name, plain, short):
    assert strip_titles(name) == plain
    assert short_person(plain) == short


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("Kami siap.", "Kami siap,"),
        ("“Kami siap.”", "Kami siap,"),  # the writer's own quote marks are not doubled
        ('Ini disebut "inovasi"', 'Ini disebut "inovasi",'),  # a quoted word at the end stays whole
        ("Kami siap...", "Kami siap..."),
        ("Sudah siap?", "Sudah siap?"),
        ("Dua kalimat. Tanpa titik", "Dua kalimat. Tanpa titik,"),
    ],
)
def test_quote_ends_on_a_comma_before_the_attribution(typed, written):
    assert quote_text(typed) == written


# --- escaping ----------------------------------------------------------------------------------

HOSTILE_NAME = 'Lembaga <script>alert(1)</script> & "Adm" {{ 7*7 }} #Negara'
HOSTILE_SHORT = "L*A_N"
HOSTILE_QUOTE = "*tebal* _miring_ [tautan](http://contoh.invalid) # bukan judul `kode` & <b>x</b> {{ 7*7 }} {% if x %} \"kutip\" 'kutip'"
HOSTILE_HEADLINE = "Pemkot & LAN <Gandeng> {{ 7*7 }} Inovasi"


def yaml_single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture
def hostile(workspace):
    edit(workspace, LAN, "name: Lembaga Administrasi Negara", f"name: {yaml_single(HOSTILE_NAME)}")
    edit(workspace, LAN, "short_name: LAN", f"short_name: {yaml_single(HOSTILE_SHORT)}")
    edit(workspace, PRESS, "headline: Pemkot Pontianak Gandeng LAN untuk Tingkatkan Inovasi", f"headline: {yaml_single(HOSTILE_HEADLINE)}")
    edit(
        workspace,
        PRESS,
        "credit: tyas/dan/humas",
        f"  - speaker: lan\n    text: {yaml_single(HOSTILE_QUOTE)}\n    verb: ujar\ncredit: tyas/dan/humas",
    )
    files, _, _ = render(workspace)
    return workspace, files


@pytest.mark.parametrize("kind", KINDS)
def test_data_reaches_the_reader_literally(hostile, kind):
    _, files = hostile
    raw = files[kind]
    headline, story = reader_view(kind, raw)
    text = "\n".join(story)
    readable = re.sub(r"<style>.*?</style>", "", raw, flags=re.S)  # CSS colours hold digits
    assert "49" not in readable and "49" not in headline + text, "record text is never template code"
    assert headline == HOSTILE_HEADLINE
    assert f"Pemerintah Kota Pontianak dan {HOSTILE_NAME} ({HOSTILE_SHORT}) menandatangani" in story[0]
    assert f"Pemkot Pontianak dan {HOSTILE_SHORT} di keempat bidang" in story[1]
    assert f"“{HOSTILE_QUOTE},” ujarnya." in story  # LAN spoke just before
    assert f"diselenggarakan {HOSTILE_SHORT} bersama" in text


@pytest.mark.parametrize("kind", ["html", "md"])
def test_data_never_becomes_markup(hostile, kind):
    _, files = hostile
    html = files["html"] if kind == "html" else markdown_to_html(files["md"])
    p = parse(html)
    assert "<script" not in html and "<b>" not in html and "<Gandeng>" not in html
    for tag in ("script", "b", "a", "code", "h2", "ul", "ol", "blockquote", "table", "del", "s"):
        assert tag not in p.tags, tag
    assert p.tags.count("h1") == 1
    emphasised = set(p.inline.get("i", []) + p.inline.get("em", []))
    assert emphasised <= {"drum up", "diagnose", "design", "deliver", "display", "Rabu, 11 November 2015"}
    assert set(p.inline.get("strong", [])) <= {"Pontianak –"}
    if kind == "html":
        assert p.meta["og:title"] == HOSTILE_HEADLINE
        assert HOSTILE_NAME in p.meta["description"]
        assert [b for t, _, b in p.blocks if t == "title"] == [HOSTILE_HEADLINE]


def test_markdown_escape_covers_block_starts():
    for text in ("# judul", "- butir", "+ butir", "> kutip", "1. satu", "2) dua", "=== garis", "---"):
        rendered = markdown_to_html(md_escape(text) + "\n")
        assert parse(rendered).blocks == [("p", {}, text)], (text, rendered)


# --- word count and date warnings ----------------------------------------------------------------

PRESS_HEAD = """headline: Pemkot Pontianak Gandeng LAN untuk Tingkatkan Inovasi
dateline: Pontianak
date: {date}
mou: pontianak-lan-2015
{lab}quotes:
"""
QUOTE = "  - speaker: lan\n    text: {text}\n    verb: kata\n"


def write_press(ws: Path, quotes: list[str], lab: bool = True, date: str = "2015-11-11") -> None:
    head = PRESS_HEAD.format(date=date, lab="lab: labinov-pontianak-2015\n" if lab else "")
    body = "".join(QUOTE.format(text=q) for q in quotes)
    (ws / PRESS).write_text(head + body + "credit: tyas/dan/humas\n")


WARNING = re.compile(rf"^warning: {re.escape(PRESS)}:(\d+):(\d+): quotes: the piece has (\d+) words; humas pieces have 150-600", re.M)


def test_short_piece_warns_with_location(workspace, run):
    write_press(workspace, ["Kami siap."], lab=False)
    code, out, err = run("-C", str(workspace), "build", "-j", "1", str(workspace / PRESS))
    assert code == 0, err
    m = WARNING.search(err)
    assert m, err
    lines = (workspace / PRESS).read_text().splitlines()
    assert lines[int(m[1]) - 1].strip().startswith("- speaker: lan") or lines[int(m[1]) - 1].startswith("quotes:")
    assert int(m[3]) < 150 and "add quotes" in err
    assert (workspace / f"out/press/{ID}.html").is_file()


def test_long_piece_warns_and_strict_refuses(workspace, run, with_logos):
    with_logos(workspace)  # so that the piece's own warning is the one --strict stops at
    long_quote = " ".join(["Inovasi pelayanan publik harus terus tumbuh di setiap unit kerja kota."] * 3)
    write_press(workspace, [long_quote] * 16)
    code, _, err = run("-C", str(workspace), "check")
    assert code == 0 and "shorten the quotes" in err
    m = WARNING.search(err)
    assert m and int(m[3]) > 600, err

    code, _, err = run("-C", str(workspace), "check", "--strict")
    assert code == 1 and "--strict" in err and "the piece has" in err

    code, out, err = run("-C", str(workspace), "build", "-j", "1", "--strict", str(workspace / PRESS))
    assert code == 1, out + err
    assert f"{PRESS}:" in err and "the piece has" in err and "strict" in err
    assert not (workspace / f"out/press/{ID}.html").exists()
    assert not (workspace / f"out/press/{ID}.md").exists()


def test_example_builds_without_warnings_even_strict(workspace, run, with_logos):
    with_logos(workspace)  # the example's only warnings are its missing logos (test_signers.py)
    code, out, err = run("-C", str(workspace), "build", "-j", "1", "--strict", str(workspace / PRESS))
    assert code == 0, err
    assert "warning" not in err
    for kind in KINDS:
        assert (workspace / f"out/press/{ID}.{kind}").is_file()


def test_piece_dated_before_the_signing_warns(workspace):
    write_press(workspace, ["Kami siap berinovasi untuk warga kota."] * 8, date="2015-11-10")
    _, _, warnings = render(workspace)
    assert any(re.match(rf"{re.escape(PRESS)}:3:7: date: the piece is dated 2015-11-10, before the signing", w) for w in warnings), warnings


# --- the web page in a real browser -----------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4).

    No port is opened and no package is needed: messages are JSON texts ended by NUL.
    """

    def __init__(self, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.log = open(profile.parent / "chromium.log", "wb")
        self.proc = subprocess.Popen(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank",
            ],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            pass_fds=(3, 4), preexec_fn=child_fds,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self._id += 1
        message: dict = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            seen = len(self.events)
            self.events.append(self._read_message(deadline))

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # only the process this test started
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        self.log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chrome = Chromium(tmp_path_factory.mktemp("chromium") / "profile")
    yield chrome
    chrome.close()


def load_page(chrome: Chromium, path: Path, width: int, height: int, mobile: bool) -> tuple[str, list[dict]]:
    """Open path in a new tab at width x height; return (session, the tab's events)."""
    target = chrome.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = chrome.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Network", "Page", "Runtime", "Log"):
        chrome.call(f"{domain}.enable", session=session)
    chrome.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        session=session,
    )
    start = len(chrome.events)
    chrome.call("Page.navigate", {"url": path.as_uri()}, session=session)
    chrome.wait_for("Page.loadEventFired", session)
    chrome.call("Runtime.evaluate", {"expression": "new Promise(r => requestAnimationFrame(() => r(1)))", "awaitPromise": True}, session=session)
    return session, [e for e in chrome.events[start:] if e.get("sessionId") == session]


def evaluate(chrome: Chromium, session: str, expression: str):
    result = chrome.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
    assert "exceptionDetails" not in result, result
    return result["result"]["value"]


def requests_and_complaints(events: list[dict]) -> tuple[list[str], list[str]]:
    """Every URL the tab requested, and every console/log error or warning (CSP reports one per blocked load)."""
    urls = [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]
    complaints = [e["params"]["entry"]["text"] for e in events if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning")]
    complaints += [json.dumps(e["params"]) for e in events if e.get("method") in ("Runtime.exceptionThrown", "Runtime.consoleAPICalled", "Network.loadingFailed")]
    return urls, complaints


LAYOUT = """(() => {
  const h = document.querySelector('h1'), r = h.getBoundingClientRect(), s = getComputedStyle(h);
  const at = document.elementFromPoint(r.left + Math.min(r.width, 40) / 2, r.top + r.height / 2);
  const p = document.querySelector('.story p');
  return {
    scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    viewport: document.documentElement.clientWidth, innerWidth: innerWidth, innerHeight: innerHeight,
    h1: {top: r.top, left: r.left, right: r.right, bottom: r.bottom, width: r.width, height: r.height,
         visibility: s.visibility, display: s.display, opacity: s.opacity, text: h.textContent,
         onTop: !!at && h.contains(at)},
    bodyFont: parseFloat(getComputedStyle(p).fontSize), measure: p.getBoundingClientRect().width,
    height: document.documentElement.scrollHeight,
    scripts: document.scripts.length
  };
})()"""


def screenshot(chrome: Chromium, session: str, width: int, height: int, path: Path) -> None:
    """Save the whole page (not only the viewport) as PNG for a person to look at."""
    shot = chrome.call(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
        session=session,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize(("width", "height", "mobile"), [(360, 740, True), (1280, 800, False)])
def test_page_in_chromium(workspace, run, browser, tmp_path, width, height, mobile):
    code, _, err = run("-C", str(workspace), "build", "-j", "1", str(workspace / PRESS))
    assert code == 0, err
    page = workspace / f"out/press/{ID}.html"
    session, events = load_page(browser, page, width, height, mobile)
    layout = evaluate(browser, session, LAYOUT)
    screenshot(browser, session, width, layout["height"], tmp_path / "out" / f"press-{width}.png")

    # no horizontal scrolling
    assert layout["innerWidth"] == width
    assert layout["scrollWidth"] <= layout["viewport"] <= width, layout
    # the headline is visible: in the viewport, not empty, not hidden or covered
    h1 = layout["h1"]
    assert h1["text"] == HEADLINE
    assert h1["width"] > 0 and h1["height"] > 0
    assert 0 <= h1["top"] and h1["bottom"] <= height and 0 <= h1["left"] and h1["right"] <= width, h1
    assert h1["visibility"] == "visible" and h1["display"] != "none" and float(h1["opacity"]) == 1 and h1["onTop"]
    # readable: body text of at least 16 px, lines not wider than ~80 characters on a desktop
    assert layout["bodyFont"] >= 16
    assert layout["measure"] <= 720
    # nothing but the file itself was requested, and nothing was blocked or complained about
    urls, complaints = requests_and_complaints(events)
    assert urls == [page.as_uri()], urls
    assert complaints == []
    assert (tmp_path / "out" / f"press-{width}.png").stat().st_size > 5000


@needs_chromium
@pytest.mark.slow
def test_hostile_page_runs_no_script_in_chromium(hostile, run, browser):
    workspace, _ = hostile
    code, _, err = run("-C", str(workspace), "build", "-j", "1", str(workspace / PRESS))
    assert code == 0, err
    page = workspace / f"out/press/{ID}.html"
    session, events = load_page(browser, page, 360, 740, True)
    layout = evaluate(browser, session, LAYOUT)
    assert layout["scripts"] == 0 and layout["scrollWidth"] <= 360
    assert layout["h1"]["text"] == HOSTILE_HEADLINE
    text = evaluate(browser, session, "document.body.innerText")
    assert HOSTILE_NAME in text and HOSTILE_QUOTE in text
    urls, complaints = requests_and_complaints(events)
    assert urls == [page.as_uri()] and complaints == []


@needs_chromium
@pytest.mark.slow
def test_the_request_check_sees_a_request_that_leaves_the_page(browser, tmp_path):
    """A control: the same check catches a page that loads something from elsewhere."""
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<!doctype html><meta charset="utf-8"><h1>x</h1><img src="http://example.invalid/pixel.png">')
    _, events = load_page(browser, leaky, 360, 740, True)
    urls, complaints = requests_and_complaints(events)
    assert "http://example.invalid/pixel.png" in urls and complaints

    # and the page's Content-Security-Policy blocks such a load, which Chromium reports
    press_csp = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">'
    blocked = tmp_path / "blocked.html"
    blocked.write_text(f'<!doctype html><meta charset="utf-8">{press_csp}<h1>x</h1><img src="http://example.invalid/pixel.png">')
    _, events = load_page(browser, blocked, 360, 740, True)
    urls, complaints = requests_and_complaints(events)
    assert urls != [blocked.as_uri()] or complaints, "a blocked load shows as a request or a complaint"
