"""The CLI as a user meets it: help with examples, init, check, build, lean start-up."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dokgen.cli import cli

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(run, name):
    code, out, _ = run(name, "--help")
    assert code == 0
    assert "Example:" in out and f"dokgen {name}" in out.replace("dokgen -C ../kerja-sama", "dokgen")


def test_top_level_help(run):
    code, out, _ = run("--help")
    assert code == 0 and "--workspace" in out and "Example:" in out


def test_startup_does_not_import_heavy_libraries():
    """`dokgen --help` must stay fast: no docxtpl, Babel, WeasyPrint or pydantic on that path."""
    code = (
        "import sys; from dokgen.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('docxtpl', 'docx', 'babel', 'num2words', 'weasyprint', 'pydantic', 'lxml', 'PIL') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out, out


def test_init_creates_a_workspace_that_builds(tmp_path, run):
    target = tmp_path / "kerja-sama"
    code, out, _ = run("init", str(target))
    assert code == 0, out
    for rel in ("records/mou/pontianak-lan-2015.yaml", "records/scopes.yaml", "templates/docx/mou.docx", ".gitignore"):
        assert (target / rel).is_file(), rel
    code, out, err = run("-C", str(target), "build")
    assert code == 0, err
    assert (target / "out/mou/pontianak-lan-2015.docx").is_file()


def test_init_refuses_a_non_empty_folder(tmp_path, run):
    (tmp_path / "keep.txt").write_text("data")
    code, _, err = run("init", str(tmp_path))
    assert code == 1 and "not empty" in err
    assert (tmp_path / "keep.txt").read_text() == "data"


def test_check_writes_nothing(workspace, run):
    code, out, _ = run("-C", str(workspace), "check")
    assert code == 0 and out.startswith("ok:")
    assert not (workspace / "out").exists()


def test_build_named_record_and_party(workspace, run):
    code, out, err = run("-C", str(workspace), "build", str(workspace / "records/parties/lan.yaml"))
    assert code == 0
    assert "built out/mou/pontianak-lan-2015.docx" in err and " built, 0 up to date" in out
    code, _, err = run("-C", str(workspace), "build", str(workspace / "records/nope.yaml"))
    assert code == 1 and "not a record of this workspace" in err


def test_missing_template_is_named(workspace, run):
    (workspace / "templates/docx/mou.docx").unlink()
    code, _, err = run("-C", str(workspace), "build")
    assert code == 1 and "templates/docx/mou.docx not found" in err
    assert not (workspace / "out").exists()


def test_debug_shows_the_traceback(workspace, run):
    (workspace / "templates/docx/mou.docx").unlink()
    result = __import__("click.testing").testing.CliRunner().invoke(cli, ["-C", str(workspace), "--debug", "build"])
    assert result.exception is not None and not isinstance(result.exception, SystemExit)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True, capture_output=True,
    )
    return next(out.glob("dokgen-*.whl"))


def test_wheel_ships_the_default_workspace(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for rel in ("records/mou/pontianak-lan-2015.yaml", "templates/docx/mou.docx"):
        assert f"dokgen/_workspace/{rel}" in names


def test_init_works_from_the_installed_wheel(wheel, tmp_path):
    """Install the wheel into a folder outside the checkout and run `init` from it."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)], check=True, capture_output=True)
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    target = tmp_path / "ws"
    probe = "import dokgen, sys; print(dokgen.__file__)"
    where = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site)), where  # the wheel, not the checkout
    subprocess.run([sys.executable, "-m", "dokgen", "init", str(target)], env=env, cwd=tmp_path, check=True, capture_output=True)
    assert (target / "templates/docx/mou.docx").is_file()
    done = subprocess.run([sys.executable, "-m", "dokgen", "-C", str(target), "build"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (target / "out/mou/pontianak-lan-2015.docx").is_file()
