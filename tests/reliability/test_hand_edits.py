"""Guarantee: no clerk's work is lost, in any order of edits, deletions and renames.

A clerk works in out/ between builds the way people do: edits the Word draft or a press
file, edits the new version dokgen offered beside it (<id>.dokgen-new.<ext>), accepts a new
version by moving it over the draft, deletes or renames files, drops an unrelated file at
a name dokgen would use, or loses the manifest. The records change now and then. A seeded
random walk mixes these steps with builds; after every build:

* every file whose bytes the clerk made is still there, byte for byte (no lost edit);
* the current version of every output exists: at its own path, or at the new-version path
  the build named in its `kept ... the new version is ...` line (exit 3 exactly then);
* no temp file is left, no traceback is printed.

Fixed scenarios check what the walk may not reach: `--force` overwrites the draft but not
the edited new versions, and a new version accepted by copying it over the draft is
replaced without a word.
"""

from __future__ import annotations

import random
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from dokgen.cli import cli

from .conftest import scale
from .workspaces import PRESS, example_workspace

PARTY = "records/parties/lan.yaml"
OUTPUTS = ["mou/pontianak-lan-2015.docx"] + [f"press/pemkot-gandeng-lan-2015.{x}" for x in ("html", "md", "txt")]
KEPT = re.compile(r"^kept out/(\S+): .*the new version is out/(\S+) \(", re.M)
SEED = 1  # issue 16, class 1


def make_workspace(ws: Path) -> None:
    example_workspace(ws)
    set_version(ws, 0)


def set_version(ws: Path, n: int) -> None:
    """Change the inputs of every output so that version n is visible in each."""
    press = ws / PRESS
    press.write_text(re.sub(r"(?m)^headline: .*$", f"headline: Pemkot Pontianak Gandeng LAN untuk Tingkatkan Inovasi {n:04d}", press.read_text()))
    party = ws / PARTY
    party.write_text(re.sub(r"(?m)^address: .*$", f"address: Jalan Veteran No. 10, Gedung {n:04d}, Jakarta Pusat 10110", party.read_text()))


def shows_version(path: Path, n: int) -> bool:
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            return f"Gedung {n:04d}" in z.read("word/document.xml").decode()
    return f"Inovasi {n:04d}" in path.read_text()


def build(ws: Path, *args: str) -> tuple[int, str, bool]:
    result = CliRunner().invoke(cli, ["-C", str(ws), "build", "--jobs", "1", *args], catch_exceptions=True)
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr, escaped or "Traceback" in result.stderr


def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob(".tmp-*")]


def edited(data: bytes, tag: str) -> bytes:
    """The bytes as the clerk saved them: dokgen's bytes with a change of their own."""
    return data + f"\n<!-- {tag} -->\n".encode()


class Clerk:
    """The random clerk, and a model of which files in out/ hold the clerk's own bytes."""

    def __init__(self, ws: Path, rng: random.Random):
        self.ws, self.out, self.rng = ws, ws / "out", rng
        self.theirs: dict[str, bytes] = {}  # path under out/ -> the bytes the clerk made
        self.version = 0
        self.steps = 0

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.out).as_posix() for p in self.out.rglob("*") if p.is_file() and not p.name.startswith("."))

    def step(self) -> str:
        self.steps += 1
        files = self.files()
        offers = [f for f in files if ".dokgen-new" in f]
        choice = self.rng.choices(
            ["edit", "edit-offer", "delete", "accept", "rename-away", "squat", "inputs", "lose-manifest"],
            weights=[5, 4 if offers else 0, 2, 2 if offers else 0, 1, 1, 4, 0.3],
        )[0]
        if choice in ("edit", "edit-offer"):
            pool = offers if choice == "edit-offer" else [f for f in files if f in OUTPUTS]
            if not pool:
                return "nothing to edit"
            rel = self.rng.choice(pool)
            data = edited((self.out / rel).read_bytes(), f"{choice} {self.steps}")
            (self.out / rel).write_bytes(data)
            self.theirs[rel] = data
        elif choice == "delete" and files:
            rel = self.rng.choice(files)
            (self.out / rel).unlink()
            self.theirs.pop(rel, None)
        elif choice == "accept":
            rel = self.rng.choice(offers)
            draft = re.sub(r"\.dokgen-new(-\d+)?", "", rel)
            was_theirs = rel in self.theirs
            (self.out / rel).replace(self.out / draft)
            data = self.theirs.pop(rel, None)
            self.theirs.pop(draft, None)
            if was_theirs:  # their edited new version is now their draft
                self.theirs[draft] = data
        elif choice == "rename-away":
            pool = [f for f in files if f in OUTPUTS]
            if not pool:
                return "nothing to rename"
            rel = self.rng.choice(pool)
            away = rel.replace("pontianak-", f"salinan-{self.steps}-")
            (self.out / rel).replace(self.out / away)
            self.theirs[away] = (self.out / away).read_bytes()
            self.theirs.pop(rel, None)
        elif choice == "squat":
            rel = self.rng.choice(OUTPUTS)
            n = 1
            while True:  # the next new-version name dokgen would use
                stem, _, ext = rel.rpartition(".")
                name = f"{stem}.dokgen-new{'' if n == 1 else f'-{n}'}.{ext}"
                if not (self.out / name).exists():
                    break
                n += 1
            (self.out / name).parent.mkdir(parents=True, exist_ok=True)
            data = f"someone's own file {self.steps}".encode()
            (self.out / name).write_bytes(data)
            self.theirs[name] = data
        elif choice == "inputs":
            self.version += 1
            set_version(self.ws, self.version)
        elif choice == "lose-manifest":
            (self.out / ".dokgen-manifest.json").unlink(missing_ok=True)
        return choice


