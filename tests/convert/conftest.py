"""One warm LibreOffice for every test of this folder (starting one costs ~2 s)."""

from __future__ import annotations

import shutil

import pytest

MOU = "pontianak-lan-2015"
LAB = "labinov-pontianak-2015"


@pytest.fixture(scope="session")
def converter():
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-writer-nogui; .ci/run installs it)")
    from dokgen.convert import Converter

    with Converter() as running:
        yield running
