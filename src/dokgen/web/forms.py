"""The form of a record, walked from its pydantic model (model.py), never written per kind.

`form_for(cls)` turns a model class into a tree of Nodes that templates/form.html renders:
a text, textarea, select, date, number or reference input per scalar, a fieldset per
nested model, a repeatable group per list, a variant switch per tagged union (catalogue
scope or inline scope), key/value rows per mapping. A field added to the model appears in
the form by itself; only its Indonesian label (LABELS) is worth adding.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

# Field name -> label on the form. A field missing here shows its own name.
LABELS = {
    "name": "Nama", "title_prefix": "Gelar depan", "title_suffix": "Gelar belakang", "position": "Jabatan",
    "nip": "NIP", "acting": "Status pejabat (Pj/Plt/Plh)", "appointment": "Dasar penunjukan",
    "short_name": "Nama singkat", "type": "Jenis", "address": "Alamat", "logo": "Logo (berkas di assets/)",
    "signatory": "Penanda tangan", "title": "Judul", "description": "Uraian", "date": "Tanggal", "city": "Kota",
    "venue": "Tempat", "party": "Pihak", "number": "Nomor naskah", "document_type": "Jenis dokumen",
    "subject": "Perihal", "status": "Status", "signing": "Penandatanganan", "parties": "Para pihak",
    "recitals": "Pertimbangan (bahwa …)", "purpose": "Maksud dan tujuan", "scopes": "Ruang lingkup",
    "term_years": "Jangka waktu (tahun)", "funding": "Pembiayaan", "paper": "Ukuran kertas",
    "legal_basis": "Dasar hukum", "articles": "Pasal (pengaturan sendiri)", "ayat": "Ayat",
    "start": "Mulai", "end": "Selesai", "institution": "Instansi", "stage": "Tahap", "dates": "Tanggal",
    "summary": "Ringkasan", "problem": "Masalah", "ideas": "Ide inovasi", "host": "Tuan rumah",
    "organizer": "Penyelenggara", "mou": "Nota kesepahaman", "locus": "Lokus", "period": "Periode",
    "facilitators": "Fasilitator", "stages": "Tahapan", "units": "Unit kerja", "outcomes": "Hasil",
    "recommendations": "Rekomendasi", "report": "Laporan", "headline": "Judul berita", "dateline": "Dateline",
    "lab": "Laboratorium inovasi", "quotes": "Kutipan", "credit": "Kredit (mis. humas/lan)",
    "speaker": "Narasumber", "text": "Isi", "verb": "Kata kerja atribusi",
}
# Fields that hold a reference to another record: field name -> kind of that record.
REFERS = {"party": "party", "host": "party", "organizer": "party", "institution": "party",
          "mou": "mou", "lab": "lab", "speaker": "party", "scopes": "scope"}
# Prose fields get a textarea; everything else a one-line input.
LONG_TEXT = {"subject", "purpose", "funding", "recitals", "description", "summary", "problem", "text",
             "ayat", "outcomes", "recommendations", "address", "appointment"}
# Labels of the variants of a tagged union (model.py's Tag names).
VARIANTS = {"ref": "pilih yang terdaftar", "inline": "tulis di sini", "person": "orang lain",
            "switch": "aktif / nonaktif", "article": "teks sendiri"}


@dataclass
class Node:
    """One piece of a form. `widget` says which: text, textarea, select, date, number, ref,
    group, list, choice or mapping."""

    widget: str
    name: str = ""  # key in the parent mapping; "" for list items and union variants
    label: str = ""
    optional: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # kind a ref select lists
    children: list["Node"] = field(default_factory=list)  # group
    item: "Node | None" = None  # list item, mapping value
    variants: list[tuple[str, str, "Node"]] = field(default_factory=list)  # choice: (tag, label, node)
    min_items: int = 0

    def variant_of(self, value: Any) -> str:
        """The tag of the variant that shows value: a mapping is the group variant."""
        for tag, _, node in self.variants:
            if (node.widget == "group") == isinstance(value, dict):
                return tag
        return self.variants[0][0]


@lru_cache(maxsize=None)
def form_for(cls: type[BaseModel]) -> Node:
    """The form of a record kind (cached: the model does not change while serving)."""
    return _group(cls, "", "")


def _group(cls: type[BaseModel], name: str, label: str) -> Node:
    children = []
    for key, f in cls.model_fields.items():
        if key == "kind":  # the folder says the kind
            continue
        child = _node(f.annotation, key, f.metadata)
        child.optional = child.optional or not f.is_required()  # left empty: omitted, the default applies
        children.append(child)
    return Node("group", name, label, children=children)


def _unwrap(tp: Any) -> tuple[Any, bool, list[Any]]:
    """(type without Annotated and None, optional?, Annotated metadata)."""
    optional, meta = False, []
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            args = typing.get_args(tp)
            tp, meta = args[0], meta + list(args[1:])
        elif origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp):
            rest = [a for a in typing.get_args(tp) if a is not type(None)]
            optional = True
            tp = rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]
        else:
            return tp, optional, meta


def _node(tp: Any, name: str, metadata: list[Any] = ()) -> Node:
    tp, optional, meta = _unwrap(tp)
    meta = [*metadata, *meta]
    label = LABELS.get(name, name)
    origin = typing.get_origin(tp)
    min_items = next((m.min_length for m in meta if getattr(m, "min_length", None)), 0)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        node = _group(tp, name, label)
    elif origin is list:
        node = Node("list", name, label, item=_item(typing.get_args(tp)[0], name), min_items=min_items)
    elif origin is dict:
        node = Node("mapping", name, label, item=_item(typing.get_args(tp)[1], name))
    elif origin in (typing.Union, types.UnionType):
        node = Node("choice", name, label)
        for variant in typing.get_args(tp):
            tag = next((m.tag for m in typing.get_args(variant)[1:] if hasattr(m, "tag")), "") \
                if typing.get_origin(variant) is typing.Annotated else ""
            inner = _node(variant, name)
            inner.name, inner.label = "", ""
            node.variants.append((tag, VARIANTS.get(tag, tag), inner))
    elif origin is typing.Literal:
        node = Node("select", name, label, choices=tuple(str(c) for c in typing.get_args(tp)))
    elif tp is dt.date:
        node = Node("date", name, label)
    elif tp is int:
        node = Node("number", name, label)
    elif name in REFERS:
        node = Node("ref", name, label, ref=REFERS[name])
    else:
        node = Node("textarea" if name in LONG_TEXT else "text", name, label)
    node.optional = optional
    return node


def _item(tp: Any, name: str) -> Node:
    """A list item or mapping value: carries the list's name (for references, long text), no label."""
    node = _node(tp, name)
    node.name, node.label = "", ""
    return node


def empty_value(node: Node) -> Any:
    """The value of a fresh form: empty text, one item per required list item."""
    if node.widget == "group":
        return {c.name: empty_value(c) for c in node.children}
    if node.widget == "list":
        return [empty_value(node.item) for _ in range(node.min_items)]  # type: ignore[arg-type]
    if node.widget == "mapping":
        return {}
    return None
