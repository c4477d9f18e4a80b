"""The one place that writes into out/: safe paths, atomic replaces, no double writes.

A reader of out/ (Word, a browser, a sync client) sees either the old file or the new
one, never half of one: bytes go to a temp file in the same folder, are flushed to
disk, then renamed over the target.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import OutputError

_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,100}$")
TEMP_PREFIX = ".tmp-"


class Writer:
    """Write files below one output folder, refusing anything that would leave it."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.written: list[Path] = []

    def target(self, relpath: str) -> Path:
        """Return the checked absolute target for a path like 'mou/x.docx'."""
        parts = relpath.split("/")
        if not all(_SEGMENT.match(p) and ".." not in p for p in parts):
            raise OutputError(f"refusing to write '{relpath}': not a plain path inside out/")
        if self.out_dir.is_symlink():
            raise OutputError(f"refusing to write into {self.out_dir}: it is a symbolic link")
        path = self.out_dir
        for part in parts:
            path = path / part
            if path.is_symlink():
                raise OutputError(f"refusing to write '{relpath}': {path} is a symbolic link")
        return path

    def write(self, relpath: str, data: bytes) -> Path:
        """Atomically write data to out/relpath; a second write of one path in a run is an error."""
        path = self.target(relpath)
        if path in self.written:
            raise OutputError(f"two outputs would be written to out/{relpath}")
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        self.written.append(path)
        return path


def atomic_write(path: Path, data: bytes) -> None:
    """Replace path with data so that no reader ever sees a partial file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
