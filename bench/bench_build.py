"""Build-engine benchmark: 1,000 MoUs, no-op rebuilds, and 1 vs 2 workers on PDF reports.

Run: .venv/bin/python bench/bench_build.py [--records 1000] [--runs 3]
Everything is measured in one run, side by side, as medians over --runs (this machine is
noisy). Plain docxtpl renders the same template and contexts in a 2-process spawn pool.
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


def make_workspace(records: int, labs: int) -> Path:
    """A copy of the example workspace with generated MoUs (2-4 parties) and lab copies."""
    ws = Path(tempfile.mkdtemp(prefix="dokgen-bench-"))
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, ws / part)
    shutil.rmtree(ws / "records/press")  # press pieces are not what this measures
    lan = (ws / "records/parties/lan.yaml").read_text()
    for i in range(20):
        (ws / f"records/parties/mitra-{i:02d}.yaml").write_text(
            lan.replace("Lembaga Administrasi Negara", f"Universitas Mitra {i} & Rekan").replace("short_name: LAN", f"short_name: Mitra {i}")
        )
    base = (ws / MOU).read_text()
    old = "  - party: pemkot-pontianak\n    number: null\n  - party: lan\n    number: null\n"
    for n in range(records):
        parties = [f"mitra-{(n + k) % 20:02d}" for k in range(2 + n % 3)]
        block = "".join(f"  - party: {p}\n    number: {n}/NK/{k}/2025\n" for k, p in enumerate(parties))
        text = base.replace(old, block).replace("term_years: 5", f"term_years: {1 + n % 10}")
        (ws / f"records/mou/mou-{n:04d}.yaml").write_text(text)
    if labs:
        lab = (ws / LAB).read_text()
        for n in range(labs):
            (ws / f"records/labs/lab-{n:02d}.yaml").write_text(lab.replace("Kota Pontianak\n", f"Kota Pontianak {n}\n", 1))
    (ws / LAB).unlink()
    return ws


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--labs", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    docs = make_workspace(args.records, 0)
    labs = make_workspace(0, args.labs)
    n_docs = len(list((docs / "records/mou").glob("*.yaml")))
    full, noop, plain = [], [], []
    pdf1, pdf2 = [], []
    for _ in range(args.runs):
        full.append(timed([*DOKGEN, "-C", str(docs), "build", "--clean", "--jobs", "2", "--quiet"]))
        noop.append(timed([*DOKGEN, "-C", str(docs), "build", "--jobs", "2", "--quiet"]))
        plain.append(plain_docxtpl_rate(docs, min(200, n_docs)))
        pdf1.append(timed([*DOKGEN, "-C", str(labs), "build", "--clean", "--jobs", "1", "--quiet"]))
        pdf2.append(timed([*DOKGEN, "-C", str(labs), "build", "--clean", "--jobs", "2", "--quiet"]))
    shutil.rmtree(docs)
    shutil.rmtree(labs)

    med = statistics.median
    rate = n_docs / med(full)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}; medians of {args.runs} runs")
    print(f"{'case':54} {'median':>10} {'min':>8} {'max':>8}")
    print(f"{f'dokgen build --clean -j2, {n_docs} MoUs (whole process)':54} {med(full):9.2f}s {min(full):7.2f}s {max(full):7.2f}s   {rate:,.0f} docs/s")
    print(f"{'plain docxtpl, same template+contexts, 2 processes':54} {med(plain):8.0f}/s {min(plain):7.0f}/s {max(plain):7.0f}/s")
    print(f"{f'no-op rebuild, {n_docs} MoUs (whole process)':54} {med(noop):9.2f}s {min(noop):7.2f}s {max(noop):7.2f}s")
    print(f"{f'{args.labs} PDF reports, --jobs 1':54} {med(pdf1):9.2f}s {min(pdf1):7.2f}s {max(pdf1):7.2f}s")
    print(f"{f'{args.labs} PDF reports, --jobs 2':54} {med(pdf2):9.2f}s {min(pdf2):7.2f}s {max(pdf2):7.2f}s")
    print(f"ratios: dokgen / plain docxtpl = {rate / med(plain):.1f}x (target >= 10x, >= 1,000 docs/s); "
          f"PDF 2 workers / 1 = {med(pdf1) / med(pdf2):.2f}x (target >= 1.8x); no-op {med(noop):.2f} s (target < 1 s)")


if __name__ == "__main__":
    main()
