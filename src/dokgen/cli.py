"""The `dokgen` command: a thin layer that parses options and calls the library.

Heavy libraries (docxtpl, Babel, WeasyPrint) are imported inside the commands that need
them, so `dokgen --help` starts fast.
"""

from __future__ import annotations

import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from . import __version__
from .errors import DokgenError, ProblemsError, printable
from .i18n import N_, _, from_environ, using


def say(text: str, *, err: bool = True) -> None:
    """Print one message; every line dokgen prints goes through here, escaped (see errors.printable)."""
    click.echo(printable(text, keep_newlines=True), err=err)


class DokgenGroup(click.Group):
    """Turn library errors into a clean message and exit status; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context) -> object:
        with using(from_environ()):  # this command speaks the locale's language (English unless Indonesian)
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Interrupted as exc:
            click.echo(_("\nerror: stopped by {signal}; every file in out/ is complete (the build can be run again)").format(signal=exc.name), err=True)
            sys.exit(128 + exc.signum)
        except DokgenError as exc:
            if ctx.meta.get("dokgen.debug"):
                raise
            if isinstance(exc, ProblemsError):
                # compiler style: one located problem a line, then the summary
                for problem in exc.problems:
                    say(str(problem))
                say(_("error: {message}").format(message=exc.summary))
            else:
                say(_("error: {message}").format(message=exc))
            sys.exit(exc.exit_code)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM: unwinds like KeyboardInterrupt, so every `finally` (workers, lock, temp files) runs."""

    def __init__(self, signum: int):
        self.signum = signum
        self.name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        super().__init__(self.name)


def _on_signal(signum: int, frame: object) -> None:
    # Further signals are ignored while the build stops: stopping takes a moment (workers
    # are ended, out/ is left complete), and a second KeyboardInterrupt raised in the middle
    # of that cleanup is what used to leave the command hanging after "Aborted!".
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn Ctrl-C and SIGTERM into Interrupted while a command renders or writes.

    The previous handlers come back afterwards, unless a signal came: then the process is
    on its way out and further signals stay ignored.
    """
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, _on_signal) for sig in signals}
    try:
        yield
    except Interrupted:
        raise
    except BaseException:
        _restore(previous)
        raise
    _restore(previous)


def _restore(handlers: dict) -> None:
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


@click.group(cls=DokgenGroup)
@click.option(
    "-C", "--workspace", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
    help="Workspace folder holding records/, templates/ and out/.",
)
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.version_option(__version__, prog_name="dokgen")
@click.pass_context
def cli(ctx: click.Context, workspace: Path, debug: bool) -> None:
    """Turn YAML records into MoU drafts, lab reports and press summaries.

    \b
    Example:
        dokgen init kerja-sama && cd kerja-sama
        dokgen check
        dokgen build
    """
    ctx.obj = workspace
    ctx.meta["dokgen.debug"] = debug


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new workspace in DIRECTORY with the default templates and the worked example.

    \b
    Example:
        dokgen init kerja-sama
    """
    from .workspace import init_workspace

    created = init_workspace(directory)
    say(_("created workspace {directory} ({count} files); next: dokgen -C {directory} build").format(directory=directory, count=len(created)), err=False)


STRICT_HELP = "Treat warnings (e.g. a press piece outside 150-600 words) as errors."
PDF_VARIANT_HELP = "PDF variant passed to WeasyPrint; 'none' for a plain PDF."
# weasyprint.pdf.VARIANTS of WeasyPrint 70, written out so that `--help` does not import
# WeasyPrint (~0.6 s); tests/reliability/test_render_inputs.py checks it against the installed one.
PDF_VARIANTS = ("debug", "pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b", "pdf/a-2u", "pdf/a-3a", "pdf/a-3b",
                "pdf/a-3u", "pdf/a-4e", "pdf/a-4f", "pdf/a-4u", "pdf/ua-1", "pdf/ua-2", "pdf/x-1a", "pdf/x-3",
                "pdf/x-4", "pdf/x-5g")


PROGRESS_STATUSES = (N_("built"), N_("kept"), N_("failed"))  # build.py's words, translated where printed
TIMEOUT_HELP = "Seconds one record may take to render before it is stopped."


