#!/usr/bin/env python3
"""Build ``templates/docx/mou.docx``: the docxtpl template of a Nota Kesepahaman.

Run from anywhere::

    python tools/make_mou_template.py [output.docx]

The template is a real Word document: staff open the rendered draft in Word and
keep editing it, so everything is expressed with Word styles (Normal, Title,
Heading 1 per Pasal, a few custom paragraph styles) instead of direct formatting,
and python-docx's default package is pruned of the parts a fresh Word document
would not carry (thumbnail, stylesWithEffects, bibliography customXml, unused
numbering and ~150 unused styles).

Jinja tags are always written as whole runs, so docxtpl never has to repair tags
split across runs.  Paragraph/row/cell control tags (``{%p``, ``{%tc``) sit alone
in their own paragraph or cell, as docxtpl requires.

The template expects the MoU context built by ``dokgen.context.mou``:
doc.{type, type_caps, subject, subject_caps, is_draft, meterai}; signing.{date,
city, venue}; parties[].{label, roman, name, name_caps, address, number, logo,
signatory.{full_name, position, position_caps, authority, nip}}; signature_rows and
paraf_rows (the parties in rows); recitals (each "bahwa …;"); articles[].{number,
title, paragraphs[].{style, label, text}}; closing_number.  Filters: date_in_words,
count_in_words, letter.
"""
from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls as _docx_nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "templates" / "docx" / "mou.docx"

FONT = "Arial"
LANG = "id-ID"  # so Word spell-checks the Indonesian text in Indonesian
# A4 text width with TND margins (21 - 3 - 2 cm).  Tables are sized to it.
TEXT_WIDTH = Cm(16)
# Blank printed where a party has no nomor naskah yet: visible and easy to overtype.
NUMBER_BLANK = "……………………………"
# Fixed package dates so that rebuilding the template gives identical metadata.
FIXED_DATE = dt.datetime(2024, 1, 1, 0, 0, 0)

# Styles kept from python-docx's default template; everything else is deleted.
KEEP_STYLES = {
    "Normal", "Default Paragraph Font", "Normal Table", "No List",
    "Title", "Heading 1", "Header", "Footer", "Table Grid",
}
# Custom paragraph styles, named in Indonesian so that editors recognise them.
STYLE_ITEM = "Butir"              # hanging-indent item: "I.", "a.", "(1)"
STYLE_SUBITEM = "Butir Ayat"      # "a." of a list inside an ayat, indented under its text
STYLE_SIGN = "Tanda Tangan"       # centred lines of the signature columns
STYLE_BOX = "Teks Kotak"          # small grey text in meterai/paraf boxes
STYLE_NUMBER = "Nomor Naskah"     # "NOMOR: ..." lines under the title
STYLE_STAMP = "Kotak Meterai"     # character style: thin grey box around "Meterai Rp..."



# --------------------------------------------------------------------------- helpers

# VML namespaces used by the watermark and settings; python-docx's nsmap lacks them.
_EXTRA_NS = {
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "w10": "urn:schemas-microsoft-com:office:word",
}


def nsdecls(*prefixes: str) -> str:
    return " ".join(f'xmlns:{p}="{_EXTRA_NS[p]}"' if p in _EXTRA_NS else _docx_nsdecls(p)
                    for p in prefixes)


class R:
    """A run of text with optional bold/underline.  Plain ``str`` parts are plain runs.

    python-docx turns ``\\t`` into ``<w:tab/>`` and ``\\n`` into ``<w:br/>`` inside the run.
    """

    def __init__(self, text: str, bold: bool = False, underline: bool = False):
        self.text, self.bold, self.underline = text, bold, underline


def B(text: str) -> R:
    return R(text, bold=True)


def add_par(container, *parts, style: str | None = None):
    """Append a paragraph made of ``parts`` (str or R) to a document/cell/header."""
    p = container.add_paragraph(style=style)
    for part in parts:
        if isinstance(part, str):
            part = R(part)
        run = p.add_run(part.text)
        if part.bold:
            run.bold = True
        if part.underline:
            run.underline = True
    return p


def tag_par(container, tag: str):
    """A paragraph holding only a docxtpl paragraph tag, e.g. ``{%p endfor %}``.

    docxtpl removes the whole paragraph, so its formatting never matters.
    """
    assert tag.startswith("{%p ") and tag.endswith("%}"), tag
    return container.add_paragraph(tag)


