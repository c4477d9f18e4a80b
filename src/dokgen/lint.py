"""Template lint for `dokgen check` and `dokgen build`: find template mistakes before rendering.

A template error otherwise shows up as one failed render per record (a thousand MoUs, a
thousand identical messages) or, worse, not at all: a tag that Word split so that docxtpl
cannot see it is printed into the draft as literal text. So before anything renders, every
template of each record kind being built is checked for

- Jinja syntax errors, naming the template (and for Word the part, quoting the paragraph);
- unknown filters and tests;
- variables and attribute paths (`doc.subject`, `p.signatory.position` inside
  `{% for p in parties %}`) that the context of that record kind does not have, checked
  against the context built from real records of the workspace;
- in Word templates, tags Word split in a way docxtpl cannot join, and paragraphs whose
  `{{`/`}}`, `{%`/`%}` or `{#`/`#}` do not balance;
- template files, and what `{% include %}`/`{% import %}`/`{% extends %}` name, that resolve
  outside templates/ (a symlink, a shared folder), and in Word templates any part that
  links out of the file or runs code, or unzips to too much (wordpackage.py).

Word templates are checked in the form docxtpl renders: after its own `patch_xml`
preprocessing (`{%p`, `{%tc`, `{% colspan %}`, runs joined inside tags), which is called,
not re-implemented, so the lint sees exactly what the renderer compiles.
"""

from __future__ import annotations

import datetime
import functools
import html
import pkgutil
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PosixPath, WindowsPath
from typing import TYPE_CHECKING, Any, Callable

from .errors import Location, Problem, ProblemsError
from .i18n import N_, _
from .records import did_you_mean

if TYPE_CHECKING:
    from jinja2 import Environment, nodes

    from .records import Workspace

# record kind -> (function building its context, names its renderer adds to that context).
# The context modules are imported by name so that a kind whose module is not written yet
# (or fails to import) still gets its syntax and filters checked, just not its variables.
# An added name is a dotted path where `[]` stands for every item of a list.
CONTEXTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mou": ("dokgen.context.mou:mou_context", ("parties[].logo", "verification.qr")),  # render/docx.py: InlineImage
    "lab": ("dokgen.context.lab:lab_context", ("logos[].src",)),  # render/pdf.py: data: URL
    "press": ("dokgen.context.press:press_context", ()),
}
SAMPLE_RECORDS = 5
"""Contexts of this many records are merged, so a value that is empty in one (no nip,
no mou) is still known from another. One record is enough; a few cost nothing."""

# Template files: Word, or text compiled by Jinja (not CSS, fonts or images).
TEMPLATE_SUFFIXES = {".docx", ".html", ".htm", ".xml", ".svg", ".md", ".txt", ".j2", ".jinja"}

# Field names staff type in Indonesian -> the context's name, for "did you mean".
GLOSSARY = {
    "jabatan": "position", "nama": "name", "nama_lengkap": "full_name", "alamat": "address",
    "nomor": "number", "tanggal": "date", "kota": "city", "tempat": "venue", "judul": "title",
    "perihal": "subject", "tentang": "subject", "jenis": "type", "pihak": "parties",
    "penandatangan": "signatory", "tujuan": "purpose", "ruang_lingkup": "scopes",
    "pendanaan": "funding", "jangka_waktu": "term_years", "gelar_depan": "title_prefix",
    "gelar_belakang": "title_suffix", "singkatan": "short_name", "logo": "logo_path",
    "teks": "text", "gaya": "style", "tahun": "year", "kutipan": "quotes",
}

# docxtpl's part-level tags: outside their element they reach Jinja as unknown tags.
DOCX_TAG_HINTS = {
    "p": N_("{%p ... %} must sit inside a paragraph"),
    "tr": N_("{%tr ... %} only works inside a table row"),
    "tc": N_("{%tc ... %} only works inside a table cell"),
    "r": N_("{%r ... %} must sit inside a run"),
}

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_P, W_T = f"{{{W_NS}}}p", f"{{{W_NS}}}t"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
PAIRS = (("{{", "}}"), ("{%", "%}"), ("{#", "#}"))


