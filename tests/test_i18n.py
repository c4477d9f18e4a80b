"""One source of messages in two languages: English in the code, Indonesian from the catalogue.

What a clerk sees: `dokgen check` under an Indonesian locale prints each problem at the same
place as in English, in Indonesian; English is unchanged otherwise. What a maintainer needs:
every message in src/ has a finished Indonesian translation with the same placeholders, and
the compiled .mo in the package is the .po as it stands.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from dokgen import i18n

REPO = Path(__file__).resolve().parents[1]
PO = REPO / "src/dokgen/locale/id/LC_MESSAGES/dokgen.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}|%\((\w+)\)[sdr]")
PROBLEM = re.compile(r"^(records/\S+?:\d+:\d+): (?:([\w.\[\]]+): )?(.*)$")


def dokgen(ws: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run the installed CLI as a user would, with exactly these locale variables set."""
    base = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    return subprocess.run([sys.executable, "-m", "dokgen", "-C", str(ws), *args], env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def problems(stderr: str) -> list[tuple[str, str, str]]:
    return [m.groups("") for m in map(PROBLEM.match, stderr.splitlines()) if m]  # type: ignore[misc]


@pytest.fixture
def bad_mou(workspace: Path) -> Path:
    """The worked example with three mistakes a clerk makes: a local date, a typo'd key, a missing field."""
    path = workspace / "records/mou/pontianak-lan-2015.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  date: .*$", "  date: 29/02/2024", text, count=1)
    text = text.replace("\nfunding:", "\nfundng:", 1)
    path.write_text(text, encoding="utf-8")
    return workspace


def test_check_speaks_indonesian_at_the_same_places(bad_mou: Path):
    english = dokgen(bad_mou, "check", LANG="C")
    indonesian = dokgen(bad_mou, "check", LANG="id_ID.UTF-8")
    assert english.returncode == indonesian.returncode == 1
    en, id_ = problems(english.stderr), problems(indonesian.stderr)
    assert len(en) == 2 and [p[:2] for p in en] == [p[:2] for p in id_]  # same file:line:col and field path
    assert ("signing.date", "'29/02/2024' is not a date; write YYYY-MM-DD, e.g. 2015-11-11") in [p[1:] for p in en]
    assert ("signing.date", "'29/02/2024' bukan tanggal; tulis TTTT-BB-HH, misalnya 2015-11-11") in [p[1:] for p in id_]
    typo_en = next(p[2] for p in en if p[1] == "fundng")
    typo_id = next(p[2] for p in id_ if p[1] == "fundng")
    assert typo_en.startswith("unknown field (did you mean 'funding'?); allowed here: document_type, subject, status, ")
    assert typo_id.startswith("isian tidak dikenal (mungkin maksudnya 'funding'?); yang boleh di sini: document_type, subject, status, ")
    assert english.stderr.splitlines()[-1] == "error: 2 problems in 1 file; nothing was written"
    assert indonesian.stderr.splitlines()[-1] == "kesalahan: 2 masalah dalam 1 berkas; tidak ada yang ditulis"


