"""Vision drafts, their ratings on the three criteria, and the final vision."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import func, select

from workshop.core import criteria, phases, settings
from workshop.core.errors import N_, InvalidInput, NotAuthorized, NotFound
from workshop.core.text import clean, whole_number
from workshop.domain.access import FACILITATOR, actor_of, as_facilitator, as_participant, require_phase
from workshop.store import Tx, action, query
from workshop.store.schema import Rating, VisionDraft, Workshop, utcnow


@dataclass(frozen=True)
class DraftView:
    id: int
    text: str
    mine: bool = False
    final: bool = False


@dataclass(frozen=True)
class CriterionStats:
    count: int
    mean: float | None
    median: float | None
    spread: float | None  # sample standard deviation; disagreement worth discussing
    low: int | None
    high: int | None


@dataclass(frozen=True)
class DraftSummary:
    draft_id: int
    text: str
    final: bool
    by_criterion: dict[str, CriterionStats]
    raters: int

    @property
    def overall(self) -> float | None:
        means = [s.mean for s in self.by_criterion.values() if s.mean is not None]
        return sum(means) / len(means) if means else None


def stats(scores: list[int]) -> CriterionStats:
    if not scores:
        return CriterionStats(0, None, None, None, None, None)
    return CriterionStats(
        count=len(scores),
        mean=statistics.fmean(scores),
        median=float(statistics.median(scores)),
        spread=statistics.stdev(scores) if len(scores) > 1 else 0.0,
        low=min(scores),
        high=max(scores),
    )


def _draft(tx: Tx, ws: Workshop, draft_id: int) -> VisionDraft:
    draft = tx.session.get(VisionDraft, draft_id)
    if draft is None or draft.workshop_id != ws.id or draft.withdrawn:
        raise NotFound(N_("That draft no longer exists."))
    return draft


@action
def add_draft(tx: Tx, code: str, token: str, text: str, request_id: str | None = None) -> DraftView:
    ws, me = as_participant(tx, code, token)
    require_phase(ws, phases.DRAFTING)
    text = clean(text, what=N_("vision draft"), limit=settings.MAX_DRAFT, multiline=True)
    if request_id:
        request_id = clean(request_id, what=N_("request id"), limit=64)
        existing = tx.session.execute(select(VisionDraft).where(
            VisionDraft.participant_id == me.id, VisionDraft.request_id == request_id)).scalar_one_or_none()
        if existing is not None:
            return DraftView(existing.id, existing.text, mine=True)
    mine = tx.session.execute(select(func.count()).select_from(VisionDraft).where(
        VisionDraft.participant_id == me.id, VisionDraft.withdrawn.is_(False))).scalar()
    if mine >= settings.MAX_DRAFTS_PER_PARTICIPANT:
        raise InvalidInput(N_("You have written {limit} drafts, the most one person can."),
                           limit=settings.MAX_DRAFTS_PER_PARTICIPANT)
    draft = VisionDraft(workshop_id=ws.id, participant_id=me.id, text=text, request_id=request_id)
    tx.session.add(draft)
    tx.session.flush()
    tx.log(ws, actor_of(me), "draft_added", draft=draft.id, text=text)
    return DraftView(draft.id, draft.text, mine=True)


@action
def add_draft_as_facilitator(tx: Tx, code: str, key: str, text: str) -> DraftView:
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.DRAFTING, phases.RATING)
    text = clean(text, what=N_("vision draft"), limit=settings.MAX_DRAFT, multiline=True)
    draft = VisionDraft(workshop_id=ws.id, participant_id=None, text=text)
    tx.session.add(draft)
    tx.session.flush()
    tx.log(ws, FACILITATOR, "draft_added", draft=draft.id, text=text)
    return DraftView(draft.id, draft.text)


@action
def edit_draft(tx: Tx, code: str, token: str, draft_id: int, text: str) -> DraftView:
    ws, me = as_participant(tx, code, token)
    require_phase(ws, phases.DRAFTING)
    draft = _draft(tx, ws, draft_id)
    if draft.participant_id != me.id:
        raise NotAuthorized(N_("You can only change your own drafts."))
    draft.text = clean(text, what=N_("vision draft"), limit=settings.MAX_DRAFT, multiline=True)
    tx.log(ws, actor_of(me), "draft_edited", draft=draft.id, text=draft.text)
    return DraftView(draft.id, draft.text, mine=True)


@action
def withdraw_draft(tx: Tx, code: str, token: str, draft_id: int) -> None:
    ws, me = as_participant(tx, code, token)
    require_phase(ws, phases.DRAFTING)
    draft = _draft(tx, ws, draft_id)
    if draft.participant_id != me.id:
        raise NotAuthorized(N_("You can only change your own drafts."))
    draft.withdrawn = True
    tx.log(ws, actor_of(me), "draft_withdrawn", draft=draft.id)


@action
def remove_draft(tx: Tx, code: str, key: str, draft_id: int) -> None:
    """The facilitator takes a duplicate or off-topic draft off the list."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.DRAFTING, phases.RATING)
    draft = _draft(tx, ws, draft_id)
    draft.withdrawn = True
    tx.log(ws, FACILITATOR, "draft_removed", draft=draft.id)


