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
from dataclasses import asdict, dataclass
from pathlib import Path

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


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class Manifest:
    """Load, query and save out/.dokgen-manifest.json."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / MANIFEST_NAME
        self.journal_path = self.out_dir / JOURNAL_NAME
        self._journal = None
        self.entries: dict[str, Entry] = {}
        try:
            data = json.loads(self.path.read_text())
            if data.get("format") == FORMAT:
                self.entries = {k: Entry(**v) for k, v in data["outputs"].items()}
        except (OSError, ValueError, TypeError, KeyError):
            pass  # no manifest, or a damaged one: every existing file counts as unknown
        self._adopt_journal()

    def _adopt_journal(self) -> None:
        """Take over what a killed build wrote: journal entries whose bytes are on disk."""
        if self.journal_path.is_symlink():
            return
        try:
            lines = self.journal_path.read_bytes().splitlines()
        except OSError:
            return
        for line in lines:
            try:
                note = json.loads(line)
                relpath, key, digest = note["path"], note["key"], note["sha256"]
                if relpath.startswith("/") or ".." in relpath.split("/"):
                    continue  # not something dokgen wrote
                path = self.out_dir / relpath
                st = path.stat()
            except (OSError, ValueError, TypeError, KeyError):
                continue  # a torn last line, or a file that never made it
            if not path.is_symlink() and sha256_file(path) == digest:
                self.entries[relpath] = Entry(key, digest, st.st_size, st.st_mtime_ns)

    def intend(self, relpath: str, key: str, data: bytes) -> None:
        """Note in the journal that relpath is about to hold data (call before the rename)."""
        if self._journal is None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(self.journal_path, flags, 0o644)
            except OSError as exc:  # e.g. a symbolic link planted in out/
                from .errors import OutputError

                raise OutputError(f"cannot write {self.journal_path}: {exc.strerror}; delete it and build again") from None
            self._journal = os.fdopen(fd, "ab", buffering=0)
        note = {"path": relpath, "key": key, "sha256": hashlib.sha256(data).hexdigest()}
        self._journal.write(json.dumps(note).encode() + b"\n")  # unbuffered: survives kill -9

    def on_disk_matches(self, relpath: str) -> bool | None:
        """True if the file is what dokgen last wrote, False if changed, None if absent.

        A file not in the manifest counts as changed: it may be someone's work.
        """
        path = self.out_dir / relpath
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        entry = self.entries.get(relpath)
        if entry is None:
            return False
        if st.st_size == entry.size and st.st_mtime_ns == entry.mtime_ns:
            return True  # unchanged since we wrote it; hashing 1,000 files would cost more
        return st.st_size == entry.size and sha256_file(path) == entry.sha256

    def is_fresh(self, relpath: str, key: str) -> bool:
        """True if relpath was built from the same inputs and is unchanged on disk."""
        entry = self.entries.get(relpath)
        return entry is not None and entry.key == key and self.on_disk_matches(relpath) is True

    def record(self, relpath: str, key: str, data: bytes) -> None:
        st = (self.out_dir / relpath).stat()
        self.entries[relpath] = Entry(key, hashlib.sha256(data).hexdigest(), st.st_size, st.st_mtime_ns)

    def save(self) -> None:
        from .writer import atomic_write

        body = {"format": FORMAT, "outputs": {k: asdict(v) for k, v in sorted(self.entries.items())}}
        self.out_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, (json.dumps(body, indent=1, sort_keys=True) + "\n").encode())
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        try:
            self.journal_path.unlink()  # everything in it is in the manifest now
        except FileNotFoundError:
            pass


def new_name(relpath: str) -> str:
    """Return where a new version goes when relpath was edited by hand: x.dokgen-new.docx."""
    stem, dot, ext = relpath.rpartition(".")
    return f"{stem}.dokgen-new.{ext}" if dot else f"{relpath}.dokgen-new"


def input_key(parts: list[tuple[str, bytes]]) -> str:
    """Hash named input parts (sources, templates, options, version) into one key."""
    h = hashlib.sha256()
    for name, data in sorted(parts):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()
