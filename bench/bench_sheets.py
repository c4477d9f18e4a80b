"""Importing a 5,000-row Ide sheet (500 units of 10 ideas) into a lab record, side by side by format.

Each case imports the same units from .xlsx (openpyxl-made), .ods and .xls (saved by
LibreOffice, when installed) and .csv into a fresh copy of the example workspace; the
first import writes the lab, the second finds it unchanged (the no-op a facilitator gets
when the sheet did not change). Also timed: `dry run` (everything but the write) and the
export of the 5,000 ideas back to .xlsx. Runs are interleaved; medians, min, max and
ratios against the .csv import are printed.

Run: .venv/bin/python bench/bench_sheets.py [--runs N]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from dokgen.sheets.exporting import export_lab  # noqa: E402
from dokgen.sheets.importing import import_sheet  # noqa: E402
from tests.sheets.conftest import IDE_HEADERS, write_csv, write_xlsx  # noqa: E402

LAB = Path("records/labs/labinov-pontianak-2015.yaml")
TYPES = ("opd", "kecamatan", "kelurahan", "puskesmas", "bumd")


def rows(n_units: int = 500, per_unit: int = 10) -> list[list[str]]:
    return [[f"Unit Kerja Nomor {u + 1}", TYPES[u % 5], f"Ide inovasi {u + 1}.{i + 1} untuk layanan warga",
             f"Warga menunggu lama untuk layanan nomor {i + 1} di unit {u + 1}, sering kembali lagi esok harinya.",
             f"Layanan dibuka lewat pesan singkat dan jadwal kunjungan yang diumumkan setiap pekan ({u}-{i})."]
            for u in range(n_units) for i in range(per_unit)]


def fresh_workspace(base: Path, name: str) -> Path:
    ws = base / name
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, ws / part)
    return ws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="dokgen-bench-sheets-"))
    data = rows()
    files = {"csv": write_csv(base / "ide.csv", IDE_HEADERS, data, sep=";", bom=True),
             "xlsx": write_xlsx(base / "ide.xlsx", "Ide", IDE_HEADERS, data)}
    soffice = shutil.which("soffice")
    if soffice:
        for fmt in ("ods", "xls"):
            subprocess.run([soffice, f"-env:UserInstallation=file://{base / 'profile'}", "--headless", "--convert-to", fmt,
                            "--outdir", str(base), str(files["xlsx"])], check=True, capture_output=True, timeout=300)
            files[fmt] = base / f"ide.{fmt}"
    cases: dict[str, list[float]] = {}
    for run in range(args.runs):
        for fmt, path in files.items():
            ws = fresh_workspace(base, f"ws-{fmt}-{run}")
            for label, write in (("import", True), ("import again (no-op)", True)):
                start = time.perf_counter()
                result = import_sheet(ws, path, LAB, write=write)
                cases.setdefault(f"{label} .{fmt}", []).append(time.perf_counter() - start)
                assert result.counts["ideas"] == 5000
            start = time.perf_counter()
            import_sheet(fresh_workspace(base, f"dry-{fmt}-{run}"), path, LAB, write=False)
            cases.setdefault(f"dry run .{fmt}", []).append(time.perf_counter() - start)
            if fmt == "xlsx":
                out = base / f"export-{run}.xlsx"
                start = time.perf_counter()
                export_lab(ws, LAB.stem, out)
                cases.setdefault("export 5,000 ideas to .xlsx", []).append(time.perf_counter() - start)
    reference = statistics.median(cases["import .csv"])
    print(f"# 5,000-row sheet, {args.runs} runs, {platform.python_version()} on {platform.machine()}")
    print(f"{'case':34} {'median':>8} {'min':>8} {'max':>8} {'x csv':>6}")
    for name in sorted(cases, key=lambda n: (n.split(" .")[0], n)):
        s = cases[name]
        print(f"{name:34} {statistics.median(s):7.2f}s {min(s):7.2f}s {max(s):7.2f}s {statistics.median(s) / reference:6.2f}")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
