"""Build a workspace: validate everything, plan the outputs, render what changed, write.

Plan, then work: every record and template is checked before anything is rendered, so
bad input leaves out/ exactly as it was. Each output has an input key (a hash of its
record, the records it references, its templates, the options and the dokgen version);
an output whose key and bytes are unchanged is skipped.
"""

from __future__ import annotations

import gc
import os
import pkgutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import __version__
from .errors import DokgenError, OutputError
from .i18n import _, language

if TYPE_CHECKING:  # records.py brings pydantic: imported when a workspace is loaded, not for a no-op build
    from concurrent.futures import Executor

    from .cache import BuildMemo, RecordCache, Seen
    from .executor import EarlyPool
    from .records import Record, Workspace


@dataclass(frozen=True)
class Options:
    """Build options; those that change output bytes are part of every input key."""

    pdf_variant: str | None = "pdf/a-3b"
    strict: bool = False

    def key_part(self) -> bytes:
        return f"pdf_variant={self.pdf_variant}".encode()


@dataclass
class Rendered:
    """What one record produced: files (path under out/ -> bytes) and warnings."""

    files: dict[str, bytes]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Producer:
    """How one record kind becomes files: the function, its outputs, its templates."""

    target: str  # "module:function", imported only when that kind is built
    outputs: tuple[str, ...]  # paths under out/, with {id}
    templates: tuple[str, ...]  # files or folders under templates/ that feed it
    seconds: float = 0.01  # rough render time of one record, to decide whether workers pay
    folder: str = ""  # records/<folder>/ holds this kind, counted before loading to start workers early
    imports: tuple[str, ...] = ()  # what a worker started early imports while the records are validated
    warm: str = ""  # "module:function(ws)" run before workers are forked: what they would each prepare, done once


PRODUCERS: dict[str, Producer] = {
    "mou": Producer("dokgen.render.docx:produce_mou", ("mou/{id}.docx",), ("docx/mou.docx",), 0.003, "mou",
                    ("dokgen.render.docx", "dokgen.render.docx_fast", "dokgen.context.mou", "docxtpl"), "dokgen.render.docx:prepare_mou"),
    "press": Producer("dokgen.render.press:produce_press", ("press/{id}.html", "press/{id}.md", "press/{id}.txt"), ("html/press.html", "markdown/press.md", "text/press.txt"), 0.005, "press",
                      ("dokgen.render.press", "dokgen.context.press")),
    "lab": Producer("dokgen.render.pdf:produce_lab_report", ("labs/{id}.pdf",), ("html/lab-report.html", "html/lab-report.css", "html/fonts"), 1.0, "labs",
                    ("dokgen.render.pdf", "dokgen.context.lab", "weasyprint")),
}
# Starting a worker process costs about 0.7 s (a fresh interpreter importing dokgen, docxtpl
# and WeasyPrint); below this much estimated work a build renders in-process instead.
WORKER_START_SECONDS = 0.7


def choose_workers(jobs: list[Job], requested: int | None) -> int:
    """Return how many worker processes to use: 1 (in-process) when they would not pay."""
    return _workers_for(sum(job.producer.seconds for job in jobs), requested)


def _workers_for(work: float, requested: int | None) -> int:
    if requested is not None:
        return requested
    return 1 if work < 2 * WORKER_START_SECONDS else (os.cpu_count() or 1)


def early_pool(root: Path, requested: int | None, clean: bool) -> EarlyPool | None:
    """Start the workers of a build that will render everything, before its records are validated.

    A spawned worker takes about a second to start and import the renderers, as long as
    validating 1,000 records; started first, the two overlap (issue 14, target 3). Only
    when every output will be rendered (--clean, or no manifest yet), since otherwise the
    records decide; the record files are counted, not read. Where workers can be forked
    (executor.start_method), they start at once after validation and no pool is started
    early, unless a renderer they need (WeasyPrint) must be imported after the fork: then
    early spawned workers import it while the records are validated.
    """
    from .manifest import MANIFEST_NAME

    if not clean and (root / "out" / MANIFEST_NAME).exists():
        return None
    work, imports = 0.0, ["dokgen.records", "dokgen.build"]
    for producer in PRODUCERS.values():
        try:
            count = sum(1 for p in (root / "records" / producer.folder).iterdir() if p.suffix in (".yaml", ".yml"))
        except OSError:
            continue
        if count:
            work += count * producer.seconds
            imports += producer.imports
    from .executor import FORK_UNSAFE, EarlyPool, start_method

    if start_method() == "fork" and not set(imports) & set(FORK_UNSAFE):
        return None  # forked after validation, workers start at once with what the parent has loaded
    workers = _workers_for(work, requested)
    if workers <= 1:
        return None
    return EarlyPool(workers, tuple(imports))


