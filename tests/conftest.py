"""Shared fixtures: a fresh copy of the worked-example workspace per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dokgen.cli import cli

REPO = Path(__file__).resolve().parents[1]

# The tests assert dokgen's English messages: a developer's Indonesian locale must not
# switch them (tests/test_i18n.py sets LANG itself where it checks the Indonesian ones).
for _name in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the repository's workspace (records, templates, assets) without out/."""
    ws = tmp_path / "ws"
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, ws / part)
    return ws


@pytest.fixture
def run():
    """Invoke the CLI in-process; returns (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(cli, list(args), catch_exceptions=True)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback would reach the user: fail loudly
        return result.exit_code, result.stdout, result.stderr

    return invoke


@pytest.fixture
def with_logos():
    """Give the worked example's parties a logo each (the repository ships none, so the
    example carries the true no-logo warning); for tests that need a warning-free example."""

    def add(ws: Path) -> Path:
        from PIL import Image

        for party in ("pemkot-pontianak", "lan"):
            Image.new("RGB", (8, 8), "grey").save(ws / f"assets/logo-{party}.png")
            path = ws / f"records/parties/{party}.yaml"
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("\naddress:", f"\nlogo: assets/logo-{party}.png\naddress:", 1), encoding="utf-8")
        return ws

    return add
