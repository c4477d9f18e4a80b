"""The legal basis: the regulation table, citations in recitals, and what check/build say."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dokgen import law
from dokgen.records import load_workspace
from mou_records import docx_paragraphs, line_of, only, write_mou

LOCATED = re.compile(r"^(?:warning: )?records/mou/[\w-]+\.yaml:\d+:\d+: recitals\[\d\]: ", re.M)


@pytest.mark.parametrize("written, cited", [
    ("Peraturan Pemerintah Nomor 28 Tahun 2018", ("PP", 28, 2018)),
    ("PP Nomor 28 Tahun 2018", ("PP", 28, 2018)),
    ("PP No. 28 Tahun 2018", ("PP", 28, 2018)),
    ("PP 28/2018", ("PP", 28, 2018)),
    ("pp 28 / 2018", ("PP", 28, 2018)),
    ("Undang-Undang Nomor 23 Tahun 2014", ("UU", 23, 2014)),
    ("Undang Undang Nomor 23 Tahun 2014", ("UU", 23, 2014)),
    ("UU No. 23 Th. 2014", ("UU", 23, 2014)),
    ("UU No 23 Thn 2014", ("UU", 23, 2014)),
    ("Permendagri Nomor 22 Tahun 2020", ("Permendagri", 22, 2020)),
    ("Permendagri No.22/2009", ("Permendagri", 22, 2009)),
    ("Peraturan Menteri Dalam Negeri Nomor 22 Tahun 2009", ("Permendagri", 22, 2009)),
    ("Peraturan Menteri Dalam Negeri Republik Indonesia Nomor 22 Tahun 2009", ("Permendagri", 22, 2009)),
    ("Peraturan Pemerintah Pengganti Undang-Undang Nomor 2 Tahun 2014", ("Perppu", 2, 2014)),
    ("Peraturan Presiden Nomor 57 Tahun 2013", ("Perpres", 57, 2013)),
    ("Permendikbud Nomor 14 Tahun 2014", ("Permendikbud", 14, 2014)),
])
def test_citation_forms_are_recognised(written, cited):
    found = law.find_citations(f"bahwa kerja sama diatur dalam {written} tentang sesuatu")
    assert [(c.kind, c.number, c.year) for c in found] == [cited]


def test_citations_across_line_breaks_in_order_and_not_in_other_words():
    text = "berdasarkan Undang-Undang\n  Nomor 23 Tahun 2014 dan PP 50/2007; Pasal 23 Tahun 2014, RUU 1/2020, SUPP 2/2019"
    assert [(c.kind, c.number, c.year) for c in law.find_citations(text)] == [("UU", 23, 2014), ("PP", 50, 2007)]


def test_shipped_table_is_consistent():
    table = law.shipped_table()
    assert {"pp-50-2007", "permendagri-22-2009", "pp-28-2018", "permendagri-22-2020", "uu-23-2014"} <= set(table)
    for key, reg in table.items():
        assert key == f"{reg.kind.lower()}-{reg.number}-{reg.year}", key
        assert reg.enacted.year == reg.year and reg.source and reg.sure
        assert reg.in_force is None or reg.in_force >= reg.enacted
        if reg.repealed_by:
            assert table[reg.repealed_by].enacted > reg.enacted
    assert table["pp-50-2007"].cited() == "Peraturan Pemerintah Nomor 50 Tahun 2007 tentang Tata Cara Pelaksanaan Kerja Sama Daerah"


def ids(date: str, types: list[str], document: str = "Kesepakatan Bersama") -> list[str]:
    return [k for k, _ in law.applicable(law.shipped_table(), dt.date.fromisoformat(date), types, document)]


@pytest.mark.parametrize("types, before, after", [
    (["pemerintah-daerah", "pemerintah-daerah"], ["uu-23-2014", "pp-50-2007", "permendagri-22-2009"], ["uu-23-2014", "pp-28-2018", "permendagri-22-2020"]),
    (["pemerintah-daerah", "badan-usaha"], ["uu-23-2014", "uu-40-2007", "pp-50-2007", "permendagri-22-2009"], ["uu-23-2014", "uu-40-2007", "pp-28-2018", "permendagri-22-2020"]),
    (["perguruan-tinggi", "pemerintah-daerah"], ["uu-12-2012", "uu-23-2014", "pp-50-2007", "permendagri-22-2009", "permendikbud-14-2014"],
     ["uu-12-2012", "uu-23-2014", "pp-28-2018", "permendagri-22-2020", "permendikbud-14-2014"]),
    (["pemerintah-daerah", "lainnya"], ["uu-23-2014", "pp-50-2007", "permendagri-22-2009"], ["uu-23-2014", "pp-28-2018", "permendagri-22-2020"]),
    # a ministry is pihak ketiga under PP 50/2007 only; afterwards PP 28/2018 covers a Nota Kesepakatan
    (["pemerintah-daerah", "kementerian-lembaga"], ["uu-23-2014", "pp-50-2007", "permendagri-22-2009"], ["uu-23-2014"]),
    (["badan-usaha", "perguruan-tinggi"], ["uu-12-2012", "uu-40-2007", "permendikbud-14-2014"], ["uu-12-2012", "uu-40-2007", "permendikbud-14-2014"]),
])
def test_the_law_by_party_types_either_side_of_the_2018_and_2020_changes(types, before, after):
    assert sorted(ids("2017-06-01", types)) == sorted(before)
    assert sorted(ids("2021-01-04", types)) == sorted(after)


def test_each_regulation_applies_from_the_day_it_takes_effect():
    pair = ["pemerintah-daerah", "pemerintah-daerah"]
    assert "pp-28-2018" not in ids("2018-05-06", pair) and "pp-50-2007" in ids("2018-05-06", pair)
    assert "pp-28-2018" in ids("2018-05-07", pair) and "pp-50-2007" not in ids("2018-05-07", pair)
    assert "permendagri-22-2009" in ids("2020-03-15", pair) and "permendagri-22-2020" not in ids("2020-03-15", pair)
    assert "permendagri-22-2020" in ids("2020-03-16", pair) and "permendagri-22-2009" not in ids("2020-03-16", pair)
    assert "uu-32-2004" in ids("2014-10-01", pair) and "uu-23-2014" not in ids("2014-10-01", pair)
    assert "uu-23-2014" in ids("2014-10-02", pair) and "uu-32-2004" not in ids("2014-10-02", pair)
    assert "pp-28-2018" in ids("2019-01-02", ["pemerintah-daerah", "kementerian-lembaga"], "Nota Kesepakatan")


def law_warnings(err: str) -> list[str]:
    """The warnings about the law of an MoU (not those about its parties' logos or signers)."""
    return [line for line in err.splitlines() if line.startswith("warning: records/mou/")]


def test_worked_example_rests_on_the_2015_law_and_gets_no_warning(workspace, run, with_logos):
    with_logos(workspace)  # the example's only other warning: it ships no logos
    ws = load_workspace(workspace)
    assert [k for k, _ in law.expected(ws, ws.mou["pontianak-lan-2015"].model)] == ["uu-23-2014", "pp-50-2007", "permendagri-22-2009"]
    code, _, err = run("-C", str(workspace), "check", "--strict")
    assert code == 0, err


@pytest.mark.parametrize("date, cited, ok", [
    ("2018-05-03", "Peraturan Pemerintah Nomor 28 Tahun 2018", False),  # the day before it was enacted
    ("2018-05-04", "Peraturan Pemerintah Nomor 28 Tahun 2018", True),
    ("2015-11-11", "PP 28/2018", False),
    ("2020-03-15", "Permendagri No. 22 Th. 2020", False),
    ("2020-03-16", "Permendagri No. 22 Th. 2020", True),
    ("2014-09-29", "UU 23/2014", False),
    ("2014-10-02", "UU 23/2014", True),
    ("2015-11-11", "Peraturan Presiden Nomor 1 Tahun 2016", False),  # not in the table, but its year is later
])
def test_a_regulation_cited_before_it_existed_is_an_error_at_its_recital(workspace, run, date, cited, ok):
    rel = write_mou(workspace, "uji", date, ["kab-kubu-raya", "pt-borneo"],
                    ["bahwa kedua pihak sepakat bekerja sama", f"bahwa kerja sama daerah diatur dalam {cited}"])
    code, _, err = run("-C", str(workspace), "check")
    if ok:
        assert "after the signing date" not in err
        return
    assert code == 1
    line = line_of(workspace, rel, cited)
    assert f"{rel}:{line}:5: recitals[1]: cites {cited}" in err and f"after the signing date {date}" in err
    assert not (workspace / "out").exists()


def test_a_repealed_regulation_is_a_warning_that_names_its_successor(workspace, run):
    rel = write_mou(workspace, "uji", "2019-02-01", ["kab-kubu-raya", "yayasan-rumah-baca"],
                    ["bahwa kerja sama daerah diatur dalam PP Nomor 50 Tahun 2007 dan Permendagri 22/2009"])
    code, _, err = run("-C", str(workspace), "build")
    assert code == 0, err
    line = line_of(workspace, rel, "PP Nomor 50")
    assert f"warning: {rel}:{line}:5: recitals[0]: cites PP Nomor 50 Tahun 2007, repealed by PP 28/2018 in force since 2018-05-07; cite Peraturan Pemerintah Nomor 28 Tahun 2018 tentang Kerja Sama Daerah" in err
    assert "Permendagri 22/2009, repealed by Permendagri 22/2020" not in err  # still in force in Feb 2019
    assert (workspace / "out/mou/uji.docx").is_file()
    code, _, err = run("-C", str(workspace), "check", "--strict")
    assert code == 1 and "repealed by PP 28/2018" in err


def test_no_legal_basis_is_a_warning_naming_what_the_table_expects(workspace, run):
    rel = write_mou(workspace, "uji", "2024-03-05", ["kab-kubu-raya", "untan", "pt-borneo"], ["bahwa para pihak ingin bekerja sama"])
    code, _, err = run("-C", str(workspace), "build")
    assert code == 0
    warning = next(l for l in err.splitlines() if rel in l)
    assert re.match(rf"warning: {rel}:{line_of(workspace, rel, 'recitals:')}:1: recitals: cites no legal basis; for pemerintah-daerah \+ perguruan-tinggi \+ badan-usaha on 2024-03-05", warning)
    for name in ["Undang-Undang Nomor 23 Tahun 2014", "Peraturan Pemerintah Nomor 28 Tahun 2018", "Peraturan Menteri Dalam Negeri Nomor 22 Tahun 2020",
                 "Undang-Undang Nomor 40 Tahun 2007", "Undang-Undang Nomor 12 Tahun 2012"]:
        assert name in warning
    assert "Peraturan Pemerintah Nomor 50 Tahun 2007" not in warning
    # without any recital the warning points at the signing date, the fact that decides the law
    rel = write_mou(workspace, "uji", "2024-03-05", ["kab-kubu-raya", "pt-borneo"])
    code, _, err = run("-C", str(workspace), "check")
    assert f"{rel}:{line_of(workspace, rel, 'date:')}:9: signing.date: cites no legal basis" in err


def test_legal_basis_auto_generates_the_recital_from_the_table(workspace, run):
    rel = write_mou(workspace, "uji", "2021-06-01", ["kab-kubu-raya", "pt-borneo"],
                    ["bahwa PT Borneo Data Nusantara bergerak di bidang data", "bahwa kerja sama daerah diatur dalam PP 28/2018"],
                    extra="legal_basis: auto\n")
    only(workspace, rel)
    code, _, err = run("-C", str(workspace), "build")
    assert code == 0 and not law_warnings(err), err
    recitals = [p for p in docx_paragraphs(workspace / "out/mou/uji.docx") if re.match(r"^[a-z]\. bahwa", p)]
    # by rank (UU before Permendagri), then by year, as a Mengingat list orders them
    assert recitals[-1] == ("c. bahwa kerja sama ini dilaksanakan berdasarkan Undang-Undang Nomor 40 Tahun 2007 tentang Perseroan Terbatas, "
                            "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah, dan Peraturan Menteri Dalam Negeri Nomor 22 Tahun 2020 "
                            "tentang Tata Cara Kerja Sama Daerah dengan Daerah Lain dan Kerja Sama Daerah dengan Pihak Ketiga;")
    assert len(recitals) == 3  # PP 28/2018, already cited, is not cited twice


def test_a_workspace_extends_and_overrides_the_table(workspace, run):
    (workspace / "records/regulations.yaml").write_text(
        "pp-28-2018:\n  kind: PP\n  number: 28\n  year: 2018\n  title: Kerja Sama Daerah\n  enacted: 2018-05-10\n"
        "  source: salinan di JDIH daerah\n"
        "perpres-95-2018:\n  kind: Perpres\n  number: 95\n  year: 2018\n  title: Sistem Pemerintahan Berbasis Elektronik\n"
        "  enacted: 2018-10-02\n  governs:\n    - parties: [pemerintah-daerah, badan-usaha]\n  source: uji\n")
    rel = write_mou(workspace, "uji", "2018-05-08", ["kab-kubu-raya", "pt-borneo"], ["bahwa kerja sama daerah diatur dalam PP 28/2018"])
    code, _, err = run("-C", str(workspace), "check")
    assert code == 1 and "enacted 2018-05-10, after the signing date 2018-05-08" in err
    ws_rel = write_mou(workspace, "uji", "2019-01-02", ["kab-kubu-raya", "pt-borneo"])
    code, _, err = run("-C", str(workspace), "check")
    assert "Peraturan Presiden Nomor 95 Tahun 2018 tentang Sistem Pemerintahan Berbasis Elektronik" in err and ws_rel in err
    # the MoU's output depends on the table: building only from the table rebuilds it
    code, out, err = run("-C", str(workspace), "build", str(workspace / "records/regulations.yaml"))
    assert code == 0 and (workspace / "out/mou/uji.docx").is_file()


@pytest.mark.parametrize("row, field, words", [
    ("  kind: PP\n  number: 28\n  year: 2018\n  title: X\n  enacted: 2018-13-01\n  source: s\n", "pp-x.enacted", "not a real date"),
    ("  kind: Pergub\n  number: 1\n  year: 2018\n  title: X\n  enacted: 2018-01-01\n  source: s\n", "pp-x.kind", "'Pergub' is not allowed"),
    ("  kind: PP\n  number: 1\n  year: 2018\n  title: X\n  enacted: 2018-01-01\n", "pp-x.source", "required field is missing"),
    ("  kind: PP\n  number: 1\n  year: 2018\n  title: X\n  enacted: 2018-01-01\n  source: s\n  repealed_by: pp-28-2081\n", "pp-x.repealed_by", "did you mean 'pp-28-2018'"),
    ("  kind: PP\n  number: 1\n  year: 2018\n  title: X\n  enacted: 2018-01-01\n  source: s\n  governs:\n    - parties: [pemda]\n", "pp-x.governs[0].parties[0]", "'pemda' is not allowed"),
])
def test_a_bad_workspace_row_is_a_located_error(workspace, run, row, field, words):
    (workspace / "records/regulations.yaml").write_text("pp-x:\n" + row)
    code, _, err = run("-C", str(workspace), "check")
    assert code == 1 and "Traceback" not in err
    line = next(l for l in err.splitlines() if l.startswith("records/regulations.yaml:"))
    assert re.match(rf"records/regulations\.yaml:\d+:\d+: {re.escape(field)}: .*{re.escape(words)}", line), line


def test_a_ministry_and_a_region_sign_a_nota_kesepakatan_after_2018(workspace, run):
    rel = write_mou(workspace, "uji", "2019-03-01", ["kab-kubu-raya", "lan"], ["bahwa UU 23/2014 mengatur kerja sama daerah"])
    code, _, err = run("-C", str(workspace), "check")
    assert code == 0
    assert (f"warning: {rel}:1:16: document_type: PP 28/2018 (in force since 2018-05-07) makes an agreement between "
            "pemerintah-daerah + kementerian-lembaga a Nota Kesepakatan, not a Kesepakatan Bersama") in err
    (workspace / rel).write_text((workspace / rel).read_text().replace("Kesepakatan Bersama", "Nota Kesepakatan"))
    code, _, err = run("-C", str(workspace), "check")
    assert code == 0 and not law_warnings(err), err
    (workspace / rel).write_text((workspace / rel).read_text().replace("2019-03-01", "2017-03-01").replace("Nota Kesepakatan", "Kesepakatan Bersama"))
    code, _, err = run("-C", str(workspace), "check")
    assert code == 0 and not law_warnings(err), err  # under PP 50/2007 a ministry was pihak ketiga
