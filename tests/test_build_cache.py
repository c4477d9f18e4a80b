"""The build caches (out/.dokgen-cache): a no-op build says what a full one says, and nothing stale is ever served."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from dokgen import cache

MOU = "records/mou/pontianak-lan-2015.yaml"
LAN = "records/parties/lan.yaml"
OUT = "out/mou/pontianak-lan-2015.docx"


def text_of(path: Path) -> str:
    doc = Document(io.BytesIO(path.read_bytes()))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def rewrite_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    """Change path's text in place, keeping its size and modification time (as a careless copy tool might)."""
    assert len(old.encode()) == len(new.encode())
    st = path.stat()
    data = path.read_bytes()
    assert old.encode() in data
    path.write_bytes(data.replace(old.encode(), new.encode()))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def build(run, ws: Path, *args: str) -> tuple[int, str, str]:
    """(exit status, stdout, the warnings, notes and errors on stderr without the progress lines)."""
    code, out, err = run("-C", str(ws), "build", *args)
    return code, out, "".join(line for line in err.splitlines(keepends=True) if not line.startswith("["))


def test_a_no_op_build_says_what_a_full_build_says(workspace, run):
    (workspace / "records/.~lock.lan.yaml#").write_text("x")  # litter: a note on every build
    code, out, first = build(run, workspace)
    assert code == 0 and "warning:" in first and "note:" in first
    assert (workspace / "out" / cache.MEMO_FILE).is_file()
    code, out, again = build(run, workspace)
    assert code == 0 and "0 built" in out
    assert again == first  # the same warnings and notes, in the same order
    for name in (cache.RECORDS_FILE, cache.MEMO_FILE):  # without any cache: still the same
        (workspace / "out" / name).unlink()
    code, out, fresh = build(run, workspace)
    assert code == 0 and "0 built" in out and fresh == first


def test_advice_follows_the_records_it_reads(workspace, run, with_logos):
    code, _, err = build(run, workspace)
    assert "logo: none given" in err
    with_logos(workspace)  # another record changes: the warning about it goes
    code, _, err = build(run, workspace)
    assert code == 0 and "logo: none given" not in err
    code, out, again = build(run, workspace)
    assert "0 built" in out and again == err


def test_a_record_changed_with_the_same_size_and_time_is_read_again(workspace, run):
    assert build(run, workspace)[0] == 0
    assert build(run, workspace)[0] == 0  # every cache warm
    rewrite_keeping_size_and_time(workspace / LAN, "Lembaga Administrasi Negara", "Lembaga Administrasi Negeri")
    code, out, err = build(run, workspace)
    assert code == 0 and "5 built" in out, err  # LAN is in the MoU, the lab report and the press piece
    text = text_of(workspace / OUT)
    assert "LEMBAGA ADMINISTRASI NEGERI" in text and "LEMBAGA ADMINISTRASI NEGARA" not in text  # the title block


def test_a_template_changed_with_the_same_size_and_time_is_used(workspace, run):
    from test_docx_fast import stored_template  # the Word template rewritten uncompressed, a word changed

    path = workspace / "templates/docx/mou.docx"
    stored_template(path, b"", b"")
    assert build(run, workspace)[0] == 0
    assert build(run, workspace)[0] == 0  # every cache warm
    st = path.stat()
    stored_template(path, b"PARA PIHAK", b"PARA_PIHAK")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    code, out, err = build(run, workspace)
    assert code == 0 and "1 built" in out, err
    assert "PARA_PIHAK" in text_of(workspace / OUT)


def test_a_logo_changed_with_the_same_size_and_time_is_checked_again(workspace, run, with_logos):
    with_logos(workspace)
    assert build(run, workspace)[0] == 0
    assert build(run, workspace)[0] == 0
    logo = workspace / "assets/logo-lan.png"
    data = logo.read_bytes()
    st = logo.stat()
    logo.write_bytes(data[:20] + bytes(len(data) - 20))  # the same size, broken past the header
    os.utime(logo, ns=(st.st_atime_ns, st.st_mtime_ns))
    code, _, err = build(run, workspace)
    assert code == 1 and "records/parties/lan.yaml" in err and "logo" in err and "not a readable image" in err


def test_a_logo_outside_assets_is_watched_too(workspace, run, with_logos):
    with_logos(workspace)
    for folder in ("labs", "press"):  # the lab report takes logos from assets/ only
        shutil.rmtree(workspace / "records" / folder)
    (workspace / "logos").mkdir()
    shutil.move(workspace / "assets/logo-lan.png", workspace / "logos/lan.png")
    party = workspace / LAN
    party.write_text(party.read_text().replace("assets/logo-lan.png", "logos/lan.png"))
    assert build(run, workspace)[0] == 0
    first = (workspace / OUT).read_bytes()
    from PIL import Image

    Image.new("RGB", (30, 10), "red").save(workspace / "logos/lan.png")
    code, out, err = build(run, workspace)
    assert code == 0 and "0 built" not in out, err
    assert (workspace / OUT).read_bytes() != first


