"""Statutory style: recitals `bahwa …;` and lists `…;` `…; dan` `….`, from what users type."""

from __future__ import annotations

import pytest

from dokgen.statutory import enumeration, lower_first, lower_title, recital
from mou_records import docx_paragraphs, line_of, only, write_mou

NAMES = ["Pemerintah Kabupaten Kubu Raya", "Pemkab Kubu Raya", "PT Borneo Data Nusantara", "PT Borneo Data", "Pontianak"]


@pytest.mark.parametrize("typed", [
    "bahwa daerah perlu berinovasi",
    "bahwa daerah perlu berinovasi;",
    "bahwa daerah perlu berinovasi.",
    "bahwa daerah perlu berinovasi;;",
    "bahwa daerah perlu berinovasi ; ",
    "bahwa daerah perlu berinovasi; dan",
    "bahwa daerah perlu berinovasi, dan",
    "Bahwa daerah perlu berinovasi.",
    "a. bahwa daerah perlu berinovasi;",
    "b) bahwa daerah perlu berinovasi",
    "Menimbang: bahwa daerah perlu berinovasi;",
    "daerah perlu berinovasi",
    "Daerah perlu berinovasi.",
    "  bahwa   daerah perlu\n berinovasi  ",
])
def test_every_recital_ending_gives_one_semicolon_and_one_bahwa(typed):
    assert recital(typed, NAMES) == ("bahwa daerah perlu berinovasi;", [])


@pytest.mark.parametrize("typed, printed", [
    ("Pemerintah Kabupaten Kubu Raya perlu berinovasi", "bahwa Pemerintah Kabupaten Kubu Raya perlu berinovasi;"),
    ("PT Borneo Data Nusantara bergerak di bidang data.", "bahwa PT Borneo Data Nusantara bergerak di bidang data;"),
    ("Pontianak merupakan ibu kota provinsi", "bahwa Pontianak merupakan ibu kota provinsi;"),
    ("Undang-Undang Nomor 23 Tahun 2014 mengatur kerja sama", "bahwa Undang-Undang Nomor 23 Tahun 2014 mengatur kerja sama;"),
    ("PARA PIHAK sepakat", "bahwa PARA PIHAK sepakat;"),
    ("Dalam rangka pelayanan publik, daerah bekerja sama", "bahwa dalam rangka pelayanan publik, daerah bekerja sama;"),
    ("bahwa Dr. Adi Suryanto, M.Si. hadir di Pontianak.", "bahwa Dr. Adi Suryanto, M.Si. hadir di Pontianak;"),
])
def test_a_missing_bahwa_is_added_keeping_names_capitalised(typed, printed):
    assert recital(typed, NAMES) == (printed, [])


@pytest.mark.parametrize("typed, note", [
    ("bahwa apakah kerja sama diperlukan?", "asks a question"),
    ("bahwa kerja sama sangat diperlukan!", "is an exclamation"),
    ("bahwa kerja sama meliputi:", "ends with ':'"),
    ("bahwa kerja sama …", "ends unfinished"),
    ("bahwa kerja sama diperlukan; bahwa dana tersedia", "more than one statement"),
    ("bahwa kerja sama diperlukan. Dana tersedia", "more than one statement"),
])
def test_normalising_that_changes_meaning_is_noted(typed, note):
    printed, notes = recital(typed, NAMES)
    assert printed.startswith("bahwa ") and printed.endswith(";") and not printed.endswith(";;")
    assert len(notes) == 1 and note in notes[0]


@pytest.mark.parametrize("typed, printed", [
    ("Mahasiswa ditempatkan di perangkat daerah", "mahasiswa ditempatkan di perangkat daerah"),
    ("PIHAK KESATU menyediakan data", "PIHAK KESATU menyediakan data"),
    ("PARA PIHAK menunjuk penghubung", "PARA PIHAK menunjuk penghubung"),
    ("LAN memberikan pendampingan", "LAN memberikan pendampingan"),
    ("BUMD ikut serta", "BUMD ikut serta"),
    ("eKTP dipakai", "eKTP dipakai"),
    ("Dinas Kesehatan menyiapkan tenaga", "Dinas Kesehatan menyiapkan tenaga"),
    ("Kota Pontianak menjadi lokus", "Kota Pontianak menjadi lokus"),
    ("Pemkab Kubu Raya menyediakan tempat", "Pemkab Kubu Raya menyediakan tempat"),
    ("Presiden menetapkan program", "Presiden menetapkan program"),
    ("Undang-undang ini berlaku", "undang-undang ini berlaku"),
    ("Kajian bersama", "kajian bersama"),
    ("5 orang peneliti", "5 orang peneliti"),
    ("", ""),
])
def test_an_item_starts_lower_case_unless_it_starts_with_a_name(typed, printed):
    assert lower_first(typed, NAMES) == printed


