"""Fixtures of the web tests: the real `dokgen serve` and one real Chromium per session.

`server` starts `dokgen serve --port 0 --no-browser` as a subprocess against a copy of the
example workspace and reads the URL it prints, like a clerk would; Ctrl-C (SIGINT) stops
it at the end. `browser` is the system's Chromium driven by Playwright (no download).
Other rooms (preview, sheets, register) reuse both: `page` gives a fresh page at 1280 px
that is already signed in (it opened the printed URL once).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from dokgen.web.app import spawn

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def copy_example(target: Path) -> Path:
    """A copy of the repository's workspace (records, templates, assets) without out/."""
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, target / part)
    return target


@dataclass
class Server:
    url: str  # the printed URL, with ?token=
    base: str  # http://127.0.0.1:PORT
    token: str
    root: Path  # the workspace it serves
    process: subprocess.Popen

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    root = copy_example(tmp_path_factory.mktemp("served") / "ws")
    process, url, _ = spawn(root)
    found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=(\S+)", url)
    assert found, url
    base, token = found[1], found[2]
    yield Server(url, base, token, root, process)
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail("dokgen serve did not stop on Ctrl-C")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page at 1280 x 900, signed in through the printed URL."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="id-ID")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.goto(server.url)
    yield pg
    context.close()
