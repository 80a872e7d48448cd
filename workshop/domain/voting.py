"""Dot voting in rounds until the target number of values (five) remains.

Each round has a budget of dots per person and an optional cap per value.
Closing a round ranks its candidates and keeps the top ``keep``; when a tie
straddles the cut, the tied values go to a run-off for the remaining places.

Steps are deliberate: closing a round only closes it and says what comes next
(:class:`NextStep`: a run-off, another round, or done). Nothing opens by
itself; the room talks about the result first, and the next round or run-off
opens when the facilitator opens it (:func:`open_round`, which opens exactly
the step the last closed round calls for).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, select

from workshop.core import phases, settings
from workshop.core.errors import N_, BudgetExceeded, InvalidInput, WrongPhase
from workshop.core.text import whole_number
from workshop.domain.access import FACILITATOR, actor_of, as_facilitator, as_participant, require_phase, shown_name
from workshop.store import Tx, action, query
from workshop.store.schema import CoreValue, Participant, RoundCandidate, Vote, VoteRound, Workshop, utcnow


def default_budget(candidates: int) -> int:
    """The common rule of thumb: a third of the candidates, at least one dot."""
    return max(1, candidates // 3)


@dataclass(frozen=True)
class BallotLine:
    value_id: int
    name: str
    description: str
    my_dots: int


@dataclass(frozen=True)
class Ballot:
    round_number: int
    is_runoff: bool
    budget: int
    cap: int | None
    keep: int
    used: int
    lines: list[BallotLine]

    @property
    def remaining(self) -> int:
        return self.budget - self.used


@dataclass(frozen=True)
class CandidateResult:
    value_id: int
    name: str
    dots: int
    rank: int
    outcome: str  # kept / dropped / runoff


#: What the last closed round calls for (``NextStep.kind``).
ROUND, RUNOFF, DONE = "round", "runoff", "done"


@dataclass(frozen=True)
class StepValue:
    value_id: int
    name: str


@dataclass(frozen=True)
class NextStep:
    """What comes after the last closed round; nothing of it is open yet.

    ``kind`` is ROUND (a round among the surviving values), RUNOFF (among the
    values tied at the cut, for ``keep`` places) or DONE (``values`` are the
    chosen ones). ``number`` is the number the round to open will have."""

    kind: str
    number: int | None
    values: list[StepValue]
    keep: int
    budget: int

    @property
    def is_runoff(self) -> bool:
        return self.kind == RUNOFF

    @property
    def done(self) -> bool:
        return self.kind == DONE


@dataclass(frozen=True)
class RoundResult:
    number: int
    is_runoff: bool
    budget: int
    cap: int | None
    keep: int
    status: str
    voters: int
    candidates: list[CandidateResult]
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    #: Filled by close_round only: what this close calls for.
    next_step: NextStep | None = None


@dataclass(frozen=True)
class VoterProgress:
    participant_id: int
    name: str
    used: int
    budget: int


# ---- helpers ---------------------------------------------------------------------

def _open_round(tx: Tx, ws: Workshop) -> VoteRound | None:
    return tx.session.execute(
        select(VoteRound).where(VoteRound.workshop_id == ws.id, VoteRound.status == "open")
    ).scalar_one_or_none()


def _require_open_round(tx: Tx, ws: Workshop) -> VoteRound:
    rnd = _open_round(tx, ws)
    if rnd is None:
        raise WrongPhase(N_("No vote round is open right now."))
    return rnd


def _survivors(tx: Tx, ws: Workshop) -> list[CoreValue]:
    """Active values not dropped by any closed round, in board order."""
    dropped = select(RoundCandidate.value_id).join(VoteRound, VoteRound.id == RoundCandidate.round_id).where(
        VoteRound.workshop_id == ws.id, RoundCandidate.outcome == "dropped")
    return list(tx.session.execute(
        select(CoreValue).where(CoreValue.workshop_id == ws.id, CoreValue.removed.is_(False),
                                CoreValue.id.not_in(dropped))
        .order_by(CoreValue.position, CoreValue.id)
    ).scalars())


def _candidates(tx: Tx, rnd: VoteRound) -> list[CoreValue]:
    return list(tx.session.execute(
        select(CoreValue).join(RoundCandidate, RoundCandidate.value_id == CoreValue.id)
        .where(RoundCandidate.round_id == rnd.id).order_by(CoreValue.position, CoreValue.id)
    ).scalars())


def _check_settings(budget, cap, keep, n: int) -> tuple[int, int | None, int]:
    budget = whole_number(budget, what=N_("number of dots per person"), low=1, high=settings.MAX_BUDGET)
    if cap is not None:
        cap = whole_number(cap, what=N_("most dots on one value"), low=1, high=budget)
    keep = whole_number(keep, what=N_("number of values to keep"), low=1, high=max(1, n))
    return budget, cap, keep


def _start_round(tx: Tx, ws: Workshop, values: list[CoreValue], *, budget=None, cap=None, keep=None,
                 is_runoff=False) -> VoteRound:
    n = len(values)
    budget, cap, keep = _check_settings(
        default_budget(n) if budget is None else budget, cap,
        min(ws.vote_target, n) if keep is None else keep, n)
    number = (tx.session.execute(
        select(func.max(VoteRound.number)).where(VoteRound.workshop_id == ws.id)).scalar() or 0) + 1
    rnd = VoteRound(workshop_id=ws.id, number=number, budget=budget, cap=cap, keep=keep,
                    is_runoff=is_runoff, status="open", opened_at=utcnow())
    tx.session.add(rnd)
    tx.session.flush()
    for v in values:
        tx.session.add(RoundCandidate(round_id=rnd.id, value_id=v.id))
    tx.log(ws, FACILITATOR, "round_opened", round=number, budget=budget, cap=cap, keep=keep,
           runoff=is_runoff, candidates=[v.id for v in values])
    return rnd


def _set_chosen(tx: Tx, ws: Workshop, chosen_ids: set[int]) -> None:
    for v in tx.session.execute(select(CoreValue).where(CoreValue.workshop_id == ws.id)).scalars():
        v.chosen = v.id in chosen_ids and not v.removed


def _step(kind: str, number: int | None, values: list[CoreValue], keep: int) -> NextStep:
    budget = 0 if kind == DONE else default_budget(len(values))
    return NextStep(kind, number, [StepValue(v.id, v.name) for v in values], keep, budget)


def _next_step(tx: Tx, ws: Workshop) -> NextStep | None:
    """The step the rounds so far call for; None while a round is open or with nothing to vote on."""
    if _open_round(tx, ws) is not None:
        return None
    chosen = list(tx.session.execute(select(CoreValue).where(
        CoreValue.workshop_id == ws.id, CoreValue.removed.is_(False), CoreValue.chosen.is_(True))
        .order_by(CoreValue.position, CoreValue.id)).scalars())
    if chosen:
        return _step(DONE, None, chosen, len(chosen))
    last = tx.session.execute(select(VoteRound).where(VoteRound.workshop_id == ws.id)
                              .order_by(VoteRound.number.desc()).limit(1)).scalar_one_or_none()
    number = (last.number if last else 0) + 1
    if last is not None:
        outcomes = dict(tx.session.execute(select(RoundCandidate.value_id, RoundCandidate.outcome).where(
            RoundCandidate.round_id == last.id)).all())
        tied = [v for v in _candidates(tx, last) if outcomes.get(v.id) == "runoff"]
        if tied:
            secured = sum(1 for o in outcomes.values() if o == "kept")
            return _step(RUNOFF, number, tied, max(1, last.keep - secured))
    survivors = _survivors(tx, ws)
    if not survivors:
        return None
    if last is None or len(survivors) > ws.vote_target:
        return _step(ROUND, number, survivors, max(1, min(ws.vote_target, len(survivors))))
    return _step(DONE, None, survivors, len(survivors))


# ---- facilitator actions ------------------------------------------------------------

@action
def open_round(tx: Tx, code: str, key: str, budget: int | None = None, cap: int | None = None,
               keep: int | None = None, expect: str | None = None) -> int:
    """Open the step the last closed round calls for (see :func:`next_step`); returns its number.

    That is the first round, the run-off among the values tied at the cut (its
    ``keep`` is fixed by the round before), or the next round among the
    survivors. ``expect`` (ROUND or RUNOFF), when given, is the step the
    facilitator was shown: if it is no longer the step due, nothing opens."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.VOTING)
    if _open_round(tx, ws) is not None:
        raise WrongPhase(N_("A vote round is already open; close it first."))
    step = _next_step(tx, ws)
    if step is None:
        raise WrongPhase(N_("There are no values to vote on."))
    if step.done:
        raise WrongPhase(N_("The vote is over: the values are chosen. Undo the last close to vote again."))
    if expect is not None and expect != step.kind:
        raise WrongPhase(N_("The next step of the vote has changed meanwhile; look at the results again."))
    if step.is_runoff and keep is not None and keep != step.keep:
        raise InvalidInput(N_("The round before decided how many places this run-off fills: {keep}."), keep=step.keep)
    ids = [v.value_id for v in step.values]
    by_id = {v.id: v for v in tx.session.execute(select(CoreValue).where(CoreValue.id.in_(ids))).scalars()}
    _set_chosen(tx, ws, set())
    return _start_round(tx, ws, [by_id[i] for i in ids], budget=budget, cap=cap,
                        keep=step.keep if step.is_runoff else keep, is_runoff=step.is_runoff).number


