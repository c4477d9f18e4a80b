"""Issue 14, targets 2 and 3: workers started before validation, advice cached per MoU.

What is checked is what a person would: the same files, the same warnings, no worker left
behind, a changed record advised afresh. How fast is measured in bench/bench_build.py.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
from pathlib import Path

import pytest

from dokgen import advice, build as build_module
from dokgen.build import build
from dokgen.executor import EarlyPool

from test_build_engine import MOU, add_mous


def outputs(ws: Path) -> dict[str, str]:
    return {p.relative_to(ws / "out").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((ws / "out").rglob("*")) if p.is_file() and not p.name.startswith(".dokgen")}


_BEFORE: set = set()


@pytest.fixture(autouse=True)
def _children_before():
    """Children other tests of this session left running are not this test's business."""
    _BEFORE.clear()
    _BEFORE.update(p.pid for p in multiprocessing.active_children())


def left_behind() -> list:
    return [p for p in multiprocessing.active_children() if p.pid not in _BEFORE]


def started_early(monkeypatch) -> list[EarlyPool]:
    """Record every early pool the build starts (still the real one)."""
    pools: list[EarlyPool] = []
    real = build_module.early_pool

    def spy(*args):
        pool = real(*args)
        if pool is not None:
            pools.append(pool)
        return pool

    monkeypatch.setattr(build_module, "early_pool", spy)
    return pools


def test_workers_started_early_give_the_bytes_of_an_in_process_build(workspace, tmp_path, monkeypatch):
    add_mous(workspace, 12, with_lan=True)
    other = tmp_path / "other"
    shutil.copytree(workspace, other)
    pools = started_early(monkeypatch)
    early = build(workspace, jobs=2)  # no out/ yet: the workers start before the records are read
    assert len(pools) == 1 and pools[0].workers == 2
    alone = build(other, jobs=1)
    assert not early.failed and early.warnings == alone.warnings
    assert len(outputs(workspace)) == 17 and outputs(workspace) == outputs(other)
    again = build(workspace, jobs=2, clean=True)  # --clean: early again, same bytes
    assert len(pools) == 2 and not again.failed and outputs(workspace) == outputs(other)
    assert not left_behind()


def test_workers_started_early_end_when_the_records_are_bad(workspace, monkeypatch):
    add_mous(workspace, 4)
    (workspace / MOU).write_text((workspace / MOU).read_text().replace("term_years: 5", "term_years: lima"))
    pools = started_early(monkeypatch)
    from dokgen.errors import DokgenError

    with pytest.raises(DokgenError, match="term_years"):
        build(workspace, jobs=2)
    assert len(pools) == 1
    assert not left_behind()  # the workers started for nothing are gone
    assert not (workspace / "out/mou").exists()


def test_no_early_workers_for_an_incremental_or_small_build(workspace, monkeypatch):
    pools = started_early(monkeypatch)
    assert not build(workspace).failed  # three records: rendering in-process pays better
    add_mous(workspace, 4)
    assert not build(workspace, jobs=2).failed  # a manifest: only the changed records render
    assert pools == [] and not left_behind()


def test_any_executor_factory_still_gets_the_workspace(workspace):
    """executor_factory keeps its call; the early pool is the default one's, not started then."""
    from concurrent.futures import ThreadPoolExecutor

    from dokgen import executor

    add_mous(workspace, 4)
    calls = []

    def threads(workers, ws, jobs, options, timeout):
        calls.append((workers, len(jobs)))
        executor._state.update(ws=ws, jobs=jobs, options=options, timeout=timeout)
        return ThreadPoolExecutor(workers)

    report = build(workspace, jobs=2, executor_factory=threads, clean=True)
    assert calls == [(2, 7)] and not report.failed and not left_behind()


def test_advice_of_unchanged_mous_comes_from_the_cache_and_a_changed_one_is_checked(workspace, monkeypatch):
    ids = add_mous(workspace, 3)
    first = build(workspace)
    seen = []

    def watched(check: advice.PerMou) -> advice.PerMou:
        spy = advice.PerMou(lambda ws, rec: seen.append(rec.id) or check.check(ws, rec))
        spy.__name__ = check.__name__  # the same check for the cache
        return spy

    monkeypatch.setattr(advice, "CHECKS", [watched(c) if isinstance(c, advice.PerMou) else c for c in advice.CHECKS])
    path = workspace / f"records/mou/{ids[1]}.yaml"
    path.write_text(path.read_text().replace("term_years: 2", "term_years: 3"))
    second = build(workspace)
    assert set(seen) == {ids[1]}  # only the changed MoU was checked again
    assert second.warnings == first.warnings
    # a repealed law cited: the changed MoU gets a new warning, the others keep theirs
    path.write_text(path.read_text().replace("\nrecitals:\n", "\nrecitals:\n  - bahwa Undang-Undang Nomor 32 Tahun 2004 tentang Pemerintahan Daerah mengatur kerja sama daerah;\n", 1))
    seen.clear()
    third = build(workspace)
    assert set(seen) == {ids[1]}
    new = [w for w in third.warnings if w not in first.warnings]
    assert new and all(f"records/mou/{ids[1]}.yaml" in w for w in new), new


