"""Time-aware and truthful prose (drafting rules §D and §E) on records of our own.

A Kabupaten Banyumas lab organised by a university (Undip) in 2017, spread over months;
press pieces dated before, during, between and after its stages; quote verbs; the 5D
date and status checks; the report's organiser, held span, MoU citation and unit words.
Outputs are read back: the press text, Markdown and HTML, and the PDF with pdftotext.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dokgen.build import Options
from dokgen.records import load_workspace
from dokgen.render.press import produce_press
from test_lab_report import flat, pages_text, section
from test_press import reader_view

BANYUMAS = """name: Pemerintah Kabupaten Banyumas
short_name: Pemkab Banyumas
type: pemerintah-daerah
logo: assets/logo-pemkab-banyumas.png
address: Jalan Kabupaten No. 1, Purwokerto
signatory:
  name: Contoh Bupati
  position: Bupati Banyumas
"""
UNDIP = """name: Universitas Diponegoro
short_name: Undip
type: perguruan-tinggi
logo: assets/logo-undip.png
address: Jalan Prof. Soedarto, Tembalang, Semarang
signatory:
  name: Contoh Rektor
  title_prefix: Prof.
  position: Rektor Universitas Diponegoro
  appointment: Keputusan Majelis Wali Amanat Nomor 1 Tahun 2015 (contoh)
"""
MOU = """document_type: Kesepakatan Bersama
subject: Penguatan Inovasi Pelayanan Publik Kabupaten Banyumas
status: {status}
signing:
  date: 2017-02-20
  city: Purwokerto
  venue: Pendapa Si Panji, Purwokerto
parties:
  - party: pemkab-banyumas
    number: 119/45/2017
  - party: undip
    number: null
purpose: Kesepakatan Bersama ini menjadi landasan kerja sama PARA PIHAK.
scopes:
  - inovasi
term_years: 3
legal_basis: auto
funding: Biaya dibebankan pada anggaran masing-masing pihak.
"""
# A lab over eight months: drum up and diagnose in March, design in May (done at report
# time), deliver from July (still running at the report date), display undated.
LAB = """title: Laboratorium Inovasi Kabupaten Banyumas
locus: Kabupaten Banyumas
host: pemkab-banyumas
organizer: undip
mou: banyumas-undip-2017
venue: Pendapa Si Panji
period: {{start: 2017-03-06, end: 2017-10-31}}
stages:
  - stage: drum-up
    status: done
    dates: {{start: 2017-03-06, end: 2017-03-06}}
    summary: Pimpinan daerah menyatakan komitmen berinovasi.
  - stage: diagnose
    status: done
    dates: {{start: 2017-03-07, end: 2017-03-08}}
    summary: Setiap unit merumuskan ide inovasinya.
  - stage: design
    status: {design}
    dates: {{start: 2017-05-15, end: 2017-05-16}}
    summary: Setiap unit menyusun rencana aksi.
  - stage: deliver
    status: {deliver}
    dates: {{start: 2017-07-01, end: 2017-10-31}}
  - stage: display
    status: planned
units:
  - name: Dinas Kesehatan
    type: opd
    ideas:
      - title: Antrean daring
        problem: Antrean panjang.
        description: Nomor antrean diambil dari rumah.
  - name: Dinas Pendidikan
    type: opd
  - name: Kecamatan Purwokerto Utara
    type: kecamatan
outcomes:
  - {outcome}
report:
  date: {report}
  city: Purwokerto
  signatory:
    name: Contoh Ketua
    position: Ketua Tim Fasilitator
