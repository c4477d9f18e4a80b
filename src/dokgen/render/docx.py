"""Render a Word template with docxtpl into reproducible .docx bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import TemplateProblem

if TYPE_CHECKING:
    from ..build import Options, Rendered
    from ..records import Record, Workspace

# Zip entries carry a timestamp; a fixed one makes two builds byte-identical.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
LOGO_HEIGHT_MM = 22


def produce_mou(ws: Workspace, rec: Record, options: Options) -> Rendered:
    """Render one MoU record into out/mou/<id>.docx."""
    from ..build import Rendered, template_path
    from ..context.common import record_title
    from ..context.mou import mou_context

    name = "docx/mou.docx"
    data = render_docx(template_path(ws, name), mou_context(ws, rec.id), template_name=f"templates/{name}", title=record_title(rec))
    return Rendered({f"mou/{rec.id}.docx": data})


def render_docx(template: Path, context: dict[str, Any], *, template_name: str, title: str) -> bytes:
    """Render template with context; return the bytes of a reproducible .docx file."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage
    from jinja2 import TemplateError

    from ..templates import make_env

    try:
        tpl = DocxTemplate(str(template))
        tpl.init_docx()
    except Exception as exc:  # python-docx raises zipfile/KeyError/lxml errors for a bad file
        raise TemplateProblem(f"{template_name}: not a readable Word document ({exc})") from exc

    ctx = dict(context)
    if "parties" in ctx:
        ctx["parties"] = [
            {**p, "logo": InlineImage(tpl, str(p["logo_path"]), height=Mm(LOGO_HEIGHT_MM)) if p.get("logo_path") else None}
            for p in ctx["parties"]
        ]
    try:
        tpl.render(ctx, jinja_env=make_env(), autoescape=True)
    except TemplateError as exc:
        around = " / ".join(s.strip() for s in getattr(exc, "docx_context", []) if s.strip())
        near = f" near: {around[:300]}" if around else ""
        raise TemplateProblem(f"{template_name}: {exc.message or exc}{near}") from exc

    doc = tpl.docx
    width_mm, height_mm = ctx["doc"]["paper_mm"] if "doc" in ctx else (210, 297)
    for section in doc.sections:
        section.page_width, section.page_height = Mm(width_mm), Mm(height_mm)

    # Properties are set after rendering so record text is never compiled as a template.
    signed = ctx.get("signing", {}).get("date", dt.date(2000, 1, 1))
    stamp = dt.datetime(signed.year, signed.month, signed.day, tzinfo=dt.timezone.utc)
    props = doc.core_properties
    props.title = title[:250]
    props.subject = ctx.get("doc", {}).get("type", "")
    props.author = "dokgen"
    props.last_modified_by = "dokgen"
    props.language = "id-ID"
    props.created = props.modified = stamp
    props.revision = 1

    buffer = io.BytesIO()
    tpl.save(buffer)
    return normalise_zip(buffer.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, keeping the entry order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename), compresslevel=6)
    return out.getvalue()
