"""One error root for dokgen: every user-facing failure carries where it happened.

The library never imports click; the CLI turns a `DokgenError` into a short message and
an exit status, so the same code runs in a worker process or a service.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A place in a workspace file: path relative to the workspace, 1-based line/col."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}"
        return self.path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, in `file:line:col: field.path: message` form."""

    location: Location
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.location}: "
        return f"{where}{self.field}: {self.message}" if self.field else f"{where}{self.message}"


class DokgenError(Exception):
    """Root of every error dokgen reports to a user (exit status 1)."""

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None, field: str = ""):
        self.location = location
        self.field = field
        super().__init__(message)

    def __str__(self) -> str:
        message = super().__str__()
        prefix = ""
        if self.location is not None:
            prefix += f"{self.location}: "
        if self.field:
            prefix += f"{self.field}: "
        return prefix + message


class ProblemsError(DokgenError):
    """Raised once after validation with every problem found, sorted by place."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        files = len({p.location.path for p in self.problems})
        n = len(self.problems)
        summary = f"{n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        self.summary = f"{summary}; nothing was written"
        super().__init__("\n".join(str(p) for p in self.problems) + "\n" + self.summary)


class WarningsAsErrors(ProblemsError):
    """Raised with --strict when records carry warnings; nothing is rendered or written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.summary = self.summary.replace("; nothing", " (warnings are errors with --strict); nothing")
        self.args = ("\n".join(str(p) for p in self.problems) + "\n" + self.summary,)


class TemplateProblem(DokgenError):
    """A template failed to load or render (syntax error, missing variable)."""


class OutputError(DokgenError):
    """Writing into out/ was refused or failed."""
