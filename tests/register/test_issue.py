"""Issuing, verifying and revoking documents against a real SQLite register."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest

from dokgen.register import CODE_ALPHABET, REGISTER_FILE, format_number

from .conftest import LAB, MOU, dokgen

CODE = re.compile(r"issued as ([2-9A-Z]{4}-[2-9A-Z]{4})")


def _code(out: str) -> str:
    return CODE.search(out).group(1)


def test_a_draft_is_refused_saying_why(workspace, run):
    code, out, err = run("-C", str(workspace), "issue", MOU)
    assert code == 1
    assert f"{MOU}:7:9: status: status: draft" not in err  # the field is named once
    assert f"{MOU}:7:9: status: draft" in err and "only a final document is issued" in err
    assert not (workspace / REGISTER_FILE).exists()  # nothing registered
    code, out, err = run("-C", str(workspace), "issue", LAB)  # a lab report without status: is a draft
    assert code == 1 and "counts as a draft" in err


def test_issue_verify_tamper_revoke(final_ws, run, tmp_path):
    code, out, err = run("-C", str(final_ws), "issue", MOU)
    assert code == 0, err
    issued = _code(out)
    assert set(issued.replace("-", "")) <= set(CODE_ALPHABET)
    number = format_number("{seq:03}/{kode}/{bulan_romawi}/{tahun}", 1, "KS.01", dt.date.today())
    text = (final_ws / MOU).read_text(encoding="utf-8")
    assert f"verification: {issued}" in text and f"number: {number}" in text
    assert text.startswith("# Nota Kesepahaman Pemkot Pontianak dan LAN")  # the clerk's comment kept
    docx = final_ws / "out/mou/pontianak-lan-2015.docx"

    code, out, _ = run("-C", str(final_ws), "verify", str(docx))
    assert code == 0
    assert f"kode verifikasi: {issued}" in out and "keadaan: terdaftar" in out and f"nomor: {number}" in out
    assert "Dr. Adi Suryanto, M.Si., Kepala Lembaga Administrasi Negara" in out and f"tanggal terbit: {dt.date.today()}" in out

    from docx import Document

    tampered = tmp_path / "copy.docx"  # a copy whose term someone changed, QR and all left in place
    doc = Document(docx)
    changed = next(p for p in doc.paragraphs if "5 (lima) tahun" in p.text)
    for r in changed.runs:
        r.text = r.text.replace("5 (lima) tahun", "10 (sepuluh) tahun")
    doc.save(tampered)
    code, out, _ = run("-C", str(final_ws), "verify", str(tampered))
    assert code == 1 and "tidak terdaftar" in out

    code, out, _ = run("-C", str(final_ws), "register", "revoke", issued, "--reason", "pihak kedua salah tulis")
    assert code == 0
    code, out, _ = run("-C", str(final_ws), "verify", str(docx))
    assert code == 1 and "dicabut: pihak kedua salah tulis" in out
    code, _, err = run("-C", str(final_ws), "check")
    assert f"verification: {issued}: revoked (pihak kedua salah tulis)" in err


def test_rebuilding_an_issued_record_gives_the_same_bytes(final_ws, run):
    code, out, _ = run("-C", str(final_ws), "issue", MOU)
    digest = hashlib.sha256((final_ws / "out/mou/pontianak-lan-2015.docx").read_bytes()).hexdigest()
    code, _, _ = run("-C", str(final_ws), "build", "--clean", "-q")
    assert code == 0
    assert hashlib.sha256((final_ws / "out/mou/pontianak-lan-2015.docx").read_bytes()).hexdigest() == digest
    code, out, _ = run("-C", str(final_ws), "issue", MOU)  # again, unchanged: the same code, nothing new
    assert "issued already" in out
    code, out, _ = run("-C", str(final_ws), "register", "list", "--csv")
    assert len(out.strip().splitlines()) == 2


def test_a_changed_record_is_reported_and_issued_anew(final_ws, run):
    code, out, _ = run("-C", str(final_ws), "issue", MOU)
    first = _code(out)
    path = final_ws / MOU
    path.write_text(path.read_text(encoding="utf-8").replace("term_years: 5", "term_years: 3"), encoding="utf-8")
    code, _, err = run("-C", str(final_ws), "check")
    assert f"verification: {first}: the record (or a party it names) changed since it was issued" in err
    code, out, _ = run("-C", str(final_ws), "issue", MOU)
    second = _code(out)
    assert second != first and f"{first} is superseded by {second}" in out
    code, out, _ = run("-C", str(final_ws), "register", "list")
    assert f"{first}" in out and f"diganti oleh {second}" in out
    code, _, err = run("-C", str(final_ws), "check")
    assert "verification:" not in err  # agreed again
    # the LAN number was given once and kept: the record's number is no longer blank
    assert path.read_text(encoding="utf-8").count("/KS.01/") == 1


def test_check_reports_a_code_the_register_does_not_hold(final_ws, run):
    path = final_ws / MOU
    path.write_text(path.read_text(encoding="utf-8") + "verification: ABCD-EFGH\n", encoding="utf-8")
    code, _, err = run("-C", str(final_ws), "check")
    assert "verification: ABCD-EFGH is not in any register" in err
    run("-C", str(final_ws), "issue", LAB)
    code, _, err = run("-C", str(final_ws), "check")
    assert "verification: ABCD-EFGH: not in the register" in err
    lab = final_ws / LAB
    lab.write_text(re.sub(r"verification: \S+\n", "", lab.read_text(encoding="utf-8")), encoding="utf-8")
    code, _, err = run("-C", str(final_ws), "check")
    assert "register/dokgen-register.sqlite:1:1:" in err and "no longer carries the code" in err


def test_two_concurrent_issues_never_share_a_number(final_ws):
    """Four clerks issue four MoUs at the same moment, each in a process of its own."""
    source = (final_ws / MOU).read_text(encoding="utf-8")
    names = [f"records/mou/kerja-sama-{i}.yaml" for i in range(4)]
    for name in names:
        (final_ws / name).write_text(source, encoding="utf-8")
    (final_ws / MOU).unlink()
    (final_ws / "records/press").joinpath("pemkot-gandeng-lan-2015.yaml").unlink()
    lab = final_ws / LAB
    lab.write_text(lab.read_text(encoding="utf-8").replace("mou: pontianak-lan-2015", "mou: kerja-sama-0"), encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, "-m", "dokgen", "-C", str(final_ws), "issue", name],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in names]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    assert all(rc == 0 for _, _, rc in results), results
    numbers = [re.search(r"number: (\d{3}/\S+)", (final_ws / n).read_text(encoding="utf-8")).group(1) for n in names]
    assert sorted(int(n.split("/")[0]) for n in numbers) == [1, 2, 3, 4]
    with sqlite3.connect(final_ws / REGISTER_FILE) as conn:
        assert conn.execute("SELECT count(DISTINCT number) FROM numbers").fetchone()[0] == 4
        assert conn.execute("SELECT last FROM sequences").fetchone()[0] == 4


def test_the_lab_report_is_issued_with_its_pdf_hash(final_ws):
    result = dokgen(final_ws, "issue", LAB)
    assert result.returncode == 0, result.stderr
    pdf = final_ws / "out/labs/labinov-pontianak-2015.pdf"
    assert dokgen(final_ws, "verify", str(pdf)).returncode == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    code = _code(result.stdout)
    assert f"Kode verifikasi {code} · dokumen terdaftar, bukan tanda tangan elektronik" in " ".join(text.split())


def test_a_hand_edited_draft_keeps_the_edits_and_gets_its_qr(final_ws, run):
    from docx import Document

    path = final_ws / MOU
    path.write_text(path.read_text(encoding="utf-8").replace("status: final", "status: draft"), encoding="utf-8")
    run("-C", str(final_ws), "build", "-q")
    docx = final_ws / "out/mou/pontianak-lan-2015.docx"
    doc = Document(docx)
    doc.paragraphs[-1].insert_paragraph_before("Catatan bagian hukum: disetujui rapat 10 November.")
    doc.save(docx)
    clerk = docx.read_bytes()
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: final"), encoding="utf-8")
    code, out, err = run("-C", str(final_ws), "issue", MOU)
    assert code == 0, err
    assert docx.read_bytes() == clerk  # the clerk's own file is never overwritten
    stamped = final_ws / "out/mou/pontianak-lan-2015.terdaftar.docx"
    texts = [p.text for p in Document(stamped).paragraphs]
    assert "Catatan bagian hukum: disetujui rapat 10 November." in texts
    assert any(t.startswith(f"Kode verifikasi {_code(out)}") for t in texts)
    assert run("-C", str(final_ws), "verify", str(stamped))[0] == 0
    assert run("-C", str(final_ws), "verify", str(final_ws / "out/mou/pontianak-lan-2015.dokgen-new.docx"))[0] == 0


def test_an_old_workspace_template_without_a_place_for_the_qr_is_refused(final_ws, run):
    html = final_ws / "templates/html/lab-report.html"
    html.write_text(re.sub(r"\{%- if verification %\}.*?\{%- endif %\}\n", "", html.read_text(encoding="utf-8"), flags=re.S), encoding="utf-8")
    code, _, err = run("-C", str(final_ws), "issue", LAB)
    assert code == 1 and "templates/html/lab-report.html has no place for the QR" in err
    assert "verification:" not in (final_ws / LAB).read_text(encoding="utf-8")  # the record was put back
    assert run("-C", str(final_ws), "register", "list")[1] == ""  # and nothing registered


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_signing_pdf_of_an_issued_draft_is_registered(final_ws):
    """dokgen pdf converts the issued Word file, QR included; its PDF verifies under the same code."""
    issued = _code(dokgen(final_ws, "issue", MOU).stdout)
    made = dokgen(final_ws, "pdf", MOU)
    assert made.returncode == 0, made.stderr
    assert f"registered under {issued}" in made.stderr
    pdf = final_ws / "out/mou/pontianak-lan-2015.pdf"
    verified = dokgen(final_ws, "verify", str(pdf))
    assert verified.returncode == 0 and f"kode verifikasi: {issued}" in verified.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"Kode verifikasi {issued}" in text
