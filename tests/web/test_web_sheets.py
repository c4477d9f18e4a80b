"""Sheets in `dokgen serve`: upload on the lab form and the parties list, problems shown at their rows."""

from __future__ import annotations

from tests.sheets.conftest import BAD_IDEAS, IDE_HEADERS, IDEAS, LAB, write_xlsx
from tests.sheets.test_sheets_import import EXPECTED_UNITS

from dokgen.yamlfile import read_yaml


def test_lab_upload_shows_problems_at_rows_then_imports(page, server, tmp_path):
    before = (server.root / LAB).read_bytes()
    page.goto(f"{server.base}/records/lab/labinov-pontianak-2015")
    page.get_by_role("link", name="Isi unit dan ide dari tabel (Excel)").click()
    bad = write_xlsx(tmp_path / "ide-lab.xlsx", "Ide", IDE_HEADERS, BAD_IDEAS)
    page.set_input_files("input[name=berkas]", str(bad))
    page.get_by_role("button", name="Impor").click()
    row3 = page.locator("tr[data-row='3']")
    assert "C3: Judul ide: must not be empty" in row3.inner_text()
    assert row3.locator("li.bad").count() == 1  # the empty cell itself is marked
    assert "B4: Jenis unit: 'kelurhan' is not allowed (did you mean 'kelurahan'?)" in page.locator("tr[data-row='4']").inner_text()
    assert "2 problems in 1 file; nothing was written" in page.locator(".sheet-problems").inner_text()
    assert (server.root / LAB).read_bytes() == before

    good = write_xlsx(tmp_path / "ide-lab.xlsx", "Ide", IDE_HEADERS, IDEAS)
    page.set_input_files("input[name=berkas]", str(good))
    page.get_by_role("button", name="Impor").click()
    assert "imported ide-lab.xlsx into records/labs/labinov-pontianak-2015.yaml: 3 units, 3 ideas" in page.locator(".sheet-done").inner_text()
    assert read_yaml((server.root / LAB).read_bytes(), LAB).data["units"] == EXPECTED_UNITS
    (server.root / LAB).write_bytes(before)  # the served workspace is shared by the session's tests


def test_parties_download_and_upload_round_trip(page, server, tmp_path):
    before = {p.name: p.read_bytes() for p in (server.root / "records/parties").iterdir()}
    page.goto(server.base + "/")
    page.get_by_role("link", name="Impor atau unduh pihak sebagai tabel (Excel)").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh semua pihak (.xlsx)").click()
    sheet = tmp_path / "pihak.xlsx"
    download.value.save_as(sheet)
    page.set_input_files("input[name=berkas]", str(sheet))
    page.get_by_label("Hanya periksa, jangan simpan").check()
    page.get_by_role("button", name="Impor").click()
    assert "would import pihak.xlsx into records/parties: 2 parties: 0 new; 0 changed; 2 unchanged" in page.locator(".sheet-done").inner_text()
    assert {p.name: p.read_bytes() for p in (server.root / "records/parties").iterdir()} == before