@action
def configure_round(tx: Tx, code: str, key: str, budget: int, cap: int | None = None,
                    keep: int | None = None) -> None:
    """Change the open round's rules, as long as nobody has voted in it yet."""
    ws = as_facilitator(tx, code, key)
    rnd = _require_open_round(tx, ws)
    if tx.session.execute(select(func.count()).select_from(Vote).where(
            Vote.round_id == rnd.id, Vote.dots > 0)).scalar():
        raise WrongPhase(N_("People have already voted in this round; its rules can no longer change."))
    if rnd.is_runoff and keep is not None and keep != rnd.keep:
        raise InvalidInput(N_("The round before decided how many places this run-off fills: {keep}."), keep=rnd.keep)
    n = len(_candidates(tx, rnd))
    rnd.budget, rnd.cap, rnd.keep = _check_settings(budget, cap, rnd.keep if keep is None else keep, n)
    tx.log(ws, FACILITATOR, "round_configured", round=rnd.number, budget=rnd.budget, cap=rnd.cap, keep=rnd.keep)


@action
def close_round(tx: Tx, code: str, key: str) -> RoundResult:
    """Count the dots and keep the top values. Nothing else opens: the result says what comes next
    (a run-off, another round, or done), and the facilitator opens it with :func:`open_round`."""
    ws = as_facilitator(tx, code, key)
    rnd = _require_open_round(tx, ws)
    candidates = _candidates(tx, rnd)
    totals = dict(tx.session.execute(
        select(Vote.value_id, func.sum(Vote.dots)).where(Vote.round_id == rnd.id).group_by(Vote.value_id)
    ).all())
    dots = {v.id: int(totals.get(v.id) or 0) for v in candidates}
    ranked = sorted(candidates, key=lambda v: (-dots[v.id], v.position, v.id))
    outcome: dict[int, str] = {}
    if len(ranked) <= rnd.keep:
        outcome = {v.id: "kept" for v in ranked}
    else:
        cut = dots[ranked[rnd.keep - 1].id]
        above = [v for v in ranked if dots[v.id] > cut]
        tied = [v for v in ranked if dots[v.id] == cut]
        straddles = len(above) + len(tied) > rnd.keep
        for v in ranked:
            if dots[v.id] > cut:
                outcome[v.id] = "kept"
            elif dots[v.id] == cut:
                outcome[v.id] = "runoff" if straddles else "kept"
            else:
                outcome[v.id] = "dropped"
    for rc in tx.session.execute(select(RoundCandidate).where(RoundCandidate.round_id == rnd.id)).scalars():
        rc.dots = dots[rc.value_id]
        rc.rank = 1 + sum(1 for d in dots.values() if d > dots[rc.value_id])
        rc.outcome = outcome[rc.value_id]
    rnd.status, rnd.closed_at = "closed", utcnow()
    tx.session.flush()
    step = _next_step(tx, ws)
    tx.log(ws, FACILITATOR, "round_closed", round=rnd.number, dots={str(k): d for k, d in dots.items()},
           outcome={str(k): o for k, o in outcome.items()}, next=step.kind if step else None)
    if step is not None and step.done:
        _set_chosen(tx, ws, {v.value_id for v in step.values})
        tx.log(ws, FACILITATOR, "values_chosen", values=[v.value_id for v in step.values])
    return replace(_round_result(tx, ws, rnd), next_step=step)


