"""Warnings about a lab record that may be true but that a facilitator's reader would ask
about: stage statuses behind their dates, idea statuses ahead of their stage, unit words of
another era. Errors about stages live in records._check_lab."""

from __future__ import annotations

import re
from typing import Iterable

from . import model
from .errors import Problem
from .i18n import _
from .records import Workspace
from .yamlfile import format_path


def stage_status_lags_dates(ws: Workspace) -> Iterable[Problem]:
    """A stage whose dates are past at the report date but is still in progress or planned,
    and a stage under way or held while an earlier 5D stage is only planned.

    Warnings, not errors: a stage can overrun its planned days (deliver's monitoring often
    does) and a region may skip a stage, so the record may be true; but a reader would ask.
    """
    from .context.common import stage_statuses

    for rec in ws.labs.values():
        lab: model.Lab = rec.model
        report = lab.report.date
        statuses = stage_statuses(lab)
        for i, s in enumerate(lab.stages):
            path = ("stages", i, "status")
            where, field = rec.location(*path), format_path(path)
            if s.dates is not None and s.dates.end < report and s.status != "done":
                ended = s.dates.end.isoformat()
                if s.status == "in-progress":
                    yield Problem(where, field, _("still in progress, but the stage ended on {ended}, before the report date ({report}); mark it done, or give the day it now ends").format(
                        ended=ended, report=report.isoformat()))
                else:
                    yield Problem(where, field, _("still planned, but its dates ended on {ended}, before the report date ({report}); mark it done with a summary, or give its new dates").format(
                        ended=ended, report=report.isoformat()))
            earlier = [k for k in model.STAGES[: model.STAGES.index(s.stage)] if statuses[k] == "planned"]
            if s.status != "planned" and earlier:
                yield Problem(where, field, _("'{stage}' is {status} while '{earlier}' before it is still planned; the 5D stages are held in order").format(
                    stage=s.stage, status=s.status, earlier=earlier[0]))


# The 5D stage an idea's status belongs to: an idea cannot be further on than its stage.
_IDEA_STAGE = {"rencana-aksi": "design", "diluncurkan": "deliver", "dipamerkan": "display"}


def idea_ahead_of_its_stage(ws: Workspace) -> Iterable[Problem]:
    """An idea with an action plan, launched or shown while that stage is still planned."""
    from .context.common import stage_statuses

    for rec in ws.labs.values():
        lab: model.Lab = rec.model
        statuses = stage_statuses(lab)
        for i, unit in enumerate(lab.units):
            for j, idea in enumerate(unit.ideas):
                stage = _IDEA_STAGE.get(idea.status or "")
                if stage and statuses[stage] == "planned":
                    path = ("units", i, "ideas", j, "status")
                    yield Problem(rec.location(*path), format_path(path),
                                  _("'{status}' belongs to the '{stage}' stage, which is still planned").format(status=idea.status, stage=stage))


_SKPD_WORD = re.compile(r"\bSKPD\b")
_OPD_WORD = re.compile(r"\bOPD\b|(?<!satuan kerja )\bperangkat daerah\b", re.IGNORECASE)


def unit_words_of_the_era(ws: Workspace) -> Iterable[Problem]:
    """Lab text that names units in another era's words: SKPD before PP 18/2016 took
    effect, perangkat daerah (OPD) after; dokgen's own sentences already follow the era."""
    from .context.common import PERANGKAT_DAERAH_FROM

    since = PERANGKAT_DAERAH_FROM.isoformat()
    for rec in ws.labs.values():
        lab: model.Lab = rec.model
        old_era = lab.period.start < PERANGKAT_DAERAH_FROM
        texts: list[tuple[tuple, str]] = [(("stages", i, "summary"), s.summary) for i, s in enumerate(lab.stages) if s.summary]
        texts += [(("outcomes", i), t) for i, t in enumerate(lab.outcomes)]
        texts += [(("recommendations", i), t) for i, t in enumerate(lab.recommendations)]
        for path, text in texts:
            if old_era and _OPD_WORD.search(text):
                word = _OPD_WORD.search(text)[0]  # type: ignore[index]
                yield Problem(rec.location(*path), format_path(path), _("'{word}': a lab that starts before {since} (PP 18/2016) speaks of SKPD").format(word=word, since=since))
            elif not old_era and _SKPD_WORD.search(text):
                yield Problem(rec.location(*path), format_path(path), _("'SKPD': a lab that starts from {since} (PP 18/2016) speaks of perangkat daerah (OPD)").format(since=since))
