"""The one place that writes into out/: safe paths, atomic replaces, hand edits kept.

A reader of out/ (Word, a browser, a sync client) sees either the old file or the new
one, never half of one: bytes go to a temp file in the same folder and are renamed over
the target. The writer also owns the manifest (what dokgen last wrote) and so decides
whether a file on disk may be replaced: a file staff edited by hand is kept and the new
version is written beside it.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path

from .errors import OutputError
from .files import kind_of
from .i18n import _
from .manifest import JOURNAL_NAME, MANIFEST_NAME, Manifest, new_name, sha256_file

_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,100}$")
TEMP_PREFIX = ".tmp-"
MAX_NEW_VERSIONS = 20  # x.dokgen-new.docx, x.dokgen-new-2.docx ... when each was edited in turn


class Writer:
    """Write files below one output folder, refusing anything that would leave it."""

    def __init__(self, out_dir: Path, *, force: bool = False):
        self.out_dir = Path(out_dir)
        if self.out_dir.is_symlink():  # checked before anything is read, deleted or written
            raise OutputError(_("refusing to write into {out}: it is a symbolic link").format(out=self.out_dir))
        self.force = force
        self.manifest = Manifest(self.out_dir)
        self.written: set[str] = set()

    def target(self, relpath: str) -> Path:
        """Return the checked absolute target for a path like 'mou/x.docx'."""
        parts = relpath.split("/")
        if not all(_SEGMENT.match(p) and ".." not in p for p in parts):
            raise OutputError(_("refusing to write '{path}': not a plain path inside out/").format(path=relpath))
        if self.out_dir.is_symlink():
            raise OutputError(_("refusing to write into {out}: it is a symbolic link").format(out=self.out_dir))
        path = self.out_dir
        for part in parts:
            path = path / part
            if path.is_symlink():
                raise OutputError(_("refusing to write '{path}': {link} is a symbolic link").format(path=relpath, link=path))
        return path

    def remove_stale_temp_files(self) -> int:
        """Delete temp files left by a build that was killed; return how many."""
        removed = 0
        if self.out_dir.is_dir():
            for path in self.out_dir.rglob(TEMP_PREFIX + "*"):
                if path.is_file() and not path.is_symlink():
                    try:
                        path.unlink()
                        removed += 1
                    except OSError:
                        pass  # a read-only out/: harmless, and the writes will say why
        return removed

    def is_fresh(self, relpath: str, key: str) -> bool:
        return self.manifest.is_fresh(relpath, key)

    def publish(self, relpath: str, key: str, data: bytes) -> str:
        """Write one output; return where it went (relpath, or a .dokgen-new name if kept).

        A file on disk that is neither what dokgen wrote nor identical to the new bytes
        was changed by someone: it is kept unless --force, and so is every new version
        offered beside it that was changed too. Raises OutputError naming the output when
        it cannot be written (a folder in the way, a read-only or full disk); nothing half
        written is left.
        """
        if relpath in self.written:
            raise OutputError(_("two outputs would be written to {path}").format(path=f"out/{relpath}"))
        self.written.add(relpath)
        digest = hashlib.sha256(data).hexdigest()  # of the new bytes, once for every comparison below
        try:
            if self._replaceable(relpath, digest, force=self.force):
                self._put(relpath, key, data, digest)
                return relpath
            for n in range(1, MAX_NEW_VERSIONS + 1):
                kept = new_name(relpath, n)
                if self._replaceable(kept, digest):
                    if not (self.manifest.wrote(kept) and not self._differs(kept, digest)):
                        self._put(kept, key, data, digest)
                    return kept
        except OSError as exc:
            raise OutputError(_("{path}: cannot write: {reason}").format(path=f"out/{relpath}", reason=_explain(exc))) from None
        except OutputError as exc:
            if str(exc).startswith(f"out/{relpath}:"):
                raise
            raise OutputError(_("{path}: cannot write: {reason}").format(path=f"out/{relpath}", reason=exc)) from None
        raise OutputError(_("{path}: kept, with {count} edited new versions beside it; move some of the {new} files away, then build again").format(
            path=f"out/{relpath}", count=MAX_NEW_VERSIONS, new=f"out/{new_name(relpath, 1)}"))

    def _replaceable(self, relpath: str, new_digest: str, *, force: bool = False) -> bool:
        """True if writing relpath loses nothing: absent, dokgen's own bytes, or the same bytes."""
        path = self.target(relpath)
        try:
            st = path.lstat()
        except (FileNotFoundError, NotADirectoryError):
            return True  # a file in place of a folder is reported by the write
        if not stat.S_ISREG(st.st_mode):  # never read (a named pipe blocks) nor replaced
            raise OutputError(_("{what} is in the way at {path}; move it away").format(what=kind_of(st.st_mode), path=f"out/{relpath}"))
        if force or self.manifest.wrote(relpath):
            return True
        digest = sha256_file(path)
        return digest == new_digest or self.manifest.holds_dokgen_bytes(relpath, digest)

    def _differs(self, relpath: str, new_digest: str) -> bool:
        return sha256_file(self.out_dir / relpath) != new_digest

    def _put(self, relpath: str, key: str, data: bytes, digest: str) -> None:
        if self.manifest.holds(relpath, digest):
            # Already these bytes, as dokgen wrote them (a --clean rebuild renders most files
            # the same): the file is left alone. Renaming over an existing file makes ext4
            # flush the new one first, about 0.5 ms an output here; its time is kept too.
            self.manifest.record(relpath, key, digest)
            return
        path = self.out_dir / relpath
        _make_folders(self.out_dir, relpath)
        self.manifest.intend(relpath, key, digest)  # a build killed after the rename still owns the file
        atomic_write(path, data, durable=False)
        self.manifest.record(relpath, key, digest)

    def finish(self) -> None:
        """Flush what was written to disk, then save the manifest (OutputError if it cannot be)."""
        try:
            sync_filesystem(self.out_dir)
            self.manifest.save()
        except OSError as exc:
            raise OutputError(_("{manifest}: cannot save: {reason}; what was written is noted in {journal} for the next build").format(
                manifest=f"out/{MANIFEST_NAME}", reason=_explain(exc), journal=f"out/{JOURNAL_NAME}")) from None


