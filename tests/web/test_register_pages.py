"""The register's pages in a real browser against the real `dokgen serve` (read-only: the
session's workspace is shared with the other web tests)."""

from __future__ import annotations


def test_rekap_in_the_browser(page, server):
    page.click("header.top >> text=Rekap")
    page.fill("input[name=per]", "2016-01-01")
    page.click("text=Tampilkan")
    row = page.locator('tr[data-id="pontianak-lan-2015"]')
    assert "belum ditandatangani" in row.inner_text()  # the example is a draft
    with page.expect_download() as info:
        page.click("text=Unduh pengingat (.ics)")
    assert info.value.suggested_filename == "pengingat-kerja-sama.ics"


def test_verify_an_upload_in_the_browser(page, server, tmp_path):
    stranger = tmp_path / "surat.pdf"
    stranger.write_bytes(b"%PDF-1.4 not issued here")
    page.click("header.top >> text=Register")
    page.set_input_files("input[name=berkas]", str(stranger))
    page.click("form.verify button[type=submit]")
    assert "surat.pdf: tidak terdaftar" in page.locator(".verdict").inner_text()
