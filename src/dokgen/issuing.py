"""`dokgen issue`: register a final MoU or lab report, give it its code, number and QR, write it.

One issue is one register transaction, begun IMMEDIATE, so a second `dokgen issue` (or a
save from serve) waits for the first to finish: sequence numbers and codes are never given
twice. Inside it: the record is read again (another issue may just have written it), a
code and, when the workspace numbers its own party's documents, the party's blank
`number` are written back into the record (yamlsave keeps the clerk's comments and
layout), the record's outputs are rendered and written like `dokgen build` writes them,
and the sha256 of each file issued is registered. Any failure undoes the record's write
and rolls the register back.

A hand-edited Word draft keeps the clerk's edits: the writer leaves the clerk's
out/mou/<id>.docx alone (as every build does) and the rendered document, with its QR, goes
beside it; issue then also stamps the QR and caption into a copy of the clerk's file,
under its last table (the signature blocks in a dokgen draft), as out/mou/<id>.terdaftar.docx,
and registers both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DokgenError, Location
from .i18n import _
from .register import ISSUED_FOLDERS

STAMPED = "{stem}.terdaftar.docx"


@dataclass
class Issued:
    """What one `dokgen issue` did."""

    code: str
    record: str
    payload: str
    files: list[tuple[str, str]] = field(default_factory=list)  # (out/ path, sha256) registered by this issue
    numbers: list[str] = field(default_factory=list)  # numbers given now
    superseded: str | None = None
    again: bool = False  # the record was issued before and is unchanged: same code, same bytes
    kept: list[tuple[str, str]] = field(default_factory=list)  # hand-edited file, where the new version went


def issue(root: Path, record_file: Path, today: dt.date | None = None) -> Issued:
    """Issue the record at record_file (a final MoU or lab report) in the workspace at root."""
    from .register import Register

    root = Path(root)
    today = today or dt.date.today()
    ws, rec = _load(root, record_file)  # a draft or an invalid workspace stops here, before the register is touched
    with Register.open(root, create=True) as reg, reg.transaction():
        ws, rec = _load(root, record_file)  # again under the write lock: the latest text of the record
        return _issue(root, ws, rec, reg, today)


def _load(root: Path, record_file: Path):
    from .build import _source_of
    from .records import load_workspace

    ws = load_workspace(root)
    source = _source_of(ws, record_file)
    rec = next((r for r in ws.records() if r.source == source), None)
    if rec is None or rec.kind not in ISSUED_FOLDERS:
        raise DokgenError(_("{source}: only an MoU ({mou}) or a lab report ({lab}) is issued").format(
            source=source, mou=ISSUED_FOLDERS["mou"], lab=ISSUED_FOLDERS["lab"]))
    if rec.model.status != "final":
        implicit = _(" (a lab report without status: counts as a draft)") if "status" not in rec.doc.data else ""
        raise DokgenError(
            _("{status}{implicit}; only a final document is issued (registered, numbered and given "
              "its QR); set status: final once the text is agreed, then issue it").format(status=rec.model.status, implicit=implicit),
            location=rec.location("status") if "status" in rec.doc.data else Location(rec.source, 1, 1), field="status")
    return ws, rec


def _issue(root: Path, ws, rec, reg, today: dt.date) -> Issued:
    from . import yamlsave
    from .qr import payload
    from .register import describe, new_code, record_digest

    old_code = rec.model.verification
    if old_code:
        entry = reg.get(old_code)
        if entry is not None and entry.status == "issued" and entry.record_digest == record_digest(ws, rec):
            # unchanged since issued: the same code, the same bytes; files made since (a
            # hand-edited copy stamped now) are registered too
            done = Issued(old_code, rec.source, payload(old_code, ws.register.verification_url), again=True)
            _write_outputs(root, ws, rec, reg, done)
            return done

    code = new_code()
    while reg.get(code) is not None:  # 8.5e11 codes: a clash is all but impossible, but cheap to rule out
        code = new_code()
    data = _plain_copy(rec.doc.data)
    numbers = _fill_numbers(ws, rec, reg, data, today)
    data["verification"] = code
    path = root / rec.source
    old_text = path.read_text(encoding="utf-8")
    version = yamlsave.text_version(old_text)
    yamlsave.save_text(path, yamlsave.update_text(old_text, data, source=rec.source), expected_version=version)
    try:
        from .records import load_workspace

        ws = load_workspace(root)
        rec = ws.by_kind(rec.kind)[rec.id]
        reg.add(code, rec.kind, rec.id, record_digest(ws, rec), describe(ws, rec), today)
        for number, scope, seq in numbers:
            reg.add_number(number, scope, seq, code)
        done = Issued(code, rec.source, payload(code, ws.register.verification_url), numbers=[n for n, _, _ in numbers])
        previous = reg.get(old_code) if old_code else None
        if previous is not None and (previous.kind, previous.record_id) == (rec.kind, rec.id):
            reg.supersede(old_code, code)  # only this record's own earlier code, never one copied from another
            done.superseded = old_code
        _write_outputs(root, ws, rec, reg, done)
    except BaseException:
        yamlsave.save_text(path, old_text)  # the register rolls back; the record goes back as it was
        raise
    return done


def _plain_copy(value):
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    return value


def _fill_numbers(ws, rec, reg, data: dict, today: dt.date) -> list[tuple[str, str, int]]:
    """Give the workspace's own party its number in an MoU where it is blank; return (number, scope, seq)."""
    from .register import format_number, sequence_scope

    numbering = ws.register.numbering
    if rec.kind != "mou" or numbering is None:
        return []
    given = []
    for i, ref in enumerate(rec.model.parties):
        if ref.party == numbering.party and not ref.number:
            scope = sequence_scope(numbering.pattern, numbering.party, today)
            seq = reg.next_number(scope)
            number = format_number(numbering.pattern, seq, numbering.kode, today)
            data["parties"][i]["number"] = number
            given.append((number, scope, seq))
    return given


