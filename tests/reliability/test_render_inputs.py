"""Guarantee: what passes `dokgen check` renders, and record data comes back literally.

Logos of every oddity a scanner, a phone or a website produces (generated here with
Pillow) either build into a Word draft and a PDF report that show them upright at the right
proportions, or are refused by `check` naming the party's logo field. Logo files and
workspace folders with `%20`, `#`, `?`, spaces and non-ASCII in their names build. docxtpl's
`{_{ }_}` escapes typed into a record come back literally from every output; dates outside
1900-2100 are refused where they are typed; an unknown `--pdf-variant` is a usage error.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from .conftest import SOAK
from .test_payloads import _norm, poison, readable_text, tag
from .workspaces import docx_problem

GUARANTEE = "19 what passes check renders"
LOGO_EMU = 792_000  # 22 mm, the height render/docx.py gives every logo
LAN = "records/parties/lan.yaml"
PONTIANAK = "records/parties/pemkot-pontianak.yaml"
needs_poppler = pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils not installed")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def raw_png(path: Path, width: int, height: int, depth: int, color: int, pixel: bytes, extra: bytes = b"") -> None:
    """A PNG written byte by byte, for what Pillow will not write (16-bit colour)."""
    rows = b"".join(b"\x00" + pixel * width for _ in range(height))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0))
                     + extra + _png_chunk(b"IDAT", zlib.compress(rows)) + _png_chunk(b"IEND", b""))


def _rgb(size=(90, 30)) -> Image.Image:
    img = Image.new("RGB", size, (200, 30, 30))
    img.paste((20, 40, 200), (0, 0, size[0] // 3, size[1]))  # a left third of another colour: shows orientation
    return img


def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif


# name -> (writer(path), suffix, (width, height) as a person sees the logo)
ODD_IMAGES = {
    "png 0 dpi": (lambda p: _rgb().save(p, dpi=(0, 0)), ".png", (90, 30)),
    "png 1x5000 dpi": (lambda p: _rgb().save(p, dpi=(1, 5000)), ".png", (90, 30)),
    "png 5000x1 dpi": (lambda p: _rgb().save(p, dpi=(5000, 1)), ".png", (90, 30)),
    "png pHYs unit unknown": (lambda p: raw_png(p, 90, 30, 8, 2, b"\xc8\x1e\x1e", _png_chunk(b"pHYs", struct.pack(">IIB", 3, 7, 0))), ".png", (90, 30)),
    "png 16-bit grey": (lambda p: Image.new("I;16", (90, 30), 40000).save(p), ".png", (90, 30)),
    "png 16-bit rgb": (lambda p: raw_png(p, 90, 30, 16, 2, b"\xc8\x00\x1e\x00\x1e\x00"), ".png", (90, 30)),
    "png 16-bit rgba": (lambda p: raw_png(p, 90, 30, 16, 6, b"\xc8\x00\x1e\x00\x1e\x00\x80\x00"), ".png", (90, 30)),
    "png palette + transparency": (lambda p: _rgb().convert("P", palette=Image.Palette.ADAPTIVE, colors=4).save(p, transparency=0), ".png", (90, 30)),
    "png grey + alpha": (lambda p: Image.new("LA", (90, 30), (90, 128)).save(p), ".png", (90, 30)),
    "png 1-bit": (lambda p: Image.new("1", (90, 30), 1).save(p), ".png", (90, 30)),
    "png rgb colour key": (lambda p: _rgb().save(p, transparency=(200, 30, 30)), ".png", (90, 30)),
    "png with ICC profile": (lambda p: _rgb().save(p, icc_profile=_srgb_profile()), ".png", (90, 30)),
    "png 1x1": (lambda p: Image.new("RGB", (1, 1), (0, 0, 0)).save(p), ".png", (1, 1)),
    "png 4000x8": (lambda p: Image.new("RGB", (4000, 8), (0, 0, 0)).save(p), ".png", (4000, 8)),
    "jpeg cmyk": (lambda p: Image.new("CMYK", (90, 30), (0, 200, 200, 0)).save(p, "JPEG"), ".jpg", (90, 30)),
    "jpeg progressive": (lambda p: _rgb().save(p, "JPEG", progressive=True), ".jpg", (90, 30)),
    "jpeg 0 dpi": (lambda p: _rgb().save(p, "JPEG", dpi=(0, 0)), ".jpg", (90, 30)),
    "jpeg 1x5000 dpi": (lambda p: _rgb().save(p, "JPEG", dpi=(1, 5000)), ".jpeg", (90, 30)),
    "jpeg grey": (lambda p: _rgb().convert("L").save(p, "JPEG"), ".jpg", (90, 30)),
    **{f"jpeg exif orientation {o}": ((lambda o: lambda p: _rgb().save(p, "JPEG", exif=_exif(o)))(o), ".jpg",
                                      (30, 90) if o >= 5 else (90, 30)) for o in range(2, 9)},
    "png exif orientation 6": (lambda p: _rgb().save(p, exif=_exif(6)), ".png", (30, 90)),
    "upper-case suffix": (lambda p: _rgb().save(p, "PNG"), ".PNG", (90, 30)),
}


def _give_logo(ws: Path, rel: str, logo: str) -> None:
    path = ws / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nsignatory:", f'\nlogo: "{logo}"\nsignatory:', 1), encoding="utf-8")


def _pdf_images(pdf: Path) -> list[tuple[int, int]]:
    """(width, height) of every image drawn in pdf, as pdfimages lists them (soft masks left out)."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    sizes = []
    for line in listing.splitlines()[2:]:
        cols = line.split()
        if len(cols) > 4 and cols[2] == "image":
            sizes.append((int(cols[3]), int(cols[4])))
    return sizes


