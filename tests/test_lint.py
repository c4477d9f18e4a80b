"""Template lint: `dokgen check` and `dokgen build` stop on template mistakes before rendering.

Each broken template is checked through the CLI as a user meets it: exit 1, no traceback,
one `templates/...:L:C: field: message` line per problem, and `build` writes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from dokgen import lint
from dokgen.build import PRODUCERS
from dokgen.lint import lint_templates
from dokgen.records import load_workspace

MOU_DOCX = "templates/docx/mou.docx"
LINE = re.compile(r"^templates/\S+:\d+:\d+: [^:]+: .+$")


def word_template(ws: Path, *paragraphs: str, header: str | None = None) -> None:
    """Replace the workspace's MoU template by a small one, one paragraph per string."""
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if header is not None:
        doc.sections[0].header.paragraphs[0].text = header
    doc.save(ws / MOU_DOCX)


def raw_paragraph(ws: Path, runs_xml: str) -> None:
    """A MoU template whose one templated paragraph is given as raw <w:r> XML."""
    doc = Document()
    doc.add_paragraph("{{ doc.subject }}")
    p = doc.add_paragraph()
    for el in parse_xml(f"<w:root {nsdecls('w')}>{runs_xml}</w:root>"):
        p._p.append(el)
    doc.save(ws / MOU_DOCX)


def fails(run, ws: Path) -> list[str]:
    """Run `check` and `build`: both exit 1 without a traceback and write nothing.

    Return the problem lines (the same for both commands).
    """
    outputs = []
    for command in ("check", "build"):
        code, out, err = run("-C", str(ws), command)
        assert code == 1, (command, out, err)
        assert "Traceback" not in out + err
        assert err.rstrip().endswith("nothing was written"), err
        assert not (ws / "out").exists(), command
        lines = err.splitlines()[:-1]
        assert lines and all(LINE.match(line) for line in lines), err
        outputs.append(lines)
    assert outputs[0] == outputs[1]
    return outputs[0]


def one(lines: list[str], needle: str) -> str:
    found = [line for line in lines if needle in line]
    assert len(found) == 1, (needle, lines)
    return found[0]


# --- the shipped templates ---------------------------------------------------------------------


def test_shipped_templates_lint_clean(workspace):
    ws = load_workspace(workspace)
    assert lint_templates(ws, list(PRODUCERS)) == []


@pytest.mark.parametrize("kind", sorted(PRODUCERS))
def test_every_kind_built_has_its_variables_checked(workspace, kind):
    """A kind missing from lint.CONTEXTS (or whose context fails) would be linted for syntax only."""
    shape = lint.context_shape(load_workspace(workspace), kind)
    assert isinstance(shape, dict) and shape, kind


# --- Word templates ------------------------------------------------------------------------------


def test_word_syntax_error_names_template_part_and_quotes_the_paragraph(workspace, run):
    word_template(workspace, "Pembukaan", "Pada hari ini {{ signing.date + }} di {{ signing.city }}", "Penutup")
    line = one(fails(run, workspace), "syntax error")
    assert line.startswith(f"{MOU_DOCX}:1:1: word/document.xml: syntax error: ")
    assert '"Pada hari ini {{ signing.date + }} di {{ signing.city }}"' in line


def test_word_syntax_error_in_a_header_names_the_header_part(workspace, run):
    word_template(workspace, "{{ doc.subject }}", header="{% if doc.is_draft %}DRAF")
    line = one(fails(run, workspace), "syntax error")
    assert re.match(rf"{MOU_DOCX}:1:1: word/header\d*\.xml: syntax error: .*endif", line), line


def test_word_unclosed_block_quotes_the_paragraph_that_opens_it(workspace, run):
    word_template(workspace, "Pembukaan", "{%p if doc.is_draft %}", "DRAF", "{{ doc.subject }}", "Penutup")
    line = one(fails(run, workspace), "syntax error")
    assert "Unexpected end of template" in line and "'endif'" in line
    assert line.endswith('; in the paragraph "{% if doc.is_draft %}"'), line


def test_word_docxtpl_tag_outside_its_element_gets_a_hint(workspace, run):
    word_template(workspace, "{%tc for p in parties %}{{ p.name }}{%tc endfor %}")
    line = one(fails(run, workspace), "syntax error")
    assert "only works inside a table cell" in line


