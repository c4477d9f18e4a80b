"""Register benchmark: what a QR costs a Word document, and how long one `dokgen issue` takes.

Run: .venv/bin/python bench/bench_register.py [--docs 200] [--issues 6]

One process, side by side, document by document (so a noisy neighbour slows all alike):
the worked example's MoU on the prepared fast path without a QR, the same with a QR (a
fresh code per document, so no PNG cache helps), and plain docxtpl with the QR; ms/doc as
median (min-max) and the ratios of the medians. Then `issue` in-process on a fresh copy of
the workspace: register transaction, number, record write-back, render, write, hashes.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
NAME = "templates/docx/mou.docx"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--issues", type=int, default=6)
    args = parser.parse_args()

    from dokgen.context.mou import mou_context
    from dokgen.qr import verification_context
    from dokgen.records import load_workspace
    from dokgen.register import new_code
    from dokgen.render.docx import render_docx
    from dokgen.render.docx_fast import prepare

    template = REPO / NAME
    base = mou_context(load_workspace(REPO), "pontianak-lan-2015")
    base["doc"] = {**base["doc"], "status": "final", "is_draft": False}
    prepared = prepare(template, NAME)
    times: dict[str, list[float]] = {"fast, no QR": [], "fast, QR": [], "docxtpl, QR": [], "QR alone": []}
    for i in range(args.docs + 5):
        codes = [new_code(), new_code(), new_code()]  # a fresh code per render: the QR is drawn (segno) inside the timing

        def with_qr(code: str) -> dict:
            return {**base, "verification": verification_context(code, "final", "https://jdih.example.go.id/verifikasi/{code}")}

        runs = [("fast, no QR", lambda: prepared.render(base, template_name=NAME, title="t")),
                ("fast, QR", lambda: prepared.render(with_qr(codes[0]), template_name=NAME, title="t")),
                ("docxtpl, QR", lambda: render_docx(template, with_qr(codes[1]), template_name=NAME, title="t")),
                ("QR alone", lambda: with_qr(codes[2]))]  # segno's encoding and the PNG, no document
        for label, fn in runs if i % 2 else reversed(runs):
            start = time.perf_counter()
            fn()
            if i >= 5:  # warm-up: prepare, imports, the layout of the QR's package
                times[label].append((time.perf_counter() - start) * 1000)
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"Word MoU, {args.docs} documents, one process")
    for label, values in times.items():
        print(f"  {label:12} {medians[label]:7.2f} ms/doc ({min(values):.2f}-{max(values):.2f})")
    print(f"  a QR document on the fast path takes x{medians['fast, QR'] / medians['fast, no QR']:.2f} the time of one without "
          f"(drawing the QR is {medians['QR alone']:.1f} ms of it); "
          f"docxtpl with the QR is x{medians['docxtpl, QR'] / medians['fast, QR']:.1f} slower than the fast path")

    from dokgen.issuing import issue
    from dokgen.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        init_workspace(ws)
        (ws / "records/register.yaml").write_text(
            'numbering: {party: lan, pattern: "{seq:03}/{kode}/{bulan_romawi}/{tahun}", kode: KS.01}\n', encoding="utf-8")
        source = (ws / "records/mou/pontianak-lan-2015.yaml").read_text(encoding="utf-8").replace("status: draft", "status: final")
        for i in range(args.issues):
            (ws / f"records/mou/bench-{i}.yaml").write_text(source, encoding="utf-8")
        spent = []
        for i in range(args.issues):
            start = time.perf_counter()
            issue(ws, ws / f"records/mou/bench-{i}.yaml")
            spent.append((time.perf_counter() - start) * 1000)
        shutil.rmtree(ws / "out", ignore_errors=True)
    print(f"dokgen issue (MoU, in-process, {args.issues} records): median {statistics.median(spent[1:]):.0f} ms "
          f"({min(spent[1:]):.0f}-{max(spent[1:]):.0f}), first {spent[0]:.0f} ms (imports, register created)")


if __name__ == "__main__":
    main()