def lint_templates(ws: Workspace, kinds: Iterable[str]) -> list[Problem]:
    """Return every problem in the templates of the given record kinds (nothing renders)."""
    from .build import PRODUCERS
    from .templates import file_env

    env = file_env(ws.root)  # its loader resolves {% include %} as rendering does
    problems: list[Problem] = []
    seen: set[str] = set()
    for kind in sorted(set(kinds)):
        if kind not in PRODUCERS:
            continue
        outside = _outside_files(ws, PRODUCERS[kind].templates, seen)
        problems += outside
        context = context_shape(ws, kind)
        for rel in _template_files(ws, PRODUCERS[kind].templates):
            path = ws.root / "templates" / rel
            if any(p.location.path == f"templates/{rel}" for p in outside):
                continue  # never read a file from outside the workspace, not even to lint it
            lint = _lint_word if path.suffix.lower() == ".docx" else _lint_jinja
            problems += lint(env, path, f"templates/{rel}", kind, context)
    return problems


def _outside_files(ws: Workspace, entries: Iterable[str], seen: set[str]) -> list[Problem]:
    """Files of the producer's templates (and of its folders) that resolve outside templates/."""
    from .templates import outside_reason

    problems = []
    for entry in entries:
        path = ws.root / "templates" / entry
        folder = path.is_dir() and not path.is_symlink()
        files = sorted(path.rglob("*")) if folder else [path]
        for file in files:
            rel = file.relative_to(ws.root).as_posix()
            # In a folder (the fonts) only a link leading out is refused here, used or not; a
            # pipe or device there is refused by the report's fetcher if the report loads it,
            # so the report fails alone, and an unused one stops nothing.
            if folder and not file.is_symlink():
                continue
            reason = None if rel in seen or not (file.exists() or file.is_symlink()) else outside_reason(ws.root, file)
            seen.add(rel)
            if reason:
                problems.append(Problem(Location(rel, 1, 1), "", _("refused to read: {reason}").format(reason=reason)))
    return problems


def raise_on_template_problems(ws: Workspace, kinds: Iterable[str]) -> None:
    """Raise ProblemsError listing every template problem of these kinds, if any."""
    problems = lint_templates(ws, kinds)
    if problems:
        raise ProblemsError(problems)


def _template_files(ws: Workspace, entries: Iterable[str]) -> list[str]:
    """Return the producer's template entries that are templates (Word or Jinja text).

    Folders (html/fonts) and stylesheets are files the renderer loads as they are, not
    templates: they feed the input key but are not linted.
    """
    return [e for e in entries if (ws.root / "templates" / e).is_file() and Path(e).suffix.lower() in TEMPLATE_SUFFIXES]


# --- the context as a shape ----------------------------------------------------------------


class _Any:
    """A value the lint knows nothing about: every name below it is accepted."""

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()


@dataclass(frozen=True)
class Items:
    """A list whose items all look like `item`."""

    item: Any


def shape_of(value: Any) -> Any:
    """Reduce a context to its shape: dicts of shapes, Items for lists, ANY for None.

    None (no nip, no MoU) says nothing about what the value has when it is set, and an
    empty list says nothing about its items: both become ANY, so they are never reported.
    """
    if value is None:
        return ANY
    if isinstance(value, Mapping):
        return {str(k): shape_of(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return Items(functools.reduce(merge, map(shape_of, value), ANY))
    return value  # a leaf: its attributes are checked on the value itself (a date's .year)


# Leaves whose attributes are those of their type (no instance __dict__): what the lint asks
# of them (hasattr, _lookup) is the same for every value, so shape_key names only the type.
PLAIN_LEAVES = frozenset({str, int, float, bool, bytes, datetime.date, datetime.datetime, Decimal, PosixPath, WindowsPath})


def shape_key(shape: Any) -> str:
    """What of a context shape a lint's verdict depends on, as text: the names, and each leaf's type.

    A lint that passed keeps passing when only values change (a term of 5 years becomes 6,
    a logo's path is given from another folder): the template is not linted again for them.
    """
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k!r}: {shape_key(v)}" for k, v in sorted(shape.items())) + "}"
    if isinstance(shape, Items):
        return f"Items({shape_key(shape.item)})"
    if type(shape) in PLAIN_LEAVES:
        return f"<{type(shape).__qualname__}>"
    return repr(shape)  # ANY, None, or a leaf that may carry attributes of its own


def merge(a: Any, b: Any) -> Any:
    """Merge two shapes: the names of either are known."""
    if a is ANY:
        return b
    if b is ANY:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge(a.get(k, ANY), b.get(k, ANY)) for k in a | b}
    if isinstance(a, Items) and isinstance(b, Items):
        return Items(merge(a.item, b.item))
    return a if type(a) is type(b) else ANY


