"""Fast Word output: prepare a docxtpl template once per process, then render only what changes.

Plain docxtpl spends ~99% of a render reloading the package, re-running its `patch_xml`
regexes, recompiling Jinja and re-deflating every zip member. A PreparedDocx does that work
once per template file. A render is then what is left of `DocxTemplate.render`: the Jinja
render of the parts that hold template code (body, headers, footers), docxtpl's own
post-processing of their XML (unescapes, `resolve_listing`, `fix_tables`, `fix_docpr_ids`,
`map_tree`), the page size and core properties set by the helpers render_docx uses,
python-docx's serialisation of those few parts, their deflate, and a zip written around the
compressed bytes of every other member, kept from the prepare step.

The output is the file render_docx writes, byte for byte: the kept members come from
python-docx's own save of the prepared template (deflated by the same zlib at the level
normalise_zip uses), the rendered parts are serialised by the same python-docx code, and the
zip records carry normalise_zip's fixed fields, in python-docx's member order.
"""

from __future__ import annotations

import io
import os
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .docx import (
    TEMPLATE_CODE, ZIP_EPOCH, ZIP_LEVEL, ZIP_MODE, ZIP_UNIX,
    has_images, open_template, render_docx, set_core_properties, set_page_size, template_context, template_problem,
)

FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
LISTING_CHARS = "\t\a\n\f"


def render_docx_fast(template: Path, context: dict[str, Any], *, template_name: str, title: str) -> bytes:
    """Same contract and same bytes as render_docx, from a template prepared once per process."""
    # A logo becomes a docxtpl InlineImage, which adds a media part and a relationship to the
    # package while rendering: that changes members the fast path keeps as they are, so such
    # documents take the plain docxtpl path (a few ms more each). So do templates whose
    # footnotes hold template code (see PreparedDocx.__init__).
    prepared = prepare(template, template_name)
    if prepared is None or has_images(context):
        return render_docx(template, context, template_name=template_name, title=title)
    return prepared.render(context, template_name=template_name, title=title)


# --- the per-process cache ----------------------------------------------------------------------

_CACHE: dict[Path, tuple[tuple[int, int, int], PreparedDocx | None]] = {}
_CACHE_LOCK = threading.Lock()


def prepare(template: Path, template_name: str) -> PreparedDocx | None:
    """Return the prepared template (None: use render_docx), prepared again whenever the file changes."""
    path = Path(template).resolve()
    st = os.stat(path)
    # Stat before reading: a file replaced in between only costs one more prepare next time.
    # The inode catches an atomic replace that keeps size and (coarse) mtime.
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    with _CACHE_LOCK:
        hit = _CACHE.get(path)
        if hit is not None and hit[0] == key:
            return hit[1]
        prepared = PreparedDocx.from_bytes(path.read_bytes(), template_name)
        _CACHE[path] = (key, prepared)  # one entry per file: an old version is dropped
        return prepared


# --- a prepared template ------------------------------------------------------------------------


class _Compiled:
    """What DocxTemplate.render_xml_part is given as its Jinja environment.

    render_xml_part only calls `from_string(source)`. The first call, when preparing, compiles
    docxtpl's exact source (patched, one paragraph a line) with our environment and renders
    nothing; later calls (only to report an error, see _render_xml) return that template.
    """

    def __init__(self, env: Any):
        self.env = env
        self.template: Any = None

    def from_string(self, source: str) -> Any:
        if self.template is None:
            self.template = self.env.from_string(source)
            return _RendersNothing()
        return self.template


class _RendersNothing:
    def render(self, context: Any) -> str:
        return ""


@dataclass
class _Code:
    """One XML part holding template code: zip name, python-docx part, patched source, template."""

    name: str
    part: Any
    source: str
    compiled: _Compiled


@dataclass
class _Member:
    """A zip member as stored: name, method, CRC-32 and size of the data, compressed bytes."""

    name: str
    method: int
    crc: int
    size: int
    data: bytes


