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

import hashlib
import io
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .docx import (
    TEMPLATE_CODE, ZIP_EPOCH, ZIP_LEVEL, ZIP_MODE, ZIP_UNIX,
    LOGO_HEIGHT_MM, open_template, render_docx, set_core_properties, set_page_size, template_context, template_problem,
)

FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
LISTING_CHARS = "\t\a\n\f"


def render_docx_fast(template: Path, context: dict[str, Any], *, template_name: str, title: str) -> bytes:
    """Same contract and same bytes as render_docx, from a template prepared once per process."""
    # Templates whose footnotes hold template code (see PreparedDocx.__init__), and the rare
    # document whose pictures the prepared package cannot place as docxtpl would (see
    # _Pictures), take the plain docxtpl path: a few ms more each, the same bytes.
    prepared = prepare(template, template_name)
    if prepared is not None:
        try:
            return prepared.render(context, template_name=template_name, title=title)
        except _StepAside:
            pass
    return render_docx(template, context, template_name=template_name, title=title)


# --- the per-process cache ----------------------------------------------------------------------

_CACHE: dict[Path, tuple[bytes, PreparedDocx | None]] = {}
_CACHE_LOCK = threading.Lock()


def prepare(template: Path, template_name: str) -> PreparedDocx | None:
    """Return the prepared template (None: use render_docx), prepared again whenever the file changes.

    Keyed on the file's content (SHA-256 of the bytes read now), not its time and size: a
    template rewritten in place with the same size and an old modification time is a new
    template. Reading and hashing a template of a few dozen KB costs well under a
    millisecond, a small part of a render.
    """
    path = Path(template).resolve()
    data = path.read_bytes()
    key = hashlib.sha256(data).digest()
    with _CACHE_LOCK:
        hit = _CACHE.get(path)
        if hit is not None and hit[0] == key:
            return hit[1]
        prepared = PreparedDocx.from_bytes(data, template_name)
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
            from ..cache import compiled_template

            self.template = compiled_template(self.env, source)  # env.from_string, compiled once per user
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

    def __init__(self, tpl: Any, env: Any, data: bytes = b""):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        self.tpl = tpl
        self.data = data  # the template file, to lay out the packages with pictures (_with_pictures)
        self.lock = threading.Lock()
        doc = tpl.docx
        # What python-docx gives a picture docxtpl adds while rendering the body: the shape id
        # (one past the largest id of the template's document XML, the same for every picture
        # of a render), the next free relationship ids of the document part, in order, and the
        # images the template holds already (a logo equal to one of them would share its part).
        self.shape_id = doc.part.next_id
        used = set(doc.part.rels)
        self.free_rids = [r for r in (f"rId{n}" for n in range(1, len(used) + 2 + _MAX_PICTURES)) if r not in used]
        self.template_images = {p.sha1 for p in doc.part.package.image_parts}
        self.rels_name = doc.part.partname.rels_uri.lstrip("/")
        self.layouts: dict[tuple[str, ...], list[_Member | int] | None] = {}
        # Headers and footers vary little from one document to the next (the paraf boxes
        # follow the number of parties): each rendered variant is parsed, serialised and
        # deflated once, and kept by its rendered XML.
        self.variants: dict[str, tuple[bytes, tuple[int, int, bytes]]] = {}
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
            prepared = cls(tpl, make_env(), data)
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
        """Render one document to the bytes render_docx gives; raise _StepAside if it cannot."""
        pictures = _Pictures(self)
        ctx = template_context(context, pictures.picture)
        with self.lock:
            try:
                blobs = self._render_parts(ctx, title, pictures)
            except (MemoryError, _StepAside):
                raise  # the render guard (limits.py) names the record and the limit; docxtpl takes over
            except Exception as exc:  # Jinja's errors, and a filter's (ZeroDivisionError, TypeError)
                raise template_problem(exc, template_name) from None
            layout = self._with_pictures(pictures.used) if pictures.used else self.members
            deflated = dict(self.variants.values())  # identical parts (two equal footers) deflated once
        if layout is None:
            raise _StepAside()
        members = []
        for m in layout:
            if isinstance(m, int):  # the media part of the m-th picture, compressed once per logo
                logo = pictures.used[m]
                members.append(_Member(logo.partname(m, self), zipfile.ZIP_DEFLATED, logo.crc, len(logo.data), logo.deflated))
                continue
            blob = blobs.get(m.name)
            if blob is not None:
                if blob not in deflated:
                    deflated[blob] = _deflate(blob)
                m = _Member(m.name, zipfile.ZIP_DEFLATED, *deflated[blob])
            members.append(m)
        return _write_zip(members)

    def _with_pictures(self, logos: list[_Logo]) -> list[_Member | int] | None:
        """The members of a document with these pictures, as python-docx saves it; None: step aside.

        What the pictures change besides the body depends only on how many there are and of
        which kinds: a media part each (word/media/imageN.ext, numbered in order of first use),
        a relationship each in the document's .rels, a Default per extension in
        [Content_Types].xml. So the package is laid out once per sequence of extensions, by
        python-docx itself on a fresh copy of the template, and each media part is left as its
        picture's index, for render to fill with the logo's compressed bytes.
        """
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        key = tuple(logo.ext for logo in logos)
        if key in self.layouts:
            return self.layouts[key]
        part = open_template(io.BytesIO(self.data), "").docx.part
        slots: dict[str, int] = {}
        layout: list[_Member | int] | None = []
        for i, logo in enumerate(logos):
            image_part = part.package.get_or_add_image_part(io.BytesIO(logo.data))
            if part.relate_to(image_part, RT.IMAGE) != self.free_rids[i] or image_part.partname != "/" + logo.partname(i, self):
                layout = None  # not what the drawing XML of the body says: let docxtpl do it
            slots[image_part.partname.lstrip("/")] = i
        saved = io.BytesIO()
        part.package.save(saved)
        kept = {m.name: m for m in self.members}
        for m in _read_members(saved.getvalue()) if layout is not None else []:
            if m.name in slots:
                layout.append(slots[m.name])
            elif m.name in ("[Content_Types].xml", self.rels_name):
                layout.append(m)
            elif m.name in kept:
                layout.append(kept[m.name])
            else:
                layout = None
                break
        self.layouts[key] = layout
        return layout

    def _render_parts(self, ctx: dict[str, Any], title: str, pictures: _Pictures) -> dict[str, bytes]:
        """DocxTemplate.render minus the work done once; returns the XML of the changed parts."""
        from docx.opc.oxml import serialize_part_xml
        from docx.oxml.parser import parse_xml

        tpl, doc = self.tpl, self.tpl.docx
        tpl.render_init()  # keeps the loaded Document: it is never marked rendered
        body = pictures.fill(self._render_xml(self.body, ctx))
        pictures.in_body = False  # a picture in a header or footer: docxtpl relates it to that part
        tree = tpl.fix_tables(body)
        tpl.fix_docpr_ids(tree)
        tpl.map_tree(tree)
        blobs: dict[str, bytes] = {}
        done: dict[str, bytes] = {}
        for code in self.headers_footers:
            if code.source not in done:  # identical parts render alike: once is enough
                xml = self._render_xml(code, ctx)
                if xml not in self.variants:
                    if len(self.variants) >= _MAX_VARIANTS:
                        self.variants.clear()
                    # What map_headers_footers_xml and python-docx's save make of a header: the XML
                    # parsed by python-docx (blank text dropped) and serialised again. get_part_xml
                    # gives a string without an XML declaration, so docxtpl always encodes utf-8.
                    blob = serialize_part_xml(parse_xml(xml.encode("utf-8")))
                    self.variants[xml] = (blob, _deflate(blob))
                done[code.source] = self.variants[xml][0]
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


