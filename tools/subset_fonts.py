#!/usr/bin/env python3
"""Cut the report fonts in ``templates/html/fonts/`` down to what Indonesian text needs.

The PDF lab report ships its own fonts so that it looks the same on every machine. The
family is **Arimo** (Google, SIL Open Font License 1.1, no Reserved Font Name), whose
widths match Arial, the face Indonesian tata naskah dinas guides prescribe. A full Arimo
file holds ~3,000 glyphs (Greek, Cyrillic, Hebrew, ...); WeasyPrint would subset it again
on every render, which costs ~50 ms per face and document. Pre-subsetting once to the
Latin the reports use (about 400 glyphs) makes that step cheap.

Kept: Basic Latin, Latin-1 Supplement, Latin Extended-A (every letter Indonesian and
regional names use, plus Dutch-era spellings), General Punctuation (en/em dashes,
curly quotes, ellipsis, bullet), and a few signs (euro, numero, trade mark, minus).
Dropped: hinting (PDF viewers do not use TrueType hinting from embedded subsets), the
``liga`` feature (so "fi" stays two letters for text extraction and search), DSIG.

Run (Debian: ``apt-get install fonts-croscore`` provides the source files)::

    python tools/subset_fonts.py [--source /usr/share/fonts/truetype/croscore]

The output is reproducible: the same source files give byte-identical subsets.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "templates" / "html" / "fonts"
DEFAULT_SOURCE = Path("/usr/share/fonts/truetype/croscore")
FACES = ("Arimo-Regular", "Arimo-Bold", "Arimo-Italic", "Arimo-BoldItalic")

UNICODES = [
    *range(0x0020, 0x007F),  # Basic Latin
    *range(0x00A0, 0x0100),  # Latin-1 Supplement
    *range(0x0100, 0x0180),  # Latin Extended-A
    *range(0x2000, 0x2070),  # General Punctuation
    0x20AC,  # euro sign
    0x2116,  # numero sign
    0x2122,  # trade mark sign
    0x2212,  # minus sign
    0xFFFD,  # replacement character
]
# OpenType features kept for Latin text: kerning and mark placement, no ligatures.
FEATURES = ["kern", "mark", "mkmk", "ccmp", "locl"]


def subset(source: Path, target: Path) -> None:
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    options = ft_subset.Options()
    options.layout_features = FEATURES
    options.hinting = False
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    options.name_IDs = ["*"]  # keep copyright, licence and URL records
    options.name_languages = ["*"]
    options.recalc_timestamp = False  # keep head.modified: byte-identical reruns
    font = TTFont(source, recalcTimestamp=False)
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    font.save(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder holding Arimo-*.ttf")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    missing = [f for f in FACES if not (args.source / f"{f}.ttf").is_file()]
    if missing:
        print(f"missing in {args.source}: {', '.join(missing)} (Debian: apt-get install fonts-croscore)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for face in FACES:
        src = args.source / f"{face}.ttf"
        dst = args.out / f"{face}.ttf"
        subset(src, dst)
        digest = hashlib.sha256(dst.read_bytes()).hexdigest()[:16]
        print(f"{dst.relative_to(REPO) if dst.is_relative_to(REPO) else dst}: {src.stat().st_size // 1024} KB -> {dst.stat().st_size // 1024} KB (sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
