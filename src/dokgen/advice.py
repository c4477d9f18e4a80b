"""Record-level warnings: things a reader would send back, but that do not stop a build.

Errors stop everything (records.check_references); advice is printed by `check` and
`build` and becomes an error only with --strict. Each check is a function of the whole
validated workspace returning located Problems, listed in CHECKS; a new rule adds one
function (in the module of its subject) and one entry.
"""

from __future__ import annotations

from typing import Callable, Iterable

from .errors import Problem
from .i18n import _
from .lab_advice import idea_ahead_of_its_stage, stage_status_lags_dates, unit_words_of_the_era
from .law import document_types, missing_legal_basis, repealed_citations
from .records import Workspace
from .register import register_disagrees
from .statutory import wording_notes
from .wordfont import draft_font_gaps

Check = Callable[[Workspace], Iterable[Problem]]

CHECKS: list[Check] = [
    repealed_citations, missing_legal_basis, document_types, wording_notes,  # the MoU's law and words
    stage_status_lags_dates, unit_words_of_the_era, idea_ahead_of_its_stage,  # labs
    draft_font_gaps,  # characters the Word draft's font cannot show
    register_disagrees,  # issued documents: the records against register/dokgen-register.sqlite
]
"""Every advice check, run in this order; each must be cheap and must not raise."""


def collect_warnings(ws: Workspace) -> list[Problem]:
    """Run every advice check over ws and return its warnings sorted by place, once each."""
    found: set[Problem] = set()
    for check in CHECKS:
        found.update(check(ws))
    return sorted(found)


# --- signers and parties -----------------------------------------------------------------


def _mou_party_ids(ws: Workspace) -> dict[str, list[str]]:
    """Party id -> ids of the MoUs it is a party to, in file order."""
    found: dict[str, list[str]] = {}
    for mou_id, rec in ws.mou.items():
        for ref in rec.model.parties:
            found.setdefault(ref.party, []).append(mou_id)
    return found


def unknown_authority(ws: Workspace) -> Iterable[Problem]:
    """A signer whose authority the komparisi must state but the record does not give.

    Which party types need it is decided in context.common (AUTHORITY_REQUIRED, with the
    reasons); the MoU then prints a blank, and this says where to fill it in.
    """
    from .context.common import needs_authority

    for party_id, mous in _mou_party_ids(ws).items():
        rec = ws.parties.get(party_id)
        if rec is None or rec.model.signatory.appointment or not needs_authority(rec.model):
            continue
        sig = rec.model.signatory
        if sig.acting:
            why = _("an acting signer (acting: {acting}) binds the institution only by the decree that appoints them").format(acting=sig.acting)
            example = "Keputusan Menteri Dalam Negeri Nomor … Tahun …"
        elif rec.model.type == "badan-usaha":
            why = _("a company is bound by its Direksi as its articles say (UU 40/2007)")
            example = "Akta Pendirian Nomor … tanggal … dengan pengesahan Menteri Hukum dan HAM Nomor AHU-…"
        else:  # perguruan-tinggi, lainnya
            why = _("a university or organisation is bound by whom its own decree or akta appoints")
            example = "Keputusan … Nomor … Tahun …"
        yield Problem(
            rec.location("signatory"), "signatory",
            _("no appointment: {why}, so the komparisi of {files} shows a blank (……) there; add signatory.appointment, e.g. {example}").format(
                why=why, files=", ".join(f"records/mou/{m}.yaml" for m in mous), example=example),
        )


def party_without_logo(ws: Workspace) -> Iterable[Problem]:
    """A party of an MoU or lab report without a logo: every real MoU shows each party's logo."""
    used = set(_mou_party_ids(ws)) | {p for rec in ws.labs.values() for p in (rec.model.host, rec.model.organizer)}
    for party_id in sorted(used):
        rec = ws.parties.get(party_id)
        if rec is not None and rec.model.logo is None:
            yield Problem(
                rec.location(), "logo",
                _("none given; every MoU shows each party's logo above its title (so does the lab "
                  "report's cover): copy the party's official logo into assets/ and add logo: {path}").format(path=f"assets/logo-{party_id}.png"),
            )


CHECKS.extend([unknown_authority, party_without_logo])
