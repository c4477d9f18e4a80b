"""The register of issued documents: an SQLite database in the workspace.

One row per issued document (an MoU or a lab report given a verification code by `dokgen
issue`), one row per file issued under it (its sha256), the numbering sequences and every
number given. The database is the bagian kerja sama's record of what went out, so:

- it lives in the workspace, `register/dokgen-register.sqlite`, not in out/ (which dokgen
  may rebuild at will), and is never rewritten wholesale: rows are inserted, and updated
  only to revoke or supersede;
- every change is one transaction, begun IMMEDIATE (the write lock taken first), so two
  `dokgen issue` at once queue instead of taking the same sequence number;
- WAL mode lets `verify`, `check` and `status` read while an issue writes;
- the schema carries its version in PRAGMA user_version; a newer dokgen migrates an older
  register step by step, after a copy of it is made with SQLite's backup API into
  register/backup/.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .errors import DokgenError
from .i18n import _

if TYPE_CHECKING:
    from .records import Record, Workspace

REGISTER_FILE = Path("register") / "dokgen-register.sqlite"
BACKUP_DIR = Path("register") / "backup"
# No 0/O, no 1/I/L: a code read off paper or a phone screen is typed back right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BUSY_MS = 120_000  # an issue renders inside its transaction (a lab PDF ~1 s); others wait their turn

MIGRATIONS: list[tuple[str, ...]] = [
    (  # 1: documents and their files
        """CREATE TABLE documents (
            code TEXT PRIMARY KEY CHECK (length(code) = 9),
            kind TEXT NOT NULL CHECK (kind IN ('mou', 'lab')),
            record_id TEXT NOT NULL,
            record_digest TEXT NOT NULL,
            numbers TEXT NOT NULL,
            subject TEXT NOT NULL,
            parties TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'revoked', 'superseded')),
            reason TEXT,
            superseded_by TEXT REFERENCES documents(code)
        )""",
        "CREATE INDEX documents_record ON documents(kind, record_id)",
        """CREATE TABLE files (
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            code TEXT NOT NULL REFERENCES documents(code),
            name TEXT NOT NULL,
            UNIQUE (sha256, code)
        )""",
        "CREATE INDEX files_sha256 ON files(sha256)",
    ),
    (  # 2: numbering (a sequence per scope, every number given once) and the day of a revocation
        "CREATE TABLE sequences (scope TEXT PRIMARY KEY, last INTEGER NOT NULL CHECK (last >= 0))",
        """CREATE TABLE numbers (
            number TEXT PRIMARY KEY,
            scope TEXT NOT NULL,
            seq INTEGER NOT NULL,
            code TEXT NOT NULL REFERENCES documents(code),
            UNIQUE (scope, seq)
        )""",
        "ALTER TABLE documents ADD COLUMN revoked_on TEXT",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)

# --- numbering -------------------------------------------------------------------------------

NUMBER_FIELDS = ("seq", "kode", "bulan", "bulan_romawi", "tahun")
_FIELD = re.compile(r"\{([a-z_]+)(?::(0?\d{1,2}d?))?\}")


def check_pattern(pattern: str) -> str:
    """Validate a numbering pattern (register.yaml numbering.pattern); raise ValueError saying why."""
    names = [m.group(1) for m in _FIELD.finditer(pattern)]
    unknown = sorted(set(names) - set(NUMBER_FIELDS))
    if unknown:
        raise ValueError(_("unknown field {field}; a pattern may use {fields}").format(
            field="{" + unknown[0] + "}", fields=", ".join("{" + n + "}" for n in NUMBER_FIELDS)))
    if "seq" not in names:
        raise ValueError(_("the pattern needs {seq} (or {seq:03}), the running number, or every document would get the same number"))
    rest = _FIELD.sub("", pattern)
    if "{" in rest or "}" in rest:
        raise ValueError(_("write fields as {seq}, {seq:03}, {kode}, {bulan}, {bulan_romawi} or {tahun}"))
    return pattern


def format_number(pattern: str, seq: int, kode: str | None, day: dt.date) -> str:
    """The number pattern gives for seq on day: {seq:03} is 007, {bulan_romawi} of November is XI."""
    from .indonesian import roman

    values = {"seq": seq, "kode": kode or "", "bulan": f"{day.month:02d}", "bulan_romawi": roman(day.month), "tahun": str(day.year)}

    def one(m: re.Match) -> str:
        spec = m.group(2)
        value = values[m.group(1)]
        return format(value, spec.rstrip("d")) if spec and isinstance(value, int) else str(value)

    return _FIELD.sub(one, pattern)


def sequence_scope(pattern: str, party: str, day: dt.date) -> str:
    """Numbers run per party, and start again each year when the number shows the year."""
    return f"{party}/{day.year}" if "{tahun}" in pattern else party


# --- what is registered ----------------------------------------------------------------------


def new_code() -> str:
    """A random code XXXX-XXXX: 31^8 (8.5e11) codes, so guessing one is hopeless."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def record_digest(ws: Workspace, rec: Record) -> str:
    """A digest of what an issued document says: the record and the parties it names.

    The validated values, not the file: a comment or a re-indented line changes nothing
    printed, while a changed subject, number, date or signer does.
    """
    m = rec.model
    party_ids = [p.party for p in m.parties] if rec.kind == "mou" else sorted({m.host, m.organizer})
    payload = {
        "kind": rec.kind, "id": rec.id, "record": m.model_dump(mode="json"),
        "parties": {p: ws.parties[p].model.model_dump(mode="json") for p in party_ids if p in ws.parties},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def describe(ws: Workspace, rec: Record) -> dict[str, Any]:
    """What the register keeps of a record: subject, numbers, parties with their signers."""
    from .context.common import party_context, person

    m = rec.model
    if rec.kind == "mou":
        parties = []
        for ref in m.parties:
            p = party_context(ws, ref.party)
            parties.append({"name": p["name"], "signer": p["signatory"]["full_name"].replace("\u00a0", " "),
                            "position": p["signatory"]["position"], "number": ref.number})
        return {"subject": f"{m.document_type} tentang {m.subject}", "numbers": [p["number"] for p in parties], "parties": parties}
    signer = person(m.report.signatory)
    parties = [{"name": ws.parties[p].model.name, "signer": None, "position": None, "number": None}
               for p in dict.fromkeys([m.host, m.organizer])]
    parties[-1].update(signer=signer["full_name"].replace("\u00a0", " "), position=signer["position"])
    return {"subject": f"Laporan {m.title}", "numbers": [], "parties": parties}


@dataclass
class Entry:
    """One issued document as the register holds it."""

    code: str
    kind: str
    record_id: str
    record_digest: str
    numbers: list[str | None]
    subject: str
    parties: list[dict[str, Any]]
    issued_on: str
    status: str
    reason: str | None
    superseded_by: str | None
    revoked_on: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Entry:
        d = dict(row)
        d["numbers"], d["parties"] = json.loads(d["numbers"]), json.loads(d["parties"])
        d.setdefault("revoked_on", None)
        return cls(**d)

    @property
    def state(self) -> str:
        """The state as verify and the published pages say it, in Indonesian."""
        if self.status == "revoked":
            return f"dicabut: {self.reason}"
        if self.status == "superseded":
            return f"diganti oleh {self.superseded_by}"
        return "terdaftar"

    def as_dict(self) -> dict[str, Any]:
        return {"kode": self.code, "jenis": self.kind, "rekaman": self.record_id, "nomor": [n for n in self.numbers if n],
                "perihal": self.subject, "para_pihak": self.parties, "tanggal_terbit": self.issued_on,
                "keadaan": self.state}


# --- the database ----------------------------------------------------------------------------


class Register:
    """The register of one workspace; open it with Register.open."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, root: Path, *, create: bool = False, target: int = SCHEMA_VERSION) -> Register:
        """Open (with create: make) the register of the workspace at root, migrated to `target`.

        Without create, a workspace that never issued anything raises DokgenError saying so.
        """
        path = Path(root) / REGISTER_FILE
        if not path.exists():
            if not create:
                raise DokgenError(_("{path}: no register yet in this workspace; `dokgen issue RECORD_FILE` starts it").format(path=REGISTER_FILE))
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")  # a power cut never loses an issued document
        except sqlite3.DatabaseError as exc:
            raise DokgenError(_("{path}: cannot open the register: {reason}").format(path=REGISTER_FILE, reason=exc)) from None
        reg = cls(conn, path)
        reg.migrate(Path(root), target)
        return reg

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, root: Path, target: int = SCHEMA_VERSION) -> Path | None:
        """Bring the schema up to target, one version a transaction; return the backup made, if any."""
        if self.version > SCHEMA_VERSION:
            raise DokgenError(_("{path}: written by a newer dokgen (schema {found}, this one knows {known}); "
                                "update dokgen before using this register").format(path=REGISTER_FILE, found=self.version, known=SCHEMA_VERSION))
        backup = None
        existed = self.version > 0  # a register made just now holds nothing to back up
        while self.version < target:
            if existed and backup is None:
                # before the write lock is taken: SQLite's backup reads through its own lock. Two
                # processes migrating at once both make a copy; only one migrates (below).
                backup = self.backup(root, self.version)
            with self.transaction():
                version = self.version  # again, under the write lock: another process may have migrated
                if version >= target:
                    break
                for statement in MIGRATIONS[version]:
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version + 1}")
        return backup

    def backup(self, root: Path, version: int) -> Path:
        """A full copy of the register (SQLite's online backup: consistent even while others read)."""
        folder = Path(root) / BACKUP_DIR
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = folder / f"dokgen-register-v{version}-{stamp}.sqlite"
        n = 1
        while target.exists():
            n += 1
            target = folder / f"dokgen-register-v{version}-{stamp}-{n}.sqlite"
        copy = sqlite3.connect(target)
        try:
            self.conn.backup(copy)
        finally:
            copy.close()
        return target

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: all of a change or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- reading ---

    def get(self, code: str) -> Entry | None:
        row = self.conn.execute("SELECT * FROM documents WHERE code = ?", (code.strip().upper(),)).fetchone()
        return Entry.from_row(row) if row else None

    def entries(self) -> list[Entry]:
        return [Entry.from_row(r) for r in self.conn.execute("SELECT * FROM documents ORDER BY issued_on, rowid")]

    def by_hash(self, sha256: str) -> Entry | None:
        return _by_hash(self.conn, sha256)

    def files(self, code: str) -> list[tuple[str, str]]:
        return [(r["name"], r["sha256"]) for r in self.conn.execute("SELECT name, sha256 FROM files WHERE code = ? ORDER BY rowid", (code,))]

    # --- writing (inside a transaction) ---

    def next_number(self, scope: str) -> int:
        """The next number of a sequence; call inside a transaction, so it is never given twice."""
        row = self.conn.execute(
            "INSERT INTO sequences(scope, last) VALUES (?, 1) ON CONFLICT(scope) DO UPDATE SET last = last + 1 RETURNING last",
            (scope,)).fetchone()
        return row[0]

    def add(self, code: str, kind: str, record_id: str, digest: str, about: dict[str, Any], issued_on: dt.date) -> None:
        self.conn.execute(
            "INSERT INTO documents(code, kind, record_id, record_digest, numbers, subject, parties, issued_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (code, kind, record_id, digest, json.dumps(about["numbers"], ensure_ascii=False), about["subject"],
             json.dumps(about["parties"], ensure_ascii=False), issued_on.isoformat()))

    def add_number(self, number: str, scope: str, seq: int, code: str) -> None:
        try:
            self.conn.execute("INSERT INTO numbers(number, scope, seq, code) VALUES (?, ?, ?, ?)", (number, scope, seq, code))
        except sqlite3.IntegrityError:
            raise DokgenError(_("number {number} was given before (register/dokgen-register.sqlite); "
                                "check numbering in records/register.yaml: its pattern must include {{seq}}").format(number=number)) from None

    def add_file(self, code: str, name: str, sha256: str) -> bool:
        """Register the hash of a file issued under code; False if it was registered already."""
        cur = self.conn.execute("INSERT OR IGNORE INTO files(sha256, code, name) VALUES (?, ?, ?)", (sha256, code, name))
        return cur.rowcount == 1

    def supersede(self, old: str, new: str) -> None:
        self.conn.execute("UPDATE documents SET status = 'superseded', superseded_by = ? WHERE code = ? AND status = 'issued'", (new, old))

    def revoke(self, code: str, reason: str, on: dt.date) -> Entry:
        """Mark an issued document revoked, with the reason verify and the pages show."""
        reason = " ".join(reason.split())
        if not reason:
            raise DokgenError(_("give the reason for revoking (--reason); verify shows it as 'dicabut: <reason>'"))
        with self.transaction():
            entry = self.get(code)
            if entry is None:
                raise DokgenError(_("{code}: no such verification code in the register").format(code=code))
            if entry.status == "revoked":
                raise DokgenError(_("{code}: revoked already ({reason})").format(code=entry.code, reason=entry.reason))
            self.conn.execute("UPDATE documents SET status = 'revoked', reason = ?, revoked_on = ? WHERE code = ?",
                              (reason, on.isoformat(), entry.code))
        return self.get(entry.code)  # type: ignore[return-value]


def open_readonly(root: Path) -> sqlite3.Connection | None:
    """A read-only connection for checks that must write nothing; None if there is no register."""
    path = Path(root) / REGISTER_FILE
    if not path.is_file():
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    conn.row_factory = sqlite3.Row
    return conn


# --- verify ----------------------------------------------------------------------------------


@dataclass
class Verdict:
    ok: bool
    message: str
    entry: Entry | None


def verify_file(root: Path, path: Path) -> Verdict:
    """Whether the file at path is a document the register issued and still stands by."""
    from .files import read_regular

    try:
        data = read_regular(path, 512 << 20, "a document to verify")
    except OSError as exc:
        raise DokgenError(_("{path}: cannot read: {reason}").format(path=path, reason=exc.strerror)) from None
    digest = hashlib.sha256(data).hexdigest()
    conn = open_readonly(root)
    if conn is None:
        return Verdict(False, "tidak terdaftar " + _("(this workspace has no register yet)"), None)
    try:
        entry = _by_hash(conn, digest)
    finally:
        conn.close()
    if entry is None:
        return Verdict(False, "tidak terdaftar: " + _("no document with these exact bytes was issued (a changed copy is not the issued document)"), None)
    return Verdict(entry.status == "issued", entry.state, entry)


def _by_hash(conn: sqlite3.Connection, sha256: str) -> Entry | None:
    """The entry a file of these bytes was issued under (the latest, should one be issued twice)."""
    row = conn.execute(
        "SELECT d.* FROM documents d JOIN files f ON f.code = d.code WHERE f.sha256 = ? ORDER BY d.issued_on DESC, d.rowid DESC",
        (sha256,)).fetchone()
    return Entry.from_row(row) if row else None


def entry_lines(entry: Entry) -> list[str]:
    """An entry as verify and `register list` print it."""
    lines = [f"kode verifikasi: {entry.code}", f"keadaan: {entry.state}", f"perihal: {entry.subject}"]
    numbers = [n for n in entry.numbers if n]
    if numbers:
        lines.append(f"nomor: {'; '.join(numbers)}")
    for p in entry.parties:
        signer = f" (ditandatangani {p['signer']}, {p['position']})" if p.get("signer") else ""
        lines.append(f"pihak: {p['name']}{signer}")
    lines.append(f"tanggal terbit: {entry.issued_on}")
    return lines


def entries_csv(entries: list[Entry]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(["kode", "jenis", "rekaman", "nomor", "perihal", "para_pihak", "penanda_tangan", "tanggal_terbit", "keadaan"])
    for e in entries:
        out.writerow([e.code, e.kind, e.record_id, "; ".join(n for n in e.numbers if n), e.subject,
                      "; ".join(p["name"] for p in e.parties), "; ".join(p["signer"] for p in e.parties if p.get("signer")),
                      e.issued_on, e.state])
    return buffer.getvalue()


# --- check: the register against the records -------------------------------------------------


def register_disagrees(ws: Workspace):
    """Advice: where the records and the register tell different stories (read-only, never raises)."""
    from .errors import Location, Problem

    issued = [r for r in (*ws.mou.values(), *ws.labs.values()) if r.model.verification]
    try:
        conn = open_readonly(ws.root)
    except sqlite3.Error as exc:
        yield Problem(Location(REGISTER_FILE.as_posix(), 1, 1), "", _("cannot read the register: {reason}").format(reason=exc))
        return
    if conn is None:
        for rec in issued:
            yield Problem(rec.location("verification"), "verification",
                          _("{code} is not in any register: this workspace has no {path}; remove the line and run dokgen issue").format(
                              code=rec.model.verification, path=REGISTER_FILE.as_posix()))
        return
    try:
        entries = {row["code"]: Entry.from_row(row) for row in conn.execute("SELECT * FROM documents")}
    except sqlite3.Error as exc:
        yield Problem(Location(REGISTER_FILE.as_posix(), 1, 1), "", _("cannot read the register: {reason}").format(reason=exc))
        return
    finally:
        conn.close()
    carried = {}
    for rec in issued:
        code = rec.model.verification
        carried[code] = rec
        entry = entries.get(code)
        where, say = rec.location("verification"), lambda text: Problem(where, "verification", f"{code}: {text}")
        if entry is None:
            yield say(_("not in the register; the QR would lead nowhere: run dokgen issue to register the record under a new code"))
        elif (entry.kind, entry.record_id) != (rec.kind, rec.id):
            yield say(_("the register issued this code for {source}, not this record "
                        "(copied from it?); run dokgen issue to give this record its own code").format(
                source=f"{ISSUED_FOLDERS[entry.kind]}{entry.record_id}.yaml"))
        elif entry.status == "revoked":
            yield say(_("revoked ({reason}); its QR says dicabut; to issue the document anew, run dokgen issue (a new code)").format(reason=entry.reason))
        elif entry.status == "superseded":
            yield say(_("superseded by {new}, which this record no longer carries; write verification: {new} "
                        "back, or run dokgen issue").format(new=entry.superseded_by))
        elif rec.model.status != "final":
            yield say(_("issued, but the record is a draft again, so its documents carry no QR; set status: final, "
                        "or revoke the code (dokgen register revoke) if the document is withdrawn"))
        elif entry.record_digest != record_digest(ws, rec):
            yield say(_("the record (or a party it names) changed since it was issued on {day}: the documents built "
                        "now are not the registered ones; undo the change, or run dokgen issue again (a new code supersedes this one)").format(
                day=entry.issued_on))
    for code, entry in entries.items():
        if entry.status == "issued" and code not in carried:
            source = f"{ISSUED_FOLDERS[entry.kind]}{entry.record_id}.yaml"
            rec = ws.by_kind(entry.kind).get(entry.record_id)
            if rec is None:
                why = _("{source} no longer exists").format(source=source)
            else:
                why = _("{source} no longer carries the code (verification: {code})").format(source=source, code=rec.model.verification or "none")
            yield Problem(Location(REGISTER_FILE.as_posix(), 1, 1), "", _("{code} is issued, but {why}; write verification: {code} back, or revoke it: dokgen register revoke {code} --reason …").format(
                              code=code, why=why))


ISSUED_FOLDERS = {"mou": "records/mou/", "lab": "records/labs/"}  # the kinds `dokgen issue` takes, by folder
