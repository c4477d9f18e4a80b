"""Render the worked example's documents to PNG pictures for the README (docs/img/).

Needs LibreOffice (soffice), poppler-utils (pdftoppm) and chromium; run it after a change
to a template: .venv/bin/python tools/pictures.py (`--serve`: only the pictures of
`dokgen serve`, after a change to src/dokgen/web/)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMG = REPO / "docs/img"


def run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


# A made-up third party ("Contoh" = example) for the three-party signature page: a company
# whose bare "Direktur Utama" gets its name, with its akta as the basis of authority.
THIRD_PARTY = """name: PT Contoh Data Khatulistiwa
short_name: Contoh Data
type: badan-usaha
address: Jalan Tanjungpura No. 40, Pontianak
signatory:
  name: Rudi Hartono
  title_suffix: S.Kom., M.M.
  position: Direktur Utama
  appointment: Akta Pendirian Nomor 7 tanggal 3 Maret 2010, pengesahan Menteri Hukum dan HAM Nomor AHU-0000.AH.01.01.Tahun 2010
"""


def add_three_party_mou(work: Path) -> Path:
    """records/mou/tiga-pihak.yaml: the worked example with the made-up company as PIHAK KETIGA."""
    (work / "records/parties/contoh-data.yaml").write_text(THIRD_PARTY, encoding="utf-8")
    mou = (work / "records/mou/pontianak-lan-2015.yaml").read_text(encoding="utf-8")
    mou = mou.replace("  - party: lan\n    number: null\n", "  - party: lan\n    number: null\n  - party: contoh-data\n    number: null\n")
    path = work / "records/mou/tiga-pihak.yaml"
    path.write_text(mou, encoding="utf-8")
    return path


def serve_pictures(work: Path) -> None:
    """`dokgen serve` at phone and desktop widths: the beranda, and the MoU form with a wrong
    date typed in (its message beside the field). Playwright drives the system Chromium."""
    import signal

    from playwright.sync_api import sync_playwright

    from dokgen.web.app import spawn

    server, url, _ = spawn(work)
    base = url.split("/?")[0]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            for width, height in ((360, 1400), (1280, 1000)):
                page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
                page.goto(url)
                page.screenshot(path=IMG / f"serve-beranda-{width}.png")
                page.goto(base + "/records/mou/pontianak-lan-2015")
                date = page.locator('[data-root] [data-key="signing"] [data-key="date"]')
                date.locator("input").fill("29/02/2024")
                date.locator("[data-msg]").filter(has_text="bukan tanggal").wait_for()
                date.scroll_into_view_if_needed()
                page.evaluate("window.scrollBy(0, -120)")
                page.screenshot(path=IMG / f"serve-mou-{width}.png")
                page.close()
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="dokgen-pictures-"))
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, work / part)
    add_three_party_mou(work)
    run(sys.executable, "-m", "dokgen", "-C", str(work), "build", "--quiet")
    if sys.argv[1:] == ["--serve"]:  # only the web app's pictures (no LibreOffice needed)
        IMG.mkdir(parents=True, exist_ok=True)
        serve_pictures(work)
        shutil.rmtree(work)
        print("pictures in", IMG)
        return
    out = work / "out"
    IMG.mkdir(parents=True, exist_ok=True)

    # MoU: Word -> PDF with LibreOffice (both drafts in one call), then the first and last
    # pages of the example and the signature page of the three-party draft
    run("soffice", f"-env:UserInstallation=file://{work}/lo", "--headless", "--convert-to", "pdf",
        "--outdir", str(work), str(out / "mou/pontianak-lan-2015.docx"), str(out / "mou/tiga-pihak.docx"))
    run("pdftoppm", "-r", "60", "-png", str(work / "pontianak-lan-2015.pdf"), str(work / "mou"))
    pages = sorted(work.glob("mou-*.png"))
    shutil.copy(pages[0], IMG / "mou-page-1.png")
    shutil.copy(pages[-1], IMG / "mou-page-last.png")
    run("pdftoppm", "-r", "60", "-png", str(work / "tiga-pihak.pdf"), str(work / "three"))
    shutil.copy(sorted(work.glob("three-*.png"))[-1], IMG / "mou-signatures-3.png")

    # Lab report: cover, contents and the results pages
    run("pdftoppm", "-r", "50", "-png", str(out / "labs/labinov-pontianak-2015.pdf"), str(work / "lab"))
    for i, page in enumerate(sorted(work.glob("lab-*.png"))[:6], start=1):
        shutil.copy(page, IMG / f"lab-page-{i}.png")

    # Press page at phone and desktop widths
    page = (out / "press/pemkot-gandeng-lan-2015.html").as_uri()
    for width, height in ((360, 1500), (1280, 1100)):
        run("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={work}/chromium", "--hide-scrollbars",
            f"--window-size={width},{height}", f"--screenshot={IMG}/press-{width}.png", page)
    serve_pictures(work)
    # The signing PDF of the example once set final (no DRAF watermark), through `dokgen pdf`
    record = work / "records/mou/pontianak-lan-2015.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("status: draft", "status: final"), encoding="utf-8")
    run(sys.executable, "-m", "dokgen", "-C", str(work), "pdf", "--quiet", str(record))
    run("pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(out / "mou/pontianak-lan-2015.pdf"), str(work / "signing"))
    shutil.copy(next(work.glob("signing-*.png")), IMG / "mou-signing-pdf.png")
    signature_with_qr(work)
    shutil.rmtree(work)
    print("pictures in", IMG)


def signature_with_qr(work: Path) -> None:
    """The example MoU made final and issued (dokgen issue): its signature blocks with the QR."""
    issued = work / "issued"
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, issued / part)
    record = issued / "records/mou/pontianak-lan-2015.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("status: draft", "status: final"), encoding="utf-8")
    (issued / "records/register.yaml").write_text("verification_url: https://jdih.example.go.id/verifikasi/{code}\n", encoding="utf-8")
    run(sys.executable, "-m", "dokgen", "-C", str(issued), "issue", "records/mou/pontianak-lan-2015.yaml")
    run("soffice", f"-env:UserInstallation=file://{work}/lo", "--headless", "--convert-to", "pdf",
        "--outdir", str(issued), str(issued / "out/mou/pontianak-lan-2015.docx"))
    run("pdftoppm", "-r", "100", "-png", str(issued / "pontianak-lan-2015.pdf"), str(issued / "page"))
    from PIL import Image, ImageOps

    with Image.open(sorted(issued.glob("page-*.png"))[-1]) as page:
        body = page.crop((0, 0, page.width, page.height * 4 // 5))  # above the paraf boxes of the footer
        box = ImageOps.invert(body.convert("L")).getbbox()  # ends with the QR's caption
        page.crop((box[0] - 20, box[3] - 340, box[2] + 20, box[3] + 20)).save(IMG / "mou-signature-qr.png", optimize=True)


if __name__ == "__main__":
    main()