@dataclass(frozen=True)
class Job:
    """One record to render with its producer."""

    record: Record
    producer: Producer

    @property
    def outputs(self) -> list[str]:
        return [o.format(id=self.record.id) for o in self.producer.outputs]

    def run(self, ws: Workspace, options: Options) -> Rendered:
        from .limits import check_limits

        check_limits(self.record)
        produce: Callable[[Workspace, Record, Options], Rendered] = pkgutil.resolve_name(self.producer.target)
        return produce(ws, self.record, options)


@dataclass
class BuildReport:
    """What a build did, for the CLI to print and tests to check."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (edited file, where the new one went)
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # informational only (litter skipped); never an error
    checked: int = 0
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.failed:
            return 1
        return 3 if self.kept else 0

    def summary(self) -> dict:
        return {
            "built": len(self.written), "skipped": len(self.skipped), "kept": len(self.kept),
            "failed": len(self.failed), "warnings": len(self.warnings), "seconds": round(self.seconds, 3),
        }


# progress(done, total, record source, status, outputs) for the CLI's bar or lines
Progress = Callable[[int, int, str, str, list[str]], None]


def plan(ws: Workspace, selection: list[Path] | None = None) -> list[Job]:
    """List the records to render: all of them, or those that depend on the named files."""
    jobs = [Job(rec, PRODUCERS[rec.kind]) for rec in ws.records() if rec.kind in PRODUCERS]
    if not selection:
        return jobs
    wanted = {_source_of(ws, p) for p in selection}
    return [job for job in jobs if wanted & dependencies(ws, job.record)]


def dependencies(ws: Workspace, rec: Record) -> set[str]:
    """Return the workspace files (relative paths) that the outputs of rec are made from."""
    sources = {rec.source}
    m = rec.model
    if rec.kind == "party":
        if m.logo:
            sources.add(m.logo)
    elif rec.kind == "mou":
        for p in m.parties:
            sources |= dependencies(ws, ws.parties[p.party])
        if any(isinstance(s, str) for s in m.scopes):
            sources.add("records/scopes.yaml")
        if ws.regulations_doc is not None:  # the law the recitals cite or the basis generated
            sources.add(ws.regulations_doc.source)
    if rec.kind in ("mou", "lab") and m.verification and ws.register_doc is not None:
        sources.add(ws.register_doc.source)  # the QR holds the verification URL set there
    if rec.kind == "lab":
        for p in {m.host, m.organizer, *(f.institution for f in m.facilitators)}:
            sources |= dependencies(ws, ws.parties[p])
        if m.mou:
            sources |= dependencies(ws, ws.mou[m.mou])
    elif rec.kind == "press":
        sources |= dependencies(ws, ws.mou[m.mou])
        if m.lab:
            sources |= dependencies(ws, ws.labs[m.lab])
        for q in m.quotes:
            if isinstance(q.speaker, str):
                sources |= dependencies(ws, ws.parties[q.speaker])
    return sources


def _source_of(ws: Workspace, path: Path) -> str:
    resolved = Path(path).resolve() if Path(path).is_absolute() else (Path.cwd() / path).resolve()
    try:
        rel = resolved.relative_to(ws.root.resolve()).as_posix()
    except ValueError:
        rel = Path(path).as_posix()
    known = {r.source for r in ws.records()} | {"records/scopes.yaml", "records/regulations.yaml", "records/register.yaml"}
    if rel not in known:
        raise DokgenError(_("{path}: not a record of this workspace (records are files under {folder})").format(path=path, folder=ws.root / "records"))
    return rel


class InputKeys:
    """Compute input keys, reading each file once however many outputs share it."""

    def __init__(self, ws: Workspace, options: Options, files: dict[str, bytes] | None = None, digests: dict[str, bytes] | None = None):
        self.ws = ws
        self.options = options
        import hashlib

        # given: the digests of the record files as the records were loaded from them (RecordCache.digests:
        # each key names the bytes its record was made from, and they are not read again), and
        # files as an unsaved edit would make them; kept, like every file read, as digests
        self._files: dict[str, bytes] = {**(digests or {}), **{rel: hashlib.sha256(data).digest() for rel, data in (files or {}).items()}}
        self._entries: dict[str, list[str]] = {}  # a template folder is walked once, not per job

    def digest(self, rel: str) -> str:
        return self._read(rel).hex()

    def _read(self, rel: str) -> bytes:
        """The SHA-256 digest of a file the key names, read and hashed once per build."""
        if rel not in self._files:
            import hashlib

            from .files import MAX_TEMPLATE_BYTES, read_regular

            try:  # records were read already under their own cap; templates and fonts are capped here
                data = read_regular(self.ws.root / rel, MAX_TEMPLATE_BYTES)
            except OSError:
                data = b"<missing>"
            self._files[rel] = hashlib.sha256(data).digest()
        return self._files[rel]

    def _template_files(self, entry: str) -> list[str]:
        """Every file an entry reads: a folder's files, or a template with what it includes and links."""
        from .templates import template_dependencies

        if entry not in self._entries:
            path = self.ws.root / "templates" / entry
            if path.is_dir():
                self._entries[entry] = self._folder(path)
            else:
                found = template_dependencies(self.ws.root, entry)
                # None: an include named by an expression may read any file of templates/
                self._entries[entry] = sorted({f"templates/{entry}", *found}) if found is not None else self._folder(self.ws.root / "templates")
        return self._entries[entry]

    def _folder(self, path: Path) -> list[str]:
        return sorted(p.relative_to(self.ws.root).as_posix() for p in path.rglob("*") if p.is_file())

    def files(self, job: Job) -> set[str]:
        """Every workspace file the outputs of job are made from: records, logos, templates."""
        files = set(dependencies(self.ws, job.record))
        for entry in job.producer.templates:
            files.update(self._template_files(entry))
        return files

    def key(self, job: Job) -> str:
        import hashlib

        from .manifest import key_of_digests

        parts = [(rel, self._read(rel)) for rel in self.files(job)]
        parts += [("dokgen-version", hashlib.sha256(__version__.encode()).digest()), ("options", hashlib.sha256(self.options.key_part()).digest())]
        return key_of_digests(parts)


