"""Build a workspace: load and validate everything, render every output, then write.

Nothing touches out/ until every record is valid and every document has rendered, so a
failed build leaves out/ exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import DokgenError, TemplateProblem
from .records import Record, Workspace, load_workspace


@dataclass(frozen=True)
class Job:
    """One output to produce: which record, which file under out/, how to render it."""

    record: Record
    relpath: str
    render: Callable[[Workspace, Record], bytes]


@dataclass
class BuildReport:
    """What a build did, for the CLI to print and tests to check."""

    written: list[str] = field(default_factory=list)
    checked: int = 0


def template_path(ws: Workspace, relpath: str) -> Path:
    """Return an existing template file of the workspace, or say where it was looked for."""
    path = ws.root / "templates" / relpath
    if not path.is_file():
        raise TemplateProblem(f"template templates/{relpath} not found in workspace {ws.root}; `dokgen init` writes the default templates")
    return path


def render_mou(ws: Workspace, rec: Record) -> bytes:
    from .context import mou_context, record_title
    from .render.docx import render_docx

    name = "docx/mou.docx"
    return render_docx(template_path(ws, name), mou_context(ws, rec.id), template_name=f"templates/{name}", title=record_title(rec))


def plan(ws: Workspace, selection: list[Path] | None = None) -> list[Job]:
    """List the outputs to build: all of them, or those that depend on the named files."""
    jobs = [Job(rec, f"mou/{rec.id}.docx", render_mou) for rec in ws.mou.values()]
    if not selection:
        return jobs
    wanted = {_source_of(ws, p) for p in selection}
    return [job for job in jobs if wanted & dependencies(ws, job.record)]


def dependencies(ws: Workspace, rec: Record) -> set[str]:
    """Return the source files (relative paths) that an output of rec is made from."""
    sources = {rec.source}
    if rec.kind == "mou":
        sources |= {ws.parties[p.party].source for p in rec.model.parties}
        if any(isinstance(s, str) for s in rec.model.scopes):
            sources.add("records/scopes.yaml")
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


def check(root: Path) -> BuildReport:
    """Validate every record and render every output in memory, writing nothing."""
    ws = load_workspace(root)
    jobs = plan(ws)
    for job in jobs:
        job.render(ws, job.record)
    return BuildReport(checked=len(jobs))


def build(root: Path, selection: list[Path] | None = None) -> BuildReport:
    """Build the workspace at root into root/out; return what was written."""
    from .writer import Writer

    ws = load_workspace(root)
    jobs = plan(ws, selection)
    rendered = [(job.relpath, job.render(ws, job.record)) for job in jobs]
    writer = Writer(Path(root) / "out")
    report = BuildReport()
    for relpath, data in rendered:
        writer.write(relpath, data)
        report.written.append(f"out/{relpath}")
    return report
