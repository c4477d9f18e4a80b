"""Guarantee 21: MoUs with many parties stay readable on paper.

Generated parties with long names, long positions, stacked gelar and NIPs sign MoUs of 2 to
12 parties (soak: 2 to 20). Every draft goes through LibreOffice in one call, and the PDF
text (pdftotext -layout) must show what a clerk checks on the signature page: each party's
label whole on one line, each NIP whole on the page of its label, the paraf labels of every
page whole, and no party missing.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import scale
from .workspaces import REPO

NB = "\u00a0"
soffice = shutil.which("soffice") or shutil.which("libreoffice")
COUNTS = list(range(2, scale(13, 21)))
PLACES = ["Kapuas Hulu", "Sanggau", "Sintang", "Ketapang", "Bengkayang", "Landak", "Sekadau", "Melawi",
          "Kayong Utara", "Mempawah", "Sambas", "Singkawang", "Kubu Raya", "Pontianak", "Tanjungpura",
          "Khatulistiwa", "Borneo Barat", "Pesisir Utara", "Hulu Kapuas", "Selat Karimata"]


def _party(i: int, rng: random.Random) -> tuple[str, str, str | None]:
    """(id, record text, NIP or None) of a made-up party with long names and titles."""
    place = PLACES[i % len(PLACES)]
    kind = ["pemerintah-daerah", "perguruan-tinggi", "badan-usaha", "kementerian-lembaga"][i % 4]
    name = {"pemerintah-daerah": f"Pemerintah Kabupaten {place}", "perguruan-tinggi": f"Universitas {place} Raya",
            "badan-usaha": f"PT {place} Sarana Teknologi Nusantara", "kementerian-lembaga": f"Badan Riset dan Inovasi {place}"}[kind]
    position = {"pemerintah-daerah": f"Bupati {place}", "perguruan-tinggi": "Rektor",
                "badan-usaha": "Direktur Utama", "kementerian-lembaga": "Kepala Badan Riset dan Inovasi Daerah"}[kind]
    nip = None if kind == "pemerintah-daerah" else f"19{rng.randint(60, 85)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d} 19{rng.randint(90, 99)}0{rng.randint(1, 9)} {rng.randint(1, 2)} 00{rng.randint(1, 9)}"
    lines = [f"name: {name}", f"short_name: {place.split()[0]} {i}", f"type: {kind}", f"address: Jalan {place} No. {i + 1}",
             "signatory:", f"  name: {rng.choice(['Muhammad', 'Siti', 'Agustinus', 'Yohana'])} {place} Wicaksono",
             "  title_prefix: Prof. Dr. Ir. H.", "  title_suffix: S.T., M.Sc., M.B.A.", f"  position: {position}",
             "  appointment: Keputusan Nomor 1 Tahun 2020"]
    if nip:
        lines.append(f"  nip: {nip}")
    return f"pihak-{i:02d}", "\n".join(lines) + "\n", nip


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> dict[int, tuple[list[str], dict[str, str], list[list[str]]]]:
    """n -> (labels, NIP by label, PDF pages as pdftotext -layout lines) for MoUs of n parties."""
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice/poppler not installed (.ci/run installs them)")
    from click.testing import CliRunner

    from dokgen.cli import cli
    from dokgen.indonesian import party_label

    ws = tmp_path_factory.mktemp("many") / "ws"
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, ws / part)
    shutil.rmtree(ws / "records/labs")
    shutil.rmtree(ws / "records/press")
    rng = random.Random(21)
    parties = [_party(i, rng) for i in range(max(COUNTS))]
    for pid, text, _ in parties:
        (ws / f"records/parties/{pid}.yaml").write_text(text, encoding="utf-8")
    example = (ws / "records/mou/pontianak-lan-2015.yaml").read_text(encoding="utf-8")
    head, rest = example.split("parties:\n", 1)
    rest = rest[rest.index("recitals:"):]
    for n in COUNTS:
        listed = "".join(f"  - party: {pid}\n    number: null\n" for pid, _, _ in parties[:n])
        (ws / f"records/mou/mou-{n:02d}.yaml").write_text(f"{head}parties:\n{listed}{rest}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["-C", str(ws), "build", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    docs = [str(ws / f"out/mou/mou-{n:02d}.docx") for n in COUNTS]
    subprocess.run([soffice, f"-env:UserInstallation=file://{ws.parent / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(ws / "pdf"), *docs], check=True, capture_output=True, timeout=600)
    found = {}
    for n in COUNTS:
        text = subprocess.run(["pdftotext", "-layout", str(ws / f"pdf/mou-{n:02d}.pdf"), "-"], capture_output=True, text=True, check=True).stdout
        pages = [page.replace(NB, " ").splitlines() for page in text.split("\f") if page.strip()]
        labels = [party_label(i + 1) for i in range(n)]
        nips = {labels[i]: nip for i, (_, _, nip) in enumerate(parties[:n]) if nip}
        found[n] = (labels, nips, pages)
    return found


def _under(page: list[str], row: int) -> list[str]:
    """The words on the lines below a row of "Paraf", up to a blank line or the next row."""
    words = []
    for line in page[row + 1:]:
        if not line.strip() or "Paraf" in line:
            break
        words += line.split()
    return words


@pytest.mark.slow
@pytest.mark.guarantee("21 many parties: signature pages readable")
def test_every_label_and_nip_stays_whole_with_any_number_of_parties(laid_out, figure):
    problems = []
    for n, (labels, nips, pages) in laid_out.items():
        figure.cases += 1
        figure.files_checked += 1
        start = next((i for i, page in enumerate(pages) if any(line.strip() == "PENUTUP" for line in page)), None)
        if start is None:
            problems.append(f"{n} parties: no closing article found")
            continue
        signing = pages[start:]
        # a signature label ends with a comma ("PIHAK KESATU,"); each once, whole, on one line
        for label in labels:
            hits = [(p, line) for p, page in enumerate(signing) for line in page if re.search(rf"(^|\s){label},", " ".join(line.split()))]
            if len(hits) != 1:
                problems.append(f"{n} parties: '{label},' found {len(hits)} times whole")
                continue
            nip = nips.get(label)
            if nip:
                nip_pages = [p for p, page in enumerate(signing) if any(f"NIP {nip}" in " ".join(line.split()) for line in page)]
                if nip_pages != [hits[0][0]]:
                    problems.append(f"{n} parties: NIP of {label} on pages {nip_pages}, label on {hits[0][0]}")
        # paraf boxes on every page: each label's words whole under its "Paraf" row (a label
        # may wrap at its space, "PIHAK / KEDELAPAN", never inside a word)
        expected = sorted(w for label in labels for w in label.split())
        for p, page in enumerate(pages):
            rows = [i for i, line in enumerate(page) if "Paraf" in line]
            words = sorted(w for i in rows for w in _under(page, i))
            if sum(page[i].split().count("Paraf") for i in rows) != n or words != expected:
                problems.append(f"{n} parties: paraf labels broken on page {p + 1}: {words}")
                break
    figure.failures = len(problems)
    assert not problems, "\n".join(problems)
