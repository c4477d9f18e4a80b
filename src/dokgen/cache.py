"""What a build remembers between runs, in out/.dokgen-*.cache, so unchanged input costs little.

Two caches, both keyed by content (SHA-256 of the bytes read now, never a time or a size)
and by dokgen's code stamp (its version, the Python version and the bytes of every file
of the dokgen package: the model, the checks, the shipped tables). A cache file that is
missing, truncated, corrupt, of another stamp or of another shape is ignored and written
again by the next build; it is never needed for a correct result.

- `RecordCache`: each validated record by its file's content, each logo that passed the
  logo checks by its content, and each template lint that passed by the templates' content
  and the shape of the context they were checked against. Loading a workspace then reads and hashes every record
  file but parses and validates only the changed ones. The cross-record checks still run
  on every load (they are fast and read everything).
- `BuildMemo`: what the last complete build of the whole workspace saw (a digest of every
  file under records/, templates/ and assets/, the options, the fonts the advice
  consulted) and said (its warnings and notes, every output with its input key). A build
  whose digest matches, and whose outputs the manifest finds unchanged on disk, is a
  no-op: it reports the same warnings and skips every output without loading a record.

Two more live in the user's cache folder (~/.cache/dokgen, beside the key that seals every
cache file), shared by all workspaces and processes, each file named by a digest of all it
depends on: Jinja's compiled code of a template's parts (`compiled_template`) and each logo
as images.clean_logo writes it (by its bytes and the installed Pillow).

Only `dokgen build` writes the files in out/ (atomically, through writer.atomic_write, under the
build lock); `dokgen check` writes nothing there. Pickle is used because validated records are
Python objects; the files live in out/, which only dokgen writes, and anyone who can write
there can write the records themselves.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__

# beside out/.dokgen-manifest.json: dokgen's own state, hidden like it
RECORDS_FILE = ".dokgen-records.cache"
MEMO_FILE = ".dokgen-memo.cache"
MAX_DIGESTED_BYTES = 64_000_000
WATCHED = ("records", "templates", "assets")  # what a whole-workspace build reads from the workspace


@functools.lru_cache(maxsize=1)
def code_stamp() -> str:
    """A digest of this dokgen: version, Python, and every file of the package."""
    h = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


SEAL = b"dokgen cache 1\n"


def user_folder() -> Path:
    """This user's cache folder for dokgen (made 0700 when a key or compiled template is written there)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dokgen"


@functools.lru_cache(maxsize=1)
def _user_key() -> bytes:
    """A secret of this user's: a cache file is unpickled only when this user's dokgen sealed it.

    Unpickling runs code, and out/ may be a shared folder: a cache file planted there (or
    one damaged into valid opcodes) must never be loaded. Without a writable place for the
    key, the key lives for this process only and caches are simply not reused.
    """
    folder = user_folder()
    path = folder / "cache-key"
    for _attempt in range(2):
        try:
            key = path.read_bytes()
            if len(key) == 32:
                return key
        except OSError:
            pass
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(32))
        except FileExistsError:
            continue  # another dokgen made it at the same moment: read theirs
        except OSError:
            break
    return os.urandom(32)


def seal(data: dict) -> bytes:
    """The bytes of a cache file: a marker, this user's HMAC of the payload, the payload."""
    import hmac

    payload = pickle.dumps({**data, "stamp": code_stamp()}, protocol=pickle.HIGHEST_PROTOCOL)
    return SEAL + hmac.new(_user_key(), payload, "sha256").digest() + payload


def unseal(raw: bytes) -> dict | None:
    """The content of a cache file this user's dokgen of this code stamp wrote; else None."""
    import hmac

    start = len(SEAL) + 32
    if not raw.startswith(SEAL) or not hmac.compare_digest(raw[len(SEAL):start], hmac.new(_user_key(), raw[start:], "sha256").digest()):
        return None  # damaged, planted, or written by another user: never unpickled
    try:
        data = pickle.loads(raw[start:])
    except Exception:  # sealed by a dokgen whose classes changed: start afresh
        return None
    return data if isinstance(data, dict) and data.get("stamp") == code_stamp() else None


