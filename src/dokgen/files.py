"""Reading files that anyone may have put in a workspace: regular files only, size capped.

A record, template or manifest may turn out to be a named pipe (reading blocks forever), a
link to /dev/zero (reading never ends) or a sparse 10 GB file (reading exhausts memory).
`read_regular` opens without blocking, looks at what it opened (fstat) and its size
before reading a byte. `litter` names the files that operating systems and Word leave in
shared folders, which are skipped with a note instead of failing every document.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from .i18n import N_, _

MAX_TEMPLATE_BYTES = 64_000_000  # a Word template with pictures, a font: a few MB
MAX_LOGO_BYTES = 20_000_000
MAX_STATE_BYTES = 64_000_000  # the manifest and journal: ~250 bytes per output


class FileRefused(OSError):
    """Not read: not a regular file, or larger than its cap. strerror says why, plainly."""

    def __init__(self, path: Path | str, why: str, code: int = errno.EINVAL):
        super().__init__(code, why, str(path))


def kind_of(mode: int) -> str:
    """Name what a non-regular file is, the way a clerk would understand it."""
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("a special file")


def check_regular(path: Path | str, st: os.stat_result, limit: int, what: str) -> None:
    """Raise FileRefused unless st describes a regular file of at most limit bytes."""
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused(path, _("it is {what}, not a regular file").format(what=kind_of(st.st_mode)))
    if st.st_size > limit:
        raise FileRefused(path, _("it is {size} bytes; {what} may be at most {limit}").format(size=f"{st.st_size:,}", what=_(what), limit=f"{limit:,}"), errno.EFBIG)


def read_regular(path: Path | str, limit: int, what: str = "this file") -> bytes:
    """Return the bytes of a regular file of at most limit bytes; raise FileRefused (an OSError) otherwise.

    O_NONBLOCK makes opening a named pipe return at once; fstat then refuses it. The read
    stops at limit + 1 bytes, so a file that grows while read (or lies about its size, as
    some /proc files do) is refused too.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        check_regular(path, os.fstat(fd), limit, what)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise FileRefused(path, _("it grew past {limit} bytes while read; {what} may be at most {limit}").format(limit=f"{limit:,}", what=_(what)), errno.EFBIG)
        return b"".join(chunks)
    finally:
        os.close(fd)


def shown(name: str) -> str:
    """A file name fit to print: bytes that are not UTF-8 appear as \\xNN, never as a crash."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# What Windows, macOS and Office leave beside files on a shared drive or flash disk.
_LITTER = [
    (re.compile(r"(?i)^(thumbs|ehthumbs|ehthumbs_vista)\.db$"), N_("a Windows thumbnail cache")),
    (re.compile(r"(?i)^desktop\.ini$"), N_("Windows folder settings")),
    (re.compile(r":Zone\.Identifier$"), N_("a Windows download marker")),
    (re.compile(r"^\.DS_Store$"), N_("macOS folder settings")),
    (re.compile(r"^\._"), N_("a macOS resource fork")),
    (re.compile(r"^~\$"), N_("a Word lock file")),
    (re.compile(r"^\.~lock\..*#$"), N_("a LibreOffice lock file")),
]


# What callers pass as `what` to read_regular/check_regular, marked for the catalogue.
_WHAT = (N_("a record"), N_("a logo"), N_("a template file"), N_("a font"), N_("a file a report loads"), N_("this file"))


def litter(name: str) -> str | None:
    """Say what a file is if the system or an office program left it there, else None."""
    return next((what for pattern, what in _LITTER if pattern.search(name)), None)