def _docx_logos(path: Path) -> list[tuple[int, int, Image.Image]]:
    """(width EMU, height EMU, picture) of every inline picture of a Word file, read by python-docx."""
    import docx

    document = docx.Document(str(path))
    found = []
    for shape in document.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        part = document.part.related_parts[blip.embed]
        found.append((shape.width, shape.height, Image.open(io.BytesIO(part.blob))))
    return found


def _odd_logo_workspace(ws: Path, names: list[str]) -> dict[str, str]:
    """One party per oddity, each with its logo, and one MoU per party; returns MoU id -> oddity."""
    shutil.rmtree(ws / "records/press")
    shutil.rmtree(ws / "records/labs")
    lan = (ws / LAN).read_text(encoding="utf-8")
    mou = (ws / "records/mou/pontianak-lan-2015.yaml").read_text(encoding="utf-8")
    made = {}
    for i, name in enumerate(names):
        write, suffix, _ = ODD_IMAGES[name]
        write(ws / f"assets/logo-{i}{suffix}")
        (ws / f"records/parties/mitra-{i}.yaml").write_text(lan.replace("\nsignatory:", f"\nlogo: assets/logo-{i}{suffix}\nsignatory:", 1), encoding="utf-8")
        (ws / f"records/mou/mou-{i}.yaml").write_text(mou.replace("  - party: lan\n", f"  - party: mitra-{i}\n"), encoding="utf-8")
        made[f"mou-{i}"] = name
    return made


def _looks_like_source(picture: Image.Image, source: Path) -> None:
    """The picture shows the source's pixels turned upright (16-bit grey scaled, not clipped)."""
    with Image.open(source) as img:
        expected = ImageOps.exif_transpose(img)
        expected = expected.point(lambda v: v / 257).convert("L") if expected.mode.startswith("I") else expected
        diff = ImageStat.Stat(ImageChops.difference(picture.convert("RGB"), expected.convert("RGB"))).mean
    assert max(diff) < 6, diff


