"""`dokgen build --scheduler` against real Dask processes on 127.0.0.1 (conftest.py).

What a person would check: the documents are the very bytes of a local build, a worker
killed mid-build costs no document (or names the record it lost), a runaway record is
stopped by --timeout on the cluster and named while the others are built, and an
unreachable scheduler is named, exits 1 and writes nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reliability.workspaces import DOKGEN, PRESS, example_workspace, outputs, plant

LAB = "records/labs/labinov-pontianak-2015.yaml"


def dokgen(ws: Path, *args: str, env: dict | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([*DOKGEN, "-C", str(ws), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def workspace(folder: Path, *, labs: int = 1, mous: int = 3) -> Path:
    """The worked example with copies of its lab report and MoU under other ids (a few records)."""
    ws = folder / "ws"
    example_workspace(ws, lab=True)
    for kind, count, base in (("labs", labs, LAB), ("mou", mous, "records/mou/pontianak-lan-2015.yaml")):
        text = (ws / base).read_text()
        for i in range(1, count):
            (ws / f"records/{kind}/copy-{i}.yaml").write_text(text.replace("Pontianak", f"Pontianak {i}", 1))
    return ws


def local_twin(ws: Path) -> dict[str, str]:
    """The outputs of a local build of a copy of ws (same files, out/ of its own)."""
    twin = ws.parent / "local"
    for part in ("records", "templates", "assets"):
        shutil.copytree(ws / part, twin / part)
    done = dokgen(twin, "build", "--quiet")
    assert done.returncode in (0, 1), done.stderr
    return outputs(twin / "out") | {".manifest": manifest(twin)}


def manifest(ws: Path) -> str:
    """The manifest without file times: which outputs, their input keys and hashes."""
    data = json.loads((ws / "out/.dokgen-manifest.json").read_text())

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "mtime_ns"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return json.dumps(strip(data), sort_keys=True)


@pytest.fixture(params=["local_cluster", "process_cluster"])
def scheduler(request) -> str:
    found = request.getfixturevalue(request.param)
    return found if isinstance(found, str) else found.address


def test_outputs_are_the_bytes_of_a_local_build(tmp_path, scheduler):
    ws = workspace(tmp_path, labs=1, mous=3)
    done = dokgen(ws, "build", "--scheduler", scheduler, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["built"] == 1 + 3 + 3  # a PDF, three drafts, one press piece's three files
    built = outputs(ws / "out") | {".manifest": manifest(ws)}
    assert built == local_twin(ws)  # every file, byte for byte, and the same manifest
    again = dokgen(ws, "build", "--scheduler", scheduler, "--json")  # incremental as ever
    assert again.returncode == 0 and json.loads(again.stdout)["skipped"] == 7, again.stderr


def test_scheduler_from_the_environment_and_progress_lines(tmp_path, local_cluster):
    ws = workspace(tmp_path, labs=1, mous=2)
    done = dokgen(ws, "build", env={"DOKGEN_SCHEDULER": local_cluster})
    assert done.returncode == 0, done.stderr
    assert re.search(r"^\[1/4\] built out/", done.stderr, re.M) and "[4/4]" in done.stderr
    assert outputs(ws / "out") == {k: v for k, v in local_twin(ws).items() if k != ".manifest"}


def test_a_worker_killed_mid_build(tmp_path, process_cluster):
    ws = workspace(tmp_path, labs=4, mous=1)
    build = subprocess.Popen([*DOKGEN, "-C", str(ws), "build", "--scheduler", process_cluster.address],
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    first = build.stderr.readline()  # "[1/6] built ...": the build is under way, reports are rendering
    assert first.startswith("[1/"), first
    victim = process_cluster.busy_worker_pid()  # a worker with a report in hand
    os.kill(victim, signal.SIGKILL)
    rest = build.stderr.read()
    code = build.wait(240)
    print(f"exit {code} after killing worker pid {victim}:\n{rest}")
    expected = local_twin(ws)
    got = outputs(ws / "out")
    failed = re.findall(r"^error: (records/\S+\.yaml): worker failed \(WorkerLost: the Dask worker rendering it died", rest, re.M)
    if code == 0:  # every job of the dead worker was retried on the other one
        assert got == {k: v for k, v in expected.items() if k != ".manifest"}, rest
    else:  # a job lost twice is named; everything else is there, byte for byte
        assert code == 1 and failed, rest
        assert all(got[k] == expected[k] for k in got if k != ".manifest")
    process_cluster.wait_for_workers(2)  # the nanny starts a fresh worker for the next tests


@pytest.mark.parametrize("cluster", ["local_cluster", "process_cluster"])
def test_a_runaway_record_is_stopped_on_the_cluster(tmp_path, request, cluster):
    found = request.getfixturevalue(cluster)
    address = found if isinstance(found, str) else found.address
    ws = tmp_path / "ws"
    example_workspace(ws)
    shutil.copy(ws / PRESS, ws / "records/press/runaway.yaml")
    plant(ws, "text/press.txt", "{% if id == 'runaway' %}{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}{% endif %}")
    started = time.monotonic()
    done = dokgen(ws, "build", "--scheduler", address, "--timeout", "3")
    assert time.monotonic() - started < 60
    assert done.returncode == 1, done.stderr
    assert re.search(r"^error: templates/text/press\.txt:\d+:\d+: rendering records/press/runaway\.yaml took longer than 3 s and was stopped", done.stderr, re.M), done.stderr
    assert "Traceback" not in done.stderr
    assert (ws / "out/press/pemkot-gandeng-lan-2015.txt").is_file() and (ws / "out/mou/pontianak-lan-2015.docx").is_file()
    assert not (ws / "out/press/runaway.txt").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_unreachable_scheduler_is_named_and_nothing_is_written(tmp_path, how):
    ws = tmp_path / "ws"
    example_workspace(ws)
    address = f"tcp://127.0.0.1:{free_port()}"
    args, env = (["--scheduler", address], None) if how == "option" else ([], {"DOKGEN_SCHEDULER": address})
    done = dokgen(ws, "build", *args, env=env, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot reach the Dask scheduler at {address}: "), done.stderr
    assert "Traceback" not in done.stderr
    assert not (ws / "out").exists()


def test_nothing_of_dask_is_imported_without_a_scheduler(tmp_path):
    ws = tmp_path / "ws"
    example_workspace(ws)
    code = (
        "import sys; from dokgen.cli import cli\n"
        f"try: cli(['-C', {str(ws)!r}, 'build', '--quiet', '--jobs', '2'])\n"
        "except SystemExit as e: assert e.code == 0, e.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'dokgen.cluster') or m == 'dokgen.cluster')\n"
        "print(loaded)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert (ws / "out/mou/pontianak-lan-2015.docx").is_file()


def test_jobs_carry_records_and_files_never_a_client_path(tmp_path, local_cluster, with_logos):
    """What travels: the records each chunk references, the template/font/logo bytes by content; no path of this disk."""
    import pickle

    from dokgen.build import Options, plan
    from dokgen.cluster import connect, make_bundle
    from dokgen.records import load_workspace

    ws_root = with_logos(workspace(tmp_path, labs=1, mous=2))
    ws = load_workspace(ws_root)
    jobs = plan(ws)
    bundle = make_bundle(ws, jobs, Options())
    assert {"templates/docx/mou.docx", "templates/html/fonts/Arimo-Regular.ttf", "assets/logo-lan.png"} <= set(bundle.files)
    assert bundle.files["assets/logo-lan.png"] == (ws_root / "assets/logo-lan.png").read_bytes()
    assert not any(rel.startswith("records/") for rel in bundle.files)  # records travel validated, with their jobs
    with connect(local_cluster) as cluster:
        executor = cluster(2, ws, jobs, Options(), 120)
        try:
            mou = next(i for i, job in enumerate(jobs) if job.record.kind == "mou")
            chunk_jobs, records = executor.payload([mou])
            assert set(records["parties"]) == {"lan", "pemkot-pontianak"} and not records["labs"] and not records["press"]
            for sent in (pickle.dumps((chunk_jobs, records)), pickle.dumps(bundle)):
                assert str(ws_root).encode() not in sent and str(ws_root.resolve()).encode() not in sent
        finally:
            executor.shutdown()


def test_a_job_slot_killed_mid_job_costs_that_record_only(tmp_path, process_cluster):
    """The process a worker renders in (its job slot) dies under a report: that record is named, the rest built."""
    import psutil

    ws = workspace(tmp_path, labs=4, mous=1)
    build = subprocess.Popen([*DOKGEN, "-C", str(ws), "build", "--scheduler", process_cluster.address],
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert build.stderr.readline().startswith("[1/")
    slots = psutil.Process(process_cluster.busy_worker_pid()).children()
    assert slots and all("serve_slot" in " ".join(s.cmdline()) for s in slots)
    for slot in slots:
        slot.kill()
    rest = build.stderr.read()
    code = build.wait(240)
    print(f"exit {code} after killing job slots {[s.pid for s in slots]}:\n{rest}")
    lost = re.findall(r"^error: (records/\S+\.yaml): the process rendering it on the Dask worker ended unexpectedly \(killed by SIGKILL\)$", rest, re.M)
    assert "Traceback" not in rest
    assert code == (1 if lost else 0) and len(lost) == len(re.findall(r"^error: ", rest, re.M)), rest
    expected, got = local_twin(ws), outputs(ws / "out")
    kinds = {"labs": [".pdf"], "mou": [".docx"], "press": [".html", ".md", ".txt"]}
    missing = {f"{Path(s).parent.name}/{Path(s).stem}{ext}" for s in lost for ext in kinds[Path(s).parent.name]}
    assert set(got) == set(expected) - {".manifest"} - missing  # only what the lost records make is missing
    assert all(got[k] == expected[k] for k in got)


def test_hand_edits_are_kept_and_exit_3_as_locally(tmp_path, local_cluster):
    ws = tmp_path / "ws"
    example_workspace(ws)
    assert dokgen(ws, "build", "--scheduler", local_cluster).returncode == 0
    draft = ws / "out/mou/pontianak-lan-2015.docx"
    draft.write_bytes(draft.read_bytes() + b"edited in Word")
    record = ws / "records/mou/pontianak-lan-2015.yaml"
    record.write_text(record.read_text().replace("term_years: 5", "term_years: 4"))
    done = dokgen(ws, "build", "--scheduler", local_cluster, "--json")
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stdout)["kept"] == 1
    assert "kept out/mou/pontianak-lan-2015.docx: it was edited by hand" in done.stderr
    assert draft.read_bytes().endswith(b"edited in Word")
    assert (ws / "out/mou/pontianak-lan-2015.dokgen-new.docx").is_file()
