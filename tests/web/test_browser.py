"""The issue's scenario in real Chromium against the real `dokgen serve` (one browser and
one server per session; the tests in this file run in order on the same workspace)."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from dokgen.yamlfile import read_yaml

pytestmark = pytest.mark.slow
MOU = "records/mou/pontianak-lan-2015.yaml"
DATE_MESSAGE = "'29/02/2024' is not a date; write YYYY-MM-DD, e.g. 2015-11-11"
# reliability guarantee 2's payload (tests/reliability/test_payloads.py)
PAYLOAD = "&<>\"' ]]> {{ 7*7 }} {% if x %} {{ ''.__class__.__mro__ }} {{ cycler.__init__.__globals__ }}"


def field(page, *keys: str):
    """The form field at a path of data-keys, e.g. field(page, 'signing', 'date')."""
    selector = " ".join(f'[data-key="{k}"]' for k in keys)
    return page.locator(f"[data-root] {selector}").first


def data(server, rel: str):
    return read_yaml((server.root / rel).read_bytes(), rel).data


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return re.sub(r"\s+", " ", " ".join(parts))


def open_record(page, server, title_start: str):
    page.goto(server.base + "/")
    page.get_by_role("link", name=re.compile("^" + re.escape(title_start))).first.click()
    page.wait_for_selector("[data-root]")


def save(page):
    page.get_by_role("button", name="Simpan").click()
    page.locator("form[data-save-result]").wait_for()
    return page.locator("[data-status]").inner_text()


def copy_record(page, server, record: str, new_id: str):
    """Beranda -> the record's "Salin" link -> a form holding its copy, with a new id."""
    page.goto(server.base + "/")
    page.locator(f'[data-record="{record}"]').get_by_role("link", name=re.compile("^Salin")).click()
    page.wait_for_selector("[data-record-id]")
    page.locator("[data-record-id]").fill(new_id)


def test_the_clerks_scenario(page, server, tmp_path):
    # the printed URL signed us in and left the address bar without the token
    assert page.url == server.base + "/"
    before = (server.root / MOU).read_text(encoding="utf-8")

    # a wrong date: the check's own message beside the field, nothing written
    open_record(page, server, "Kerja Sama Penguatan Kapasitas")
    date = field(page, "signing", "date")
    date.locator("input").fill("29/02/2024")
    date.locator("[data-msg]").filter(has_text=DATE_MESSAGE).wait_for()
    assert date.locator("input").get_attribute("aria-invalid") == "true"
    assert "Belum disimpan" in save(page)
    assert date.locator("[data-msg]").inner_text() == DATE_MESSAGE
    assert (server.root / MOU).read_text(encoding="utf-8") == before

    # fixed: the message goes, the date shows the Indonesian way, the save changes one line
    date.locator("input").fill("2024-02-29")
    expect(date.locator("[data-msg]")).to_have_text("")
    assert date.locator("[data-date-hint]").inner_text() == "Kamis, 29 Februari 2024"
    # advice, as `dokgen check` words it, beside the recital that cites the repealed regulation
    expect(page.locator("[data-root] [data-key=recitals] li").nth(2).locator("[data-warn]")).to_contain_text("Peraturan Pemerintah Nomor 50 Tahun 2007")
    assert save(page) == "Tersimpan"
    assert (server.root / MOU).read_text(encoding="utf-8") == before.replace("date: 2015-11-11", "date: 2024-02-29")

    # a new party as a copy of LAN, then "+ Tambah" puts it in the MoU
    copy_record(page, server, "party/lan", "untan")
    field(page, "name").locator("input").fill("Universitas Tanjungpura")
    field(page, "short_name").locator("input").fill("UNTAN")
    field(page, "type").locator("select").select_option("perguruan-tinggi")
    field(page, "signatory", "name").locator("input").fill("Garuda Wiko")
    field(page, "signatory", "position").locator("input").fill("Rektor Universitas Tanjungpura")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(server.base + "/records/party/untan")
    assert data(server, "records/parties/untan.yaml")["name"] == "Universitas Tanjungpura"

    open_record(page, server, "Kerja Sama Penguatan Kapasitas")
    parties = field(page, "parties")
    parties.get_by_role("button", name="+ Tambah").click()
    parties.locator("li").nth(2).locator("select").select_option("untan")
    assert save(page) == "Tersimpan"
    saved = (server.root / MOU).read_text(encoding="utf-8")
    assert [p["party"] for p in data(server, MOU)["parties"]] == ["pemkot-pontianak", "lan", "untan"]
    assert saved.startswith("# Nota Kesepahaman Pemkot Pontianak dan LAN")  # comments intact
    assert saved.replace("  - party: untan\n", "") == before.replace("date: 2015-11-11", "date: 2024-02-29")

    # a lab as a copy of last year's
    copy_record(page, server, "lab/labinov-pontianak-2015", "labinov-pontianak-2016")
    field(page, "title").locator("input").fill("Laboratorium Inovasi Daerah Kota Pontianak 2016")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(server.base + "/records/lab/labinov-pontianak-2016")
    copied = data(server, "records/labs/labinov-pontianak-2016.yaml")
    assert copied == {**data(server, "records/labs/labinov-pontianak-2015.yaml"), "title": "Laboratorium Inovasi Daerah Kota Pontianak 2016"}

    # build everything, then download the Word draft
    page.goto(server.base + "/")
    page.get_by_role("button", name="Bangun semua").click()
    summary = page.locator("[data-summary]")
    summary.wait_for(timeout=120_000)
    assert re.search(r"Selesai: 6 dibangun, 0 sudah mutakhir, 0 disimpan karena diubah manual, 0 gagal", summary.inner_text())
    page.goto(server.base + "/")
    mou_item = page.locator('[data-record="mou/pontianak-lan-2015"]')
    with page.expect_download() as info:
        mou_item.get_by_role("link", name="Draf Word").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == "pontianak-lan-2015.docx"
    assert target.read_bytes() == (server.root / "out/mou/pontianak-lan-2015.docx").read_bytes()
    text = docx_text(target)
    assert "Universitas Tanjungpura" in text and "PIHAK KETIGA" in text
    assert "dua puluh sembilan bulan Februari tahun dua ribu dua puluh empat" in text


