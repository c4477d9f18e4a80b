"""The build engine: incremental, hand edits kept, parallel, locked, reported."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from docx import Document

from dokgen.lock import BuildLock

MOU = "records/mou/pontianak-lan-2015.yaml"
OUT = "out/mou/pontianak-lan-2015.docx"


def add_mous(ws: Path, n: int, *, with_lan: bool = False) -> list[str]:
    """Add n MoUs between two new parties (and LAN as a third party when asked)."""
    base = (ws / MOU).read_text()
    for name in ("mitra-a", "mitra-b"):
        (ws / f"records/parties/{name}.yaml").write_text(
            (ws / "records/parties/lan.yaml").read_text().replace("Lembaga Administrasi Negara", f"Mitra {name[-1].upper()}").replace("short_name: LAN", f"short_name: Mitra {name[-1].upper()}")
        )
    ids = []
    for i in range(n):
        parties = "  - party: mitra-a\n    number: null\n  - party: mitra-b\n    number: null\n"
        if with_lan:
            parties += "  - party: lan\n    number: null\n"
        text = base.replace("  - party: pemkot-pontianak\n    number: null\n  - party: lan\n    number: null\n", parties)
        text = text.replace("term_years: 5", f"term_years: {i + 1}")
        ids.append(f"mitra-{i:03d}")
        (ws / f"records/mou/{ids[-1]}.yaml").write_text(text)
    return ids


def summary(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_second_build_skips_everything(workspace, run):
    code, out, _ = run("-C", str(workspace), "build", "--json")
    assert code == 0
    first = summary(out)
    assert first["built"] >= 1 and first["skipped"] == 0
    mtime = (workspace / OUT).stat().st_mtime_ns
    code, out, _ = run("-C", str(workspace), "build", "--json")
    again = summary(out)
    assert code == 0 and again["built"] == 0 and again["skipped"] == first["built"]
    assert (workspace / OUT).stat().st_mtime_ns == mtime  # not even rewritten
    code, out, _ = run("-C", str(workspace), "build", "--json", "--clean")
    assert summary(out)["built"] == first["built"]


def test_party_change_rebuilds_exactly_what_names_it(workspace, run):
    ids = add_mous(workspace, 3)  # these do not name LAN
    run("-C", str(workspace), "build", "--json")
    before = {i: sha(workspace / f"out/mou/{i}.docx") for i in ids}
    lan = workspace / "records/parties/lan.yaml"
    lan.write_text(lan.read_text().replace("Jalan Veteran No. 10", "Jalan Veteran No. 10A"))
    code, out, err = run("-C", str(workspace), "build")
    assert code == 0
    # the MoU names LAN, and so do the lab report and press piece built from it; the
    # three MoUs between other parties stay as they were
    assert "built out/mou/pontianak-lan-2015.docx" in err and ", 3 up to date" in out
    assert not any(f"out/mou/{i}.docx" in err for i in ids)
    assert {i: sha(workspace / f"out/mou/{i}.docx") for i in ids} == before
    assert "Jalan Veteran No. 10A" in "\n".join(p.text for p in Document(str(workspace / OUT)).paragraphs)


def test_template_change_rebuilds_its_outputs(workspace, run):
    run("-C", str(workspace), "build")
    tpl = workspace / "templates/docx/mou.docx"
    tpl.write_bytes(tpl.read_bytes())  # same bytes: nothing to do
    _, out, _ = run("-C", str(workspace), "build", "--json")
    assert summary(out)["built"] == 0
    doc = Document(str(tpl))
    doc.add_paragraph("Catatan tambahan dari bagian hukum.")
    doc.save(str(tpl))
    _, out, err = run("-C", str(workspace), "build")
    assert "built out/mou/pontianak-lan-2015.docx" in err and out.startswith("1 built")


def test_hand_edited_draft_is_kept(workspace, run):
    run("-C", str(workspace), "build")
    draft = workspace / OUT
    doc = Document(str(draft))
    doc.add_paragraph("Tambahan dari bagian hukum: pasal keadaan kahar.")
    doc.save(str(draft))
    edited = draft.read_bytes()
    # no input changed: the edited file is simply up to date? No: its bytes changed, so dokgen
    # must not overwrite it; it writes the new version beside it and exits 3.
    code, out, err = run("-C", str(workspace), "build")
    assert code == 3, err
    assert draft.read_bytes() == edited
    new = workspace / "out/mou/pontianak-lan-2015.dokgen-new.docx"
    assert new.is_file() and "edited by hand" in err and "--force" in err
    assert "keadaan kahar" not in "\n".join(p.text for p in Document(str(new)).paragraphs)
    code, _, _ = run("-C", str(workspace), "build", "--force")
    assert code == 0 and draft.read_bytes() != edited
    assert draft.read_bytes() == new.read_bytes()


def test_a_build_waits_for_the_lock_then_gives_up(workspace, run):
    (workspace / "out").mkdir()
    with BuildLock(workspace / "out"):
        code, _, err = run("-C", str(workspace), "build")
    assert code == 1 and "another dokgen build" in err
    assert not (workspace / OUT).exists()
    code, _, _ = run("-C", str(workspace), "build")
    assert code == 0


def test_one_failing_job_does_not_stop_the_others(workspace, run):
    """A template that assumes a third party fails for two-party MoUs only."""
    ids = add_mous(workspace, 2, with_lan=True)
    doc = Document()
    doc.add_paragraph("PIHAK KETIGA: {{ parties[2].name }}")
    doc.save(str(workspace / "templates/docx/mou.docx"))
    code, out, err = run("-C", str(workspace), "build", "--json", "--jobs", "2")
    assert code == 1
    result = summary(out)
    assert result["failed"] == 1 and result["built"] >= 2
    assert "records/mou/pontianak-lan-2015.yaml" in err and "Traceback" not in err
    for i in ids:
        assert (workspace / f"out/mou/{i}.docx").is_file()
    assert not (workspace / OUT).exists()


def test_jobs_1_and_2_give_identical_bytes(workspace, run, tmp_path):
    add_mous(workspace, 8)
    other = tmp_path / "other"
    shutil.copytree(workspace, other)
    assert run("-C", str(workspace), "build", "--jobs", "1")[0] == 0
    assert run("-C", str(other), "build", "--jobs", "2")[0] == 0
    ours = sorted(p.relative_to(workspace) for p in (workspace / "out").rglob("*.docx"))
    theirs = sorted(p.relative_to(other) for p in (other / "out").rglob("*.docx"))
    assert ours == theirs and len(ours) == 9
    for rel in ours:
        assert sha(workspace / rel) == sha(other / rel), rel


def test_leftover_temp_files_are_removed(workspace, run):
    (workspace / "out/mou").mkdir(parents=True)
    stale = workspace / "out/mou/.tmp-abc123"
    stale.write_bytes(b"half a file")
    run("-C", str(workspace), "build")
    assert not stale.exists()


def test_quiet_and_plain_progress(workspace, run, with_logos):
    with_logos(workspace)  # no warnings: --quiet then prints nothing at all
    code, out, err = run("-C", str(workspace), "build", "--quiet")
    assert code == 0 and out == "" and err == ""
    code, out, err = run("-C", str(workspace), "build", "--clean")
    assert "[1/" in err and "built" in out


def test_any_executor_can_run_the_jobs(workspace):
    """The engine only needs the concurrent.futures.Executor interface (here: threads)."""
    from concurrent.futures import ThreadPoolExecutor

    from dokgen import executor
    from dokgen.build import build

    ids = add_mous(workspace, 4)
    used = []

    def threads(workers, ws, jobs, options, timeout):
        used.append(workers)
        executor._state.update(ws=ws, jobs=jobs, options=options, timeout=0)  # what init_worker sets in a process
        return ThreadPoolExecutor(workers)

    report = build(workspace, jobs=2, executor_factory=threads)
    assert used == [2] and not report.failed
    for i in ids:
        assert (workspace / f"out/mou/{i}.docx").is_file()
