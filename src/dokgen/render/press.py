"""Render a press summary into out/press/<id>.html, .md and .txt.

One context (context/press.py), three templates, each with escaping for its target:
HTML autoescapes; Markdown escapes every value through `finalize`, so `*`, `_`, `[`,
`<`, `&`, `#`, backticks and `{{ }}` typed in a record reach the reader literally; the
text form is plain. Record data is only ever context, never template source.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..i18n import _

if TYPE_CHECKING:
    from ..build import Options, Rendered
    from ..records import Record, Workspace

# target -> (template under templates/, output suffix)
TARGETS = {
    "html": ("html/press.html", "html"),
    "markdown": ("markdown/press.md", "md"),
    "text": ("text/press.txt", "txt"),
}

# ASCII punctuation that starts markup somewhere in CommonMark/GFM (or in Liquid/Hugo
# shortcodes: the braces). A backslash before any ASCII punctuation is a literal.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]<>&#|~])")
# Characters that open a block at the start of a line: lists, quotes, headings, rules.
_MD_LINE_START = re.compile(r"(?m)^([ \t]*)([-+=>])")
_MD_ORDERED = re.compile(r"(?m)^([ \t]*\d+)([.)])")


def md_escape(value: object) -> str:
    """Escape text so that rendered Markdown shows it literally."""
    text = _MD_INLINE.sub(r"\\\1", str(value))
    text = _MD_LINE_START.sub(r"\1\\\2", text)
    return _MD_ORDERED.sub(r"\1\\\2", text)


def render_target(ws: Workspace, target: str, context: dict[str, Any]) -> str:
    """Render the template of one target with context (Markdown escapes every value)."""
    from ..templates import render_file

    rel, _ = TARGETS[target]
    return render_file(ws.root, rel, context, autoescape=target == "html",
                       finalize=md_escape if target == "markdown" else None)


def produce_press(ws: Workspace, rec: Record, options: Options) -> Rendered:
    """Render one press record into out/press/<id>.html, .md and .txt, with its warnings."""
    from ..build import Rendered
    from ..context.press import date_problem, press_context

    ctx = press_context(ws, rec.id)
    files = {}
    for target, (_template, suffix) in TARGETS.items():
        text = render_target(ws, target, ctx)
        files[f"press/{rec.id}.{suffix}"] = text.encode("utf-8")

    warnings = []
    n, low, high = ctx["word_count"], ctx["words_min"], ctx["words_max"]
    if not low <= n <= high:
        advice = _("add quotes or facts") if n < low else _("shorten the quotes")
        where = "quotes" if rec.model.quotes else "headline"
        message = _("the piece has {count} words; humas pieces have {low}-{high} (aim for 300-500): {advice}").format(count=n, low=low, high=high, advice=advice)
        warnings.append(f"{rec.location(where)}: {where}: {message}")
    problem = date_problem(ws, rec.id)
    if problem:
        warnings.append(f"{rec.location('date')}: date: {problem}")
    return Rendered(files, warnings)
