"""Create new workspaces from the default one shipped with the package."""

from __future__ import annotations

import errno
import os
import shutil
from importlib import resources
from pathlib import Path

from .errors import DokgenError

PARTS = ("records", "templates", "assets")
GITIGNORE = "out/\n.dokgen/\n"  # .dokgen/: drafts kept by dokgen serve


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
    """Copy the default workspace into directory (new or empty); return the files created.

    Any failure (a dangling link, a file in the way, a read-only or full disk, another
    `dokgen init` into the same folder at the same moment) is a DokgenError, and what
    this call created is removed again: never half a workspace.
    """
    directory = Path(directory)
    source = default_workspace()
    created_folder = _claim_folder(directory)
    claim = directory / ".gitignore"
    try:  # O_EXCL: of two inits racing for one empty folder, exactly one gets this file
        fd = os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        raise DokgenError(f"{directory} is not empty; choose a new folder so nothing is overwritten") from None
    except OSError as exc:
        _undo(directory, created_folder, [])
        raise DokgenError(f"cannot create a workspace in {directory}: {exc.strerror}") from None
    copied: list[Path] = [claim]
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(GITIGNORE)
        if sorted(p.name for p in directory.iterdir()) != [claim.name]:
            raise FileExistsError(errno.EEXIST, "something else was put there meanwhile")
        for part in PARTS:
            if (source / part).is_dir():
                copied.append(directory / part)
                shutil.copytree(source / part, directory / part)
    except OSError as exc:
        _undo(directory, created_folder, copied)
        why = exc.strerror or _first_copy_error(exc)
        raise DokgenError(f"cannot create a workspace in {directory}: {why}; nothing was left there") from None
    return [p for p in directory.rglob("*") if p.is_file()]


def _claim_folder(directory: Path) -> bool:
    """Make sure directory is an empty folder; return True if this call created it."""
    try:
        directory.mkdir(parents=True)
        return True
    except FileExistsError:
        pass
    except NotADirectoryError:
        raise DokgenError(f"cannot create {directory}: a file is in the way (a folder above it is a file)") from None
    except OSError as exc:
        raise DokgenError(f"cannot create {directory}: {exc.strerror}") from None
    if directory.is_symlink() and not directory.exists():
        raise DokgenError(f"{directory} is a symbolic link to {os.readlink(directory)}, which does not exist; remove the link or create its target")
    if not directory.is_dir():
        raise DokgenError(f"{directory} is a file, not a folder; choose another name")
    try:
        empty = not any(directory.iterdir())
    except OSError as exc:
        raise DokgenError(f"cannot look into {directory}: {exc.strerror}") from None
    if not empty:
        raise DokgenError(f"{directory} is not empty; choose a new folder so nothing is overwritten")
    return False


def _undo(directory: Path, created_folder: bool, copied: list[Path]) -> None:
    """Remove what a failed init made, best effort (a read-only disk may refuse even that)."""
    for path in reversed(copied):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink()
            except OSError:
                pass
    if created_folder:
        try:
            directory.rmdir()
        except OSError:
            pass


def _first_copy_error(exc: OSError) -> str:
    """shutil.copytree gathers every failure into one Error of (src, dst, text): name the first."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        text = str(exc.args[0][0][-1])
        return text.split("] ", 1)[-1].split(": '", 1)[0]  # "[Errno 28] No space left on device: '...'"
    return str(exc)
