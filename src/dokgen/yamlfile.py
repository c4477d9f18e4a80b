"""Read one YAML record file into plain data, keeping where every value came from.

Records are typed by hand, so the reader is deliberately narrow: every scalar stays the
text the user typed (`NO`, `0777`, `1.10`, `12:30` are strings; only a bare `null`, `~`
or an empty value is None), and duplicate keys, anchors/aliases and tags are errors.
The schema decides later which strings become numbers or dates.

We walk PyYAML's event stream from the C parser: it is ~35x faster than a round-trip
loader and its marks give the line and column of every key and value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from .characters import character_problem, normalise
from .errors import Location, Problem
from .i18n import _

Path = tuple[str | int, ...]

MAX_FILE_BYTES = 32_000_000  # far above any real record; limits.py judges sizes per field
MAX_DEPTH = 12  # the deepest record (lab > units > ideas > idea) is 5 levels
_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass
class YamlDoc:
    """Plain data of one file plus the 1-based position of every value and key."""

    data: Any
    source: str
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def location(self, path: Path, *, key: bool = False) -> Location:
        """Return the nearest known location for a field path (walking up to its parent)."""
        table = self.key_positions if key else self.positions
        p = tuple(path)
        while p:
            if p in table:
                return Location(self.source, *table[p])
            if not key and p in self.key_positions:
                return Location(self.source, *self.key_positions[p])
            p = p[:-1]
        return Location(self.source, *self.positions.get((), (1, 1)))


class YamlProblems(Exception):
    """The file could not be read; carries the problems found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


def format_path(path: Path) -> str:
    """Return a field path the way users read it: `parties[0].party`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def read_yaml(raw: bytes, source: str) -> YamlDoc:
    """Parse bytes of one record file; raise YamlProblems with positions on any problem."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblems([Problem(Location(source, 1, 1), "", _("file is {size} bytes; a record may be at most {limit}").format(size=f"{len(raw):,}", limit=f"{MAX_FILE_BYTES:,}"))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblems([Problem(Location(source, line, col), "", _("file is not UTF-8 text; save it as UTF-8"))]) from None
    doc = YamlDoc(None, source)
    walker = _Walker(doc)
    try:
        events = yaml.parse(text, Loader=yaml.CSafeLoader)
        doc.data = walker.document(events)
    except _TooDeep:
        pass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = (exc.problem or exc.context or "invalid YAML").strip()
        at = getattr(mark, "index", -1)
        if "tab character" in message or (0 <= at < len(text) and text[at] == "\t"):
            message += _(" (a tab: indent with spaces, not tabs)")
        walker.problems.append(Problem(Location(source, line, col), "", _("YAML syntax: {message}").format(message=message)))
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = f"U+{exc.character if isinstance(exc.character, int) else ord(exc.character):04X}"
        walker.problems.append(Problem(Location(source, line, col), "", _("character {code} is not allowed in a record").format(code=code)))
    except yaml.YAMLError as exc:  # pragma: no cover - any other parser complaint
        walker.problems.append(Problem(Location(source, 1, 1), "", _("YAML syntax: {message}").format(message=exc)))
    if walker.problems:
        raise YamlProblems(walker.problems)
    return doc


class _TooDeep(Exception):
    """Stop walking: the problem is recorded already."""


class _Walker:
    """Turn parser events into dicts, lists, strings and None, recording marks."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.problems: list[Problem] = []

    def _where(self, event: Any) -> tuple[int, int]:
        return event.start_mark.line + 1, event.start_mark.column + 1

    def _problem(self, event: Any, path: Path, message: str) -> None:
        self.problems.append(Problem(Location(self.doc.source, *self._where(event)), format_path(path), message))

    def document(self, events: Iterator[Any]) -> Any:
        data: Any = None
        seen = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                seen += 1
                if seen > 1:
                    self._problem(event, (), _("a record file holds one YAML document; remove the extra '---'"))
                    return data
                data = self.node(next(events), events, (), 0)
        return data

    def node(self, event: Any, events: Iterator[Any], path: Path, depth: int) -> Any:
        if isinstance(event, yaml.AliasEvent):
            self._problem(event, path, _("YAML aliases ({alias}) are not allowed; write the value out").format(alias=f"*{event.anchor}"))
            return None
        if getattr(event, "anchor", None):
            self._problem(event, path, _("YAML anchors ({anchor}) are not allowed; write the value out").format(anchor=f"&{event.anchor}"))
        tag = getattr(event, "tag", None)
        if tag and tag != "!":
            self._problem(event, path, _("YAML tags ({tag}) are not allowed; write plain text").format(tag=tag))
        if depth > MAX_DEPTH:
            self._problem(event, path, _("nesting deeper than {depth} levels").format(depth=MAX_DEPTH))
            raise _TooDeep
        self.doc.positions[path] = self._where(event)
        if isinstance(event, yaml.ScalarEvent):
            return self.scalar(event, path)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            for ev in events:
                if isinstance(ev, yaml.SequenceEndEvent):
                    return items
                items.append(self.node(ev, events, (*path, len(items)), depth + 1))
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[str, Any] = {}
            for ev in events:
                if isinstance(ev, yaml.MappingEndEvent):
                    return mapping
                key = self.key(ev, events, path, depth)
                value_event = next(events)
                if key is None:
                    self.node(value_event, events, path, depth + 1)
                    continue
                if key in mapping:
                    first = self.doc.key_positions[(*path, key)]
                    self._problem(ev, (*path, key), _("duplicate key (first given at line {line}); keep one").format(line=first[0]))
                    self.node(value_event, events, (*path, f"{key}#dup"), depth + 1)
                    continue
                self.doc.key_positions[(*path, key)] = self._where(ev)
                mapping[key] = self.node(value_event, events, (*path, key), depth + 1)
        raise yaml.YAMLError(f"unexpected event {event}")  # pragma: no cover

    def key(self, event: Any, events: Iterator[Any], path: Path, depth: int) -> str | None:
        if not isinstance(event, yaml.ScalarEvent):
            self._problem(event, path, _("a key must be plain text"))
            self.node(event, events, (*path, "?"), depth + 1)
            return None
        if event.anchor or (event.tag and event.tag != "!"):
            self._problem(event, path, _("keys may not carry anchors or tags"))
        key = normalise(event.value)
        breaks = [c for c in key if c in "\t\n\r"]  # text may hold these; a field name never does
        message = character_problem(key) or (breaks and _("control character {code} is not allowed").format(code=f"U+{ord(breaks[0]):04X}"))
        if message:  # e.g. a key of terminal escapes: reported (escaped when printed), then dropped
            self._problem(event, (*path, key), _("field name: {message}").format(message=message))
            return None
        return key

    def scalar(self, event: Any, path: Path) -> str | None:
        plain = not event.style  # the C parser reports plain style as ""
        if plain and event.value in _NULLS:
            return None
        value = normalise(event.value)  # stored, compared and printed as NFC
        message = character_problem(value)
        if message:
            self._problem(event, path, message)
        return value
