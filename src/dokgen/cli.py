"""The `dokgen` command: a thin layer that parses options and calls the library.

Heavy libraries (docxtpl, Babel, WeasyPrint) are imported inside the commands that need
them, so `dokgen --help` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import DokgenError, ProblemsError


class DokgenGroup(click.Group):
    """Turn library errors into a clean message and exit status; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DokgenError as exc:
            if ctx.meta.get("dokgen.debug"):
                raise
            if isinstance(exc, ProblemsError):
                # compiler style: one located problem a line, then the summary
                for problem in exc.problems:
                    click.echo(str(problem), err=True)
                click.echo(f"error: {exc.summary}", err=True)
            else:
                click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


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
    click.echo(f"created workspace {directory} ({len(created)} files); next: dokgen -C {directory} build")


STRICT_HELP = "Treat warnings (e.g. a press piece outside 150-600 words) as errors."
PDF_VARIANT_HELP = "PDF variant passed to WeasyPrint; 'none' for a plain PDF."


@cli.command()
@click.option("--strict", is_flag=True, help=STRICT_HELP)
@click.pass_obj
def check(workspace: Path, strict: bool) -> None:
    """Validate every record and template; write nothing. Exit 1 on any problem.

    \b
    Example:
        dokgen check
        dokgen -C ../kerja-sama check
    """
    from .build import Options
    from .build import check as check_workspace

    report = check_workspace(workspace, Options(strict=strict))
    _echo_warnings(report.warnings)
    click.echo(f"ok: all records valid, {report.checked} document(s) render")


def _echo_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@cli.command()
@click.argument("record_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help=STRICT_HELP)
@click.option("--pdf-variant", default="pdf/a-3b", show_default=True, help=PDF_VARIANT_HELP)
@click.pass_obj
def build(workspace: Path, record_files: tuple[Path, ...], strict: bool, pdf_variant: str) -> None:
    """Build every document into out/, or only those made from RECORD_FILES.

    Naming a party builds every document that names that party.

    \b
    Example:
        dokgen build
        dokgen build records/mou/pontianak-lan-2015.yaml
    """
    from .build import Options
    from .build import build as build_workspace

    variant = None if pdf_variant.lower() == "none" else pdf_variant
    report = build_workspace(workspace, list(record_files), Options(pdf_variant=variant, strict=strict))
    _echo_warnings(report.warnings)
    for path in report.written:
        click.echo(f"wrote {path}")
    if not report.written:
        click.echo("nothing to build")