def make_tiny(paragraph):
    """Shrink an (empty) paragraph to 1 pt so it takes no visible room.

    Used for paragraphs Word requires (after a table, as a watermark anchor)
    that should not push the body text or header/footer around.
    """
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(1)  # python-docx writes lineRule="exact"
    # The paragraph mark's own font size decides the line height in Word; no API.
    pPr = paragraph._p.get_or_add_pPr()
    pPr.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>'))
    return paragraph


def set_rfonts(rPr, font: str = FONT):
    """Replace theme font references by a fixed font (theme fonts win over w:ascii)."""
    for old in rPr.findall(qn("w:rFonts")):
        rPr.remove(old)
    rPr.insert(0, parse_xml(
        f'<w:rFonts {nsdecls("w")} w:ascii="{font}" w:hAnsi="{font}" '
        f'w:eastAsia="{font}" w:cs="{font}"/>'))


def set_cell_width_auto(cell):
    """Drop a cell's preferred width so Word and LibreOffice size it from tblGrid.

    docxtpl's ``{%tc for %}`` copies the cell once per party and then rewrites
    only the table grid (``fix_tables``); a fixed tcW copied into every cell
    would fight that grid.
    """
    tcPr = cell._tc.get_or_add_tcPr()
    for tcW in tcPr.findall(qn("w:tcW")):
        tcPr.remove(tcW)
    tcPr.insert(0, parse_xml(f'<w:tcW {nsdecls("w")} w:w="0" w:type="auto"/>'))


def set_table_width(table, width_twips: int):
    tblPr = table._tbl.tblPr
    for old in tblPr.findall(qn("w:tblW")):
        tblPr.remove(old)
    tblW = parse_xml(f'<w:tblW {nsdecls("w")} w:w="{width_twips}" w:type="dxa"/>')
    # CT_TblPr order: tblStyle, tblpPr, tblOverlap, bidiVisual, tblStyleRowBandSize,
    # tblStyleColBandSize, tblW, jc, ...
    style = tblPr.find(qn("w:tblStyle"))
    if style is not None:
        style.addnext(tblW)
    else:
        tblPr.insert(0, tblW)


