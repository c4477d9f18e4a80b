"""Render a lab record into its end-of-lab report, out/labs/<id>.pdf, with WeasyPrint.

The HTML template (templates/html/lab-report.html) is trusted, record text is not: it is
autoescaped by Jinja and never marked safe, so markup typed into a record (an <img> or a
<link rel=attachment>) is printed as text. On top of that WeasyPrint runs with a URL
fetcher that loads only files inside the workspace's templates/ and assets/ (after
resolving symlinks) and data: URLs. Anything else stops the render, and the build fails
with a message naming the URL. Problems WeasyPrint only logs (a missing image, a font
that cannot be loaded) fail the build too.

The PDF is reproducible: the creation date comes from the report date, logos are passed
as data: URLs (so no workspace path reaches the file), and nothing depends on the clock,
the time zone or the current directory. Same records, same bytes.

`import weasyprint` costs ~0.45 s, so it happens only inside the functions that render,
through weasy.load() (which spares it ~0.3 s of native-library look-ups).
The cyclic garbage collector is paused while a report is rendered (see gc_paused).
"""

from __future__ import annotations

import base64
import functools
import logging
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ..errors import DokgenError
from ..i18n import N_, _
from ..files import MAX_LOGO_BYTES, MAX_TEMPLATE_BYTES, FileRefused, check_regular, read_regular
from . import weasy

if TYPE_CHECKING:
    from ..build import Options, Rendered
    from ..records import Record, Workspace

TEMPLATE = "html/lab-report.html"
ALLOWED_FOLDERS = ("templates", "assets")
FONTS_FOLDER = "html/fonts"

# Content types by suffix: a fixed table, so that the system's mime.types cannot change
# what WeasyPrint is told.
MIME_TYPES = {
    ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff",
    ".woff2": "font/woff2", ".icc": "application/vnd.iccprofile",
}

# WeasyPrint warnings that make the PDF machine-dependent: treated as errors.
_FATAL_WARNINGS = ("Font-face",)


class URLRefused(DokgenError):
    """A URL that the report may not load (outside templates/ and assets/, or not file:/data:)."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(_("refused to load {url}: {reason}").format(url=url, reason=reason))


def allowed_path(root: Path, url: str) -> Path:
    """Return the file a file: URL names if it lies inside root/templates or root/assets.

    The path is resolved first (symlinks followed, '..' removed), so a link inside assets/
    that points elsewhere is refused like the place it points to. Raise URLRefused.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise URLRefused(url, _(_POLICY))
    if parts.netloc not in ("", "localhost"):
        raise URLRefused(url, _("files on another host are never loaded; {policy}").format(policy=_(_POLICY)))
    raw = url2pathname(parts.path)  # it decodes %XX itself: decoding first too made '%2520' of '%20' a space
    if "\x00" in raw:
        raise URLRefused(url, _("the path holds a NUL character"))
    path = Path(raw)
    if not path.is_absolute():
        raise URLRefused(url, _("not an absolute file URL; {policy}").format(policy=_(_POLICY)))
    resolved = path.resolve()
    for folder in ALLOWED_FOLDERS:
        base = (Path(root) / folder).resolve()
        if resolved.is_relative_to(base):
            if resolved.exists() and not resolved.is_file():
                raise URLRefused(url, _("not a regular file"))
            return resolved
    raise URLRefused(url, _(_POLICY))


_POLICY = N_("a report may load only files inside the workspace's templates/ and assets/ folders, and data: URLs")


