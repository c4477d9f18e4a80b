"""The PDF end-of-lab report, read back the way a facilitator or a reviewer checks it.

Text is read with pdftotext (poppler) when present, else with pypdf. The expensive
renders (the worked example, the 40-unit lab) happen once per module.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dokgen.build import Options
from dokgen.errors import DokgenError
from dokgen.records import load_workspace

REPO = Path(__file__).resolve().parents[1]
LAB_ID = "labinov-pontianak-2015"
LAB = f"records/labs/{LAB_ID}.yaml"
OUT = f"out/labs/{LAB_ID}.pdf"
PAYLOAD_IMG = '<img src="file:///etc/passwd">'
PAYLOAD_LINK = '<link rel=attachment href="file:///etc/passwd">'


# --- helpers ---------------------------------------------------------------------------


def copy_workspace(target: Path) -> Path:
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, target / part)
    return target


def pages_text(path: Path) -> list[str]:
    """Return the text of each page, in reading layout, whitespace runs collapsed per line."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
        pages = out.split("\f")
        if pages and not pages[-1].strip():
            pages.pop()
    else:  # pragma: no cover - poppler is installed on CI
        from pypdf import PdfReader

        pages = [p.extract_text(extraction_mode="layout") for p in PdfReader(str(path)).pages]
    return ["\n".join(re.sub(r"\s+", " ", line).strip() for line in page.splitlines()) for page in pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def section(pages: list[str], start: str, end: str) -> str:
    """Text from the heading `start` to the heading `end`, skipping the contents page."""
    body = flat("\n".join(pages[2:]))
    i = body.index(start)
    j = body.index(end, i)
    return body[i:j]


def build(ws: Path, run, *extra: str) -> Path:
    code, out, err = run("-C", str(ws), "build", "-j", "1", *extra, str(ws / LAB))
    assert code == 0, err
    return ws / OUT


def edit_lab(ws: Path, change) -> None:
    path = ws / LAB
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_png(path: Path, size: tuple[int, int] = (60, 40)) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (20, 60, 120)).save(path, format="PNG")


def set_logo(ws: Path, party: str, logo: str) -> None:
    path = ws / "records" / "parties" / f"{party}.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^logo:.*\n", "", text)
    text = text.replace("type: ", f"logo: {logo}\ntype: ", 1)
    path.write_text(text, encoding="utf-8")


# --- the worked example ------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The worked example built once through the CLI: (workspace, pdf path, page texts)."""
    from click.testing import CliRunner

    from dokgen.cli import cli

    ws = copy_workspace(tmp_path_factory.mktemp("example") / "ws")
    result = CliRunner().invoke(cli, ["-C", str(ws), "build", "-j", "1", str(ws / LAB)])
    assert result.exit_code == 0, result.output
    pdf = ws / OUT
    return ws, pdf, pages_text(pdf)


def record() -> dict:
    return yaml.safe_load((REPO / LAB).read_text(encoding="utf-8"))


def test_cover_states_title_locus_period(example):
    _, _, pages = example
    cover = flat(pages[0])
    assert "LABORATORIUM INOVASI DAERAH KOTA PONTIANAK" in cover
    assert "LAPORAN AKHIR" in cover
    assert "Kota Pontianak" in cover
    assert "Rabu–Jumat, 11–13 November 2015" in cover
    assert "LEMBAGA ADMINISTRASI NEGARA" in cover and "PEMERINTAH KOTA PONTIANAK" in cover
    assert "Tahap Drum Up dan Diagnose" in cover
    assert not re.search(r"- ?1 ?-", cover)  # no number on the cover