@pytest.mark.guarantee(GUARANTEE)
def test_odd_logos_build_upright_and_in_proportion_in_word(workspace, run, figure):
    made = _odd_logo_workspace(workspace, list(ODD_IMAGES))
    code, _, err = run("-C", str(workspace), "build", "--jobs", "1")
    figure.tracebacks += "internal error" in err
    assert code == 0, err
    for i, (mou_id, name) in enumerate(made.items()):
        _, suffix, (width, height) = ODD_IMAGES[name]
        draft = workspace / f"out/mou/{mou_id}.docx"
        figure.cases += 1
        figure.files_checked += 1
        assert docx_problem(draft) is None
        [(cx, cy, picture)] = _docx_logos(draft)
        in_proportion = cy == LOGO_EMU and abs(cx / cy - width / height) < 0.01 and picture.size == (width, height)
        figure.failures += not in_proportion
        assert in_proportion, (name, cx, cy, picture.size)
        assert picture.mode in ("L", "RGB", "RGBA") and "dpi" not in picture.info and "exif" not in picture.info, name
        _looks_like_source(picture, workspace / f"assets/logo-{i}{suffix}")


# the oddities the report's renderer (WeasyPrint) had trouble with or could show differently from Word
PDF_ODDITIES = ["png 16-bit grey", "png 16-bit rgba", "png 1x5000 dpi", "jpeg cmyk", "jpeg exif orientation 6", "png palette + transparency"]


@pytest.mark.guarantee(GUARANTEE)
@needs_poppler
@pytest.mark.parametrize("name", list(ODD_IMAGES) if SOAK else PDF_ODDITIES)
def test_odd_logo_shows_in_the_report_as_in_word(workspace, run, figure, name):
    write, suffix, (width, height) = ODD_IMAGES[name]
    shutil.rmtree(workspace / "records/press")
    write(workspace / f"assets/logo{suffix}")
    _give_logo(workspace, LAN, f"assets/logo{suffix}")
    code, _, err = run("-C", str(workspace), "build", "--jobs", "1", "records/labs/labinov-pontianak-2015.yaml")
    figure.cases += 1
    figure.tracebacks += "internal error" in err
    shown = code == 0 and "WeasyPrint" not in err and (width, height) in _pdf_images(workspace / "out/labs/labinov-pontianak-2015.pdf")
    figure.files_checked += 1
    figure.failures += not shown
    assert shown, err


@pytest.mark.guarantee(GUARANTEE)
def test_logo_is_converted_the_same_way_every_time(workspace, figure, tmp_path):
    from dokgen.images import clean_logo

    for name, (write, suffix, _) in ODD_IMAGES.items():
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}{suffix}"
        write(path)
        first = clean_logo(path)
        copy = tmp_path / f"copy-{path.name}"
        shutil.copyfile(path, copy)  # another file: no cache can answer
        figure.cases += 1
        same = clean_logo(copy) == first
        figure.failures += not same
        assert same, name


def _truncated(p: Path, fmt: str) -> None:
    buffer = io.BytesIO()
    _rgb((300, 300)).save(buffer, fmt)
    p.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])


BROKEN_IMAGES = {
    "truncated png": (lambda p: _truncated(p, "PNG"), ".png", "not a readable image"),
    "truncated jpeg": (lambda p: _truncated(p, "JPEG"), ".jpg", "not a readable image"),
    "empty file": (lambda p: p.write_bytes(b""), ".png", "not a readable image"),
    "text named .jpg": (lambda p: p.write_text("bukan gambar"), ".jpg", "not a readable image"),
    "gif named .png": (lambda p: _rgb().save(p, "GIF"), ".png", "GIF image, not PNG or JPEG"),
    "webp named .jpg": (lambda p: _rgb().save(p, "WEBP"), ".jpg", "WEBP image, not PNG or JPEG"),
    "png with a bad CRC": (lambda p: p.write_bytes(_bad_crc()), ".png", "not a readable image"),
    "png declaring 20000x20000": (lambda p: raw_png(p, 20000, 20000, 1, 0, b""), ".png", "20000x20000"),
}


