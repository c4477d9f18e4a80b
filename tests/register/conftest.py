"""Fixtures of the register tests: a workspace whose MoU is final and numbered by LAN."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REGISTER_SETTINGS = """# Register dokumen terbit: alamat verifikasi dan penomoran
verification_url: https://jdih.lan.go.id/verifikasi/{code}
numbering:
  party: lan
  pattern: "{seq:03}/{kode}/{bulan_romawi}/{tahun}"
  kode: KS.01
"""
MOU = "records/mou/pontianak-lan-2015.yaml"
LAB = "records/labs/labinov-pontianak-2015.yaml"


def make_final(ws: Path, rel: str = MOU) -> Path:
    path = ws / rel
    text = path.read_text(encoding="utf-8")
    text = text.replace("status: draft", "status: final") if "status: draft" in text else text + "status: final\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def final_ws(workspace: Path) -> Path:
    """The worked example with its MoU and lab report final, a verification URL and numbering."""
    (workspace / "records/register.yaml").write_text(REGISTER_SETTINGS, encoding="utf-8")
    make_final(workspace, MOU)
    make_final(workspace, LAB)
    return workspace


def dokgen(ws: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    """Run the real command in a process of its own, as a clerk would."""
    return subprocess.run([sys.executable, "-m", "dokgen", "-C", str(ws), *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONUNBUFFERED": "1"}, **kw)
