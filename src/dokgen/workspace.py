"""Create new workspaces from the default one shipped with the package."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from .errors import DokgenError

PARTS = ("records", "templates", "assets")
GITIGNORE = "out/\n"


def default_workspace() -> Path:
    """Return the folder holding the default templates and worked example.

    An installed wheel carries it as dokgen/_workspace; in a source checkout (editable
    install) the repository root is that workspace.
    """
    packaged = Path(str(resources.files("dokgen"))) / "_workspace"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "records").is_dir() and (checkout / "templates").is_dir():
        return checkout
    raise DokgenError("the default workspace is missing from this installation; reinstall dokgen")


def init_workspace(directory: Path) -> list[Path]:
    """Copy the default workspace into directory (new or empty); return the files created."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise DokgenError(f"{directory} is not empty; choose a new folder so nothing is overwritten")
    source = default_workspace()
    directory.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, directory / part)
    (directory / ".gitignore").write_text(GITIGNORE)
    return [p for p in directory.rglob("*") if p.is_file()]