def test_every_unit_and_the_totals_are_right(example):
    _, _, pages = example
    data = record()
    text = "\n".join(pages)
    units = data["units"]
    total = sum(len(u.get("ideas", [])) for u in units)
    for u in units:
        # Tabel 2: "<name> <type> <ideas>" on one row
        assert re.search(rf"{re.escape(u['name'])} \S+ {len(u.get('ideas', []))}$", text, re.M), u["name"]
    assert re.search(rf"Jumlah \({len(units)} unit\) {total}$", text, re.M)
    by_type: dict[str, list[int]] = {}
    for u in units:
        by_type.setdefault(u["type"], []).append(len(u.get("ideas", [])))
    labels = {"opd": "SKPD", "kecamatan": "Kecamatan", "kelurahan": "Kelurahan", "puskesmas": "Puskesmas"}
    for kind, counts in by_type.items():
        # Tabel 3: "<label> <units> <ideas> <share>"
        assert re.search(rf"^\d+\. {labels[kind]} {len(counts)} {sum(counts)} [\d,]+%$", text, re.M), kind
    assert re.search(rf"^Jumlah {len(units)} {total} 100%$", text, re.M)
    assert f"{total} (sepuluh) ide inovasi" in flat(text)  # the example holds ten ideas
    # every idea appears, numbered straight through
    ideas = [i["title"] for u in units for i in u.get("ideas", [])]
    body = flat(text)
    for n, title in enumerate(ideas, start=1):
        assert re.search(rf"\b{n}\. {re.escape(title.split()[0])}", body), title


def test_stages_held_and_follow_up_are_in_their_places(example):
    _, _, pages = example
    kegiatan = section(pages, "B. KEGIATAN YANG DILAKSANAKAN", "C. HASIL YANG DICAPAI")
    lanjut = section(pages, "D. TINDAK LANJUT", "E. SIMPULAN DAN SARAN")
    for held in ("Tahap Drum Up", "Tahap Diagnose"):
        assert held in kegiatan and held not in lanjut, held
    for ahead in ("Tahap Design", "Tahap Deliver", "Tahap Display"):
        assert ahead in lanjut and ahead not in kegiatan, ahead
    assert kegiatan.index("Tahap Drum Up") < kegiatan.index("Tahap Diagnose")  # 5D order
    assert "Rabu, 11 November 2015" in kegiatan
    assert "Kamis–Jumat, 12–13 November 2015" in kegiatan
    assert lanjut.count("Status: direncanakan") == 3


def test_introduction_names_the_mou_and_the_period(example):
    _, _, pages = example
    dasar = section(pages, "2. Dasar", "3. Maksud dan Tujuan")
    # the example's MoU is a draft: cited as a rancangan, never as signed
    assert "kerja sama Pemerintah Kota Pontianak dan Lembaga Administrasi Negara" in dasar
    assert "rancangan Nota Kesepahaman tentang Kerja Sama Penguatan Kapasitas" in dasar
    assert "direncanakan ditandatangani di Pontianak pada Rabu, 11 November 2015" in dasar
    assert "(nomor Pemkot Pontianak: …… dan nomor LAN: ……)" in dasar
    assert " yang ditandatangani" not in dasar
    assert "11–13 November 2015" in section(pages, "4. Ruang Lingkup", "B. KEGIATAN")


def test_example_speaks_of_skpd_and_names_lan_as_organiser(example):
    _, _, pages = example
    text = flat("\n".join(pages))
    assert "tiga SKPD" in text or "3 (tiga) SKPD" in text
    assert "OPD" not in text and "Perangkat Daerah (OPD)" not in text
    lanjut = section(pages, "D. TINDAK LANJUT", "E. SIMPULAN DAN SARAN")
    assert "Pada tahap ini setiap unit menyusun rancangan dan rencana aksi bagi ide inovasinya; LAN menelaah" in lanjut


def test_closing_has_place_date_position_and_name(example):
    _, _, pages = example
    closing = section(pages, "F. PENUTUP", "Utomo, S.H., M.A.") + "Utomo, S.H., M.A."
    assert "Pontianak, 13 November 2015" in closing
    assert "Deputi Bidang Inovasi Administrasi Negara," in closing
    assert closing.rstrip().endswith("Dr. Tri Widodo Wahyu Utomo, S.H., M.A.")


def test_page_numbers_and_contents_agree(example):
    _, _, pages = example
    for n, page in enumerate(pages[1:], start=2):
        assert re.search(rf"(^| )- ?{n} ?-( |$)", page.splitlines()[0]), f"page {n} header: {page.splitlines()[0]!r}"
    contents = pages[1]
    for heading in ("A. PENDAHULUAN", "B. KEGIATAN YANG DILAKSANAKAN", "C. HASIL YANG DICAPAI", "D. TINDAK LANJUT",
                    "E. SIMPULAN DAN SARAN", "F. PENUTUP"):
        listed = int(re.search(rf"{re.escape(heading)} (\d+)$", contents, re.M).group(1))
        actual = next(i for i, p in enumerate(pages[2:], start=3) if re.search(rf"^{re.escape(heading)}$", p, re.M))
        assert listed == actual, heading
    # the running header names the report on every numbered page
    assert all("Laboratorium Inovasi Daerah Kota Pontianak" in p.splitlines()[0] for p in pages[1:])