def context_shape(ws: Workspace, kind: str) -> dict[str, Any] | None:
    """Return the shape of the context of kind, from its first records; None if unknown."""
    if kind not in CONTEXTS:
        return None
    target, added = CONTEXTS[kind]
    try:
        build: Callable[[Workspace, str], dict] = pkgutil.resolve_name(target)
    except (ImportError, AttributeError):
        return None  # context not written yet: syntax and filters are still checked
    shape: Any = ANY
    for rec_id in samples(ws, kind):
        try:
            shape = merge(shape, shape_of(build(ws, rec_id)))
        except Exception:  # the render step reports a failing context, naming the record
            return None
    if not isinstance(shape, dict):
        return None
    for path in added:
        _add_name(shape, path)
    return shape


def samples(ws: Workspace, kind: str) -> list[str]:
    """Return up to SAMPLE_RECORDS ids of kind whose record and referenced records are within
    the size limits: a runaway record fails alone in its worker, never here in the main process."""
    from .build import dependencies
    from .errors import DokgenError
    from .limits import check_limits

    by_source = {r.source: r for r in ws.records()}
    ids = []
    for rec in list(ws.by_kind(kind).values())[: SAMPLE_RECORDS * 4]:
        try:
            for source in dependencies(ws, rec):
                if source in by_source:
                    check_limits(by_source[source])
        except DokgenError:
            continue
        ids.append(rec.id)
        if len(ids) == SAMPLE_RECORDS:
            break
    return ids


