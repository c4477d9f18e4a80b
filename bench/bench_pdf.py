"""PDF lab report timings: dokgen's render beside plain WeasyPrint on the same HTML.

Run: .venv/bin/python bench/bench_pdf.py [--runs N]

Prints, in one run:
- in-process render of a ~12-page report and of a 40-unit/300-idea report (~40 pages):
  dokgen (shipped pre-subset Arimo, confined fetcher, pdf/a-3b, Jinja included) against
  plain WeasyPrint on the very same HTML with the system's full DejaVu fonts, default
  fetcher and default options; medians over interleaved runs, min/max, ratios;
- milliseconds per extra page (from the two sizes);
- peak memory (ru_maxrss) of rendering the large report in a child process;
- whole-process `dokgen build` of one lab record (the 12-page one), and the start-up
  cost of `import dokgen.cli` with a check that it does not import WeasyPrint;
- what a plotting library would cost for the chart (matplotlib, when installed);
- with --previous SRC, the whole-process `dokgen build --clean` of an earlier version (a
  source tree, e.g. a git worktree of an earlier commit) in the same run.

Targets (issue 3): 12 pages <= 0.6 s in-process, <= 1.0 s as a whole process,
<= ~65 ms per extra page, the 40-page report < 150 MB peak. Issue 14, target 4: the 12-page
report in process >= 1.5x faster than plain WeasyPrint on the same HTML, and `dokgen build
--clean` of the workspace (that report and its MoU, default --jobs) as a whole process in at
most 0.85x the time of plain WeasyPrint rendering the report's HTML in a fresh process
(`python -c "import weasyprint; HTML(...).write_pdf(...)"`, which counts its import too).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
DOKGEN = str(Path(sys.executable).with_name("dokgen"))
LAB_ID = "labinov-bench"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
DEJAVU_FACES = {  # (weight, style) -> file
    ("400", "normal"): "DejaVuSans.ttf", ("700", "normal"): "DejaVuSans-Bold.ttf",
    ("400", "italic"): "DejaVuSans-Oblique.ttf", ("700", "italic"): "DejaVuSans-BoldOblique.ttf",
}
SIZES = {"12p": (24, 40), "40p": (40, 300)}  # (units, ideas)
KINDS = ["opd", "kecamatan", "kelurahan", "puskesmas", "bumd", "lainnya"]


def make_workspace(root: Path, units: int, ideas: int) -> Path:
    """A copy of the example workspace whose only lab has `units` units and `ideas` ideas."""
    import yaml

    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, root / part)
    shutil.rmtree(root / "records" / "press")  # one lab record and what it names
    labs = root / "records" / "labs"
    data = yaml.safe_load((labs / "labinov-pontianak-2015.yaml").read_text(encoding="utf-8"))
    for f in labs.iterdir():
        f.unlink()
    rows = [{"name": f"Dinas Contoh Nomor {i + 1}", "type": KINDS[i % len(KINDS)], "ideas": []} for i in range(units)]
    for j in range(ideas):
        rows[j % units]["ideas"].append({
            "title": f"Layanan cepat nomor {j + 1}",
            "problem": "Warga menunggu lama karena berkas diperiksa di beberapa meja dan jadwalnya tidak diumumkan.",
            "description": "Satu loket menerima berkas, memeriksa kelengkapan, dan memberi tahu warga ketika layanan selesai.",
        })
    data["units"] = rows
    (labs / f"{LAB_ID}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def plain_copy(ws: Path, html: str, target: Path) -> Path:
    """Write the same HTML beside a stylesheet whose @font-face rules name system DejaVu."""
    target.mkdir(parents=True)
    css = (ws / "templates/html/lab-report.css").read_text(encoding="utf-8")

    def dejavu(match: re.Match) -> str:
        rule = match.group(0)
        weight = re.search(r"font-weight:\s*(\d+)", rule).group(1)
        style = re.search(r"font-style:\s*(\w+)", rule).group(1)
        return re.sub(r"url\([^)]*\)", f"url({(DEJAVU / DEJAVU_FACES[weight, style]).as_uri()})", rule)

    # Rename the family too, so the PDF's font names show which files were used.
    css = re.sub(r"@font-face\s*{[^}]*}", dejavu, css).replace('"Laporan Sans"', '"DejaVu Sans Plain"')
    (target / "lab-report.css").write_text(css, encoding="utf-8")
    (target / "report.html").write_text(html.replace('font-family="Laporan Sans"', 'font-family="DejaVu Sans Plain"'), encoding="utf-8")
    return target / "report.html"


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def child(code: str, env: dict | None = None) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env).stdout.strip()


def timed_run(cmd: list[str], cwd: Path, src: str | None = None) -> tuple[float, float]:
    """Run cmd (with dokgen from the source tree src if given); return (wall seconds, CPU seconds of the child)."""
    import resource

    env = {**os.environ, "PYTHONPATH": src} if src else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


PEAK_DOKGEN = """
import resource, sys
from pathlib import Path
from dokgen.build import Options
from dokgen.records import load_workspace
from dokgen.render.pdf import produce_lab_report
ws = load_workspace(Path(sys.argv[1]))
produce_lab_report(ws, ws.labs[sys.argv[2]], Options())
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, hwm)
"""
PLAIN_PROCESS = """
import sys
import weasyprint
weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])
"""
PEAK_PLAIN = """
import resource, sys
import weasyprint
weasyprint.HTML(filename=sys.argv[1]).write_pdf()
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, hwm)
"""
MATPLOTLIB = """
import io, time
t = time.perf_counter()
import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt
t_import = time.perf_counter() - t
fig, ax = plt.subplots(figsize=(6.3, 2.2))
ax.barh(["Perangkat Daerah (OPD)", "Kecamatan", "Kelurahan", "Puskesmas"], [5, 3, 1, 1], color="#3a3a3a")
ax.invert_yaxis()
out = io.BytesIO()
fig.savefig(out, format="svg")
print(t_import * 1000, (time.perf_counter() - t) * 1000, len(out.getvalue()))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="interleaved in-process runs per case (default 5)")
    parser.add_argument("--process-runs", type=int, default=7, help="whole-process runs per case (default 7)")
    parser.add_argument("--previous", metavar="SRC", help="also time `dokgen build --clean` with dokgen from this source tree (an earlier version)")
    args = parser.parse_args()

    from dokgen.build import Options
    from dokgen.context.lab import lab_context
    from dokgen.records import load_workspace
    from dokgen.render import pdf as pdf_render

    work = Path(tempfile.mkdtemp(prefix="dokgen-bench-pdf-"))
    try:
        # Peak memory first, while this process is still small: Linux carries a parent's
        # ru_maxrss over fork+exec, so VmHWM (the child's own high-water mark) is shown too.
        mem_ws = make_workspace(work / "mem", *SIZES["40p"])
        mem_ws_obj = load_workspace(mem_ws)
        mem_plain = plain_copy(mem_ws, pdf_render.render_html(mem_ws_obj, lab_context(mem_ws_obj, LAB_ID)), work / "mem-plain")
        peak = {
            "dokgen": [int(x) / 1024 for x in child(PEAK_DOKGEN.replace("sys.argv[1]", repr(str(mem_ws))).replace("sys.argv[2]", repr(LAB_ID))).split()],
            "plain": [int(x) / 1024 for x in child(PEAK_PLAIN.replace("sys.argv[1]", repr(str(mem_plain)))).split()],
        }
        peak_dokgen = max(peak["dokgen"])
        peak_plain = max(peak["plain"])

        import weasyprint

        cases = {}
        for size, (units, ideas) in SIZES.items():
            ws_dir = make_workspace(work / size, units, ideas)
            ws = load_workspace(ws_dir)
            rec = ws.labs[LAB_ID]
            ctx = lab_context(ws, LAB_ID)
            html = pdf_render.render_html(ws, ctx)
            plain_html = plain_copy(ws_dir, html, work / f"plain-{size}")
            cases[size] = {"ws_dir": ws_dir, "ws": ws, "rec": rec, "plain": plain_html}

        def run_dokgen(c) -> bytes:
            return pdf_render.produce_lab_report(c["ws"], c["rec"], Options()).files[f"labs/{LAB_ID}.pdf"]

        def run_plain(c) -> bytes:
            return weasyprint.HTML(filename=str(c["plain"])).write_pdf()

        def pages(data: bytes) -> int:
            from io import BytesIO

            from pypdf import PdfReader

            return len(PdfReader(BytesIO(data)).pages)

        samples: dict[tuple[str, str], list[float]] = {}
        cpu_samples: dict[tuple[str, str], list[float]] = {}
        page_counts: dict[tuple[str, str], int] = {}
        for size, c in cases.items():  # warm-up: first render in a process sets up Pango/fontconfig
            for who, fn in (("dokgen", run_dokgen), ("plain", run_plain)):
                page_counts[who, size] = pages(fn(c))
                samples[who, size] = []
                cpu_samples[who, size] = []
        for _ in range(args.runs):
            for size, c in cases.items():
                for who, fn in (("dokgen", run_dokgen), ("plain", run_plain)):
                    gc.collect()  # the previous render's garbage is not this render's cost
                    start, cpu = time.perf_counter(), time.process_time()
                    fn(c)
                    samples[who, size].append(time.perf_counter() - start)
                    cpu_samples[who, size].append(time.process_time() - cpu)

        # fonts actually embedded, per case
        def font_names(data: bytes) -> str:
            from io import BytesIO

            from pypdf import PdfReader

            names = set()
            for page in PdfReader(BytesIO(data)).pages:
                for font in (page.get("/Resources", {}).get("/Font") or {}).values():
                    font = font.get_object()
                    embedded = any(k in font["/DescendantFonts"][0].get_object()["/FontDescriptor"] for k in ("/FontFile", "/FontFile2", "/FontFile3")) if "/DescendantFonts" in font else "/FontFile2" in font.get("/FontDescriptor", {})
                    names.add(f"{str(font['/BaseFont']).split('+')[-1]}{'' if embedded else ' (NOT embedded)'}")
            return ", ".join(sorted(names))

        fonts = {who: font_names((run_dokgen if who == "dokgen" else run_plain)(cases["12p"])) for who in ("dokgen", "plain")}


        # whole process: `dokgen build` of the one lab record, and start-up costs
        ws12 = cases["12p"]["ws_dir"]
        build_cmd = [DOKGEN, "build", "--clean", "-q", "-j", "1", f"records/labs/{LAB_ID}.yaml"]
        proc_cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import dokgen.cli'": [sys.executable, "-c", "import dokgen.cli"],
            "python -c 'import weasyprint'": [sys.executable, "-c", "import weasyprint"],
            "dokgen build (one lab, 12p)": build_cmd,
            # issue 14, target 4: the whole workspace (the report and its MoU) against plain
            # WeasyPrint rendering the report's HTML in a fresh process
            "dokgen build --clean (report + MoU)": [DOKGEN, "build", "--clean", "-q"],
            # with --previous: an earlier version of dokgen, in the same run
            **({"previous dokgen build --clean": [DOKGEN, "build", "--clean", "-q"]} if args.previous else {}),
            "plain WeasyPrint process (12p HTML)": [sys.executable, "-c", PLAIN_PROCESS, str(cases["12p"]["plain"]), str(work / "plain-process.pdf")],
        }
        proc: dict[str, list[tuple[float, float]]] = {k: [] for k in proc_cases}
        def src(name: str) -> str | None:
            return args.previous if name.startswith("previous") else None

        for name, cmd in proc_cases.items():
            timed_run(cmd, ws12, src(name))  # warm the file cache
        for _ in range(args.process_runs):
            for name, cmd in proc_cases.items():
                proc[name].append(timed_run(cmd, ws12, src(name)))
        weasy_in_cli = child("import sys, dokgen.cli, dokgen.build; print('weasyprint' in sys.modules)")

        matplotlib_line = None
        try:
            imp, total, size = (float(x) for x in child(MATPLOTLIB).split())
            start = time.perf_counter()
            for _ in range(100):
                lab_context(cases["12p"]["ws"], LAB_ID)
            ctx_ms = (time.perf_counter() - start) * 10
            matplotlib_line = (imp, total, size, ctx_ms)
        except Exception:  # matplotlib not installed: nothing to compare
            pass
    finally:
        shutil.rmtree(work, ignore_errors=True)

    # ---- report ----
    load = os.getloadavg()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, load average {load:.1f} at the end, Python "
          f"{platform.python_version()}, WeasyPrint {weasyprint.__version__}; {args.runs} interleaved runs per "
          f"in-process case, {args.process_runs} per whole-process case; medians in ms, (min-max) of wall time, "
          f"and CPU time [in brackets], which a busy machine inflates less")
    print(f"fonts in the PDF: dokgen [{fonts['dokgen']}]; plain [{fonts['plain']}]")
    print()
    print(f"{'in-process render':32} {'pages':>5} {'dokgen wall (min-max) [cpu]':>29} {'plain wall (min-max) [cpu]':>29} {'dokgen/plain':>12}")
    med, cpu_med = {}, {}
    for size in SIZES:
        d, p = samples["dokgen", size], samples["plain", size]
        med[size] = (median_ms(d), median_ms(p))
        cpu_med[size] = (median_ms(cpu_samples["dokgen", size]), median_ms(cpu_samples["plain", size]))
        label = {"12p": "12-page report", "40p": "40 units, 300 ideas"}[size]
        pages_txt = f"{page_counts['dokgen', size]}/{page_counts['plain', size]}"
        cells = [f"{med[size][i]:.0f} ({min(x) * 1000:.0f}-{max(x) * 1000:.0f}) [{cpu_med[size][i]:.0f}]" for i, x in enumerate((d, p))]
        print(f"{label:32} {pages_txt:>5} {cells[0]:>29} {cells[1]:>29} {med[size][0] / med[size][1]:11.2f}x")
    per_page, cpu_per_page = {}, {}
    for i, who in enumerate(("dokgen", "plain")):
        extra = page_counts[who, "40p"] - page_counts[who, "12p"]
        per_page[who] = (med["40p"][i] - med["12p"][i]) / extra
        cpu_per_page[who] = (cpu_med["40p"][i] - cpu_med["12p"][i]) / extra
    cells = [f"{per_page[w]:.1f} [{cpu_per_page[w]:.1f}]" for w in ("dokgen", "plain")]
    print(f"{'ms per extra page (12p -> 40p)':32} {'':5} {cells[0]:>29} {cells[1]:>29} {per_page['dokgen'] / per_page['plain']:11.2f}x")
    cells = [f"{peak[w][0]:.0f} / {peak[w][1]:.0f}" for w in ("dokgen", "plain")]
    print(f"{'peak MB, 300 ideas (child)':32} {'':5} {cells[0]:>29} {cells[1]:>29} {peak_dokgen / peak_plain:11.2f}x")
    print(f"{'':32} {'':5} {'(ru_maxrss / VmHWM)':>29}")
    print()
    print(f"{'whole process':38} {'wall median':>11} {'min':>7} {'max':>7} {'cpu median':>11}")
    for name, values in proc.items():
        walls = [w for w, _ in values]
        cpus = [c for _, c in values]
        print(f"{name:38} {median_ms(walls):11.0f} {min(walls) * 1000:7.0f} {max(walls) * 1000:7.0f} {median_ms(cpus):11.0f}")
    print(f"weasyprint imported by `import dokgen.cli, dokgen.build`: {weasy_in_cli}")
    if matplotlib_line:
        imp, total, size, ctx_ms = matplotlib_line
        print(f"chart: matplotlib import {imp:.0f} ms, import + one SVG bar chart {total:.0f} ms ({size / 1024:.0f} KB SVG); "
              f"dokgen's inline SVG: geometry in lab_context ({ctx_ms:.2f} ms for the whole context) drawn by the template")
    print()
    whole = proc["dokgen build --clean (report + MoU)"]
    plain_proc = proc["plain WeasyPrint process (12p HTML)"]
    whole_ratio = median_ms([w for w, _ in whole]) / median_ms([w for w, _ in plain_proc])
    whole_cpu_ratio = median_ms([c for _, c in whole]) / median_ms([c for _, c in plain_proc])
    print(f"dokgen build --clean (report + MoU) / plain WeasyPrint process: {whole_ratio:.2f}x wall, {whole_cpu_ratio:.2f}x cpu")
    if args.previous:
        previous = proc["previous dokgen build --clean"]
        print(f"previous dokgen build --clean / plain WeasyPrint process: {median_ms([w for w, _ in previous]) / median_ms([w for w, _ in plain_proc]):.2f}x wall, "
              f"{median_ms([c for _, c in previous]) / median_ms([c for _, c in plain_proc]):.2f}x cpu")
    build = proc["dokgen build (one lab, 12p)"]
    build_ms, build_cpu = median_ms([w for w, _ in build]), median_ms([c for _, c in build])
    checks = [
        ("12 pages in-process <= 600 ms", med["12p"][0], cpu_med["12p"][0], 600, "ms"),
        ("12 pages whole process <= 1000 ms", build_ms, build_cpu, 1000, "ms"),
        ("<= ~65 ms per extra page", per_page["dokgen"], cpu_per_page["dokgen"], 65, "ms"),
        ("300-idea report < 150 MB peak", peak_dokgen, peak_dokgen, 150, "MB"),
    ]
    speedup, cpu_speedup = med["12p"][1] / med["12p"][0], cpu_med["12p"][1] / cpu_med["12p"][0]
    checks.append(("build/plain process <= 0.85x", whole_ratio, whole_cpu_ratio, 0.85, "x"))  # issue 14, target 4
    for name, wall, cpu, limit, unit in checks:
        verdict = "met" if wall <= limit else ("met in CPU time" if cpu <= limit else "MISSED")
        digits = 0 if unit in ("ms", "MB") else 2
        print(f"target {name:36} {verdict:>16}  (wall {wall:.{digits}f} {unit}, cpu {cpu:.{digits}f} {unit})")
    verdict = "met" if speedup >= 1.5 else ("met in CPU time" if cpu_speedup >= 1.5 else "MISSED")
    print(f"target {'plain/dokgen in process >= 1.5x':36} {verdict:>16}  (wall {speedup:.2f}x, cpu {cpu_speedup:.2f}x)")
    print(f"target {'import dokgen.cli without weasyprint':36} {'met' if weasy_in_cli == 'False' else 'MISSED':>16}")


if __name__ == "__main__":
    main()