def check_after_build(clerk: Clerk, code: int, err: str, tb: bool) -> tuple[list[str], int]:
    """Return (failures, files checked) for one build of the walk."""
    failures, checked = [], 0
    if tb:
        failures.append(f"traceback: {err[-400:]}")
    kept = dict(KEPT.findall(err))
    if code != (3 if kept else 0):
        failures.append(f"exit {code} with {len(kept)} kept: {err[-300:]}")
    for rel, data in clerk.theirs.items():
        checked += 1
        path = clerk.out / rel
        if not path.is_file() or path.read_bytes() != data:
            failures.append(f"the clerk's out/{rel} was lost or changed")
    for rel in OUTPUTS:
        checked += 1
        where = clerk.out / kept.get(rel, rel)
        if not where.is_file() or not shows_version(where, clerk.version):
            failures.append(f"version {clerk.version} of out/{rel} is not at out/{where.relative_to(clerk.out)}")
    if temp_files(clerk.out):
        failures.append(f"temp files left: {temp_files(clerk.out)}")
    return failures, checked


@pytest.mark.guarantee("15 lost work: every handed-out file kept")
@pytest.mark.parametrize("walk", range(2))
def test_random_clerk_never_loses_work(tmp_path, figure, walk):
    ws = tmp_path / "ws"
    make_workspace(ws)
    code, err, tb = build(ws)
    assert code == 0 and not tb, err
    clerk = Clerk(ws, random.Random(SEED * 1000 + walk))
    failures: list[str] = []
    history: list[str] = []
    for _ in range(scale(25, 250)):
        history += [clerk.step() for _ in range(clerk.rng.randint(1, 3))]
        code, err, tb = build(ws)
        history.append(f"build -> {code}")
        found, checked = check_after_build(clerk, code, err, tb)
        figure.cases += 1
        figure.failures += bool(found)
        figure.tracebacks += tb
        figure.files_checked += checked
        failures += [f"after {' / '.join(history[-6:])}: {f}" for f in found]
    assert not failures, "\n".join(failures[:10])


def test_new_version_chain_and_force(tmp_path, figure):
    """Draft edited, its new version edited too, then --force: only the draft is overwritten."""
    figure.guarantee = "15 lost work: every handed-out file kept"
    ws, out = tmp_path / "ws", tmp_path / "ws/out"
    make_workspace(ws)
    draft = out / OUTPUTS[0]
    offer, offer2 = out / "mou/pontianak-lan-2015.dokgen-new.docx", out / "mou/pontianak-lan-2015.dokgen-new-2.docx"
    assert build(ws)[0] == 0
    mine = edited(draft.read_bytes(), "draft")
    draft.write_bytes(mine)
    set_version(ws, 1)
    code, err, tb = build(ws)
    assert (code, tb) == (3, False) and draft.read_bytes() == mine and shows_version(offer, 1), err
    mine2 = edited(offer.read_bytes(), "offer")
    offer.write_bytes(mine2)
    set_version(ws, 2)
    code, err, tb = build(ws)
    assert (code, tb) == (3, False), err
    assert "new versions beside it were edited too" in err and "the new version is out/mou/pontianak-lan-2015.dokgen-new-2.docx" in err
    assert draft.read_bytes() == mine and offer.read_bytes() == mine2 and shows_version(offer2, 2)
    code, err, tb = build(ws, "--force")
    assert (code, tb) == (0, False), err
    assert shows_version(draft, 2) and offer.read_bytes() == mine2  # --force is about the draft only
    figure.cases += 1
    figure.files_checked += 3


def test_accepted_new_version_is_replaced_quietly(tmp_path, figure):
    """Copying dokgen's new version over the draft accepts it: nothing of the clerk's is in it."""
    figure.guarantee = "15 lost work: every handed-out file kept"
    ws, out = tmp_path / "ws", tmp_path / "ws/out"
    make_workspace(ws)
    draft, offer = out / OUTPUTS[0], out / "mou/pontianak-lan-2015.dokgen-new.docx"
    assert build(ws)[0] == 0
    draft.write_bytes(edited(draft.read_bytes(), "draft"))
    set_version(ws, 1)
    assert build(ws)[0] == 3
    shutil.copyfile(offer, draft)
    set_version(ws, 2)
    code, err, tb = build(ws)
    assert (code, tb) == (0, False), err
    assert shows_version(draft, 2) and "kept" not in err
    figure.cases += 1
    figure.files_checked += 1
