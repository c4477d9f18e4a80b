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
