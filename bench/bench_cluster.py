"""Cluster benchmark: `dokgen build --scheduler` on a 2-worker Dask cluster against the local pool.

Run: .venv/bin/python bench/bench_cluster.py [--mous 2000] [--labs 40] [--small 20] [--runs 3]
A real `dask scheduler` and `dask worker --nworkers 2 --nthreads 1` are started on
127.0.0.1 in a temporary folder (not the workspace) and ended afterwards; the worker
machines are this machine, so the figures show the cluster's costs, not a gain from more
cores. Every build is a whole process with --clean (nothing skipped), local builds with
--jobs 2; the cases are interleaved round by round and reported as medians of --runs. One
cluster build before the timed rounds starts the job slots (a cluster lives longer than a
build); it is not counted.

From a small and a large MoU build on each engine the script derives the cluster's fixed
cost per build (connecting, sending the files) and its overhead per job (a task round
trip, records there and documents back), and from those the size from which a cluster of
W job slots beats one machine of C cores: N * (r + o) / W + F < N * r / C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import DOKGEN, make_workspace, timed  # noqa: E402

DASK = str(Path(sys.executable).with_name("dask"))


class Cluster:
    """`dask scheduler` and `dask worker` processes in a folder of their own."""

    def __init__(self, workers: int):
        self.folder = Path(tempfile.mkdtemp(prefix="dokgen-dask-"))
        info = self.folder / "scheduler.json"
        log = open(self.folder / "dask.log", "ab")
        env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
        common = dict(cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        self.procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0",
                                        "--scheduler-file", str(info)], **common)]
        while not info.exists() or not info.read_text().strip():
            time.sleep(0.2)
        self.address = json.loads(info.read_text())["address"]
        self.procs.append(subprocess.Popen([DASK, "worker", self.address, "--nworkers", str(workers), "--nthreads", "1",
                                            "--host", "127.0.0.1", "--dashboard-address", ":0",
                                            "--local-directory", str(self.folder / "scratch")], **common))

    def stop(self) -> None:
        for proc in reversed(self.procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)


def round_trips(address: str, ws: Path, count: int) -> tuple[float, float]:
    """Median seconds to render one MoU in this process, and as a one-job task on the cluster (one at a time)."""
    from dokgen.build import Options, plan
    from dokgen.cluster import connect
    from dokgen.executor import run_chunk, run_one
    from dokgen.records import load_workspace

    workspace = load_workspace(ws)
    jobs = [job for job in plan(workspace) if job.record.kind == "mou"][:count]
    options = Options()
    here, there = [], []
    with connect(address) as cluster:
        executor = cluster(2, workspace, jobs, options, 120)
        executor.submit(run_chunk, [0]).result()  # the bundle reaches the worker: not counted
        for i, job in enumerate(jobs):
            start = time.perf_counter()
            assert run_one(i, workspace, job, options).error is None
            here.append(time.perf_counter() - start)
            start = time.perf_counter()
            assert executor.submit(run_chunk, [i]).result()[0].error is None
            there.append(time.perf_counter() - start)
        executor.shutdown()
    return statistics.median(here), statistics.median(there)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mous", type=int, default=2000)
    parser.add_argument("--labs", type=int, default=40)
    parser.add_argument("--small", type=int, default=20, help="MoUs of the small build (fixed cost)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    spaces = {"mous": make_workspace(args.mous, 0), "labs": make_workspace(0, args.labs), "small": make_workspace(args.small, 0)}
    sizes = {"mous": args.mous + 1, "labs": args.labs, "small": args.small + 1}  # the example MoU stays
    cluster = Cluster(2)
    try:
        local = ["build", "--clean", "--quiet", "--jobs", "2"]
        remote = ["build", "--clean", "--quiet", "--scheduler", cluster.address]
        timed([*DOKGEN, "-C", str(spaces["small"]), *remote])  # job slots started; not counted
        t: dict[str, list[float]] = {f"{k}_{e}": [] for k in spaces for e in ("local", "cluster")}
        for run in range(args.runs):
            for name, ws in spaces.items():
                engines = (("local", local), ("cluster", remote))
                for engine, cmd in engines if run % 2 == 0 else engines[::-1]:
                    t[f"{name}_{engine}"].append(timed([*DOKGEN, "-C", str(ws), *cmd]))
                    print(f"run {run + 1}: {name} {engine} {t[f'{name}_{engine}'][-1]:.2f} s", file=sys.stderr)
        render, trip = round_trips(cluster.address, spaces["small"], args.small)
    finally:
        cluster.stop()
        for ws in spaces.values():
            shutil.rmtree(ws, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in t.items()}
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}; "
          f"cluster: 2 worker processes x 1 thread on this machine; medians of {args.runs} interleaved runs")
    print(f"{'case':44} {'local -j2':>10} {'cluster':>10} {'cluster/local':>14}")
    labels = {"mous": f"{sizes['mous']:,} MoUs", "labs": f"{sizes['labs']} lab reports (PDF)", "small": f"{sizes['small']} MoUs"}
    for name in spaces:
        lo, cl = med[f"{name}_local"], med[f"{name}_cluster"]
        spread = f"(local {min(t[name + '_local']):.2f}-{max(t[name + '_local']):.2f}, cluster {min(t[name + '_cluster']):.2f}-{max(t[name + '_cluster']):.2f})"
        print(f"{labels[name]:44} {lo:9.2f}s {cl:9.2f}s {cl / lo:13.2f}x  {spread}")
    n_big, n_small = sizes["mous"], sizes["small"]
    slope_local = (med["mous_local"] - med["small_local"]) / (n_big - n_small)
    slope_cluster = (med["mous_cluster"] - med["small_cluster"]) / (n_big - n_small)
    overhead = max(0.0, (slope_cluster - slope_local) * 2)  # per job in one job slot (two slots share the wall clock)
    fixed = med["small_cluster"] - med["small_local"]
    r_mou = slope_local * 2
    r_lab = med["labs_local"] * 2 / sizes["labs"]  # rough: includes the build's fixed costs
    print(f"one MoU alone, median of {args.small}: rendered in this process {render * 1000:.1f} ms, as a one-job cluster task "
          f"{trip * 1000:.1f} ms (round trip {1000 * (trip - render):.1f} ms; {1000 * (trip - render) / 32:.1f} ms a job in a chunk of 32)")
    print(f"per MoU in a build, wall clock with two slots: local {slope_local * 1000:.2f} ms, cluster {slope_cluster * 1000:.2f} ms; "
          f"cluster overhead per job in one slot {overhead * 1000:.2f} ms (chunks of up to 32 jobs share a round trip)")
    print(f"fixed cost per build, cluster minus local -j2 ({sizes['small']} MoUs): {fixed:+.2f} s")
    for cores, slots in ((2, 8), (8, 32)):
        for what, r in (("MoUs", r_mou), ("lab reports", r_lab)):
            gain = r / cores - (r + overhead) / slots
            size = "never" if gain <= 0 else ("from the first document" if fixed <= 0 else f"from about {fixed / gain:,.0f} documents")
            print(f"a cluster of {slots} slots against one {cores}-core machine, {what}: pays {size}")


if __name__ == "__main__":
    main()
