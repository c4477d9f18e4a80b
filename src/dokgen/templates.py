"""Jinja environments for every template kind, with the Indonesian filters registered.

Templates are trusted (they ship with the workspace); record data is not. So: autoescape
is on for markup, a missing value is an error rather than an empty string, and data is
only ever passed as context, never compiled as template source.
"""

from __future__ import annotations

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
