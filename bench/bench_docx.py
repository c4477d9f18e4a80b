"""Word output benchmark: plain docxtpl (render_docx) against the prepared fast path.

Run: .venv/bin/python bench/bench_docx.py [--docs 400] [--rounds 3] [--chunk 25] [--logos]

Both variants render the same template (templates/docx/mou.docx) with the same generated MoU
contexts (2-4 parties, 3-6 scopes, names varied, every third one with '&' and '<'), in one
run. One process: the two variants alternate document by document, so a noisy neighbour
slows both alike; ms/doc as median (min-max) and the paired ratio. Two processes: a spawn
pool of 2 workers, documents submitted in chunks, each variant's rounds alternating with the
other's; pool start-up, imports and the fast path's one-time prepare are excluded (warm-up).
Every document of the one-process pass is also checked: the fast path's bytes must equal
render_docx's. With --logos every party has a logo (one of eight, PNG and JPEG, 300x200
pixels): plain docxtpl embeds them through InlineImage, the fast path from its prepared
picture parts.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
TEMPLATE = REPO / "templates/docx/mou.docx"
NAME = "templates/docx/mou.docx"

FIRST = ["Pemerintah Kabupaten", "Pemerintah Kota", "Universitas", "Politeknik Negeri", "Badan", "PT"]
PLACES = ["Sambas", "Ketapang", "Sintang", "Kubu Raya", "Mempawah", "Sanggau", "Landak", "Bengkayang", "Kapuas Hulu", "Melawi"]
PEOPLE = ["Siti Rahma", "Budi Santoso", "Agus Salim", "Dewi Lestari", "Yohanes Lie", "Nur Aini", "Made Wirawan", "Rina Tambunan"]
SCOPES = ["Pengkajian Kebijakan", "Pendidikan dan Pelatihan", "Inovasi Administrasi Negara", "Penyelenggaraan Pendidikan Tinggi",
          "Pertukaran Data dan Informasi", "Penelitian Bersama", "Pengabdian kepada Masyarakat", "Magang Aparatur"]


def bench_logos() -> list[Path]:
    """Eight logos, the same bytes in every process (written once into the temp folder)."""
    import tempfile

    from PIL import Image, ImageDraw

    folder = Path(tempfile.gettempdir()) / "dokgen-bench-logos"
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(8):
        ext, fmt = ("png", "PNG") if i % 2 == 0 else ("jpg", "JPEG")
        path = folder / f"logo-{i}.{ext}"
        if not path.exists():
            img = Image.new("RGB", (300, 200), "white")
            ImageDraw.Draw(img).ellipse((10 + 5 * i, 10, 290 - 5 * i, 190), fill=(30 * i, 90, 160), outline="black", width=6)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            img.save(tmp, fmt)
            os.replace(tmp, path)
        paths.append(path)
    return paths


def make_contexts(n: int, seed: int = 2015, logos: bool = False) -> list[dict]:
    """n MoU contexts, the same in every process: the worked example with parties and scopes varied."""
    from dokgen.context.mou import mou_context
    from dokgen.indonesian import letter, party_label, party_ordinal, roman
    from dokgen.records import load_workspace

    base = mou_context(load_workspace(REPO), "pontianak-lan-2015")
    rnd = random.Random(seed)
    pictures = bench_logos() if logos else []
    contexts = []
    for i in range(n):
        marked = i % 3 == 0  # names that must be escaped in XML
        parties = []
        for k in range(1, rnd.randint(2, 4) + 1):
            name = f"{rnd.choice(FIRST)} {rnd.choice(PLACES)}" + (" & Rekan <Unit> \"Mitra\"" if marked and k == 2 else "")
            person = rnd.choice(PEOPLE)
            template = base["parties"][min(k, 2) - 1]
            parties.append({
                **template, "id": f"p{k}", "name": name, "name_caps": name.upper(), "short_name": name.split()[-1],
                "number": f"{i}/NK/{k}/2025" if rnd.random() < 0.5 else None,
                "ordinal": party_ordinal(k), "label": party_label(k), "roman": roman(k),
                "signatory": {**template["signatory"], "name": person, "full_name": f"Dr. {person}, M.Si."},
                "logo_path": pictures[(i + k) % len(pictures)] if pictures else None,
            })
        scopes = [{"key": None, "title": t, "description": f"kegiatan {t.lower()} tahun {2020 + i % 6}" + (" & <evaluasi>" if marked else "")}
                  for t in rnd.sample(SCOPES, rnd.randint(3, 6))]
        subject = f"Kerja Sama {scopes[0]['title']} Nomor {i}" + (" & <Uji>" if marked else "")
        doc = {**base["doc"], "subject": subject, "subject_caps": subject.upper(), "is_draft": i % 2 == 0,
               "paper": "a4" if i % 4 else "f4", "paper_mm": (210, 297) if i % 4 else (215, 330)}
        # the Ruang Lingkup article lists the varied scopes (the template prints articles, not scopes)
        items = [{"style": "item", "label": f"{letter(j)}.", "text": f"{s['title'].lower()}, yaitu {s['description']};"} for j, s in enumerate(scopes, 1)]
        articles = [{**a, "paragraphs": [a["paragraphs"][0], *items]} if a["id"] == "ruang-lingkup" else a for a in base["articles"]]
        contexts.append({**base, "id": f"mou-{i:04d}", "doc": doc, "parties": parties, "scopes": scopes, "articles": articles, "term_years": 1 + i % 10})
    return contexts


# --- workers ----------------------------------------------------------------------------------

_contexts: list[dict] = []


def _init(n: int, logos: bool = False) -> None:
    """Per worker, before any timing: the contexts, the imports, and the template prepared once."""
    global _contexts
    _contexts = make_contexts(n, logos=logos)
    _render("plain", 0, 1)
    _render("fast", 0, 1)


def _render(variant: str, start: int, stop: int) -> int:
    from dokgen.render.docx import render_docx
    from dokgen.render.docx_fast import render_docx_fast

    render = render_docx if variant == "plain" else render_docx_fast
    size = 0
    for ctx in _contexts[start:stop]:
        size += len(render(TEMPLATE, ctx, template_name=NAME, title=f"Nota Kesepahaman {ctx['id']}"))
    return size


def pool_rates(n: int, rounds: int, chunk: int, passes: dict[str, int], logos: bool = False) -> dict[str, list[float]]:
    """docs/s of each variant with 2 spawned workers, rounds alternating the order.

    A round renders every context `passes[variant]` times, so that a fast round lasts long
    enough (~1 s) for a burst of other load on the machine not to decide its figure.
    """
    rates: dict[str, list[float]] = {"plain": [], "fast": []}
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), initializer=_init, initargs=(n, logos)) as pool:
        list(pool.map(_render, ["fast", "plain"], [0, 0], [1, 1]))  # waits for the workers to be up
        for r in range(rounds):
            for variant in (("plain", "fast") if r % 2 == 0 else ("fast", "plain")):
                t0 = time.perf_counter()
                futures = [pool.submit(_render, variant, s, min(s + chunk, n)) for _ in range(passes[variant]) for s in range(0, n, chunk)]
                for f in futures:
                    f.result()
                rates[variant].append(n * passes[variant] / (time.perf_counter() - t0))
    return rates


# --- one process ------------------------------------------------------------------------------


def per_doc(contexts: list[dict]) -> tuple[list[float], list[float], int, float]:
    """ms/doc of each variant, alternating per document; count of byte-identical outputs; prepare ms."""
    import docxtpl  # noqa: F401  (imported before the clock starts: prepare_ms is the prepare alone)

    from dokgen.render import docx_fast
    from dokgen.render.docx import render_docx

    t0 = time.perf_counter()
    docx_fast.prepare(TEMPLATE, NAME)
    prepare_ms = (time.perf_counter() - t0) * 1000
    render_docx(TEMPLATE, contexts[0], template_name=NAME, title="warm-up")
    plain, fast, same = [], [], 0
    for i, ctx in enumerate(contexts):
        title = f"Nota Kesepahaman {ctx['id']}"
        timed = {}
        for variant in (("plain", "fast") if i % 2 == 0 else ("fast", "plain")):
            render = render_docx if variant == "plain" else docx_fast.render_docx_fast
            t = time.perf_counter()
            timed[variant] = render(TEMPLATE, ctx, template_name=NAME, title=title)
            (plain if variant == "plain" else fast).append((time.perf_counter() - t) * 1000)
        same += timed["plain"] == timed["fast"]
    return plain, fast, same, prepare_ms


def describe(values: list[float], unit: str, fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(statistics.median(values))} {unit} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=400, help="generated MoU contexts (200-1000)")
    parser.add_argument("--rounds", type=int, default=3, help="2-process rounds per variant")
    parser.add_argument("--chunk", type=int, default=25, help="documents per pool task")
    parser.add_argument("--logos", action="store_true", help="every party with a logo (PNG and JPEG)")
    args = parser.parse_args()

    print(f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}")
    print("load average before (1/5/15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (other work on the machine slows both variants)")
    print("versions: " + ", ".join(f"{p} {version(p)}" for p in ("docxtpl", "python-docx", "Jinja2", "lxml")))
    contexts = make_contexts(args.docs, logos=args.logos)
    parties = [len(c["parties"]) for c in contexts]
    scopes = [len(c["scopes"]) for c in contexts]
    print(f"template: {NAME}; {args.docs} generated MoU contexts ({min(parties)}-{max(parties)} parties, "
          f"{min(scopes)}-{max(scopes)} scopes, {sum(i % 3 == 0 for i in range(args.docs))} with & and <, A4 and F4, draft and final"
          f"{', every party with a logo' if args.logos else ', no logos'})")

    plain, fast, same, prepare_ms = per_doc(contexts)
    ratios = [p / f for p, f in zip(plain, fast)]
    print("\none process, the two variants alternating per document: ms/doc, median (min-max)")
    print(f"  plain docxtpl (render_docx)         {describe(plain, 'ms')}")
    print(f"  fast path (render_docx_fast)        {describe(fast, 'ms', '{:.3f}')}")
    print(f"  ratio plain/fast: {statistics.median(plain) / statistics.median(fast):.1f}x of medians, "
          f"{statistics.median(ratios):.1f}x per-document paired median")
    print(f"  fast path one-time prepare: {prepare_ms:.1f} ms; identical bytes: {same}/{len(contexts)}")

    # A fast round goes over the contexts enough times to last ~1.5 s on 2 workers (see pool_rates).
    fast_passes = math.ceil(1.5 / (args.docs * statistics.median(fast) / 1000 / 2))
    rates = pool_rates(args.docs, args.rounds, args.chunk, {"plain": 1, "fast": fast_passes}, args.logos)
    print(f"\n2 processes (spawn, chunks of {args.chunk}, {args.rounds} rounds each, fast rounds {fast_passes} passes over the contexts,"
          f" warm-up excluded): docs/s, median (min-max)")
    print(f"  plain docxtpl                       {describe(rates['plain'], 'docs/s', '{:.0f}')}")
    print(f"  fast path                           {describe(rates['fast'], 'docs/s', '{:.0f}')}")
    print(f"  ratio fast/plain: {statistics.median(rates['fast']) / statistics.median(rates['plain']):.1f}x")
    print("load average after (1/5/15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("\ntarget (issues 5 and 14): fast path >= 10x plain docxtpl, with logos too; floor (perf notes) ~0.7-0.9 ms/doc, ~2,150 docs/s on 2 cores")


if __name__ == "__main__":
    main()