def check_templates(ws: Workspace, jobs: list[Job]) -> None:
    """Fail before rendering when a template a planned output needs is missing."""
    from .templates import template_path

    for producer in {job.producer for job in jobs}:
        for entry in producer.templates:
            # a file entry must be a regular file (not a folder in its place); folders (fonts) only need to exist
            if Path(entry).suffix or not (ws.root / "templates" / entry).is_dir():
                template_path(ws.root, entry)


def check(root: Path, options: Options = Options(), timeout: int | None = None) -> BuildReport:
    """Validate every record and render every output in memory (under a build's limits), writing nothing."""
    from .cache import RecordCache
    from .executor import JOB_TIMEOUT_S, run_one
    from .lint import raise_on_template_problems
    from .records import load_workspace

    cache = RecordCache(Path(root) / "out")  # read, never written: check writes nothing
    ws = load_workspace(root, cache)
    jobs = plan(ws)
    check_templates(ws, jobs)
    raise_on_template_problems(ws, {job.record.kind for job in jobs})  # lint before any render
    report = BuildReport(checked=len(jobs), warnings=record_warnings(ws, options, cache), notes=ws.notes)
    for i, job in enumerate(jobs):
        outcome = run_one(i, ws, job, options, timeout=timeout or JOB_TIMEOUT_S)  # the same limits as a build
        if outcome.error:
            report.failed.append(outcome.error)
        else:
            report.warnings += outcome.rendered.warnings
    _raise_on_failures(report, options)
    return report


def record_warnings(ws: Workspace, options: Options, cache: RecordCache | None = None) -> list[str]:
    """Return the workspace's advice as lines; with --strict, raise before anything renders."""
    from .advice import collect_warnings
    from .errors import WarningsAsErrors

    problems = collect_warnings(ws, cache)
    if options.strict and problems:
        raise WarningsAsErrors(problems)
    return [str(p) for p in problems]


def _raise_on_failures(report: BuildReport, options: Options) -> None:
    if report.failed:
        raise DokgenError("\n".join(report.failed))
    if options.strict and report.warnings:
        raise DokgenError(_("warnings are errors with --strict:") + "\n" + "\n".join(report.warnings))


