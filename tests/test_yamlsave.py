"""The round-trip writer: a save changes the values that changed and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dokgen import yamlsave
from dokgen.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "records").rglob("*.yaml"))

COMMENTED = """\
# Nota Kesepahaman, draf kedua
status: draft   # jadi final setelah paraf
signing:
  date: 2015-11-11
  city: 'Pontianak'
subject: >-
  Kerja Sama Penguatan Kapasitas Pemerintah Kota Pontianak melalui Pengkajian
  Kebijakan
parties:
  # pihak pertama dulu
  - party: pemkot-pontianak
    number: null
  - party: lan
    number: null
"""


def data_of(text: str):
    return read_yaml(text.encode("utf-8"), "t.yaml").data


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_saving_unchanged_data_gives_the_same_bytes(path):
    text = path.read_text(encoding="utf-8")
    assert yamlsave.update_text(text, data_of(text)) == text


def test_a_changed_value_keeps_every_comment_quote_and_block():
    data = data_of(COMMENTED)
    data["signing"]["date"] = "2015-11-12"
    out = yamlsave.update_text(COMMENTED, data)
    assert out == COMMENTED.replace("date: 2015-11-11", "date: 2015-11-12")


def test_changed_long_text_stays_a_folded_block_within_the_width():
    data = data_of(COMMENTED)
    data["subject"] = "Kerja Sama " + "Pengembangan Inovasi Pelayanan Publik " * 5
    data["subject"] = data["subject"].strip()
    out = yamlsave.update_text(COMMENTED, data)
    assert "subject: >-\n" in out
    assert max(len(line) for line in out.splitlines()) <= yamlsave.WIDTH + 4
    assert data_of(out) == data
    assert "# pihak pertama dulu" in out and "# jadi final setelah paraf" in out


def test_list_items_added_and_removed():
    data = data_of(COMMENTED)
    data["parties"].append({"party": "unpad", "number": "12/UN6/2015"})
    out = yamlsave.update_text(COMMENTED, data)
    assert out.endswith("  - party: unpad\n    number: 12/UN6/2015\n")
    data["parties"] = data["parties"][:1]
    out = yamlsave.update_text(out, data)
    assert "party: lan" not in out and "# pihak pertama dulu" in out
    del data["subject"]
    assert "subject" not in yamlsave.update_text(out, data)


@pytest.mark.parametrize("typed", [
    "NO", "yes", "0777", "1.10", "12:30", "2015-11-11", "null", "~", "", "Null",
    "a: b", "# bukan komentar", "- bukan daftar", "  spasi di depan", "spasi di belakang ",
    "baris satu\nbaris dua", "'kutip'", '"kutip"', "@", "`", "%", "!tag", "*alias", "&anchor",
    "{a: 1}", "[1, 2]", "Jl. Rahadi Usman No. 3 | Pontianak", "Café",
])
def test_what_a_clerk_types_reads_back_as_typed(typed):
    data = data_of(COMMENTED)
    data["signing"]["city"] = typed
    out = yamlsave.update_text(COMMENTED, data)
    assert data_of(out)["signing"]["city"] == typed


def test_a_value_dokgen_check_would_refuse_is_refused_with_its_words():
    data = data_of(COMMENTED)
    data["signing"]["city"] = "\u202ePontianak"
    with pytest.raises(yamlsave.RoundTripError, match="bidirectional control U\\+202E.*nothing was saved"):
        yamlsave.update_text(COMMENTED, data)


def test_plain_text_stays_unquoted_where_dokgen_reads_it_as_text():
    out = yamlsave.update_text("", {"a": "2015-11-11", "b": "0777", "c": "NO", "d": None, "e": "null"})
    assert out == "a: 2015-11-11\nb: 0777\nc: NO\nd: null\ne: 'null'\n"


def test_numbers_and_decomposed_letters_are_saved_as_the_text_dokgen_reads():
    out = yamlsave.update_text("", {"term_years": 5, "final": True, "city": "Cafe\u0301"})
    assert data_of(out) == {"term_years": "5", "final": "true", "city": "Caf\u00e9"}


def test_windows_line_endings_are_kept():
    text = COMMENTED.replace("\n", "\r\n")
    data = data_of(text)
    data["status"] = "final"
    out = yamlsave.update_text(text, data)
    assert "\r\n" in out and "\n" not in out.replace("\r\n", "")
    assert data_of(out)["status"] == "final"


def test_new_text_has_a_header_comment():
    out = yamlsave.new_text({"name": "Lembaga Administrasi Negara"}, header="Pihak baru\ndari serve")
    assert out == "# Pihak baru\n# dari serve\nname: Lembaga Administrasi Negara\n"


def test_save_refuses_a_file_changed_since_it_was_read(tmp_path):
    path = tmp_path / "mou.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    version = yamlsave.file_version(path)
    path.write_text(COMMENTED + "funding: APBD\n", encoding="utf-8")  # another clerk saved
    with pytest.raises(yamlsave.VersionConflict):
        yamlsave.save_text(path, COMMENTED.replace("draft", "final"), expected_version=version)
    assert path.read_text(encoding="utf-8").endswith("funding: APBD\n")
    fresh = yamlsave.file_version(path)
    new = yamlsave.save_text(path, COMMENTED.replace("draft", "final"), expected_version=fresh)
    assert new == yamlsave.file_version(path) != fresh


def test_create_refuses_an_existing_file(tmp_path):
    path = tmp_path / "lan.yaml"
    assert yamlsave.save_text(path, "name: LAN\n", create=True) == yamlsave.file_version(path)
    with pytest.raises(yamlsave.VersionConflict):
        yamlsave.save_text(path, "name: other\n", create=True)
    assert path.read_text(encoding="utf-8") == "name: LAN\n"


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\u2028\u2029\x85"), max_size=120)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), st.one_of(_text, st.none(), st.lists(_text, max_size=3)), max_size=6))
def test_any_text_either_reads_back_exactly_or_is_refused(data):
    try:
        out = yamlsave.update_text(COMMENTED, data)
    except yamlsave.RoundTripError:
        return  # refused, never written wrong
    assert data_of(out) == yamlsave._plain(data)
