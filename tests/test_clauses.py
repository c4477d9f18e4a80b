"""The articles beyond the eight: chosen by party types and scopes, switchable per record."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from dokgen.clauses import library
from mou_records import docx_paragraphs, headings, line_of, only, write_mou

REPO = Path(__file__).resolve().parents[1]
EIGHT = ["MAKSUD DAN TUJUAN", "RUANG LINGKUP", "PELAKSANAAN", "JANGKA WAKTU", "PEMBIAYAAN",
         "PENYELESAIAN PERSELISIHAN", "PERUBAHAN", "PENUTUP"]


def build(ws: Path, run, rel: str) -> Path:
    only(ws, rel)
    code, _, err = run("-C", str(ws), "build")
    assert code == 0, err
    return ws / "out/mou" / f"{Path(rel).stem}.docx"


def titles(path: Path) -> list[str]:
    found = []
    for n, h in enumerate(headings(path), start=1):
        m = re.fullmatch(r"Pasal (\d+) (.+)", h)
        assert m and int(m.group(1)) == n, f"Pasal numbers not consecutive: {headings(path)}"
        found.append(m.group(2))
    return found


@pytest.mark.parametrize("parties", [["kab-kubu-raya", "kab-kubu-raya-2"], ["kab-kubu-raya", "yayasan-rumah-baca"]])
def test_government_partners_keep_the_eight_articles(workspace, run, parties):
    (workspace / "records/parties/kab-kubu-raya-2.yaml").write_text((REPO / "records/parties/pemkot-pontianak.yaml").read_text())
    path = build(workspace, run, write_mou(workspace, "uji", "2021-06-01", parties, ["bahwa PP 28/2018 mengatur kerja sama"]))
    assert titles(path) == EIGHT


def test_a_company_with_a_research_scope_gets_the_whole_library(workspace, run):
    path = build(workspace, run, write_mou(workspace, "uji", "2021-06-01", ["kab-kubu-raya", "pt-borneo"], ["bahwa PP 28/2018 mengatur kerja sama"]))
    assert titles(path) == ["MAKSUD DAN TUJUAN", "RUANG LINGKUP", "PELAKSANAAN", "JANGKA WAKTU", "PENGAKHIRAN", "PEMBIAYAAN",
                            "MONITORING DAN EVALUASI", "KERAHASIAAN", "HAK KEKAYAAN INTELEKTUAL", "KORESPONDENSI",
                            "PENYELESAIAN PERSELISIHAN", "PERUBAHAN", "PENUTUP"]
    text = docx_paragraphs(path)
    # a company: the dispute clause falls back to the court of the city of signing
    assert "(2) Apabila musyawarah sebagaimana dimaksud pada ayat (1) tidak mencapai mufakat, PARA PIHAK sepakat menyelesaikan perselisihan melalui Pengadilan Negeri Pontianak." in text
    start = text.index("(1) Setiap pemberitahuan dan surat-menyurat dalam pelaksanaan Kesepakatan Bersama ini disampaikan secara tertulis ke alamat berikut:")
    assert text[start + 1:start + 3] == ["a. PIHAK KESATU: Pemerintah Kabupaten Kubu Raya, Jalan Arteri Supadio Km. 17, Sungai Raya; dan",
                                         "b. PIHAK KEDUA: PT Borneo Data Nusantara, Jalan Gajah Mada No. 21, Pontianak."]
    assert "d. pembiayaan; dan" in text and "e. pemantauan dan evaluasi." in text


def test_a_university_without_research_gets_no_confidentiality_and_no_court(workspace, run):
    rel = write_mou(workspace, "uji", "2021-06-01", ["kab-kubu-raya", "untan"], ["bahwa PP 28/2018 mengatur kerja sama"], scopes="  - diklat\n")
    path = build(workspace, run, rel)
    got = titles(path)
    assert "PENGAKHIRAN" in got and "MONITORING DAN EVALUASI" in got and "KORESPONDENSI" in got
    assert "KERAHASIAAN" not in got and "HAK KEKAYAAN INTELEKTUAL" not in got
    assert not any("Pengadilan Negeri" in p for p in docx_paragraphs(path))


def test_a_record_switches_rewords_and_adds_articles(workspace, run):
    extra = ("articles:\n  kerahasiaan: 'off'\n  hak-kekayaan-intelektual: off\n  monitoring-dan-evaluasi: on\n"
             "  pembiayaan:\n    ayat:\n      - Biaya ditanggung bersama sesuai kesepakatan {dokumen}.\n"
             "  keadaan-kahar:\n    title: Keadaan Kahar\n    ayat:\n      - Tidak ada pihak yang bertanggung jawab atas keadaan kahar.\n"
             "      - Pihak yang mengalaminya memberi tahu pihak lain paling lama 7 (tujuh) hari.\n")
    rel = write_mou(workspace, "uji", "2021-06-01", ["kab-kubu-raya", "kab-kubu-raya-2"], ["bahwa PP 28/2018 mengatur kerja sama"], extra=extra)
    (workspace / "records/parties/kab-kubu-raya-2.yaml").write_text((REPO / "records/parties/pemkot-pontianak.yaml").read_text())
    path = build(workspace, run, rel)
    assert titles(path) == ["MAKSUD DAN TUJUAN", "RUANG LINGKUP", "PELAKSANAAN", "JANGKA WAKTU", "PEMBIAYAAN", "MONITORING DAN EVALUASI",
                            "PENYELESAIAN PERSELISIHAN", "PERUBAHAN", "KEADAAN KAHAR", "PENUTUP"]
    text = docx_paragraphs(path)
    assert "Biaya ditanggung bersama sesuai kesepakatan {dokumen}." in text  # a record's own words are printed as typed
    assert "(2) Pihak yang mengalaminya memberi tahu pihak lain paling lama 7 (tujuh) hari." in text


@pytest.mark.parametrize("entry, message", [
    ("  kerahasian: off\n", "articles.kerahasian: no article 'kerahasian' in the clause library (did you mean 'kerahasiaan'?)"),
    ("  keadaan-kahar:\n    ayat: [Tidak ada.]\n", "articles.keadaan-kahar: 'keadaan-kahar' is a new article"),
    ("  pembiayaan: of\n", "articles.pembiayaan: 'of' is not allowed"),
])
def test_a_wrong_article_entry_is_a_located_error(workspace, run, entry, message):
    rel = write_mou(workspace, "uji", "2021-06-01", ["kab-kubu-raya", "pt-borneo"], ["bahwa PP 28/2018 mengatur kerja sama"], extra="articles:\n" + entry)
    code, _, err = run("-C", str(workspace), "check")
    assert code == 1 and "Traceback" not in err
    line = line_of(workspace, rel, entry.split(":")[0].strip() + ":")
    assert re.search(rf"^{rel}:{line}:\d+: {re.escape(message)}", err, re.M), err
    assert not (workspace / "out").exists()


def test_word_choices_of_statutory_drafting_in_every_template():
    for clause in library().values():
        assert clause.title == clause.title.upper()
    words = re.compile(r"sekurang-kurangnya|selambat-lambatnya|addendum", re.IGNORECASE)
    texts = [(REPO / "src/dokgen/data/clauses.yaml").read_text()]
    texts += [p.read_text() for p in (REPO / "templates").rglob("*") if p.suffix in {".html", ".md", ".txt"}]
    with zipfile.ZipFile(REPO / "templates/docx/mou.docx") as z:
        texts += [z.read(n).decode() for n in z.namelist() if n.endswith(".xml")]
    assert not [m.group(0) for t in texts for m in words.finditer(t)]
    assert "adendum" in texts[0] and "paling sedikit" in texts[0]


def test_record_text_in_lists_is_never_filled_in(workspace, run):
    scopes = "  - {title: Kajian, description: 'kajian di {kota} tentang {dokumen}'}\n"
    path = build(workspace, run, write_mou(workspace, "uji", "2021-06-01", ["kab-kubu-raya", "untan"], ["bahwa PP 28/2018 mengatur"], scopes=scopes))
    assert "a. kajian, yaitu kajian di {kota} tentang {dokumen}." in docx_paragraphs(path)
