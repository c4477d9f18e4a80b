"""What dokgen last wrote into out/: per output, its input key and the sha256 of its bytes.

The manifest lets a build skip outputs whose inputs and bytes are unchanged, and spot
files that staff edited by hand (the bytes on disk are no longer what dokgen wrote), which
must never be overwritten silently (the conffile rule of Debian Policy 5.1).

The manifest is saved once, at the end of a build. So that a build killed before then
(kill -9, power cut) does not leave files that look hand-edited, the writer first notes
each file it is about to put in place in a journal, out/.dokgen-journal; the next build
adopts every journal entry whose bytes are on disk, then deletes the journal.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .i18n import _

MANIFEST_NAME = ".dokgen-manifest.json"
JOURNAL_NAME = ".dokgen-journal"
FORMAT = 1


@dataclass(frozen=True)
class Entry:
    """One output as dokgen wrote it."""

    key: str
    sha256: str
    size: int
    mtime_ns: int


def sha256_file(path: Path | str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class Manifest:
    """Load, query and save out/.dokgen-manifest.json.

    It lists every file dokgen put in out/, including the new versions it offered beside
    hand-edited files (<id>.dokgen-new.<ext>): each may have been handed to a person.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / MANIFEST_NAME
        self.journal_path = self.out_dir / JOURNAL_NAME
        self._journal = None
        self._torn = False
        self.entries: dict[str, Entry] = {}
        raw = _read_state(self.path)
        try:
            data = json.loads(raw) if raw is not None else {}
            if data.get("format") == FORMAT:
                self.entries = {k: Entry(**v) for k, v in data["outputs"].items()}
        except (ValueError, TypeError, KeyError, AttributeError):
            pass  # a damaged manifest: every existing file counts as unknown (kept, not overwritten)
        self._adopt_journal()

    def _adopt_journal(self) -> None:
        """Take over what a killed build wrote: journal entries whose bytes are on disk."""
        if self.journal_path.is_symlink():  # never followed (it could lead anywhere); dokgen never makes one
            self.journal_path.unlink()
            return
        raw = _read_state(self.journal_path)
        for line in raw.splitlines() if raw is not None else ():
            try:
                note = json.loads(line)
                relpath, key, digest = note["path"], note["key"], note["sha256"]
                if relpath.startswith("/") or ".." in relpath.split("/"):
                    continue  # not something dokgen wrote
                path = self.out_dir / relpath
                st = path.lstat()
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                continue  # a torn last line, or a file that never made it
            if stat.S_ISREG(st.st_mode) and sha256_file(path) == digest:
                self.entries[relpath] = Entry(key, digest, st.st_size, st.st_mtime_ns)

    def intend(self, relpath: str, key: str, digest: str) -> None:
        """Note in the journal that relpath is about to hold the bytes of this SHA-256 (call before the rename).

        Raises OSError (disk full, read-only) before anything is put in place.
        """
        if self._journal is None:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(self.journal_path, flags, 0o644)
            except OSError as exc:  # e.g. a symbolic link planted in out/
                from .errors import OutputError

                raise OutputError(_("cannot write {path}: {reason}; delete it and build again").format(path=f"out/{JOURNAL_NAME}", reason=exc.strerror)) from None
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                from .errors import OutputError

                raise OutputError(_("cannot write {path}: {reason}; delete it and build again").format(path=f"out/{JOURNAL_NAME}", reason=_("it is not a regular file")))
            self._journal = os.fdopen(fd, "ab", buffering=0)
        note = {"path": relpath, "key": key, "sha256": digest}
        line = json.dumps(note).encode() + b"\n"
        try:  # unbuffered: survives kill -9
            self._journal.write(b"\n" + line if self._torn else line)
            self._torn = False
        except OSError:
            self._torn = True  # part of the line may be written: start the next one on a line of its own
            raise

    def wrote(self, relpath: str) -> bool | None:
        """True if relpath holds what dokgen last wrote there, False if not, None if absent.

        A file not in the manifest counts as changed: it may be someone's work. Anything
        but a regular file (a folder, a named pipe) counts as changed and is never read.
        """
        path = os.path.join(self.out_dir, relpath)  # a string, not a Path: asked of every output of a build
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        entry = self.entries.get(relpath)
        if entry is None or not stat.S_ISREG(st.st_mode):
            return False
        if st.st_size == entry.size and st.st_mtime_ns == entry.mtime_ns:
            return True  # unchanged since we wrote it; hashing 1,000 files would cost more
        return st.st_size == entry.size and sha256_file(path) == entry.sha256

    def is_fresh(self, relpath: str, key: str) -> bool:
        """True if relpath was built from the same inputs and is unchanged on disk."""
        entry = self.entries.get(relpath)
        try:
            return entry is not None and entry.key == key and self.wrote(relpath) is True
        except OSError:
            return False  # unreadable: the writer will say why

    def holds_dokgen_bytes(self, relpath: str, digest: str) -> bool:
        """True if digest is what dokgen wrote for relpath's output, at its own path or as a
        new version beside it: a clerk who copied dokgen's new version over an edited
        draft has accepted it, and replacing it loses nothing of theirs."""
        family = output_of(relpath)
        return any(e.sha256 == digest for rel, e in self.entries.items() if output_of(rel) == family)

    def holds(self, relpath: str, digest: str) -> bool:
        """True if relpath holds what dokgen last wrote there and that is the bytes of this SHA-256."""
        entry = self.entries.get(relpath)
        return entry is not None and entry.sha256 == digest and self.wrote(relpath) is True

    def record(self, relpath: str, key: str, digest: str) -> None:
        """Note that relpath, as it is on disk now, holds the bytes of this SHA-256, built from key."""
        st = (self.out_dir / relpath).stat()
        self.entries[relpath] = Entry(key, digest, st.st_size, st.st_mtime_ns)

    def save(self) -> None:
        """Write the manifest (entries whose file is gone are dropped), then drop the journal.

        Raises OSError when it cannot be written; the journal then stays for the next build.
        """
        from .writer import atomic_write

        self.entries = {k: v for k, v in self.entries.items() if os.path.lexists(os.path.join(self.out_dir, k))}
        # vars(), not dataclasses.asdict: the same dict, without a deep copy per entry (a third of a 1,000-output save)
        body = {"format": FORMAT, "outputs": {k: dict(vars(v)) for k, v in sorted(self.entries.items())}}
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.out_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, (json.dumps(body, indent=1, sort_keys=True) + "\n").encode())
        try:
            self.journal_path.unlink()  # everything in it is in the manifest now
        except FileNotFoundError:
            pass


