"""The lab report's own user-agent stylesheet (render/report_ua.py) styles it as WeasyPrint's does."""

from __future__ import annotations

from pathlib import Path

import pytest

from dokgen.build import Options
from dokgen.context.lab import lab_context
from dokgen.records import load_workspace
from dokgen.render import pdf as pdf_render
from dokgen.render import report_ua

REPO = Path(__file__).resolve().parents[1]
LAB_ID = "labinov-pontianak-2015"


@pytest.fixture(scope="module")
def example():
    ws = load_workspace(REPO)
    context = lab_context(ws, LAB_ID)
    pdf_render._logo_data_urls(ws, ws.labs[LAB_ID], context)
    return ws, pdf_render.render_html(ws, context)


def _document(ws, html: str):
    base_url = (ws.root / "templates" / pdf_render.TEMPLATE).absolute().as_uri()
    return pdf_render._html_class()(string=html, base_url=base_url, url_fetcher=pdf_render.workspace_fetcher(ws.root))


def test_example_report_uses_it(example):
    """Every tag of the shipped template is covered: a new one would quietly cost the speed-up."""
    ws, html = example
    document = _document(ws, html)
    assert document.report_ua is not None
    tags = {e.tag for e in document.etree_element.iter() if isinstance(e.tag, str) and not e.tag.startswith("{")}
    assert tags <= report_ua.COVERED


def test_same_pdf_bytes_either_sheet(example, monkeypatch):
    ws, _ = example
    rec = ws.labs[LAB_ID]
    ours = pdf_render.produce_lab_report(ws, rec, Options()).files[f"labs/{LAB_ID}.pdf"]
    monkeypatch.setattr(report_ua, "report_sheets", lambda *args: None)
    theirs = pdf_render.produce_lab_report(ws, rec, Options()).files[f"labs/{LAB_ID}.pdf"]
    assert ours == theirs


def test_same_computed_styles_for_every_element(example):
    """Each element's style, and of each pseudo-element the report can show, property by property."""
    from weasyprint.css import get_all_computed_styles
    from weasyprint.css.properties import INITIAL_VALUES

    ws, html = example
    ours = _document(ws, html)
    theirs = _document(ws, html)
    theirs.report_ua = None
    style_ours, style_theirs = get_all_computed_styles(ours), get_all_computed_styles(theirs)
    pairs = list(zip(ours.etree_element.iter(), theirs.etree_element.iter()))
    assert len(pairs) > 300
    for a, b in pairs:
        if not isinstance(a.tag, str):
            continue
        for pseudo in (None, "before", "after", "marker"):
            if pseudo == "marker" and a.tag != "li":
                continue  # only list items get a marker box, and only li are list items here
            sa, sb = style_ours(a, pseudo), style_theirs(b, pseudo)
            assert (sa is None) == (sb is None), (a.tag, a.attrib, pseudo)
            if sa is not None:
                for name in INITIAL_VALUES:
                    assert sa[name] == sb[name], (a.tag, a.attrib, pseudo, name)


def _parse(body: str):
    import tinyhtml5  # WeasyPrint's parser

    return tinyhtml5.parse(f'<!doctype html><html><head><link rel="stylesheet" href="r.css"></head><body>{body}</body></html>',
                           namespace_html_elements=False)


def _fits(body: str, css: str = "") -> bool:
    root = _parse(body)
    return report_ua.fits(root, "file:///w/templates/html/r.html", lambda url: css)


@pytest.mark.parametrize("body, css, expected", [
    ("<p>text <b>bold</b> <i>it</i></p><!-- a comment --><ol><li>one</li></ol>", "p { margin: 0 }", True),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>x</style><text>t</text></svg>', "", True),
    ("<ul><li>a tag the sheet leaves out</li></ul>", "", False),
    ("<p hidden>hidden</p>", "", False),
    ('<p dir="rtl">bidi</p>', "", False),
    ("<p>x</p>", ".x { float: footnote }", False),
    ("<p>x</p>", "p { display: list-item }", False),
    ("<p>x</p>", "@import url(other.css);", False),
    ('<p style="display: list-item">x</p>', "", False),
])
def test_used_only_where_it_fits(body, css, expected):
    assert _fits(body, css) is expected


def test_unreadable_stylesheet_means_weasyprints_sheet():
    root = _parse("<p>x</p>")
    assert report_ua.fits(root, "file:///w/r.html", lambda url: None) is False