# --- pictures ------------------------------------------------------------------------------------

_MAX_PICTURES = 64  # distinct pictures in one document the relationship ids are worked out for


class _StepAside(Exception):
    """This document is left to docxtpl (render_docx): the prepared package cannot place it."""


@dataclass
class _Logo:
    """A cleaned logo as python-docx embeds it: bytes, SHA-1, extension, size, compressed bytes."""

    data: bytes
    sha1: str
    ext: str
    filename: str
    cx: int
    cy: int
    crc: int
    deflated: bytes

    def partname(self, index: int, prepared: PreparedDocx) -> str:
        # python-docx numbers image parts from 1 in order of addition, reusing gaps (none in a
        # template without pictures; _with_pictures checks it against python-docx's own choice)
        return f"word/media/image{len(prepared.template_images) + index + 1}.{self.ext}"


_LOGOS: dict[tuple[str, int], _Logo] = {}  # by SHA-1 of the cleaned bytes and height: a workspace has a few logos
_BLOBS: dict[int, tuple[bytes, _Logo]] = {}  # by the identity of clean_logo's (cached) bytes
_DRAWINGS: dict[tuple[str, str, int], str] = {}


def _logo(path: Path) -> _Logo:
    """The logo at path, cleaned by images.clean_logo and measured once per process."""
    from ..images import clean_logo

    data = clean_logo(path)[0]
    hit = _BLOBS.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    logo = _measured(data, LOGO_HEIGHT_MM)
    if len(_BLOBS) > 256:
        _BLOBS.clear()
    _BLOBS[id(data)] = (data, logo)
    return logo


