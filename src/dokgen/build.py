"""Build a workspace: load and validate everything, render every output, then write.

Nothing touches out/ until every record is valid and every document has rendered, so a
failed build leaves out/ exactly as it was.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import DokgenError, TemplateProblem
from .records import Record, Workspace, load_workspace


@dataclass(frozen=True)
class Options:
    """Build options that change output bytes (part of what identifies an output)."""

    pdf_variant: str | None = "pdf/a-3b"
    strict: bool = False


@dataclass
class Rendered:
    """What one record produced: files (path under out/ -> bytes) and warnings."""

    files: dict[str, bytes]
    warnings: list[str] = field(default_factory=list)


Producer = Callable[[Workspace, Record, Options], Rendered]

# Record kind -> the producer that renders it, imported only when that kind is built so
# that a Word-only build never loads WeasyPrint.
PRODUCERS: dict[str, str] = {
    "mou": "dokgen.render.docx:produce_mou",
}


@dataclass(frozen=True)
class Job:
    """One record to render with its producer."""

    record: Record
    producer: str

    def run(self, ws: Workspace, options: Options) -> Rendered:
        module, name = self.producer.split(":")
        produce: Producer = getattr(importlib.import_module(module), name)
        return produce(ws, self.record, options)


@dataclass
class BuildReport:
    """What a build did, for the CLI to print and tests to check."""

    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: int = 0


def template_path(ws: Workspace, relpath: str) -> Path:
    """Return an existing template file of the workspace, or say where it was looked for."""
    path = ws.root / "templates" / relpath
    if not path.is_file():
        raise TemplateProblem(f"template templates/{relpath} not found in workspace {ws.root}; `dokgen init` writes the default templates")
    return path


def plan(ws: Workspace, selection: list[Path] | None = None) -> list[Job]:
    """List the records to render: all of them, or those that depend on the named files."""
    jobs = [Job(rec, PRODUCERS[rec.kind]) for rec in ws.records() if rec.kind in PRODUCERS]
    if not selection:
        return jobs
    wanted = {_source_of(ws, p) for p in selection}
    return [job for job in jobs if wanted & dependencies(ws, job.record)]


def dependencies(ws: Workspace, rec: Record) -> set[str]:
    """Return the source files (relative paths) that the outputs of rec are made from."""
    sources = {rec.source}
    m = rec.model
    if rec.kind == "mou":
        sources |= {ws.parties[p.party].source for p in m.parties}
        if any(isinstance(s, str) for s in m.scopes):
            sources.add("records/scopes.yaml")
    elif rec.kind == "lab":
        sources |= {ws.parties[p].source for p in (m.host, m.organizer, *(f.institution for f in m.facilitators))}
        if m.mou:
            sources |= dependencies(ws, ws.mou[m.mou])
    elif rec.kind == "press":
        sources |= dependencies(ws, ws.mou[m.mou])
        if m.lab:
            sources |= dependencies(ws, ws.labs[m.lab])
        sources |= {ws.parties[q.speaker].source for q in m.quotes if isinstance(q.speaker, str)}
    return sources


def _source_of(ws: Workspace, path: Path) -> str:
    resolved = Path(path).resolve() if Path(path).is_absolute() else (Path.cwd() / path).resolve()
    try:
        rel = resolved.relative_to(ws.root.resolve()).as_posix()
    except ValueError:
        rel = Path(path).as_posix()
    known = {r.source for r in ws.records()} | {"records/scopes.yaml"}
    if rel not in known:
        raise DokgenError(f"{path}: not a record of this workspace (records are files under {ws.root / 'records'})")
    return rel


def render_all(ws: Workspace, jobs: list[Job], options: Options) -> tuple[dict[str, bytes], list[str]]:
    """Render every job in memory; refuse two records claiming one output path."""
    files: dict[str, bytes] = {}
    warnings: list[str] = []
    for job in jobs:
        result = job.run(ws, options)
        for relpath, data in result.files.items():
            if relpath in files:
                raise DokgenError(f"two records would write out/{relpath}", field=job.record.source)
            files[relpath] = data
        warnings += result.warnings
    if options.strict and warnings:
        raise DokgenError("warnings are errors with --strict:\n" + "\n".join(warnings))
    return files, warnings


def check(root: Path, options: Options = Options()) -> BuildReport:
    """Validate every record and render every output in memory, writing nothing."""
    ws = load_workspace(root)
    jobs = plan(ws)
    _, warnings = render_all(ws, jobs, options)
    return BuildReport(warnings=warnings, checked=len(jobs))


def build(root: Path, selection: list[Path] | None = None, options: Options = Options()) -> BuildReport:
    """Build the workspace at root into root/out; return what was written."""
    from .writer import Writer

    ws = load_workspace(root)
    files, warnings = render_all(ws, plan(ws, selection), options)
    writer = Writer(Path(root) / "out")
    report = BuildReport(warnings=warnings)
    for relpath, data in files.items():
        writer.write(relpath, data)
        report.written.append(f"out/{relpath}")
    return report