@action
def reopen_last_round(tx: Tx, code: str, key: str) -> int:
    """Undo a round closed by mistake and reopen it with its votes (an untouched round opened
    after it is dropped)."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.VOTING)
    rounds = list(tx.session.execute(
        select(VoteRound).where(VoteRound.workshop_id == ws.id).order_by(VoteRound.number.desc()).limit(2)
    ).scalars())
    if not rounds:
        raise WrongPhase(N_("No round has been closed yet."))
    last = rounds[0]
    if last.status == "open" and len(rounds) < 2:
        raise WrongPhase(N_("No round has been closed yet."))
    if last.status == "open":
        if tx.session.execute(select(func.count()).select_from(Vote).where(
                Vote.round_id == last.id, Vote.dots > 0)).scalar():
            raise WrongPhase(N_("The open round already has votes; close it instead."))
        tx.session.execute(delete(RoundCandidate).where(RoundCandidate.round_id == last.id))
        tx.session.execute(delete(Vote).where(Vote.round_id == last.id))
        tx.session.delete(last)
        last = rounds[1]
    for rc in tx.session.execute(select(RoundCandidate).where(RoundCandidate.round_id == last.id)).scalars():
        rc.dots = rc.rank = rc.outcome = None
    last.status, last.closed_at = "open", None
    _set_chosen(tx, ws, set())
    tx.log(ws, FACILITATOR, "round_reopened", round=last.number)
    return last.number


@action
def settle(tx: Tx, code: str, key: str, value_ids: list[int]) -> None:
    """The facilitator decides the final values (for a tie the room cannot break)."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.VOTING)
    active = {v.id for v in tx.session.execute(select(CoreValue).where(
        CoreValue.workshop_id == ws.id, CoreValue.removed.is_(False))).scalars()}
    chosen = set(value_ids)
    if not chosen or not chosen <= active:
        raise InvalidInput(N_("Choose at least one of this workshop's values."))
    rnd = _open_round(tx, ws)
    if rnd is not None:
        rnd.status, rnd.closed_at = "closed", utcnow()
        for rc in tx.session.execute(select(RoundCandidate).where(RoundCandidate.round_id == rnd.id)).scalars():
            rc.outcome = "kept" if rc.value_id in chosen else "dropped"
    _set_chosen(tx, ws, chosen)
    tx.log(ws, FACILITATOR, "values_settled", values=sorted(chosen))


