"""One warm LibreOffice for signing PDFs and previews.

Starting LibreOffice costs about 0.9 s; converting a MoU in a running one costs a tenth of
that. A Converter starts LibreOffice once (per command, or per serve process) with a private
profile in a temporary folder, so the user's own LibreOffice settings are never read or
changed, and converts documents through it in turn.

How it talks to LibreOffice: LibreOffice's Python bridge (`uno`, Debian's python3-uno) is
built for the system Python and cannot be imported by dokgen's virtual environment, whatever
Python that runs. So the Converter runs uno_bridge.py under a Python that can import uno (the
one bundled beside soffice, else the system python3) and talks to it over a pipe; the bridge
talks to soffice over LibreOffice's own UNO socket (a named pipe). That is unoserver's
client/server split without the XML-RPC server and without a package to install into the
system Python. Each document has a time limit; LibreOffice stuck past it, or dead (crashed,
killed), is stopped and started again, and the next document converts normally. If dokgen
itself dies, the bridge sees its pipe close and tells LibreOffice to quit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import queue
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from .errors import DokgenError
from .i18n import _

PACKAGE = "libreoffice-writer-nogui"  # Debian's LibreOffice without the desktop parts
UNO_PACKAGE = "python3-uno"
START_SECONDS = 60.0  # a first start with a fresh profile takes ~2 s here; a loaded machine more
DOCUMENT_SECONDS = 60.0
PDF_A_2B = 2  # LibreOffice's SelectPdfVersion: 0 plain PDF 1.6, 1 PDF/A-1b, 2 PDF/A-2b, 3 PDF/A-3b
BRIDGE = Path(__file__).with_name("uno_bridge.py")


class ConversionError(DokgenError):
    """LibreOffice is missing, would not start, or could not convert a document."""


def find_soffice(setting: str | None = None) -> str:
    """Return the soffice program: the setting (or DOKGEN_SOFFICE), else soffice on PATH."""
    setting = setting or os.environ.get("DOKGEN_SOFFICE")
    if setting:
        found = shutil.which(setting)
        if found is None:
            raise ConversionError(_("LibreOffice not found at {setting} (DOKGEN_SOFFICE); "
                                    "install it (Debian: apt-get install {package}) or point DOKGEN_SOFFICE at soffice")
                                  .format(setting=setting, package=PACKAGE))
        return found
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConversionError(_("LibreOffice is needed for PDFs and previews of Word drafts, and soffice is not on PATH; "
                            "install it (Debian: apt-get install {package})").format(package=PACKAGE))


def find_uno_python(soffice: str) -> str:
    """Return a Python that can import uno: DOKGEN_UNO_PYTHON, LibreOffice's own, the system's, ours."""
    program = Path(os.path.realpath(soffice)).parent
    candidates = [os.environ.get("DOKGEN_UNO_PYTHON"), str(program / "python"), "/usr/bin/python3",
                  shutil.which("python3"), sys.executable]
    for python in dict.fromkeys(c for c in candidates if c):
        if shutil.which(python) and subprocess.run([python, "-c", "import uno"], capture_output=True).returncode == 0:
            return python
    raise ConversionError(_("LibreOffice is installed but its Python bridge is not; "
                            "install it (Debian: apt-get install {package}) or set DOKGEN_UNO_PYTHON").format(package=UNO_PACKAGE))


class Converter:
    """A running LibreOffice that turns Word documents into PDF bytes, one at a time.

    Use as a context manager (or call close()): LibreOffice and its temporary profile are
    removed at the end. Safe to share between threads (conversions queue behind a lock).
    """

    def __init__(self, *, soffice: str | None = None, timeout: float = DOCUMENT_SECONDS):
        self.soffice = find_soffice(soffice)
        self.python = find_uno_python(self.soffice)
        self.timeout = timeout
        self.starts = 0  # how many times LibreOffice was started (restarts included)
        self._lock = threading.Lock()
        self._office: subprocess.Popen | None = None
        self._bridge: subprocess.Popen | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._folder: Path | None = None
        self._count = 0

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- life of the LibreOffice process ---------------------------------------------------------

    def _start(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="dokgen-office-"))
        pipe = f"dokgen-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        args = [self.soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
                "--nolockcheck", "--nofirststartwizard", f"-env:UserInstallation={(self._folder / 'profile').as_uri()}",
                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"]
        # its own session: the launcher and soffice.bin are stopped together, by process group
        self._office = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        self._bridge = subprocess.Popen([self.python, str(BRIDGE), f"pipe,name={pipe}", str(START_SECONDS)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, bufsize=1)
        self._answers = queue.Queue()
        threading.Thread(target=_pump, args=(self._bridge.stdout, self._answers), daemon=True).start()
        self.starts += 1
        answer = self._answer(START_SECONDS + 5)
        if answer is None or not answer.get("ok"):
            self._stop()
            why = answer.get("error") if answer else _("no answer within {seconds:.0f} s").format(seconds=START_SECONDS)
            raise ConversionError(_("LibreOffice ({program}) did not start: {why}").format(program=self.soffice, why=why))

    def _answer(self, seconds: float) -> dict | None:
        try:
            line = self._answers.get(timeout=seconds)
        except queue.Empty:
            return None
        return json.loads(line) if line else _bridge_stopped()

    def _alive(self) -> bool:
        return (self._office is not None and self._office.poll() is None
                and self._bridge is not None and self._bridge.poll() is None)

    def office_pids(self) -> list[int]:
        """The processes of the running LibreOffice (launcher and soffice.bin), for tests and diagnostics."""
        if self._office is None:
            return []
        group = self._office.pid
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == group:  # field 5 of stat: the process group
                    pids.append(int(entry))
        return sorted(pids)

    def _stop(self) -> None:
        """Stop the bridge and LibreOffice's whole process group; remove the profile."""
        if self._bridge is not None:
            try:
                self._bridge.stdin.close()
            except OSError:
                pass
            _end(self._bridge, group=False)
            self._bridge = None
        if self._office is not None:
            _end(self._office, group=True)
            self._office = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def close(self) -> None:
        with self._lock:
            self._stop()

    # --- conversion ------------------------------------------------------------------------------

    def to_pdf(self, docx: bytes, *, pdf_version: int = 0, name: str = "document") -> bytes:
        """Convert the bytes of a Word document into PDF bytes (pdf_version as LibreOffice numbers it).

        name is only used in messages. Raises ConversionError when LibreOffice cannot convert
        the document or takes longer than the time limit (then it is restarted for the next one).
        """
        with self._lock:
            for attempt in (1, 2):
                if not self._alive():
                    self._stop()
                    self._start()
                self._count += 1
                src = self._folder / f"in-{self._count}.docx"
                dst = self._folder / f"out-{self._count}.pdf"
                src.write_bytes(docx)
                try:
                    self._bridge.stdin.write(json.dumps({"src": str(src), "dst": str(dst), "pdf_version": pdf_version}) + "\n")
                    self._bridge.stdin.flush()
                    answer = self._answer(self.timeout)
                except (BrokenPipeError, OSError):
                    answer = _bridge_stopped()
                if answer is None:
                    self._stop()
                    raise ConversionError(_("{name}: LibreOffice took longer than {seconds:.0f} s to convert it; "
                                            "it was stopped (the next document starts a fresh one)").format(name=name, seconds=self.timeout))
                if answer.get("ok"):
                    try:
                        return dst.read_bytes()
                    finally:
                        src.unlink(missing_ok=True)
                        dst.unlink(missing_ok=True)
                src.unlink(missing_ok=True)
                if not answer.get("dead") and self._alive():
                    raise ConversionError(_("{name}: LibreOffice could not convert it: {why}").format(name=name, why=answer.get("error")))
                self._stop()  # LibreOffice died (crash, kill): a fresh one gets the document once more
            raise ConversionError(_("{name}: LibreOffice stopped twice while converting it: {why}").format(name=name, why=answer.get("error")))


