"""Render a build's jobs on a Dask cluster: `dokgen build --scheduler tcp://HOST:PORT`.

The build itself stays here on the client: validation, planning, input keys, the lock and
the one writer of out/. Only rendering moves. A job therefore carries what it needs and
never a path on this machine: the validated records it references travel with its chunk;
the template, font and logo files (by content hash) and the workspace-wide tables travel
once per worker as one scattered Bundle, which each worker lays out as a workspace of its
own in its local directory. Rendered bytes come back and the local writer writes them, so
manifest, hand-edit protection and exit statuses are those of a local build, and the bytes
are the same when workers run the same dokgen and libraries (checked on connecting).

Dask runs tasks in threads, where the render guard's SIGALRM deadline cannot work, and a
memory ceiling would be process-wide. So each worker thread hands its jobs to a job slot:
a long-lived child process (`serve_slot`) that renders on its main thread under exactly
the local limits (executor.run_one). A slot that does not answer within the limit plus a
grace period is killed and its job reported, with the record named.

Nothing here imports Dask at module level: this module is imported only with --scheduler,
and the job slots (which import it) must not pay for Dask.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import DokgenError
from .i18n import DEFAULT, N_, _, language, ngettext, using

if TYPE_CHECKING:
    from .build import Job, Options
    from .executor import Outcome
    from .records import Record, Workspace

CONNECT_SECONDS = 10  # a scheduler across a slow network answers well within this
WORKERS_SECONDS = 30  # how long a cluster without workers is given to get one
HANG_GRACE_SECONDS = 20  # beyond --timeout (and a slot's start-up) before a silent slot is killed
# The libraries whose versions shape the output bytes: a worker must have the same as the client.
BYTE_SHAPERS = ("docxtpl", "python-docx", "lxml", "jinja2", "weasyprint", "pydyf", "fonttools", "pillow", "babel")
SHARED_FIELDS = ("scopes", "scopes_doc", "regulations", "regulations_doc")


# --- the client side ------------------------------------------------------------------------------


def connect(address: str) -> "Cluster":
    """Connect to the scheduler at address; a DokgenError naming it when that is not possible."""
    _probe(address)
    try:
        from distributed import Client
    except ImportError:
        raise DokgenError(_("building on a Dask cluster needs Dask's distributed package: pip install 'dokgen[dask]'")) from None
    import logging

    # Dask's own log lines (a lost worker, a retried task) are not for clerks: dokgen names
    # what failed itself. Errors still show.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        raise DokgenError(_("cannot reach the Dask scheduler at {address}: {reason}; nothing was built").format(address=address, reason=exc)) from None
    try:
        try:
            client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:  # distributed.WorkerStartTimeoutError
            raise DokgenError(_("the Dask scheduler at {address} has no workers (waited {seconds} s); start some with `dask worker {address}`; nothing was built").format(
                address=address, seconds=WORKERS_SECONDS)) from None
        _check_workers(client, address)
    except BaseException:
        client.close()
        raise
    return Cluster(client, address)


# The system's words for why a connection failed are English (Python leaves LC_MESSAGES alone);
# the usual ones, in the user's language. The msgids are the C library's own wording.
_REFUSALS = {errno.ECONNREFUSED: N_("Connection refused"), errno.EHOSTUNREACH: N_("No route to host"),
             errno.ENETUNREACH: N_("Network is unreachable"), errno.ETIMEDOUT: N_("Connection timed out"),
             socket.EAI_NONAME: N_("Name or service not known")}


def _probe(address: str) -> None:
    """Fail at once on a refused or unresolvable tcp:// address (Dask would retry for CONNECT_SECONDS)."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return  # tls://, ucx://, inproc://: left to Dask
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise DokgenError(_("cannot use the Dask scheduler address {address}: give it as tcp://HOST:PORT (the scheduler's port is 8786 by default); nothing was built").format(address=address))
    try:
        socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        code = errno.ETIMEDOUT if isinstance(exc, TimeoutError) else exc.errno  # socket's timeout carries no errno
        reason = _(_REFUSALS[code]) if code in _REFUSALS else exc.strerror or type(exc).__name__
        raise DokgenError(_("cannot reach the Dask scheduler at {address}: {reason}; is `dask scheduler` running there and port {port} open? nothing was built").format(
            address=address, reason=reason, port=port)) from None