def poisoned(ws: Path) -> None:
    """Change the cached record of LAN behind dokgen's back (its digest still matches the file)."""
    path = ws / "out" / cache.RECORDS_FILE
    data = cache.unseal(path.read_bytes())
    digest, blob = data["records"][LAN]
    rec = pickle.loads(blob)
    rec.model = rec.model.model_copy(update={"name": "NAMA DARI CACHE"})
    data["records"][LAN] = (digest, pickle.dumps(rec))
    path.write_bytes(cache.seal(data))
    shutil.rmtree(ws / "out/mou")  # so that the MoU is rendered again


def test_the_record_cache_is_what_a_build_uses(workspace, run):
    """The poisoned entry is served under the same dokgen: the tests below mean something."""
    assert build(run, workspace)[0] == 0
    poisoned(workspace)
    assert build(run, workspace)[0] == 0
    assert "NAMA DARI CACHE" in text_of(workspace / OUT)


def test_another_dokgen_never_reads_this_cache(workspace, run, monkeypatch):
    assert build(run, workspace)[0] == 0
    poisoned(workspace)
    monkeypatch.setattr(cache, "code_stamp", lambda: "another version or model")
    code, out, err = build(run, workspace)
    assert code == 0, err
    assert "NAMA DARI CACHE" not in text_of(workspace / OUT)
    assert "Lembaga Administrasi Negara" in text_of(workspace / OUT)


@pytest.mark.parametrize("change", ["version", "model"])
def test_the_code_stamp_covers_the_version_and_the_model(tmp_path, change):
    """dokgen's version and its model module both change the stamp every cache file carries."""
    package = tmp_path / "dokgen"
    shutil.copytree(Path(cache.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    stamp = [sys.executable, "-c", "from dokgen.cache import code_stamp; print(code_stamp())"]
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    before = subprocess.run(stamp, env=env, capture_output=True, text=True, check=True).stdout
    assert subprocess.run(stamp, env=env, capture_output=True, text=True, check=True).stdout == before
    if change == "version":
        init = package / "__init__.py"
        init.write_text(init.read_text().replace('__version__ = "', '__version__ = "9'))
    else:
        model = package / "model.py"
        model.write_text(model.read_text().replace("YEARS = (1900, 2100)", "YEARS = (1900, 2200)"))
    after = subprocess.run(stamp, env=env, capture_output=True, text=True, check=True).stdout
    assert after.strip() and after != before


@pytest.mark.parametrize("forged", [False, True])
def test_a_cache_file_not_sealed_by_this_user_is_never_unpickled(workspace, run, forged):
    """Unpickling runs code: a cache planted in a shared out/ must not be loaded, let alone run."""
    assert build(run, workspace)[0] == 0
    marker = workspace / "ran"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    planted = pickle.dumps({"stamp": cache.code_stamp(), "records": Payload()})
    for name in (cache.RECORDS_FILE, cache.MEMO_FILE):
        # plain pickle (what dokgen wrote before the seal), or behind a seal of someone else's key
        (workspace / "out" / name).write_bytes(cache.SEAL + bytes(32) + planted if forged else planted)
    shutil.rmtree(workspace / "out/mou")
    code, out, _ = build(run, workspace)
    assert code == 0 and "1 built" in out and not marker.exists()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "wrong shape", "folder"])
def test_a_damaged_cache_is_ignored_and_written_again(workspace, run, damage):
    code, _, first = build(run, workspace)
    assert code == 0
    shutil.rmtree(workspace / "out/mou")
    for name in (cache.RECORDS_FILE, cache.MEMO_FILE):
        path = workspace / "out" / name
        data = path.read_bytes()
        if damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            path.write_bytes(os.urandom(len(data)))
        elif damage == "empty":
            path.write_bytes(b"")
        elif damage == "wrong shape":
            path.write_bytes(pickle.dumps({"stamp": cache.code_stamp(), "records": [1, 2], "passed": "x", "memo": 3}))
        else:
            path.unlink()
            path.mkdir()
    code, out, err = build(run, workspace)
    assert code == 0 and "1 built" in out and err == first  # no traceback, the same warnings
    assert "Lembaga Administrasi Negara" in text_of(workspace / OUT)
    if damage != "folder":
        records = cache.unseal((workspace / "out" / cache.RECORDS_FILE).read_bytes())
        assert records["stamp"] == cache.code_stamp() and LAN in records["records"]  # rebuilt


def test_check_writes_no_cache(workspace, run):
    code, _, _ = run("-C", str(workspace), "check")
    assert code == 0 and not (workspace / "out").exists()


def test_invalid_records_write_no_cache(workspace, run):
    (workspace / LAN).write_text((workspace / LAN).read_text().replace("short_name:", "shortname:"))
    code, _, err = build(run, workspace)
    assert code == 1 and "nothing was written" in err
    assert not (workspace / "out").exists()