def _write_outputs(root: Path, ws, rec, reg, done: Issued) -> None:
    """Render the record's outputs as `dokgen build` would, write them, register each file's hash."""
    from .build import PRODUCERS, BuildReport, InputKeys, Job, Options, _publish
    from .executor import JOB_TIMEOUT_S, run_one
    from .lock import BuildLock
    from .writer import Writer

    options = Options()
    job = Job(rec, PRODUCERS[rec.kind])
    _template_has_a_place(root, job.producer.templates[0])
    outcome = run_one(0, ws, job, options, timeout=JOB_TIMEOUT_S)
    if outcome.error:
        raise DokgenError(_("{reason}; nothing was issued").format(reason=outcome.error))
    key = InputKeys(ws, options).key(job)
    out_dir = root / "out"
    report = BuildReport()
    with BuildLock(out_dir):
        writer = Writer(out_dir)
        _publish(writer, report, key, outcome.rendered)
        if report.failed:
            raise DokgenError(_("{reason}; nothing was issued").format(reason="; ".join(report.failed)))
        stamped: list[tuple[str, bytes]] = []
        for edited, new in report.kept:  # the clerk's file stays; a stamped copy keeps their edits with the QR
            if edited.endswith(".docx"):
                clerk = (root / edited).read_bytes()
                name = "mou/" + STAMPED.format(stem=Path(edited).name.removesuffix(".docx"))
                data = stamp_docx(clerk, done.code, done.payload)
                where = writer.publish(name, hashlib.sha256(clerk + done.payload.encode()).hexdigest(), data)
                stamped.append((f"out/{where}", data))
        writer.finish()
    done.kept = report.kept
    for relpath, data in outcome.rendered.files.items():
        went = next((new for edited, new in report.kept if edited == f"out/{relpath}"), f"out/{relpath}")
        _register(reg, done, went, data)
    for name, data in stamped:
        _register(reg, done, name, data)


def _template_has_a_place(root: Path, entry: str) -> None:
    """Refuse to issue through a workspace template made before the QR had a place in it.

    `dokgen init` copies the templates into each workspace; one copied before this dokgen
    would issue a document without its QR and caption, silently.
    """
    import zipfile

    from .templates import template_path

    path = template_path(root, entry)
    try:
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                text = z.read("word/document.xml").decode("utf-8", "replace")
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return  # the render reports a template it cannot read, with its own words
    if "verification" not in text:
        raise DokgenError(_("templates/{entry} has no place for the QR and its caption (verification); copy the template "
                            "of a new workspace (dokgen init) over it, keeping your changes, then issue again").format(entry=entry))


def _register(reg, done: Issued, name: str, data: bytes) -> None:
    """Register one file's hash; done.files lists those registered now (not again)."""
    digest = hashlib.sha256(data).hexdigest()
    if reg.add_file(done.code, name, digest):
        done.files.append((name, digest))


def register_derived(root: Path, source: bytes, name: str, data: bytes) -> str | None:
    """Register a file made from an issued file (the signing PDF of an issued Word draft).

    `dokgen pdf` converts out/mou/<id>.docx as it stands: when those bytes are a registered
    file of a document still issued, the PDF is registered under the same code. Returns the
    code, or None when the source is not an issued file (a draft, an edited copy).
    """
    from .register import REGISTER_FILE, Register

    if not (Path(root) / REGISTER_FILE).is_file():
        return None
    with Register.open(root) as reg, reg.transaction():
        entry = reg.by_hash(hashlib.sha256(source).hexdigest())
        if entry is None or entry.status != "issued":
            return None
        reg.add_file(entry.code, name, hashlib.sha256(data).hexdigest())
        return entry.code


def stamp_docx(data: bytes, code: str, qr_payload: str) -> bytes:
    """The clerk's Word file with the QR and its caption in a paragraph under its last table.

    In a dokgen draft the last table holds the signature blocks; in a file whose tables
    were all removed the mark goes at the end of the text. Nothing else is touched.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from .qr import QR_HEIGHT_MM, caption, qr_png
    from .render.docx import normalise_zip

    doc = Document(io.BytesIO(data))
    picture = doc.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    picture.add_run().add_picture(io.BytesIO(qr_png(qr_payload)), height=Mm(QR_HEIGHT_MM))
    words = doc.add_paragraph()
    words.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = words.add_run(caption(code))
    run.font.size = Pt(7)
    tables = doc.element.body.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tbl")
    if tables:  # move both paragraphs right under the last table
        anchor = tables[-1]
        anchor.addnext(words._p)
        anchor.addnext(picture._p)
    out = io.BytesIO()
    doc.save(out)
    return normalise_zip(out.getvalue())
