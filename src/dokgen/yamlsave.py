"""The one round-trip YAML writer: saves from `serve`, `import` and `issue` go through here.

A clerk's record file carries comments, an order of keys and a way of writing long text
(`>-` blocks) that are theirs. A save changes only the values that changed: everything
else, comments included, stays as the clerk left it (ruamel.yaml's round-trip mode).

Reading stays on the fast text-first loader (yamlfile.py), which keeps every scalar as the
text typed. The writer follows the same rule: a string is written plain whenever that
reads back as the same text there (`2015-11-11`, `0777`, `NO` stay unquoted), and every
save is read back with that loader and compared before it may reach the disk, so a value
that would not survive the round trip is an error, never silent data loss.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from .errors import DokgenError
from .files import read_regular
from .i18n import _
from .writer import atomic_write
from .yamlfile import MAX_FILE_BYTES

WIDTH = 84  # new or changed long text is folded at this width, like the example records
NO_WRAP = 1 << 16  # the emitter never re-wraps a line the clerk wrote


class VersionConflict(DokgenError):
    """The file changed on disk since the caller read it (another tab, clerk or editor)."""


class RoundTripError(DokgenError):
    """A value would not read back as written; nothing was saved."""


def file_version(path: Path) -> str | None:
    """The sha256 of the file's bytes, or None when there is no file yet."""
    try:
        raw = read_regular(path, MAX_FILE_BYTES, "a record")
    except FileNotFoundError:
        return None
    return hashlib.sha256(raw).hexdigest()


def text_version(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def update_text(old_text: str, data: dict, *, source: str = "record") -> str:
    """Return old_text with its values replaced by data, keeping everything unchanged as it was."""
    yaml = _yaml()
    crlf = "\r\n" in old_text
    doc = yaml.load(old_text.replace("\r\n", "\n")) if old_text.strip() else None
    new = _plain(data)
    if not isinstance(doc, dict):
        doc = _fresh(new)
    else:
        _merge_map(doc, new)
    buf = io.StringIO()
    yaml.dump(doc, buf)
    text = buf.getvalue()
    _check_round_trip(text, new, source)
    return text.replace("\n", "\r\n") if crlf else text


def new_text(data: dict, *, header: str = "", source: str = "record") -> str:
    """Text of a new record file; header (one or more lines) becomes a leading comment."""
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comment + update_text("", data, source=source)


def save_text(path: Path, text: str, *, expected_version: str | None = None, create: bool = False) -> str:
    """Write text atomically and return its version.

    expected_version is what the caller read; a file that changed since raises
    VersionConflict and nothing is written. create=True refuses to replace an existing
    file. Callers that race with builds hold lock.BuildLock around read-check-write.
    """
    current = file_version(path)
    if create and current is not None:
        raise VersionConflict(_("exists already; open it instead of creating it"))
    if not create and expected_version is not None and current != expected_version:
        raise VersionConflict(_("changed on disk since it was opened; reload to see the other change"))
    atomic_write(path, text.encode("utf-8"))
    return text_version(text)


# --- the writer's settings ---------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _text_resolver() -> type:
    """The resolver class, made once (serve checks every keystroke through update_text)."""
    from ruamel.yaml.resolver import VersionedResolver

    class TextResolver(VersionedResolver):
        """Only `null`, `~` and nothing are not text, as in yamlfile.py."""

        @property
        def versioned_resolver(self) -> dict:
            return _TEXT_FIRST

    return TextResolver


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")  # a fresh one per call: YAML instances are not thread-safe
    yaml.Resolver = _text_resolver()
    yaml.width = NO_WRAP
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.allow_unicode = True
    yaml.representer.add_representer(type(None), _represent_null)
    return yaml


def _represent_null(representer: Any, _value: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


_NULL = ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"))
_TEXT_FIRST = {first: [_NULL] for first in ("~", "n", "N", "")}


# --- merging new values into the old document --------------------------------------------

def _plain(value: Any) -> Any:
    """What the text-first loader would give back: text (NFC), None, lists and dicts."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value))


def _as_plain(node: Any) -> Any:
    """The old node as plain data, for comparing with the new value."""
    if isinstance(node, dict):
        return {str(k): _as_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_plain(v) for v in node]
    return None if node is None else str(node)


def _merge_map(old: Any, new: dict) -> None:
    for key in [k for k in old if str(k) not in new]:
        del old[key]
    for key, value in new.items():
        if key in old:
            old[key] = _merged(old[key], value)
        else:
            old[key] = _fresh(value)


def _merge_seq(old: Any, new: list) -> None:
    del old[len(new):]
    for i, value in enumerate(new):
        if i < len(old):
            old[i] = _merged(old[i], value)
        else:
            old.append(_fresh(value))


def _merged(old: Any, new: Any) -> Any:
    """Keep the old node when its value is unchanged, so its style and comments stay."""
    if _as_plain(old) == new:
        return old
    if isinstance(old, dict) and isinstance(new, dict):
        _merge_map(old, new)
        return old
    if isinstance(old, list) and isinstance(new, list):
        _merge_seq(old, new)
        return old
    if isinstance(new, str) and not isinstance(old, (dict, list)):
        return _styled_like(old, new)
    return _fresh(new)


def _styled_like(old: Any, text: str) -> Any:
    """A changed string keeps the old one's way of being written where that can hold it."""
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        FoldedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )

    if "\n" in text:
        return LiteralScalarString(text)
    if isinstance(old, FoldedScalarString):
        return _folded(text)
    for style in (LiteralScalarString, SingleQuotedScalarString, DoubleQuotedScalarString):
        if isinstance(old, style):
            return style(text)
    return _fresh(text)


def _folded(text: str) -> Any:
    """A `>-` block broken at single spaces so that no line passes WIDTH characters."""
    from ruamel.yaml.scalarstring import FoldedScalarString

    node = FoldedScalarString(text)
    breaks, start, last_space = [], 0, -1
    for i, c in enumerate(text):
        # folding at a space beside another space would change the text when read back
        if c == " " and 0 < i < len(text) - 1 and text[i - 1] != " " and text[i + 1] != " ":
            if i - start > WIDTH and last_space > start:
                breaks.append(last_space)
                start = last_space + 1
            last_space = i
    if len(text) - start > WIDTH and last_space > start:
        breaks.append(last_space)
    node.fold_pos = breaks
    return node


def _fresh(value: Any) -> Any:
    """A new node: long text folded like the example records, text with newlines literal."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = _fresh(v)
        return node
    if isinstance(value, list):
        return CommentedSeq(_fresh(v) for v in value)
    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value)
        if len(value) > WIDTH and value == value.strip() and "  " not in value:
            return _folded(value)
    return value


def _check_round_trip(text: str, expected: Any, source: str) -> None:
    from .yamlfile import YamlProblems, read_yaml

    try:
        back = read_yaml(text.encode("utf-8"), source).data
    except YamlProblems as exc:
        # the reader's own words: the same problem `dokgen check` would report for this value
        first = exc.problems[0]
        raise RoundTripError(_("{message}; nothing was saved").format(message=first.message), field=first.field) from None
    if back != expected:
        raise RoundTripError(_("a value would not read back exactly as typed; nothing was saved"))