def _make_folders(out_dir: Path, relpath: str) -> None:
    """Create the folders of relpath below out_dir, saying plainly when a file is in the way."""
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = out_dir
    for part in relpath.split("/")[:-1]:
        folder = folder / part
        try:
            folder.mkdir(exist_ok=True)
        except FileExistsError:
            st = folder.lstat()
            raise OutputError(_("{path} is {what}, not a folder; move it away").format(
                path=f"out/{folder.relative_to(out_dir).as_posix()}", what=_("a file") if stat.S_ISREG(st.st_mode) else kind_of(st.st_mode))) from None


def _explain(exc: OSError) -> str:
    """Say what an OSError means for the person who has to fix it."""
    hints = {
        errno.ENOSPC: _("the disk is full; free some space and build again"),
        errno.EDQUOT: _("the disk quota is used up; free some space and build again"),
        errno.EROFS: _("the disk is read-only; build into a writable copy of the workspace"),
        errno.EACCES: _("permission denied; make out/ writable for you"),
        errno.EPERM: _("permission denied; make out/ writable for you"),
        errno.ENOTDIR: _("a file is where a folder should be; move it away"),
        errno.EISDIR: _("a folder is in the way; move it away"),
    }
    return hints.get(exc.errno, exc.strerror or str(exc))


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace path with data so that no reader ever sees a partial file.

    durable=False skips the per-file fsync (0.4 ms each here); batch writers call
    sync_filesystem once at the end instead. The rename is atomic either way, so a
    killed process never leaves a partial file behind.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
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
    if durable:
        sync_filesystem(path.parent)


def sync_filesystem(path: Path) -> None:
    """Flush the filesystem holding path (syncfs on Linux, else a full sync)."""
    if not Path(path).exists():
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if getattr(libc, "syncfs", None) is None or libc.syncfs(fd) != 0:
            os.sync()
    except OSError:
        os.sync()
    finally:
        os.close(fd)