def _add_name(shape: Any, path: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        shape = shape.get(part.removesuffix("[]"), ANY) if isinstance(shape, dict) else ANY
        if part.endswith("[]"):
            shape = shape.item if isinstance(shape, Items) else ANY
    if isinstance(shape, dict):
        shape[last] = ANY


_MISSING = object()


def _lookup(shape: Any, name: str) -> Any:
    """Return the shape of `shape.name` as Jinja resolves it (attribute, then item)."""
    if shape is ANY:
        return ANY
    if isinstance(shape, dict):
        if name in shape:
            return shape[name]
        return ANY if hasattr(dict, name) else _MISSING  # doc.items() is fine
    if isinstance(shape, Items):
        return ANY if hasattr(list, name) else _MISSING
    return ANY if hasattr(shape, name) else _MISSING


def _names(shape: Any) -> list[str]:
    if isinstance(shape, dict):
        return sorted(shape)
    if isinstance(shape, Items):
        return []
    return sorted(n for n in dir(shape) if not n.startswith("_"))


def _suggest(word: str, choices: list[str]) -> str:
    english = GLOSSARY.get(word.lower())
    if english in choices:
        return _(" (did you mean '{choice}'?)").format(choice=english)
    return did_you_mean(word, choices)


def _listing(names: list[str], limit: int = 20) -> str:
    return ", ".join(names[:limit]) + (", …" if len(names) > limit else "")


# --- walking a template's AST ----------------------------------------------------------------

# loop.* inside a for: what Jinja's LoopContext offers.
LOOP = {n: ANY for n in "index index0 revindex revindex0 first last length cycle depth depth0 previtem nextitem changed".split()}
# Filters whose result has the shape of their input, or of one item of it.
SAME_SHAPE = {"sort", "reverse", "list", "unique", "select", "reject", "selectattr", "rejectattr", "default", "d"}
ONE_ITEM = {"first", "last", "random", "min", "max"}
# A missing name is what these are for: `x|default(...)`, `x is defined`.
TOLERANT_FILTERS = {"default", "d"}
TOLERANT_TESTS = {"defined", "undefined"}


def _expr(node: nodes.Node) -> str:
    """The source text of a name/attribute chain: p.signatory.position, doc['type']."""
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_expr(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_expr(node.node)}[{node.arg.value!r}]"
    return "(...)"


class _Checker:
    """Walk one template's AST with a scope of name -> shape and report what is unknown."""

    def __init__(self, env: Environment, kind: str, context: dict[str, Any] | None, report: Callable[[int, str, str], None]):
        self.env = env
        self.kind = kind
        self.context = context
        self.report = report
        self.tolerant = 0  # > 0 inside |default and `is defined`
        self.known: set[str] = set()

    def check(self, ast: nodes.Template) -> None:
        from jinja2 import nodes

        # Names a template defines itself ({% set %}, macros, imports) are fine wherever used;
        # the scope below gives them a shape where they are set.
        self.known = set(self.env.globals) | {"self", "super", "varargs", "kwargs", "caller"}
        for n in ast.find_all((nodes.Assign, nodes.AssignBlock)):
            self.known |= _target_names(n.target)
        for n in ast.find_all((nodes.Macro, nodes.Import, nodes.FromImport)):
            if isinstance(n, nodes.Macro):
                self.known.add(n.name)
            elif isinstance(n, nodes.Import):
                self.known.add(n.target)
            else:
                self.known |= {x if isinstance(x, str) else x[1] for x in n.names}
        self.visit(ast, dict(self.context or {}))

    def visit(self, node: nodes.Node, scope: dict[str, Any]) -> Any:
        """Check node and return the shape of its value (ANY when not worth knowing)."""
        from jinja2 import nodes

        if isinstance(node, nodes.Name):
            return self._name(node, scope) if node.ctx == "load" else ANY
        if isinstance(node, nodes.Getattr):
            return self._attr(node, node.attr, scope)
        if isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return self._attr(node, node.arg.value, scope)
            base = self.visit(node.node, scope)
            self.visit(node.arg, scope)
            return base.item if isinstance(base, Items) else ANY
        if isinstance(node, nodes.For):
            items = self.visit(node.iter, scope)
            inner = {**scope, "loop": LOOP}
            self._bind(node.target, items.item if isinstance(items, Items) else ANY, inner)
            for child in [*node.body, *([node.test] if node.test else [])]:
                self.visit(child, inner)
            for child in node.else_:  # else runs when the loop did not: outer scope
                self.visit(child, scope)
            return ANY
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            for default in node.defaults:
                self.visit(default, scope)
            if isinstance(node, nodes.CallBlock):
                self.visit(node.call, scope)
            inner = {**scope, **{a.name: ANY for a in node.args}, "varargs": ANY, "kwargs": ANY, "caller": ANY}
            for child in node.body:
                self.visit(child, inner)
            return ANY
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                self._bind(target, self.visit(value, scope), inner)
            for child in node.body:
                self.visit(child, inner)
            return ANY
        if isinstance(node, nodes.Assign):
            self._bind(node.target, self.visit(node.node, scope), scope)
            return ANY
        if isinstance(node, nodes.Filter):
            return self._filter(node, scope)
        if isinstance(node, nodes.Test):
            self._known(node, self.env.tests, "test")
            self._visit_tolerant(node.node, scope, node.name in TOLERANT_TESTS)
            self._visit_args(node, scope)
            return ANY
        for child in node.iter_child_nodes():
            self.visit(child, scope)
        return ANY

    def _name(self, node: nodes.Name, scope: dict[str, Any]) -> Any:
        if node.name in scope:
            return scope[node.name]
        if node.name not in self.known and self.context is not None and not self.tolerant:
            choices = sorted(scope)
            known = _("; known: {names}").format(names=_listing(choices)) if len(choices) <= 20 else ""
            self.report(node.lineno, node.name, _("unknown variable for a {kind} record{hint}{known}").format(
                kind=self.kind, hint=_suggest(node.name, choices), known=known))
        return ANY

    def _attr(self, node: nodes.Getattr | nodes.Getitem, name: str, scope: dict[str, Any]) -> Any:
        base = self.visit(node.node, scope)
        shape = _lookup(base, name)
        if shape is not _MISSING:
            return shape
        if not self.tolerant:
            owner, choices = _expr(node.node), _names(base)
            has = _("; it has {names}").format(names=_listing(choices)) if isinstance(base, dict) else ""
            self.report(node.lineno, _expr(node), _("unknown variable for a {kind} record: {owner} has no '{name}'{hint}{has}").format(
                kind=self.kind, owner=owner, name=name, hint=_suggest(name, choices), has=has))
        return ANY

    def _filter(self, node: nodes.Filter, scope: dict[str, Any]) -> Any:
        self._known(node, self.env.filters, "filter")
        self._visit_args(node, scope)
        if node.node is None:  # {% filter upper %}...{% endfilter %}
            return ANY
        shape = self._visit_tolerant(node.node, scope, node.name in TOLERANT_FILTERS)
        if node.name in SAME_SHAPE:
            return shape
        if node.name in ONE_ITEM:
            return shape.item if isinstance(shape, Items) else ANY
        return ANY

    def _known(self, node: nodes.Filter | nodes.Test, table: Mapping[str, Any], what: str) -> None:
        if node.name not in table:
            unknown = _("unknown filter{hint}") if what == "filter" else _("unknown test{hint}")
            self.report(node.lineno, f"|{node.name}" if what == "filter" else f"is {node.name}", unknown.format(hint=did_you_mean(node.name, table)))

    def _visit_tolerant(self, node: nodes.Node, scope: dict[str, Any], tolerant: bool) -> Any:
        self.tolerant += tolerant
        try:
            return self.visit(node, scope)
        finally:
            self.tolerant -= tolerant

    def _visit_args(self, node: nodes.Filter | nodes.Test, scope: dict[str, Any]) -> None:
        for child in [*node.args, *node.kwargs, node.dyn_args, node.dyn_kwargs]:
            if child is not None:
                self.visit(child, scope)

    @staticmethod
    def _bind(target: nodes.Node, shape: Any, scope: dict[str, Any]) -> None:
        from jinja2 import nodes

        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        else:  # {% for key, value in ... %}: unpacking says nothing about the parts
            scope.update(dict.fromkeys(_target_names(target), ANY))


def _target_names(target: nodes.Node) -> set[str]:
    """Names a {% set %}/{% for %} target binds (not ns.attr, which binds nothing new)."""
    from jinja2 import nodes

    if isinstance(target, nodes.Name):
        return {target.name}
    return {n.name for n in target.find_all(nodes.Name) if n.ctx == "store"}


def _check_source(env: Environment, source: str, name: str, kind: str, context: dict[str, Any] | None,
                  report: Callable[[int, str, str], None], hint: Callable[[str], str] = lambda m: "") -> None:
    from jinja2 import TemplateSyntaxError

    try:
        ast = env.parse(source, name=name)
    except TemplateSyntaxError as exc:
        message = (exc.message or "").rstrip(".")
        line = exc.lineno or 1
        if message.startswith("Unexpected end of template"):
            # Jinja points at the end; the block left open is where the mistake is.
            line = _unclosed_block_line(env, source) or line
            message += _(" (the block opened here is not closed)") if line != exc.lineno else ""
        report(line, "syntax error", f"{message}{hint(message)}")
        return
    _check_loads(env, ast, report, word=".docx/" in name)
    _Checker(env, kind, context, report).check(ast)


def _check_loads(env: Environment, ast: nodes.Template, report: Callable[[int, str, str], None], word: bool) -> None:
    """Every {% include %}/{% import %}/{% extends %} must name a file inside templates/."""
    from jinja2 import TemplateNotFound, nodes

    for node in ast.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        tag = type(node).__name__.lower().replace("fromimport", "from ... import")
        if word:
            report(node.lineno, tag, _("a Word template cannot read other files; put the text in the template itself"))
            continue
        if not isinstance(node.template, nodes.Const) or not isinstance(node.template.value, str):
            continue  # a list or a name computed while rendering: the loader checks it then
        name = node.template.value
        try:
            env.loader.get_source(env, name)
        except TemplateNotFound as exc:
            report(node.lineno, tag, exc.message if exc.message and "refused" in exc.message else _("no template {path}").format(path=f"templates/{name}"))


BLOCK_TAGS = {"for", "if", "macro", "call", "filter", "with", "block", "autoescape", "trans"}


def _unclosed_block_line(env: Environment, source: str) -> int | None:
    """Return the line of the innermost block tag never closed, from Jinja's own lexer."""
    from jinja2 import TemplateSyntaxError

    opened: list[tuple[str, int]] = []
    tag_next = False
    try:
        for line, token, value in env.lex(source):
            if token == "block_begin":
                tag_next = True
            elif tag_next and token == "name":
                tag_next = False
                if value in BLOCK_TAGS:
                    opened.append((value, line))
                elif value.startswith("end") and opened and opened[-1][0] == value[3:]:
                    opened.pop()
            elif token != "whitespace":
                tag_next = False
    except TemplateSyntaxError:
        return None
    return opened[-1][1] if opened else None


# --- HTML, Markdown and text templates -------------------------------------------------------


def _lint_jinja(env: Environment, path: Path, rel: str, kind: str, context: dict[str, Any] | None) -> list[Problem]:
    problems: list[Problem] = []
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(Location(rel, 1, 1), "", _("not UTF-8 text ({reason} at byte {position})").format(reason=exc.reason, position=exc.start))]

    def report(line: int, field: str, message: str) -> None:
        problems.append(Problem(Location(rel, line, 1), field, message))

    _check_source(env, source, rel, kind, context, report)
    return problems


