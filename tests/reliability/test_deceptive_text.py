"""Guarantee: text that deceives is refused or normalised, and no message can drive the terminal.

What is stored must be what Word, the PDF and the press page show: every bidirectional
control and every zero-width or other invisible format character is refused in every kind
of record, naming file, line, column and field; ZWJ/ZWNJ pass only inside words of a script
that joins letters; decomposed accents come out composed (NFC) in every output. Keys and
file names made of terminal escape sequences are printed escaped, so they cannot clear the
screen or forge an `ok` line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from dokgen.characters import BIDI_CONTROLS, ZERO_WIDTH
from dokgen.errors import printable

from .test_payloads import readable_text

GUARANTEE = "18 text that deceives"
# (file, line as in the worked example, the same line with {c} where a character goes, field path)
FIELDS = [
    ("records/parties/lan.yaml", "short_name: LAN", 'short_name: "LA{c}N"', "short_name"),
    ("records/scopes.yaml", "  title: Pengkajian Kebijakan", '  title: "Pengkajian Ke{c}bijakan"', "kajian-kebijakan.title"),
    ("records/mou/pontianak-lan-2015.yaml", "  city: Pontianak", '  city: "Ponti{c}anak"', "signing.city"),
    ("records/labs/labinov-pontianak-2015.yaml", "locus: Kota Pontianak", 'locus: "Kota Pon{c}tianak"', "locus"),
    ("records/press/pemkot-gandeng-lan-2015.yaml", "dateline: Pontianak", 'dateline: "Pontia{c}nak"', "dateline"),
]
# Other invisible format characters: invisible operators, Mongolian vowel separator,
# interlinear annotation, a language tag and the tag letters of "ASCII smuggling".
OTHER_INVISIBLE = ["\u2061", "\u2062", "\u2063", "\u2064", "\u180e", "\u206a", "\u206f", "\ufff9", "\ufffb", "\U000e0001", "\U000e0041", "\U000e007f"]
REFUSED = sorted(BIDI_CONTROLS) + sorted(ZERO_WIDTH) + OTHER_INVISIBLE
PROBLEM = re.compile(r"^(records/\S+):(\d+):(\d+): (\S+): (.*)$")
LAN_PARTY = "records/parties/lan.yaml"


def _put(ws: Path, char: str) -> None:
    for rel, line, template, _ in FIELDS:
        path = ws / rel
        text = path.read_text(encoding="utf-8")
        assert line + "\n" in text, (rel, line)
        path.write_text(text.replace(line + "\n", template.format(c=char) + "\n", 1), encoding="utf-8")


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_invisible_character_is_refused_in_every_kind_of_record(workspace, run, figure, char):
    _put(workspace, char)  # raw, as pasted from a PDF or a web page
    code, out, err = run("-C", str(workspace), "check")
    found = {}
    for line in err.splitlines():
        m = PROBLEM.match(line)
        if m:
            found[(m.group(1), m.group(4))] = m.group(5)
    for rel, _, _, field in FIELDS:
        figure.cases += 1
        message = found.get((rel, field), "")
        ok = code == 1 and f"U+{ord(char):04X}" in message and "invisible" in message
        figure.failures += not ok
        assert ok, (rel, field, err)
    assert "Traceback" not in err and not (workspace / "out").exists()
    assert char not in err  # the message names the character; it never prints it


JOINED = [
    ("Persian ZWNJ", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
    ("Devanagari ZWJ", "\u0915\u094d\u200d\u0937"),
    ("Devanagari ZWNJ", "\u0915\u094d\u200c\u0937"),  # explicit half form
    ("emoji ZWJ sequence", "\U0001f469\u200d\U0001f4bb"),
]


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("name,word", JOINED, ids=[name for name, _ in JOINED])
def test_joiners_pass_where_a_script_needs_them(workspace, run, figure, name, word):
    path = workspace / "records/press/pemkot-gandeng-lan-2015.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("dateline: Pontianak", f'dateline: "Pontianak {word}"'), encoding="utf-8")
    from dokgen.records import load_workspace

    figure.cases += 1
    ws = load_workspace(workspace)  # raises on any problem
    kept = ws.press["pemkot-gandeng-lan-2015"].model.dateline == f"Pontianak {word}"
    figure.failures += not kept
    assert kept


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("text", ["Ponti\u200danak", "Ponti\u200canak", "\u200dPontianak", "Pontianak\u200c", "\u0645\u200c", "a\u200d\U0001f4bb"],
                         ids=["ZWJ-latin", "ZWNJ-latin", "ZWJ-first", "ZWNJ-last", "ZWNJ-arabic-end", "ZWJ-letter-emoji"])
def test_joiners_are_refused_where_no_script_needs_them(workspace, run, figure, text):
    path = workspace / "records/mou/pontianak-lan-2015.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  city: Pontianak", f'  city: "{text}"'), encoding="utf-8")
    code, _, err = run("-C", str(workspace), "check")
    figure.cases += 1
    ok = code == 1 and re.search(r"^records/mou/pontianak-lan-2015\.yaml:\d+:\d+: signing\.city: invisible zero-width", err, re.M)
    figure.failures += not ok
    assert ok, err


DECOMPOSED = {
    # field line in the example -> the same value with a decomposed accent (e + U+0301 ...)
    ("records/parties/lan.yaml", "  name: Adi Suryanto"): "  name: Adi Sury\u0061\u0301nto Re\u0301ne\u0301",
    ("records/mou/pontianak-lan-2015.yaml", "  city: Pontianak"): "  city: Ponti\u0061\u0300nak Cafe\u0301",
    ("records/labs/labinov-pontianak-2015.yaml", "locus: Kota Pontianak"): "locus: Kota Pontianak Ne\u0301ve\u0301",
    ("records/press/pemkot-gandeng-lan-2015.yaml", "dateline: Pontianak"): "dateline: Pontianak A\u0308ra\u0301",
}


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_decomposed_accents_come_out_composed_in_every_output(workspace, run, figure):
    for (rel, line), new in DECOMPOSED.items():
        path = workspace / rel
        path.write_text(path.read_text(encoding="utf-8").replace(line, new, 1), encoding="utf-8")
    code, _, err = run("-C", str(workspace), "build", "--jobs", "1")
    assert code == 0, err
    composed = [unicodedata.normalize("NFC", new.split(": ", 1)[1]) for new in DECOMPOSED.values()]
    outputs = sorted(p for p in (workspace / "out").rglob("*") if p.is_file() and not p.name.startswith("."))
    assert {p.suffix for p in outputs} >= {".docx", ".pdf", ".html", ".md", ".txt"}
    shown = 0
    for path in outputs:
        text = readable_text(path)
        figure.files_checked += 1
        assert "\u0301" not in text and "\u0300" not in text and "\u0308" not in text, path.name
        if path.suffix != ".pdf":  # pdftotext may give a ligature or decompose on its own; the PDF is checked below
            shown += sum(value in " ".join(text.split()) for value in composed)
    pdf = next(p for p in outputs if p.suffix == ".pdf")
    assert "Ne\u0301ve\u0301".replace("e\u0301", "\u00e9") in readable_text(pdf)
    figure.cases += len(DECOMPOSED)
    assert shown >= len(DECOMPOSED)  # each value shows, composed, in some output


HOSTILE_KEYS = {
    "clear screen, forged ok": r"\e[2J\e[Hok: all records valid, 3 document(s) render",
    "window title (OSC)": r"\e]0;owned\a",
    "hyperlink (OSC 8)": r"\e]8;;http://example.invalid\e\\klik\e]8;;\e\\",
    "C1 CSI": r"\x9b2J",
    "carriage return": r"x\rok: all records valid",
    "newline": r"x\nok: all records valid",
    "backspaces": r"bad\b\b\bok",
    "device control string": r"\eP+q544e\e\\",
    "bidi override": r"\u202eevil",
    "line separator": r"a\u2028ok",
}
TERMINAL_ACTIVE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")


def _dokgen(ws: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dokgen", "-C", str(ws), *args], capture_output=True, timeout=120)


@pytest.mark.guarantee(GUARANTEE)
def test_escape_sequences_in_keys_and_file_names_are_printed_escaped(workspace, figure):
    lan = workspace / "records/parties/lan.yaml"
    lan.write_text(lan.read_text() + "".join(f'"{key}": x\n' for key in HOSTILE_KEYS.values()))
    names = ["\x1b[2J\x1b[H", "a\nok: all records valid", "\x1b]0;t\x07", "\u202egpj.yaml"]
    for name in names:
        (workspace / "records/mou" / f"{name}.yaml").write_text("document_type: x\n")
    (workspace / "records" / "\x1b[31mmerah").mkdir()
    for args in (("check",), ("build", "--jobs", "1")):
        done = _dokgen(workspace, *args)
        out = done.stdout.decode("utf-8") + done.stderr.decode("utf-8")
        figure.cases += len(HOSTILE_KEYS) + len(names) + 1
        active = TERMINAL_ACTIVE.findall(out)
        forged = [line for line in out.splitlines() if line.startswith("ok")]
        figure.failures += bool(active) + bool(forged)
        figure.tracebacks += "Traceback" in out
        assert done.returncode == 1, out
        assert not active and not forged, out
        assert "Traceback" not in out
        lines = out.splitlines()
        assert lines[-1].startswith("error: "), out
        assert all(re.match(r"^records/\S.*:\d+:\d+: ", line) or line.startswith("error: ") for line in lines), out
        assert r"\x1b[2J\x1b[Hok: all records valid" in out and r"\u202eevil" in out and r"x\nok: all records valid" in out
        assert r"records/\x1b[31mmerah" in out and r"\x1b]0;owned\x07" in out
    assert not (workspace / "out").exists()


@pytest.mark.guarantee(GUARANTEE)
def test_printable_escapes_every_control_and_format_character(figure):
    active = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp")]
    escaped = printable("".join(active))
    figure.cases += len(active) + 1
    survivors = [c for c in escaped if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    figure.failures += len(survivors)
    assert survivors == []
    plain = "Pemerintah Kota Pontianak – Rp5.000.000,00 (lima juta rupiah), Wali Kota: H. Sutarmidji, S.H., M.Hum.\u00a0é"
    assert printable(plain) == plain
    assert printable("a\nb", keep_newlines=True) == "a\nb" and printable("a\nb") == r"a\nb"


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig not installed")
def test_text_the_draft_font_cannot_show_gets_a_truthful_warning(workspace, run, figure):
    from dokgen.wordfont import system_font

    code, _, err = run("-C", str(workspace), "check")
    assert code == 0 and "Word draft's font" not in err  # Indonesian text: nothing to say
    file, covered = system_font("Arial")
    javanese = "\ua997\ua9ae"  # JA, WA: Javanese script, in no Arial
    assert not any(ord(c) in covered for c in javanese)
    lan = workspace / LAN_PARTY
    lan.write_text(lan.read_text(encoding="utf-8").replace("short_name: LAN", f'short_name: "LAN {javanese}"'), encoding="utf-8")
    code, _, err = run("-C", str(workspace), "check")
    figure.cases += 1
    warned = re.search(rf"^warning: {LAN_PARTY}:3:\d+: short_name: the Word draft's font 'Arial' \(set by templates/docx/mou.docx\) "
                       rf"has no glyph for U\+A997 JAVANESE LETTER JA, U\+A9AE JAVANESE LETTER WA on this machine \(checked against {re.escape(Path(file).name)}\)", err, re.M)
    figure.failures += not (code == 0 and warned)
    assert code == 0 and warned, err
    code, _, err = run("-C", str(workspace), "check", "--strict")
    assert code == 1 and "JAVANESE LETTER JA" in err