def _measured(data: bytes, height_mm: int) -> _Logo:
    """A picture's bytes as python-docx embeds them at height_mm (a logo, or a document's QR)."""
    sha1 = hashlib.sha1(data).hexdigest()
    logo = _LOGOS.get((sha1, height_mm))
    if logo is None:
        from docx.image.image import Image
        from docx.shared import Mm

        image = Image.from_file(io.BytesIO(data))  # as InlineImage hands it to python-docx
        cx, cy = image.scaled_dimensions(None, Mm(height_mm))
        crc, _size, deflated = _deflate(data)
        logo = _Logo(data, sha1, image.ext, image.filename, cx, cy, crc, deflated)
        if len(_LOGOS) > 256:
            _LOGOS.clear()
        _LOGOS[(sha1, height_mm)] = logo
    return logo


class _Pictures:
    """The pictures of one render: each distinct image once, indexed in order of first use.

    This is what docxtpl's InlineImage does through python-docx when the body is rendered:
    the first use of an image adds its part and relationship (the next free rId), a later use
    of the same image (by SHA-1) reuses them, and the drawing XML is python-docx's own.
    """

    def __init__(self, prepared: PreparedDocx):
        self.prepared = prepared
        self.used: list[_Logo] = []
        self.index: dict[str, int] = {}  # SHA-1 -> position in used
        self.in_body = True

    def picture(self, source: Path | bytes, height_mm: int = LOGO_HEIGHT_MM) -> _Picture:
        # a path is a party's logo; bytes are a picture made for this document (its QR, qr.py),
        # placed like a logo: the package laid out per sequence of pictures, the bytes swapped in
        logo = _logo(source) if not isinstance(source, bytes) else _measured(source, height_mm)
        if logo.sha1 in self.prepared.template_images:
            raise _StepAside()  # it would share the template's own image part
        return _Picture(self, logo)

    def drawing(self, logo: _Logo) -> str:
        """What an InlineImage prints, with a token where python-docx's drawing XML goes.

        The drawing XML is indented with line breaks: in the rendered body they would make
        resolve_listing (three regex passes over every paragraph) run on every document. It
        never changes a drawing (it rewrites only w:t text, and a drawing holds no w:t, w:r or
        w:p tag), so the tokens stand in for the drawings until it has run (fill).
        """
        if not self.in_body or len(self.used) >= _MAX_PICTURES:
            raise _StepAside()
        if logo.sha1 not in self.index:
            self.index[logo.sha1] = len(self.used)
            self.used.append(logo)
        # InlineImage._insert_image: the drawing in a run of its own, within the text's run
        return f'</w:t></w:r><w:r><w:drawing>{_token(self.index[logo.sha1])}</w:drawing></w:r><w:r><w:t xml:space="preserve">'

    def fill(self, xml: str) -> str:
        """The body XML with python-docx's drawing XML in place of each token."""
        from docx.oxml.shape import CT_Inline

        for i, logo in enumerate(self.used):
            key = (logo.sha1, self.prepared.free_rids[i], self.prepared.shape_id)
            if key not in _DRAWINGS:
                if len(_DRAWINGS) > 1024:
                    _DRAWINGS.clear()
                _DRAWINGS[key] = CT_Inline.new_pic_inline(key[2], key[1], logo.filename, logo.cx, logo.cy).xml
            xml = xml.replace(_token(i), _DRAWINGS[key])
        return xml


def _token(index: int) -> str:
    # a tag: record text, escaped, cannot spell it
    return f"<dokgen-picture-{index}/>"


class _Picture:
    """A party's `logo` in the template context: prints as the drawing, as an InlineImage does."""

    def __init__(self, pictures: _Pictures, logo: _Logo):
        self.pictures, self.logo = pictures, logo

    def __html__(self) -> str:
        return self.pictures.drawing(self.logo)

    __str__ = __html__


# --- zip, with compressed bytes reused ----------------------------------------------------------

_MAX_VARIANTS = 64  # rendered header and footer variants kept per template


def _deflate(blob: bytes) -> tuple[int, int, bytes]:
    """CRC-32, size and raw deflate of a member, as zipfile writes it at normalise_zip's level."""
    compressor = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    return zlib.crc32(blob), len(blob), compressor.compress(blob) + compressor.flush()


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