# ---- participant action -------------------------------------------------------------

@action
def set_dots(tx: Tx, code: str, token: str, value_id: int, dots: int) -> Ballot:
    """Put exactly ``dots`` dots on a value in the open round (0 takes them off).

    Setting, not adding, makes a repeated request harmless. The workshop row
    lock taken first means two kernels voting for the same person at the same
    instant are checked one after the other, so the budget holds.

    The room's marker stays: while a round is open nobody else's page shows anything of a vote
    (no totals, no voters, on phones or the room screen; only the facilitator's console, which
    follows every write), and a vote outside an open round is refused. The voter's own marker
    moves, so their other tabs show the dots spent."""
    ws, me = as_participant(tx, code, token, room_sees=False)
    require_phase(ws, phases.VOTING)
    rnd = _require_open_round(tx, ws)
    dots = whole_number(dots, what=N_("number of dots"), low=0, high=rnd.budget)
    if value_id not in {v.id for v in _candidates(tx, rnd)}:
        raise InvalidInput(N_("That value is not on the ballot of this round."))
    if rnd.cap is not None and dots > rnd.cap:
        raise BudgetExceeded(N_("At most {cap} dots can go on one value."), cap=rnd.cap)
    others = tx.session.execute(select(func.coalesce(func.sum(Vote.dots), 0)).where(
        Vote.round_id == rnd.id, Vote.participant_id == me.id, Vote.value_id != value_id)).scalar()
    if others + dots > rnd.budget:
        raise BudgetExceeded(
            N_("You have {left} dots left; take some off another value first."), left=rnd.budget - others)
    vote = tx.session.execute(select(Vote).where(
        Vote.round_id == rnd.id, Vote.participant_id == me.id, Vote.value_id == value_id)).scalar_one_or_none()
    if vote is None:
        vote = Vote(round_id=rnd.id, participant_id=me.id, value_id=value_id, dots=dots)
        tx.session.add(vote)
    vote.dots, vote.updated_at = dots, utcnow()
    tx.session.flush()
    tx.log(ws, actor_of(me), "dots_set", round=rnd.number, value=value_id, dots=dots)
    return _ballot(tx, ws, me, rnd)


# ---- reading -----------------------------------------------------------------------