def test_every_font_is_embedded_and_shipped(example):
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) not installed")
    _, pdf, _ = example
    rows = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert emb == "yes", row
        assert "Laporan-Sans" in name, row  # the shipped Arimo, not a system font


def test_pdf_metadata_and_archival_variant(example):
    from pypdf import PdfReader

    _, pdf, _ = example
    reader = PdfReader(str(pdf))
    assert reader.metadata.title == "Laporan Laboratorium Inovasi Daerah Kota Pontianak"
    assert reader.metadata["/CreationDate"].startswith("D:20151113")  # the report date, not today
    root = reader.trailer["/Root"]
    assert "/OutputIntents" in root  # pdf/a-3b by default
    assert root["/Lang"] == "id"


def test_two_builds_give_identical_bytes(example, tmp_path):
    ws, pdf, _ = example
    first = pdf.read_bytes()
    # another copy of the workspace, another cwd, another time zone and hash seed
    other = copy_workspace(tmp_path / "elsewhere")
    env = {**os.environ, "TZ": "Asia/Tokyo", "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "dokgen", "-C", str(other), "build", "-q", "-j", "1", str(other / LAB)],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    assert (other / OUT).read_bytes() == first


def test_pdf_variant_none_passes_through(tmp_path):
    from pypdf import PdfReader

    from dokgen.render.pdf import produce_lab_report

    ws = load_workspace(copy_workspace(tmp_path / "ws"))
    data = produce_lab_report(ws, ws.labs[LAB_ID], Options(pdf_variant=None)).files[f"labs/{LAB_ID}.pdf"]
    (tmp_path / "plain.pdf").write_bytes(data)
    assert "/OutputIntents" not in PdfReader(str(tmp_path / "plain.pdf")).trailer["/Root"]


def test_unknown_pdf_variant_is_a_usage_error(workspace, run):
    code, out, err = run("-C", str(workspace), "build", "-j", "1", "--pdf-variant", "pdf/a-9z", str(workspace / LAB))
    assert code == 2
    assert "pdf/a-9z" in err and "pdf/a-3b" in err
    assert not (workspace / OUT).exists()


# --- a large lab -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A lab of 40 units and 300 ideas, rendered once: (page texts, rendered)."""
    from dokgen.render.pdf import produce_lab_report

    ws_dir = copy_workspace(tmp_path_factory.mktemp("large") / "ws")
    kinds = ["opd", "kecamatan", "kelurahan", "puskesmas", "bumd", "lainnya"]
    units = [{"name": f"Unit Uji {i + 1:02d}", "type": kinds[i % len(kinds)], "ideas": []} for i in range(40)]
    for j in range(300):
        units[j % 40]["ideas"].append({
            "title": f"Gagasan uji {j + 1}",
            "problem": "Warga menunggu lama karena berkas diperiksa di beberapa meja dan jadwalnya tidak diumumkan.",
            "description": "Satu loket menerima berkas, memeriksa kelengkapan, dan memberi tahu warga ketika layanan selesai.",
        })
    edit_lab(ws_dir, lambda d: d.update(units=units))
    ws = load_workspace(ws_dir)
    rendered = produce_lab_report(ws, ws.labs[LAB_ID], Options())
    pdf = ws_dir / "large.pdf"
    pdf.write_bytes(rendered.files[f"labs/{LAB_ID}.pdf"])
    return pages_text(pdf), rendered


def test_large_lab_paginates_with_the_table_header_on_every_page(large):
    pages, rendered = large
    assert rendered.warnings == []
    assert len(pages) >= 25
    idea_row = re.compile(r"^(\d+)\. Gagasan uji (\d+)", re.M)  # number and title open the row
    table_pages = [p for p in pages if idea_row.search(p)]
    assert len(table_pages) >= 15
    for page in table_pages:
        assert re.search(r"^No\. Ide Inovasi dan Uraian Singkat Masalah yang Dijawab$", page, re.M), page[:300]
    numbers = [int(m.group(1)) for p in table_pages for m in idea_row.finditer(p)]
    assert numbers == list(range(1, 301))  # every idea once, in order, none lost at a break
    text = "\n".join(pages)
    assert re.search(r"^Jumlah \(40 unit\) 300$", text, re.M)
    assert re.search(r"^Jumlah 40 300 100%$", text, re.M)
    for i in range(1, 41):
        assert f"Unit Uji {i:02d}" in text


def test_large_lab_never_ends_a_page_on_a_unit_heading(large):
    pages, _ = large
    for n, page in enumerate(pages, start=1):
        rows = [line for line in page.splitlines() if line.strip()]
        assert not re.search(r"\(\w+, \d+ ide\)$", rows[-1]), f"page {n} ends on a unit heading: {rows[-1]}"


# --- record text is data -----------------------------------------------------------------


def test_markup_in_a_record_is_printed_not_loaded(tmp_path, monkeypatch):
    from pypdf import PdfReader

    from dokgen.render import pdf as pdf_module

    ws_dir = copy_workspace(tmp_path / "ws")

    def inject(d):
        d["units"][0]["ideas"][0]["title"] = PAYLOAD_IMG
        d["outcomes"][0] = PAYLOAD_LINK
        d["recommendations"][0] = PAYLOAD_IMG
        d["venue"] = "Aula <b>Utama</b> & Co"

    edit_lab(ws_dir, inject)
    fetchers = []
    real = pdf_module.workspace_fetcher

    def spy(root):
        fetchers.append(real(root))
        return fetchers[-1]

    monkeypatch.setattr(pdf_module, "workspace_fetcher", spy)
    ws = load_workspace(ws_dir)
    rendered = pdf_module.produce_lab_report(ws, ws.labs[LAB_ID], Options())
    data = rendered.files[f"labs/{LAB_ID}.pdf"]
    path = tmp_path / "out.pdf"
    path.write_bytes(data)

    text = flat("\n".join(pages_text(path)))
    assert PAYLOAD_IMG in text
    assert '<img src="file:///etc/' in text and 'passwd">' in text  # the idea title, wrapped in its cell
    assert PAYLOAD_LINK in text
    assert "Aula <b>Utama</b> & Co" in text
    assert b"/EmbeddedFile" not in data and b"/FileAttachment" not in data
    assert not PdfReader(str(path)).attachments
    assert b"root:x:0:0" not in data
    templates = (ws_dir / "templates").resolve().as_uri()
    assert fetchers[0].loaded and all(u.startswith(templates) for u in fetchers[0].loaded)
    assert fetchers[0].refused == []


def test_characters_the_font_lacks_are_a_warning(tmp_path):
    from dokgen.render.pdf import missing_glyphs

    ws_dir = copy_workspace(tmp_path / "ws")
    edit_lab(ws_dir, lambda d: d["outcomes"].append("Inovasi 创新 diakui."))
    ws = load_workspace(ws_dir)
    from dokgen.context.lab import lab_context

    ctx = lab_context(ws, LAB_ID)
    assert missing_glyphs(ws, ctx) == sorted("创新")
    ctx_plain = lab_context(load_workspace(copy_workspace(tmp_path / "plain")), LAB_ID)
    assert missing_glyphs(ws, ctx_plain) == []  # every Indonesian letter of the example is covered


# --- the fetcher and logos ---------------------------------------------------------------


def test_fetcher_serves_templates_assets_and_data_only(tmp_path):
    from dokgen.render.pdf import URLRefused, allowed_path, workspace_fetcher

    ws = copy_workspace(tmp_path / "ws")
    write_png(ws / "assets" / "logo.png")
    (ws / "secret.txt").write_text("rahasia")
    (ws / "assets" / "link-out.png").symlink_to(ws / "secret.txt")
    (ws / "assets" / "link-etc").symlink_to("/etc")
    fetcher = workspace_fetcher(ws)

    css = fetcher.fetch((ws / "templates/html/lab-report.css").as_uri())
    assert b"@font-face" in css.read()
    assert fetcher.fetch((ws / "assets/logo.png").as_uri()).read().startswith(b"\x89PNG")
    assert fetcher.fetch("data:text/plain,halo").read() == b"halo"

    refused = [
        "file:///etc/passwd",
        (ws / "secret.txt").as_uri(),
        (ws / "records" / "parties" / "lan.yaml").as_uri(),
        (ws / "assets" / "link-out.png").as_uri(),  # a symlink out of assets/
        (ws / "assets" / "link-etc" / "passwd").as_uri(),
        (ws / "assets").as_uri() + "/../secret.txt",
        (ws / "assets").as_uri() + "/%2e%2e/secret.txt",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        "file://otherhost/etc/passwd",
    ]
    for url in refused:
        with pytest.raises(fetcher.Refused) as info:
            fetcher.fetch(url)
        assert url in str(info.value)
    assert [r.url for r in fetcher.refused] == refused
    with pytest.raises(URLRefused):
        allowed_path(ws, (ws / "assets").as_uri() + "/../secret.txt")
    assert allowed_path(ws, (ws / "assets/logo.png").as_uri()) == (ws / "assets/logo.png").resolve()


def test_refused_resource_fails_the_build_naming_record_and_url(workspace, run):
    write_png(workspace / "logo-luar.png")  # inside the workspace, outside assets/
    set_logo(workspace, "pemkot-pontianak", "logo-luar.png")
    code, out, err = run("-C", str(workspace), "build", "-j", "1", str(workspace / LAB))
    assert code == 1
    url = (workspace / "logo-luar.png").absolute().as_uri()
    assert LAB in err
    assert url in err
    assert "records/parties/pemkot-pontianak.yaml" in err
    assert "assets/" in err
    assert not (workspace / OUT).exists()


def test_symlinked_logo_escaping_assets_is_refused(workspace, run):
    write_png(workspace / "elsewhere.png")
    (workspace / "assets" / "logo.png").symlink_to(workspace / "elsewhere.png")
    set_logo(workspace, "lan", "assets/logo.png")
    code, out, err = run("-C", str(workspace), "build", "-j", "1", str(workspace / LAB))
    assert code == 1
    assert "refused" in err and "logo.png" in err and "records/parties/lan.yaml" in err


def test_template_asking_for_a_forbidden_url_fails(tmp_path):
    from dokgen.render.pdf import URLRefused, produce_lab_report

    ws_dir = copy_workspace(tmp_path / "ws")
    css = ws_dir / "templates/html/lab-report.css"
    css.write_text(css.read_text() + '\n.cover { background: url("file:///etc/passwd"); }\n')
    ws = load_workspace(ws_dir)
    with pytest.raises(URLRefused) as info:
        produce_lab_report(ws, ws.labs[LAB_ID], Options())
    assert "file:///etc/passwd" in str(info.value)
    assert LAB in str(info.value)


def test_render_gives_the_garbage_collector_back(tmp_path):
    """A report is rendered with the collector paused (speed); the process must get it back
    as it was, after a good render and after a refused one."""
    import gc

    from dokgen.render.pdf import URLRefused, produce_lab_report

    ws_dir = copy_workspace(tmp_path / "ws")
    ws = load_workspace(ws_dir)
    assert gc.isenabled()
    produce_lab_report(ws, ws.labs[LAB_ID], Options())
    assert gc.isenabled()

    css = ws_dir / "templates/html/lab-report.css"
    css.write_text(css.read_text() + '\n.cover { background: url("file:///etc/passwd"); }\n')
    ws = load_workspace(ws_dir)
    with pytest.raises(URLRefused):
        produce_lab_report(ws, ws.labs[LAB_ID], Options())
    assert gc.isenabled()

    gc.disable()  # a caller that paused it itself keeps it paused
    try:
        with pytest.raises(URLRefused):
            produce_lab_report(ws, ws.labs[LAB_ID], Options())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_renders_in_threads_give_the_collector_back_last():
    """The web preview renders in threads: the collector stays paused while any render runs
    and comes back when the last one ends, whichever ends first."""
    import gc
    import threading

    from dokgen.render.pdf import gc_paused

    first_in, release_first, release_second = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def render(name, started, release):
        with gc_paused():
            if started:
                started.set()
            release.wait(10)
            seen[name] = gc.isenabled()

    first = threading.Thread(target=render, args=("first", first_in, release_first))
    first.start()
    first_in.wait(10)
    second = threading.Thread(target=render, args=("second", None, release_second))
    second.start()
    release_first.set()  # the first to start ends first, while the second still renders
    first.join(10)
    assert not gc.isenabled()
    release_second.set()
    second.join(10)
    assert seen == {"first": False, "second": False}
    assert gc.isenabled()


def test_missing_image_that_weasyprint_only_logs_fails(tmp_path):
    from dokgen.render.pdf import produce_lab_report

    ws_dir = copy_workspace(tmp_path / "ws")
    html = ws_dir / "templates/html/lab-report.html"
    html.write_text(html.read_text().replace('<p class="cover-kind">', '<img src="../../assets/tidak-ada.png"><p class="cover-kind">', 1))
    ws = load_workspace(ws_dir)
    with pytest.raises(DokgenError) as info:
        produce_lab_report(ws, ws.labs[LAB_ID], Options())
    assert "tidak-ada.png" in str(info.value)


def test_logos_in_assets_appear_and_keep_output_reproducible(tmp_path):
    from dokgen.render.pdf import produce_lab_report

    outputs = []
    for name in ("a", "b"):  # two workspaces in different folders
        ws_dir = copy_workspace(tmp_path / name / "ws")
        write_png(ws_dir / "assets" / "logo-pontianak.png")
        write_png(ws_dir / "assets" / "logo-lan.png", (40, 40))
        set_logo(ws_dir, "pemkot-pontianak", "assets/logo-pontianak.png")
        set_logo(ws_dir, "lan", "assets/logo-lan.png")
        ws = load_workspace(ws_dir)
        outputs.append(produce_lab_report(ws, ws.labs[LAB_ID], Options()).files[f"labs/{LAB_ID}.pdf"])
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"/Subtype /Image") == 2