def test_titles_read_as_running_text_but_names_and_acronyms_stay():
    assert lower_title("Inovasi Administrasi Negara", NAMES) == "inovasi administrasi negara"
    assert lower_title("Pengembangan SDM Kota Pontianak", NAMES) == "pengembangan SDM Kota Pontianak"
    assert lower_title("Magang di PT Borneo Data Nusantara", NAMES) == "magang di PT Borneo Data Nusantara"


def test_enumeration_endings_whatever_was_typed():
    items, notes = enumeration(["Kajian kebijakan.", "pelatihan;", "PIHAK KEDUA menyediakan data; dan", "magang"], NAMES)
    assert items == ["kajian kebijakan;", "pelatihan;", "PIHAK KEDUA menyediakan data; dan", "magang."]
    assert notes == [[], [], [], []]
    assert enumeration(["Satu hal."], NAMES)[0] == ["satu hal."]
    assert enumeration(["a. tunai,", "b. transfer; atau", "c. cek"], NAMES)[0] == ["tunai;", "transfer; atau", "cek."]
    assert enumeration(["apa saja?", "dua"], NAMES)[1][0] == ["asks a question; it is printed as a statement"]


def test_the_draft_prints_statutory_recitals_and_scope_list(workspace, run):
    scopes = ("  - {title: Penempatan Mahasiswa, description: 'Mahasiswa ditempatkan di perangkat daerah.'}\n"
              "  - {title: Kajian Data Kota Pontianak, description: 'PT Borneo Data Nusantara menyediakan data;'}\n"
              "  - {title: Pelatihan SDM, description: pelatihan bagi aparatur; dan}\n")
    rel = write_mou(workspace, "uji", "2021-06-01", ["kab-kubu-raya", "untan", "pt-borneo"],
                    ["Bahwa daerah perlu berinovasi;", "kerja sama daerah diatur dalam PP 28/2018.", "bahwa apakah data tersedia?"],
                    scopes=scopes)
    only(workspace, rel)
    code, _, err = run("-C", str(workspace), "build")
    assert code == 0
    assert f"warning: {rel}:{line_of(workspace, rel, 'apakah')}:5: recitals[2]: asks a question; it is printed as a statement" in err
    text = docx_paragraphs(workspace / "out/mou/uji.docx")
    assert "a. bahwa daerah perlu berinovasi;" in text
    assert "b. bahwa kerja sama daerah diatur dalam PP 28/2018;" in text
    assert "c. bahwa apakah data tersedia;" in text
    assert not any(";;" in p or ". ;" in p for p in text)
    start = text.index("Ruang lingkup kerja sama dalam Kesepakatan Bersama ini meliputi:")
    assert text[start + 1:start + 4] == [
        "a. penempatan mahasiswa, yaitu mahasiswa ditempatkan di perangkat daerah;",
        "b. kajian data Kota Pontianak, yaitu PT Borneo Data Nusantara menyediakan data; dan",
        "c. pelatihan SDM, yaitu pelatihan bagi aparatur.",
    ]


def test_a_scope_description_that_asks_is_a_located_warning(workspace, run):
    (workspace / "records/scopes.yaml").write_text((workspace / "records/scopes.yaml").read_text() + "uji:\n  title: Uji\n  description: apakah ini perlu?\n")
    rel = write_mou(workspace, "uji", "2021-06-01", ["kab-kubu-raya", "untan"], ["bahwa PP 28/2018 mengatur kerja sama"],
                    scopes="  - {title: Riset, description: 'riset bersama tentang:'}\n")
    code, _, err = run("-C", str(workspace), "check")
    assert code == 0
    assert f"warning: {rel}:{line_of(workspace, rel, 'riset bersama')}:33: scopes[0].description: ends with ':' as if a list followed; it is printed as a statement" in err
    assert f"warning: records/scopes.yaml:{line_of(workspace, 'records/scopes.yaml', 'apakah')}:16: uji.description: asks a question" in err
