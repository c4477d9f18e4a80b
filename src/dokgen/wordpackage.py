"""What a Word template may hold: no links out of the file, no code, no zip bomb.

Everything in templates/docx/mou.docx is copied into every MoU, and Word or LibreOffice
acts on some of it when the MoU is opened: an attached template, a linked picture or any
other relationship with TargetMode="External" is fetched; a macro project, OLE object or
ActiveX control runs code; INCLUDETEXT/INCLUDEPICTURE/DDE/LINK fields pull in other files
or programs; altChunk imports another document. A shared template must carry none of it.
And the package is a zip: a small file may declare members of gigabytes, so sizes are
checked before any member is read (python-docx reads them all into memory).

Only the zip's directory and the .rels and XML parts are read, each at most MAX_MEMBER_BYTES.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from .i18n import N_, _

MAX_MEMBER_BYTES = 64 << 20  # one part unpacked; the shipped template's largest is 40 KB
MAX_PACKAGE_BYTES = 256 << 20  # all parts unpacked; room for a few large letterhead pictures
MAX_MEMBERS = 2_000

# Parts that are code or foreign objects, by name (wherever they sit) and by content type.
# (word/printerSettings/*.bin, which Word often writes, is a printer's settings: harmless.)
CODE_PARTS = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml)$|(^|/)(activeX|embeddings)/", re.I)
CODE_TYPES = re.compile(r"macroEnabled|vbaProject|vbaData|activeX|oleObject", re.I)
# Relationship types that import or run something even when the target is inside the file.
CODE_RELATIONSHIPS = {
    "vbaProject": N_("a macro project"), "wordVbaData": N_("macro data"), "oleObject": N_("an OLE object"),
    "control": N_("an ActiveX control"), "activeXControlBinary": N_("an ActiveX control"), "package": N_("an embedded package"),
    "aFChunk": N_("an altChunk (another document imported when opened)"), "attachedTemplate": N_("an attached template"),
    "subDocument": N_("a subdocument"), "frame": N_("a frame loading another document"),
}
LINK_SCHEMES = ("http://", "https://", "mailto:")  # a clickable hyperlink fetches nothing by itself
FETCHING_FIELDS = re.compile(r"^\s*(INCLUDETEXT|INCLUDEPICTURE|INCLUDE|DDE|DDEAUTO|LINK|IMPORT|DATABASE)\b", re.I)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Finding:
    """Something a Word template must not carry: the part, a line in it (1 if none), why."""

    part: str
    line: int
    message: str


class PackageTooLarge(Exception):
    def __init__(self, finding: Finding):
        self.finding = finding
        super().__init__(finding.message)


def size_findings(z: zipfile.ZipFile) -> list[Finding]:
    """Members whose declared unpacked size is over the caps (the zip's directory only)."""
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        return [Finding("", 1, _("{count} parts in the package; a Word template has at most {limit}").format(count=f"{len(infos):,}", limit=f"{MAX_MEMBERS:,}"))]
    found = [Finding(i.filename, 1, _("unpacks to {size} bytes; a part may hold at most {limit} (a zip bomb?)").format(size=f"{i.file_size:,}", limit=f"{MAX_MEMBER_BYTES:,}"))
             for i in infos if i.file_size > MAX_MEMBER_BYTES]
    total = sum(i.file_size for i in infos)
    if not found and total > MAX_PACKAGE_BYTES:
        found.append(Finding("", 1, _("unpacks to {size} bytes in all; a template may hold at most {limit} (a zip bomb?)").format(size=f"{total:,}", limit=f"{MAX_PACKAGE_BYTES:,}")))
    return found


def check_sizes(source: str | Path | IO[bytes]) -> None:
    """Raise PackageTooLarge for the first member over the caps; BadZipFile if not a zip."""
    with zipfile.ZipFile(source) as z:
        found = size_findings(z)
    if found:
        raise PackageTooLarge(found[0])
    if hasattr(source, "seek"):
        source.seek(0)


def read_member(z: zipfile.ZipFile, name: str) -> bytes:
    """Read one member, stopping as soon as it unpacks to more than MAX_MEMBER_BYTES."""
    chunks, size = [], 0
    with z.open(name) as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            if size > MAX_MEMBER_BYTES:
                raise PackageTooLarge(Finding(name, 1, _("unpacks to more than {limit} bytes (a zip bomb?)").format(limit=f"{MAX_MEMBER_BYTES:,}")))
            chunks.append(chunk)
    return b"".join(chunks)


def inspect(path: Path) -> list[Finding]:
    """Everything in the Word package at path that reaches outside it or runs code."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    with zipfile.ZipFile(path) as z:
        found = size_findings(z)
        if found:
            return found
        names = z.namelist()
        found += [Finding(n, 1, "a macro, OLE or ActiveX part: code that Word or LibreOffice may run; remove it (save as .docx, not .docm)")
                  for n in names if CODE_PARTS.search(n)]
        for name in names:
            if not name.lower().endswith((".xml", ".rels")):
                continue
            try:
                tree = etree.fromstring(read_member(z, name), parser)
            except PackageTooLarge as exc:
                found.append(exc.finding)
                continue
            except etree.XMLSyntaxError as exc:
                found.append(Finding(name, exc.lineno or 1, _("not well-formed XML ({error})").format(error=exc.msg)))
                continue
            if name == "[Content_Types].xml":
                found += _content_types(name, tree)
            elif name.endswith(".rels"):
                found += _relationships(name, tree)
            else:
                found += _fields(name, tree)
    return found


def _content_types(name: str, tree: object) -> list[Finding]:
    return [Finding(name, el.sourceline or 1, _("content type {type} ({part}) is code or a foreign object; remove it").format(
                type=el.get("ContentType"), part=el.get("PartName") or el.get("Extension")))
            for el in tree.iter() if CODE_TYPES.search(el.get("ContentType") or "")]


def _relationships(name: str, tree: object) -> list[Finding]:
    found = []
    for rel in tree.iter(f"{{{REL_NS}}}Relationship"):
        kind = PurePosixPath(rel.get("Type") or "").name
        target = rel.get("Target") or ""
        label = f"{rel.get('Id')} ({kind})"
        if kind in CODE_RELATIONSHIPS:
            found.append(Finding(name, rel.sourceline or 1, _("relationship {label} is {what}, to {target}; Word and LibreOffice load or run it when the MoU is opened: remove it").format(
                label=label, what=_(CODE_RELATIONSHIPS[kind]), target=repr(target))))
        elif (rel.get("TargetMode") or "").lower() == "external" and not (kind == "hyperlink" and target.lower().startswith(LINK_SCHEMES)):
            found.append(Finding(name, rel.sourceline or 1, _("relationship {label} points outside the file to {target}, which is fetched when the MoU is opened; embed it in the template instead").format(
                label=label, target=repr(target))))
    return found


def _fields(name: str, tree: object) -> list[Finding]:
    """Field codes that fetch (in w:fldSimple, or spread over w:instrText runs) and w:altChunk."""
    found = []
    for el in tree.iter(f"{{{W_NS}}}fldSimple"):
        instr = el.get(f"{{{W_NS}}}instr") or ""
        if FETCHING_FIELDS.search(instr):
            found.append(Finding(name, el.sourceline or 1, _("field {field} pulls in another file or program when updated; remove the field").format(field=repr(instr.strip()[:80]))))
    for paragraph in tree.iter(f"{{{W_NS}}}p"):
        texts = list(paragraph.iter(f"{{{W_NS}}}instrText"))
        instr = "".join(t.text or "" for t in texts)
        if texts and FETCHING_FIELDS.search(instr):
            found.append(Finding(name, texts[0].sourceline or 1, _("field {field} pulls in another file or program when updated; remove the field").format(field=repr(instr.strip()[:80]))))
    found += [Finding(name, el.sourceline or 1, _("w:altChunk imports another document when the MoU is opened; paste its content instead"))
              for el in tree.iter(f"{{{W_NS}}}altChunk")]
    return found
