"""Size limits that keep one runaway record from stalling or exhausting a whole batch.

A record can be valid and still absurd: a pasted 10 MB field, a lab with 100,000 ideas.
Such a record fails on its own, quickly and with a located message, before rendering;
the rest of the batch is built. Worker processes also run under a time and memory limit
(executor.py) for whatever these checks do not foresee.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .errors import DokgenError
from .yamlfile import format_path

MAX_TEXT_CHARS = 20_000  # about eight pages of text in one field
MAX_LIST_ITEMS = 2_000  # e.g. ideas of one unit, units of one lab
MAX_IDEAS = 5_000  # a lab report of 5,000 ideas is ~600 pages already


def walk_fields(value: Any, path: tuple = ()) -> Any:
    """Yield (field path, value) for every list and every text of a model, depth first."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from walk_fields(getattr(value, name), (*path, name))
    elif isinstance(value, (list, tuple)):
        yield path, value
        for i, item in enumerate(value):
            yield from walk_fields(item, (*path, i))
    elif isinstance(value, str):
        yield path, value


def check_limits(record: Any) -> None:
    """Raise DokgenError (located) when a record is too large to render sensibly."""
    for path, value in walk_fields(record.model):
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            _fail(record, path, f"text of {len(value):,} characters; the limit is {MAX_TEXT_CHARS:,} per field")
        if isinstance(value, (list, tuple)) and len(value) > MAX_LIST_ITEMS:
            _fail(record, path, f"{len(value):,} items; the limit is {MAX_LIST_ITEMS:,} per list (split the record)")
    if record.kind == "lab":
        ideas = sum(len(u.ideas) for u in record.model.units)
        if ideas > MAX_IDEAS:
            _fail(record, ("units",), f"{ideas:,} ideas in all; a report holds at most {MAX_IDEAS:,} (split the lab into several records)")


def _fail(record: Any, path: tuple, message: str) -> None:
    raise DokgenError(f"too large to render: {message}", location=record.location(*path), field=format_path(path))