def test_payloads_typed_into_fields_come_back_literally(page, server):
    open_record(page, server, "Kerja Sama Penguatan Kapasitas")
    purpose = field(page, "purpose").locator("textarea")
    purpose.fill("")
    purpose.press_sequentially(f"Qa Q {PAYLOAD} Za Z", delay=0)  # typed key by key
    venue = field(page, "signing", "venue").locator("input")
    venue.fill(f"Qb Q {PAYLOAD} Zb Z")
    assert save(page) == "Tersimpan"
    # the page, after a reload, shows exactly what was typed
    page.reload()
    assert field(page, "purpose").locator("textarea").input_value() == f"Qa Q {PAYLOAD} Za Z"
    assert field(page, "signing", "venue").locator("input").input_value() == f"Qb Q {PAYLOAD} Zb Z"
    # so do the YAML file and the Word draft
    saved = data(server, MOU)
    assert saved["purpose"] == f"Qa Q {PAYLOAD} Za Z"
    assert saved["signing"]["venue"] == f"Qb Q {PAYLOAD} Zb Z"
    request = urllib.request.Request(server.base + "/api/build", method="POST", headers=server.headers())
    with urllib.request.urlopen(request, timeout=300) as response:
        assert response.status == 200
    text = docx_text(server.root / "out/mou/pontianak-lan-2015.docx")
    assert "49" not in re.sub(r"[\d/.-]*\d49\d*|49[\d/.-]+", "", text).split("Qa Q")[1][:300]  # {{ 7*7 }} never evaluated
    for tag in ("a", "b"):
        found = re.search(rf"Q{tag} Q (.*?) Z{tag} Z", text)
        assert found is not None and found.group(1) == PAYLOAD, tag


def test_two_tabs_saving_the_same_record_get_a_conflict_they_can_resolve(browser, server):
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    first.goto(server.url)
    for pg in (first, second):
        open_record(pg, server, "Kerja Sama Penguatan Kapasitas")
    field(first, "signing", "city").locator("input").fill("Jakarta")
    assert save(first) == "Tersimpan"
    field(second, "signing", "city").locator("input").fill("Bandung")
    assert "diubah" in save(second)
    assert data(server, MOU)["signing"]["city"] == "Jakarta"  # no silent overwrite
    second.get_by_role("button", name="Timpa dengan isian saya").click()
    second.locator("[data-status]").filter(has_text="Tersimpan").wait_for()
    assert data(server, MOU)["signing"]["city"] == "Bandung"
    context.close()


def test_leaving_with_unsaved_edits_asks_first(page, server):
    open_record(page, server, "Kerja Sama Penguatan Kapasitas")
    field(page, "signing", "city").locator("input").fill("Singkawang")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Beranda").first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert "/records/mou/" in page.url  # stayed on the form


def test_invalid_form_is_kept_as_a_draft_until_discarded(page, server):
    open_record(page, server, "Kerja Sama Penguatan Kapasitas")
    field(page, "term_years").locator("input").fill("lima")
    assert "Belum disimpan" in save(page)
    page.goto(server.base + "/records/mou/pontianak-lan-2015")
    page.get_by_role("button", name="Pakai draf").click()
    page.wait_for_url(re.compile(r"draf=1"))
    assert field(page, "term_years").locator("input").input_value() == "lima"
    field(page, "term_years", ).locator("[data-msg]").filter(has_text="'lima' is not a whole number").wait_for()
    assert data(server, MOU)["term_years"] == "5"
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Buang draf").click()
    page.wait_for_url(server.base + "/records/mou/pontianak-lan-2015")
    assert page.get_by_role("button", name="Pakai draf").count() == 0