@cli.command()
@click.option("--strict", is_flag=True, help=STRICT_HELP)
@click.option("--timeout", type=click.IntRange(1, 3600), default=120, show_default=True, help=TIMEOUT_HELP)
@click.pass_obj
def check(workspace: Path, strict: bool, timeout: int) -> None:
    """Validate every record and template; write nothing. Exit 1 on any problem.

    \b
    Example:
        dokgen check
        dokgen -C ../kerja-sama check
    """
    from .build import Options
    from .build import check as check_workspace

    with _stop_on_signals():
        report = check_workspace(workspace, Options(strict=strict), timeout=timeout)
    _echo_notes(report.notes)
    _echo_warnings(report.warnings)
    say(_("ok: all records valid, {count} document(s) render").format(count=report.checked), err=False)


def _echo_notes(notes: list[str]) -> None:
    for note in notes:
        say(_("note: {message}").format(message=note))


def _echo_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        say(_("warning: {message}").format(message=warning))


@cli.command()
@click.argument("record_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help=STRICT_HELP)
@click.option("--pdf-variant", type=click.Choice([*PDF_VARIANTS, "none"], case_sensitive=False), default="pdf/a-3b",
              show_default=True, help=PDF_VARIANT_HELP)
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None, help="Worker processes [default: one per CPU, or none for a build too small to gain from them].")
@click.option("--clean", is_flag=True, help="Rebuild everything, even outputs that are up to date.")
@click.option("--force", is_flag=True, help="Overwrite outputs that were edited by hand.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout.")
@click.option("--timeout", type=click.IntRange(1, 3600), default=120, show_default=True, help=TIMEOUT_HELP)
@click.option("--scheduler", envvar="DOKGEN_SCHEDULER", metavar="tcp://HOST:PORT",
              help="Render on the Dask cluster of this scheduler (needs dokgen[dask]) [env: DOKGEN_SCHEDULER].")
@click.pass_obj
def build(workspace: Path, record_files: tuple[Path, ...], strict: bool, pdf_variant: str, jobs: int | None,
          clean: bool, force: bool, quiet: bool, as_json: bool, timeout: int, scheduler: str | None) -> None:
    """Build every document into out/, or only those made from RECORD_FILES.

    Outputs whose inputs have not changed are skipped. Naming a party builds every
    document that names that party. A file in out/ that was edited by hand is kept; the
    new version is written beside it as <id>.dokgen-new.<ext> and the exit status is 3.

    \b
    Example:
        dokgen build
        dokgen build records/mou/pontianak-lan-2015.yaml
        dokgen build --jobs 2 --json
        dokgen build --scheduler tcp://10.0.0.5:8786
    """
    import json

    from .build import Options
    from .build import build as build_workspace

    variant = None if pdf_variant == "none" else pdf_variant
    show = _progress_printer(quiet or as_json)
    with _stop_on_signals(), _engine(scheduler) as engine:
        report = build_workspace(
            workspace, list(record_files), Options(pdf_variant=variant, strict=strict),
            jobs=jobs, clean=clean, force=force, progress=show, timeout=timeout, executor_factory=engine,
        )
    _finish_progress(show)
    if not (quiet or as_json):
        _echo_notes(report.notes)
    _echo_warnings(report.warnings)
    for edited, new in report.kept:
        if ".dokgen-new-" in new:
            say(_("kept {edited}: it was edited by hand; the earlier new versions beside it were edited too and are kept; the new version is {new} (use --force to overwrite)").format(edited=edited, new=new))
        else:
            say(_("kept {edited}: it was edited by hand; the new version is {new} (use --force to overwrite)").format(edited=edited, new=new))
    for failure in report.failed:
        say(_("error: {message}").format(message=failure))
    if as_json:
        click.echo(json.dumps(report.summary()))
    elif not quiet:
        s = report.summary()
        say(_("{built} built, {skipped} up to date, {kept} kept, {failed} failed in {seconds} s").format(
            built=s["built"], skipped=s["skipped"], kept=s["kept"], failed=s["failed"], seconds=f"{s['seconds']:.1f}"), err=False)
    sys.exit(report.exit_code)


