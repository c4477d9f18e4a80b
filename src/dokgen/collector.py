"""Python's cyclic garbage collector paused while many long-lived objects are made.

Loading a thousand records or rendering a report builds hundreds of thousands of objects
that live as long as the workspace or the render: the collector, run every 700
allocations, would walk them over and over through a heap it cannot shrink.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pauses = 0  # pauses under way (the web app loads workspaces and renders previews in threads)
_resume = False  # whether the first of them found the collector enabled


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Keep the collector off for the duration; counted, so that overlapping pauses in
    threads give it back only when the last ends, and only if it was on before the first."""
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
