"""The signing PDF of a MoU: out/mou/<id>.pdf from the Word draft out/mou/<id>.docx as it stands.

A MoU is negotiated in Word and signed as a PDF. The PDF is made from the draft on disk, so
the edits a clerk made in Word are in it; the draft is built first only when it is missing,
or stale and still dokgen's own (an edited draft is never rebuilt under the clerk's hands).
The PDF is PDF/A-2b, the same draft always gives the same bytes, and it is written through
the Writer like every output (in the manifest; a PDF edited by hand is kept).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import __version__
from .errors import DokgenError, OutputError
from .i18n import N_, _

if TYPE_CHECKING:
    from .build import BuildReport, Job, Progress
    from .convert import Converter

PDF_VARIANT = b"pdf/a-2b"
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?Z?\s*</dcterms:modified>")


def signing_pdfs(
    root: Path,
    selection: list[Path] | None = None,
    *,
    converter: Converter | None = None,
    force: bool = False,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> BuildReport:
    """Write out/mou/<id>.pdf for the MoUs made from the selected records (all when none).

    converter: a running convert.Converter to use (serve passes its own); without one, a
    LibreOffice is started when the first PDF needs converting and stopped at the end.
    """
    from .build import BuildReport, Options, plan
    from .cache import RecordCache
    from .records import load_workspace

    root = Path(root)
    out_dir = root / "out"
    ws = load_workspace(root, RecordCache(out_dir))
    jobs = [job for job in plan(ws, selection) if job.record.kind == "mou"]
    if selection and not jobs:
        raise DokgenError(_("no MoU is made from the named records; name a file under records/mou/ (or a party of a MoU)"))
    report = BuildReport(notes=list(ws.notes))
    _build_missing_drafts(root, ws, jobs, Options(), report, timeout)

    started: list[Converter] = []

    def running() -> Converter:  # LibreOffice starts only when a PDF needs converting
        if converter is not None:
            return converter
        if not started:
            from .convert import Converter

            started.append(Converter(timeout=timeout) if timeout else Converter())
        return started[0]

    try:
        _convert_drafts(out_dir, jobs, report, running, force, progress)
    finally:
        for own in started:
            own.close()
    return report


def _build_missing_drafts(root: Path, ws, jobs: list[Job], options, report: BuildReport, timeout: float | None) -> None:
    """Build the drafts that are missing or stale, unless edited by hand (then say so)."""
    from .build import InputKeys, build
    from .manifest import Manifest

    manifest = Manifest(root / "out")
    keys = InputKeys(ws, options)
    todo = []
    for job in jobs:
        draft = f"mou/{job.record.id}.docx"
        state = manifest.wrote(draft)
        if state is False:
            entry = manifest.entries.get(draft)
            if entry is None or entry.key != keys.key(job):
                note = _("out/{draft} was edited by hand: its PDF is made from it as it stands "
                         "(the record changed since; those changes are not in it)")
            else:
                note = _("out/{draft} was edited by hand: its PDF is made from it as it stands")
            report.notes.append(note.format(draft=draft))
        elif state is None or not manifest.is_fresh(draft, keys.key(job)):
            todo.append(root / job.record.source)
    if todo:
        built = build(root, todo, options, kinds={"mou"}, timeout=int(timeout) if timeout else None)
        report.written += built.written
        report.warnings += built.warnings
        report.failed += built.failed
        report.kept += built.kept


def _convert_drafts(out_dir: Path, jobs: list[Job], report: BuildReport, running: Callable[[], Converter], force: bool,
                    progress: Progress | None) -> None:
    from .lock import BuildLock
    from .writer import Writer

    with BuildLock(out_dir):
        writer = Writer(out_dir, force=force)
        try:
            for done, job in enumerate(jobs, 1):
                status = _sign_one(out_dir, job.record.id, writer, running, report)
                if progress:
                    progress(done, len(jobs), job.record.source, status, [f"out/mou/{job.record.id}.pdf"])
        finally:
            try:
                writer.finish()
            except OutputError as exc:
                report.failed.append(str(exc))


def _sign_one(out_dir: Path, mou_id: str, writer, running: Callable[[], Converter], report: BuildReport) -> str:
    """Make one signing PDF unless it is up to date; return the status for the progress line."""
    from .files import MAX_TEMPLATE_BYTES, read_regular
    from .manifest import input_key

    draft, pdf_rel = f"mou/{mou_id}.docx", f"mou/{mou_id}.pdf"
    try:
        data = read_regular(out_dir / draft, MAX_TEMPLATE_BYTES, N_("the draft"))
    except (OSError, DokgenError) as exc:
        why = _("it was not built") if isinstance(exc, FileNotFoundError) else exc
        report.failed.append(_("out/{pdf}: no PDF: out/{draft}: {why}").format(pdf=pdf_rel, draft=draft, why=why))
        return "failed"
    if not _is_word_document(data):
        report.failed.append(_("out/{pdf}: no PDF: out/{draft} is not a Word document (.docx) any more; "
                               "save it from Word as a Word Document, or move it away to build it again").format(pdf=pdf_rel, draft=draft))
        return "failed"
    key = input_key([("draft", data), ("dokgen-version", __version__.encode()), ("variant", PDF_VARIANT)])
    if writer.is_fresh(pdf_rel, key):
        report.skipped.append(f"out/{pdf_rel}")
        return "up to date"
    return _publish_pdf(writer, running, pdf_rel, key, data, report)


def _publish_pdf(writer, running: Callable[[], Converter], pdf_rel: str, key: str, data: bytes, report: BuildReport) -> str:
    from .convert import PDF_A_2B, reproducible_pdf

    converter = running()  # LibreOffice missing stops the whole command with its message
    try:
        pdf = reproducible_pdf(converter.to_pdf(data, pdf_version=PDF_A_2B, name=f"out/{pdf_rel[:-4]}.docx"), data, draft_date(data))
        where = writer.publish(pdf_rel, key, pdf)
    except DokgenError as exc:  # ConversionError and OutputError: this PDF fails alone
        report.failed.append(str(exc))
        return "failed"
    _register_pdf(writer.out_dir, data, where, pdf, report)
    if where == pdf_rel:
        report.written.append(f"out/{pdf_rel}")
        return "built"
    report.kept.append((f"out/{pdf_rel}", f"out/{where}"))
    return "kept"


def _register_pdf(out_dir: Path, draft: bytes, where: str, pdf: bytes, report: BuildReport) -> None:
    """The PDF of an issued Word draft is registered under the draft's code (issuing.register_derived)."""
    from .issuing import register_derived

    try:
        code = register_derived(out_dir.parent, draft, f"out/{where}", pdf)
    except DokgenError as exc:
        report.failed.append(f"out/{where}: written, but not registered: {exc}")
        return
    if code:
        report.notes.append(f"out/{where} registered under {code} (the PDF of the issued Word draft)")


def _is_word_document(data: bytes) -> bool:
    """A .docx package; LibreOffice would turn anything else (a .doc saved under the name, a
    damaged file) into some PDF rather than fail, and that PDF must not be signed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def draft_date(docx: bytes) -> dt.datetime | None:
    """The draft's last-modified time from its core properties (Word sets it on save), if any."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as z:
            core = z.read("docProps/core.xml")[:1_000_000]
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    found = _MODIFIED.search(core)
    if not found:
        return None
    try:
        return dt.datetime.fromisoformat(found.group(1).decode()).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None