def test_word_unknown_filter_says_did_you_mean(workspace, run):
    word_template(workspace, "Pada hari ini {{ signing.date|date_in_word }}")
    line = one(fails(run, workspace), "unknown filter")
    assert line.startswith(f"{MOU_DOCX}:1:1: word/document.xml: |date_in_word: unknown filter (did you mean 'date_in_words'?)")
    assert '"Pada hari ini {{ signing.date|date_in_word }}"' in line


def test_word_unknown_variables_top_level_and_in_a_loop(workspace, run):
    word_template(
        workspace,
        "NOMOR: {{ doc.nomor_tidak_ada }}",
        "{%p for p in parties %}",
        "{{ p.signatory.full_name }}, {{ p.signatory.jabatan }}",
        "{%p endfor %}",
        "{{ pihak }}",
    )
    lines = fails(run, workspace)
    assert len(lines) == 3, lines
    doc = one(lines, "doc.nomor_tidak_ada")
    assert doc.startswith(f"{MOU_DOCX}:1:1: word/document.xml: doc.nomor_tidak_ada: unknown variable for a mou record: doc has no 'nomor_tidak_ada'")
    assert "it has " in doc and "subject" in doc and '"NOMOR: {{ doc.nomor_tidak_ada }}"' in doc
    loop = one(lines, "p.signatory.jabatan")
    assert "p.signatory has no 'jabatan' (did you mean 'position'?)" in loop
    assert "full_name" not in loop.split("in the paragraph")[0].split("it has")[0]  # the known name is not reported
    assert "pihak: unknown variable for a mou record (did you mean 'parties'?)" in one(lines, "pihak")


def test_word_loop_builtins_set_and_renderer_names_are_fine(workspace, run):
    word_template(
        workspace,
        "{% set judul = doc.subject|upper %}{{ judul }}",
        "{%p for p in parties %}",
        "{{ loop.index }}. {{ p.name }} {{ p.logo }} {{ p.signatory.nip|default('-') }}",
        "{%p endfor %}",
        "{{ doc.belum_ada|default('') }}{% if doc.lain is defined %}x{% endif %}",
    )
    assert lint_templates(load_workspace(workspace), ["mou"]) == []
    code, out, err = run("-C", str(workspace), "check")
    assert code == 0, err


def test_word_unbalanced_tags_in_a_paragraph(workspace, run):
    word_template(workspace, "Perihal: {{ doc.subject }", "{% if doc.is_draft %}DRAF{% endif %}")
    line = one(fails(run, workspace), "unbalanced")
    assert line.startswith(f"{MOU_DOCX}:1:1: word/document.xml: unbalanced tags: 1 '{{{{' but 0 '}}}}'")
    assert '"Perihal: {{ doc.subject }"' in line


def test_word_tag_split_by_a_tracked_deletion(workspace, run):
    """Word shows `{% if ... %}`, but `{` and `%` sit in runs with deleted text between:
    docxtpl cannot join them and would print the tag into the draft."""
    raw_paragraph(
        workspace,
        '<w:r><w:t>{</w:t></w:r>'
        '<w:del w:id="1" w:author="Staf" w:date="2015-11-10T09:00:00Z"><w:r><w:delText>x</w:delText></w:r></w:del>'
        '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">% if doc.is_draft %}DRAF{% endif %}</w:t></w:r>',
    )
    line = one(fails(run, workspace), "split tag")
    assert line.startswith(f"{MOU_DOCX}:1:1: word/document.xml: split tag: Word shows '{{%' here but docxtpl cannot read it")
    assert '"{% if doc.is_draft %}DRAF{% endif %}"' in line


def test_word_tag_split_across_plain_runs_is_joined_by_docxtpl(workspace, run):
    """Runs Word splits with only formatting between (`{` | `%`) are joined by docxtpl: no problem."""
    raw_paragraph(
        workspace,
        '<w:r><w:t>{</w:t></w:r><w:proofErr w:type="spellStart"/>'
        '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">% if doc.is_draft %}DRAF{</w:t></w:r>'
        '<w:r><w:t>% endif %</w:t></w:r><w:r><w:t>}</w:t></w:r>',
    )
    assert lint_templates(load_workspace(workspace), ["mou"]) == []
    code, _, err = run("-C", str(workspace), "build")
    assert code == 0, err


def test_word_tag_hidden_in_deleted_text(workspace, run):
    raw_paragraph(
        workspace,
        '<w:r><w:t xml:space="preserve">Nomor </w:t></w:r>'
        '<w:del w:id="1" w:author="Staf" w:date="2015-11-10T09:00:00Z"><w:r><w:delText>{{ doc.nomor }}</w:delText></w:r></w:del>',
    )
    assert "hidden tag" in one(fails(run, workspace), "hidden tag")


