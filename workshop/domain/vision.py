"""Vision drafts, their ratings on the three criteria, and the final vision.

Who sees the averages: the facilitator (``summary``, with the key) at any time; everyone
else (``public_summary``: the room screen) only once rating is closed, so nobody's score is
swayed by the room's. Rating is closed when the facilitator says so (``close_rating``,
undone by ``reopen_rating``), when a draft is chosen as the vision during rating (the
decision is made), and whenever the workshop is past the rating stage (nobody can rate
then). ``workshops.rating_closed`` is that rule; ``status().rating_closed`` reports it, and
``choosing_closes_rating`` tells a console beforehand whether a choice will close it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import func, select

from workshop.core import criteria, phases, settings
from workshop.core.errors import N_, InvalidInput, NotAuthorized, NotFound, WrongPhase
from workshop.core.text import clean, whole_number
from workshop.domain import workshops
from workshop.domain.access import FACILITATOR, actor_of, as_facilitator, as_participant, own_row, require_phase
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
    draft = own_row(tx, ws, VisionDraft, draft_id)
    if draft is None or draft.withdrawn:
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


def _set_rating_closed(tx: Tx, ws: Workshop, closed: bool, actor: str = FACILITATOR, **why) -> bool:
    """Record the facilitator's decision; returns whether anything changed."""
    if bool((ws.settings or {}).get(workshops.RATING_CLOSED)) == closed:
        return False
    # A new dict: the JSON column sees an assignment, not an edit in place.
    ws.settings = {**(ws.settings or {}), workshops.RATING_CLOSED: closed}
    tx.log(ws, actor, "rating_closed" if closed else "rating_reopened", **why)
    return True


@action
def close_rating(tx: Tx, code: str, key: str) -> bool:
    """Scores are final: nobody can rate any more, and the averages may reach the room screen.

    Closing what is already closed changes nothing. Returns True (rating is closed)."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.RATING)
    _set_rating_closed(tx, ws, True)
    return True


@action
def reopen_rating(tx: Tx, code: str, key: str) -> bool:
    """Let the room rate again (closed by mistake, or a draft was added); the room screen hides
    the averages again until rating closes. Returns False (rating is open)."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.RATING)
    _set_rating_closed(tx, ws, False)
    return False


@action
def rate(tx: Tx, code: str, token: str, draft_id: int, criterion: str, score: int) -> None:
    """Score one draft on one criterion, 1 to 5; rating again replaces the score until rating closes.

    The room's marker stays: while rating is open no page but the facilitator's console shows a
    score, a mean or who has rated (the room screen's means wait for the close, which moves it),
    and a score once rating is closed is refused. The rater's own marker moves (their other tabs)."""
    ws, me = as_participant(tx, code, token, room_sees=False)
    require_phase(ws, phases.RATING)
    if workshops.rating_closed(ws):
        raise WrongPhase(N_("Rating is closed: the scores are final."))
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


def _summaries(tx: Tx, ws: Workshop) -> list[DraftSummary]:
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


@query
def summary(tx: Tx, code: str, key: str) -> list[DraftSummary]:
    """Mean, median, spread and count per draft and criterion (no individual scores), for the
    facilitator at any time: live averages while the room is still rating stay on the console."""
    return _summaries(tx, as_facilitator(tx, code, key))


@query
def public_summary(tx: Tx, code: str) -> list[DraftSummary] | None:
    """The same as ``summary`` for anyone (the room screen), but only once rating is closed:
    None while it is open (or has not started), so no average can sway a score still being given."""
    ws = tx.workshop(code)
    if not workshops.rating_closed(ws):
        return None
    return _summaries(tx, ws)


def choosing_closes_rating(phase: str, rating_closed: bool, final_draft_id: int | None, draft_id: int) -> bool:
    """Whether choosing ``draft_id`` now closes rating: during open rating, a draft other than the
    one already chosen (the room has decided). Polishing the chosen draft's wording leaves rating as it is."""
    return phase == phases.RATING and not rating_closed and draft_id != final_draft_id


@action
def choose_vision(tx: Tx, code: str, key: str, draft_id: int, text: str | None = None) -> str:
    """Make a draft the final vision, optionally with the wording polished by the room.

    Choosing a draft during rating closes rating (see the module's docstring)."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.DRAFTING, phases.RATING, phases.ACTIONS)
    draft = _draft(tx, ws, draft_id)
    final = clean(text if text is not None else draft.text, what=N_("vision"), limit=settings.MAX_DRAFT,
                  multiline=True)
    # The room has decided: further scores would only move averages the room screen now shows.
    closes = choosing_closes_rating(ws.phase, workshops.rating_closed(ws), ws.final_draft_id, draft.id)
    ws.vision, ws.final_draft_id = final, draft.id
    tx.log(ws, FACILITATOR, "vision_chosen", draft=draft.id, text=final)
    if closes:
        _set_rating_closed(tx, ws, True, because="vision_chosen")
    return final