# --- the context on its own --------------------------------------------------------------


def test_context_counts_are_computed_from_the_record():
    from dokgen.context.lab import lab_context

    ws = load_workspace(REPO)
    ctx = lab_context(ws, LAB_ID)
    data = record()
    assert ctx["totals"]["units"] == len(data["units"])
    assert ctx["totals"]["ideas"] == sum(len(u["ideas"]) for u in data["units"])
    assert [u["idea_count"] for u in ctx["units"]] == [len(u["ideas"]) for u in data["units"]]
    assert sum(t["ideas"] for t in ctx["unit_types"]) == ctx["totals"]["ideas"]
    assert sum(t["units"] for t in ctx["unit_types"]) == ctx["totals"]["units"]
    assert [s["key"] for s in ctx["stages_held"]] == ["drum-up", "diagnose"]
    assert [s["key"] for s in ctx["stages_ahead"]] == ["design", "deliver", "display"]
    assert ctx["period"]["text"] == "11–13 November 2015"
    assert ctx["mou"]["date_text"] == "Rabu, 11 November 2015"
    bars = ctx["chart"]["bars"]
    assert [b["value"] for b in bars] == [t["ideas"] for t in ctx["unit_types"]]
    widest = max(bars, key=lambda b: b["value"])
    for b in bars:  # bar lengths are proportional to the counts
        assert b["width"] * widest["value"] == pytest.approx(widest["width"] * b["value"], abs=0.05)


def test_lab_with_every_stage_done_and_no_units_renders(tmp_path):
    from dokgen.render.pdf import produce_lab_report

    ws_dir = copy_workspace(tmp_path / "ws")

    def finish(d):
        for s in d["stages"]:
            s.update(status="done", dates={"start": "2015-11-13", "end": "2015-11-13"}, summary="Selesai.")
        d["units"] = []
        d["outcomes"] = []
        d["recommendations"] = []

    edit_lab(ws_dir, finish)
    ws = load_workspace(ws_dir)
    rendered = produce_lab_report(ws, ws.labs[LAB_ID], Options())
    path = tmp_path / "done.pdf"
    path.write_bytes(rendered.files[f"labs/{LAB_ID}.pdf"])
    text = flat("\n".join(pages_text(path)))
    assert "Kelima tahap metode 5D telah dilaksanakan" in text
    assert "Belum ada unit peserta yang tercatat" in text


def test_cli_import_leaves_weasyprint_out():
    code = "import sys, dokgen.cli, dokgen.build; sys.exit('weasyprint' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
