"""A build on the cluster speaks the client's language: the job slots on the Dask workers word
their failures as the local workers would, in Indonesian under an Indonesian locale."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from reliability.workspaces import PRESS, example_workspace, plant

RUNAWAY = "{% if id == 'runaway' %}{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}{% endif %}"


def test_a_runaway_record_on_the_cluster_is_named_in_indonesian(tmp_path, local_cluster):
    ws = tmp_path / "ws"
    example_workspace(ws)
    shutil.copy(ws / PRESS, ws / "records/press/runaway.yaml")
    plant(ws, "text/press.txt", RUNAWAY)
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    done = subprocess.run([sys.executable, "-m", "dokgen", "-C", str(ws), "build", "--scheduler", local_cluster, "--timeout", "3"],
                          capture_output=True, text=True, timeout=240, env={**env, "LANG": "id_ID.UTF-8"}, stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done.stderr
    # worded in the job slot on the worker, not in this process
    assert re.search(r"^kesalahan: templates/text/press\.txt:\d+:\d+: penyusunan records/press/runaway\.yaml memakan waktu "
                     r"lebih dari 3 detik dan dihentikan", done.stderr, re.M), done.stderr
    assert "took longer" not in done.stderr and "Traceback" not in done.stderr
    assert (ws / "out/press/pemkot-gandeng-lan-2015.txt").is_file() and not (ws / "out/press/runaway.txt").exists()
