"""The register's words under an Indonesian locale: issue, verify, revoke and check, at the places English puts them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import MOU


def dokgen(ws: Path, *args: str, lang: str = "id_ID.UTF-8") -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    return subprocess.run([sys.executable, "-m", "dokgen", "-C", str(ws), *args], capture_output=True, text=True,
                          timeout=300, env={**base, "LANG": lang})


def test_issue_verify_revoke_and_check_in_indonesian(final_ws: Path, tmp_path: Path):
    done = dokgen(final_ws, "issue", MOU)
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    m = re.fullmatch(rf"{MOU}: diterbitkan sebagai ([2-9A-Z]{{4}}-[2-9A-Z]{{4}}) \(QR: https://jdih\.lan\.go\.id/verifikasi/\1\)", first)
    assert m, done.stdout
    code = m[1]
    assert re.fullmatch(rf"nomor diberikan: 001/KS\.01/[IVX]+/\d{{4}} \(ditulis ke {MOU}\)", rest[0]), rest
    assert any(re.fullmatch(r"out/mou/pontianak-lan-2015\.docx didaftarkan, sha256 [0-9a-f]{16}…", line) for line in rest), rest

    again = dokgen(final_ws, "issue", MOU)
    assert again.returncode == 0
    assert again.stdout.splitlines()[0] == (f"{MOU}: sudah diterbitkan sebagai {code} dan tidak berubah sejak itu; "
                                            "berkasnya sama dengan yang terdaftar")

    changed = tmp_path / "salinan.docx"  # not the issued bytes
    changed.write_bytes((final_ws / "out/mou/pontianak-lan-2015.docx").read_bytes() + b"\0")
    verdict = dokgen(final_ws, "verify", str(changed))
    assert verdict.returncode == 1
    assert verdict.stdout == ("tidak terdaftar: tidak ada dokumen terbitan yang isinya persis sama dengan berkas ini "
                              "(salinan yang sudah diubah bukan dokumen yang diterbitkan)\n")

    assert dokgen(final_ws, "register", "revoke", code, "--reason", "salah ketik nama pejabat").returncode == 0
    twice = dokgen(final_ws, "register", "revoke", code, "--reason", "lagi")
    assert twice.returncode == 1 and twice.stderr == f"kesalahan: {code}: sudah dicabut (salah ketik nama pejabat)\n"

    # check's advice on the revoked code: the same file:line:col and field in both languages
    english, indonesian = dokgen(final_ws, "check", lang="C"), dokgen(final_ws, "check")
    en = [line for line in english.stderr.splitlines() if f"verification: {code}: " in line]
    id_ = [line for line in indonesian.stderr.splitlines() if f"verification: {code}: " in line]
    assert len(en) == len(id_) == 1
    assert en[0].startswith(f"warning: {MOU}:") and id_[0].startswith(f"peringatan: {MOU}:")
    assert en[0].split(": ")[1] == id_[0].split(": ")[1]  # the line:col of verification:
    assert en[0].endswith("revoked (salah ketik nama pejabat); its QR says dicabut; to issue the document anew, run dokgen issue (a new code)")
    assert id_[0].endswith("dicabut (salah ketik nama pejabat); QR-nya menyatakan dicabut; untuk menerbitkan dokumen itu lagi, "
                           "jalankan dokgen issue (kode baru)")


def test_register_settings_problems_in_indonesian(workspace: Path):
    (workspace / "records/register.yaml").write_text(
        "verification_url: http://jdih.example.go.id/verifikasi\n"
        "numbering:\n  party: lan\n  pattern: \"{nomor}/{tahun}\"\n", encoding="utf-8")
    english, indonesian = dokgen(workspace, "check", lang="C"), dokgen(workspace, "check")
    assert english.returncode == indonesian.returncode == 1
    located = re.compile(r"^(records/register\.yaml:\d+:\d+): ([\w.]+): (.*)$")
    en = [located.match(line).groups() for line in english.stderr.splitlines() if located.match(line)]
    id_ = [located.match(line).groups() for line in indonesian.stderr.splitlines() if located.match(line)]
    assert [p[:2] for p in en] == [p[:2] for p in id_] and len(en) == 2, (english.stderr, indonesian.stderr)
    assert dict((p[1], p[2]) for p in id_) == {
        "verification_url": "tulis alamat https:// yang memuat {code} satu kali, misalnya https://jdih.example.go.id/verifikasi/{code}",
        "numbering.pattern": "isian {nomor} tidak dikenal; pola boleh memakai {seq}, {kode}, {bulan}, {bulan_romawi}, {tahun}",
    }


def test_the_web_words_its_refusals_in_indonesian_while_the_process_speaks_english(final_ws: Path):
    """serve answers in Indonesian through the catalogue; the same messages stay English outside a request."""
    import pytest

    pytest.importorskip("flask")
    from dokgen import i18n
    from dokgen.web.app import create_app

    client = create_app(final_ws, "t0ken").test_client()
    client.set_cookie("dokgen_token", "t0ken")
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    page = client.post("/register/verify", data={}, content_type="multipart/form-data")
    assert page.status_code == 422 and "pilih berkas yang akan diverifikasi" in page.get_data(as_text=True)
    page = client.post("/register/issue", data={"source": "records/parties/lan.yaml"})
    assert page.status_code == 422 and "records/parties/lan.yaml: bukan rekaman final yang dapat diterbitkan" in page.get_data(as_text=True)
    missing = client.get("/api/records/mou/tidak-ada-rekaman-ini")
    assert missing.status_code == 404 and missing.get_json() == {"error": "tidak ada"}
    foreign = client.get("/api/records", headers={"Host": "evil.example", "Accept": "application/json"})
    assert foreign.status_code == 400 and foreign.get_json() == {"error": "Host tidak dikenal: Alamat ini bukan alamat server dokgen ini."}
    assert i18n.language() == "en" and i18n._("choose the file to verify") == "choose the file to verify"