@pytest.mark.parametrize("path", ["/", "/records/mou/pontianak-lan-2015", "/records/lab/labinov-pontianak-2015"])
def test_pages_fit_360_px(browser, server, path):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    pg = context.new_page()
    pg.goto(server.url)
    pg.goto(server.base + path)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    errors = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.reload()
    assert errors == []  # no CSP violation, no script error
    context.close()


@pytest.mark.parametrize("kind, record_id, rel", [
    ("party", "pemkot-pontianak", "records/parties/pemkot-pontianak.yaml"),
    ("scope", "inovasi", "records/scopes.yaml"),
    ("lab", "labinov-pontianak-2015", "records/labs/labinov-pontianak-2015.yaml"),
    ("press", "pemkot-gandeng-lan-2015", "records/press/pemkot-gandeng-lan-2015.yaml"),
])
def test_every_form_reads_back_its_record_unchanged(page, server, kind, record_id, rel):
    """The form walked from the model gives back exactly the record it shows: saving an
    untouched form leaves the file byte for byte as it was."""
    before = (server.root / rel).read_bytes()
    page.goto(f"{server.base}/records/{kind}/{record_id}")
    assert save(page) == "Tersimpan"
    assert (server.root / rel).read_bytes() == before


MOU_WITH_EVERYTHING = """# Dibuat untuk uji formulir: ruang lingkup di tempat, pasal sendiri, kutipan orang lain.
document_type: Kesepakatan Bersama
subject: Kerja Sama Uji Formulir
status: final
signing:
  date: 2016-03-01
  city: Pontianak
  venue: Kantor Wali Kota
parties:
  - party: pemkot-pontianak
  - party: lan
    number: 12/KB/2016
purpose: Menguji formulir.
scopes:
  - inovasi
  - title: Kajian Bersama  # ditulis di sini, bukan dari katalog
    description: Kajian kebijakan pelayanan publik bersama.
term_years: '3'
funding: Biaya ditanggung masing-masing pihak.
legal_basis: auto
articles:
  korespondensi: "off"
  perubahan:
    title: PERUBAHAN
    ayat:
      - Perubahan dituangkan dalam adendum.
"""


def test_unions_and_mappings_round_trip_and_edit(page, server):
    """Catalogue vs inline scopes, the articles mapping and on/off switches: shown in their
    own variant, saved back unchanged, and a variant switched in the form is saved as such."""
    rel = "records/mou/uji-formulir.yaml"
    (server.root / rel).write_text(MOU_WITH_EVERYTHING, encoding="utf-8")
    page.goto(f"{server.base}/records/mou/uji-formulir")
    scopes = field(page, "scopes").locator(":scope > ol > li")
    assert scopes.nth(0).locator("[data-variant]").input_value() == "ref"
    assert scopes.nth(1).locator("[data-variant]").input_value() == "inline"
    assert save(page) == "Tersimpan"
    assert (server.root / rel).read_text(encoding="utf-8") == MOU_WITH_EVERYTHING
    # the first scope becomes an inline one; the second moves up
    scopes.nth(0).locator("[data-variant]").select_option("inline")
    scopes.nth(0).locator('[data-key="title"] input').fill("Inovasi Pelayanan")
    scopes.nth(0).locator('[data-key="description"] textarea').fill("Inovasi pelayanan publik di kelurahan.")
    scopes.nth(1).get_by_role("button", name="Naikkan").click()
    assert save(page) == "Tersimpan"
    saved = data(server, rel)
    assert saved["scopes"] == [{"title": "Kajian Bersama", "description": "Kajian kebijakan pelayanan publik bersama."},
                               {"title": "Inovasi Pelayanan", "description": "Inovasi pelayanan publik di kelurahan."}]
    assert saved["articles"]["korespondensi"] == "off"
    assert (server.root / rel).read_text(encoding="utf-8").startswith("# Dibuat untuk uji formulir")


def test_buat_baru_starts_an_empty_form_that_is_kept_as_a_draft(page, server):
    page.goto(server.base + "/")
    page.get_by_label("Jenis").select_option(label="Siaran pers")
    page.get_by_role("button", name="Buat baru").click()
    page.locator("[data-record-id]").fill("berita-baru")
    field(page, "headline").locator("input").fill("Judul Berita Baru")
    assert "Belum disimpan" in save(page)
    assert field(page, "dateline").locator("[data-msg]").inner_text() == "must not be empty"
    assert not (server.root / "records/press/berita-baru.yaml").exists()
    page.goto(server.base + "/")
    page.get_by_role("link", name="Siaran pers berita-baru").click()  # listed under "Draf yang belum disimpan"
    page.get_by_role("button", name="Pakai draf").click()
    page.wait_for_url(re.compile("draf=1"))
    assert field(page, "headline").locator("input").input_value() == "Judul Berita Baru"