def _bad_crc() -> bytes:
    buffer = io.BytesIO()
    _rgb().save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    at = data.index(b"IDAT") + 8
    data[at] ^= 0xFF
    return bytes(data)


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("name", list(BROKEN_IMAGES))
def test_unusable_logo_is_refused_at_check_naming_the_party(workspace, run, figure, name):
    write, suffix, says = BROKEN_IMAGES[name]
    write(workspace / f"assets/rusak{suffix}")
    _give_logo(workspace, PONTIANAK, f"assets/rusak{suffix}")
    code, _, err = run("-C", str(workspace), "check")
    figure.cases += 1
    ok = code == 1 and re.search(rf"^{PONTIANAK}:\d+:\d+: logo: 'assets/rusak{re.escape(suffix)}' .*{re.escape(says)}", err, re.M)
    figure.failures += not ok
    figure.tracebacks += "internal error" in err or "Traceback" in err
    assert ok, err


# the first seven are those a file: URL encodes (CI size); the rest under soak
SPECIAL_NAMES = ["%20", "%2520", "#1", "?x=1", "a b", "café", "日本", "&amp;", "[1]", "'", ";", "100%", "~"]


@pytest.mark.guarantee(GUARANTEE)
@needs_poppler
@pytest.mark.parametrize("special", SPECIAL_NAMES if SOAK else SPECIAL_NAMES[:7])
def test_special_characters_in_logo_and_folder_names_build(workspace, run, figure, special, tmp_path):
    ws = tmp_path / f"kerja{special}sama"
    shutil.copytree(workspace, ws)
    shutil.rmtree(ws / "records/press")
    _rgb().save(ws / f"assets/logo{special}.png")
    _give_logo(ws, LAN, f"assets/logo{special}.png")
    code, _, err = run("-C", str(ws), "build", "--jobs", "1")
    figure.cases += 2  # the folder name and the logo name
    figure.tracebacks += "internal error" in err
    figure.failures += code != 0
    assert code == 0, err
    report = ws / "out/labs/labinov-pontianak-2015.pdf"
    draft = ws / "out/mou/pontianak-lan-2015.docx"
    figure.files_checked += 2
    assert (90, 30) in _pdf_images(report)
    fonts = subprocess.run(["pdffonts", str(report)], capture_output=True, text=True, check=True).stdout
    assert "Laporan-Sans" in fonts  # the report's own fonts (templates/html/fonts), found through the special folder name
    assert len(_docx_logos(draft)) == 1


@pytest.mark.guarantee(GUARANTEE)
def test_logo_named_with_decomposed_accents_is_pointed_at(workspace, run, figure):
    _rgb().save(workspace / "assets/logo-cafe\u0301.png")  # as copied from a Mac
    _give_logo(workspace, LAN, "assets/logo-café.png")  # as typed
    code, _, err = run("-C", str(workspace), "check")
    figure.cases += 1
    ok = code == 1 and "decomposed accents" in err and re.search(rf"^{LAN}:\d+:\d+: logo: ", err, re.M)
    figure.failures += not ok
    assert ok, err


DOCXTPL_ESCAPES = "{_{ a }_} {_% if b %_} {_{_}_} }_}_} %_}{_% {_ _} _{ }_ {#_ _#}"