def _ballot(tx: Tx, ws: Workshop, me: Participant, rnd: VoteRound) -> Ballot:
    mine = dict(tx.session.execute(select(Vote.value_id, Vote.dots).where(
        Vote.round_id == rnd.id, Vote.participant_id == me.id)).all())
    lines = [BallotLine(v.id, v.name, v.description, int(mine.get(v.id, 0))) for v in _candidates(tx, rnd)]
    return Ballot(rnd.number, rnd.is_runoff, rnd.budget, rnd.cap, rnd.keep, sum(l.my_dots for l in lines), lines)


@query
def ballot(tx: Tx, code: str, token: str) -> Ballot | None:
    """The participant's own ballot in the open round, or None between rounds."""
    ws, me = as_participant(tx, code, token)
    rnd = _open_round(tx, ws)
    return None if rnd is None else _ballot(tx, ws, me, rnd)


def _round_result(tx: Tx, ws: Workshop, rnd: VoteRound) -> RoundResult:
    rows = tx.session.execute(
        select(RoundCandidate, CoreValue.name).join(CoreValue, CoreValue.id == RoundCandidate.value_id)
        .where(RoundCandidate.round_id == rnd.id)
        .order_by(RoundCandidate.rank, CoreValue.position, CoreValue.id)
    ).all()
    voters = tx.session.execute(select(func.count(func.distinct(Vote.participant_id))).where(
        Vote.round_id == rnd.id, Vote.dots > 0)).scalar()
    closed = rnd.status == "closed"
    return RoundResult(
        rnd.number, rnd.is_runoff, rnd.budget, rnd.cap, rnd.keep, rnd.status, voters,
        [CandidateResult(rc.value_id, name, rc.dots if closed else 0, rc.rank or 0, rc.outcome or "")
         for rc, name in rows],
        rnd.opened_at, rnd.closed_at,
    )


@query
def rounds(tx: Tx, code: str) -> list[RoundResult]:
    """Every round; dots are only filled in for closed rounds, so the open one stays secret."""
    ws = tx.workshop(code)
    return [_round_result(tx, ws, r) for r in tx.session.execute(
        select(VoteRound).where(VoteRound.workshop_id == ws.id).order_by(VoteRound.number)).scalars()]


@dataclass(frozen=True)
class VotingSeen:
    """What a participant's voting screen shows, read in one transaction."""

    #: Their own ballot in the open round; None between rounds.
    ballot: Ballot | None
    #: The last closed round, whose result the whole room may see; None before the first close.
    last_closed: RoundResult | None
    #: What the rounds so far call for; None while a round is open.
    step: NextStep | None


@query
def seen_by(tx: Tx, code: str, token: str) -> VotingSeen:
    """One read per repaint of a participant's voting screen instead of three (ballot, every
    round's result, the next step): every vote in the room repaints every phone."""
    ws, me = as_participant(tx, code, token)
    rnd = _open_round(tx, ws)
    last = tx.session.execute(select(VoteRound).where(VoteRound.workshop_id == ws.id, VoteRound.status == "closed")
                              .order_by(VoteRound.number.desc()).limit(1)).scalar_one_or_none()
    return VotingSeen(
        ballot=None if rnd is None else _ballot(tx, ws, me, rnd),
        last_closed=None if last is None else _round_result(tx, ws, last),
        step=None if rnd is not None else _next_step(tx, ws),
    )


@query
def progress(tx: Tx, code: str, key: str) -> list[VoterProgress]:
    """Who has used how many dots in the open round, never on what."""
    ws = as_facilitator(tx, code, key)
    rnd = _open_round(tx, ws)
    if rnd is None:
        return []
    used = dict(tx.session.execute(select(Vote.participant_id, func.sum(Vote.dots)).where(
        Vote.round_id == rnd.id).group_by(Vote.participant_id)).all())
    people = tx.session.execute(select(Participant).where(
        Participant.workshop_id == ws.id, Participant.role == "member").order_by(Participant.number)).scalars()
    return [VoterProgress(p.id, shown_name(ws, p), int(used.get(p.id) or 0), rnd.budget) for p in people]


@query
def next_step(tx: Tx, code: str) -> NextStep | None:
    """What the last closed round calls for, not yet open; None while a round is open.

    Public like :func:`rounds`: the whole room may see a closed round's result."""
    return _next_step(tx, tx.workshop(code))


@query
def is_finished(tx: Tx, code: str) -> bool:
    ws = tx.workshop(code)
    return bool(tx.session.execute(select(func.count()).select_from(CoreValue).where(
        CoreValue.workshop_id == ws.id, CoreValue.chosen.is_(True))).scalar())