@contextmanager
def _engine(scheduler: str | None) -> Iterator[object]:
    """The Dask cluster to render on (connected before anything is read), or None for local workers."""
    if not scheduler:
        yield None
        return
    from .cluster import connect

    with connect(scheduler) as cluster:
        yield cluster


@cli.command()
@click.argument("record_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite signing PDFs that were edited by hand.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.option("--timeout", type=click.IntRange(1, 3600), default=120, show_default=True,
              help="Seconds LibreOffice may take to convert one draft before it is stopped.")
@click.pass_obj
def pdf(workspace: Path, record_files: tuple[Path, ...], force: bool, quiet: bool, timeout: int) -> None:
    """Write the signing PDF out/mou/<id>.pdf of every MoU, or of those made from RECORD_FILES.

    The PDF (PDF/A-2b) is made with LibreOffice from the Word draft out/mou/<id>.docx as it
    stands, so edits made in Word are in it; a draft that is missing or out of date (and not
    edited) is built first. The same draft always gives the same PDF.

    \b
    Example:
        dokgen pdf
        dokgen pdf records/mou/pontianak-lan-2015.yaml
    """
    from .signing import signing_pdfs

    show = _progress_printer(quiet)
    with _stop_on_signals():
        report = signing_pdfs(workspace, list(record_files), force=force, progress=show, timeout=timeout)
    _finish_progress(show)
    if not quiet:
        _echo_notes(report.notes)
    _echo_warnings(report.warnings)
    for edited, new in report.kept:
        say(_("kept {edited}: it was edited by hand; the new version is {new} (use --force to overwrite)").format(edited=edited, new=new))
    for failure in report.failed:
        say(_("error: {message}").format(message=failure))
    if not quiet:
        s = report.summary()
        say(_("{built} written, {skipped} up to date, {kept} kept, {failed} failed").format(
            built=s["built"], skipped=s["skipped"], kept=s["kept"], failed=s["failed"]), err=False)
    sys.exit(report.exit_code)


def _progress_printer(silent: bool):
    """Return a progress callback: a bar on a terminal, plain lines otherwise."""
    if silent:
        return None
    if sys.stderr.isatty():
        def bar(done: int, total: int, source: str, status: str, outputs: list[str]) -> None:
            width = 24
            filled = width * done // max(total, 1)
            line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {source}"
            click.echo(f"\r\x1b[K{printable(line[:120])}", nl=False, err=True)  # our escape, then the escaped line
        bar.is_bar = True  # type: ignore[attr-defined]
        return bar

    def lines(done: int, total: int, source: str, status: str, outputs: list[str]) -> None:
        say(f"[{done}/{total}] {_(status)} {', '.join(outputs) if status != 'failed' else source}")
    return lines


def _finish_progress(show) -> None:
    if show is not None and getattr(show, "is_bar", False):
        click.echo("", err=True)


# --- the portfolio and the register ----------------------------------------------------------


def _day(value: str | None):
    """--on YYYY-MM-DD as a date; today without it."""
    import datetime as dt

    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("'{value}' is not a date; write YYYY-MM-DD").format(value=value)) from None


@cli.command()
@click.option("--on", "on", metavar="YYYY-MM-DD", help="Show the states as of this day [default: today].")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV on stdout.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Write an Excel workbook to FILE.")
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path), help="Write calendar reminders (180, 90, 30 days before each end) to FILE.")
@click.pass_obj
def status(workspace: Path, on: str | None, as_csv: bool, as_json: bool, xlsx: Path | None, ics: Path | None) -> None:
    """The rekap kerja sama: every MoU with its end date, state and days left.

    \b
    Example:
        dokgen status
        dokgen status --on 2020-06-01 --csv > rekap.csv
        dokgen status --ics pengingat.ics
    """
    from . import portfolio
    from .records import load_workspace
    from .writer import atomic_write

    day = _day(on)
    found = portfolio.rows(load_workspace(workspace), day)
    if xlsx:
        atomic_write(xlsx, portfolio.as_xlsx(found, day))
        say(_("wrote {file} ({count} kerja sama)").format(file=xlsx, count=len(found)))
    if ics:
        atomic_write(ics, portfolio.reminders(found, day).encode("utf-8"))
        say(_("wrote {file} (reminders 180, 90 and 30 days before each end date)").format(file=ics))
    if as_csv:
        click.echo(portfolio.as_csv(found), nl=False)
    elif as_json:
        click.echo(portfolio.as_json(found, day), nl=False)
    elif not (xlsx or ics):
        say(portfolio.table(found), err=False)


