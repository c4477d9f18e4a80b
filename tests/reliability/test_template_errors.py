"""Guarantee 14: every template error is a located problem, never an "internal error".

Mistakes are planted in every template (Word, HTML report and press page, Markdown,
text): syntax errors, names the context lacks (known to the lint, and computed while
rendering so only the render can find them), filters and operations that fail on the
value they get (a non-number to `rupiah`, division by zero, an attribute of nothing,
iterating a number, a missing partial). `dokgen check` and `dokgen build --jobs 1` then:

* exit 1, every message `templates/<file>:line:col: ...` naming that template; for a
  text template the line is the one the mistake is on;
* say "internal error" or print a traceback never;
* in a build, still write the documents of the other templates.
"""

from __future__ import annotations

import re

import pytest

from .conftest import scale
from .workspaces import others_built, plant

TEMPLATES = ["html/press.html", "markdown/press.md", "text/press.txt", "docx/mou.docx", "html/lab-report.html"]
MISTAKES = [
    ("unclosed if", "{% if true %}tanpa penutup"),
    ("unknown tag", "{% ulangi x %}"),
    ("unknown filter", "{{ 'x'|tidak_ada_filter }}"),
    ("unknown variable", "{{ nomor_tidak_ada }}"),
    ("name computed while rendering", "{{ (('no' ~ 'mor'))|attr('x') }}{{ lookup['a' ~ 'b'] }}"),
    ("rupiah of text", "{{ 'seratus'|rupiah }}"),
    ("terbilang of text", "{{ 'dua'|terbilang }}"),
    ("division by zero", "{{ 1 // (2 - 2) }}"),
    ("attribute of nothing", "{{ none.nama.lengkap }}"),
    ("iterating a number", "{% for x in 42 %}{{ x }}{% endfor %}"),
    ("missing partial", '{% include "partials/tidak-ada.html" %}'),
    ("int of text", "{{ 'abc'|int(strict=true) if false else ('abc' + 1) }}"),
]
LOCATED = re.compile(r"^(?:error: )?templates/[^:\s]+:(\d+):\d+: \S")


def cases() -> list[tuple[str, str, str]]:
    full = [(rel, name, code) for rel in TEMPLATES for name, code in MISTAKES]
    if scale(0, 1):
        return full
    # CI: every mistake in two templates, rotating
    return [(TEMPLATES[(i + k) % len(TEMPLATES)], name, code) for i, (name, code) in enumerate(MISTAKES) for k in (0, 2)]


@pytest.mark.guarantee("14 template errors are located")
@pytest.mark.parametrize("rel, name, code", cases(), ids=[f"{r}-{n}" for r, n, _ in cases()])
def test_template_error_is_located(workspace, run, figure, rel, name, code):
    plant(workspace, rel, code)
    if not rel.endswith(".docx"):
        text = (workspace / "templates" / rel).read_text()
        line = str(text[:text.index(code)].count("\n") + 1)  # the line the mistake is on
    problems = []
    for command in (["check"], ["build", "--jobs", "1"]):
        figure.cases += 1
        status, _, stderr = run("-C", str(workspace), *command)
        lines = [line for line in stderr.splitlines() if line.strip() and not re.match(r"^(error: \d+ problems?|\[\d+/\d+\]|warning: )", line)]
        ours = [line for line in lines if f"templates/{rel}" in line]
        if status != 1:
            problems.append(f"{command[0]}: exit {status}")
        if not ours or not all(LOCATED.match(line) for line in lines):
            problems.append(f"{command[0]}: not located in templates/{rel}: {lines}")
        elif not rel.endswith(".docx") and not any(LOCATED.match(found).group(1) == line for found in ours):
            problems.append(f"{command[0]}: not at line {line}: {ours}")
        if command[0] == "build" and "nothing was written" not in stderr and not others_built(workspace, rel):
            problems.append("build: a render error stopped the other documents")
        if "internal error" in stderr or "Traceback" in stderr:
            figure.tracebacks += 1
            problems.append(f"{command[0]}: internal error: {stderr[-500:]}")
    figure.files_checked += sum(1 for p in (workspace / "out").rglob("*") if p.is_file()) if (workspace / "out").is_dir() else 0
    figure.failures += bool(problems)
    assert not problems, f"{name} in {rel}: {problems}"
