"""Guarantee 7: the same workspace always gives the same bytes.

The worked example, which has a record of every kind that dokgen builds (see PRODUCERS in
build.py: Word MoU, PDF lab report, press page as HTML, Markdown and text), is built as a
whole process three times: in different time zones, from different working directories
(relative and absolute -C), more than a second apart, with --jobs 1 and --jobs 2, with a
different hash seed, once in a copy at another path. Every output file must have the
same sha256 each time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .workspaces import DOKGEN, outputs

from dokgen.build import PRODUCERS
from dokgen.records import load_workspace


def build(ws_arg: str, cwd: Path, tz: str, jobs: str, seed: str, *extra: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TZ", "PYTHONHASHSEED")}
    env.update(TZ=tz, PYTHONHASHSEED=seed)
    result = subprocess.run([*DOKGEN, "-C", ws_arg, "build", "--jobs", jobs, "--json", *extra],
                            cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr


@pytest.mark.guarantee("7 reproducible: same bytes")
def test_same_workspace_same_bytes(workspace, tmp_path, figure):
    ws = workspace
    records = load_workspace(ws).records()
    kinds = {r.kind for r in records}
    assert set(PRODUCERS) <= kinds, f"the example lacks a record of kind {set(PRODUCERS) - kinds}"
    expected = {o.format(id=r.id) for r in records if r.kind in PRODUCERS for o in PRODUCERS[r.kind].outputs}

    # 1: UTC, from the workspace's parent with a relative -C, in-process rendering
    build("ws", ws.parent, "UTC", "1", "0")
    first = outputs(ws / "out")
    assert set(first) == expected, sorted(set(first) ^ expected)
    done = time.monotonic()

    # 2: the same workspace rebuilt, Tokyo, from another folder with an absolute -C, two workers
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    time.sleep(max(0.0, 1.1 - (time.monotonic() - done)))
    build(str(ws), elsewhere, "Asia/Tokyo", "2", "1", "--clean")
    second = outputs(ws / "out")

    # 3: a copy at another path, São Paulo, run from / with two workers
    copy = tmp_path / "copy" / "of-the" / "workspace"
    shutil.copytree(ws, copy, ignore=shutil.ignore_patterns("out"))
    time.sleep(1.1)
    build(str(copy), Path("/"), "America/Sao_Paulo", "2", "4242")
    third = outputs(copy / "out")

    failures = []
    for name, other in (("rebuild in Tokyo, --jobs 2", second), ("copy in São Paulo, --jobs 2", third)):
        if set(other) != set(first):
            failures.append(f"{name}: different files: {sorted(set(other) ^ set(first))}")
        failures += [f"{name}: out/{rel} differs" for rel in sorted(first) if rel in other and other[rel] != first[rel]]

    figure.cases = 2
    figure.failures = len(failures)
    figure.files_checked = len(second) + len(third)
    figure.note = f"{len(first)} files x 3 builds ({', '.join(sorted({Path(r).suffix for r in first}))})"
    print(f"\nguarantee 7: {len(first)} output files ({', '.join(sorted(first))}) compared across 3 builds "
          f"(UTC/Tokyo/São Paulo, jobs 1/2, 2 paths, 2 working directories); {len(failures)} differ")
    assert not failures, "\n".join(failures)
