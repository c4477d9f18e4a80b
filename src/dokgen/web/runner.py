""""Bangun semua": the library's build, one at a time, with progress for the beranda."""

from __future__ import annotations

import contextvars
import threading
import time

from ..errors import DokgenError, ProblemsError
from ..i18n import _
from .store import problems_json


def run_build(s) -> tuple[int, dict]:
    """Build the workspace like `dokgen build --json`; (HTTP status, body).

    200 with the summary `dokgen build --json` prints (the lines the CLI would print besides,
    kept drafts, failures, warnings, wait in s.progress for the beranda); 422 {problems} when records are invalid (nothing written);
    409 when a build is already running.
    """
    from ..build import Options, build

    if not s.build_lock.acquire(blocking=False):
        return 409, {"error": _("another build is running; wait until it is done")}
    try:
        s.progress.clear()
        s.progress.update(running=True, done=0, total=0, started=time.time())

        def progress(done: int, total: int, source: str, status: str, outputs: list[str]) -> None:
            s.progress.update(done=done, total=total, current=source)

        try:
            report = build(s.root, None, Options(), progress=progress)
        except ProblemsError as exc:
            body = {"error": exc.summary, "problems": problems_json(exc.problems)}
            s.progress.update(running=False, result=body)
            return 422, body
        except DokgenError as exc:
            body = {"error": str(exc)}
            s.progress.update(running=False, result=body)
            return 500, body
        body = report.summary()
        s.progress.update(running=False, result=body, kept=report.kept, failed=report.failed, warnings=report.warnings)
        return 200, body
    finally:
        s.build_lock.release()
        s.index.refresh()


def start_build(s) -> bool:
    """Start a build in the background (the beranda polls its progress); False if one runs."""
    if s.build_lock.locked():
        return False
    s.progress.clear()
    s.progress.update(running=True, done=0, total=0)
    # the request's context (its language) goes along: a new thread would start with none
    threading.Thread(target=contextvars.copy_context().run, args=(run_build, s), daemon=True).start()
    return True