def _read_state(path: Path) -> bytes | None:
    """Read the manifest or journal: None if absent; a special or huge file is an OutputError."""
    from .errors import OutputError
    from .files import MAX_STATE_BYTES, FileRefused, read_regular

    try:
        return read_regular(path, MAX_STATE_BYTES, f"out/{path.name}")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except FileRefused as exc:
        raise OutputError(_("{path}: not read: {reason}; delete it and build again (files already in out/ are then kept as if edited by hand)").format(
            path=f"out/{path.name}", reason=exc.strerror)) from None
    except OSError:
        return None  # unreadable: as if damaged, every existing file counts as unknown


_NEW = re.compile(r"\.dokgen-new(?:-\d+)?(?=\.[^./]+$|$)")


def output_of(relpath: str) -> str:
    """The output a path belongs to: mou/x.docx for mou/x.docx and mou/x.dokgen-new-2.docx."""
    return _NEW.sub("", relpath, count=1)


def new_name(relpath: str, n: int = 1) -> str:
    """Return where new version n goes when relpath was edited by hand: x.dokgen-new.docx,
    then x.dokgen-new-2.docx when that one was edited too, and so on."""
    tag = ".dokgen-new" if n == 1 else f".dokgen-new-{n}"
    stem, dot, ext = relpath.rpartition(".")
    return f"{stem}{tag}.{ext}" if dot and "/" not in ext else f"{relpath}{tag}"


def input_key(parts: list[tuple[str, bytes]]) -> str:
    """Hash named input parts (sources, templates, options, version) into one key."""
    return key_of_digests([(name, hashlib.sha256(data).digest()) for name, data in parts])


def key_of_digests(parts: list[tuple[str, bytes]]) -> str:
    """input_key from each part's SHA-256 digest: a file shared by many outputs is hashed once."""
    h = hashlib.sha256()
    for name, digest in sorted(parts):
        h.update(name.encode("utf-8", "surrogateescape") + b"\0" + digest)  # a file name need not be UTF-8
    return h.hexdigest()
