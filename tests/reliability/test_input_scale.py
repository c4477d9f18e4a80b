"""Guarantee: validation time grows linearly with the size of a record, and one broken file
cannot flood the screen.

A record with thousands of mistakes (a pasted spreadsheet, a script gone wrong) is
validated in time proportional to its size, whatever the mistakes are: unknown keys at the
top or deep inside, duplicate keys, wrong values in a long list. Each file reports its
first problems and how many more there are.
"""

from __future__ import annotations

import gc
import re
import shutil
import time
from pathlib import Path

import pytest

from dokgen.errors import MAX_PROBLEMS_PER_FILE, ProblemsError
from dokgen.records import load_workspace

from .conftest import scale

GUARANTEE = "20 scale of input: linear validation"
LAN = "records/parties/lan.yaml"
LAB = "records/labs/labinov-pontianak-2015.yaml"


def unknown_top(n: int) -> tuple[str, str]:
    return LAN, "".join(f"kunci_{i}: nilai\n" for i in range(n))


def unknown_nested(n: int) -> tuple[str, str]:
    return LAN, "".join(f"  ttd_{i}: nilai\n" for i in range(n))  # inside signatory:, the last block of the file


def duplicate_keys(n: int) -> tuple[str, str]:
    return LAN, "name: lagi\n" * n


def unknown_in_list_items(n: int) -> tuple[str, str]:
    return LAB, "".join(f"  - name: Unit {i}\n    type: opd\n    tipe_lain: x\n" for i in range(n // 2))


def bad_values_in_list(n: int) -> tuple[str, str]:
    return LAB, "".join(f"  - [bukan, mapping, {i}]\n" for i in range(n))


SHAPES = {f.__name__: f for f in (unknown_top, unknown_nested, duplicate_keys, unknown_in_list_items, bad_values_in_list)}


def _workspace(root: Path, shape, n: int) -> Path:
    ws = root / f"{shape.__name__}-{n}"
    shutil.copytree(Path(__file__).resolve().parents[2] / "records", ws / "records")
    rel, text = shape(n)
    path = ws / rel
    if shape in (unknown_in_list_items, bad_values_in_list):
        body = path.read_text()
        start, end = body.index("units:\n"), body.index("outcomes:")
        path.write_text(body[:start] + "units:\n" + text + body[end:])
    else:
        path.write_text(path.read_text() + text)
    return ws


def _validate(ws: Path) -> tuple[float, ProblemsError]:
    # CPU time of this process: other processes on a busy machine do not count. Python's
    # cyclic collector runs more often, over more objects, as a run allocates more: it is
    # switched off while timing so that the ratio measures dokgen's own work.
    gc.collect()
    gc.disable()
    started = time.process_time()
    try:
        load_workspace(ws)
    except ProblemsError as exc:
        return time.process_time() - started, exc
    finally:
        gc.enable()
    raise AssertionError("the record was accepted")


@pytest.mark.guarantee(GUARANTEE)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_validation_time_is_linear_in_the_number_of_mistakes(tmp_path, figure, shape):
    small, large = 2_000, scale(16_000, 64_000)
    runs = {n: _workspace(tmp_path, SHAPES[shape], n) for n in (small, large)}
    _validate(runs[small])  # imports and pydantic's first use out of the timing
    best = {n: min(_validate(ws)[0] for _ in range(3 if n == small else 1)) for n, ws in runs.items()}
    ratio = best[large] / best[small]
    figure.cases += 1
    figure.note = "; ".join(filter(None, [figure.note, f"{shape} {large // small}x input: {ratio:.1f}x time ({best[large]:.2f} s)"]))
    print(f"\n{shape}: {small} -> {best[small]:.3f} s, {large} -> {best[large]:.3f} s, ratio {ratio:.1f} (linear: {large // small})")
    # linear is large/small (8); quadratic would be 64. The bound leaves room for a busy machine.
    linear = ratio < 2.5 * large / small
    figure.failures += not linear
    assert linear, (best, ratio)


@pytest.mark.guarantee(GUARANTEE)
def test_one_file_reports_its_first_problems_and_how_many_more(tmp_path, run, figure):
    ws = _workspace(tmp_path, unknown_top, 5_000)
    pontianak = ws / "records/parties/pemkot-pontianak.yaml"
    pontianak.write_text(pontianak.read_text() + "".join(f"salah_{i}: x\n" for i in range(70)))
    mou = ws / "records/mou/pontianak-lan-2015.yaml"
    mou.write_text(mou.read_text() + "".join(f"keliru_{i}: x\n" for i in range(3)))
    code, out, err = run("-C", str(ws), "check")
    lines = err.splitlines()
    per_file: dict[str, int] = {}
    for line in lines:
        m = re.match(r"^(records/\S+?):\d+:\d+: ", line)
        if m:
            per_file[m.group(1)] = per_file.get(m.group(1), 0) + 1
    figure.cases += 3
    expected = {LAN: MAX_PROBLEMS_PER_FILE + 1, "records/parties/pemkot-pontianak.yaml": MAX_PROBLEMS_PER_FILE + 1,
                "records/mou/pontianak-lan-2015.yaml": 3}
    figure.failures += sum(per_file.get(k) != v for k, v in expected.items())
    assert code == 1 and per_file == expected, per_file
    assert re.search(rf"^{LAN}:\d+:\d+: and 4,950 more problems in this file", err, re.M), err[-500:]
    assert "and 20 more problems in this file" in err
    assert lines[-1] == "error: 5,073 problems in 3 files; nothing was written"
    # the problems shown are the first of each file, in line order
    shown = [int(m.group(1)) for m in re.finditer(rf"^{LAN}:(\d+):\d+: kunci_\d+", err, re.M)]
    assert shown == sorted(shown) and len(shown) == MAX_PROBLEMS_PER_FILE
