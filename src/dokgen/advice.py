"""Record-level warnings: things a reader would send back, but that do not stop a build.

Errors stop everything (records.check_references); advice is printed by `check` and
`build` and becomes an error only with --strict. Each check is a function of the whole
validated workspace returning located Problems, listed in CHECKS; a new rule adds one
function (in the module of its subject) and one entry.
"""

from __future__ import annotations

from typing import Callable, Iterable

from .errors import Problem
from .lab_advice import idea_ahead_of_its_stage, stage_status_lags_dates, unit_words_of_the_era
from .law import document_types, missing_legal_basis, repealed_citations
from .records import Workspace
from .statutory import wording_notes
from .wordfont import draft_font_gaps

Check = Callable[[Workspace], Iterable[Problem]]

CHECKS: list[Check] = [
    repealed_citations, missing_legal_basis, document_types, wording_notes,  # the MoU's law and words
    stage_status_lags_dates, unit_words_of_the_era, idea_ahead_of_its_stage,  # labs
    draft_font_gaps,  # characters the Word draft's font cannot show
]
"""Every advice check, run in this order; each must be cheap and must not raise."""


def collect_warnings(ws: Workspace) -> list[Problem]:
    """Run every advice check over ws and return its warnings sorted by place, once each."""
    found: set[Problem] = set()
    for check in CHECKS:
        found.update(check(ws))
    return sorted(found)