# --- Word templates ---------------------------------------------------------------------------


def _lint_word(env: Environment, path: Path, rel: str, kind: str, context: dict[str, Any] | None) -> list[Problem]:
    from docxtpl import DocxTemplate

    from .wordpackage import inspect

    try:
        findings = inspect(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [Problem(Location(rel, 1, 1), "", _("not a readable Word document ({error})").format(error=exc))]
    problems = [Problem(Location(rel, 1, 1), f.part, f.message) for f in findings]
    if problems:
        return problems  # not opened further: it may be a zip bomb, and it is refused anyway
    try:
        tpl = DocxTemplate(str(path))
        tpl.init_docx()
        parts = list(_word_parts(tpl))
    except Exception as exc:  # python-docx raises zipfile/KeyError/lxml errors for a bad file
        return [Problem(Location(rel, 1, 1), "", _("not a readable Word document ({error})").format(error=exc))]

    for part, raw in parts:
        def add(field_and_message: str, paragraph: str, part: str = part) -> None:
            problems.append(Problem(Location(rel, 1, 1), part, _("{problem}; in the paragraph {paragraph}").format(problem=field_and_message, paragraph=_quote(paragraph))))

        structural = _tag_structure(tpl, raw)
        for message, paragraph in structural:
            add(message, paragraph)
        if structural:
            continue  # Jinja would only report the same broken tags again, less clearly
        # What docxtpl compiles (after patch_xml), one paragraph a line as in its
        # render_xml_part, and the code a {%p %} paragraph left behind on a line of its own.
        # Newlines between elements change line numbers only, not what Jinja parses.
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(raw)).replace("</w:p>", "</w:p>\n")
        lines = source.splitlines()

        def report(line: int, field: str, message: str) -> None:
            text = lines[line - 1] if 0 < line <= len(lines) else ""
            add(f"{field}: {message}", html.unescape(re.sub(r"<[^>]+>", "", text)))

        _check_source(env, source, f"{rel}/{part}", kind, context, report, _docx_hint)
    return problems


