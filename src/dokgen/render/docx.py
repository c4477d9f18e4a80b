"""Render a Word template with docxtpl into reproducible .docx bytes.

`render_docx` is the reference: plain docxtpl, the template reloaded for every document.
`produce_mou` uses the prepared fast path of docx_fast.py, which writes the same bytes;
the helpers below are shared by both so that they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable

from ..errors import Location, TemplateProblem
from ..i18n import _

if TYPE_CHECKING:
    from docxtpl import DocxTemplate

    from ..build import Options, Rendered
    from ..records import Record, Workspace

# Zip entries carry a timestamp and the creating system; fixed values (and a fixed deflate
# level) make two builds byte-identical on any machine.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
ZIP_UNIX = 3
ZIP_MODE = 0o644 << 16
ZIP_LEVEL = 6
LOGO_HEIGHT_MM = 22
MOU_TEMPLATE = "docx/mou.docx"
# The core properties docxtpl renders as templates (DocxTemplate.render_properties).
RENDERED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
TEMPLATE_CODE = re.compile(r"\{[{%#]")
# An underscore beside a brace or percent sign: docxtpl unescapes `{_{ }_} {_% %_}` (below).
UNDERSCORE_BY_CODE = re.compile(r"(?<=[{}%])_|_(?=[{}%])")


def produce_mou(ws: Workspace, rec: Record, options: Options) -> Rendered:
    """Render one MoU record into out/mou/<id>.docx."""
    from ..build import Rendered
    from ..templates import template_path
    from ..context.common import record_title
    from ..context.mou import mou_context
    from .docx_fast import render_docx_fast

    data = render_docx_fast(template_path(ws.root, MOU_TEMPLATE), mou_context(ws, rec.id), template_name=f"templates/{MOU_TEMPLATE}", title=record_title(rec))
    return Rendered({f"mou/{rec.id}.docx": data})


def prepare_mou(ws: Workspace) -> None:
    """Prepare the MoU template of ws in this process (docx_fast's cache), so forked workers inherit it."""
    from ..templates import template_path
    from .docx_fast import prepare

    try:
        prepare(template_path(ws.root, MOU_TEMPLATE), f"templates/{MOU_TEMPLATE}")
    except Exception:  # noqa: BLE001 - a template that cannot be prepared fails each job with its message
        pass


def render_docx(template: Path, context: dict[str, Any], *, template_name: str, title: str) -> bytes:
    """Render template with context; return the bytes of a reproducible .docx file."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    from ..images import clean_logo
    from ..templates import make_env

    tpl = open_template(str(template), template_name)
    def picture(source: Path | bytes, height_mm: int = LOGO_HEIGHT_MM) -> InlineImage:
        data = source if isinstance(source, bytes) else clean_logo(source)[0]
        return InlineImage(tpl, io.BytesIO(data), height=Mm(height_mm))

    ctx = template_context(context, picture)
    try:
        tpl.render(ctx, jinja_env=make_env(), autoescape=True)
    except MemoryError:
        raise  # the render guard (limits.py) names the record and the limit
    except Exception as exc:  # Jinja's errors, and a filter's (ZeroDivisionError, TypeError)
        raise template_problem(exc, template_name) from None

    set_page_size(tpl.docx.sections, ctx)
    # Properties are set after rendering so record text is never compiled as a template.
    set_core_properties(tpl.docx.core_properties, ctx, title)
    buffer = io.BytesIO()
    tpl.save(buffer)
    return normalise_zip(buffer.getvalue())


def open_template(source: str | IO[bytes], template_name: str) -> DocxTemplate:
    """Load a Word template; refuse one python-docx cannot read or whose properties hold template code.

    docxtpl would render such properties as templates; dokgen sets the properties itself
    after rendering (record data must never be compiled), so template code there is a mistake.
    """
    from docxtpl import DocxTemplate

    from ..wordpackage import PackageTooLarge, check_sizes

    try:
        check_sizes(source)  # python-docx reads every part into memory: refuse a zip bomb first
        tpl = DocxTemplate(source)
        tpl.init_docx()
    except PackageTooLarge as exc:
        raise TemplateProblem(f"{exc.finding.part or 'package'}: {exc}", location=Location(template_name, 1, 1)) from None
    except Exception as exc:  # python-docx raises zipfile/KeyError/lxml errors for a bad file
        raise TemplateProblem(_("{template}: not a readable Word document ({error})").format(template=template_name, error=exc)) from exc
    props = tpl.docx.core_properties
    coded = [name for name in RENDERED_PROPERTIES if TEMPLATE_CODE.search(getattr(props, name) or "")]
    if coded:
        raise TemplateProblem(_("{template}: the document properties {properties} hold template code; "
                                "dokgen fills the properties itself, so remove it (File > Info > Properties in Word)").format(
                                    template=template_name, properties=", ".join(coded)))
    return tpl


def template_context(context: dict[str, Any], image: Callable[..., Any] | None) -> dict[str, Any]:
    """The context the Word template sees: each party's logo_path becomes `logo`, a picture or None,
    and an issued document's QR (verification.qr_png) becomes `verification.qr`, a picture.

    Record text is made safe from docxtpl's unescaping too (see keep_literal).
    """
    from ..qr import QR_HEIGHT_MM

    ctx = keep_literal(context)
    if "parties" in ctx:
        ctx["parties"] = [{**p, "logo": image(p["logo_path"]) if p.get("logo_path") else None} for p in ctx["parties"]]
    if ctx.get("verification"):
        ctx["verification"] = {**ctx["verification"], "qr": image(ctx["verification"]["qr_png"], QR_HEIGHT_MM)}
    return ctx


def keep_literal(value: Any) -> Any:
    """Return value with every text that could spell `{_{`, `}_}`, `{_%` or `%_}` protected.

    After rendering, docxtpl turns those four into `{{`, `}}`, `{%`, `%}` in the whole XML
    (its escape for template code typed in Word), record text included. Each underscore
    beside a brace or percent sign is written as the character reference `&#95;` (in a
    Markup string, so autoescape keeps it): the XML means the same `_`, but no replace can
    match, within one text or where two texts meet.
    """
    if isinstance(value, str):
        if "_" not in value or not UNDERSCORE_BY_CODE.search(value):  # the first test is ten times cheaper
            return value
        from markupsafe import Markup, escape

        return Markup(UNDERSCORE_BY_CODE.sub("&#95;", str(escape(value))))
    # Leaves that cannot need it (numbers, dates, texts without an underscore) are kept
    # without a call: a draft's context has some 300 of them.
    if isinstance(value, dict):
        return {k: keep_literal(v) if isinstance(v, _WALKED) and not (isinstance(v, str) and "_" not in v) else v for k, v in value.items()}
    if isinstance(value, list):
        return [keep_literal(v) if isinstance(v, _WALKED) and not (isinstance(v, str) and "_" not in v) else v for v in value]
    return value


_WALKED = (str, dict, list)


def template_problem(exc: Exception, template_name: str) -> TemplateProblem:
    """A located problem naming the template, quoting the paragraphs docxtpl attached to the error."""
    from ..templates import located_problem

    problem = located_problem(exc, None, template_name)
    around = " / ".join(s.strip() for s in getattr(exc, "docx_context", []) if s.strip())
    near = f" near: {' '.join(around.split())[:300]}" if around else ""
    return TemplateProblem(f"{problem.args[0]}{near}", location=Location(template_name, 1, 1))


def set_page_size(sections: Any, ctx: dict[str, Any]) -> None:
    """Give every section the paper of the record (A4 or F4)."""
    from docx.shared import Mm

    width_mm, height_mm = ctx["doc"]["paper_mm"] if "doc" in ctx else (210, 297)
    for section in sections:
        section.page_width, section.page_height = Mm(width_mm), Mm(height_mm)


def set_core_properties(props: Any, ctx: dict[str, Any], title: str) -> None:
    """Fill docProps/core.xml; dates are the signing date so the bytes do not depend on the clock."""
    signed = ctx.get("signing", {}).get("date", dt.date(2000, 1, 1))
    stamp = dt.datetime(signed.year, signed.month, signed.day, tzinfo=dt.timezone.utc)
    props.title = title[:250]
    props.subject = ctx.get("doc", {}).get("type", "")
    props.author = "dokgen"
    props.last_modified_by = "dokgen"
    props.language = "id-ID"
    props.created = props.modified = stamp
    # python-docx writes the year with strftime("%Y"), which gives "999", not the "0999" an
    # xsd:dateTime needs, for years before 1000: write the text itself (validation refuses
    # such years; this keeps core.xml valid whatever a caller passes).
    for name in ("created", "modified"):
        props._element._get_or_add(name).text = f"{stamp.year:04d}-{stamp:%m-%dT%H:%M:%SZ}"
    props.revision = 1


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, keeping the entry order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = ZIP_UNIX
            fixed.external_attr = ZIP_MODE
            dst.writestr(fixed, src.read(info.filename), compresslevel=ZIP_LEVEL)
    return out.getvalue()