class PreparedDocx:
    """A docxtpl template read, patched and compiled once; `render` writes one document.

    It keeps the python-docx Document of the template: each render puts its body in, as
    DocxTemplate.render does on a fresh copy, and rewrites the core properties (always the
    same fields, so nothing leaks from one document to the next). A lock keeps threads from
    interleaving; worker processes each have their own.
    """

    def __init__(self, tpl: Any, env: Any):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        self.tpl = tpl
        self.lock = threading.Lock()
        doc = tpl.docx
        self.body = self._compile(doc.part, tpl.get_xml(), env)
        self.headers_footers = [
            self._compile(part, tpl.get_part_xml(part), env)
            for uri in (tpl.HEADER_URI, tpl.FOOTER_URI)
            for _, part in tpl.get_headers_footers(uri)
        ]
        # open_template read the properties, so python-docx has added a default part if there was none
        self.core_part = doc.part.package.part_related_by(RT.CORE_PROPERTIES)
        # Core properties and footnotes do not depend on the record: docxtpl renders them on
        # every call, here they are rendered once (properties with template code were refused
        # by open_template) and kept with the other members. Footnotes with template code are
        # left to docxtpl (render_docx).
        tpl.render_properties({}, env)
        self.supported = not any(
            TEMPLATE_CODE.search(tpl.patch_xml(part.blob.decode("utf-8")))
            for part in doc.part.package.parts if part.content_type == FOOTNOTES
        )
        if self.supported:
            tpl.render_footnotes({}, env)
        # python-docx's own save of the prepared package: exactly the members, order and
        # compressed bytes docxtpl's save writes for everything a render does not change.
        saved = io.BytesIO()
        doc.save(saved)
        self.members = _read_members(saved.getvalue())

    @classmethod
    def from_bytes(cls, data: bytes, template_name: str) -> PreparedDocx | None:
        from jinja2 import TemplateError

        from ..templates import make_env

        tpl = open_template(io.BytesIO(data), template_name)
        try:
            prepared = cls(tpl, make_env())
        except TemplateError as exc:
            raise template_problem(exc, template_name) from exc
        return prepared if prepared.supported else None

    def _compile(self, part: Any, xml: str, env: Any) -> _Code:
        """Patch the XML of one part with docxtpl's patch_xml; compile it as render_xml_part would."""
        source = self.tpl.patch_xml(xml)
        compiled = _Compiled(env)
        self.tpl.render_xml_part(source, part, {}, jinja_env=compiled)
        return _Code(str(part.partname).lstrip("/"), part, source, compiled)

    def render(self, context: dict[str, Any], *, template_name: str, title: str) -> bytes:
        """Render one document (a context without pictures) to the bytes render_docx gives."""
        ctx = template_context(context, None)  # no logo_path here: every `logo` is None
        with self.lock:
            try:
                blobs = self._render_parts(ctx, title)
            except MemoryError:
                raise  # the render guard (limits.py) names the record and the limit
            except Exception as exc:  # Jinja's errors, and a filter's (ZeroDivisionError, TypeError)
                raise template_problem(exc, template_name) from None
        deflated: dict[bytes, tuple[int, int, bytes]] = {}  # identical parts (two equal footers) once
        members = []
        for m in self.members:
            blob = blobs.get(m.name)
            if blob is not None:
                if blob not in deflated:
                    compressor = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)  # as zipfile does
                    deflated[blob] = (zlib.crc32(blob), len(blob), compressor.compress(blob) + compressor.flush())
                m = _Member(m.name, zipfile.ZIP_DEFLATED, *deflated[blob])
            members.append(m)
        return _write_zip(members)

    def _render_parts(self, ctx: dict[str, Any], title: str) -> dict[str, bytes]:
        """DocxTemplate.render minus the work done once; returns the XML of the changed parts."""
        from docx.opc.oxml import serialize_part_xml
        from docx.oxml.parser import parse_xml

        tpl, doc = self.tpl, self.tpl.docx
        tpl.render_init()  # keeps the loaded Document: it is never marked rendered
        tree = tpl.fix_tables(self._render_xml(self.body, ctx))
        tpl.fix_docpr_ids(tree)
        tpl.map_tree(tree)
        blobs: dict[str, bytes] = {}
        done: dict[str, bytes] = {}
        for code in self.headers_footers:
            if code.source not in done:  # identical parts render alike: once is enough
                # What map_headers_footers_xml and python-docx's save make of a header: the XML
                # parsed by python-docx (blank text dropped) and serialised again. get_part_xml
                # gives a string without an XML declaration, so docxtpl always encodes utf-8.
                done[code.source] = serialize_part_xml(parse_xml(self._render_xml(code, ctx).encode("utf-8")))
            blobs[code.name] = done[code.source]
        set_page_size(doc.sections, ctx)
        set_core_properties(doc.core_properties, ctx, title)
        blobs[self.body.name] = doc.part.blob
        blobs[str(self.core_part.partname).lstrip("/")] = self.core_part.blob
        return blobs

    def _render_xml(self, code: _Code, ctx: dict[str, Any]) -> str:
        """DocxTemplate.render_xml_part with the template compiled once.

        Its regex that takes out the line break it put before each <w:p> (so that Jinja errors
        point at a paragraph) becomes plain string replaces, and so does its regex that puts
        them in, done once when compiling (same result, ~0.2 ms a document saved); the four
        unescapes are docxtpl's; resolve_listing is skipped when it has nothing to do.
        """

        try:
            xml = code.compiled.template.render(ctx)
        except MemoryError:
            raise
        except Exception:
            # Render again through docxtpl: it raises the same error with its paragraph context.
            self.tpl.render_xml_part(code.source, code.part, ctx, jinja_env=code.compiled)
            raise
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        # resolve_listing turns \t \a \n \f in text into tabs, paragraphs, line and page breaks
        # with three nested regex passes over every paragraph; without any of those characters
        # it gives back the same string.
        return self.tpl.resolve_listing(xml) if any(c in xml for c in LISTING_CHARS) else xml


