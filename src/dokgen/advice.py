"""Record-level warnings: things a reader would send back, but that do not stop a build.

Errors stop everything (records.check_references); advice is printed by `check` and
`build` and becomes an error only with --strict. Each check is a function of the whole
validated workspace returning located Problems, listed in CHECKS; a new rule adds one
function and one entry.
"""

from __future__ import annotations

from typing import Callable, Iterable

from .errors import Problem
from .law import document_types, missing_legal_basis, repealed_citations
from .records import Workspace
from .statutory import wording_notes

Check = Callable[[Workspace], Iterable[Problem]]

CHECKS: list[Check] = [repealed_citations, missing_legal_basis, document_types, wording_notes]
"""Every advice check, run in this order; each must be cheap and must not raise."""


def collect_warnings(ws: Workspace) -> list[Problem]:
    """Run every advice check over ws and return its warnings sorted by place, once each."""
    found: set[Problem] = set()
    for check in CHECKS:
        found.update(check(ws))
    return sorted(found)
