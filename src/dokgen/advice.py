"""Record-level warnings: things a reader would send back, but that do not stop a build.

Errors stop everything (records.check_references); advice is printed by `check` and
`build` and becomes an error only with --strict. Each check is a function of the whole
validated workspace returning located Problems, listed in CHECKS; a new rule adds one
function (in the module of its subject) and one entry. A check of one MoU at a time that
reads only the files the MoU's draft is made from (build.dependencies) is listed as
PerMou(check): its warnings are kept in the record cache by those files' content, so a
rebuild after one record changed checks that MoU alone.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Callable, Iterable

from .errors import Problem
from .i18n import _, language
from .lab_advice import idea_ahead_of_its_stage, stage_status_lags_dates, unit_words_of_the_era
from .law import document_types, missing_legal_basis, repealed_citations
from .records import Record, Workspace
from .register import register_disagrees
from .statutory import recital_notes, scope_notes
from .wordfont import draft_font_gaps

if TYPE_CHECKING:
    from .cache import RecordCache

Check = Callable[[Workspace], Iterable[Problem]]


class PerMou:
    """A check of each MoU on its own, from the files its draft is made from only."""

    def __init__(self, check: Callable[[Workspace, Record], Iterable[Problem]]):
        self.check = check
        self.__name__ = check.__name__

    def __call__(self, ws: Workspace) -> Iterable[Problem]:
        for rec in ws.mou.values():
            yield from self.check(ws, rec)


CHECKS: list[Check] = [
    PerMou(repealed_citations), PerMou(missing_legal_basis), PerMou(document_types), PerMou(recital_notes), scope_notes,  # the MoU's law and words
    stage_status_lags_dates, unit_words_of_the_era, idea_ahead_of_its_stage,  # labs
    draft_font_gaps,  # characters the Word draft's font cannot show
    register_disagrees,  # issued documents: the records against register/dokgen-register.sqlite
]
"""Every advice check, run in this order; each must be cheap and must not raise."""


def collect_warnings(ws: Workspace, cache: RecordCache | None = None) -> list[Problem]:
    """Run every advice check over ws and return its warnings sorted by place, once each.

    With a record cache, the PerMou checks of an MoU whose files are as they were are not
    run again: their warnings come from the cache.
    """
    found: set[Problem] = set()
    per_mou = [check for check in CHECKS if isinstance(check, PerMou)]
    for check in CHECKS:
        if not (cache is not None and isinstance(check, PerMou)):
            found.update(check(ws))
    if cache is not None and per_mou:
        digests = _FileDigests(ws, cache)
        # the language too: cached warnings are replayed word for word
        names = "\0".join([language(), *(check.__name__ for check in per_mou)])
        for rec in ws.mou.values():
            key = digests.key(names, rec)
            problems = cache.advice(key) if key else None
            if problems is None:
                problems = [p for check in per_mou for p in check.check(ws, rec)]
                if key:
                    cache.keep_advice(key, problems)
            found.update(problems)
    return sorted(found)


class _FileDigests:
    """Content digests of the files an MoU's draft is made from: records from the cache, others read once."""

    def __init__(self, ws: Workspace, cache: RecordCache):
        self.ws, self.cache, self.read = ws, cache, {}

    def key(self, names: str, rec: Record) -> str | None:
        from .build import dependencies

        h = hashlib.sha256(names.encode())
        for rel in sorted(dependencies(self.ws, rec)):
            digest = self.cache.digest(rel) or self._file(rel)
            if digest is None:
                return None  # unreadable: no key, the checks run
            h.update(f"\0{rel}\0{digest}".encode())
        return h.hexdigest()

    def _file(self, rel: str) -> str | None:
        if rel not in self.read:
            from .files import MAX_LOGO_BYTES, read_regular

            try:
                self.read[rel] = hashlib.sha256(read_regular(self.ws.root / rel, MAX_LOGO_BYTES)).hexdigest()
            except OSError:
                self.read[rel] = None
        return self.read[rel]


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