@query
def drafts(tx: Tx, code: str, token: str | None = None) -> list[DraftView]:
    """All current drafts, without authors; ``mine`` marks the caller's own."""
    ws = tx.workshop(code)
    me_id = as_participant(tx, code, token)[1].id if token else None
    rows = tx.session.execute(select(VisionDraft).where(
        VisionDraft.workshop_id == ws.id, VisionDraft.withdrawn.is_(False)).order_by(VisionDraft.id)).scalars()
    return [DraftView(d.id, d.text, mine=d.participant_id == me_id and me_id is not None,
                      final=d.id == ws.final_draft_id) for d in rows]


@action
def rate(tx: Tx, code: str, token: str, draft_id: int, criterion: str, score: int) -> None:
    """Score one draft on one criterion, 1 to 5; rating again replaces the score."""
    ws, me = as_participant(tx, code, token)
    require_phase(ws, phases.RATING)
    if criterion not in criteria.ORDER:
        raise InvalidInput(N_("Unknown criterion."))
    score = whole_number(score, what=N_("score"), low=criteria.LOWEST, high=criteria.HIGHEST)
    draft = _draft(tx, ws, draft_id)
    row = tx.session.execute(select(Rating).where(
        Rating.draft_id == draft.id, Rating.participant_id == me.id, Rating.criterion == criterion)
    ).scalar_one_or_none()
    if row is None:
        tx.session.add(Rating(draft_id=draft.id, participant_id=me.id, criterion=criterion, score=score))
    else:
        row.score, row.updated_at = score, utcnow()
    tx.log(ws, actor_of(me), "draft_rated", draft=draft.id, criterion=criterion, score=score)


@query
def my_ratings(tx: Tx, code: str, token: str) -> dict[tuple[int, str], int]:
    ws, me = as_participant(tx, code, token)
    rows = tx.session.execute(select(Rating.draft_id, Rating.criterion, Rating.score).join(
        VisionDraft, VisionDraft.id == Rating.draft_id).where(
        Rating.participant_id == me.id, VisionDraft.workshop_id == ws.id)).all()
    return {(d, c): s for d, c, s in rows}


@query
def summary(tx: Tx, code: str) -> list[DraftSummary]:
    """Mean, median, spread and count per draft and criterion (no individual scores)."""
    ws = tx.workshop(code)
    drafts_ = list(tx.session.execute(select(VisionDraft).where(
        VisionDraft.workshop_id == ws.id, VisionDraft.withdrawn.is_(False)).order_by(VisionDraft.id)).scalars())
    scores: dict[tuple[int, str], list[int]] = {}
    raters: dict[int, set[int]] = {}
    if drafts_:
        for d, p, c, s in tx.session.execute(select(
                Rating.draft_id, Rating.participant_id, Rating.criterion, Rating.score).where(
                Rating.draft_id.in_([d.id for d in drafts_]))).all():
            scores.setdefault((d, c), []).append(s)
            raters.setdefault(d, set()).add(p)
    return [DraftSummary(d.id, d.text, d.id == ws.final_draft_id,
                         {c: stats(scores.get((d.id, c), [])) for c in criteria.ORDER},
                         len(raters.get(d.id, ())))
            for d in drafts_]


@action
def choose_vision(tx: Tx, code: str, key: str, draft_id: int, text: str | None = None) -> str:
    """Make a draft the final vision, optionally with the wording polished by the room."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.DRAFTING, phases.RATING, phases.ACTIONS)
    draft = _draft(tx, ws, draft_id)
    final = clean(text if text is not None else draft.text, what=N_("vision"), limit=settings.MAX_DRAFT,
                  multiline=True)
    ws.vision, ws.final_draft_id = final, draft.id
    tx.log(ws, FACILITATOR, "vision_chosen", draft=draft.id, text=final)
    return final