def test_every_problem_is_listed_at_once(workspace, run):
    word_template(workspace, "{{ doc.a }}", "{{ doc.b|nope }}", header="{{ doc.subject }")
    (workspace / "templates/text/press.txt").write_text("{{ headline }}\n{{ kepala }}\n")
    lines = fails(run, workspace)
    assert len(lines) == 5, lines  # doc.a, doc.b, |nope, the header's tag, kepala
    assert {line.split(":")[0] for line in lines} == {MOU_DOCX, "templates/text/press.txt"}


# --- HTML, Markdown, text ---------------------------------------------------------------------------


def test_html_unknown_variable_with_line(workspace, run):
    path = workspace / "templates/html/press.html"
    source = path.read_text()
    assert "<title>{{ headline }}</title>" in source
    path.write_text(source.replace("<title>{{ headline }}</title>", "<title>{{ headlin }}</title>"))
    lineno = source.splitlines().index("<title>{{ headline }}</title>") + 1
    line = one(fails(run, workspace), "headlin")
    assert line.startswith(f"templates/html/press.html:{lineno}:1: headlin: unknown variable for a press record (did you mean 'headline'?)")


def test_html_unknown_attribute_in_a_loop(workspace, run):
    path = workspace / "templates/html/press.html"
    path.write_text(path.read_text().replace("{{ r.text }}", "{{ r.teks }}", 1))
    line = one(fails(run, workspace), "r.teks")
    assert re.match(r"templates/html/press.html:\d+:1: r.teks: unknown variable for a press record: r has no 'teks' \(did you mean 'text'\?\)", line), line


def test_markdown_syntax_error_and_unknown_filter(workspace, run):
    (workspace / "templates/markdown/press.md").write_text("# {{ headline|headline_cas }}\n{% for p in paragraphs %}\n{{ p.text }}\n")
    lines = fails(run, workspace)
    assert one(lines, "syntax error").startswith("templates/markdown/press.md:2:1: syntax error: Unexpected end of template")
    # a syntax error stops the parse, so the filter is reported once the syntax is fixed
    (workspace / "templates/markdown/press.md").write_text("# {{ headline|headline_cas }}\n")
    assert one(fails(run, workspace), "unknown filter").startswith(
        "templates/markdown/press.md:1:1: |headline_cas: unknown filter (did you mean 'headline_case'?)")


def test_template_macros_set_and_loop_are_fine(workspace):
    (workspace / "templates/text/press.txt").write_text(
        "{% macro line(t, end='.') %}{{ t }}{{ end }}{{ caller() if caller else '' }}{% endmacro %}"
        "{% set title = headline|upper %}{% set ns = namespace(n=0) %}"
        "{{ line(title) }}\n{% for p in paragraphs|reverse %}{% set ns.n = ns.n + 1 %}{{ loop.index }} {{ p.text }}"
        "{% for r in p.runs %}{{ r.style or '' }}{% endfor %}{% else %}{{ title }}{% endfor %}{{ ns.n }}\n"
        "{% with first = paragraphs|first %}{{ first.text }}{% endwith %}{{ range(3)|list }}\n"
    )
    assert lint_templates(load_workspace(workspace), ["press"]) == []


def test_loop_variable_unknown_outside_its_loop(workspace):
    (workspace / "templates/text/press.txt").write_text("{% for p in paragraphs %}{{ p.text }}{% endfor %}{{ p.text }}{{ loop.idx }}\n")
    problems = [str(p) for p in lint_templates(load_workspace(workspace), ["press"])]
    assert any(p.startswith("templates/text/press.txt:1:1: p: unknown variable") for p in problems), problems
    assert any(p.startswith("templates/text/press.txt:1:1: loop: unknown variable") for p in problems), problems


def test_kind_without_a_context_module_checks_syntax_only(workspace, monkeypatch):
    monkeypatch.setitem(lint.CONTEXTS, "press", ("dokgen.context.not_written_yet:press_context", ()))
    (workspace / "templates/text/press.txt").write_text("{{ anything.at.all }}{{ x|nope }}{% if %}\n")
    ws = load_workspace(workspace)
    assert [p.field for p in lint_templates(ws, ["press"])] == ["syntax error"]
    (workspace / "templates/text/press.txt").write_text("{{ anything.at.all }}{{ x|nope }}\n")
    assert [p.field for p in lint_templates(ws, ["press"])] == ["|nope"]