def test_missing_field_in_indonesian_from_lc_messages(workspace: Path):
    path = workspace / "records/parties/lan.yaml"
    path.write_text(re.sub(r"(?m)^short_name: .*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    result = dokgen(workspace, "check", LC_MESSAGES="id_ID.UTF-8", LANG="C")  # LC_MESSAGES before LANG
    assert problems(result.stderr) == [("records/parties/lan.yaml:2:1", "short_name", "wajib diisi")]
    assert result.stderr.splitlines()[-1] == "kesalahan: 1 masalah dalam 1 berkas; tidak ada yang ditulis"


def test_posix_order_of_the_locale_variables(bad_mou: Path):
    # LC_ALL wins over LANG; an empty variable counts as unset
    result = dokgen(bad_mou, "check", LC_ALL="C.UTF-8", LANG="id_ID.UTF-8")
    assert "error: 2 problems in 1 file" in result.stderr
    result = dokgen(bad_mou, "check", LC_ALL="", LANG="id_ID.UTF-8")
    assert "kesalahan: 2 masalah dalam 1 berkas" in result.stderr
    assert i18n.from_environ({"LC_ALL": "id_ID.UTF-8", "LANG": "en_US.UTF-8"}) == "id"
    assert i18n.from_environ({"LC_MESSAGES": "en_GB", "LANG": "id_ID"}) == "en"
    assert i18n.from_environ({"LANG": "id"}) == "id"
    assert i18n.from_environ({"LANG": "ido_XX"}) == "en"  # Ido is not Indonesian
    assert i18n.from_environ({}) == "en"


def test_ok_line_and_language_per_context(workspace: Path, run, with_logos):
    with_logos(workspace)
    result = dokgen(workspace, "check", LANG="id_ID.UTF-8")
    assert result.returncode == 0 and result.stdout.startswith("ok: semua rekaman valid, ")
    # in-process, as a web server would: each context speaks its own language, English by default
    with i18n.using("id"):
        assert i18n._("required field is missing") == "wajib diisi"
        with i18n.using("en"):
            assert i18n._("required field is missing") == "required field is missing"
    assert i18n._("required field is missing") == "required field is missing"
    code, out, _err = run("-C", str(workspace), "check")
    assert code == 0 and out.startswith("ok: all records valid, ")


def test_a_spawned_build_worker_speaks_the_parents_language(workspace: Path):
    """A record too large to render fails in its worker process; the worker words it in the parent's language."""
    from dokgen.build import Options, plan
    from dokgen.executor import run_jobs
    from dokgen.records import load_workspace

    path = workspace / "records/mou/pontianak-lan-2015.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^purpose: >-\n(?:  .*\n)+", f"purpose: {'x' * 20_001}\n", text, count=1)
    path.write_text(text, encoding="utf-8")
    ws = load_workspace(workspace)
    jobs = plan(ws)
    assert len(jobs) >= 2  # more than one job, so run_jobs uses the spawned pool
    for code, expected in (("id", "terlalu besar untuk disusun: teks sepanjang 20,001 karakter"),
                           ("en", "too large to render: text of 20,001 characters")):
        with i18n.using(code):
            outcomes = list(run_jobs(ws, jobs, Options(pdf_variant=None), workers=2))
        errors = [o.error for o in outcomes if o.error]
        assert len(errors) == 1 and expected in errors[0], errors
    assert i18n.language() == "en"  # this process was never switched: the words came from the workers


def problems_in(ws: Path, code: str) -> list:
    from dokgen.errors import ProblemsError
    from dokgen.records import load_workspace

    with i18n.using(code):
        try:
            load_workspace(ws)
        except ProblemsError as exc:
            return exc.problems
    return []


def test_every_bad_record_of_the_english_tests_is_reported_in_indonesian(tmp_path: Path):
    """Each malformed record of test_records_invalid: the same problems at the same places, every message translated."""
    import shutil

    from test_records_invalid import CASES, edit

    for name, rel, old, new, *_rest in CASES:
        ws = tmp_path / name
        for part in ("records", "templates", "assets"):
            shutil.copytree(REPO / part, ws / part)
        edit(ws, rel, old, new)
        en, id_ = problems_in(ws, "en"), problems_in(ws, "id")
        assert en and [(p.location, p.field) for p in en] == [(p.location, p.field) for p in id_], name
        for e, i in zip(en, id_):
            assert e.message != i.message, f"{name}: not translated: {e}"


# --- the register and the cluster --------------------------------------------------------------

REFUSED = re.compile(r"^(error|kesalahan): (records/\S+?:\d+:\d+): status: draft(.*)$")


@pytest.mark.parametrize("rel", ["records/mou/pontianak-lan-2015.yaml", "records/labs/labinov-pontianak-2015.yaml"])
def test_issuing_a_draft_is_refused_in_indonesian_at_the_same_place(workspace: Path, rel: str):
    before = (workspace / rel).read_bytes()
    english = dokgen(workspace, "issue", rel, LANG="C")
    indonesian = dokgen(workspace, "issue", rel, LANG="id_ID.UTF-8")
    assert english.returncode == indonesian.returncode == 1
    en, id_ = REFUSED.match(english.stderr.strip()), REFUSED.match(indonesian.stderr.strip())
    assert en and id_, (english.stderr, indonesian.stderr)
    assert (en[1], id_[1]) == ("error", "kesalahan") and en[2] == id_[2]  # the same file:line:col, status: draft
    assert en[3].endswith("; only a final document is issued (registered, numbered and given its QR); "
                          "set status: final once the text is agreed, then issue it")
    assert id_[3].endswith("; hanya dokumen final yang diterbitkan (didaftarkan, diberi nomor dan QR); "
                           "isi status: final setelah naskahnya disepakati, lalu terbitkan")
    if "labs/" in rel:  # the lab report has no status line: the refusal says why it counts as a draft, at 1:1
        assert en[2].endswith(":1:1") and en[3].startswith(" (a lab report without status: counts as a draft)")
        assert id_[3].startswith(" (laporan lab tanpa status: dianggap draf)")
    assert (workspace / rel).read_bytes() == before and not (workspace / "register").exists()


def test_an_unreachable_scheduler_is_named_in_indonesian(workspace: Path):
    address = "tcp://127.0.0.1:1"  # nothing listens on port 1; the probe fails at once
    english = dokgen(workspace, "build", "--scheduler", address, LANG="C")
    indonesian = dokgen(workspace, "build", "--scheduler", address, LC_ALL="id_ID.UTF-8")
    assert english.returncode == indonesian.returncode == 1
    assert english.stderr == (f"error: cannot reach the Dask scheduler at {address}: Connection refused; "
                              "is `dask scheduler` running there and port 1 open? nothing was built\n")
    assert indonesian.stderr == (f"kesalahan: scheduler Dask di {address} tidak dapat dihubungi: koneksi ditolak; "
                                 "apakah `dask scheduler` berjalan di sana dan port 1 terbuka? tidak ada yang dibangun\n")
    bad = dokgen(workspace, "build", "--scheduler", "tcp://127.0.0.1", LANG="id_ID.UTF-8")  # no port
    assert bad.returncode == 1 and bad.stderr.startswith("kesalahan: alamat scheduler Dask tcp://127.0.0.1 tidak dapat dipakai: "
                                                         "tulis sebagai tcp://HOST:PORT")
    assert not (workspace / "out").exists()


# --- the catalogue ----------------------------------------------------------------------------


def extracted(root: Path) -> dict[object, tuple[str, int]]:
    """Every message id marked in the Python files under root, as `make messages` extracts them."""
    found: dict[object, tuple[str, int]] = {}
    keywords = {"_": None, "ngettext": (1, 2), "N_": None}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map=[("**.py", "python")], keywords=keywords):
        found.setdefault(message, (filename, lineno))
    return found


def placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


def catalogue_faults(messages: dict[object, tuple[str, int]], po_bytes: bytes) -> list[str]:
    """What keeps the catalogue from matching the source: missing, fuzzy, empty, placeholders, stale."""
    catalog = read_po(io.BytesIO(po_bytes))
    faults = []
    for msgid, (filename, lineno) in messages.items():
        entry = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        where = f"{filename}:{lineno}: {msgid!r}"
        if entry is None:
            faults.append(f"{where}: not in the catalogue (run `make messages` and translate it)")
            continue
        if entry.fuzzy:
            faults.append(f"{where}: fuzzy (check the translation and remove the flag)")
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        if not all(s.strip() for s in strings):
            faults.append(f"{where}: no Indonesian translation")
            continue
        for s in strings:
            if placeholders(s) != placeholders(ids[-1]) and placeholders(s) != placeholders(ids[0]):
                faults.append(f"{where}: placeholders {placeholders(s)} in {s!r}, expected {placeholders(ids[-1])}")
    known = {m[0] if isinstance(m, tuple) else m for m in messages}
    faults += [f"stale entry {m.id!r} (no longer in the source; run `make messages`)" for m in catalog
               if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in known]
    return faults


def test_every_message_has_an_indonesian_translation():
    messages = extracted(REPO / "src")
    assert len(messages) > 150  # the extraction really found dokgen's messages
    assert "required field is missing" in messages
    assert catalogue_faults(messages, PO.read_bytes()) == []


def test_the_catalogue_check_catches_what_it_should(tmp_path: Path):
    (tmp_path / "new.py").write_text('from dokgen.i18n import _\n_("a message nobody translated")\n'
                                     '_("required field is missing")\n_("\'{value}\' is not a real date")\n')
    po = PO.read_bytes()
    faults = catalogue_faults(extracted(tmp_path), po)
    assert len(faults) > 2 and "a message nobody translated" in faults[0] and "not in the catalogue" in faults[0]
    assert all("stale entry" in f for f in faults[1:])  # and everything else in the .po is unused here
    broken = po.replace("msgstr \"tanggal '{value}' tidak valid\"".encode(), "msgstr \"tanggal '{nilai}' tidak valid\"".encode())
    assert broken != po
    assert any("placeholders ['nilai']" in f for f in catalogue_faults(extracted(REPO / "src"), broken))
    fuzzy = po.replace(b'msgid "required field is missing"', b'#, fuzzy\nmsgid "required field is missing"')
    assert any("fuzzy" in f for f in catalogue_faults(extracted(REPO / "src"), fuzzy))


def test_the_compiled_catalogue_is_the_po_as_it_stands():
    out = io.BytesIO()
    write_mo(out, read_po(PO.open("rb")), use_fuzzy=False)
    assert MO.read_bytes() == out.getvalue(), "the .mo is older than the .po: run `make messages`"
