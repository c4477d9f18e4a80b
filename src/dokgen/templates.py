"""Jinja environments for every template kind, with the Indonesian filters registered.

Templates come with the workspace, but a workspace can be shared (a flash drive, a
colleague's folder), so a template is trusted only as far as the sandbox lets it go:
record data is only ever passed as context, never compiled; autoescape is on for markup;
a missing value is an error; a template may read only files inside the workspace's
templates/ folder (symlinks resolved, as the report's URL fetcher does); and `*` and `**`
refuse results too large to be a document (`{{ 'a' * 10**9 }}`) before building them.
"""

from __future__ import annotations

import operator
import re
from pathlib import Path
from typing import Any, Callable

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from .errors import Location, TemplateProblem
from .i18n import _

MAX_PRODUCT_ITEMS = 1_000_000  # characters or items one `*` may build: ~300 pages of text
MAX_POWER_DIGITS = 1_000  # `**` on integers: no document needs a number this long
TEMPLATE_NOTE = "dokgen template: "  # an exception note naming the template being rendered


class DokgenEnvironment(SandboxedEnvironment):
    """The sandbox, with `*` and `**` capped so one expression cannot exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        from jinja2.exceptions import SecurityError

        if operator_name == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_PRODUCT_ITEMS:
                    raise SecurityError(_("'*' would build {count} items; a template may build at most {limit}").format(count=f"{len(seq) * n:,}", limit=f"{MAX_PRODUCT_ITEMS:,}"))
            return operator.mul(left, right)
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * max(abs(left), 2).bit_length() > MAX_POWER_DIGITS * 4:
                raise SecurityError(_("'**' would build a number of more than {limit} digits").format(limit=f"{MAX_POWER_DIGITS:,}"))
        return super().call_binop(context, operator_name, left, right)


def make_env(*, autoescape: bool = True) -> SandboxedEnvironment:
    """Return a sandboxed, strict Jinja environment with dokgen's filters."""
    from .indonesian import FILTERS

    env = DokgenEnvironment(
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def outside_reason(root: Path, path: Path) -> str | None:
    """Why path may not be read as a template of the workspace at root, or None if it may."""
    folder = (Path(root) / "templates").resolve()
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(folder):
        link = " through a symbolic link" if Path(path).is_symlink() or resolved != Path(path).absolute() else ""
        return f"it resolves{link} to {resolved}, outside the workspace's templates/ folder; copy the file into templates/ instead"
    if resolved.exists() and not resolved.is_file():
        return "not a regular file"
    return None


def template_path(root: Path, relpath: str) -> Path:
    """Return an existing template file of the workspace at root, or say where it was looked for."""
    from .files import MAX_TEMPLATE_BYTES, check_regular

    path = Path(root) / "templates" / relpath
    try:
        st = path.stat()
    except OSError:
        raise TemplateProblem(_("template {path} not found in workspace {root}; `dokgen init` writes the default templates").format(path=f"templates/{relpath}", root=root)) from None
    try:  # a named pipe would hang the render, a huge file exhaust memory
        check_regular(path, st, MAX_TEMPLATE_BYTES, "a template file")
    except OSError as exc:
        raise TemplateProblem(_("{path}: not used: {reason}").format(path=f"templates/{relpath}", reason=exc.strerror)) from None
    reason = outside_reason(root, path)
    if reason:
        raise TemplateProblem(_("refused to read: {reason}").format(reason=reason), location=Location(f"templates/{relpath}", 1, 1))
    return path


class WorkspaceLoader(FileSystemLoader):
    """Load `{% include %}`, `{% import %}` and `{% extends %}` targets from templates/ only."""

    def __init__(self, root: Path):
        self.root = Path(root)
        super().__init__(str((self.root / "templates").absolute()))

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        reason = outside_reason(self.root, Path(filename))
        if reason:
            raise TemplateNotFound(template, f"templates/{template}: refused: {reason}")
        return source, filename, uptodate


# One environment per (templates folder, escaping): Jinja keeps each compiled template
# (tens of ms to compile) and recompiles it when the file changes (auto_reload, mtime).
_FILE_ENVS: dict[tuple, SandboxedEnvironment] = {}


def file_env(root: Path, *, autoescape: bool = True, finalize: Callable[[Any], Any] | None = None) -> SandboxedEnvironment:
    """The environment that loads the workspace's file templates (cached per folder)."""
    key = (str(Path(root, "templates").absolute()), autoescape, finalize)
    env = _FILE_ENVS.get(key)
    if env is None:
        env = make_env(autoescape=autoescape)
        if finalize is not None:
            env.finalize = finalize
        env.loader = WorkspaceLoader(root)
        _FILE_ENVS[key] = env
    return env


def render_file(root: Path, relpath: str, context: dict[str, Any], *, autoescape: bool = True,
                finalize: Callable[[Any], Any] | None = None) -> str:
    """Render templates/<relpath> of the workspace at root; errors name the template and line."""
    template_path(root, relpath)  # a missing or outside template is named with where it was looked for
    env = file_env(root, autoescape=autoescape, finalize=finalize)
    try:
        return env.get_template(relpath).render(context)
    except BaseException as exc:
        if isinstance(exc, Exception) and not isinstance(exc, MemoryError):
            raise located_problem(exc, root, f"templates/{relpath}") from None
        # Out of memory or time: the render guard (limits.py) reports it, naming this template
        # even when no template frame is on the stack (Jinja's final join of the output).
        exc.add_note(f"{TEMPLATE_NOTE}templates/{relpath}")
        raise


def located_problem(exc: BaseException, root: Path | None, name: str, source_name: str | None = None) -> TemplateProblem:
    """Turn any error raised while compiling or rendering a template into a located TemplateProblem.

    Jinja rewrites tracebacks so that template frames carry the template's file and line;
    the innermost such frame (an included partial, say) is where the problem is. Syntax
    errors carry their own file and line. source_name: the name frames of a template
    compiled from a string carry (docxtpl's "<template>"), reported as name.
    """
    from jinja2 import TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        folder = str((Path(root) / "templates").absolute()) if root is not None else None
        location = Location(_template_name(exc.filename, folder, source_name) or name, exc.lineno or 1, 1)
    else:
        location = template_location(exc, root, name, source_name)
    if isinstance(exc, TemplateNotFound) and exc.message and "refused" in exc.message:
        message = exc.message
    else:
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if not isinstance(exc, _jinja_errors()):
            message = f"{type(exc).__name__}: {message}"
    return TemplateProblem(_one_line(message), location=location)


def template_location(exc: BaseException, root: Path | None, name: str, source_name: str | None = None) -> Location:
    """Where in the templates exc was raised: the innermost template frame, else name itself."""
    folder = str((Path(root) / "templates").absolute()) if root is not None else None
    noted = [n for n in getattr(exc, "__notes__", ()) if n.startswith(TEMPLATE_NOTE)]
    where, line = noted[0][len(TEMPLATE_NOTE):] if noted else name, 1
    tb = exc.__traceback__
    while tb is not None:
        found = _template_name(tb.tb_frame.f_code.co_filename, folder, source_name)
        if found:
            # Jinja maps its compiled code's lines back to the template's only for the
            # exceptions it rewrites (Exception); a deadline (BaseException) is mapped here.
            template = tb.tb_frame.f_globals.get("__jinja_template__")
            lineno = template.get_corresponding_lineno(tb.tb_lineno) if template is not None else tb.tb_lineno
            where, line = found if found != source_name else name, lineno
        tb = tb.tb_next
    return Location(where, line, 1)


def _jinja_errors() -> tuple[type, ...]:
    from jinja2 import TemplateError

    return (TemplateError,)


def _template_name(filename: str | None, folder: str | None, source_name: str | None) -> str | None:
    if not filename:
        return None
    if source_name and filename == source_name:
        return source_name
    if folder and filename.startswith(folder + "/"):
        return "templates/" + filename[len(folder) + 1:]
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- what a template reads: for the input keys of build.py ------------------------------------

_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
_HTML_REF = re.compile(r"""(?:href|src)\s*=\s*["']([^"'{}]+)["']""")


def template_dependencies(root: Path, relpath: str) -> set[str] | None:
    """Workspace files (relative paths) templates/<relpath> reads, itself included.

    Followed: `{% include %}`/`{% import %}`/`{% extends %}` (from Jinja's own parser),
    stylesheets, images and fonts named by href/src in HTML and url()/@import in CSS,
    recursively. None when a template names what it includes by an expression: then
    every file of templates/ may be read.
    """
    from jinja2 import TemplateSyntaxError, meta

    from .files import MAX_TEMPLATE_BYTES, read_regular

    root = Path(root)
    base = root.resolve()
    env = make_env()
    found: set[str] = set()
    todo = [root / "templates" / relpath]
    while todo:
        path = todo.pop()
        try:
            rel = path.resolve().relative_to(base).as_posix()
        except ValueError:
            continue  # outside the workspace: template loading and the fetcher refuse it
        if rel in found or not path.is_file():
            continue
        found.add(rel)
        suffix = path.suffix.lower()
        if suffix in (".docx", ".ttf", ".otf", ".woff", ".woff2", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".icc"):
            continue
        try:  # through the one guarded reader: a partial or stylesheet found here may be huge
            text = read_regular(path, MAX_TEMPLATE_BYTES, "a template file").decode("utf-8", "replace")
        except OSError:
            continue  # still listed in the key (by its name); rendering refuses it by name
        if suffix != ".css":
            try:
                names = list(meta.find_referenced_templates(env.parse(text)))
            except TemplateSyntaxError:
                names = []  # lint reports it; nothing renders
            if None in names:
                return None
            todo += [root / "templates" / n for n in names]
        refs = [a or b for a, b in _CSS_URL.findall(text)] + (_HTML_REF.findall(text) if suffix != ".css" else [])
        todo += [path.parent / r for r in refs if ":" not in r and not r.startswith(("#", "/"))]
    return found
