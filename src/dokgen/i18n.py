"""The language of user-facing messages: English in the source, Indonesian from a gettext catalogue.

One source of messages serves every face: `dokgen check` in a terminal and the web forms
print the same `_()` text. The language is a context variable, so a web server can answer
one request in Indonesian and the next in English; the CLI picks it from the locale
(LC_ALL, LC_MESSAGES, LANG: the first one set, as POSIX orders them). English is the
source text and needs no catalogue (nor Babel's import) at all.

The catalogue is `locale/id/LC_MESSAGES/dokgen.po`, compiled into the `.mo` beside it;
both are committed, so an editable install and the wheel carry the same file
(`make messages` extracts, updates and compiles; tests/test_i18n.py checks all three).
"""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator, Mapping

DOMAIN = "dokgen"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"
LANGUAGES = ("en", "id")  # the source language first

# None: no face chose a language in this context (e.g. a thread a library started): English.
# Build workers and cluster jobs are handed the parent's language with their work (`using`).
_chosen: ContextVar[str | None] = ContextVar("dokgen_language", default=None)


def language() -> str:
    """The language messages are written in now: 'en' or 'id'."""
    return _chosen.get() or DEFAULT


def supported(code: str | None) -> str:
    """'id' for any Indonesian locale or language tag (id, id_ID.UTF-8, id-ID), else 'en'."""
    code = (code or "").strip().lower()
    return "id" if code[:2] == "id" and (len(code) == 2 or code[2] in "_-.@") else DEFAULT


def from_environ(environ: Mapping[str, str] | None = None) -> str:
    """The language the POSIX locale asks for: the first of LC_ALL, LC_MESSAGES, LANG that is set."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return supported(environ[name])
    return DEFAULT


@contextmanager
def using(code: str) -> Iterator[str]:
    """Speak `code` within the block, in this context only (one CLI command, one web request)."""
    token = _chosen.set(supported(code))
    try:
        yield language()
    finally:
        _chosen.reset(token)


@functools.cache
def translations(code: str):
    """The compiled catalogue of a language (babel.support.Translations), loaded once per process."""
    from babel.support import Translations

    found = Translations.load(str(LOCALE_DIR), [code], DOMAIN)
    if not isinstance(found, Translations):  # NullTranslations: the .mo is missing from this install
        raise RuntimeError(f"dokgen's {code} message catalogue is missing from {LOCALE_DIR}; reinstall dokgen")
    return found


def _(message: str) -> str:
    """The message in the current language (the English source text when English)."""
    code = language()
    return message if code == DEFAULT else translations(code).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for n, in the current language."""
    code = language()
    if code == DEFAULT:
        return singular if n == 1 else plural
    return translations(code).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalogue where it is defined; translate it with _() where it is used."""
    return message