@functools.cache
def _fetcher_class() -> type:
    """Define the fetcher on first use: it subclasses WeasyPrint's, so it imports it."""
    weasy.load()
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class RefusedFetch(FatalURLFetchingError):
        """Stops the render: WeasyPrint lets only fatal fetch errors through."""

        def __init__(self, refusal: URLRefused):
            self.refusal = refusal
            super().__init__(str(refusal))

    class WorkspaceFetcher(URLFetcher):
        """Serve files inside root/templates and root/assets, and data: URLs; refuse the rest."""

        Refused = RefusedFetch

        def __init__(self, root: Path):
            # No HTTP at all: only file and data are even considered, no redirects.
            super().__init__(timeout=5, allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=False)
            self.root = Path(root)
            self.refused: list[URLRefused] = []
            self.loaded: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            try:
                path = allowed_path(self.root, url)
                data = read_regular(path, MAX_TEMPLATE_BYTES, "a file a report loads")
            except URLRefused as refusal:
                self.refused.append(refusal)
                raise RefusedFetch(refusal) from None
            except FileRefused as exc:  # a huge file, or a pipe swapped in: named, not hung on
                refusal = URLRefused(url, exc.strerror)
                self.refused.append(refusal)
                raise RefusedFetch(refusal) from None
            self.loaded.append(url)
            mime = MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
            return URLFetcherResponse(url, data, {"Content-Type": mime})

    return WorkspaceFetcher


def workspace_fetcher(root: Path) -> Any:
    """Return a WeasyPrint URL fetcher confined to root/templates, root/assets and data: URLs."""
    return _fetcher_class()(root)


def gc_paused():
    """The collector paused for one render (collector.paused): a render builds hundreds of
    thousands of long-lived objects, and the collector walked them over and over: 5 % of a
    12-page render and about 10 % of a 37-page one (bench/bench_pdf.py). What a render leaves
    in cycles is a few MB, collected as usual after it; render_guard's memory limit still
    bounds a render."""
    from ..collector import paused

    return paused()


