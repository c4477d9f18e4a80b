"""Guarantee 6: no record, id or folder trick makes dokgen write outside out/.

Every case gets its own workspace with a sibling folder, `outside/`, holding files that
must not change (a document, a file that looks like a dokgen temp file, a logo). The
whole tree around the workspace (outside/ and the working directory the build runs in)
is walked before and after the build: any new, changed or deleted entry is a failure.

* record file names and ids that are not plain lowercase slugs (`../x`, `..`, `CON`,
  `a b`, full-width `ｘ` and `．．`, uppercase) are rejected at validation, with a message
  located at the file (and field) at fault;
* `out/` itself, a folder inside it, an output or dokgen's own lock file being a symbolic
  link: the build refuses with a clear message and no traceback;
* a logo given as an absolute path, a `../` path, or through a symbolic link (file or
  folder) that leads out of the workspace is refused at validation.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from PIL import Image

from dokgen.cli import cli

REPO = Path(__file__).resolve().parents[2]
MOU = "records/mou/pontianak-lan-2015.yaml"
PARTY = "records/parties/lan.yaml"
DRAFT = "out/mou/pontianak-lan-2015.docx"


def new_case(root: Path) -> tuple[Path, Path]:
    """A workspace (MoU only: no PDF to render) and a sibling folder that must stay as it is."""
    ws, outside = root / "ws", root / "outside"
    for part in ("records", "templates", "assets"):
        shutil.copytree(REPO / part, ws / part)
    shutil.rmtree(ws / "records/labs")
    shutil.rmtree(ws / "records/press")
    outside.mkdir()
    (outside / "precious.docx").write_bytes(b"someone else's document")
    (outside / ".tmp-precious").write_bytes(b"not a dokgen temp file")
    (outside / ".dokgen-manifest.json").write_text('{"not": "ours"}')
    Image.new("RGB", (8, 8), "red").save(outside / "logo.png")
    (root / "cwd").mkdir()
    return ws, outside


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root except the workspace, without following symbolic links."""
    seen: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d != "ws"]
        for name in dirs + files:
            path = Path(folder, name)
            st = path.lstat()
            if path.is_symlink():
                seen[str(path)] = ("link", os.readlink(path))
            elif path.is_dir():
                seen[str(path)] = ("dir",)
            else:
                seen[str(path)] = ("file", st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return seen


def invoke(*args: str) -> tuple[int, str, bool]:
    """Run the CLI in-process; return (exit code, stderr, whether a traceback escaped)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr, escaped or "Traceback" in result.stderr


# --- the cases ----------------------------------------------------------------------------
# each: (name, setup(ws, outside), expectation); expectation is a regex stderr must match
# with exit status 1, or None when the build may succeed (containment is all that counts)

Setup = Callable[[Path, Path], None]


def record_named(stem: str) -> Setup:
    def setup(ws: Path, outside: Path) -> None:
        shutil.copy(ws / MOU, ws / f"records/mou/{stem}.yaml")
    return setup


def party_ref(value: str) -> Setup:
    def setup(ws: Path, outside: Path) -> None:
        path = ws / MOU
        text = path.read_text()
        assert "  - party: lan\n" in text
        path.write_text(text.replace("  - party: lan\n", f"  - party: {json.dumps(value)}\n"))
    return setup


def logo(value: Callable[[Path, Path], str], link: tuple[str, str] | None = None) -> Setup:
    def setup(ws: Path, outside: Path) -> None:
        if link:
            (ws / link[0]).symlink_to(outside / link[1])
        with open(ws / PARTY, "a") as fh:
            fh.write(f"logo: {json.dumps(value(ws, outside))}\n")
    return setup


def link_in_out(rel: str, target: str, *, build_first: bool = False, edit_draft: bool = False) -> Setup:
    def setup(ws: Path, outside: Path) -> None:
        if build_first:
            code, err, tb = invoke("-C", str(ws), "build", "--jobs", "1")
            assert code == 0 and not tb, err
        if edit_draft:
            (ws / DRAFT).write_bytes((ws / DRAFT).read_bytes() + b"edited")
        path = ws / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(outside / target if target else outside)
    return setup


def located(rel: str, field: str = "") -> str:
    return rf"(?m)^{re.escape(rel)}:\d+:\d+: {re.escape(field + ': ') if field else ''}"


BAD_STEMS = ["Report", "CON", "a b", "ｘ", "．．", "ｃｏｎ", "x..y", "-x", "a\\b", "x.docx", "é"]
BAD_IDS = ["../x", "..", "/etc/x", "..\\x", "CON", "ｘ", "．．/x", "a b", "Lan", "lan/../../x"]

CASES: list[tuple[str, Setup, str | None]] = [
    *[(f"record file {s!r}.yaml", record_named(s), located(f"records/mou/{s}.yaml") + "file name .* is not a valid id") for s in BAD_STEMS],
    # a file named '...yaml' (id '..') is a hidden file: skipped like editor backups
    ("record file '..'.yaml (hidden)", record_named(".."), None),
    *[(f"party id {v!r}", party_ref(v), located(MOU, "parties[1].party") + ".*is not an id") for v in BAD_IDS],
    ("logo: absolute path", logo(lambda ws, o: str(o / "logo.png")), located(PARTY, "logo") + ".*relative to the workspace"),
    ("logo: ../ path", logo(lambda ws, o: "../outside/logo.png"), located(PARTY, "logo") + ".*outside the workspace"),
    ("logo: assets/../../ path", logo(lambda ws, o: "assets/../../outside/logo.png"), located(PARTY, "logo") + ".*outside the workspace"),
    ("logo: symlinked file", logo(lambda ws, o: "assets/logo.png", ("assets/logo.png", "logo.png")), located(PARTY, "logo") + ".*outside the workspace"),
    ("logo: symlinked folder", logo(lambda ws, o: "assets/ext/logo.png", ("assets/ext", "")), located(PARTY, "logo") + ".*outside the workspace"),
    ("out/ is a symlink", link_in_out("out", ""), r"^error: .*out.*symbolic link"),
    ("out/mou/ is a symlink", link_in_out("out/mou", ""), r"^error: .*out/mou.*symbolic link"),
    ("out/mou/<id>.docx is a symlink", link_in_out(DRAFT, "precious.docx"), r"^error: .*symbolic link"),
    ("out/.dokgen.lock is a symlink", link_in_out("out/.dokgen.lock", "precious.docx"), r"^error: .*dokgen\.lock.*symbolic link"),
    ("out/<id>.dokgen-new.docx is a symlink", link_in_out("out/mou/pontianak-lan-2015.dokgen-new.docx", "precious.docx", build_first=True, edit_draft=True), r"^error: .*symbolic link"),
    # dokgen's own files replaced by links: the link is replaced or refused, never followed
    ("out/.dokgen-manifest.json is a symlink", link_in_out("out/.dokgen-manifest.json", ".dokgen-manifest.json"), None),
    ("out/.dokgen-journal is a symlink", link_in_out("out/.dokgen-journal", "precious.docx"), None),
    ("out/mou/.tmp-x is a symlink", link_in_out("out/mou/.tmp-x", ".tmp-precious"), None),
    ("out/mou/.tmp-dir is a symlinked folder", link_in_out("out/mou/.tmp-dir", ""), None),
]


@pytest.mark.guarantee("6 containment: writes stay in out/")
def test_nothing_is_written_outside_out(tmp_path, monkeypatch, figure):
    failures: list[str] = []
    written_outside = tracebacks = checked = 0
    for n, (name, setup, expect) in enumerate(CASES):
        root = tmp_path / f"case-{n:02d}"
        ws, outside = new_case(root)
        setup(ws, outside)
        monkeypatch.chdir(root / "cwd")  # a relative write would land here, outside the workspace
        before = snapshot(root)
        code, err, tb = invoke("-C", str(ws), "build", "--jobs", "1")
        after = snapshot(root)
        checked += len(after)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if changed:
            written_outside += len(changed)
            failures.append(f"{name}: changed outside the workspace: {changed}")
        if tb:
            tracebacks += 1
            failures.append(f"{name}: a traceback: {err[-600:]}")
        if expect is not None and (code != 1 or not re.search(expect, err, re.M)):
            failures.append(f"{name}: expected exit 1 and /{expect}/, got exit {code}: {err[-400:]}")
        if expect is not None and expect.startswith("(?m)^records/") and (ws / "out").exists():
            failures.append(f"{name}: rejected at validation, yet out/ was created")
        for path in (ws / "out").rglob("*") if (ws / "out").is_dir() and not (ws / "out").is_symlink() else []:
            if path.is_symlink() and path.name.startswith(".dokgen-") and path.name != ".dokgen.lock":
                failures.append(f"{name}: {path} is still a link after the build")

    figure.cases = len(CASES)
    figure.failures = written_outside  # the figure that matters: entries outside written
    figure.tracebacks = tracebacks
    figure.files_checked = checked
    figure.note = f"{len(failures)} cases not handled as expected"
    print(f"\nguarantee 6: {len(CASES)} cases, {written_outside} entries outside the workspace changed, "
          f"{checked} entries outside compared, {len(failures)} failures")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("stem", ["con", "nul", "aux", "prn", "com1", "lpt1"])
def test_windows_device_names_are_rejected_as_ids(tmp_path, stem):
    ws, _ = new_case(tmp_path)
    shutil.copy(ws / MOU, ws / f"records/mou/{stem}.yaml")
    code, err, tb = invoke("-C", str(ws), "build", "--jobs", "1")
    assert not tb
    assert code == 1 and re.search(located(f"records/mou/{stem}.yaml"), err), err
