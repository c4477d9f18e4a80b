"""Records of our own for the drafting tests: parties of every type and MoUs between them."""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document

PARTIES = {
    "kab-kubu-raya": ("Pemerintah Kabupaten Kubu Raya", "Pemkab Kubu Raya", "pemerintah-daerah", "Jalan Arteri Supadio Km. 17, Sungai Raya", "Bupati Kubu Raya"),
    "pt-borneo": ("PT Borneo Data Nusantara", "PT Borneo Data", "badan-usaha", "Jalan Gajah Mada No. 21, Pontianak", "Direktur Utama PT Borneo Data Nusantara"),
    "untan": ("Universitas Tanjungpura", "Untan", "perguruan-tinggi", "Jalan Prof. Dr. H. Hadari Nawawi, Pontianak", "Rektor Universitas Tanjungpura"),
    "yayasan-rumah-baca": ("Yayasan Rumah Baca Khatulistiwa", "Yayasan Rumah Baca", "lainnya", "Jalan Tanjungpura No. 5, Pontianak", "Ketua Yayasan Rumah Baca Khatulistiwa"),
}


def add_parties(ws: Path) -> None:
    for pid, (name, short, kind, address, position) in PARTIES.items():
        (ws / f"records/parties/{pid}.yaml").write_text(
            f"name: {name}\nshort_name: {short}\ntype: {kind}\naddress: {address}\n"
            f"signatory:\n  name: Penanda Tangan {short}\n  position: {position}\n")


def write_mou(ws: Path, mou_id: str, date: str, parties: list[str], recitals: list[str] | None = None,
              scopes: str = "  - kajian-kebijakan\n", extra: str = "") -> str:
    """Write records/mou/<id>.yaml; return its path relative to the workspace."""
    add_parties(ws)
    text = (
        "document_type: Kesepakatan Bersama\nsubject: Kerja Sama Uji Coba\nstatus: draft\n"
        f"signing:\n  date: {date}\n  city: Pontianak\n  venue: Kantor Bupati\n"
        "parties:\n" + "".join(f"  - party: {p}\n" for p in parties)
    )
    if recitals is not None:
        text += "recitals:\n" + "".join(f"  - {quote(r)}\n" for r in recitals)
    text += f"purpose: Kerja sama ini bertujuan menguji.\nscopes:\n{scopes}term_years: 2\nfunding: Masing-masing pihak.\n{extra}"
    rel = f"records/mou/{mou_id}.yaml"
    (ws / rel).write_text(text)
    return rel


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def only(ws: Path, rel: str) -> None:
    """Keep only this MoU (and the records it needs) in the workspace."""
    for path in (ws / "records/mou").iterdir():
        if f"records/mou/{path.name}" != rel:
            path.unlink()
    for folder in ("labs", "press"):
        for path in (ws / "records" / folder).iterdir():
            path.unlink()


def docx_paragraphs(path: Path) -> list[str]:
    return [re.sub(r"\s+", " ", p.text).strip() for p in Document(str(path)).paragraphs]


def headings(path: Path) -> list[str]:
    return [re.sub(r"\s+", " ", p.text).strip() for p in Document(str(path)).paragraphs if p.style.name == "Heading 1"]


def line_of(ws: Path, rel: str, needle: str) -> int:
    return next(n for n, line in enumerate((ws / rel).read_text().splitlines(), 1) if needle in line)