"""
PRESS = """headline: Pemkab Banyumas dan Undip Kembangkan Inovasi
dateline: Purwokerto
date: {date}
mou: banyumas-undip-2017
lab: labinov-banyumas-2017
quotes:
{quotes}credit: rls
"""
QUOTE = "  - speaker: {speaker}\n    text: {text}\n    verb: {verb}\n"
SAID = [("pemkab-banyumas", "Setiap perangkat daerah wajib berinovasi.", "kata"),
        ("pemkab-banyumas", "Kami akan memantaunya setiap bulan.", "imbuh"),
        ("undip", "Kampus siap mendampingi.", "ujar")]

LAB_REL = "records/labs/labinov-banyumas-2017.yaml"
PRESS_REL = "records/press/banyumas-undip-2017.yaml"


def write(ws: Path, rel: str, text: str) -> Path:
    path = ws / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def banyumas(ws: Path, *, status="final", design="done", deliver="in-progress", report="2017-10-31",
             outcome="Ide inovasi perangkat daerah terpetakan.", date="2017-03-07", quotes=SAID) -> Path:
    """Add the Banyumas records to a copy of the worked example and return the workspace."""
    from PIL import Image

    # every party gets a logo, so the checks below hear only what they test (no logo is a warning)
    for party in ("pemkab-banyumas", "undip", "pemkot-pontianak", "lan"):
        Image.new("RGB", (8, 8), "grey").save(ws / f"assets/logo-{party}.png")
    for party in ("pemkot-pontianak", "lan"):
        path = ws / f"records/parties/{party}.yaml"
        text = path.read_text(encoding="utf-8")
        if "\nlogo:" not in text:
            path.write_text(text.replace("\naddress:", f"\nlogo: assets/logo-{party}.png\naddress:", 1), encoding="utf-8")
    write(ws, "records/parties/pemkab-banyumas.yaml", BANYUMAS)
    write(ws, "records/parties/undip.yaml", UNDIP)
    write(ws, "records/mou/banyumas-undip-2017.yaml", MOU.format(status=status))
    write(ws, LAB_REL, LAB.format(design=design, deliver=deliver, report=report, outcome=outcome))
    body = "".join(QUOTE.format(speaker=s, text=t, verb=v) for s, t, v in quotes)
    write(ws, PRESS_REL, PRESS.format(date=date, quotes=body))
    return ws


def press_outputs(ws: Path) -> dict[str, str]:
    """Render the Banyumas piece and return the story as each reader sees it: {kind: text}."""
    loaded = load_workspace(ws)
    rendered = produce_press(loaded, loaded.press["banyumas-undip-2017"], Options())
    files = {name.rsplit(".", 1)[1]: data.decode("utf-8") for name, data in rendered.files.items()}
    return {kind: "\n".join(reader_view(kind, text)[1]) for kind, text in files.items()}


def position(ws: Path, rel: str, needle: str, nth: int = 0) -> str:
    """'line:col' of the nth occurrence of needle in a record file (1-based, as messages are)."""
    lines = (ws / rel).read_text(encoding="utf-8").splitlines()
    hits = [(n, line.index(needle)) for n, line in enumerate(lines, start=1) if needle in line]
    line, col = hits[nth]
    return f"{line}:{col + 1}"


def value_position(ws: Path, rel: str, key_and_value: str, nth: int = 0) -> str:
    """'line:col' of the value in the nth 'key: value' of a record file: where messages point."""
    line, col = position(ws, rel, key_and_value, nth).split(":")
    return f"{line}:{int(col) + len(key_and_value.split(': ')[0]) + 2}"


# --- the press piece at its own date -------------------------------------------------------


def same_story(outputs: dict[str, str]) -> str:
    """The three outputs tell the same story; return it."""
    assert outputs["txt"] == outputs["md"] == outputs["html"]
    return outputs["txt"]


def test_before_the_lab_everything_is_coming(workspace):
    text = same_story(press_outputs(banyumas(workspace, date="2017-02-20")))
    assert ("Laboratorium Inovasi Kabupaten Banyumas akan diselenggarakan Undip bersama "
            "Pemkab Banyumas di Pendapa Si Panji secara bertahap sejak 6 Maret hingga 31 Oktober 2017.") in text
    assert "Sebanyak tiga unit kerja akan ikut serta, yaitu dua perangkat daerah dan satu kecamatan." in text
    assert ("Tahap drum up akan dilaksanakan pada 6 Maret 2017, tahap diagnose pada 7–8 Maret 2017, tahap design "
            "pada 15–16 Mei 2017, dan tahap deliver pada 1 Juli – 31 Oktober 2017, sedangkan tahap display akan menyusul.") in text
    for wrong in ("telah", "sedang berlangsung", "selama", "hari,", "SKPD"):
        assert wrong not in text, wrong


def test_before_a_lab_without_stage_dates_the_stages_are_just_coming(workspace):
    ws = banyumas(workspace, date="2017-02-20")
    lab = re.sub(r"(?m)^    dates: .*\n", "", (ws / LAB_REL).read_text(encoding="utf-8"))
    write(ws, LAB_REL, lab.replace("status: done", "status: planned").replace("status: in-progress", "status: planned"))
    text = same_story(press_outputs(ws))
    assert "Tahap drum up, diagnose, design, deliver, dan display akan dilaksanakan bertahap." in text
    assert "menyusul" not in text


def test_date_span_since():
    import datetime as dt

    from dokgen.indonesian import date_span_since

    d = dt.date
    assert date_span_since(d(2015, 11, 11), d(2015, 11, 13)) == "sejak 11 hingga 13 November 2015"
    assert date_span_since(d(2017, 3, 6), d(2017, 10, 31)) == "sejak 6 Maret hingga 31 Oktober 2017"
    assert date_span_since(d(2016, 11, 1), d(2017, 2, 1)) == "sejak 1 November 2016 hingga 1 Februari 2017"
    assert date_span_since(d(2015, 11, 11), d(2015, 11, 11)) == "pada 11 November 2015"
    with pytest.raises(ValueError):
        date_span_since(d(2015, 11, 13), d(2015, 11, 11))


def test_during_a_stage_it_is_under_way_and_a_later_done_stage_is_not_held(workspace):
    # design is done in the record (at the report date) but dated after the piece: coming
    text = same_story(press_outputs(banyumas(workspace, date="2017-03-07")))
    assert "diselenggarakan Undip bersama Pemkab Banyumas di Pendapa Si Panji dan berlangsung bertahap sejak 6 Maret hingga 31 Oktober 2017." in text
    assert "Tahap drum up telah dilaksanakan pada 6 Maret 2017." in text
    assert "Tahap diagnose sedang berlangsung pada 7–8 Maret 2017." in text
    assert "Tahap design akan dilaksanakan pada 15–16 Mei 2017, dan tahap deliver pada 1 Juli – 31 Oktober 2017, sedangkan tahap display akan menyusul." not in text
    assert "Tahap design akan dilaksanakan pada 15–16 Mei 2017 dan tahap deliver pada 1 Juli – 31 Oktober 2017, sedangkan tahap display akan menyusul." in text
    assert "design telah" not in text and "Sebanyak tiga unit kerja ikut serta" in text


def test_between_stages_what_was_held_and_what_is_coming(workspace):
    text = same_story(press_outputs(banyumas(workspace, date="2017-04-10")))
    assert "Tahap drum up telah dilaksanakan pada 6 Maret 2017 dan tahap diagnose pada 7–8 Maret 2017." in text
    assert "sedang berlangsung" not in text
    assert "Tahap design akan dilaksanakan pada 15–16 Mei 2017" in text


def test_after_the_lab_what_was_held_and_what_still_runs(workspace):
    text = same_story(press_outputs(banyumas(workspace, date="2017-11-02")))
    assert "Laboratorium Inovasi Kabupaten Banyumas telah diselenggarakan Undip bersama Pemkab Banyumas" in text
    assert ("Tahap drum up telah dilaksanakan pada 6 Maret 2017, tahap diagnose pada 7–8 Maret 2017, dan tahap design "
            "pada 15–16 Mei 2017.") in text
    # the record says deliver is still running at its report date: not held, and without its past days
    assert "Tahap deliver sedang berlangsung. Tahap display akan menyusul." in text
    assert "Tahap display akan menyusul." in text


def test_stage_names_are_italic_in_markdown_and_html(workspace):
    ws = banyumas(workspace, date="2017-04-10")
    loaded = load_workspace(ws)
    files = produce_press(loaded, loaded.press["banyumas-undip-2017"], Options()).files
    md = files["press/banyumas-undip-2017.md"].decode()
    html = files["press/banyumas-undip-2017.html"].decode()
    assert "Tahap *drum up* telah dilaksanakan" in md
    assert 'Tahap <i lang="en">drum up</i> telah dilaksanakan pada 6 Maret 2017 dan tahap <i lang="en">diagnose</i> pada 7–8 Maret 2017.' in html


# --- quote verbs -----------------------------------------------------------------------------


def test_imbuh_continues_the_same_speaker(workspace):
    text = same_story(press_outputs(banyumas(workspace)))
    assert "“Setiap perangkat daerah wajib berinovasi,” kata Bupati Banyumas Contoh Bupati." in text
    assert "“Kami akan memantaunya setiap bulan,” imbuhnya." in text
    assert "“Kampus siap mendampingi,” ujar Rektor Universitas Diponegoro Contoh Rektor." in text


@pytest.mark.parametrize("quotes, index, why", [
    ([SAID[1]], 0, "it opens the quotes"),
    ([SAID[0], SAID[2], ("pemkab-banyumas", "Kami siap.", "imbuh")], 2, "quotes[1] is by another speaker"),
    ([SAID[2], ("pemkab-banyumas", "Kami siap.", "tambah")], 1, "quotes[0] is by another speaker"),
])
def test_a_continuing_verb_elsewhere_is_a_located_error(workspace, run, quotes, index, why):
    ws = banyumas(workspace, quotes=quotes)
    code, _, err = run("-C", str(ws), "check")
    assert code == 1
    verb = quotes[index][2]
    expected = (f"{PRESS_REL}:{value_position(ws, PRESS_REL, f'verb: {verb}')}: quotes[{index}].verb: '{verb}' only continues the same "
                f"speaker's previous quote, and {why}; use kata, ujar, ungkap, jelas, tegas")
    assert expected in err, err
    assert "Traceback" not in err


def test_an_unknown_verb_is_refused_with_a_suggestion(workspace, run):
    ws = banyumas(workspace, quotes=[("undip", "Kami siap.", "ujarnya"), ("undip", "Sungguh.", "imbu")])
    code, _, err = run("-C", str(ws), "check")
    assert code == 1
    ujarnya, imbu = position(ws, PRESS_REL, "ujarnya"), position(ws, PRESS_REL, "imbu")
    assert f"{PRESS_REL}:{ujarnya}: quotes[0].verb: 'ujarnya' is not allowed (did you mean 'ujar'?); use one of: kata, ujar," in err, err
    assert f"{PRESS_REL}:{imbu}: quotes[1].verb: 'imbu' is not allowed (did you mean 'imbuh'?)" in err, err


# --- 5D dates and statuses ---------------------------------------------------------------------


def lab_messages(ws: Path, run, *extra: str) -> tuple[int, str]:
    code, _, err = run("-C", str(ws), "check", *extra)
    assert "Traceback" not in err
    return code, err


def replace(ws: Path, rel: str, old: str, new: str) -> None:
    path = ws / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_banyumas_records_are_clean(workspace, run):
    code, err = lab_messages(banyumas(workspace), run, "--strict")
    assert code == 0, err
    assert "warning" not in err


def test_a_planned_stage_before_the_lab_starts_is_an_error(workspace, run):
    ws = banyumas(workspace, design="planned")
    replace(ws, LAB_REL, "{start: 2017-05-15, end: 2017-05-16}", "{start: 2017-02-01, end: 2017-02-02}")
    code, err = lab_messages(ws, run)
    assert code == 1
    where = position(ws, LAB_REL, "2017-02-01")
    assert f"{LAB_REL}:{where}: stages[2].dates.start: a planned stage cannot lie before the lab starts (2017-03-06)" in err, err


@pytest.mark.parametrize("design", ["done", "planned"])
def test_a_stage_dated_before_an_earlier_stage_is_an_error(workspace, run, design):
    ws = banyumas(workspace, design=design)
    replace(ws, LAB_REL, "{start: 2017-05-15, end: 2017-05-16}", "{start: 2017-03-06, end: 2017-03-06}")
    code, err = lab_messages(ws, run)
    assert code == 1
    where = position(ws, LAB_REL, "2017-03-06", nth=2)
    assert (f"{LAB_REL}:{where}: stages[2].dates.start: 'design' starts on 2017-03-06, before 'diagnose' "
            f"(stages[1]) starts on 2017-03-07; the 5D stages follow one another") in err, err


def test_held_stages_out_of_order_by_dates_are_an_error(workspace, run):
    ws = banyumas(workspace)
    replace(ws, LAB_REL, "{start: 2017-03-07, end: 2017-03-08}", "{start: 2017-03-04, end: 2017-03-05}")
    replace(ws, LAB_REL, "period: {start: 2017-03-06", "period: {start: 2017-03-04")
    code, err = lab_messages(ws, run)
    assert code == 1
    where = position(ws, LAB_REL, "2017-03-04", nth=1)
    assert f"{LAB_REL}:{where}: stages[1].dates.start: 'diagnose' starts on 2017-03-04, before 'drum-up' (stages[0]) starts on 2017-03-06" in err, err


@pytest.mark.parametrize("design, said", [("done", "done"), ("in-progress", "in progress")])
def test_a_stage_cannot_be_held_or_under_way_before_it_starts(workspace, run, design, said):
    ws = banyumas(workspace, design=design, deliver="planned", report="2017-04-01")
    code, err = lab_messages(ws, run)
    assert code == 1
    where = value_position(ws, LAB_REL, f"status: {design}", nth=2 if design == "done" else 0)
    assert (f"{LAB_REL}:{where}: stages[2].status: cannot be {said} on the report date (2017-04-01): "
            f"the stage starts on 2017-05-15; mark it planned") in err, err


def test_in_progress_past_its_end_is_a_warning_that_strict_refuses(workspace, run):
    ws = banyumas(workspace, report="2017-11-30")
    code, err = lab_messages(ws, run)
    assert code == 0
    where = value_position(ws, LAB_REL, "status: in-progress")
    assert (f"warning: {LAB_REL}:{where}: stages[3].status: still in progress, but the stage ended on 2017-10-31, "
            f"before the report date (2017-11-30); mark it done, or give the day it now ends") in err, err
    code, err = lab_messages(ws, run, "--strict")
    assert code == 1 and "still in progress" in err
    code, out, err = run("-C", str(ws), "build", "-j", "1", str(ws / LAB_REL))
    assert code == 0 and (ws / "out/labs/labinov-banyumas-2017.pdf").is_file()


def test_planned_with_past_dates_and_held_after_a_planned_stage_are_warnings(workspace, run):
    ws = banyumas(workspace, design="planned", deliver="in-progress", report="2017-07-10")
    code, err = lab_messages(ws, run)
    assert code == 0
    design = value_position(ws, LAB_REL, "status: planned")
    deliver = value_position(ws, LAB_REL, "status: in-progress")
    assert (f"warning: {LAB_REL}:{design}: stages[2].status: still planned, but its dates ended on 2017-05-16, "
            f"before the report date (2017-07-10); mark it done with a summary, or give its new dates") in err, err
    assert (f"warning: {LAB_REL}:{deliver}: stages[3].status: 'deliver' is in-progress while 'design' before it "
            f"is still planned; the 5D stages are held in order") in err, err


# --- unit words by era ---------------------------------------------------------------------------


def test_lab_text_in_another_eras_words_is_a_warning(workspace, run):
    ws = banyumas(workspace, outcome="Ide inovasi setiap SKPD terpetakan.")
    code, err = lab_messages(ws, run)
    assert code == 0
    line = position(ws, LAB_REL, "Ide inovasi setiap SKPD").split(":")[0]
    assert (f"warning: {LAB_REL}:{line}:5: outcomes[0]: 'SKPD': a lab that starts from 2016-06-19 (PP 18/2016) "
            f"speaks of perangkat daerah (OPD)") in err, err
    example = "records/labs/labinov-pontianak-2015.yaml"
    replace(ws, example, "agenda seluruh SKPD.", "agenda seluruh perangkat daerah.")
    code, err = lab_messages(ws, run)
    assert re.search(rf"warning: {example}:\d+:5: outcomes\[0\]: 'perangkat daerah': a lab that starts before 2016-06-19 \(PP 18/2016\) speaks of SKPD", err), err


# --- the report of a university-organised 2017 lab --------------------------------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The Banyumas report built once (final MoU, one number blank): its page texts."""
    from click.testing import CliRunner

    from dokgen.cli import cli
    from test_lab_report import copy_workspace

    ws = banyumas(copy_workspace(tmp_path_factory.mktemp("banyumas") / "ws"), design="planned", deliver="planned",
                  report="2017-03-08")
    result = CliRunner().invoke(cli, ["-C", str(ws), "build", "-j", "1", "--strict", str(ws / LAB_REL)])
    assert result.exit_code == 0, result.output
    return pages_text(ws / "out/labs/labinov-banyumas-2017.pdf")


