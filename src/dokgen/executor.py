"""Run render jobs in worker processes behind the concurrent.futures.Executor interface.

On Linux, a build whose parent is still fork-safe (one thread, no WeasyPrint loaded) forks
its workers: they start in a few milliseconds with the parent's imports and its validated
workspace already in memory, where a spawned worker re-imports dokgen and unpickles the
workspace (about 0.7 s of CPU each, on cores the rendering needs). Anywhere else workers are
spawned: WeasyPrint's C libraries are not fork-safe, and a spawned worker starts from a clean
interpreter on every platform. Each worker receives the validated workspace once
(initializer), then renders jobs by index. Any Executor with the same interface (e.g. a
distributed one) can be passed in instead of the default pool.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
import pkgutil
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

from .limits import RENDER_SECONDS
from .i18n import DEFAULT, _, language, using

if TYPE_CHECKING:
    from .build import Job, Options, Rendered
    from .records import Workspace

JOB_TIMEOUT_S = RENDER_SECONDS  # a runaway record must not hold the whole batch hostage
WORKER_MEMORY_BYTES = 4 << 30  # address space per worker; a 40-page report needs ~150 MB

# Modules whose C libraries (GLib, Pango, fontconfig) must not be forked once loaded.
FORK_UNSAFE = ("weasyprint",)
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies

_state: dict = {}


def start_method() -> str:
    """'fork' when this process can safely fork its workers, else 'spawn'.

    Fork needs Linux (macOS's system libraries are not fork-safe), a single thread (another
    thread may hold a lock the child would inherit locked: serve, a Dask client) and none of
    FORK_UNSAFE imported.
    """
    if sys.platform != "linux" or threading.active_count() > 1 or any(name in sys.modules for name in FORK_UNSAFE):
        return "spawn"
    return "fork"


@dataclass
class Outcome:
    """The result of one job: rendered files or a message saying what failed."""

    index: int
    rendered: "Rendered | None" = None
    error: str | None = None


def init_worker(ws: "Workspace", jobs: "list[Job]", options: "Options", timeout: int, parent: int = 0) -> None:
    """Keep the workspace and job list in the worker, under a memory limit; the parent handles Ctrl-C."""
    _limit_worker(parent)
    _state.update(ws=ws, jobs=jobs, options=options, timeout=timeout)


def _limit_worker(parent: int = 0) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the CLI's handler; terminate() must end it
    if parent:
        _die_with(parent)
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > WORKER_MEMORY_BYTES:
            resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, hard))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the time limit still applies


def _die_with(parent: int) -> None:
    """End this worker when the build that started it is killed (Linux).

    A forked worker holds copies of the parent's files, the build lock's included, and of
    both ends of the pool's pipes, so it would never see the parent go; a spawned one would
    finish its chunk for nobody. The kernel ends either.
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def run_one(index: int, ws: "Workspace", job: "Job", options: "Options", timeout: int = JOB_TIMEOUT_S) -> Outcome:
    """Render one job under the render guard, turning any failure into a message (never an exception)."""
    from .errors import DokgenError, TemplateProblem
    from .limits import RENDER_MEMORY_BYTES, RenderTimeout, render_guard

    try:
        with render_guard(timeout, RENDER_MEMORY_BYTES):
            return Outcome(index, rendered=job.run(ws, options))
    except RenderTimeout as exc:
        return Outcome(index, error=_("{where}: rendering {source} took longer than {seconds} s and was stopped").format(
            where=_where(exc, ws, job), source=job.record.source, seconds=timeout))
    except MemoryError as exc:
        return Outcome(index, error=_("{where}: rendering {source} needed more than {megabytes} MB of memory and was stopped").format(
            where=_where(exc, ws, job), source=job.record.source, megabytes=RENDER_MEMORY_BYTES >> 20))
    except DokgenError as exc:
        where = "" if exc.location is not None else f"{job.record.source}: "  # located errors name the file
        also = _(" (while rendering {source})").format(source=job.record.source) if isinstance(exc, TemplateProblem) and exc.location is not None else ""
        return Outcome(index, error=f"{where}{exc}{also}")
    except Exception as exc:  # a bug in dokgen or a library: report it, keep the batch going
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return Outcome(index, error=_("{source}: internal error {error} (at {place}); please report it").format(
            source=job.record.source, error=f"{type(exc).__name__}: {exc}", place=f"{last.filename}:{last.lineno}"))


def _where(exc: BaseException, ws: "Workspace", job: "Job") -> str:
    """The template line a runaway render was stopped at (or its main template)."""
    from .templates import template_location

    return str(template_location(exc, ws.root, f"templates/{job.producer.templates[0]}"))


def run_chunk(indices: list[int], language: str = DEFAULT) -> list[Outcome]:
    """Worker entry point: render the jobs with these indices, speaking the parent's language."""
    if "ws" not in _state:  # a worker started early: its workspace waits in the hand-over queue
        _state.update(zip(("ws", "jobs", "options", "timeout"), pickle.loads(_state.pop("handover").get())))
    ws, jobs, options, timeout = _state["ws"], _state["jobs"], _state["options"], _state["timeout"]
    with using(language):  # a spawned worker starts in English; the build's messages follow the parent
        return [run_one(i, ws, jobs[i], options, timeout) for i in indices]


