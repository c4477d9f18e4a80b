"""Build-engine benchmark: 1,000 MoUs with and without logos, no-op and one-record rebuilds, PDF workers.

Run: .venv/bin/python bench/bench_build.py [--records 1000] [--runs 3] [--labs 8]
Everything is measured in one run, side by side, the cases interleaved round by round, as
medians over --runs (this machine is noisy). dokgen is timed as a whole process
(`dokgen build`); plain docxtpl renders the same template and contexts (the logos through
docxtpl's InlineImage, as render_docx does) in a 2-process spawn pool, start-up excluded.
Each MoU has two or three parties; in the logo workspace every party has a logo (PNG or
JPEG, a different one per party).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOKGEN = [sys.executable, "-m", "dokgen"]
MOU = "records/mou/pontianak-lan-2015.yaml"
LAB = "records/labs/labinov-pontianak-2015.yaml"


def make_workspace(records: int, labs: int, logos: bool = False) -> Path:
    """A copy of the example workspace with generated MoUs (2-3 parties, with logos if asked) and lab copies."""
    ws = Path(tempfile.mkdtemp(prefix="dokgen-bench-"))
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, ws / part)
    shutil.rmtree(ws / "records/press")  # press pieces are not what this measures
    lan = (ws / "records/parties/lan.yaml").read_text()
    for i in range(20):
        (ws / f"records/parties/mitra-{i:02d}.yaml").write_text(
            lan.replace("Lembaga Administrasi Negara", f"Universitas Mitra {i} & Rekan").replace("short_name: LAN", f"short_name: Mitra {i}")
        )
    if logos:
        add_logos(ws)
    base = (ws / MOU).read_text()
    old = "  - party: pemkot-pontianak\n    number: null\n  - party: lan\n    number: null\n"
    for n in range(records):
        parties = [f"mitra-{(n + k) % 20:02d}" for k in range(2 + n % 2)]
        block = "".join(f"  - party: {p}\n    number: {n}/NK/{k}/2025\n" for k, p in enumerate(parties))
        text = base.replace(old, block).replace("term_years: 5", f"term_years: {1 + n % 10}")
        (ws / f"records/mou/mou-{n:04d}.yaml").write_text(text)
    if labs:
        lab = (ws / LAB).read_text()
        for n in range(labs):
            (ws / f"records/labs/lab-{n:02d}.yaml").write_text(lab.replace("Kota Pontianak\n", f"Kota Pontianak {n}\n", 1))
    (ws / LAB).unlink()
    return ws


def add_logos(ws: Path) -> None:
    """A logo for every party: a 300x200 emblem, PNG for half of them and JPEG for the others."""
    from PIL import Image, ImageDraw

    for i, path in enumerate(sorted((ws / "records/parties").glob("*.yaml"))):
        ext, fmt = ("png", "PNG") if i % 2 == 0 else ("jpg", "JPEG")
        img = Image.new("RGB", (300, 200), (255, 255, 255))
        draw = ImageDraw.Draw(img)
        draw.ellipse((20 + i, 10, 280 - i, 190), fill=(40 + 9 * i % 200, 90, 160), outline=(0, 0, 0), width=6)
        draw.rectangle((120, 60, 180, 140), fill=(250, 200, 30))
        img.save(ws / f"assets/logo-{path.stem}.{ext}", fmt)
        text = path.read_text()
        path.write_text(text.replace("\naddress:", f"\nlogo: assets/logo-{path.stem}.{ext}\naddress:", 1))


def timed(cmd: list[str], src: str | None = None) -> float:
    """Wall time of a whole process; src: run dokgen from that source tree (an earlier version) instead."""
    env = {**os.environ, "PYTHONPATH": src} if src else None
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


_ws = None


def _init(root: str) -> None:
    global _ws
    from dokgen.records import load_workspace

    _ws = load_workspace(Path(root))


def _plain_docxtpl(ids: list[str]) -> int:
    """Render with docxtpl the way a plain script would: reload the template every time."""
    from dokgen.context.mou import mou_context
    from dokgen.render.docx import render_docx

    for mou_id in ids:
        render_docx(_ws.root / "templates/docx/mou.docx", mou_context(_ws, mou_id), template_name="mou", title="t")
    return len(ids)


def plain_docxtpl_rate(ws: Path, count: int) -> float:
    ids = sorted(p.stem for p in (ws / "records/mou").glob("mou-*.yaml"))[:count]
    chunks = [ids[i::8] for i in range(8)]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), initializer=_init, initargs=(str(ws),)) as pool:
        list(pool.map(_plain_docxtpl, [ids[:2], ids[2:4]]))  # start-up and warm-up excluded
        start = time.perf_counter()
        done = sum(pool.map(_plain_docxtpl, chunks))
        return done / (time.perf_counter() - start)


def touch_one_record(ws: Path, n: int = 0) -> None:
    """Change one MoU's term (a real edit: new content, whatever it was), as a clerk fixing one draft would."""
    path = ws / "records/mou/mou-0007.yaml"
    text = path.read_text()
    start = text.index("term_years: ")
    end = text.index("\n", start)
    term = 12 if text[start:end] == "term_years: 11" else 11
    path.write_text(text[:start] + f"term_years: {term}" + text[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--labs", type=int, default=8, help="PDF reports for the 1-vs-2-worker case (0: skip it)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--previous", metavar="SRC", help="also time the --clean, first and one-change builds with dokgen from this "
                        "source tree (e.g. a git worktree of an earlier commit: .../src), interleaved with this one")
    args = parser.parse_args()

    plain_ws = make_workspace(args.records, 0)
    logo_ws = make_workspace(args.records, 0, logos=True)
    labs = make_workspace(0, args.labs) if args.labs else None
    n_docs = len(list((plain_ws / "records/mou").glob("*.yaml")))
    build = [*DOKGEN, "build", "--jobs", "2", "--quiet"]
    t: dict[str, list[float]] = {k: [] for k in ("first", "full", "plain", "full_logo", "plain_logo", "noop", "noop_logo", "one", "pdf1", "pdf2",
                                                 "prev_first", "prev_full_logo", "prev_one")}
    for run in range(args.runs):
        # first build: no out/ at all (no manifest, no cache); then --clean with the caches warm
        for src in (None, args.previous) if args.previous and run % 2 == 0 else (args.previous, None) if args.previous else (None,):
            shutil.rmtree(logo_ws / "out", ignore_errors=True)
            t["prev_first" if src else "first"].append(timed([*DOKGEN, "-C", str(logo_ws), "build", "--jobs", "2", "--quiet"], src))
            if src:  # its --clean and one-change builds, on the out/ it made
                t["prev_full_logo"].append(timed([*DOKGEN, "-C", str(logo_ws), "build", "--clean", "--jobs", "2", "--quiet"], src))
                touch_one_record(logo_ws, run + 1)
                t["prev_one"].append(timed([*DOKGEN, "-C", str(logo_ws), *build[3:]], src))
                shutil.rmtree(logo_ws / "out", ignore_errors=True)
                timed([*DOKGEN, "-C", str(logo_ws), "build", "--jobs", "2", "--quiet"])  # this version's out/ and caches again
        for order in ((("plain", plain_ws), ("logo", logo_ws)) if run % 2 == 0 else (("logo", logo_ws), ("plain", plain_ws))):
            name, ws = order
            suffix = "_logo" if name == "logo" else ""
            t["full" + suffix].append(timed([*DOKGEN, "-C", str(ws), "build", "--clean", "--jobs", "2", "--quiet"]))
            t["noop" + suffix].append(timed([*DOKGEN, "-C", str(ws), *build[3:]]))
            t["plain" + suffix].append(plain_docxtpl_rate(ws, min(200, n_docs)))
        touch_one_record(logo_ws, run)
        t["one"].append(timed([*DOKGEN, "-C", str(logo_ws), *build[3:]]))
        if labs:
            t["pdf1"].append(timed([*DOKGEN, "-C", str(labs), "build", "--clean", "--jobs", "1", "--quiet"]))
            t["pdf2"].append(timed([*DOKGEN, "-C", str(labs), "build", "--clean", "--jobs", "2", "--quiet"]))
    for ws in (plain_ws, logo_ws, labs):
        if ws:
            shutil.rmtree(ws)

    med = statistics.median

    def row(label: str, key: str, extra: str = "") -> None:
        v = t[key]
        print(f"{label:62} {med(v):9.2f}s {min(v):7.2f}s {max(v):7.2f}s   {extra}")

    def rate_row(label: str, key: str) -> None:
        v = t[key]
        print(f"{label:62} {med(v):8.0f}/s {min(v):7.0f}/s {max(v):7.0f}/s")

    rate, rate_logo = n_docs / med(t["full"]), n_docs / med(t["full_logo"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}; medians of {args.runs} interleaved runs")
    print(f"{'case':62} {'median':>10} {'min':>8} {'max':>8}")
    row(f"logos: dokgen build --clean -j2, {n_docs} MoUs (whole process)", "full_logo", f"{rate_logo:,.0f} docs/s")
    rate_row("logos: plain docxtpl + InlineImage, same contexts, 2 processes", "plain_logo")
    row(f"no logos: dokgen build --clean -j2, {n_docs} MoUs (whole process)", "full", f"{rate:,.0f} docs/s")
    rate_row("no logos: plain docxtpl, same contexts, 2 processes", "plain")
    row(f"logos: first build -j2, no out/ yet (whole process)", "first", f"{n_docs / med(t['first']):,.0f} docs/s")
    row(f"no-op rebuild, {n_docs} MoUs with logos (whole process)", "noop_logo")
    row(f"no-op rebuild, {n_docs} MoUs without logos (whole process)", "noop")
    row(f"one MoU changed among {n_docs} (whole process)", "one")
    if args.previous:
        print(f"previous version ({args.previous}), same workspace, interleaved:")
        row(f"  logos: dokgen build --clean -j2 (previous)", "prev_full_logo", f"{n_docs / med(t['prev_full_logo']):,.0f} docs/s")
        row(f"  logos: first build -j2 (previous)", "prev_first", f"{n_docs / med(t['prev_first']):,.0f} docs/s")
        row(f"  one MoU changed (previous)", "prev_one")
    if labs:
        row(f"{args.labs} PDF reports, --jobs 1", "pdf1")
        row(f"{args.labs} PDF reports, --jobs 2", "pdf2")
    print(f"ratios: logos dokgen / plain docxtpl = {rate_logo / med(t['plain_logo']):.1f}x (target >= 10x; issue 14 baseline 0.6x); "
          f"no logos {rate / med(t['plain']):.1f}x (target >= 10x; baseline 4.0x); "
          f"first build, every file written, {n_docs / med(t['first']) / med(t['plain_logo']):.1f}x")
    print(f"no-op {med(t['noop_logo']):.2f} s (target <= 0.5 s; baseline 0.9-1.5 s); one record changed {med(t['one']):.2f} s (target <= 1.0 s)"
          + (f"; PDF 2 workers / 1 = {med(t['pdf1']) / med(t['pdf2']):.2f}x (target >= 1.8x)" if labs else ""))


if __name__ == "__main__":
    main()
