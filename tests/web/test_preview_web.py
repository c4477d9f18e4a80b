"""Previews in serve, in a real Chromium against a real `dokgen serve` (with its own LibreOffice)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

pytestmark = pytest.mark.slow
MOU = "pontianak-lan-2015"


def test_preview_changes_after_an_edit_in_the_form(page, server):
    pages = page.request.get(f"{server.base}/preview/mou/{MOU}/pages")
    assert pages.ok and pages.json()["pages"] == 4
    first = page.request.get(f"{server.base}/preview/mou/{MOU}/1.png")
    assert first.headers["content-type"] == "image/png"
    before = first.body()
    assert Image.open(io.BytesIO(before)).width == 800

    # the form shows the pages beside it
    page.goto(f"{server.base}/records/mou/{MOU}")
    shown = page.locator("[data-preview] img")
    shown.first.wait_for()
    assert shown.count() == 4
    page.wait_for_function("() => document.querySelector('[data-preview] img').complete")
    assert page.evaluate("() => document.querySelector('[data-preview] img').naturalWidth") == 800
    old_src = shown.first.get_attribute("src")

    venue = page.locator('[data-key="venue"] [data-input]')
    venue.fill("Ruang Rapat Wali Kota Pontianak, Jalan Rahadi Usman No. 3")
    page.locator("[data-save]").click()
    page.locator("[data-status]", has_text="Tersimpan").wait_for()
    # the preview reloads by itself once the saved record's key changes
    page.wait_for_function("old => { const i = document.querySelector('[data-preview] img'); "
                           "return i && i.getAttribute('src') !== old && i.complete && i.naturalWidth > 0; }", arg=old_src)
    after = page.request.get(server.base + shown.first.get_attribute("src")).body()
    assert after != before


def test_preview_errors_and_press_iframe(page, server):
    missing = page.request.get(f"{server.base}/preview/mou/{MOU}/9.png")
    assert missing.status == 404 and re.search(r"no page 9; it has \d+ page", missing.json()["error"])
    assert page.request.get(f"{server.base}/preview/mou/nope/pages").status == 404
    press = page.request.get(f"{server.base}/preview/press/pemkot-gandeng-lan-2015.html")
    assert press.ok and press.headers["content-security-policy"].startswith("sandbox")
    page.goto(f"{server.base}/preview/press/pemkot-gandeng-lan-2015/")
    frame = page.frame_locator("[data-press]")
    assert "Pontianak" in frame.locator("body").inner_text()


def test_preview_needs_the_token(server):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.base}/preview/mou/{MOU}/1.png")
    assert refused.value.code == 401