def make_pool(workers: int, ws: "Workspace", jobs: "list[Job]", options: "Options", timeout: int) -> Executor:
    """Return a process pool primed with the workspace: forked where safe (start_method), else spawned."""
    method = start_method()
    if method == "fork":  # imported and prepared once here rather than once per worker
        producers = {job.producer for job in jobs}
        import_all(sorted({name for p in producers for name in p.imports} - set(FORK_UNSAFE)))
        for warm in sorted({p.warm for p in producers if p.warm}):
            pkgutil.resolve_name(warm)(ws)
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=init_worker,
        initargs=(ws, jobs, options, timeout, os.getpid()),
    )


def warm_worker(imports: tuple[str, ...], handover, parent: int = 0) -> None:
    """Initializer of an early worker: import the renderers now; the workspace comes later."""
    _limit_worker(parent)
    _state["handover"] = handover
    import_all(imports)


def import_all(names) -> None:
    """Import these modules now, not in the first job's time limit; WeasyPrint the quick way (render/weasy.py)."""
    for name in names:
        try:
            if name == "weasyprint":
                from .render.weasy import load

                load()
            else:
                importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that cannot load says so when a job needs it
            pass


class EarlyPool:
    """A spawned pool started before the workspace is validated, handed the workspace when it is.

    Starting a spawned worker costs about 0.4 s of the parent's time when its start-up
    arguments hold the workspace (the parent waits while the worker imports and reads
    them) and a second until it renders. Started with only a queue, it costs the parent
    a fork; the workers import the renderers while the parent validates. Calling the pool
    with executor_factory's arguments pickles the workspace once and puts it in the queue,
    once per worker: each takes one copy before its first chunk.
    """

    def __init__(self, workers: int, imports: tuple[str, ...]):
        context = multiprocessing.get_context("spawn")
        self.workers = workers
        self._handover = context.Queue()
        self._handed = False
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=warm_worker, initargs=(imports, self._handover, os.getpid()))
        for _ in range(workers):  # a spawned pool starts a worker per submitted task, up to max_workers
            self.pool.submit(int)
        self._spawned = list((self.pool._processes or {}).values())  # the pool forgets them on shutdown

    def __call__(self, workers: int, ws: "Workspace", jobs: "list[Job]", options: "Options", timeout: int) -> Executor:
        data = pickle.dumps((ws, jobs, options, timeout), protocol=pickle.HIGHEST_PROTOCOL)
        for _ in range(self.workers):
            self._handover.put(data)
        self._handed = True
        return self.pool

    def close(self) -> None:
        """End the workers if no build used them (or after one did) and let go of the queue."""
        if not self._handed:
            stop_workers(self.pool, [])
        else:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self._handover.cancel_join_thread()  # a worker that died never took its copy: do not wait for it
        self._handover.close()
        end_processes(self._spawned)  # none outlives the build, however shutdown raced with start-up


def run_jobs(
    ws: "Workspace",
    jobs: "list[Job]",
    options: "Options",
    workers: int,
    executor_factory: Callable[..., Executor] = make_pool,
    timeout: int = JOB_TIMEOUT_S,
) -> Iterator[Outcome]:
    """Yield an Outcome per job as they finish; in-process when one worker suffices."""
    if not jobs or (executor_factory is make_pool and (workers <= 1 or len(jobs) <= 1)):  # a cluster renders even one job
        for i, job in enumerate(jobs):
            yield run_one(i, ws, job, options, timeout)
        return
    workers = min(workers, len(jobs))
    # Chunks amortise the cost of a round trip for fast jobs (a Word draft takes ~1 ms)
    # while leaving enough chunks to balance slow ones (a PDF report takes ~0.5 s).
    size = max(1, min(32, len(jobs) // (workers * 8)))
    chunks = [list(range(i, min(i + size, len(jobs)))) for i in range(0, len(jobs), size)]
    with executor_factory(workers, ws, jobs, options, timeout) as pool:
        futures: list[Future] = []
        try:
            futures += [pool.submit(run_chunk, chunk, language()) for chunk in chunks]
            for future, chunk in zip(futures, chunks):
                try:
                    yield from future.result(timeout=timeout * len(chunk) + 60)
                except Exception as exc:  # the worker died (killed, out of memory) or hung
                    for i in chunk:
                        yield Outcome(i, error=_("{source}: worker failed ({error})").format(source=jobs[i].record.source, error=f"{type(exc).__name__}: {exc}"))
        except BaseException:  # Ctrl-C, SIGTERM, or the caller closing us: stop the workers now
            stop_workers(pool, futures)
            raise


def stop_workers(pool: Executor, futures: list[Future], grace: float = 2.0) -> None:
    """Cancel what has not started and end the worker processes, so that none outlives the build.

    Workers ignore SIGINT (the parent decides), so without this a Ctrl-C waits for every
    running chunk, and a SIGTERM to the parent leaves them rendering for nobody.
    """
    for future in futures:
        future.cancel()
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    end_processes(processes, grace)


def end_processes(processes: list, grace: float = 2.0) -> None:
    """Wait up to grace for each process to end, then kill it: none is left behind."""
    for process in processes:
        process.join(grace)
        if process.is_alive():
            process.kill()
            process.join(grace)
        # The pool's own thread may have reaped it first: then join returns before that thread
        # has noted the exit, and the process still looks alive for a moment. Let it note it.
        deadline = time.monotonic() + grace
        while process.exitcode is None and time.monotonic() < deadline:
            time.sleep(0.002)