def _check_workers(client: Any, address: str) -> None:
    """Refuse workers whose dokgen or rendering libraries differ from ours: their bytes would differ."""
    mine = identity()
    try:
        found = client.run(identity)
    except Exception as exc:  # e.g. ModuleNotFoundError: dokgen is not installed there
        raise DokgenError(_("a Dask worker of the scheduler at {address} cannot run dokgen ({reason}); "
                            "install the same dokgen on every worker: pip install 'dokgen[dask]'; nothing was built").format(
            address=address, reason=f"{type(exc).__name__}: {exc}")) from None
    for worker, theirs in sorted(found.items()):
        for what in mine:
            if theirs.get(what) != mine[what]:
                raise DokgenError(_(
                    "the Dask worker {worker} (scheduler {address}) has {what} {theirs}, this machine {mine}: its documents "
                    "would differ from a local build; install the same dokgen and libraries on every worker "
                    "(pip install 'dokgen[dask]'); nothing was built").format(
                    worker=worker, address=address, what=what, theirs=theirs.get(what) or _("missing"), mine=mine[what]))


@functools.lru_cache(maxsize=1)  # looking up package metadata takes milliseconds: once per process
def identity() -> dict[str, str]:
    """What decides the rendered bytes besides the inputs: Python, dokgen's code, the rendering libraries."""
    import platform
    from importlib import metadata

    from . import __version__

    found = {"Python": platform.python_version(), "dokgen": f"{__version__} ({_package_digest()[:12]})"}
    for name in BYTE_SHAPERS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = ""
    return found


def _package_digest() -> str:
    """The dokgen package's Python files and data by content (an edited checkout differs from a release)."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and "_workspace" not in path.parts:
            h.update(f"{path.relative_to(package).as_posix()}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()


class Cluster:
    """A connection to a Dask scheduler; called as build.build's executor_factory."""

    def __init__(self, client: Any, address: str):
        self.client = client
        self.address = address

    @property
    def workers(self) -> int:
        """Job slots in the cluster now (worker threads): how finely build's chunks are cut."""
        return max(1, sum(self.client.nthreads().values()))

    def __call__(self, workers: int, ws: "Workspace", jobs: "list[Job]", options: "Options", timeout: int) -> "ClusterExecutor":
        return ClusterExecutor(self.client, ws, jobs, options, timeout)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Bundle:
    """What every job of one build shares, sent once per worker: files by content, the shared tables."""

    digest: str  # of the files: names the worker's copy of the workspace
    files: dict[str, bytes]  # workspace-relative path -> bytes (templates, fonts, logos)
    shared: dict[str, Any]  # Workspace fields every record may consult (SHARED_FIELDS)
    identity: dict[str, str]


