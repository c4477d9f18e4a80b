"""Signing PDFs and previews through one warm LibreOffice, beside a cold soffice call.

Run: .venv/bin/python bench/bench_convert.py [--runs N]

Prints, in one run (medians over N runs):
- one cold `soffice --headless --convert-to pdf` of one MoU draft (fresh profile, as a clerk's
  own call would be);
- `dokgen pdf` of 20 MoU drafts as a whole process (LibreOffice start included), per draft,
  and its ratio to the cold call;
- warm previews (LibreOffice running, WeasyPrint imported, the record just edited so no cache
  helps): page count + page 1 PNG of a 3-page MoU and of a 12-page lab report.

Targets (issue 11): per draft <= 0.3x the cold call; 3-page MoU preview <= 1.0 s;
12-page lab report preview <= 2.0 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))
DOKGEN = str(Path(sys.executable).with_name("dokgen"))
MOU = "pontianak-lan-2015"
DRAFTS = 20


def mou_workspace(root: Path) -> Path:
    """The example workspace with 20 MoUs (the worked example under 20 ids, each its own subject)."""
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, root / part)
    shutil.rmtree(root / "records" / "press")
    shutil.rmtree(root / "records" / "labs")
    example = (root / f"records/mou/{MOU}.yaml").read_text(encoding="utf-8")
    (root / f"records/mou/{MOU}.yaml").unlink()
    for i in range(DRAFTS):
        text = example.replace("Kerja Sama Penguatan Kapasitas", f"Kerja Sama Tahap {i + 1} Penguatan Kapasitas")
        (root / f"records/mou/mou-{i + 1:02d}.yaml").write_text(text, encoding="utf-8")
    subprocess.run([DOKGEN, "-C", str(root), "build", "-q"], check=True, stderr=subprocess.DEVNULL)
    return root


def cold_soffice(draft: Path, work: Path) -> float:
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=work))
    start = time.perf_counter()
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work / "cold"), str(draft)], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    shutil.rmtree(profile)
    return seconds


def dokgen_pdf(ws: Path) -> float:
    for pdf in (ws / "out/mou").glob("*.pdf"):
        pdf.unlink()
    start = time.perf_counter()
    subprocess.run([DOKGEN, "-C", str(ws), "pdf", "-q"], check=True, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    assert len(list((ws / "out/mou").glob("*.pdf"))) == DRAFTS
    return seconds


def warm_previews(previews, kind: str, record_id: str, record: Path, runs: int) -> tuple[list[float], int]:
    """Time page count + page 1 after each edit of the record (a new input key every time)."""
    previews.page_png(kind, record_id, 1)  # warm: LibreOffice started, WeasyPrint imported
    original = record.read_text(encoding="utf-8")
    times = []
    try:
        for i in range(runs):
            record.write_text(original + f"\n# revisi {i}\n", encoding="utf-8")
            before = previews.conversions
            start = time.perf_counter()
            pages = previews.page_count(kind, record_id)
            previews.page_png(kind, record_id, 1)
            times.append(time.perf_counter() - start)
            assert previews.conversions == before + 1  # really converted, not cached
    finally:
        record.write_text(original, encoding="utf-8")
    return times, pages


def build_render(ws: Path, record_id: str, runs: int) -> list[float]:
    """The build's own render of the same record (load, key, WeasyPrint), for comparison."""
    from dokgen.build import InputKeys, Options, plan
    from dokgen.records import load_workspace

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        workspace = load_workspace(ws)
        job = next(j for j in plan(workspace) if j.record.id == record_id)
        InputKeys(workspace, Options()).key(job)
        job.run(workspace, Options())
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from bench_pdf import LAB_ID, SIZES, make_workspace
    from dokgen.convert import Converter
    from dokgen.preview import Previewer

    with tempfile.TemporaryDirectory(prefix="bench-convert-") as tmp:
        tmp = Path(tmp)
        ws = mou_workspace(tmp / "mous")
        cold, batch = [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            cold.append(cold_soffice(ws / "out/mou/mou-01.docx", tmp))
            batch.append(dokgen_pdf(ws))
        cold_s, batch_s = statistics.median(cold), statistics.median(batch)
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        per_draft = batch_s / DRAFTS
        print(f"cold soffice --convert-to pdf, 1 draft: {cold_s:.2f} s (min {min(cold):.2f}, max {max(cold):.2f})")
        print(f"dokgen pdf, {DRAFTS} drafts: {batch_s:.2f} s (min {min(batch):.2f}, max {max(batch):.2f}); "
              f"per draft {per_draft:.3f} s = {per_draft / cold_s:.2f}x the cold call (target <= 0.30x)")

        f4 = ws / "records/mou/mou-01.yaml"
        f4.write_text(f4.read_text(encoding="utf-8").replace("status: draft", "status: draft\npaper: f4"), encoding="utf-8")
        lab_ws = make_workspace(tmp / "lab", *SIZES["12p"])
        with Converter() as office:
            mou_times, mou_pages = warm_previews(Previewer(ws, converter=office), "mou", "mou-01", f4, args.runs)
            lab_times, lab_pages = warm_previews(Previewer(lab_ws, converter=office), "lab", LAB_ID,
                                                 lab_ws / f"records/labs/{LAB_ID}.yaml", args.runs)
        print(f"warm preview, {mou_pages}-page MoU: {statistics.median(mou_times):.3f} s median "
              f"(min {min(mou_times):.3f}, max {max(mou_times):.3f}; target <= 1.0 s)")
        render_times = build_render(lab_ws, LAB_ID, args.runs)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        print(f"the build's own render of that report: {statistics.median(render_times):.3f} s median "
              f"(the preview adds {statistics.median(lab_times) - statistics.median(render_times):+.3f} s)")
        print(f"warm preview, {lab_pages}-page lab report: {statistics.median(lab_times):.3f} s median "
              f"(min {min(lab_times):.3f}, max {max(lab_times):.3f}; target <= 2.0 s)")


if __name__ == "__main__":
    main()