def set_table_borders(table, val: str = "single", size: int = 4, color: str = "auto"):
    """Direct borders on the table (python-docx has no border API)."""
    tblPr = table._tbl.tblPr
    for old in tblPr.findall(qn("w:tblBorders")):
        tblPr.remove(old)
    sides = "".join(
        f'<w:{side} w:val="{val}" w:sz="{size}" w:space="0" w:color="{color}"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    borders = parse_xml(f'<w:tblBorders {nsdecls("w")}>{sides}</w:tblBorders>')
    # tblBorders follows tblW/jc/tblCellSpacing/tblInd in CT_TblPr.
    anchor = None
    for name in ("w:tblInd", "w:tblCellSpacing", "w:jc", "w:tblW", "w:tblStyle"):
        anchor = tblPr.find(qn(name))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addnext(borders)
    else:
        tblPr.insert(0, borders)


def make_party_table(container, grid: int, width_twips: int, inner_rows: int = 1, rows_var: str | None = None):
    """A table whose rows hold one cell per party of ``row``: ``{%tc for p in row %}``
    repeats the content cell, spanning ``grid // row|length`` grid columns.  With
    ``rows_var`` the table rows are wrapped in ``{%tr for row in <rows_var> %}``, so
    ``inner_rows`` table rows are repeated per row of parties.

    The grid is fixed at ``grid`` equal columns (at least 3, for the two loop-tag cells
    around the content cell; every row length used must divide it), so a row of one
    party is centred across the width and a row of two halves it, and nothing depends
    on docxtpl's ``fix_tables`` (which headers and footers do not get).  Returns
    (table, [content cell of each inner row]).
    """
    loops = 2 if rows_var else 0
    if hasattr(container, "sections"):  # a Document; headers and footers need a width
        table = container.add_table(rows=inner_rows + loops, cols=grid)
    elif hasattr(container, "vertical_alignment"):  # a table cell: as wide as the cell
        table = container.add_table(inner_rows + loops, grid)
    else:
        table = container.add_table(inner_rows + loops, grid, width_twips)
    table.autofit = False  # tblLayout fixed: widths come from the grid, not content
    set_table_width(table, width_twips)
    for gridCol in table._tbl.tblGrid.findall(qn("w:gridCol")):
        gridCol.set(qn("w:w"), str(width_twips // grid))
    rows = list(table.rows)
    if rows_var:
        # Template view in Word: [for row] / [for p][content][endfor] ... / [endfor row].
        for row, tag in ((rows.pop(0), f"{{%tr for row in {rows_var} %}}"), (rows.pop(), "{%tr endfor %}")):
            row.cells[0].merge(row.cells[-1]).paragraphs[0].add_run(tag)
    contents = []
    for row in rows:
        cells = row.cells
        content = cells[1].merge(cells[grid - 2])
        cells[0].paragraphs[0].add_run("{%tc for p in row %}")
        cells[grid - 1].paragraphs[0].add_run("{%tc endfor %}")
        content.paragraphs[0].add_run(f"{{% colspan {grid} // row|length %}}")
        contents.append(content)
    strip_cell_widths(table)
    return table, contents


def strip_cell_widths(table):
    """Drop every tcW: docxtpl writes the colspan's gridSpan as the first child of tcPr,
    which is only schema-valid if no tcW precedes it; the grid decides the widths anyway."""
    for tc in table._tbl.iter(qn("w:tc")):
        tcPr = tc.get_or_add_tcPr()
        for tcW in tcPr.findall(qn("w:tcW")):
            tcPr.remove(tcW)


def set_cell_margins(table, left: int, right: int):
    """Default left/right cell margins of a table, in twips (CT_TblPr: before tblLook)."""
    table._tbl.tblPr.find(qn("w:tblLook")).addprevious(parse_xml(
        f'<w:tblCellMar {nsdecls("w")}><w:left w:w="{left}" w:type="dxa"/>'
        f'<w:right w:w="{right}" w:type="dxa"/></w:tblCellMar>'))


# --------------------------------------------------------------------------- package

def prune_package(document):
    """Drop parts of python-docx's default package that a clean template does not need.

    - stylesWithEffects.xml (440 kB copy of styles for Word 2010),
    - the bibliography customXml item, the Mac thumbnail.jpeg,
    - numbering.xml (the template uses typed "a."/"(1)" labels with hanging
      indents: Word list numbering would not restart per docxtpl loop).
    Parts no longer related are not written by python-docx.
    """
    part = document.part
    drop = {RT.CUSTOM_XML, RT.NUMBERING,
            "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"}
    for rId, rel in list(part.rels.items()):
        if rel.reltype in drop:
            del part.rels[rId]
    pkg = part.package
    for rId, rel in list(pkg.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg.rels[rId]


def setup_settings(document):
    """Rewrite settings.xml: no rsids/proof state, Indonesian theme language,
    header shape defaults for the VML watermark, Word 2013+ compatibility mode."""
    settings = document.settings.element
    for child in list(settings):
        settings.remove(child)
    xml = f"""<w:root {nsdecls("w", "o", "v")}>
      <w:zoom w:percent="100"/>
      <w:defaultTabStop w:val="720"/>
      <w:characterSpacingControl w:val="doNotCompress"/>
      <w:hdrShapeDefaults><o:shapedefaults v:ext="edit" spidmax="2050"/></w:hdrShapeDefaults>
      <w:compat>
        <w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>
        <w:compatSetting w:name="overrideTableStyleFontSizeAndJustification" w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>
        <w:compatSetting w:name="enableOpenTypeFeatures" w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>
        <w:compatSetting w:name="doNotFlipMirrorIndents" w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>
      </w:compat>
      <w:themeFontLang w:val="{LANG}"/>
      <w:clrSchemeMapping w:bg1="light1" w:t1="dark1" w:bg2="light2" w:t2="dark2" w:accent1="accent1" w:accent2="accent2" w:accent3="accent3" w:accent4="accent4" w:accent5="accent5" w:accent6="accent6" w:hyperlink="hyperlink" w:followedHyperlink="followedHyperlink"/>
      <w:shapeDefaults><o:shapedefaults v:ext="edit" spidmax="1026"/><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout></w:shapeDefaults>
      <w:decimalSymbol w:val=","/>
      <w:listSeparator w:val=";"/>
    </w:root>"""
    for child in parse_xml(xml):
        settings.append(child)


def setup_font_table(document):
    """Replace the default font table (Symbol, Cambria, MS Mincho, ...) by Arial."""
    for rel in document.part.rels.values():
        if rel.reltype == RT.FONT_TABLE:
            rel.target_part._blob = (
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:font w:name="{FONT}"><w:panose1 w:val="020B0604020202020204"/>'
                '<w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
                '</w:fonts>').encode("utf-8")


def set_properties(document):
    """Neutral, fixed metadata: the renderer fills title/author after rendering."""
    cp = document.core_properties
    cp.title = "Templat Nota Kesepahaman"
    cp.subject = ""
    cp.author = "dokgen"
    cp.last_modified_by = "dokgen"
    cp.comments = ""
    cp.keywords = ""
    cp.category = ""
    cp.language = LANG
    cp.revision = 1
    cp.created = FIXED_DATE
    cp.modified = FIXED_DATE
    for rel in document.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = (
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
                'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                "<Template>Normal.dotm</Template><TotalTime>0</TotalTime>"
                "<Application>dokgen</Application><DocSecurity>0</DocSecurity>"
                "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
                "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
                "</Properties>").encode("utf-8")


# --------------------------------------------------------------------------- styles

def _reset_style(style):
    """Strip a built-in style down to name/basedOn/next/qFormat, dropping the
    theme fonts and colours, rsid and the link to a (deleted) character style."""
    el = style.element
    for name in ("w:pPr", "w:rPr", "w:rsid", "w:link"):
        for child in el.findall(qn(name)):
            el.remove(child)


def setup_styles(document):
    styles = document.styles
    root = styles.element

    # Document defaults: Arial 12, Indonesian proofing language, single spacing
    # (tables, header and footer inherit this; body spacing lives in Normal).
    defaults = root.find(qn("w:docDefaults"))
    rPr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_rfonts(rPr)
    for sz in rPr.findall(qn("w:sz")) + rPr.findall(qn("w:szCs")):
        sz.set(qn("w:val"), "24")  # 12 pt
    for lang in rPr.findall(qn("w:lang")):
        lang.set(qn("w:val"), LANG)
    pPr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(pPr):
        pPr.remove(child)
    pPr.append(parse_xml(f'<w:spacing {nsdecls("w")} w:after="0" w:line="240" w:lineRule="auto"/>'))

    for style in list(styles):
        if style.name not in KEEP_STYLES:
            style.delete()
    for style in styles:
        _reset_style(style)

    normal = styles["Normal"]
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    fmt.widow_control = True

    # Title: every line of the CAPS title block (type, ANTARA, parties, TENTANG, subject).
    title = styles["Title"]
    title.font.bold = True
    fmt = title.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.space_after = Pt(0)
    fmt.keep_with_next = True  # keep the block on one page

    # Heading 1: "Pasal n" <br> "TITLE"; centred, bold, black, no numbering, so
    # the navigation pane lists "Pasal 1 MAKSUD DAN TUJUAN".
    h1 = styles["Heading 1"]
    h1.font.bold = True
    h1.font.color.rgb = RGBColor(0, 0, 0)
    fmt = h1.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.space_before = Pt(12)
    fmt.space_after = Pt(6)
    fmt.keep_with_next = True
    fmt.keep_together = True
    h1.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))

    for name in ("Header", "Footer"):
        st = styles[name]
        st.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        st.paragraph_format.space_after = Pt(0)
        st.paragraph_format.line_spacing = 1.0

    # Table Grid keeps its tblPr (borders); _reset_style dropped only its pPr.

    # Custom styles.
    item = styles.add_style(STYLE_ITEM, WD_STYLE_TYPE.PARAGRAPH)
    item.base_style = normal
    item.quick_style = True
    fmt = item.paragraph_format
    fmt.left_indent = Cm(1)
    fmt.first_line_indent = Cm(-1)  # hanging: label, tab, text aligned at 1 cm
    fmt.tab_stops.add_tab_stop(Cm(1))

    sub = styles.add_style(STYLE_SUBITEM, WD_STYLE_TYPE.PARAGRAPH)
    sub.base_style = item
    sub.quick_style = True
    fmt = sub.paragraph_format
    fmt.left_indent = Cm(2)
    fmt.first_line_indent = Cm(-1)
    fmt.tab_stops.add_tab_stop(Cm(2))

    sign = styles.add_style(STYLE_SIGN, WD_STYLE_TYPE.PARAGRAPH)
    sign.base_style = normal
    sign.quick_style = True
    fmt = sign.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    # No keep-with-next: rows that cannot split keep each block whole, and a table full
    # of keep-with-next paragraphs makes Word move the whole signature table to a new page.

    box = styles.add_style(STYLE_BOX, WD_STYLE_TYPE.PARAGRAPH)
    box.base_style = normal
    box.font.size = Pt(7)
    box.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    fmt = box.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0

    stamp = styles.add_style(STYLE_STAMP, WD_STYLE_TYPE.CHARACTER)
    stamp.base_style = styles["Default Paragraph Font"]
    stamp.font.size = Pt(8)
    stamp.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    # Character border: no python-docx API.  CT_RPr puts bdr after sz/szCs/u.
    stamp.element.get_or_add_rPr().append(parse_xml(
        f'<w:bdr {nsdecls("w")} w:val="single" w:sz="4" w:space="2" w:color="808080"/>'))

    number = styles.add_style(STYLE_NUMBER, WD_STYLE_TYPE.PARAGRAPH)
    number.base_style = title
    number.next_paragraph_style = normal
    number.paragraph_format.keep_with_next = False

    title.next_paragraph_style = title
    h1.next_paragraph_style = normal


# --------------------------------------------------------------------------- page

def setup_section(document):
    """A4 portrait, TND margins, different first page (no page number on page 1).

    The renderer switches to F4 (215 x 330 mm) by editing this single sectPr.
    """
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(21)
    section.page_height = Cm(29.7)
    section.top_margin = Cm(2)
    section.bottom_margin = Cm(2.5)
    section.left_margin = Cm(3)
    section.right_margin = Cm(2)
    section.header_distance = Cm(1)
    section.footer_distance = Cm(0.8)
    section.gutter = Cm(0)
    section.different_first_page_header_footer = True
    # python-docx keeps the default rsid attributes on sectPr; they mean nothing here.
    for attr in list(section._sectPr.attrib):
        if "rsid" in attr:
            del section._sectPr.attrib[attr]
    return section


# --------------------------------------------------------------------------- body

def build_logos(doc):
    """Logos of the parties that have one, side by side in one centred paragraph.

    ``p.logo`` is a docxtpl InlineImage (it closes and reopens the run itself).
    The whole paragraph disappears when no party has a logo.
    """
    tag_par(doc, "{%p if parties|selectattr('logo')|list %}")
    p = add_par(doc, "{% for p in parties if p.logo %}{{ p.logo }}"
                     "{% if not loop.last %}        {% endif %}{% endfor %}",
                style="Title")
    p.paragraph_format.space_after = Pt(12)
    tag_par(doc, "{%p endif %}")


def build_title(doc):
    """CAPS title block: TYPE / ANTARA / PARTY 1 / DAN / PARTY 2 / TENTANG / SUBJECT,
    then one NOMOR line per party in party order.

    With three or more parties each party still gets its own line, with a
    comma after each but the last and "DAN" before the last (PUEBI serial comma).
    """
    add_par(doc, "{{ doc.type_caps }}", style="Title")
    add_par(doc, "ANTARA", style="Title")
    tag_par(doc, "{%p for p in parties %}")
    tag_par(doc, "{%p if loop.last %}")
    add_par(doc, "DAN", style="Title")
    tag_par(doc, "{%p endif %}")
    add_par(doc, "{{ p.name_caps }}{% if parties|length > 2 and not loop.last %},{% endif %}",
            style="Title")
    tag_par(doc, "{%p endfor %}")
    add_par(doc, "TENTANG", style="Title")
    p = add_par(doc, "{{ doc.subject_caps }}", style="Title")
    p.paragraph_format.space_after = Pt(12)
    tag_par(doc, "{%p for p in parties %}")
    p = add_par(doc, f"NOMOR: {{{{ p.number if p.number else '{NUMBER_BLANK}' }}}}",
                style=STYLE_NUMBER)
    tag_par(doc, "{%p endfor %}")



def build_opening(doc):
    p = add_par(doc, "Pada hari ini {{ signing.date|date_in_words }}, bertempat di "
                     "{{ signing.venue }}, {{ signing.city }}, yang bertanda tangan di bawah ini:")
    # Air below the NOMOR lines (they are looped, so the space goes here).
    p.paragraph_format.space_before = Pt(18)


def build_komparisi(doc):
    """One hanging-indent paragraph per party: "I.<tab>NAME : jabatan, [dasar], ...;".

    The position comes with its acting status and institution (context.common.person);
    the basis of authority, when the context has one, follows it: the decree, a PT's akta,
    or a visible blank where the record does not say.
    """
    tag_par(doc, "{%p for p in parties %}")
    add_par(doc,
            "{{ p.roman }}.\t",
            B("{{ p.signatory.full_name }}"),
            " : {{ p.signatory.position }}"
            "{% if p.signatory.authority %}, {{ p.signatory.authority }}{% endif %}"
            ", berkedudukan di {{ p.address }}, dalam hal ini "
            "bertindak dalam jabatannya untuk dan atas nama {{ p.name }}, selanjutnya disebut ",
            B("{{ p.label }}"),
            "{% if loop.last %}.{% else %};{% endif %}",
            style=STYLE_ITEM)
    tag_par(doc, "{%p endfor %}")


# "PIHAK KESATU dan PIHAK KEDUA" / "PIHAK KESATU, PIHAK KEDUA, dan PIHAK KETIGA"
PARTY_LABELS = ("{{ parties[:-1]|map(attribute='label')|join(', ') }}"
                "{% if parties|length > 2 %},{% endif %} dan {{ parties[-1].label }}")
AGREE = ("sepakat untuk mengadakan {{ doc.type }} tentang {{ doc.subject }} "
         "dengan ketentuan sebagai berikut:")


def build_recitals(doc):
    """PARA PIHAK sentence, then "a. bahwa ...;" recitals when the record has any.

    Two complete paragraph variants (with/without recitals) rather than inline
    conditions, so an editor reading the template sees whole sentences.
    """
    tag_par(doc, "{%p if recitals %}")
    add_par(doc, PARTY_LABELS + " yang selanjutnya secara bersama-sama disebut ",
            B("PARA PIHAK"), ", terlebih dahulu menerangkan hal-hal sebagai berikut:")
    tag_par(doc, "{%p for recital in recitals %}")
    # Each recital arrives as "bahwa …;" (context/mou.py normalises what was typed).
    add_par(doc, "{{ loop.index|letter }}.\t{{ recital }}", style=STYLE_ITEM)
    tag_par(doc, "{%p endfor %}")
    add_par(doc, "Berdasarkan pertimbangan sebagaimana tersebut di atas, PARA PIHAK " + AGREE)
    tag_par(doc, "{%p else %}")
    add_par(doc, PARTY_LABELS + " yang selanjutnya secara bersama-sama disebut ",
            B("PARA PIHAK"), ", " + AGREE)
    tag_par(doc, "{%p endif %}")


def build_articles(doc):
    """Every Pasal before PENUTUP comes from the clause library (dokgen/data/clauses.yaml),
    chosen by party types and scopes and switched per record, so the numbers are the
    context's and stay consecutive.  Each is one Heading 1 paragraph, the title after a
    line break: the navigation pane then shows "Pasal 1 MAKSUD DAN TUJUAN".

    An article's paragraphs carry their own style: a single ayat is a plain paragraph,
    several are "(1)", "(2)"; an enumeration follows as "a.", "b." indented under it.
    """
    tag_par(doc, "{%p for a in articles %}")
    add_par(doc, "Pasal {{ a.number }}\n{{ a.title }}", style="Heading 1")
    tag_par(doc, "{%p for para in a.paragraphs %}")
    tag_par(doc, "{%p if para.style == 'plain' %}")
    add_par(doc, "{{ para.text }}")
    tag_par(doc, "{%p elif para.style == 'subitem' %}")
    add_par(doc, "{{ para.label }}\t{{ para.text }}", style=STYLE_SUBITEM)
    tag_par(doc, "{%p else %}")
    add_par(doc, "{{ para.label }}\t{{ para.text }}", style=STYLE_ITEM)
    tag_par(doc, "{%p endif %}")
    tag_par(doc, "{%p endfor %}")
    tag_par(doc, "{%p endfor %}")

    add_par(doc, "Pasal {{ closing_number }}\nPENUTUP", style="Heading 1")
    p = add_par(doc, "Demikian {{ doc.type }} ini dibuat dan ditandatangani di {{ signing.city }} "
                     "pada hari, tanggal, bulan, dan tahun sebagaimana tersebut di atas dalam "
                     "{{ parties|length|count_in_words }} rangkap asli, masing-masing dibubuhi "
                     "meterai secukupnya dan mempunyai kekuatan hukum yang sama, serta "
                     "masing-masing pihak menerima 1 (satu) rangkap.")
    # Keep the closing sentence on the page of the signatures.
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_after = Pt(18)


# Signature blocks per row of the table: the context splits the parties into rows of two
# (context.mou.rows_of); a row of one spans the whole width, so an odd last party is
# centred.  Four grid columns, not two: the template row needs a cell for each loop tag
# around the content cell, and 4 divides evenly for rows of 1 and 2.
SIGN_GRID = 4
NBSP = "\u00a0"


def build_signatures(doc):
    """The signature blocks, in rows of parties (``signature_rows``), each party a cell.

    Each row of parties is one row of an outer table (``{%tr for row in ... %}``) that
    may not break across pages (cantSplit: Word and LibreOffice both honour it, while
    LibreOffice ignores keep-with-next inside tables).  The row holds a nested table of
    two rows, so that the meterai boxes and names line up across the row even when one
    position wraps to more lines than the other: row 1 = label and position in CAPS;
    row 2 = signature space with a boxed "Meterai Rp..." placeholder, the full name in
    bold underline (gelar bound to it by no-break spaces), and the NIP (no-break spaces
    inside) only when the signatory has one.
    """
    outer = doc.add_table(rows=3, cols=1)
    outer.autofit = False
    outer.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_table_width(outer, TEXT_WIDTH.twips)
    outer._tbl.tblGrid.find(qn("w:gridCol")).set(qn("w:w"), str(TEXT_WIDTH.twips))
    set_cell_margins(outer, 0, 0)  # the nested table takes the whole text width
    first, holder_row, last = outer.rows
    first.cells[0].paragraphs[0].add_run("{%tr for row in signature_rows %}")
    last.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    holder_row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
    holder = holder_row.cells[0]
    strip_cell_widths(outer)
    # The cell's first paragraph is the air above each row of parties.
    gap = holder.paragraphs[0]
    gap.style = doc.styles[STYLE_SIGN]
    gap.paragraph_format.space_before = Pt(6)

    table, (top, bottom) = make_party_table(holder, SIGN_GRID, TEXT_WIDTH.twips, inner_rows=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # An issued document's QR and its caption (dokgen issue, qr.py), under the last row of
    # signatures: inside that row, which never breaks across pages, so the mark stays with
    # the signatures it belongs to. Only final, registered documents have `verification`.
    tag_par(holder, "{%p if loop.last and verification %}")
    mark = add_par(holder, "{{ verification.qr }}", style=STYLE_SIGN)
    mark.paragraph_format.space_before = Pt(12)
    mark.paragraph_format.keep_with_next = True
    add_par(holder, "{{ verification.caption }}", style=STYLE_BOX)
    tag_par(holder, "{%p endif %}")
    # A cell must end with a paragraph; keep the one after the nested table invisible.
    make_tiny(holder.add_paragraph())

    label = top.paragraphs[0]  # holds the colspan tag already
    label.style = doc.styles[STYLE_SIGN]
    label.add_run("{{ p.label }},").bold = True
    add_par(top, B("{{ p.signatory.position_caps }},"), style=STYLE_SIGN)

    # Signature space with a meterai placeholder in the middle.  It is a run
    # with a thin grey character border (character style "Kotak Meterai"), not a
    # nested table: it then stays part of the cell's own text and sizes itself to it.
    stamp = bottom.paragraphs[0]
    stamp.style = doc.styles[STYLE_SIGN]
    stamp.paragraph_format.space_before = Pt(24)
    stamp.paragraph_format.space_after = Pt(24)
    stamp.add_run("Meterai {{ doc.meterai }}", style=STYLE_STAMP)

    name = add_par(bottom, style=STYLE_SIGN)
    run = name.add_run("{{ p.signatory.full_name }}")
    run.bold = run.underline = True
    tag_par(bottom, "{%p if p.signatory.nip %}")
    add_par(bottom, f"NIP{NBSP}{{{{ p.signatory.nip }}}}", style=STYLE_SIGN)
    tag_par(bottom, "{%p endif %}")

    # Word requires a paragraph between the table and sectPr; keep it invisible
    # so it cannot spill onto an extra page.
    make_tiny(doc.add_paragraph())


# --------------------------------------------------------------------------- header/footer

# Word's own "DRAF" text watermark (Design > Watermark), shape type 136 = text path.
WATERMARK_SHAPETYPE = """
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
    path="m@7,l@8,m@5,21600l@6,21600e">
  <v:formulas>
    <v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>
    <v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>
    <v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/>
    <v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/>
    <v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/>
  </v:formulas>
  <v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800"
      o:connectangles="270,180,90,0"/>
  <v:textpath on="t" fitshape="t"/>
  <v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>
  <o:lock v:ext="edit" text="t" shapetype="t"/>
</v:shapetype>"""


def watermark_run(index: int):
    """A run holding the VML watermark; ``index`` keeps shape ids unique per header."""
    shape = f"""
<v:shape id="PowerPlusWaterMarkObject{index}" o:spid="_x0000_s{2048 + index}" type="#_x0000_t136"
    style="position:absolute;margin-left:0;margin-top:0;width:424.5pt;height:141.5pt;rotation:315;z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;mso-position-vertical-relative:margin"
    o:allowincell="f" fillcolor="silver" stroked="f">
  <v:fill opacity=".5"/>
  <v:textpath style="font-family:&quot;{FONT}&quot;;font-size:1pt" string="DRAF"/>
  <w10:wrap anchorx="margin" anchory="margin"/>
</v:shape>"""
    xml = (f'<w:r {nsdecls("w", "v", "o", "w10")}><w:rPr><w:noProof/></w:rPr>'
           f"<w:pict>{WATERMARK_SHAPETYPE}{shape}</w:pict></w:r>")
    # Drop the indentation whitespace so the part stays compact.
    xml = " ".join(xml.split()).replace("> <", "><")
    return parse_xml(xml)


def add_watermark(header, index: int):
    """Conditional watermark paragraph: only rendered while doc.is_draft."""
    tag_par(header, "{%p if doc.is_draft %}")
    p = make_tiny(header.add_paragraph(style="Header"))
    p._p.append(watermark_run(index))
    tag_par(header, "{%p endif %}")


def add_page_number(header):
    """"- n -" with a PAGE field, centred (Header style)."""
    p = header.add_paragraph(style="Header")
    p.add_run("- ")
    fld = (f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>',
           f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
           f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
           f'<w:r {nsdecls("w")}><w:t>2</w:t></w:r>',
           f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>')
    for run in fld:
        p._p.append(parse_xml(run))
    p.add_run(" -")
    return p


def build_headers(section):
    # Page 1: no number (TND), only the watermark.  The remaining paragraph
    # python-docx created is kept so the header is never empty after rendering.
    first = section.first_page_header
    first.is_linked_to_previous = False
    make_tiny(first.paragraphs[0])
    add_watermark(first, 1)

    default = section.header
    default.is_linked_to_previous = False
    pnum = default.paragraphs[0]
    pnum._p.getparent().remove(pnum._p)
    add_page_number(default)
    add_watermark(default, 2)


# The paraf table's grid: PARAF_GRID equal columns shared out between the parties of
# each row of ``paraf_rows`` (up to four a row, context.mou.rows_of) with docxtpl's
# colspan tag: 12 divides evenly for rows of 1, 2, 3 and 4.
PARAF_GRID = 12
PARAF_WIDTH = Cm(9)


def build_paraf_box(footer, styles):
    """A small bordered table in the footer, a cell per party "Paraf PIHAK ...",
    in rows of up to four parties.

    Pitfall: docxtpl runs ``fix_tables`` (which resizes tblGrid after a
    ``{%tc for %}`` loop) on the body only, not on headers/footers, and
    LibreOffice lays a row out by tblGrid (surplus cells are dropped, missing
    ones make the last cell span the rest).  So the grid here is fixed and
    each looped cell spans ``PARAF_GRID // row|length`` of it: every row
    fills the grid exactly, whatever the number of parties.
    """
    # Reuse python-docx's empty footer paragraph as the required trailing one.
    trailing = footer.paragraphs[0]
    table, (content,) = make_party_table(footer, PARAF_GRID, PARAF_WIDTH.twips, rows_var="paraf_rows")
    table.style = styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.RIGHT
    # Narrow cell margins (1 mm) so that a quarter of the box holds "KESEMBILAN".
    set_cell_margins(table, 57, 57)
    row = table.rows[1]  # the looped row, between the {%tr %} rows
    row.height = Cm(1.2)  # room to initial
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    content.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    label = content.paragraphs[0]  # holds the colspan tag already
    label.style = styles[STYLE_BOX]
    # "Paraf" on a line of its own; a long label then wraps at its space, never inside a word.
    label.add_run("Paraf\n{{ p.label }}")
    # python-docx's add_table on a header appends after the paragraph; move the
    # paragraph after the table (a footer must end with a paragraph).
    trailing._p.getparent().remove(trailing._p)
    table._tbl.addnext(trailing._p)
    make_tiny(trailing)


def build_footers(section, styles):
    # The paraf box belongs on every page, page 1 included.
    for footer in (section.first_page_footer, section.footer):
        footer.is_linked_to_previous = False
        build_paraf_box(footer, styles)


# --------------------------------------------------------------------------- main

def build(out: Path = DEFAULT_OUT) -> Path:
    doc = Document()
    prune_package(doc)
    setup_settings(doc)
    setup_font_table(doc)
    setup_styles(doc)
    section = setup_section(doc)

    build_logos(doc)
    build_title(doc)
    build_opening(doc)
    build_komparisi(doc)
    build_recitals(doc)
    build_articles(doc)
    build_signatures(doc)

    build_headers(section)
    build_footers(section, doc.styles)
    set_properties(doc)

    buffer = io.BytesIO()
    doc.save(buffer)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(stable_zip(buffer.getvalue()))
    return out


def stable_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed zip timestamps: rebuilding the template
    from an unchanged script gives a byte-identical file (no diff noise)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    print(build(target))
