"""One Dask cluster of each kind per test session, on 127.0.0.1, outside any workspace.

`local_cluster`: distributed.LocalCluster with two worker processes. `process_cluster`:
a real `dask scheduler` and a real `dask worker --nworkers 2` started as commands in a
temporary folder of their own, ended (their whole process group) after the session. Both
give up on a task after one retry elsewhere (allowed-failures 1), as the README advises.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

DASK = str(Path(sys.executable).with_name("dask"))
RETRY_ONCE = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}


@pytest.fixture(scope="session")
def local_cluster(tmp_path_factory):
    import dask

    folder = tmp_path_factory.mktemp("local-cluster")
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(
            processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1", scheduler_port=0,
            dashboard_address=":0", local_directory=str(folder),
        )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


class ProcessCluster:
    """A `dask scheduler` and a `dask worker` process (two worker processes under a nanny each)."""

    def __init__(self, folder: Path):
        self.folder = folder
        env = {**os.environ, **RETRY_ONCE}
        info = folder / "scheduler.json"
        common = dict(cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "dask.log", "ab"), start_new_session=True)
        self.procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0",
                                        "--scheduler-file", str(info)], **common)]
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            assert time.monotonic() < deadline, (folder / "dask.log").read_text()
            time.sleep(0.2)
        self.address = json.loads(info.read_text())["address"]
        self.procs.append(subprocess.Popen([DASK, "worker", self.address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1",
                                            "--dashboard-address", ":0", "--local-directory", str(folder / "scratch")], **common))
        self.wait_for_workers(2)

    def client(self):
        return distributed.Client(self.address, timeout=30, set_as_default=False)

    def wait_for_workers(self, n: int) -> None:
        with self.client() as client:
            client.wait_for_workers(n, timeout=90)

    def busy_worker_pid(self, wait: float = 60) -> int:
        """The pid of a worker process rendering a dokgen job right now."""
        deadline = time.monotonic() + wait
        with self.client() as client:
            while time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items() if any(str(k).startswith("dokgen-render-") for k in keys)]
                if busy:
                    return client.run(os.getpid, workers=busy[:1])[busy[0]]
                time.sleep(0.05)
        raise AssertionError("no worker was rendering")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for proc in reversed(self.procs):
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="session")
def process_cluster(tmp_path_factory):
    cluster = ProcessCluster(tmp_path_factory.mktemp("dask-processes"))
    try:
        yield cluster
    finally:
        cluster.stop()