def _load(path: Path) -> dict | None:
    """The cache file's content if it is one of ours, of this code stamp; else None."""
    from .files import MAX_STATE_BYTES, read_regular

    try:
        raw = read_regular(path, MAX_STATE_BYTES, "dokgen's cache")
    except OSError:  # missing, too large, not a file: start afresh
        return None
    return unseal(raw)


def _save(out_dir: Path, name: str, data: dict) -> None:
    """Write a cache file atomically; a cache that cannot be written is simply not written.

    Called under the build lock, after the writer has judged out/ usable (not a symbolic
    link, manifest readable); a symbolic link or anything but a file in the cache's place
    is left alone.
    """
    from .writer import atomic_write

    path = Path(out_dir) / name
    try:
        if Path(out_dir).is_symlink() or path.is_symlink() or (path.exists() and not path.is_file()):
            return
        atomic_write(path, seal(data), durable=False)
    except OSError:
        pass


# --- per user: compiled templates, cleaned logos ---------------------------------------------------

MAX_USER_FILES = 128  # files kept in each folder of the user's cache (a few per workspace, one per version of a file)


def load_user(folder: str, key: str) -> dict | None:
    """What keep_user stored under key (a digest of everything the content depends on), or None."""
    loaded = _load(user_folder() / folder / f"{key}.cache")
    return loaded if loaded is not None and loaded.get("key") == key else None