@pytest.mark.guarantee(GUARANTEE)
@needs_poppler
def test_docxtpl_escapes_in_records_come_back_literally(workspace, run, figure):
    fields = poison(workspace, lambda n: f"Q{tag(n)}Q {DOCXTPL_ESCAPES} Z{tag(n)}Z")
    code, _, err = run("-C", str(workspace), "build", "--jobs", "1")
    assert code == 0, err
    outputs = sorted(p for p in (workspace / "out").rglob("*") if p.is_file() and not p.name.startswith("."))
    assert {p.suffix for p in outputs} >= {".docx", ".pdf", ".html", ".md", ".txt"}
    for path in outputs:
        text = _norm(readable_text(path))
        figure.files_checked += 1
        for t in re.findall(r"Q([a-z]+)Q", text):
            m = re.search(rf"Q{t}Q (.*?) Z{t}Z", text)
            literal = m is not None and m.group(1).replace(" ", "") == DOCXTPL_ESCAPES.replace(" ", "")
            figure.cases += 1
            figure.failures += not literal
            assert literal, (path.name, m.group(1) if m else None)
    assert len(fields) >= 40


DATES = [
    ("records/mou/pontianak-lan-2015.yaml", "  date: 2015-11-11", "  date: {d}", "signing.date"),
    ("records/labs/labinov-pontianak-2015.yaml", "period: {start: 2015-11-11, end: 2015-11-13}", "period: {{start: {d}, end: 2015-11-13}}", "period.start"),
    ("records/press/pemkot-gandeng-lan-2015.yaml", "date: 2015-11-11", "date: {d}", "date"),
]


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("date", ["0001-01-01", "0999-01-01", "1000-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_dates_outside_1900_to_2100_are_refused_where_typed(workspace, run, figure, date):
    for rel, line, new, _ in DATES:
        path = workspace / rel
        text = path.read_text()
        assert line in text
        path.write_text(text.replace(line, new.format(d=date), 1))
    code, _, err = run("-C", str(workspace), "check")
    for rel, _, _, field in DATES:
        figure.cases += 1
        ok = code == 1 and re.search(rf"^{rel}:\d+:\d+: {re.escape(field)}: '{date}' is outside the years dokgen accepts \(1900-2100\)", err, re.M)
        figure.failures += not ok
        assert ok, err


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("date", [dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(1900, 1, 1), dt.date(2100, 12, 31), dt.date(9999, 12, 31)])
def test_core_properties_dates_are_xsd_datetimes_for_any_year(tmp_path, figure, date):
    from lxml import etree

    from dokgen.render.docx import render_docx

    repo = Path(__file__).resolve().parents[2]
    context = _example_mou(signed=date)
    data = render_docx(repo / "templates/docx/mou.docx", context, template_name="templates/docx/mou.docx", title="uji")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = etree.fromstring(z.read("docProps/core.xml"))
    stamps = [el.text for el in core if el.tag.endswith(("created", "modified"))]
    figure.cases += 1
    ok = len(stamps) == 2 and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", s) for s in stamps)
    ok = ok and dt.datetime.fromisoformat(stamps[0].replace("Z", "+00:00")).date() == date
    figure.failures += not ok
    assert ok, stamps


def _example_mou(signed: dt.date) -> dict:
    """The worked example's MoU context, signed on another date."""
    from dokgen.context.mou import mou_context
    from dokgen.records import load_workspace

    repo = Path(__file__).resolve().parents[2]
    ctx = mou_context(load_workspace(repo), "pontianak-lan-2015")
    ctx["signing"] = {**ctx["signing"], "date": signed}
    return ctx


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("variant", ["bogus", "pdf/a-9z", "", "pdf/a-3b;rm", "None "])
def test_unknown_pdf_variant_is_a_usage_error(workspace, run, figure, variant):
    code, out, err = run("-C", str(workspace), "build", "--pdf-variant", variant)
    figure.cases += 1
    ok = code == 2 and err.count("Invalid value for '--pdf-variant'") == 1 and not (workspace / "out").exists()
    figure.failures += not ok
    assert ok, err


def test_pdf_variant_choices_are_weasyprints():
    from weasyprint.pdf import VARIANTS

    from dokgen.cli import PDF_VARIANTS

    assert set(PDF_VARIANTS) == set(VARIANTS)
