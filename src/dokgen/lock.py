"""One build at a time per workspace: an advisory lock file in out/."""

from __future__ import annotations

import fcntl
import os
import stat
import time
from pathlib import Path

from .errors import DokgenError, OutputError
from .files import kind_of
from .i18n import _

LOCK_NAME = ".dokgen.lock"


class BuildLock:
    """Hold an exclusive flock on out/.dokgen.lock; wait up to `wait` seconds for it."""

    def __init__(self, out_dir: Path, wait: float = 3.0):
        self.path = Path(out_dir) / LOCK_NAME
        self.wait = wait
        self.fd: int | None = None

    def __enter__(self) -> "BuildLock":
        out = self.path.parent
        # Nothing, not even the lock file, may be written through a link out of the workspace.
        if out.is_symlink():
            raise OutputError(_("refusing to build into {out}: it is a symbolic link; make {name}/ a real folder").format(out=out, name=out.name))
        if out.exists() and not out.is_dir():
            raise OutputError(_("refusing to build into {out}: it is a file, not a folder; move it away").format(out=out))
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a workspace on a read-only or full disk
            raise OutputError(_("cannot create {out}: {reason}; build in a writable copy of the workspace").format(out=out, reason=exc.strerror)) from None
        try:  # O_NONBLOCK: a named pipe planted here must not block the open
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            why = _("it is a symbolic link") if self.path.is_symlink() else (exc.strerror or str(exc))
            raise OutputError(_("cannot use the lock file {path}: {reason}; delete it and build again").format(path=self.path, reason=why)) from None
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise OutputError(_("cannot use the lock file {path}: {reason}; delete it and build again").format(
                path=self.path, reason=_("it is {what}, not a regular file").format(what=kind_of(mode))))
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    os.close(fd)
                    raise DokgenError(
                        _("another dokgen build (pid {pid}) is writing {folder}; wait for it to finish, then build again").format(
                            pid=holder, folder=self.path.parent)
                    ) from None
                time.sleep(0.05)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError:
            pass  # a full disk: the pid only helps the message of a second build
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