def _bridge_stopped() -> dict:
    """The answer a bridge that went away gives: the document is tried once more on a fresh one."""
    return {"ok": False, "error": _("the UNO bridge stopped"), "dead": True}


def _pump(stream, answers: queue.Queue) -> None:
    """Move the bridge's answer lines into a queue, so that waiting for one can time out."""
    for line in stream:
        answers.put(line)
    answers.put(None)


def _end(proc: subprocess.Popen, *, group: bool) -> None:
    """Ask proc (with its process group) to stop, then kill it after two seconds."""
    for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig) if group else proc.send_signal(sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(wait)
            if not group:
                return
            # the launcher may be gone while soffice.bin still runs in the group
            os.killpg(proc.pid, 0)
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return
        time.sleep(0.05)


# --- reproducible PDF bytes ----------------------------------------------------------------------


def reproducible_pdf(pdf: bytes, source: bytes, when: dt.datetime | None = None) -> bytes:
    """Return pdf with LibreOffice's per-run noise fixed, so one draft always gives one file.

    LibreOffice writes the conversion time, a random document ID and XMP UUIDs into every PDF.
    Here the dates become `when` (the draft's own date; 2000-01-01 if it has none), the IDs are
    derived from the draft's bytes, and the producer names dokgen. PDF/A identification stays.
    """
    import pikepdf

    when = (when or dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    digest = hashlib.sha256(source).hexdigest()
    doc_uuid = f"uuid:{uuid.UUID(digest[:32])}"
    producer = "dokgen (LibreOffice)"
    with pikepdf.open(io.BytesIO(pdf)) as pdf_doc:
        with pdf_doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            stamp = when.isoformat().replace("+00:00", "Z")
            for field in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
                if field in meta or field != "xmp:MetadataDate":
                    meta[field] = stamp
            meta["pdf:Producer"] = producer
            meta["xmpMM:DocumentID"] = doc_uuid
            meta["xmpMM:InstanceID"] = doc_uuid
        _fix_icc_dates(pdf_doc, when)
        if "/DocChecksum" in pdf_doc.trailer:  # LibreOffice's own checksum of the noisy original
            del pdf_doc.trailer["/DocChecksum"]
        info = pdf_doc.docinfo
        pdf_date = when.strftime("D:%Y%m%d%H%M%SZ")  # the same instant as the XMP (PDF/A wants them to agree)
        info["/CreationDate"] = pdf_date
        info["/ModDate"] = pdf_date
        info["/Producer"] = producer
        # The /ID's first half is permanent (qpdf keeps it): derived from the draft; the second
        # half becomes a hash of the content (whose dates are now fixed), not of the saving time.
        pdf_doc.trailer.ID = pikepdf.Array([pikepdf.String(bytes.fromhex(digest[:32]))] * 2)
        out = io.BytesIO()
        pdf_doc.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


def _fix_icc_dates(pdf_doc, when: dt.datetime) -> None:
    """Set the creation date in the header of each output-intent ICC profile (PDF/A's sRGB) to when.

    LittleCMS stamps the profile it makes for every export with the current time (bytes 24-35).
    A profile ID (MD5, bytes 84-99) would cover the date: one that is set is computed again.
    """
    for intent in pdf_doc.Root.get("/OutputIntents", []):
        stream = intent.get("/DestOutputProfile")
        if stream is None:
            continue
        icc = bytearray(stream.read_bytes())
        if len(icc) < 128:
            continue
        icc[24:36] = struct.pack(">6H", when.year, when.month, when.day, when.hour, when.minute, when.second)
        if any(icc[84:100]):
            hashed = bytearray(icc)
            for start, end in ((44, 48), (64, 68), (84, 100)):
                hashed[start:end] = bytes(end - start)
            icc[84:100] = hashlib.md5(hashed).digest()
        stream.write(bytes(icc))  # compressed again when the PDF is saved