def keep_user(folder: str, key: str, data: dict) -> None:
    """Store data under key in the user's cache; past MAX_USER_FILES files the oldest half goes. Never fails."""
    from .writer import atomic_write

    path = user_folder() / folder / f"{key}.cache"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(path, seal({**data, "key": key}), durable=False)
        files = sorted(path.parent.glob("*.cache"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[: len(files) - MAX_USER_FILES // 2] if len(files) > MAX_USER_FILES else []:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def compiled_template(env: Any, source: str) -> Any:
    """env.from_string(source), with Jinja's compiled code kept between processes.

    Compiling the parts of the Word template is ~30 ms of every process that renders one;
    this is what Jinja's own bytecode cache does for loaded templates. The file is named by
    a digest of the source, the environment's settings, Jinja's version and dokgen's code
    stamp, sealed like the other caches, and ignored when damaged or planted.
    """
    import marshal
    import types

    import jinja2

    key = sha256(f"{code_stamp()}\0{jinja2.__version__}\0{_env_settings(env)}\0{source}".encode("utf-8", "surrogatepass"))
    loaded = load_user("jinja", key)
    code = None
    if loaded is not None and isinstance(loaded.get("code"), bytes):
        try:
            code = marshal.loads(loaded["code"])
        except (EOFError, ValueError, TypeError):
            code = None
    if not isinstance(code, types.CodeType):
        code = env.compile(source)  # raises what from_string raises for a bad template
        keep_user("jinja", key, {"code": marshal.dumps(code)})
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def _env_settings(env: Any) -> str:
    """What of a Jinja environment its compiled code depends on (dokgen's own code is in the stamp)."""
    autoescape = env.autoescape if isinstance(env.autoescape, bool) else getattr(env.autoescape, "__qualname__", "?")
    names = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string", "comment_start_string",
             "comment_end_string", "line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks",
             "newline_sequence", "keep_trailing_newline", "optimized", "is_async")
    return repr((type(env).__module__, type(env).__qualname__, autoescape, env.undefined.__qualname__, getattr(env.finalize, "__qualname__", None),
                 sorted(env.filters), sorted(env.tests), sorted(env.extensions), [getattr(env, n) for n in names]))


class RecordCache:
    """Validated records by (path, content digest); logos that passed the checks by digest.

    Each record is kept pickled on its own, so that saving after a one-record change
    re-encodes one record, not a thousand.
    """

    def __init__(self, out_dir: Path | None = None, seen: Seen | None = None):
        self.out_dir = out_dir
        self.seen = seen  # what the build's digest pass read (build.build), if it made one
        loaded = _load(Path(out_dir) / RECORDS_FILE) if out_dir is not None else None
        old_records = loaded.get("records") if loaded else None
        old_passed = loaded.get("passed") if loaded else None
        self.old: dict[str, tuple[str, bytes]] = old_records if isinstance(old_records, dict) else {}
        self.old_passed: set[str] = set(old_passed) if isinstance(old_passed, list) else set()
        self.new: dict[str, tuple[str, bytes]] = {}
        self.new_passed: set[str] = set()
        old_advice = loaded.get("advice") if loaded else None
        self.old_advice: dict[str, bytes] = old_advice if isinstance(old_advice, dict) else {}
        self.new_advice: dict[str, bytes] = {}
        self.hits = 0

    def record(self, rel: str, digest: str, kind: str, rec_id: str) -> Any | None:
        """The record validated earlier from exactly these bytes at this path, or None."""
        from .records import Record

        entry = self.old.get(rel)
        if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == digest and isinstance(entry[1], bytes)):
            return None
        try:
            rec = pickle.loads(entry[1])
        except Exception:
            return None
        if not (isinstance(rec, Record) and rec.kind == kind and rec.id == rec_id and rec.source == rel):
            return None
        self.hits += 1
        self.new[rel] = entry
        return rec

    def unchanged(self, rel: str, path: Path) -> str | None:
        """The digest the digest pass read for the record file at rel, if its status says it still holds those bytes."""
        import stat

        if self.seen is None:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        digest = self.seen.digest(rel, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)) if stat.S_ISREG(st.st_mode) else None
        return digest.hex() if digest is not None else None

    def keep(self, rel: str, digest: str, rec: Any) -> None:
        self.new[rel] = (digest, pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL))

    def digest(self, rel: str) -> str | None:
        """The content digest of the record file at rel as this load read it, or None."""
        entry = self.new.get(rel)
        return entry[0] if entry else None

    def digests(self) -> dict[str, bytes]:
        """The SHA-256 digest of every record file this load took a record from, by path."""
        return {rel: bytes.fromhex(entry[0]) for rel, entry in self.new.items()}

    def advice(self, key: str) -> list | None:
        """The warnings advice.PerMou checks gave before on input of this key, or None."""
        data = self.old_advice.get(key)
        if not isinstance(data, bytes):
            return None
        try:
            problems = pickle.loads(data)
        except Exception:
            return None
        if not isinstance(problems, list):
            return None
        self.new_advice[key] = data
        return problems

    def keep_advice(self, key: str, problems: list) -> None:
        self.new_advice[key] = pickle.dumps(problems, protocol=pickle.HIGHEST_PROTOCOL)

    def passed(self, check: str, digest: str) -> bool:
        """Whether the check (a logo's, the templates') passed before on input of this digest."""
        if f"{check}:{digest}" in self.old_passed:
            self.new_passed.add(f"{check}:{digest}")
            return True
        return False

    def keep_passed(self, check: str, digest: str) -> None:
        self.new_passed.add(f"{check}:{digest}")

    def save(self) -> None:
        """Write what this load validated (only records that exist now: the cache never grows stale)."""
        if self.out_dir is not None and (self.new != self.old or self.new_passed != self.old_passed or self.new_advice != self.old_advice):
            # a sorted list, not a set: the same build writes the same bytes whatever the hash seed
            _save(self.out_dir, RECORDS_FILE, {"records": self.new, "passed": sorted(self.new_passed), "advice": self.new_advice})


def templates_digest(root: Path, again: Seen | None = None) -> bytes | None:
    """A digest of every file under templates/ (a file unchanged since the `again` pass is not read again);
    None when something there is no regular file."""
    h = hashlib.sha256()
    return h.digest() if _digest_tree(Path(root) / "templates", "templates", h, again=again) else None


def lint_digest(templates: bytes, kinds: list[str], shapes: list[Any]) -> str:
    """What a template lint reads: every file under templates/ (templates_digest), the kinds and their context shapes."""
    return hashlib.sha256(code_stamp().encode() + templates + repr((kinds, shapes)).encode()).hexdigest()


# --- the whole-build memo -------------------------------------------------------------------------


# A file whose status changed this close before a digest pass may change again within the
# same timestamp tick (coarse on some file systems) without its status showing it: it is read again.
RACY_NS = 2_000_000_000


