"""Issue 14, target 2: what a one-record rebuild takes from its caches is never stale.

The record cache, the end-of-build check of the workspace digest, the compiled Word
template and the cleaned logos kept between processes: each is served only for the very
bytes (and the very dokgen) it was made from, ignored when damaged, and a one-record
rebuild writes the bytes a --clean build writes. tests/test_build_cache.py checks the
record cache against files rewritten with the same size and time and another code stamp.
"""

from __future__ import annotations

import os
import pickle
import shutil
import time
from pathlib import Path
from typing import Iterator

import pytest

from dokgen import build as build_module, cache, images
from dokgen.build import build
from dokgen.cache import Seen, workspace_digest

from test_build_cache import rewrite_keeping_size_and_time, text_of
from test_build_engine import add_mous
from test_build_speed import outputs

MOU = "records/mou/pontianak-lan-2015.yaml"
OUT = "out/mou/pontianak-lan-2015.docx"


@pytest.fixture(autouse=True)
def user_cache(tmp_path, monkeypatch) -> Iterator[Path]:
    """A per-user cache folder of this test's own (compiled templates, cleaned logos)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    images._clean.cache_clear()  # the in-process memo of cleaned logos
    cache._user_key.cache_clear()  # the key in that folder, as a subprocess reads it
    yield tmp_path / "user-cache" / "dokgen"
    cache._user_key.cache_clear()


def change_term(ws: Path, years: int, record: str = MOU) -> None:
    path = ws / record
    text = path.read_text()
    start = text.index("term_years: ")
    path.write_text(text[:start] + f"term_years: {years}" + text[text.index("\n", start):])


def test_a_one_record_change_writes_the_bytes_of_a_clean_build(workspace, with_logos, tmp_path):
    with_logos(workspace)
    add_mous(workspace, 3, with_lan=True)  # LAN's logo in each
    assert not build(workspace).failed
    change_term(workspace, 7, "records/mou/mitra-001.yaml")
    report = build(workspace)  # every other record, the template's code and the logos from the caches
    assert not report.failed and report.written and report.skipped
    twin = tmp_path / "twin"
    shutil.copytree(workspace, twin)
    shutil.rmtree(twin / "out")
    for folder in ("jinja", "logos"):  # and from nothing at all
        shutil.rmtree(cache.user_folder() / folder)
    assert not build(twin, clean=True).failed
    assert outputs(workspace) == outputs(twin)


def test_the_end_of_build_check_reads_again_what_may_have_changed(tmp_path):
    """A file whose status is unchanged since the first pass is not read again, unless it changed within a tick of it."""
    ws = tmp_path / "ws"
    (ws / "records").mkdir(parents=True)
    path = ws / "records/a.yaml"
    path.write_text("a: 1\n")
    first = Seen()
    digest = workspace_digest(ws, b"", first)
    assert digest is not None and "records/a.yaml" in first.files
    status, _ = first.files["records/a.yaml"]
    first.files["records/a.yaml"] = (status, bytes(32))  # what the first pass would say had it read other bytes
    assert workspace_digest(ws, b"", again=first) == digest  # just written: read again
    old = Seen(started_ns=time.time_ns() + 10 * 10**9, files=dict(first.files))  # the file older than the pass
    assert workspace_digest(ws, b"", again=old) != digest  # taken from the pass, not read
    rewrite_keeping_size_and_time(path, "a: 1", "a: 2")  # moves the status time, which no tool sets back
    old.files["records/a.yaml"] = (status, first.files["records/a.yaml"][1])
    fresh = workspace_digest(ws, b"")
    assert workspace_digest(ws, b"", again=old) == fresh != digest


def test_a_record_edited_during_the_build_leaves_no_memo_to_replay(workspace, run, monkeypatch):
    assert build(workspace).written
    real = build_module.record_warnings

    def edit_meanwhile(*args, **kwargs):
        rewrite_keeping_size_and_time(workspace / MOU, "term_years: 4", "term_years: 6")
        return real(*args, **kwargs)

    change_term(workspace, 4)
    monkeypatch.setattr(build_module, "record_warnings", edit_meanwhile)
    assert not build(workspace).failed  # rendered from term 4, the file says 6 at the end
    monkeypatch.undo()
    code, out, err = run("-C", str(workspace), "build")
    assert code == 0 and "0 built" not in out, err
    assert "6 (enam) tahun" in text_of(workspace / OUT)


def test_the_compiled_template_is_served_only_for_its_source_and_this_dokgen(user_cache, monkeypatch):
    from dokgen.templates import make_env

    env = make_env()
    assert cache.compiled_template(env, "{{ a }}-{{ b|upper }}").render(a=1, b="x") == "1-X"
    assert len(list((user_cache / "jinja").iterdir())) == 1
    assert cache.compiled_template(make_env(), "{{ a }}-{{ b|upper }}").render(a=1, b="x") == "1-X"  # from the file
    assert cache.compiled_template(env, "{{ a }}+{{ b|upper }}").render(a=1, b="x") == "1+X"  # another source
    monkeypatch.setattr(cache, "code_stamp", lambda: "another dokgen")
    assert cache.compiled_template(env, "{{ a }}-{{ b|upper }}").render(a=2, b="y") == "2-Y"
    assert len(list((user_cache / "jinja").iterdir())) == 3


@pytest.mark.parametrize("damage", ["garbage", "truncated", "planted"])
def test_a_damaged_user_cache_is_ignored(workspace, with_logos, user_cache, damage):
    with_logos(workspace)
    assert not build(workspace).failed
    first = outputs(workspace)
    marker = workspace / "ran"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    files = [*(user_cache / "jinja").iterdir(), *(user_cache / "logos").iterdir()]
    assert len(files) >= 3  # the template's parts and the two logos
    for path in files:
        data = path.read_bytes()
        if damage == "garbage":
            path.write_bytes(os.urandom(len(data)))
        elif damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        else:
            path.write_bytes(pickle.dumps({"stamp": cache.code_stamp(), "key": path.stem, "code": Payload(), "data": Payload()}))
    images._clean.cache_clear()
    shutil.rmtree(workspace / "out")
    assert not build(workspace).failed
    assert outputs(workspace) == first and not marker.exists()


def test_a_logo_changed_with_the_same_size_and_time_is_cleaned_again(workspace, with_logos):
    from PIL import Image

    with_logos(workspace)
    logo = workspace / "assets/logo-lan.png"
    assert not build(workspace).failed
    before = images.clean_logo(logo)[0]
    st = logo.stat()
    Image.new("RGB", (8, 8), (200, 128, 128)).save(logo)  # the same size: another colour, 8 x 8 again
    assert logo.stat().st_size == st.st_size
    os.utime(logo, ns=(st.st_atime_ns, st.st_mtime_ns))
    images._clean.cache_clear()  # a new process
    after = images.clean_logo(logo)[0]
    assert after != before
    with Image.open(__import__("io").BytesIO(after)) as img:
        assert img.getpixel((0, 0)) == (200, 128, 128)


def test_records_from_the_cache_build_no_validator(workspace, tmp_path):
    """pydantic builds a record model's validator on its first validation only (defer_build)."""
    import subprocess
    import sys

    assert not build(workspace).failed
    probe = ("from pathlib import Path; from dokgen import model; from dokgen.cache import RecordCache; "
             "from dokgen.records import load_workspace; "
             f"ws = load_workspace(Path({str(workspace)!r}), RecordCache(Path({str(workspace / 'out')!r}))); "
             "print(len(ws.mou), model.Mou.__pydantic_complete__, model.Party.__pydantic_complete__)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "False", "False"]


def test_a_template_lint_that_passed_is_not_run_again_for_new_values_only(workspace, monkeypatch):
    """The lint's verdict depends on the context's names and leaf types, not on the record's values."""
    from dokgen import lint

    linted = []
    real = lint.raise_on_template_problems
    monkeypatch.setattr(lint, "raise_on_template_problems", lambda *a: linted.append(1) or real(*a))
    assert not build(workspace).failed and linted == [1]
    change_term(workspace, 9)  # the one MoU: in the lint's sample
    assert not build(workspace).failed and linted == [1]
    monkeypatch.chdir(workspace)  # the same workspace named by a relative path: logo paths read differently
    assert not build(Path(".")).failed and linted == [1]
    from test_docx_fast import stored_template

    stored_template(workspace / "templates/docx/mou.docx", b"PARA PIHAK", b"PARA_PIHAK")  # another template: linted again
    assert not build(workspace).failed and linted == [1, 1]


def test_a_file_trusted_by_its_status_is_read_again_once_rewritten(workspace, run, monkeypatch):
    """As if every file were old (no tick to fear): the records are taken by the digest pass's
    reading of them, and a file rewritten after that pass with the same size and time is read
    again when the records are loaded (its status time moves)."""
    monkeypatch.setattr(cache, "RACY_NS", -10**15)
    known = []
    real_unchanged = cache.RecordCache.unchanged
    monkeypatch.setattr(cache.RecordCache, "unchanged", lambda self, rel, path: known.append(real_unchanged(self, rel, path)) or known[-1])
    assert build(workspace).written and all(known)  # every record file known from the digest pass
    change_term(workspace, 3)
    real_digest = cache.workspace_digest

    def rewrite_after_the_pass(*args, **kwargs):
        digest = real_digest(*args, **kwargs)
        if kwargs.get("again") is None:
            rewrite_keeping_size_and_time(workspace / MOU, "term_years: 3", "term_years: 8")
        return digest

    monkeypatch.setattr(cache, "workspace_digest", rewrite_after_the_pass)
    known.clear()
    assert build(workspace).written and None in known
    monkeypatch.setattr(cache, "workspace_digest", real_digest)
    assert "8 (delapan) tahun" in text_of(workspace / OUT)  # the bytes on disk when the record was loaded
    code, out, err = run("-C", str(workspace), "build")
    assert code == 0 and "0 built" in out, err  # keyed by the bytes they were made from
    assert "8 (delapan) tahun" in text_of(workspace / OUT)


def test_the_lint_builds_no_sample_context_when_the_samples_and_their_files_are_unchanged(workspace, monkeypatch):
    """Context shapes come from sample records; unchanged samples (and parties, scopes) give the same shapes."""
    from dokgen import lint

    shaped = []
    real = lint.context_shape
    monkeypatch.setattr(lint, "context_shape", lambda ws, kind: shaped.append(kind) or real(ws, kind))
    assert not build(workspace).failed and shaped
    shaped.clear()
    assert not build(workspace, clean=True).failed and shaped == []  # every file as it was
    party = workspace / "records/parties/lan.yaml"  # a party of the sampled MoU: its context may differ
    party.write_text(party.read_text().replace("Lembaga Administrasi Negara", "Lembaga Administrasi Negara RI"))
    assert not build(workspace).failed and "mou" in shaped