def build(
    root: Path,
    selection: list[Path] | None = None,
    options: Options = Options(),
    *,
    jobs: int | None = None,
    clean: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    timeout: int | None = None,
    executor_factory: Callable[..., Executor] | None = None,
    kinds: set[str] | None = None,
) -> BuildReport:
    """Build the workspace at root into root/out and return what happened.

    Records that fail validation raise before anything is written. A failing render does
    not stop the others: it is listed in report.failed (exit status 1). Hand-edited
    outputs are kept and the new version goes beside them (report.kept, exit status 3).
    kinds limits the build to records of those kinds (`dokgen pdf` builds only MoU drafts).
    executor_factory(workers, ws, jobs, options, timeout) may return any
    concurrent.futures.Executor (a distributed one, say) to run the jobs instead of the
    default spawned process pool; see executor.make_pool.
    """
    from .cache import Seen, workspace_digest

    started = time.perf_counter()
    root = Path(root)
    out_dir = root / "out"
    # A build of the whole workspace whose every input is as the last one saw it, and whose
    # outputs are unchanged on disk, is answered from the memo (cache.py) without loading a record.
    seen = Seen()
    digest = workspace_digest(root, _memo_options(options), seen) if not (selection or kinds) else None
    if digest is not None and not clean:
        replayed = _replay(out_dir, digest, options, force)
        if replayed is not None:
            replayed.seconds = time.perf_counter() - started
            return replayed

    early = early_pool(root, jobs, clean) if executor_factory is None and not (selection or kinds) else None
    try:
        return _build(root, out_dir, started, (digest, seen), selection, kinds, options, jobs, clean, force, progress, timeout, executor_factory or early)
    finally:
        gc.unfreeze()  # frozen in _build: whatever the build made is collected as usual again
        if early is not None:
            early.close()  # not needed after all (nothing to render, bad input): its workers end now


def _build(root: Path, out_dir: Path, started: float, memo_digest: tuple[str | None, Seen], selection: list[Path] | None, kinds: set[str] | None, options: Options,
           jobs: int | None, clean: bool, force: bool, progress: Progress | None, timeout: int | None,
           executor_factory: Callable[..., Executor] | None) -> BuildReport:
    from .cache import BuildMemo, RecordCache
    from .executor import JOB_TIMEOUT_S, run_jobs
    from .lock import BuildLock
    from .records import collector_paused, load_workspace
    from .writer import Writer

    digest, seen = memo_digest
    cache = RecordCache(out_dir, seen)
    with collector_paused():
        ws = load_workspace(root, cache)
        # The records live until the build ends: frozen before the collector runs again, it
        # never walks them (0.04 s for the first pass over a thousand, 0.1 s for a full one).
        gc.freeze()  # build() unfreezes
    planned = [job for job in plan(ws, selection) if kinds is None or job.record.kind in kinds]
    check_templates(ws, planned)
    keys = InputKeys(ws, options, digests=cache.digests())  # each file the keys name read once, the lint's samples too
    _lint(ws, {job.record.kind for job in planned}, cache, keys)  # before anything is written
    report = BuildReport(warnings=record_warnings(ws, options, cache), notes=ws.notes)
    memo = BuildMemo(digest, _consulted_fonts(), [], list(report.warnings), list(ws.notes)) if digest is not None and _watched(ws) else None
    with BuildLock(out_dir):
        writer = Writer(out_dir, force=force)
        writer.remove_stale_temp_files()
        todo: list[tuple[Job, str]] = []
        for job in planned:
            key = keys.key(job)
            if memo is not None:
                memo.outputs += [(o, key) for o in job.outputs]
            if not clean and all(writer.is_fresh(o, key) for o in job.outputs):
                report.skipped += job.outputs
            else:
                todo.append((job, key))
        # an engine of its own (cluster.Cluster) says how many job slots it has
        workers = getattr(executor_factory, "workers", None) or choose_workers([j for j, _ in todo], jobs)
        engine = {"executor_factory": executor_factory} if executor_factory else {}
        outcomes = run_jobs(ws, [j for j, _ in todo], options, workers, timeout=timeout or JOB_TIMEOUT_S, **engine)
        try:
            done = 0
            for outcome in outcomes:
                job, key = todo[outcome.index]
                done += 1
                if outcome.error:
                    report.failed.append(outcome.error)
                    status = "failed"
                elif options.strict and outcome.rendered.warnings:
                    report.failed += [f"{w} (an error with --strict)" for w in outcome.rendered.warnings]
                    status = "failed"
                else:
                    report.warnings += outcome.rendered.warnings
                    status = _publish(writer, report, key, outcome.rendered)
                if progress:
                    progress(done, len(todo), job.record.source, status, [f"out/{o}" for o in job.outputs])
        finally:
            # On Ctrl-C the generator, and with it the worker pool, would otherwise live on in
            # the traceback until interpreter exit, which then waits for every worker.
            outcomes.close()
            try:
                writer.finish()
            except OutputError as exc:
                report.failed.append(str(exc))
        if not report.failed:  # out/ took every output: remember the validated records and what was said
            cache.save()
            if memo is not None:
                _remember(root, out_dir, memo, options, seen)
    report.seconds = time.perf_counter() - started
    return report