# --- zip, with compressed bytes reused ----------------------------------------------------------

_DOS_DATE = (ZIP_EPOCH[0] - 1980) << 9 | ZIP_EPOCH[1] << 5 | ZIP_EPOCH[2]
_DOS_TIME = ZIP_EPOCH[3] << 11 | ZIP_EPOCH[4] << 5 | ZIP_EPOCH[5] // 2
_VERSION = 20  # zipfile's DEFAULT_VERSION: what is needed to extract deflate
_UTF8_NAME = 0x800


def _read_members(data: bytes) -> list[_Member]:
    """Every member of a zip with its compressed bytes as stored, in order."""
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            # The local header's name and extra lengths say where the data starts.
            name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
            start = info.header_offset + 30 + name_len + extra_len
            members.append(_Member(info.filename, info.compress_type, info.CRC, info.file_size, data[start:start + info.compress_size]))
    return members


def _write_zip(members: list[_Member]) -> bytes:
    """A zip of members with the header fields zipfile writes for normalise_zip (no zip64).

    zipfile only writes data it compresses itself, hence these few records written here.
    """
    chunks, directory, offset = [], [], 0
    for m in members:
        try:
            name, flags = m.name.encode("ascii"), 0
        except UnicodeEncodeError:
            name, flags = m.name.encode("utf-8"), _UTF8_NAME
        fields = (flags, m.method, _DOS_TIME, _DOS_DATE, m.crc, len(m.data), m.size, len(name))
        chunks += [struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", _VERSION, 0, *fields, 0), name, m.data]
        directory += [struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", _VERSION, ZIP_UNIX, _VERSION, 0, *fields, 0, 0, 0, 0, ZIP_MODE, offset), name]
        offset += 30 + len(name) + len(m.data)
    central = b"".join(directory)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), offset, 0)
    return b"".join(chunks) + central + end
