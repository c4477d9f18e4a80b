"""Malformed records: each gives exit 1, file:line:col and field path, no traceback, no out/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MOU = "records/mou/pontianak-lan-2015.yaml"
LAN = "records/parties/lan.yaml"
LAB = "records/labs/labinov-pontianak-2015.yaml"
PRESS = "records/press/pemkot-gandeng-lan-2015.yaml"
SCOPES = "records/scopes.yaml"

LINE = re.compile(r"^(records/[^:]+):(\d+):(\d+): (?:([\w.\[\]#-]+): )?(.+)$")


def edit(ws: Path, rel: str, old: str, new: str) -> None:
    path = ws / rel
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def line_of(ws: Path, rel: str, needle: str) -> int:
    found = [n for n, line in enumerate((ws / rel).read_text().splitlines(), start=1) if needle in line]
    assert found, needle
    return found[-1]


# (file, old text, new text, expected field path, expected words in the message, line marker)
CASES = [
    # YAML syntax and forbidden YAML features
    ("syntax-bracket", MOU, "term_years: 5", "term_years: [5", "", "YAML syntax", "funding:"),
    ("syntax-quote", LAN, "short_name: LAN", "short_name: 'LAN", "", "YAML syntax", None),
    ("tab-indent", LAN, "  name: Adi Suryanto", "\tname: Adi Suryanto", "", "tabs", "name: Adi"),
    ("duplicate-key", LAN, "short_name: LAN", "short_name: LAN\nshort_name: Lembaga", "short_name", "duplicate key", "short_name: Lembaga"),
    ("anchor", LAN, "short_name: LAN", "short_name: &s LAN", "short_name", "anchors", "short_name:"),
    ("alias", LAN, "short_name: LAN", "short_name: LAN\nx: *s", "x", "aliases", "x: *s"),
    ("tag", LAN, "short_name: LAN", "short_name: !!str LAN", "short_name", "tags", "short_name:"),
    ("control-char", LAN, "short_name: LAN", 'short_name: "LA\\x07N"', "short_name", "U+0007", "short_name:"),
    ("raw-control-char", LAN, "short_name: LAN", "short_name: LA\x01N", "", "U+0001", "short_name:"),
    ("two-documents", LAN, "short_name: LAN", "short_name: LAN\n---\nname: x", "", "one YAML document", "---"),
    # unknown keys and wrong shapes
    ("unknown-key", LAN, "short_name: LAN", "shortname: LAN", "shortname", "did you mean 'short_name'", "shortname"),
    ("unknown-nested-key", LAN, "  position:", "  posisi: x\n  position:", "signatory.posisi", "unknown field", "posisi"),
    ("missing-field", LAN, "short_name: LAN\n", "", "short_name", "required", None),
    ("list-not-text", LAN, "short_name: LAN", "short_name: [LAN]", "short_name", "expected text", "short_name"),
    ("mapping-not-list", MOU, "recitals:\n", "recitals: {a: b}\nxrecitals:\n", "recitals", "list", "recitals: {"),
    ("empty-text", LAN, "short_name: LAN", 'short_name: " "', "short_name", "empty", "short_name"),
    ("wrong-kind", LAN, "short_name: LAN", "kind: mou\nshort_name: LAN", "kind", "not allowed", "kind:"),
    ("bad-enum", LAN, "type: kementerian-lembaga", "type: kementrian-lembaga", "type", "did you mean 'kementerian-lembaga'", "type:"),
    ("bad-status", MOU, "status: draft", "status: drafted", "status", "draft, final", "status:"),
    ("bad-doc-type", MOU, "document_type: Nota Kesepahaman", "document_type: MoU", "document_type", "Nota Kesepahaman", "document_type"),
    # numbers and dates
    ("impossible-date", MOU, "date: 2015-11-11", "date: 2015-02-30", "signing.date", "not a real date", "date: 2015-02-30"),
    ("non-iso-date", MOU, "date: 2015-11-11", "date: 11/11/2015", "signing.date", "YYYY-MM-DD", "date: 11/11"),
    ("word-term", MOU, "term_years: 5", "term_years: lima", "term_years", "whole number", "term_years"),
    ("zero-term", MOU, "term_years: 5", "term_years: 0", "term_years", "out of range", "term_years"),
    ("float-term", MOU, "term_years: 5", "term_years: 5.5", "term_years", "whole number", "term_years"),
    # references
    ("unknown-party", MOU, "- party: lan", "- party: lann", "parties[1].party", "did you mean 'lan'", "party: lann"),
    ("one-party", MOU, "  - party: lan\n    number: null\n", "", "parties", "at least 2", "- party: pemkot-pontianak"),
    ("same-party-twice", MOU, "- party: lan", "- party: pemkot-pontianak", "parties[1].party", "signs once", "- party: pemkot-pontianak\n"),
    ("unknown-scope", MOU, "  - diklat", "  - diklatt", "scopes[1]", "did you mean 'diklat'", "- diklatt"),
    ("bad-id-ref", MOU, "- party: lan", "- party: LAN", "parties[1].party", "not an id", "party: LAN"),
    ("lab-unknown-host", LAB, "host: pemkot-pontianak", "host: pemkot-pontianakk", "host", "pemkot-pontianak", "host:"),
    ("lab-stage-order", LAB, "  - stage: design", "  - stage: diagnose", "stages[2].stage", "twice", None),
    ("lab-bad-stage", LAB, "  - stage: design", "  - stage: desain", "stages[2].stage", "did you mean 'design'", "stage: desain"),
    ("lab-done-without-dates", LAB, "  - stage: design\n    status: planned", "  - stage: design\n    status: done", "stages[2]", "dates", None),
    ("lab-period-reversed", LAB, "period: {start: 2015-11-11, end: 2015-11-13}", "period: {start: 2015-11-13, end: 2015-11-11}", "period.end", "before it starts", "period:"),
    ("lab-unit-type", LAB, "type: puskesmas", "type: rumah-sakit", "units[5].type", "puskesmas", "type: rumah-sakit"),
    ("press-unknown-mou", PRESS, "mou: pontianak-lan-2015", "mou: pontianak-lan-2016", "mou", "pontianak-lan-2015", "mou:"),
    ("press-unknown-speaker", PRESS, "  - speaker: lan", "  - speaker: lna", "quotes[2].speaker", "did you mean 'lan'", "speaker: lna"),
    ("press-bad-credit", PRESS, "credit: tyas/dan/humas", "credit: (tyas/dan/humas)", "credit", "expected form", "credit:"),
    # NIP
    ("nip-short", LAN, "  position: Kepala", "  nip: '1966080119880310'\n  position: Kepala", "signatory.nip", "18 digits", "nip:"),
    ("nip-bad-date", LAN, "  position: Kepala", "  nip: 19661301 198803 1 001\n  position: Kepala", "signatory.nip", "date", "nip:"),
    ("nip-bad-gender", LAN, "  position: Kepala", "  nip: 19660801 198803 3 001\n  position: Kepala", "signatory.nip", "gender", "nip:"),
    # scope library
    ("scope-missing-title", SCOPES, "  title: Pendidikan dan Pelatihan\n", "", "diklat.title", "required", "diklat:"),
    # logo
    ("logo-missing", LAN, "short_name: LAN", "short_name: LAN\nlogo: assets/nope.png", "logo", "does not exist", "logo:"),
    ("logo-outside", LAN, "short_name: LAN", "short_name: LAN\nlogo: ../../etc/passwd", "logo", "outside the workspace", "logo:"),
]


@pytest.mark.parametrize("name,rel,old,new,field,words,marker", CASES, ids=[c[0] for c in CASES])
def test_bad_record_is_reported_with_location(workspace, run, name, rel, old, new, field, words, marker):
    edit(workspace, rel, old, new)
    for command in ("check", "build"):
        code, out, err = run("-C", str(workspace), command)
        assert code == 1, (command, out, err)
        lines = [l for l in err.splitlines() if l.startswith("records/")]
        assert lines, err
        assert "Traceback" not in err + out
        assert all(LINE.match(l) for l in lines), lines
        wanted = [l for l in lines if LINE.match(l).group(4) == field] or lines
        match = LINE.match(wanted[0])
        assert match.group(1) == rel, lines
        if field:
            assert match.group(4) == field, lines[0]
        assert words.lower() in match.group(5).lower(), lines[0]
        if marker:
            assert int(match.group(2)) == line_of(workspace, rel, marker.split("\n")[0]), lines[0]
        assert int(match.group(3)) >= 1
        assert err.rstrip().endswith("nothing was written")
        assert not (workspace / "out").exists()


def test_all_problems_of_all_files_are_listed_together(workspace, run):
    edit(workspace, LAN, "short_name: LAN", "shortname: LAN")
    edit(workspace, MOU, "term_years: 5", "term_years: lima")
    edit(workspace, LAB, "type: puskesmas", "type: rumah-sakit")
    code, _, err = run("-C", str(workspace), "check")
    assert code == 1
    assert "records/parties/lan.yaml" in err and MOU in err and LAB in err
    assert "problems in 3 files" in err


@pytest.mark.parametrize("filename,words", [
    ("records/mou/Pontianak_LAN.yaml", "not a valid id"),
    ("records/mou/notes.txt", ".yaml files"),
    ("records/mous/x.yaml", "did you mean 'mou'"),  # reported at the folder
])
def test_bad_file_names(workspace, run, filename, words):
    path = workspace / filename
    path.parent.mkdir(exist_ok=True)
    path.write_text("x: 1\n")
    code, _, err = run("-C", str(workspace), "check")
    assert code == 1
    reported = filename.rsplit("/", 1)[0] if "mous" in filename else filename
    assert f"{reported}:1:1:" in err and words in err


@pytest.mark.parametrize("raw,words", [
    (b"\xef\xbb\xbfname: x\n", None),          # a BOM is fine: Notepad writes one
    (b"name: \xff\xfe\n", "not UTF-8"),
    (b"name: a\x00b\n", "not allowed"),
    (b"- just\n- a list\n", "mapping of fields"),
    (b"", "empty file"),
    (b"a:\n" + b"  - " * 40 + b"x\n", "nesting"),
])
def test_broken_files(workspace, run, raw, words):
    (workspace / "records/parties/extra.yaml").write_bytes(raw)
    code, _, err = run("-C", str(workspace), "check")
    assert code == 1
    assert "\nrecords/parties/extra.yaml:" in "\n" + err
    if words:
        assert words in err, err


def test_text_stays_text(workspace):
    """NO, 0777, 1.10 and 12:30 reach the model exactly as typed."""
    from dokgen.records import load_workspace

    edit(workspace, LAN, "short_name: LAN", "short_name: NO")
    edit(workspace, LAN, "address: Jalan Veteran No. 10, Jakarta Pusat 10110", "address: 0777")
    edit(workspace, MOU, "city: Pontianak", "city: '12:30'")
    ws = load_workspace(workspace)
    assert ws.parties["lan"].model.short_name == "NO"
    assert ws.parties["lan"].model.address == "0777"
    assert ws.mou["pontianak-lan-2015"].model.signing.city == "12:30"


def test_a_typo_in_a_key_is_reported_once(workspace, run):
    edit(workspace, LAN, "short_name: LAN", "shortname: LAN")
    code, _, err = run("-C", str(workspace), "check")
    lines = [l for l in err.splitlines() if l.startswith("records/")]
    assert code == 1 and len(lines) == 1, lines
    assert "shortname: unknown field (did you mean 'short_name'?)" in lines[0]


def test_a_folder_that_is_not_a_workspace(tmp_path, run):
    code, _, err = run("-C", str(tmp_path), "build")
    assert code == 1 and "no records/ folder here" in err and "dokgen init" in err


def test_a_reference_to_a_record_with_its_own_problems_still_suggests_it(workspace, run):
    """A typo'd reference to a party whose file is itself broken: the suggestion names it."""
    mou = workspace / "records/mou/pontianak-lan-2015.yaml"
    mou.write_text(mou.read_text(encoding="utf-8").replace("party: lan\n", "party: lann\n"), encoding="utf-8")
    lan = workspace / "records/parties/lan.yaml"
    lan.write_text(lan.read_text(encoding="utf-8").replace("\nshort_name:", "\nshortname:"), encoding="utf-8")
    code, _, err = run("-C", str(workspace), "check")
    assert code == 1
    assert "parties[1].party: no party 'lann' in records/parties/ (did you mean 'lan'?); known: lan, pemkot-pontianak" in err
    assert "records/parties/lan.yaml:3:1: shortname: unknown field (did you mean 'short_name'?)" in err
