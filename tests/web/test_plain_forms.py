"""Form posts as a browser sends them without the page's script (no htmx): the app's own page
is accepted, another site's page is refused; an upload over the sheet limit is answered in
Indonesian beside the upload form. Real Chromium against the session's `dokgen serve`."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
from tests.sheets.conftest import IDE_HEADERS, IDEAS, LAB, write_xlsx

from dokgen.sheets.reading import MAX_SHEET_BYTES

pytestmark = pytest.mark.slow


@pytest.fixture
def plain_page(browser, server):
    """A signed-in page whose scripts do not run: every form is a plain HTML form post."""
    context = browser.new_context(java_script_enabled=False, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.url)
    yield page
    context.close()


@pytest.fixture
def other_site(server):
    """Another web server on this machine (another port of 127.0.0.1: the same site to the cookie,
    another origin) whose page posts a form to dokgen serve, as a malicious local page would."""
    target = f"{server.base}/tabel/lab/labinov-pontianak-2015"
    html = (f'<!doctype html><form method="post" enctype="multipart/form-data" action="{target}">'
            '<input type="file" name="berkas"><button type="submit">Kirim</button></form>').encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_a_plain_form_post_from_the_apps_page_is_accepted(plain_page, server, tmp_path):
    before = (server.root / LAB).read_bytes()
    plain_page.goto(f"{server.base}/tabel/lab/labinov-pontianak-2015")
    plain_page.set_input_files("input[name=berkas]", str(write_xlsx(tmp_path / "ide-lab.xlsx", "Ide", IDE_HEADERS, IDEAS)))
    plain_page.get_by_label("Hanya periksa, jangan simpan").check()
    with plain_page.expect_response(lambda r: r.request.method == "POST") as answer:
        plain_page.get_by_role("button", name="Impor").click()
    assert answer.value.status == 200
    assert answer.value.request.header_value("origin") == server.base  # not "null"
    assert "ide-lab.xlsx akan diimpor ke records/labs/labinov-pontianak-2015.yaml" in plain_page.locator(".sheet-done").inner_text()
    assert (server.root / LAB).read_bytes() == before


def test_a_form_post_from_another_site_is_refused(plain_page, server, other_site, tmp_path):
    before = (server.root / LAB).read_bytes()
    plain_page.goto(other_site)
    plain_page.set_input_files("input[name=berkas]", str(write_xlsx(tmp_path / "ide-lab.xlsx", "Ide", IDE_HEADERS, IDEAS)))
    with plain_page.expect_response(lambda r: r.request.method == "POST") as answer:
        plain_page.get_by_role("button", name="Kirim").click()
    assert answer.value.request.header_value("cookie"), "the cookie went along: only the Origin check stands in the way"
    assert answer.value.status == 403
    assert "Permintaan dari situs lain ditolak" in plain_page.locator("body").inner_text()
    assert (server.root / LAB).read_bytes() == before


def test_an_upload_over_the_sheet_limit_is_answered_beside_the_upload_field(page, server, tmp_path):
    big = tmp_path / "besar.xlsx"
    with big.open("wb") as fh:  # sparse: larger than any sheet dokgen reads, cheap to make
        fh.truncate(MAX_SHEET_BYTES + 2_000_000)
    page.goto(f"{server.base}/tabel/lab/labinov-pontianak-2015")
    page.set_input_files("input[name=berkas]", str(big))
    page.get_by_role("button", name="Impor").click()
    problems = page.locator(".sheet-problems")
    problems.wait_for()
    assert f"tabel paling besar {MAX_SHEET_BYTES:,}" in problems.inner_text()
    assert page.locator("input[name=berkas]").is_visible()  # the form is still there to try another file


def test_a_sheet_between_the_record_limit_and_the_sheet_limit_reaches_the_reader(page, server, tmp_path):
    # 8 MB was the app's limit for everything: a 9 MB sheet must get the reader's word, not Flask's 413
    middling = tmp_path / "sedang.xlsx"
    middling.write_bytes(b"PK\x03\x04" + b"\0" * 9_000_000)
    page.goto(f"{server.base}/tabel/lab/labinov-pontianak-2015")
    page.set_input_files("input[name=berkas]", str(middling))
    page.get_by_role("button", name="Impor").click()
    problems = page.locator(".sheet-problems")
    problems.wait_for()
    assert "sedang.xlsx" in problems.inner_text() and "tidak dapat dibaca" in problems.inner_text()
