"""The register file itself: migrations that keep every row and leave a backup; published pages."""

from __future__ import annotations

import json
import sqlite3

import pytest

from dokgen.errors import DokgenError
from dokgen.register import BACKUP_DIR, MIGRATIONS, REGISTER_FILE, SCHEMA_VERSION, Register

ROWS = 250


def _v1_register(root):
    """A register as the first schema made it, with rows of every state."""
    path = root / REGISTER_FILE
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    for i in range(ROWS):
        code = f"{i:04d}-TEST".replace("0", "A").replace("1", "B")
        status = ("issued", "revoked", "superseded")[i % 3]
        conn.execute("INSERT INTO documents VALUES (?, 'mou', ?, ?, ?, ?, ?, '2024-01-02', ?, ?, NULL)",
                     (code, f"mou-{i}", "d" * 64, json.dumps([f"{i}/KS/I/2024"]), f"Perihal {i}",
                      json.dumps([{"name": "LAN", "signer": "Adi", "position": "Kepala"}]), status,
                      "salah" if status == "revoked" else None))
        conn.execute("INSERT INTO files VALUES (?, ?, ?)", (f"{i:064x}", code, f"out/mou/mou-{i}.docx"))
    conn.commit()
    conn.close()
    return path


def test_migration_from_v1_keeps_every_row_and_leaves_a_backup(tmp_path):
    path = _v1_register(tmp_path)
    before = sqlite3.connect(path).execute("SELECT * FROM documents ORDER BY code").fetchall()
    with Register.open(tmp_path) as reg:
        assert reg.version == SCHEMA_VERSION
        after = reg.conn.execute("SELECT code, kind, record_id, record_digest, numbers, subject, parties, issued_on, status, reason, "
                                 "superseded_by FROM documents ORDER BY code").fetchall()
        assert [tuple(r) for r in after] == before
        assert reg.conn.execute("SELECT count(*) FROM files").fetchone()[0] == ROWS
        assert reg.get(before[1][0]).state == "dicabut: salah"
        assert reg.next_number("lan/2024") == 1  # the new tables work
    backups = list((tmp_path / BACKUP_DIR).iterdir())
    assert len(backups) == 1 and backups[0].name.startswith("dokgen-register-v1-")
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("SELECT * FROM documents ORDER BY code").fetchall() == before
    copy.close()
    with Register.open(tmp_path):  # already current: no second backup
        pass
    assert len(list((tmp_path / BACKUP_DIR).iterdir())) == 1


def test_a_register_from_a_newer_dokgen_is_left_alone(tmp_path):
    path = _v1_register(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(DokgenError, match="newer dokgen"):
        Register.open(tmp_path)


def test_unique_codes_and_numbers_are_enforced_by_the_database(tmp_path):
    with Register.open(tmp_path, create=True) as reg:
        about = {"numbers": [], "subject": "x", "parties": []}
        import datetime as dt

        with reg.transaction():
            reg.add("ABCD-EFGH", "mou", "a", "d" * 64, about, dt.date(2024, 1, 1))
            reg.add_number("001/KS/I/2024", "lan/2024", 1, "ABCD-EFGH")
        with pytest.raises(sqlite3.IntegrityError), reg.transaction():
            reg.add("ABCD-EFGH", "mou", "b", "d" * 64, about, dt.date(2024, 1, 1))
        with pytest.raises(DokgenError, match="was given before"), reg.transaction():
            reg.add_number("001/KS/I/2024", "lan/2024", 2, "ABCD-EFGH")
        assert len(reg.entries()) == 1  # the failed transactions left nothing behind


def test_published_pages_escape_record_text(final_ws, run, tmp_path):
    from .conftest import MOU

    path = final_ws / MOU
    text = path.read_text(encoding="utf-8").replace("subject: >-\n", "subject: >-\n  <script>alert('x')</script> &\n", 1)
    path.write_text(text, encoding="utf-8")
    code, out, err = run("-C", str(final_ws), "issue", MOU)
    assert code == 0, err
    issued = out.split("issued as ")[1].split()[0]
    site = tmp_path / "site"
    code, out, _ = run("-C", str(final_ws), "register", "publish", str(site))
    assert code == 0
    page = (site / issued / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;" in page
    assert "terdaftar" in page and "Dr. Adi Suryanto, M.Si." in page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="{issued}/index.html"' in index and "<script>" not in index