def test_stage_texts_name_the_organiser_and_keep_a_subject(report):
    body = flat("\n".join(report[2:]))
    lanjut = section(report, "D. TINDAK LANJUT", "E. SIMPULAN DAN SARAN")
    assert "Pada tahap ini setiap unit menyusun rancangan dan rencana aksi bagi ide inovasinya; Undip menelaah" in lanjut
    assert "sedangkan Undip memantau dan mengevaluasi" in lanjut
    assert not re.search(r"\bLAN\b", body), "a university's lab never says LAN"


def test_held_stages_span_their_own_days(report):
    scope = section(report, "4. Ruang Lingkup", "B. KEGIATAN")
    assert "tahap Drum Up dan Diagnose yang dilaksanakan pada 6–8 Maret 2017," in scope
    assert "dilaksanakan pada 6 Maret – 31 Oktober 2017" not in scope
    simpulan = section(report, "1. Simpulan", "2. Saran")
    assert "telah dilaksanakan pada 6–8 Maret 2017 di Pendapa Si Panji" in simpulan


def test_a_final_mou_is_cited_as_signed_with_every_number(report):
    dasar = section(report, "2. Dasar", "3. Maksud dan Tujuan")
    assert "pelaksanaan Kesepakatan Bersama antara Pemerintah Kabupaten Banyumas dan Universitas Diponegoro" in dasar
    assert "yang ditandatangani di Purwokerto pada Senin, 20 Februari 2017" in dasar
    assert "(nomor Pemkab Banyumas: 119/45/2017 dan nomor Undip: ……)" in dasar
    assert "rancangan" not in dasar and "direncanakan" not in dasar


