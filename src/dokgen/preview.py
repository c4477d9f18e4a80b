"""Page previews of a record's document: page count and PNG of page N.

A MoU is rendered to its Word draft in memory and converted by a warm LibreOffice
(convert.Converter); a lab report is the WeasyPrint PDF the build writes (taken from out/
when it is up to date there). Pages are drawn in process with pypdfium2. PDFs and pages are
cached by the output's input key (build.InputKeys: the record, what it references, its
templates, options and dokgen's version), so an unchanged record is never converted twice.
Press previews are the press HTML itself (`press_html`), shown by serve in a sandboxed iframe.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DokgenError

if TYPE_CHECKING:
    from .build import Job, Rendered
    from .convert import Converter

KINDS = {"mou": "mou/{id}.docx", "lab": "labs/{id}.pdf"}
DEFAULT_WIDTH = 800  # pixels: an A4 page beside a form
MAX_WIDTH = 2400
CACHED_PDFS = 32
CACHED_PAGES = 256


class PreviewError(DokgenError):
    """No such record, kind or page."""


class Previewer:
    """Previews of the documents of one workspace, for as long as serve runs.

    converter: a running convert.Converter to share; without one, LibreOffice is started on
    the first MoU preview and stopped by close(). Thread-safe.
    """

    def __init__(self, root: Path, *, converter: Converter | None = None):
        from .build import Options

        self.root = Path(root)
        self.options = Options()  # the build's options: keys match out/'s manifest
        self._converter = converter
        self._own_converter = converter is None
        self._lock = threading.RLock()
        self._pdfs: OrderedDict[str, bytes] = OrderedDict()
        self._pages: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self.conversions = 0  # PDFs made (not taken from a cache), for tests and the benchmark

    def __enter__(self) -> Previewer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._own_converter and self._converter is not None:
                self._converter.close()
                self._converter = None

    def key(self, kind: str, record_id: str) -> str:
        """The input key of the record's document now: it changes exactly when its preview does."""
        if kind not in (*KINDS, "press"):
            raise PreviewError(f"no previews of '{kind}'; there are: {', '.join((*KINDS, 'press'))}")
        with self._lock:
            return self._job(kind, record_id)[1]

    def page_count(self, kind: str, record_id: str) -> int:
        import pypdfium2 as pdfium

        key, pdf = self._pdf(kind, record_id)
        with self._lock:  # pdfium is not thread-safe
            doc = pdfium.PdfDocument(pdf)
            try:
                return len(doc)
            finally:
                doc.close()

    def page_png(self, kind: str, record_id: str, page: int, *, width: int = DEFAULT_WIDTH) -> bytes:
        """PNG bytes of page (from 1), width pixels wide."""
        import pypdfium2 as pdfium

        if not 16 <= width <= MAX_WIDTH:
            raise PreviewError(f"width {width}: give 16 to {MAX_WIDTH} pixels")
        key, pdf = self._pdf(kind, record_id)
        with self._lock:
            cached = self._pages.get((key, page, width))
            if cached is not None:
                self._pages.move_to_end((key, page, width))
                return cached
            doc = pdfium.PdfDocument(pdf)
            try:
                if not 1 <= page <= len(doc):
                    raise PreviewError(f"{kind} {record_id}: no page {page}; it has {len(doc)} page(s)")
                pdf_page = doc[page - 1]
                image = pdf_page.render(scale=width / pdf_page.get_width()).to_pil()
                pdf_page.close()
            finally:
                doc.close()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=False, compress_level=1)  # fast: it is sent once to a browser
            png = buffer.getvalue()
            _put(self._pages, (key, page, width), png, CACHED_PAGES)
            return png

    def press_html(self, record_id: str) -> str:
        """The press piece's web page as the build writes it."""
        with self._lock:
            job, _ = self._job("press", record_id)
            return self._run(job).files[f"press/{record_id}.html"].decode("utf-8")

    def _run(self, job: Job) -> Rendered:
        """Render under a build's limits; a bad record or template gives the build's located message."""
        from .executor import JOB_TIMEOUT_S, run_one

        outcome = run_one(0, self._ws, job, self.options, timeout=JOB_TIMEOUT_S)
        if outcome.error:
            raise DokgenError(outcome.error)
        return outcome.rendered

    # --- PDFs by input key -------------------------------------------------------------------------

    def _job(self, kind: str, record_id: str) -> tuple[Job, str]:
        from .build import InputKeys, plan
        from .cache import RecordCache
        from .records import load_workspace

        if kind not in (*KINDS, "press"):
            raise PreviewError(f"no previews of '{kind}'; there are: {', '.join((*KINDS, 'press'))}")
        ws = load_workspace(self.root, RecordCache(self.root / "out"))  # read each time: records change
        for job in plan(ws):
            if job.record.kind == kind and job.record.id == record_id:
                self._ws = ws
                return job, InputKeys(ws, self.options).key(job)
        raise PreviewError(f"no {kind} record '{record_id}' in {self.root / 'records'}")

    def _pdf(self, kind: str, record_id: str) -> tuple[str, bytes]:
        if kind not in KINDS:
            raise PreviewError(f"no page previews of '{kind}'; there are: {', '.join(KINDS)} (press is shown as its web page)")
        with self._lock:
            job, key = self._job(kind, record_id)
            cached = self._pdfs.get(key)
            if cached is not None:
                self._pdfs.move_to_end(key)
                return key, cached
            pdf = self._from_out(kind, record_id, key) or self._render(job, kind, record_id)
            _put(self._pdfs, key, pdf, CACHED_PDFS)
            return key, pdf

    def _from_out(self, kind: str, record_id: str, key: str) -> bytes | None:
        """The lab report the build wrote, when it was made from these very inputs."""
        from .files import MAX_TEMPLATE_BYTES, read_regular
        from .manifest import Manifest

        rel = KINDS[kind].format(id=record_id)
        if kind != "lab" or not Manifest(self.root / "out").is_fresh(rel, key):
            return None
        try:
            return read_regular(self.root / "out" / rel, MAX_TEMPLATE_BYTES, "the report")
        except (OSError, DokgenError):
            return None

    def _render(self, job: Job, kind: str, record_id: str) -> bytes:
        produced = self._run(job).files[KINDS[kind].format(id=record_id)]
        self.conversions += 1
        if kind == "lab":
            return produced
        if self._converter is None:
            from .convert import Converter

            self._converter = Converter()
        return self._converter.to_pdf(produced, name=f"records/mou/{record_id}.yaml")


def _put(cache: OrderedDict, key, value, limit: int) -> None:
    cache[key] = value
    while len(cache) > limit:
        cache.popitem(last=False)
