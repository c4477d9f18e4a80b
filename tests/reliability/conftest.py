"""Reliability guarantees: each test records its figures; the session prints one table.

`make reliability` runs this folder and prints the table; `make soak` runs the same tests
with DOKGEN_SOAK=1 (more iterations). `make test` runs them too, at CI size.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

SOAK = os.environ.get("DOKGEN_SOAK") == "1"
_FIGURES: list["Figure"] = []


def scale(ci: int, soak: int) -> int:
    """Iterations for this run: the CI size, or the soak size under `make soak`."""
    return soak if SOAK else ci


@dataclass
class Figure:
    """One guarantee's result: what was tried and what went wrong."""

    guarantee: str
    cases: int = 0
    failures: int = 0
    tracebacks: int = 0
    files_checked: int = 0
    note: str = ""


@pytest.fixture
def figure(request):
    """A Figure for this test, kept for the session table even when the test fails."""
    fig = Figure(guarantee=request.node.get_closest_marker("guarantee").args[0] if request.node.get_closest_marker("guarantee") else request.node.name)
    yield fig
    _FIGURES.append(fig)


def pytest_configure(config):
    config.addinivalue_line("markers", "guarantee(name): the reliability guarantee a test measures")


def _number(fig: Figure) -> int:
    """The guarantee's number ("12 interrupts: …" -> 12), so the table reads in order."""
    first = fig.guarantee.split()[0]
    return int(first) if first.isdigit() else 999


def pytest_terminal_summary(terminalreporter):
    if not _FIGURES:
        return
    merged: dict[str, Figure] = {}
    for fig in _FIGURES:
        m = merged.setdefault(fig.guarantee, Figure(fig.guarantee))
        m.cases += fig.cases
        m.failures += fig.failures
        m.tracebacks += fig.tracebacks
        m.files_checked += fig.files_checked
        m.note = "; ".join(filter(None, [m.note, fig.note]))
    tr = terminalreporter
    tr.section(f"reliability figures ({'soak' if SOAK else 'CI size'})")
    width = max(34, *(len(f.guarantee) for f in merged.values()))
    tr.write_line(f"| {'guarantee':<{width}} | {'cases':>6} | {'failures':>8} | {'tracebacks':>10} | {'files checked':>13} |")
    tr.write_line(f"|{'-' * (width + 2)}|{'-' * 8}|{'-' * 10}|{'-' * 12}|{'-' * 15}|")
    for fig in sorted(merged.values(), key=_number):
        tr.write_line(f"| {fig.guarantee:<{width}} | {fig.cases:>6} | {fig.failures:>8} | {fig.tracebacks:>10} | {fig.files_checked:>13} |")
    report = os.environ.get("DOKGEN_RELIABILITY_JSON")
    if report:
        Path(report).write_text(json.dumps([asdict(f) for f in merged.values()], indent=1))
