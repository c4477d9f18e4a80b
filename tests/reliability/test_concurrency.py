"""Guarantee 5: two builds on one workspace never mix or truncate each other's outputs.

Two `dokgen build --clean` processes are started together on one workspace, many times.
Each must either build (it got the lock, perhaps after waiting) or stop with the lock
message (exit 1, "another dokgen build"), never with a traceback; afterwards every output
is a whole Word file, byte-identical to the output of a reference build made alone in a
separate copy, and the manifest describes the bytes on disk.

Two records can never write the same output: ids are the file stems of one folder per
kind, lowercase ASCII only, and each kind writes into its own folder of out/. So the
collisions a user could cause (Report.yaml beside report.yaml, a full-width look-alike)
are rejected at validation, before anything is written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dokgen.build import PRODUCERS
from dokgen.errors import OutputError
from dokgen.model import ID_PATTERN
from dokgen.writer import Writer

from .conftest import scale
from .workspaces import DOKGEN, docx_problem, make_mou_workspace, outputs

LOCKED = "another dokgen build"


def start(ws: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*DOKGEN, "-C", str(ws), "build", "--clean", "--json", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.guarantee("5 concurrency: two builds at once")
def test_two_builds_started_together_never_mix(workspace, tmp_path, figure):
    rounds = scale(10, 50)
    make_mou_workspace(workspace, 39)  # 40 MoUs with the example one
    reference = tmp_path / "reference"
    shutil.copytree(workspace, reference)
    alone = subprocess.run([*DOKGEN, "-C", str(reference), "build", "--jobs", "1", "--json"], capture_output=True, text=True, timeout=600)
    assert alone.returncode == 0, alone.stderr[-2000:]
    expected = outputs(reference / "out")
    assert len(expected) == 40

    # worker settings per round: both in-process, or one with two worker processes
    settings = [(("--jobs", "1"), ("--jobs", "1")), (("--jobs", "2"), ("--jobs", "1"))]
    failures: list[str] = []
    tracebacks = files_checked = built_both = locked_out = 0
    out = workspace / "out"
    for r in range(rounds):
        first, second = settings[r % len(settings)]
        procs = [start(workspace, *first), start(workspace, *second)]
        results = [(p, *p.communicate(timeout=600)) for p in procs]
        locked_here = 0
        for p, stdout, stderr in results:
            if "Traceback" in stderr:
                tracebacks += 1
                failures.append(f"round {r}: a traceback: {stderr[-800:]}")
            if p.returncode == 0:
                summary = json.loads(stdout.strip().splitlines()[-1])
                if summary["built"] != 40 or summary["failed"] or summary["kept"]:
                    failures.append(f"round {r}: a build reported {summary}")
            elif p.returncode == 1 and LOCKED in stderr and stderr.count("\n") <= 2:
                locked_here += 1
            else:
                failures.append(f"round {r}: exit {p.returncode}: {stderr[-800:]}")
        locked_out += locked_here
        built_both += locked_here == 0
        if locked_here == 2:
            failures.append(f"round {r}: both builds gave up on the lock")

        # the result is one whole build: every output equal to the reference, nothing else
        got = outputs(out)
        if set(got) != set(expected):
            failures.append(f"round {r}: outputs differ from the reference: {sorted(set(got) ^ set(expected))[:5]}")
        for rel, digest in got.items():
            files_checked += 1
            problem = docx_problem(out / rel) if rel.endswith(".docx") else None
            if problem:
                failures.append(f"round {r}: {problem}")
            elif expected.get(rel) != digest:
                failures.append(f"round {r}: out/{rel} is not the reference build's file")
        temps = [f for _, dirs, files in os.walk(out) for f in files + dirs if f.startswith(".tmp-")]
        if temps:
            failures.append(f"round {r}: temp files left: {temps[:3]}")
        manifest = json.loads((out / ".dokgen-manifest.json").read_text())["outputs"]
        if set(manifest) != set(expected):
            failures.append(f"round {r}: the manifest lists {sorted(set(manifest) ^ set(expected))[:5]} wrongly")
        for rel, entry in manifest.items():
            if got.get(rel) != entry["sha256"]:
                failures.append(f"round {r}: the manifest's sha256 of out/{rel} does not match the file")

    figure.cases = 2 * rounds
    figure.failures = len(failures)
    figure.tracebacks = tracebacks
    figure.files_checked = files_checked
    figure.note = f"{rounds} rounds: both built (one waited) {built_both}, one locked out {locked_out}"
    print(f"\nguarantee 5: {rounds} rounds of two builds on one workspace of 40 MoUs: both built in {built_both}, "
          f"one stopped at the lock in {locked_out}; {files_checked} outputs compared with the reference; "
          f"{len(failures)} failures")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.guarantee("5 concurrency: two builds at once")
def test_two_records_can_never_name_one_output(workspace, run, figure):
    """The design makes an output collision impossible; the ways a user could try are refused."""
    # each kind writes into its own folder of out/, and a kind's outputs differ by extension
    folders = {}
    for kind, producer in PRODUCERS.items():
        names = [o.format(id="x") for o in producer.outputs]
        assert len(set(names)) == len(names), kind
        for o in producer.outputs:
            folder, _, name = o.partition("/")
            assert name.startswith("{id}.") and "/" not in name, o
            assert folders.setdefault(folder, kind) == kind, f"{kind} and {folders[folder]} share out/{folder}/"
    # ids are lowercase ASCII: no two distinct ids fold to one name (case, NFKC, Windows)
    for bad in ("Report", "REPORT", "ｒeport", "report.", "report ", "re\u0301port"):
        assert not ID_PATTERN.match(bad), bad

    mou = workspace / "records/mou"
    text = (mou / "pontianak-lan-2015.yaml").read_text()
    cases = {"Report.yaml": "report.yaml", "ｒｅｐｏｒｔ.yaml": "report.yaml", "REPORT.yaml": "report.yaml"}
    failures = []
    for bad, good in cases.items():
        for f in mou.glob("*report*.yaml"):
            f.unlink()
        for f in mou.glob("*ｒｅｐｏｒｔ*.yaml"):
            f.unlink()
        (mou / good).write_text(text)
        (mou / bad).write_text(text)
        code, _, err = run("-C", str(workspace), "build", "--jobs", "1")
        located = re.search(rf"^records/mou/{re.escape(bad)}:\d+:\d+: .*not a valid id", err, re.M)
        if code != 1 or not located or (workspace / "out").exists():
            failures.append(f"{bad} beside {good}: exit {code}, {err[-300:]}")
    for f in [*mou.glob("*report*.yaml"), *mou.glob("*ｒｅｐｏｒｔ*.yaml")]:
        f.unlink()

    # and the writer itself refuses a second write to one path within a build
    writer = Writer(workspace / "out")
    writer.publish("mou/same.docx", "k1", b"first")
    with pytest.raises(OutputError, match="two outputs would be written"):
        writer.publish("mou/same.docx", "k2", b"second")
    assert (workspace / "out/mou/same.docx").read_bytes() == b"first"

    figure.cases = len(cases) + 1
    figure.failures = len(failures)
    assert not failures, "\n".join(failures)