def make_bundle(ws: "Workspace", jobs: "list[Job]", options: "Options") -> Bundle:
    """Collect the files the jobs' outputs are made from (what their input keys cover) but the records."""
    from .build import InputKeys
    from .files import MAX_LOGO_BYTES, MAX_TEMPLATE_BYTES, read_regular

    keys = InputKeys(ws, options)
    wanted = sorted({rel for job in jobs for rel in keys.files(job) if not rel.startswith("records/")})
    files: dict[str, bytes] = {}
    for rel in wanted:
        try:  # a file that cannot be read is left out: the render says so, as it would locally
            files[rel] = read_regular(ws.root / rel, MAX_TEMPLATE_BYTES if rel.startswith("templates/") else MAX_LOGO_BYTES)
        except OSError:
            continue
    h = hashlib.sha256()
    for rel, data in files.items():
        h.update(f"{rel}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    return Bundle(h.hexdigest(), files, {f: getattr(ws, f) for f in SHARED_FIELDS}, identity())


class WorkerLost(Exception):
    """The Dask workers running a chunk died, more often than the scheduler retries."""


class ClusterExecutor(Executor):
    """Run executor.run_chunk(indices) on the cluster, each chunk carrying its own records.

    The local pool gives its workers the whole workspace once (executor.init_worker); here
    submit() turns the indices into a self-contained task instead.
    """

    def __init__(self, client: Any, ws: "Workspace", jobs: "list[Job]", options: "Options", timeout: int):
        self.client = client
        self.ws, self.jobs, self.options, self.timeout = ws, jobs, options, timeout
        self.by_source = {rec.source: rec for rec in ws.records()}
        client.run(warm_slots, wait=False)  # job slots import dokgen while the first chunks travel
        bundle = make_bundle(ws, jobs, options)
        self.bundle = client.scatter(bundle, broadcast=True, hash=False)
        self.build_id = uuid.uuid4().hex[:12]
        self.pending: list[Any] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        from .executor import run_chunk

        if fn is not run_chunk or kwargs or len(args) > 2:
            raise TypeError("the cluster executor runs dokgen's render chunks only")
        indices: list[int] = list(args[0])
        payload = self.payload(indices)
        task = self.client.submit(
            render_chunk, self.bundle, payload, self.options, self.timeout, *args[1:],
            key=f"dokgen-render-{self.build_id}-{indices[0]}", pure=False, retries=1,
        )
        self.pending.append(task)
        return _bridge(task)

    def payload(self, indices: list[int]) -> tuple[dict[int, "Job"], dict[str, dict[str, "Record"]]]:
        """The chunk's jobs and every validated record they reference (their input keys' records)."""
        from .build import dependencies

        jobs = {i: self.jobs[i] for i in indices}
        records: dict[str, dict[str, Record]] = {"parties": {}, "mou": {}, "labs": {}, "press": {}}
        field = {"party": "parties", "mou": "mou", "lab": "labs", "press": "press"}
        for job in jobs.values():
            for source in dependencies(self.ws, job.record):
                rec = self.by_source.get(source)
                if rec is not None and rec.kind in field:
                    records[field[rec.kind]][rec.id] = rec
        return jobs, records

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures or not wait:
            self.client.cancel(self.pending, force=True)
        self.pending.clear()
        self.bundle = None  # released: the workers drop their copy


def _bridge(task: Any) -> Future:
    """A concurrent.futures.Future for a Dask future, with the cluster's failures explained."""
    future: Future = Future()

    def done(task: Any) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = task.result()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who names the records
            future.set_exception(_explained(exc))
        else:
            future.set_result(result)

    task.add_done_callback(done)
    return future


def _explained(exc: BaseException) -> BaseException:
    last = getattr(exc, "last_worker", None)
    if type(exc).__name__ == "KilledWorker":
        where = getattr(last, "address", None) or "a worker"
        tries = getattr(exc, "allowed_failures", 0) + 1
        return WorkerLost(ngettext("the Dask worker rendering it died ({tries} attempt, the last on {where})",
                                    "the Dask worker rendering it died ({tries} attempts, the last on {where})", tries).format(tries=tries, where=where))
    return exc


# --- the worker side ------------------------------------------------------------------------------

_lock = threading.Lock()
_trees: dict[str, Path] = {}
_idle_slots: list["Slot"] = []


def render_chunk(bundle: Bundle, payload: tuple, options: "Options", timeout: int, language: str = DEFAULT) -> "list[Outcome]":
    """The Dask task: render one chunk in a job slot, against this worker's copy of the files, in the client's language."""
    with using(language):
        return _render_chunk(bundle, payload, options, timeout)


def _render_chunk(bundle: Bundle, payload: tuple, options: "Options", timeout: int) -> "list[Outcome]":
    mine = identity()
    if mine != bundle.identity:  # a worker that joined after the connection's check
        differ = ", ".join(f"{k} {mine.get(k)} (client {v})" for k, v in bundle.identity.items() if mine.get(k) != v)
        raise DokgenError(_("this worker differs from the client: {differ}; install the same dokgen and libraries").format(differ=differ))
    from .records import Workspace

    jobs, records = payload
    ws = Workspace(_workspace_copy(bundle), **records, **bundle.shared)
    slot = _take_slot()
    try:
        return slot.render(ws, jobs, options, timeout)
    finally:
        _give_back(slot)


def _workspace_copy(bundle: Bundle) -> Path:
    """Lay the bundle's files out once per worker as a workspace folder (no records: they travel as objects)."""
    with _lock:
        root = _trees.get(bundle.digest)
        if root is not None and root.is_dir():
            return root
        base = _local_directory() / "dokgen"
        root = base / f"ws-{bundle.digest[:32]}"
        if not root.is_dir():
            staging = base / f".tmp-{uuid.uuid4().hex}"
            for rel, data in bundle.files.items():
                parts = PurePosixPath(rel).parts
                if PurePosixPath(rel).is_absolute() or ".." in parts or parts[0] not in ("templates", "assets", "records"):
                    raise DokgenError(_("refusing the bundle file {path}: not a plain workspace path").format(path=repr(rel)))
                path = staging.joinpath(*parts)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            (staging / "templates").mkdir(parents=True, exist_ok=True)  # a workspace even when no file is needed
            try:
                staging.rename(root)
            except OSError:  # another worker process on this machine laid it out first
                import shutil

                shutil.rmtree(staging, ignore_errors=True)
        _trees[bundle.digest] = root
        return root


def _local_directory() -> Path:
    try:
        from distributed import get_worker

        return Path(get_worker().local_directory)
    except (ImportError, ValueError, AttributeError):
        import tempfile

        return Path(tempfile.gettempdir())


async def warm_slots(dask_worker: Any = None) -> int:
    """Start one job slot per worker thread ahead of the first chunk; returns how many are idle.

    A coroutine because Client.run(wait=False) takes only those; starting a process is quick."""
    wanted = getattr(getattr(dask_worker, "state", None), "nthreads", None) or 1
    with _lock:
        while len(_idle_slots) < wanted:
            _idle_slots.append(Slot())
        return len(_idle_slots)


def _take_slot() -> "Slot":
    with _lock:
        while _idle_slots:
            slot = _idle_slots.pop()
            if slot.alive():
                return slot
    return Slot()


def _give_back(slot: "Slot") -> None:
    if slot.alive():
        with _lock:
            _idle_slots.append(slot)


class Slot:
    """One child process that renders jobs on its main thread, under the local render guard."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from dokgen.cluster import serve_slot; serve_slot()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def end(self) -> None:
        if self.alive():
            self.proc.kill()
        self.proc.wait()

    def render(self, ws: "Workspace", jobs: "dict[int, Job]", options: "Options", timeout: int) -> "list[Outcome]":
        """Render jobs in order; a slot that hangs or dies costs its current job only."""
        from .executor import Outcome

        outcomes: list[Outcome] = []
        todo = list(jobs)
        while todo:
            if not self.alive():
                self.__init__()  # a fresh slot for the jobs after a lost one
            _send(self.proc.stdin, (ws, {i: jobs[i] for i in todo}, options, timeout, todo, language()))
            while todo:
                i = todo[0]
                source = jobs[i].record.source
                try:
                    outcome = _receive(self.proc.stdout, time.monotonic() + timeout + HANG_GRACE_SECONDS)
                except TimeoutError:
                    self.end()
                    outcome = Outcome(i, error=_("{source}: rendering {source} took longer than {seconds} s and was stopped (its job slot on the Dask worker did not answer and was ended)").format(
                        source=source, seconds=timeout))
                except EOFError:
                    code = self.proc.wait()
                    outcome = Outcome(i, error=_("{source}: the process rendering it on the Dask worker ended unexpectedly ({how})").format(source=source, how=_ended(code)))
                outcomes.append(outcome)
                todo.pop(0)
                if not self.alive():
                    break
        return outcomes


def _ended(code: int) -> str:
    return _("killed by {signal}").format(signal=signal.Signals(-code).name) if code < 0 else _("exit status {code}").format(code=code)


def _send(stream: Any, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("!Q", len(data)))
    view = memoryview(data)
    while view:
        written = stream.write(view)
        view = view[written:]
    stream.flush()


def _receive(stream: Any, deadline: float) -> Any:
    """Read one message, or raise TimeoutError at deadline (EOFError when the other side is gone)."""
    fd = stream.fileno()

    def read(n: int) -> bytes:
        chunks = []
        while n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    (size,) = struct.unpack("!Q", read(8))
    return pickle.loads(read(size))


def serve_slot() -> None:
    """A job slot's main loop: read a chunk, answer one Outcome per job, until the worker goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when we stop
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a library printing to stdout must not corrupt the answers
    from .executor import import_all, init_worker, run_one

    import_all(("dokgen.render.docx", "dokgen.render.press", "dokgen.render.pdf", "weasyprint"))  # once, not in the first job's time limit
    while True:
        header = requests.read(8)
        if len(header) < 8:
            return  # the worker ended or dropped this slot
        ws, jobs, options, timeout, indices, code = pickle.loads(requests.read(struct.unpack("!Q", header)[0]))
        init_worker(ws, jobs, options, timeout)  # the local workers' memory ceiling
        with using(code):  # the messages of the build's client, as the local workers do
            for i in indices:
                _send(answers, run_one(i, ws, jobs[i], options, timeout))
