"""Page previews: a MoU through LibreOffice, a lab report through WeasyPrint, drawn by pypdfium2."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from dokgen.build import build
from dokgen.preview import Previewer, PreviewError

from .conftest import LAB, MOU

pytestmark = pytest.mark.slow
PNG = b"\x89PNG\r\n\x1a\n"


def watermark_pixels(png: bytes) -> int:
    """Pixels of the watermark's flat light grey (#dfdfdf); text is black on white."""
    colours = Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 24)
    return sum(n for n, colour in colours if colour == (223, 223, 223))


def test_mou_preview_pages_match_the_signing_pdf(workspace, converter):
    from dokgen.signing import signing_pdfs

    signing_pdfs(workspace, converter=converter)
    pages = len(PdfReader(workspace / f"out/mou/{MOU}.pdf").pages)
    with Previewer(workspace, converter=converter) as previews:
        assert previews.page_count("mou", MOU) == pages == 4
        png = previews.page_png("mou", MOU, 2, width=600)
        assert png.startswith(PNG)
        image = Image.open(io.BytesIO(png))
        assert image.width == 600 and abs(image.height - round(600 * 297 / 210)) <= 2  # A4
        with pytest.raises(PreviewError, match="no page 5; it has 4"):
            previews.page_png("mou", MOU, 5)
        with pytest.raises(PreviewError, match="no mou record 'nope'"):
            previews.page_count("mou", "nope")


def test_an_unchanged_record_is_converted_once_and_an_edit_shows(workspace, converter):
    with Previewer(workspace, converter=converter) as previews:
        first = previews.page_png("mou", MOU, 1)
        assert previews.page_count("mou", MOU) == 4 and previews.page_png("mou", MOU, 1) == first
        assert previews.conversions == 1
        record = workspace / f"records/mou/{MOU}.yaml"
        record.write_text(record.read_text(encoding="utf-8").replace("Jalan Rahadi Usman No. 3", "Jalan Rahadi Usman No. 7"), encoding="utf-8")
        edited = previews.page_png("mou", MOU, 1)
        assert previews.conversions == 2 and edited != first


def test_draft_previews_show_the_watermark(workspace, converter):
    with Previewer(workspace, converter=converter) as previews:
        draft = previews.page_png("mou", MOU, 1)
        record = workspace / f"records/mou/{MOU}.yaml"
        record.write_text(record.read_text(encoding="utf-8").replace("status: draft", "status: final"), encoding="utf-8")
        final = previews.page_png("mou", MOU, 1)
    # the DRAF letters cover a good part of the page: tens of thousands of grey pixels at 800 px
    assert watermark_pixels(draft) > 20_000 > 5 * watermark_pixels(final)


def test_lab_report_preview_is_the_built_report(workspace, converter):
    build(workspace)
    pages = len(PdfReader(workspace / f"out/labs/{LAB}.pdf").pages)
    with Previewer(workspace, converter=converter) as previews:
        assert previews.page_count("lab", LAB) == pages > 1
        assert previews.conversions == 0  # the report in out/ is up to date: taken as it is
        image = Image.open(io.BytesIO(previews.page_png("lab", LAB, pages, width=400)))
        assert image.size[0] == 400 and image.size[1] > 500
        record = workspace / f"records/labs/{LAB}.yaml"
        record.write_text(record.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # new bytes, new key
        assert previews.page_count("lab", LAB) == pages and previews.conversions == 1


def test_press_preview_is_its_web_page(workspace, converter):
    with Previewer(workspace, converter=converter) as previews:
        html = previews.press_html("pemkot-gandeng-lan-2015")
        assert html.startswith("<!doctype html>") and "Pontianak" in html
        with pytest.raises(PreviewError, match="no page previews of 'press'"):
            previews.page_count("press", "pemkot-gandeng-lan-2015")