def _word_parts(tpl: Any) -> Iterable[tuple[str, str]]:
    """Yield (part name, XML) of every part docxtpl renders: body, headers, footers, footnotes."""
    yield tpl.docx.part.partname.lstrip("/"), tpl.get_xml()
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            yield part.partname.lstrip("/"), tpl.get_part_xml(part)
    for part in tpl.docx.part.package.parts:
        if part.content_type == FOOTNOTES_TYPE:
            yield part.partname.lstrip("/"), tpl.get_part_xml(part)


def _tag_structure(tpl: Any, raw: str) -> list[tuple[str, str]]:
    """Return (message, paragraph text) for each paragraph whose tags docxtpl will misread.

    What Word shows is the text of the paragraph's <w:t> runs. docxtpl joins a tag that Word
    split across runs only when nothing but XML tags lies between its characters; deleted
    text (tracked changes) or a field code in between hides the tag from it, so it would be
    printed into the draft as text. Comparing the tags Word shows with those left in the
    paragraph after docxtpl's patch_xml finds exactly those cases.
    """
    from lxml import etree

    found = []
    for p in etree.fromstring(raw.encode("utf-8")).iter(W_P):
        shown = "".join(t.text or "" for t in p.iter(W_T))
        own = "".join(t.text or "" for t in p.iter(W_T) if next(t.iterancestors(W_P)) is p)
        for start, end in PAIRS:
            if own.count(start) != own.count(end):
                found.append((_("unbalanced tags: {opened} '{start}' but {closed} '{end}' (a tag must open and close in the same paragraph)").format(
                    opened=own.count(start), start=start, closed=own.count(end), end=end), own))
        xml = etree.tostring(p, encoding="unicode")
        if "{" not in xml and "}" not in xml:
            continue
        seen = tpl.patch_xml(xml)
        for token in (t for pair in PAIRS for t in pair):
            if shown.count(token) > seen.count(token):
                found.append((_("split tag: Word shows '{tag}' here but docxtpl cannot read it (deleted text or a field code lies between its characters); accept or reject the tracked changes here, or delete the tag and type it again").format(tag=token), own))
                break
            if shown.count(token) < seen.count(token):
                found.append((_("hidden tag: '{tag}' sits in deleted text (tracked changes) or a field code, where Word does not show it but docxtpl renders it; accept or reject the changes").format(tag=token), own))
                break
    return found


def _docx_hint(message: str) -> str:
    m = re.search(r"unknown tag '(\w+)'", message)
    return f" ({_(DOCX_TAG_HINTS[m.group(1)])})" if m and m.group(1) in DOCX_TAG_HINTS else ""


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'