@cli.command()
@click.argument("record_file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def issue(workspace: Path, record_file: Path) -> None:
    """Register a final MoU or lab report: code, number, QR, files and their hashes.

    \b
    Example:
        dokgen issue records/mou/pontianak-lan-2015.yaml
    """
    from .issuing import issue as issue_record

    with _stop_on_signals():
        done = issue_record(workspace, record_file)
    if done.again:
        say(_("{record}: issued already as {code}, unchanged since; its files are as registered").format(record=done.record, code=done.code), err=False)
    else:
        say(_("{record}: issued as {code} (QR: {payload})").format(record=done.record, code=done.code, payload=done.payload), err=False)
    for number in done.numbers:
        say(_("number given: {number} (written into {record})").format(number=number, record=done.record), err=False)
    if done.superseded:
        say(_("{old} is superseded by {new}").format(old=done.superseded, new=done.code), err=False)
    for edited, new in done.kept:
        say(_("kept {edited}: it was edited by hand; the issued version is {new}").format(edited=edited, new=new))
    for name, digest in done.files:
        say(_("registered {file} sha256 {digest}…").format(file=name, digest=digest[:16]), err=False)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def verify(workspace: Path, file: Path) -> None:
    """Say whether FILE is a document this workspace issued (exit 0) or not (exit 1).

    \b
    Example:
        dokgen verify ~/Unduhan/nota-kesepahaman.pdf
    """
    from .register import entry_lines, verify_file

    verdict = verify_file(workspace, file)
    if verdict.entry is not None:
        for line in entry_lines(verdict.entry):
            say(line, err=False)
    else:
        say(verdict.message, err=False)
    sys.exit(0 if verdict.ok else 1)


@cli.group()
def register() -> None:
    """The register of issued documents (register/dokgen-register.sqlite).

    \b
    Example:
        dokgen register list --csv > register.csv
        dokgen register revoke HH5U-YC6D --reason "pihak kedua salah tulis"
        dokgen register publish situs/verifikasi
    """


@register.command("list")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV on stdout.")
@click.pass_obj
def register_list(workspace: Path, as_csv: bool) -> None:
    """List every issued document with its code and state.

    \b
    Example:
        dokgen register list
    """
    from .register import Register, entries_csv

    with Register.open(workspace) as reg:
        entries = reg.entries()
    if as_csv:
        click.echo(entries_csv(entries), nl=False)
        return
    for e in entries:
        say(f"{e.code}  {e.issued_on}  {e.kind:3}  {e.record_id}  {e.state}", err=False)


@register.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why: verify and the published page show it.")
@click.pass_obj
def register_revoke(workspace: Path, code: str, reason: str) -> None:
    """Revoke the document issued under CODE; verify then says dicabut: REASON.

    \b
    Example:
        dokgen register revoke HH5U-YC6D --reason "pihak kedua salah tulis"
    """
    import datetime as dt

    from .register import Register

    with Register.open(workspace) as reg:
        entry = reg.revoke(code, reason, dt.date.today())
    say(f"{entry.code}: {entry.state}", err=False)


@register.command("publish")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def register_publish(workspace: Path, directory: Path) -> None:
    """Write static verification pages (one per code, and an index) into DIRECTORY.

    \b
    Example:
        dokgen register publish situs/verifikasi
    """
    from .publish import publish

    written = publish(workspace, directory)
    say(_("wrote {count} pages into {directory}").format(count=len(written), directory=directory), err=False)


# --- spreadsheets (sheets/) ---------------------------------------------------------------


class _ImportGroup(click.Group):
    """`dokgen import FILE --into ...` and `dokgen import template ...`: a file name runs the import itself."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["sheet", *args]
        return super().parse_args(ctx, args)


@cli.group("import", cls=_ImportGroup)
def import_() -> None:
    """Import units and ideas, or parties, from a spreadsheet (.xlsx, .ods, .xls, .csv).

    Every problem is shown at its cell (Ide!C5, as typed into Excel's Name Box) and
    nothing is written until all are fixed. Options of an import (see `dokgen import
    sheet --help`): --into (required), --dry-run, --annotate.

    \b
    Example:
        dokgen import template lab ide-lab.xlsx
        dokgen import ide-lab.xlsx --into records/labs/labinov-pontianak-2015.yaml
        dokgen import pihak.csv --into records/parties/ --dry-run
    """


@import_.command("sheet", hidden=True)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--into", "into", required=True, type=click.Path(path_type=Path),
              help="records/labs/<id>.yaml (its units and ideas are replaced) or records/parties/ (one party a row).")
@click.option("--dry-run", is_flag=True, help="Check everything and show what would change; write nothing.")
@click.option("--annotate", is_flag=True, help="On problems, write FILE-periksa.xlsx with the problem cells marked red and commented.")
@click.pass_obj
def import_sheet(workspace: Path, file: Path, into: Path, dry_run: bool, annotate: bool) -> None:
    """Import FILE (run as `dokgen import FILE --into ...`).

    \b
    Example:
        dokgen import ide-lab.xlsx --into records/labs/labinov-pontianak-2015.yaml
    """
    from .errors import ProblemsError
    from .sheets.importing import import_sheet as run

    marked = file.with_name(f"{file.stem}-periksa.xlsx") if annotate else None
    try:
        result = run(workspace, file, into, write=not dry_run, annotate=marked)
    except ProblemsError as exc:
        if getattr(exc, "annotated", None) is not None:
            say(f"note: the problems are marked in {exc.annotated}")
        raise
    _echo_notes(result.notes)
    if dry_run:
        for change in result.changes:
            if change.status != "unchanged":
                click.echo(printable(change.diff(), keep_newlines=True), nl=False)
    say(result.summary(), err=False)


@import_.command("template")
@click.argument("kind", type=click.Choice(["lab", "parties"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def import_template(kind: str, file: Path, force: bool) -> None:
    """Write an empty sheet to fill in: the lab's units and ideas, or parties.

    \b
    Example:
        dokgen import template lab ide-lab.xlsx
        dokgen import template parties pihak.xlsx
    """
    from .sheets.layout import SPECS
    from .sheets.writing import save_workbook, workbook_bytes

    save_workbook(file, workbook_bytes(SPECS[kind], []), force=force)
    say(f"wrote {file}: fill in the '{SPECS[kind].name}' sheet (the 'Petunjuk' sheet says how), then dokgen import {file} --into ...",
        err=False)


@cli.group("export")
def export() -> None:
    """Export a lab's units and ideas, or the parties, to an .xlsx sheet that `dokgen import` reads back.

    \b
    Example:
        dokgen export lab labinov-pontianak-2015 ide-lab.xlsx
        dokgen export parties pihak.xlsx
    """


@export.command("lab")
@click.argument("lab_id")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.pass_obj
def export_lab(workspace: Path, lab_id: str, file: Path, force: bool) -> None:
    """Write the units and ideas of records/labs/LAB_ID.yaml to FILE.

    \b
    Example:
        dokgen export lab labinov-pontianak-2015 ide-lab.xlsx
    """
    from .sheets.exporting import export_lab as run

    units, ideas = run(workspace, lab_id, file, force=force)
    say(f"wrote {file}: {units} units, {ideas} ideas of {lab_id}", err=False)


@export.command("parties")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.pass_obj
def export_parties(workspace: Path, file: Path, force: bool) -> None:
    """Write every record of records/parties/ to FILE, one party a row.

    \b
    Example:
        dokgen export parties pihak.xlsx
    """
    from .sheets.exporting import export_parties as run

    say(f"wrote {file}: {run(workspace, file, force=force)} parties", err=False)

@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on; 0 = any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; anything but 127.0.0.1 is reachable by others (the token is still needed).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.pass_obj
def serve(workspace: Path, port: int, host: str, no_browser: bool) -> None:
    """Edit and build the workspace in a browser (Indonesian interface); Ctrl-C stops it.

    \b
    Example:
        dokgen serve
        dokgen -C ../kerja-sama serve --port 0 --no-browser
    """
    from .web.app import serve as run_server

    run_server(workspace, host=host, port=port, open_browser=not no_browser, say=lambda text: say(text, err=False))