class _LogCollector(logging.Handler):
    """Keep WeasyPrint's warnings and errors of one render."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _message(record: logging.LogRecord) -> str:
    try:
        return " ".join(record.getMessage().split())
    except Exception:  # a malformed log call must not hide the real problem
        return str(record.msg)


def render_pdf(html: str, *, base_url: str, fetcher: Any, pdf_variant: str | None) -> tuple[bytes, list[str]]:
    """Render HTML to PDF bytes with fetcher; return (bytes, WeasyPrint warnings).

    Raise URLRefused when a refused URL was asked for, DokgenError when WeasyPrint logged
    an error (it renders on without the resource) or could not load a font.
    """
    weasyprint = weasy.load()
    from weasyprint.pdf import VARIANTS

    if pdf_variant is not None and pdf_variant not in VARIANTS:
        known = ", ".join(sorted(VARIANTS))
        raise DokgenError(_("--pdf-variant {variant} is not a PDF variant WeasyPrint {version} knows; use one of: {known}, or none").format(
            variant=repr(pdf_variant), version=weasyprint.__version__, known=known))

    logger = logging.getLogger("weasyprint")
    collector = _LogCollector()
    previous_level = logger.level
    logger.addHandler(collector)
    logger.setLevel(logging.WARNING)
    try:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        data = document.write_pdf(pdf_variant=pdf_variant)
    except fetcher.Refused as exc:
        raise exc.refusal from None
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous_level)

    if fetcher.refused:  # refused where WeasyPrint swallows even fatal errors (SVG drawing)
        raise fetcher.refused[0]
    errors = [_message(r) for r in collector.records if r.levelno >= logging.ERROR]
    errors += [_message(r) for r in collector.records if r.levelno < logging.ERROR and _message(r).startswith(_FATAL_WARNINGS)]
    if errors:
        raise DokgenError(_("WeasyPrint could not render the report: {errors}").format(errors="; ".join(dict.fromkeys(errors))))
    warnings = [_message(r) for r in collector.records if r.levelno < logging.ERROR]
    return data, list(dict.fromkeys(warnings))


def render_html(ws: Workspace, context: dict[str, Any]) -> str:
    """Render the report template of the workspace with context."""
    from ..templates import render_file

    return render_file(ws.root, TEMPLATE, context)


def _logo_data_urls(ws: Workspace, rec: Record, context: dict[str, Any]) -> None:
    """Give each logo a data: URL, loaded under the fetcher's rules.

    A data: URL names the image by its content, not by where the workspace lies on disk,
    so the PDF bytes do not depend on the workspace's folder. The image is the one the Word
    draft embeds too (images.clean_logo).
    """
    from ..images import LogoError, clean_logo

    for logo in context["logos"]:
        party = ws.parties[logo["party"]]
        url = Path(logo["path"]).absolute().as_uri()
        try:
            data, mime = clean_logo(allowed_path(ws.root, url))
        except URLRefused as refusal:
            where = party.location("logo")
            raise URLRefused(url, _("{reason}; it is the logo of party '{party}' ({where}) named by {source}: copy the image into assets/").format(
                reason=refusal.reason, party=party.id, where=where, source=rec.source)) from None
        except (OSError, LogoError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else _("the image {problem}").format(problem=exc)
            raise DokgenError(_("cannot use the logo of party '{party}' ({where}) named by {source}: {reason}").format(
                party=party.id, where=party.location("logo"), source=rec.source, reason=reason)) from None
        logo["src"] = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@functools.lru_cache(maxsize=8)
def _font_coverage(font_files: tuple[tuple[str, int], ...]) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for name, _mtime in font_files:
        try:
            with TTFont(name, lazy=True) as font:
                covered |= set(font.getBestCmap() or {})
        except Exception:  # not a font after all (fontTools raises many kinds): it covers nothing
            continue
    return frozenset(covered)


def _font_files(folder: Path) -> tuple[tuple[str, int], ...]:
    """The regular, sanely sized font files in folder (a named pipe there would hang fontTools)."""
    found = []
    for path in folder.glob("*.[ot]tf") if folder.is_dir() else ():
        try:
            st = path.stat()
            check_regular(path, st, MAX_TEMPLATE_BYTES, "a font")
        except OSError:
            continue
        found.append((str(path), st.st_mtime_ns))
    return tuple(sorted(found))


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def missing_glyphs(ws: Workspace, context: dict[str, Any]) -> list[str]:
    """Return the characters of the record text that the shipped report fonts lack."""
    folder = ws.root / "templates" / FONTS_FOLDER
    files = _font_files(folder)
    if not files:
        return []
    covered = _font_coverage(files)
    text = {c for s in _strings({k: v for k, v in context.items() if k != "logos"}) for c in s}
    return sorted(c for c in text if ord(c) not in covered and not c.isspace() and unicodedata.category(c)[0] != "C")


def produce_lab_report(ws: Workspace, rec: Record, options: Options) -> Rendered:
    """Render one lab record into out/labs/<id>.pdf."""
    from ..build import Rendered
    from ..context.lab import lab_context

    context = lab_context(ws, rec.id)
    _logo_data_urls(ws, rec, context)
    html = render_html(ws, context)
    base_url = (ws.root / "templates" / TEMPLATE).absolute().as_uri()
    try:
        with gc_paused():  # the first report of a process imports WeasyPrint here too
            fetcher = workspace_fetcher(ws.root)
            data, weasy_warnings = render_pdf(html, base_url=base_url, fetcher=fetcher, pdf_variant=options.pdf_variant)
    except URLRefused as refusal:
        raise URLRefused(refusal.url, _("{reason}; {template} or its stylesheet asks for it while rendering {source}").format(
            reason=refusal.reason, template=f"templates/{TEMPLATE}", source=rec.source)) from None

    warnings = [f"{rec.source}: WeasyPrint: {w}" for w in weasy_warnings]
    lacking = missing_glyphs(ws, context)
    if lacking:
        shown = ", ".join(f"U+{ord(c):04X} {c!r}" for c in lacking[:5]) + (", ..." if len(lacking) > 5 else "")
        warnings.append(_("{source}: the report font has no glyph for {characters}; a system font stands in, so the PDF may look different on another machine").format(
            source=rec.source, characters=shown))
    if options.pdf_variant == "pdf/x-4":
        warnings.append(_("{source}: WeasyPrint writes a random document id into PDF/X-4 files: two builds will differ").format(source=rec.source))
    return Rendered({f"labs/{rec.id}.pdf": data}, warnings)
