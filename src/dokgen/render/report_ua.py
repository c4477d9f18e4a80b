"""A user-agent stylesheet cut to what the lab report is made of (issue 14, target 4).

WeasyPrint matches its whole HTML user-agent stylesheet (html5_ua.css: forms, bidi,
frames, footnotes) against every element, and gives every element six pseudo-element
styles (::marker and five footnote and note ones) that only list items and footnotes
use: about 40 % of the cascade of a 12-page report. REPORT_UA holds the rules of that
sheet, in its order, for the elements in COVERED only (::marker for li only, no footnote
or note pseudo-elements); its @page rules unchanged. The counter styles are WeasyPrint's.

It is used only where it gives the same styles as WeasyPrint's own sheet:
- the installed WeasyPrint's html5_ua.css is the one it was cut from (UA_SHA256);
- every element outside <svg> (drawn by WeasyPrint's SVG code, not styled by the
  cascade) is in COVERED and has no attribute that the sheet's dropped rules test;
- no linked stylesheet or style attribute mentions footnotes, notes, list items or
  markers, nor imports another stylesheet.
Otherwise a render uses WeasyPrint's sheet, as before. tests/test_report_ua.py renders
the example report both ways and compares the PDFs.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any, Callable
from urllib.parse import urljoin

# sha256 of WeasyPrint 70's html5_ua.css, which REPORT_UA was cut from
UA_SHA256 = "04dd53f16888e5325d8bb8feb02462d99d03c8329da713b167b333a2ea4b91bc"

COVERED = frozenset((
    "html", "head", "meta", "title", "link", "body", "section", "nav", "main", "div", "p", "h1", "h2", "h3",
    "dl", "dt", "dd", "ol", "li", "a", "span", "i", "b", "br", "figure", "figcaption",
    "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "img",
))
SVG = "{http://www.w3.org/2000/svg}svg"
# attributes that rules left out of REPORT_UA select on ([hidden], [dir], table[rules], [frame])
DROPPED_ATTRIBUTES = frozenset(("hidden", "dir", "rules", "frame"))
# what in an author stylesheet would call for the dropped pseudo-element rules
DROPPED_FEATURES = ("footnote", "note", "list-item", "marker", "@import")

REPORT_UA = """
head, link, meta, title { display: none }
body, dd, div, dl, dt, figure, figcaption, h1, h2, h3, html, main, nav, ol, p, section { display: block }
li { display: list-item }
table { display: table }
colgroup { display: table-column-group }
col { display: table-column }
thead { display: table-header-group }
tbody { display: table-row-group }
tr { display: table-row }
td, th { display: table-cell }
dl, figure, ol, p { margin-top: 1em; margin-bottom: 1em }
:is(dl, ol) :is(dl, ol) { margin-top: 0; margin-bottom: 0 }
body { margin: 8px }
h1 { margin-top: .67em; margin-bottom: .67em }
h2 { margin-top: .83em; margin-bottom: .83em }
h3 { margin-top: 1em; margin-bottom: 1em }
figure { margin-left: 40px; margin-right: 40px }
dd { margin-left: 40px }
ol { padding-left: 40px }
table { border-spacing: 2px; border-collapse: separate }
td, th { padding: 1px }
thead, tbody, table > tr { vertical-align: middle }
tr, td, th { vertical-align: inherit }
html { color-scheme: light }
i { font-style: italic }
b, th { font-weight: bold }
h1 { font-size: 2em; font-weight: bold }
h2 { font-size: 1.5em; font-weight: bold }
h3 { font-size: 1.17em; font-weight: bold }
:link { color: blue }
table, td, th { border-color: gray }
thead, tbody, tr { border-color: inherit }
:link, :visited { text-decoration: underline }
br::before { content: "\\A"; white-space: pre-line }
ol { list-style-type: decimal }
li::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }
table { text-indent: initial }
img, svg { overflow: hidden }
table { box-sizing: border-box }
ol { counter-reset: list-item }
h1 { bookmark-level: 1 }
h2 { bookmark-level: 2 }
h3 { bookmark-level: 3 }
h1, h2, h3 { bookmark-label: content(text) }
h1, h2, h3 { hyphens: manual; break-after: avoid; break-inside: avoid }
ol { break-before: avoid }
@page {
  margin: 75px;
  @footnote            { margin-top: 1em }
  @note-area           { content: element(note, all-once) }
  @top-left-corner     { text-align: right;  vertical-align: middle }
  @top-left            { text-align: left;   vertical-align: middle }
  @top-center          { text-align: center; vertical-align: middle }
  @top-right           { text-align: right;  vertical-align: middle }
  @top-right-corner    { text-align: left;   vertical-align: middle }
  @left-top            { text-align: center; vertical-align: top    }
  @left-middle         { text-align: center; vertical-align: middle }
  @left-bottom         { text-align: center; vertical-align: bottom }
  @right-top           { text-align: center; vertical-align: top    }
  @right-middle        { text-align: center; vertical-align: middle }
  @right-bottom        { text-align: center; vertical-align: bottom }
  @bottom-left-corner  { text-align: right;  vertical-align: middle }
  @bottom-left         { text-align: left;   vertical-align: middle }
  @bottom-center       { text-align: center; vertical-align: middle }
  @bottom-right        { text-align: right;  vertical-align: middle }
  @bottom-right-corner { text-align: left;   vertical-align: middle }
}
"""


@functools.cache
def _sheet() -> Any:
    """REPORT_UA parsed once per process, or None if WeasyPrint's own sheet is not the one it was cut from."""
    import weasyprint
    import weasyprint.html

    if hashlib.sha256(weasyprint.html.UA.encode()).hexdigest() != UA_SHA256:
        return None
    return weasyprint.CSS(string=REPORT_UA)


def _mentions_dropped(css: str) -> bool:
    css = css.lower()
    return any(word in css for word in DROPPED_FEATURES)


def fits(root: Any, base_url: str, read_css: Callable[[str], str | None]) -> bool:
    """Whether REPORT_UA styles the document under root (an ElementTree element) as WeasyPrint's sheet does.

    read_css(url) returns a linked stylesheet's text, or None when it cannot be read.
    """
    stack = [root]
    while stack:
        element = stack.pop()
        if element.tag == SVG or not isinstance(element.tag, str):  # an <svg>, or a comment
            continue
        if element.tag not in COVERED or not DROPPED_ATTRIBUTES.isdisjoint(element.attrib):
            return False
        if _mentions_dropped(element.get("style", "")):
            return False
        if element.tag == "link" and "stylesheet" in element.get("rel", "").lower().split():
            css = read_css(urljoin(base_url, element.get("href", "")))
            if css is None or _mentions_dropped(css):
                return False
        stack.extend(element)
    return True


def report_sheets(root: Any, base_url: str, read_css: Callable[[str], str | None]) -> list | None:
    """[REPORT_UA as a WeasyPrint stylesheet] when it fits the document, else None (use WeasyPrint's)."""
    sheet = _sheet()
    return [sheet] if sheet is not None and fits(root, base_url, read_css) else None