@dataclass
class Seen:
    """What one digest pass read: each file's status (inode, size, times) and content digest, and when.

    A later pass (build._remember: was the workspace edited during the build?) takes the
    digest of a file whose status is unchanged from here instead of reading it again: any
    write changes the status time (ctime, which no program can set back), unless it lands
    within a tick of the previous change, and such recent files are read again (file times
    and this clock agreeing within RACY_NS, as on a local disk).
    """

    started_ns: int = field(default_factory=time.time_ns)
    files: dict[str, tuple[tuple[int, int, int, int], bytes]] = field(default_factory=dict)

    def digest(self, sub: str, status: tuple[int, int, int, int]) -> bytes | None:
        hit = self.files.get(sub)
        return hit[1] if hit is not None and hit[0] == status and status[3] < self.started_ns - RACY_NS else None


def workspace_digest(root: Path, options_key: bytes, seen: Seen | None = None, again: Seen | None = None) -> str | None:
    """A digest of every file a whole build reads from the workspace, with the options.

    None when the workspace holds something the digest cannot vouch for (an unreadable or
    special file): such a build takes the full path, which reports it. With `seen`, what
    this pass read is noted there; with `again`, a file unchanged since that pass is not read.
    """
    h = hashlib.sha256(code_stamp().encode() + b"\0" + options_key + b"\0")
    root = Path(root)
    for top in WATCHED:
        if not _digest_tree(root / top, top, h, seen, again):
            return None
    # The register's advice (register.register_disagrees) reads the SQLite register: any write
    # to it changes the size or time of the database or its WAL, and the memo is not replayed.
    for name in ("register/dokgen-register.sqlite", "register/dokgen-register.sqlite-wal"):
        try:
            st = os.stat(root / name)
            h.update(f"register\0{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        except FileNotFoundError:
            h.update(f"absent\0{name}\0".encode())
        except OSError:
            return None
    return h.hexdigest()


def _digest_tree(folder: Path, rel: str, h: Any, seen: Seen | None = None, again: Seen | None = None) -> bool:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        h.update(f"absent\0{rel}\0".encode("utf-8", "surrogateescape"))
        return True
    except OSError:
        return False
    h.update(f"dir\0{rel}\0".encode("utf-8", "surrogateescape"))
    for entry in entries:
        sub = f"{rel}/{entry.name}"
        try:
            if entry.is_symlink():
                h.update(f"link\0{sub}\0{os.readlink(entry.path)}\0".encode("utf-8", "surrogateescape"))
                if entry.is_dir():
                    return False  # a linked folder: let the full path judge it
            if entry.is_dir(follow_symlinks=True):
                if not _digest_tree(Path(entry.path), sub, h, seen, again):
                    return False
            elif entry.is_file(follow_symlinks=True):
                st = entry.stat()
                if st.st_size > MAX_DIGESTED_BYTES:
                    return False  # far beyond any record, template or logo: the full path refuses it
                status = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                digest = again.digest(sub, status) if again is not None else None
                if digest is None:
                    with open(entry.path, "rb") as fh:
                        digest = hashlib.file_digest(fh, "sha256").digest()
                if seen is not None:
                    seen.files[sub] = (status, digest)
                h.update(f"file\0{sub}\0".encode("utf-8", "surrogateescape") + digest)
            else:
                return False  # a pipe, device or dangling link
        except OSError:
            return False
    return True


def font_identity(name: str) -> str:
    """Which file fontconfig gives for name now, with its size and time (the advice reads it)."""
    from .wordfont import font_file

    file = font_file(name)
    if file is None:
        return "none"
    try:
        st = os.stat(file)
    except OSError:
        return f"{file}\0gone"
    return f"{file}\0{st.st_size}\0{st.st_mtime_ns}"


@dataclass
class BuildMemo:
    """What a complete build of the whole workspace saw and said."""

    digest: str
    fonts: dict[str, str]  # font name -> font_identity when the build ran (the advice read that font)
    outputs: list[tuple[str, str]]  # (path under out/, input key), in plan order
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_memo(out_dir: Path) -> BuildMemo | None:
    loaded = _load(Path(out_dir) / MEMO_FILE)
    memo = loaded.get("memo") if loaded else None
    return memo if isinstance(memo, BuildMemo) else None


def save_memo(out_dir: Path, memo: BuildMemo) -> None:
    _save(out_dir, MEMO_FILE, {"memo": memo})