def _lint(ws: Workspace, kinds: set[str], cache: RecordCache, keys: InputKeys) -> None:
    """Lint the templates of these kinds, unless the same templates passed against the same context shapes.

    The shapes come from the contexts of a few sample records (lint.context_shape, ~60 ms
    for MoUs); when the samples and every file their contexts are made from are the bytes
    of a lint that passed, so are the shapes, and no context is built.
    """
    from .cache import lint_digest, templates_digest
    from .lint import context_shape, raise_on_template_problems, samples, shape_key

    tree = templates_digest(ws.root, cache.seen)
    if tree is None:  # something under templates/ no digest vouches for: lint every time
        raise_on_template_problems(ws, kinds)
        return
    ordered = sorted(kinds)
    sampled = lint_digest(tree, ordered, [[(rel, keys.digest(rel)) for rec_id in samples(ws, kind)
                                           for rel in sorted(dependencies(ws, ws.by_kind(kind)[rec_id]))] for kind in ordered])
    if cache.passed("lint-samples", sampled):
        return
    digest = lint_digest(tree, ordered, [shape_key(context_shape(ws, kind)) for kind in ordered])
    if not cache.passed("lint", digest):
        raise_on_template_problems(ws, kinds)
    cache.keep_passed("lint", digest)
    cache.keep_passed("lint-samples", sampled)


# --- the no-op build (cache.BuildMemo) ------------------------------------------------------------


def _memo_options(options: Options) -> bytes:
    # the memo replays the warnings as they were worded: a build in another language words them anew
    return options.key_part() + f";strict={options.strict};lang={language()}".encode()


def _consulted_fonts() -> dict[str, str]:
    """The system fonts the advice looked at (wordfont), each with the file it is now."""
    import sys

    from .cache import font_identity

    wordfont = sys.modules.get("dokgen.wordfont")
    return {name: font_identity(name) for name in sorted(wordfont.CONSULTED)} if wordfont else {}


def _replay(out_dir: Path, digest: str, options: Options, force: bool) -> BuildReport | None:
    """The report of a build that has nothing to do, from the memo; None if it has something to do."""
    from .cache import font_identity, load_memo
    from .lock import BuildLock
    from .writer import Writer

    memo = load_memo(out_dir)
    if memo is None or memo.digest != digest or any(font_identity(n) != seen for n, seen in memo.fonts.items()):
        return None
    if options.strict and memo.warnings:
        return None  # the full build says why it stops
    with BuildLock(out_dir):
        writer = Writer(out_dir, force=force)
        writer.remove_stale_temp_files()
        if not all(writer.is_fresh(o, key) for o, key in memo.outputs):
            return None  # an output was edited, deleted or replaced: the full build deals with it
        report = BuildReport(skipped=[o for o, _ in memo.outputs], warnings=list(memo.warnings), notes=list(memo.notes))
        try:
            writer.finish()
        except OutputError as exc:
            report.failed.append(str(exc))
    return report


def _watched(ws: Workspace) -> bool:
    """Whether every file the build reads lies in the folders the memo's digest covers (a logo may lie elsewhere)."""
    from .cache import WATCHED

    root = ws.root.resolve()
    for rec in ws.parties.values():
        if rec.model.logo is not None:
            try:
                if (ws.root / rec.model.logo).resolve().relative_to(root).parts[0] not in WATCHED:
                    return False
            except (ValueError, IndexError, OSError):
                return False
    return True


def _remember(root: Path, out_dir: Path, memo: BuildMemo, options: Options, seen: Seen) -> None:
    """Save the memo if the workspace is still what the build started from (no edit during it)."""
    from .cache import save_memo, workspace_digest

    if workspace_digest(root, _memo_options(options), again=seen) == memo.digest:
        save_memo(out_dir, memo)


def _publish(writer, report: BuildReport, key: str, rendered: Rendered) -> str:
    """Write each file of one record; a file that cannot be written fails alone."""
    status = "built"
    for relpath, data in rendered.files.items():
        try:
            where = writer.publish(relpath, key, data)
        except OutputError as exc:
            report.failed.append(str(exc))
            status = "failed"
            continue
        if where == relpath:
            report.written.append(f"out/{relpath}")
        else:
            report.kept.append((f"out/{relpath}", f"out/{where}"))
            status = "kept" if status == "built" else status
    return status