def test_a_2017_report_speaks_of_perangkat_daerah(report):
    text = flat("\n".join(report))
    assert "Perangkat Daerah (OPD) 2 1" in text
    assert "dua perangkat daerah" in text or "2 (dua) perangkat daerah" in text
    assert "SKPD" not in text


# --- idea status (optional) ------------------------------------------------------------------------


def test_idea_status_is_counted_shown_and_checked_against_its_stage(workspace, run):
    ws = banyumas(workspace, design="done", deliver="planned", report="2017-05-16")
    replace(ws, LAB_REL, "        description: Nomor antrean diambil dari rumah.\n",
            "        description: Nomor antrean diambil dari rumah.\n        status: rencana-aksi\n"
            "      - title: Resep daring\n        problem: Resep hilang.\n        description: Resep dikirim ke apotek.\n"
            "        status: diluncurkan\n      - title: Kartu berobat tunggal\n        problem: Kartu berbeda-beda.\n"
            "        description: Satu kartu untuk semua puskesmas.\n")
    code, err = lab_messages(ws, run)
    assert code == 0
    where = position(ws, LAB_REL, "diluncurkan")
    assert f"warning: {LAB_REL}:{where}: units[0].ideas[1].status: 'diluncurkan' belongs to the 'deliver' stage, which is still planned" in err, err
    assert "rencana-aksi' belongs" not in err
    code, err = lab_messages(ws, run, "--strict")
    assert code == 1
    code, _, err = run("-C", str(ws), "build", "-j", "1", str(ws / LAB_REL))
    assert code == 0, err
    text = flat("\n".join(pages_text(ws / "out/labs/labinov-banyumas-2017.pdf")))
    assert ("Menurut kemajuannya, 1 (satu) telah memiliki rencana aksi dan 1 (satu) telah diluncurkan; "
            "kemajuan 1 (satu) ide lainnya belum dicatat.") in text
    assert "Antrean daring (rencana aksi)" in text


def test_an_unknown_idea_status_is_refused_with_a_suggestion(workspace, run):
    ws = banyumas(workspace)
    replace(ws, LAB_REL, "        description: Nomor antrean diambil dari rumah.\n",
            "        description: Nomor antrean diambil dari rumah.\n        status: rencana aksi\n")
    code, err = lab_messages(ws, run)
    assert code == 1
    assert (f"{LAB_REL}:{value_position(ws, LAB_REL, 'status: rencana aksi')}: units[0].ideas[0].status: 'rencana aksi' is not allowed (did you mean 'rencana-aksi'?); "
            "use one of: ide, rencana-aksi, diluncurkan, dipamerkan") in err, err
