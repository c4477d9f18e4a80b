"""Size limits that keep one runaway record from stalling or exhausting a whole batch.

A record can be valid and still absurd: a pasted 10 MB field, a lab with 100,000 ideas.
Such a record fails on its own, quickly and with a located message, before rendering;
the rest of the batch is built. For whatever these checks do not foresee (a template that
loops or builds a gigabyte string), every render runs inside render_guard below.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from pydantic import BaseModel

from .errors import DokgenError
from .i18n import _
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
            _fail(record, path, _("text of {count} characters; the limit is {limit} per field").format(count=f"{len(value):,}", limit=f"{MAX_TEXT_CHARS:,}"))
        if isinstance(value, (list, tuple)) and len(value) > MAX_LIST_ITEMS:
            _fail(record, path, _("{count} items; the limit is {limit} per list (split the record)").format(count=f"{len(value):,}", limit=f"{MAX_LIST_ITEMS:,}"))
    if record.kind == "lab":
        ideas = sum(len(u.ideas) for u in record.model.units)
        if ideas > MAX_IDEAS:
            _fail(record, ("units",), _("{count} ideas in all; a report holds at most {limit} (split the lab into several records)").format(count=f"{ideas:,}", limit=f"{MAX_IDEAS:,}"))


def _fail(record: Any, path: tuple, message: str) -> None:
    raise DokgenError(_("too large to render: {message}").format(message=message), location=record.location(*path), field=format_path(path))


# --- time and memory of one render, the same in every mode ---------------------------------------
#
# A template can loop forever or build a gigabyte string; a Word template can be a zip bomb.
# Whatever renders (the build's own process, a worker, `dokgen check`, a service) renders
# inside render_guard: a SIGALRM deadline, and the address-space soft limit lowered to what
# the process has mapped now plus RENDER_MEMORY_BYTES, restored afterwards. Both cost a few
# system calls, so small builds keep rendering in-process. An allocation over the limit
# fails before its pages are touched (MemoryError), so a bomb never really takes the memory.

RENDER_SECONDS = 120
RENDER_MEMORY_BYTES = 512 << 20  # a 37-page report, WeasyPrint's import included, maps ~270 MB more


class RenderTimeout(BaseException):
    """Raised by the deadline; a BaseException so that no library's `except Exception` eats it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise RenderTimeout()


def _mapped_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            import os

            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def render_guard(seconds: float = RENDER_SECONDS, memory: int = RENDER_MEMORY_BYTES) -> Iterator[None]:
    """Run the block under a deadline (RenderTimeout) and a memory ceiling (MemoryError).

    The deadline needs the main thread (signals); elsewhere only the memory ceiling applies.
    seconds <= 0 or memory <= 0 turn that limit off.
    """
    import signal
    import threading

    alarm = seconds > 0 and hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if alarm:
        previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    previous_limit = _lower_memory_limit(memory) if memory > 0 else None
    try:
        yield
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
        if previous_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, previous_limit)


def _lower_memory_limit(memory: int) -> tuple[int, int] | None:
    """Set the soft RLIMIT_AS to what is mapped now plus memory; return the limits to restore."""
    try:
        import resource
    except ImportError:
        return None  # not on this platform: the deadline still applies
    mapped = _mapped_bytes()
    if mapped is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = mapped + memory
    if soft != resource.RLIM_INFINITY and soft <= ceiling:
        return None  # already tighter (a worker's own limit, say)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    except (ValueError, OSError):
        return None
    return soft, hard
