"""`dokgen export`: records into the sheets `dokgen import` reads, so a sheet can stay the working copy.

Cells hold the text of the record file as typed (not the model's cleaned value), so
importing the export again gives the very same record files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import model
from ..errors import DokgenError, Problem, ProblemsError
from ..files import litter
from ..records import pydantic_problems
from .importing import read_record
from .layout import IDEAS, PARTIES
from .writing import save_workbook, workbook_bytes


def export_lab(workspace: Path, lab_id: str, out: Path, *, force: bool = False) -> tuple[int, int]:
    """Write the lab's units and ideas to out; return (units, ideas)."""
    rel = f"records/labs/{lab_id}.yaml"
    if not model.ID_PATTERN.match(lab_id):
        raise DokgenError(f"'{lab_id}' is not a lab id (the name of a file in records/labs/ without .yaml)")
    data = _valid(workspace / rel, rel, model.Lab)
    rows: list[list[Any]] = []
    units = data.get("units") or []
    for unit in units:
        for idea in unit.get("ideas") or [None]:  # a unit with no ideas yet: one row with the idea cells empty
            idea = idea or {}
            rows.append([unit.get("name"), unit.get("type"), idea.get("title"), idea.get("problem"),
                         idea.get("description"), idea.get("status")])
    save_workbook(out, workbook_bytes(IDEAS, rows), force=force)
    return len(units), sum(len(u.get("ideas") or []) for u in units)


def export_parties(workspace: Path, out: Path, *, force: bool = False) -> int:
    """Write every party record to out, one a row, by id; return how many."""
    folder = workspace / "records" / "parties"
    if not folder.is_dir():
        raise DokgenError(f"{workspace}: no records/parties/ folder here; use -C to point at a workspace")
    rows, problems = [], []
    for path in sorted(folder.glob("*.yaml")):
        if litter(path.name) or path.name.startswith(".") or not model.ID_PATTERN.match(path.stem):
            continue
        try:
            data = _valid(path, f"records/parties/{path.name}", model.Party)
        except ProblemsError as exc:
            problems += exc.problems
            continue
        rows.append([path.stem, *(_get(data, c.field) for c in PARTIES.columns[1:])])
    if problems:
        raise ProblemsError(problems)
    save_workbook(out, workbook_bytes(PARTIES, rows), force=force)
    return len(rows)


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        data = data.get(name) if isinstance(data, dict) else None
    return data


def _valid(path: Path, rel: str, cls: type) -> dict:
    """The record's data as typed, after the model has accepted it (a broken record is not exported)."""
    problems: list[Problem] = []
    try:
        read = read_record(path, rel, problems)
    except FileNotFoundError:
        raise DokgenError(f"no record {rel}") from None
    if read is None:
        raise ProblemsError(problems)
    _, doc, _ = read
    try:
        cls.model_validate(doc.data)
    except ValidationError as exc:
        raise ProblemsError(pydantic_problems(exc, doc, cls)) from None
    return doc.data
