"""`dokgen serve` benchmark: page loads and the save round trip in a workspace of 1,000 records.

Run: .venv/bin/python bench/bench_serve.py [--records 1000] [--runs 30]
The real server (`dokgen serve --port 0`, waitress) is started on a copy of the example
workspace with --records generated MoUs (2-3 parties each, 20 parties), and timed over
HTTP from this process, one keep-alive connection, medians over --runs. Side by side in
one run: the MoU form page, the beranda, the record list, a save round trip (GET the
record, PUT a change: checked like `dokgen check`, written under the build lock) and the
form page right after a save. Issue 10's targets: page <= 200 ms, save <= 100 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import make_workspace  # noqa: E402  (the same generated workspace as the build benchmark)

from dokgen.web.app import spawn  # noqa: E402



def start(ws: Path) -> tuple[subprocess.Popen, int, str]:
    process, url, _ = spawn(ws)
    found = re.search(r"127\.0\.0\.1:(\d+)/\?token=(\S+)", url)
    return process, int(found[1]), found[2]  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    ws = make_workspace(args.records, labs=0)
    started = time.perf_counter()
    process, port, token = start(ws)
    ready = time.perf_counter() - started
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Host": f"127.0.0.1:{port}"}
    mou = f"mou-{args.records // 2:04d}"

    def call(method: str, path: str, body: object = None) -> tuple[int, bytes, float]:
        data = json.dumps(body).encode() if body is not None else None
        t = time.perf_counter()
        conn.request(method, path, body=data, headers={**headers, **({"Content-Type": "application/json"} if data else {})})
        response = conn.getresponse()
        payload = response.read()
        return response.status, payload, time.perf_counter() - t

    times: dict[str, list[float]] = {k: [] for k in ("form page", "beranda", "api records", "save (PUT)", "save round trip (GET+PUT)", "form page after a save")}
    try:
        call("GET", f"/records/mou/{mou}")  # warm: first request, imports
        for i in range(args.runs):
            times["form page"].append(call("GET", f"/records/mou/{mou}")[2])
            times["beranda"].append(call("GET", "/")[2])
            times["api records"].append(call("GET", "/api/records")[2])
            status, payload, t_get = call("GET", f"/api/records/mou/{mou}")
            body = json.loads(payload)
            body["data"]["signing"]["city"] = f"Pontianak {i}"
            status, payload, t_put = call("PUT", f"/api/records/mou/{mou}", body)
            assert status == 200, payload
            times["save (PUT)"].append(t_put)
            times["save round trip (GET+PUT)"].append(t_get + t_put)
            times["form page after a save"].append(call("GET", f"/records/mou/{mou}")[2])
    finally:
        conn.close()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        shutil.rmtree(ws, ignore_errors=True)

    print(f"dokgen serve, {args.records:,} MoUs + 20 parties, medians of {args.runs} runs "
          f"({platform.python_implementation()} {platform.python_version()}, {platform.machine()})")
    print(f"  server ready (index read) in {ready * 1000:.0f} ms")
    targets = {"form page": 0.200, "beranda": 0.200, "save (PUT)": 0.100, "save round trip (GET+PUT)": 0.100, "form page after a save": 0.200}
    for name, values in times.items():
        median = statistics.median(values)
        target = targets.get(name)
        verdict = f"target {target * 1000:.0f} ms: {'met' if median <= target else 'MISSED'} ({median / target:.2f}x)" if target else ""
        print(f"  {name:28s} {median * 1000:7.1f} ms   {verdict}")


if __name__ == "__main__":
    main()