def test_cached_advice_is_kept_per_language(workspace):
    """An Indonesian build, then an English one: the English warnings are English, not replayed."""
    from dokgen.i18n import using

    path = workspace / MOU
    path.write_text(path.read_text().replace("\nrecitals:\n", "\nrecitals:\n  - bahwa Undang-Undang Nomor 32 Tahun 2004 tentang Pemerintahan Daerah mengatur kerja sama daerah;\n", 1))
    with using("id"):
        indonesian = build(workspace).warnings
    english = build(workspace).warnings
    assert any("repealed by" in w for w in english), english
    assert not any("repealed by" in w for w in indonesian) and len(indonesian) == len(english)


# --- forked workers (issue 14, target 1) --------------------------------------------------------

SPY = """
import multiprocessing, sys
from pathlib import Path
methods = []
real = multiprocessing.get_context
multiprocessing.get_context = lambda method=None: (methods.append(method), real(method))[1]
from dokgen.build import build
{before}
report = build(Path(sys.argv[1]), jobs=2, clean=True)
print(methods, len(report.written), len(report.failed))
"""


def spied_build(ws: Path, before: str = "") -> str:
    """Build ws with two workers in a fresh interpreter; return which start methods were asked for."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", SPY.format(before=before), str(ws)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def mou_only(ws: Path, n: int) -> Path:
    for folder in ("labs", "press"):
        shutil.rmtree(ws / "records" / folder)
    add_mous(ws, n, with_lan=True)
    return ws


def test_a_word_only_build_forks_its_workers_and_gives_the_same_bytes(workspace, tmp_path):
    ws = mou_only(workspace, 12)
    other = tmp_path / "other"
    shutil.copytree(ws, other)
    assert spied_build(ws) == "['fork'] 13 0"  # no pool started early: forked after validation
    assert not build(other, jobs=1).failed
    assert len(outputs(ws)) == 13 and outputs(ws) == outputs(other)


def test_workers_are_spawned_once_weasyprint_is_loaded_or_a_thread_runs(workspace):
    ws = mou_only(workspace, 6)
    assert spied_build(ws, "import weasyprint") == "['spawn'] 7 0"
    assert spied_build(ws, "import threading, time; threading.Thread(target=time.sleep, args=(60,), daemon=True).start()") == "['spawn'] 7 0"


def test_a_build_with_reports_still_starts_spawned_workers_early(workspace, monkeypatch):
    add_mous(workspace, 4)  # the example's lab report: its workers import WeasyPrint while records are validated
    pools = started_early(monkeypatch)
    assert not build(workspace, jobs=2).failed
    assert len(pools) == 1 and not left_behind()


def test_forked_workers_end_when_the_build_is_killed(workspace):
    """kill -9 of the dokgen process alone (not its group): its workers go too, and the lock with them."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    ws = mou_only(workspace, 90)
    for i in range(600):  # enough drafts that the build is still rendering when it is killed
        shutil.copy(ws / f"records/mou/mitra-{i % 90:03d}.yaml", ws / f"records/mou/copy-{i:03d}.yaml")
    proc = subprocess.Popen([sys.executable, "-m", "dokgen", "-C", str(ws), "build", "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # progress lines: the workers are rendering
        if line.startswith("[1/"):
            break
    workers = psutil.Process(proc.pid).children()
    assert len(workers) >= 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []
    again = subprocess.run([sys.executable, "-m", "dokgen", "-C", str(ws), "build", "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]


# --- unchanged outputs are not rewritten --------------------------------------------------------


def test_a_clean_rebuild_leaves_files_with_the_same_bytes_alone_and_rewrites_changed_ones(workspace):
    import os

    ids = add_mous(workspace, 3)
    assert not build(workspace, jobs=1).failed
    out = workspace / "out"
    drafts = [out / f"mou/{i}.docx" for i in ids]
    for d in drafts:
        os.utime(d, ns=(1_000_000_000, 1_000_000_000))  # a time the manifest does not hold: the bytes decide
    changed = workspace / f"records/mou/{ids[1]}.yaml"
    changed.write_text(changed.read_text().replace("term_years: 2", "term_years: 9"))
    before = outputs(workspace)
    report = build(workspace, jobs=1, clean=True)
    assert not report.failed and f"out/mou/{ids[0]}.docx" in report.written
    after = outputs(workspace)
    assert after[f"mou/{ids[1]}.docx"] != before[f"mou/{ids[1]}.docx"]
    assert [d.stat().st_mtime_ns == 1_000_000_000 for d in drafts] == [True, False, True]
    assert {k: v for k, v in after.items() if k != f"mou/{ids[1]}.docx"} == {k: v for k, v in before.items() if k != f"mou/{ids[1]}.docx"}
    assert not build(workspace, jobs=1).failed  # the manifest still knows both: a plain build renders nothing
    assert build(workspace, jobs=1).written == []
