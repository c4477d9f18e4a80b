"""Jinja environments for every template kind, with the Indonesian filters registered.

Templates are trusted (they ship with the workspace); record data is not. So: autoescape
is on for markup, a missing value is an error rather than an empty string, and data is
only ever passed as context, never compiled as template source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


def make_env(*, autoescape: bool = True) -> SandboxedEnvironment:
    """Return a sandboxed, strict Jinja environment with dokgen's filters."""
    from .indonesian import FILTERS

    env = SandboxedEnvironment(
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def template_path(root: Path, relpath: str) -> Path:
    """Return an existing template file of the workspace at root, or say where it was looked for."""
    from .errors import TemplateProblem

    from .files import MAX_TEMPLATE_BYTES, check_regular

    path = Path(root) / "templates" / relpath
    try:
        st = path.stat()
    except OSError:
        raise TemplateProblem(f"template templates/{relpath} not found in workspace {root}; `dokgen init` writes the default templates") from None
    try:  # a named pipe would hang the render, a huge file exhaust memory
        check_regular(path, st, MAX_TEMPLATE_BYTES, "a template file")
    except OSError as exc:
        raise TemplateProblem(f"templates/{relpath}: not used: {exc.strerror}") from None
    return path


# One environment per (templates folder, escaping): Jinja keeps each compiled template
# (tens of ms to compile) and recompiles it when the file changes (auto_reload, mtime).
_FILE_ENVS: dict[tuple, SandboxedEnvironment] = {}


def render_file(root: Path, relpath: str, context: dict[str, Any], *, autoescape: bool = True,
                finalize: Callable[[Any], Any] | None = None) -> str:
    """Render templates/<relpath> of the workspace at root; errors name the template."""
    from jinja2 import FileSystemLoader, TemplateError, TemplateSyntaxError

    from .errors import TemplateProblem

    template_path(root, relpath)  # a missing template is named with where it was looked for
    folder = str(Path(root, "templates").absolute())
    key = (folder, autoescape, finalize)
    env = _FILE_ENVS.get(key)
    if env is None:
        env = make_env(autoescape=autoescape)
        if finalize is not None:
            env.finalize = finalize
        env.loader = FileSystemLoader(folder)
        _FILE_ENVS[key] = env
    try:
        return env.get_template(relpath).render(context)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"templates/{relpath}:{exc.lineno}: {exc.message}") from exc
    except TemplateError as exc:
        raise TemplateProblem(f"templates/{relpath}: {exc.message or exc}") from exc
