"""The gut check: key stakeholders who were not in the room react to the chosen vision and values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from workshop.core import phases, settings
from workshop.core.errors import N_, InvalidInput, WrongPhase
from workshop.core.text import clean
from workshop.domain import workshops
from workshop.domain.access import actor_of, as_facilitator, as_participant, shown_name
from workshop.store import Store, Tx, action, query
from workshop.store.schema import Participant, StakeholderReaction, Workshop, utcnow

ROLE = "stakeholder"

LANDS, UNSURE, NO = "lands", "unsure", "no"
REACTIONS = (LANDS, UNSURE, NO)

TITLES = {
    LANDS: N_("It lands"),
    UNSURE: N_("Not sure"),
    NO: N_("It does not land"),
}

#: Fewer reactions than this to the current wording are never counted or shown per reaction (in the
#: facilitator's view and the export): with so few, each one could be told apart.
MIN_SEGMENT = 5

#: Stages in which a chosen vision may be judged; reopening drafting pauses the gut check.
OPEN_PHASES = (phases.RATING, phases.ACTIONS, phases.PUBLISHED)


@dataclass(frozen=True)
class MyReaction:
    reaction: str
    comment: str
    #: False when the vision has been reworded since: the stakeholder should look again.
    current: bool


@dataclass(frozen=True)
class GutCheck:
    """What one stakeholder sees."""
    open: bool
    vision: str
    mine: MyReaction | None


@dataclass(frozen=True)
class StakeholderComment:
    name: str
    #: "" while the reactions are hidden (fewer than MIN_SEGMENT).
    reaction: str
    comment: str
    current: bool
    updated_at: dt.datetime


@dataclass(frozen=True)
class Tally:
    """What the facilitator sees: reactions to the current wording, and every comment.

    With fewer than MIN_SEGMENT reactions to the current wording, ``hidden`` is
    True, every count is 0 and the comments carry no reaction."""
    open: bool
    vision: str
    counts: dict[str, int]
    stakeholders: int
    #: Reactions given to an earlier wording of the vision, not counted above.
    earlier: int
    comments: list[StakeholderComment] = field(default_factory=list)
    #: How many reacted to the current wording (shown even while the counts are hidden).
    reacted: int = 0
    hidden: bool = False

    @property
    def total(self) -> int:
        return self.reacted

    @property
    def lands_share(self) -> float | None:
        return self.counts[LANDS] / self.total if self.total and not self.hidden else None


def is_open(ws: Workshop) -> bool:
    return bool(ws.vision) and ws.phase in OPEN_PHASES


def _require_open(ws: Workshop) -> None:
    if not ws.vision:
        raise WrongPhase(N_("The gut check opens once the final vision is chosen."))
    if ws.phase not in OPEN_PHASES:
        raise WrongPhase(N_("The team is reworking the vision; the gut check opens again when they are done."))


def join(store: Store, code: str, name: str | None = None, *, secret: str,
         request_id: str | None = None) -> workshops.Joined:
    """Join the gut check as a stakeholder (a name unless the workshop is anonymous);
    ``secret`` is the gut check link's own (see domain/audiences.py)."""
    return workshops.join(store, code, name=name, role=ROLE, audience=secret, request_id=request_id)


@action
def react(tx: Tx, code: str, token: str, reaction: str, comment: str = "") -> MyReaction:
    """Record the stakeholder's reaction to the current vision; reacting again replaces it."""
    ws, me = as_participant(tx, code, token, roles=(ROLE,))
    _require_open(ws)
    if reaction not in REACTIONS:
        raise InvalidInput(N_("Please choose one of the three reactions."))
    comment = clean(comment, what=N_("comment"), limit=settings.MAX_COMMENT, multiline=True, required=False)
    row = tx.session.execute(
        select(StakeholderReaction).where(StakeholderReaction.participant_id == me.id)
    ).scalar_one_or_none()
    if row is None:
        row = StakeholderReaction(workshop_id=ws.id, participant_id=me.id)
        tx.session.add(row)
    row.reaction, row.comment, row.vision, row.updated_at = reaction, comment, ws.vision, utcnow()
    tx.log(ws, actor_of(me), "gut_reaction", reaction=reaction, comment=comment)
    return MyReaction(reaction, comment, current=True)


@query
def gut_check(tx: Tx, code: str, token: str) -> GutCheck:
    ws, me = as_participant(tx, code, token, roles=(ROLE,))
    row = tx.session.execute(
        select(StakeholderReaction).where(StakeholderReaction.participant_id == me.id)
    ).scalar_one_or_none()
    mine = None if row is None else MyReaction(row.reaction, row.comment, row.vision == ws.vision)
    return GutCheck(is_open(ws), ws.vision, mine)


@query
def tally(tx: Tx, code: str, key: str) -> Tally:
    ws = as_facilitator(tx, code, key)
    rows = tx.session.execute(
        select(StakeholderReaction, Participant)
        .join(Participant, Participant.id == StakeholderReaction.participant_id)
        .where(StakeholderReaction.workshop_id == ws.id)
        .order_by(StakeholderReaction.updated_at.desc(), StakeholderReaction.id.desc())
    ).all()
    counts = {r: 0 for r in REACTIONS}
    earlier = 0
    comments = []
    for row, p in rows:
        current = row.vision == ws.vision
        if current:
            counts[row.reaction] += 1
        else:
            earlier += 1
        if row.comment:
            comments.append(StakeholderComment(shown_name(ws, p), row.reaction, row.comment, current,
                                               row.updated_at))
    joined = tx.session.execute(select(func.count()).select_from(Participant).where(
        Participant.workshop_id == ws.id, Participant.role == ROLE)).scalar()
    reacted = sum(counts.values())
    hidden = reacted < MIN_SEGMENT
    if hidden:
        counts = {r: 0 for r in REACTIONS}
        comments = [StakeholderComment(c.name, "", c.comment, c.current, c.updated_at) for c in comments]
    return Tally(is_open(ws), ws.vision, counts, joined, earlier, comments, reacted, hidden)


def reactions_hidden(tx: Tx, ws: Workshop) -> bool:
    """Whether fewer than MIN_SEGMENT stakeholders reacted to the current wording (for the export)."""
    current = tx.session.execute(select(func.count()).select_from(StakeholderReaction).where(
        StakeholderReaction.workshop_id == ws.id, StakeholderReaction.vision == ws.vision)).scalar()
    return current < MIN_SEGMENT


def reopen_drafting(store: Store, code: str, key: str) -> str:
    """The vision did not land: send the room back to drafting (drafts and ratings are kept)."""
    return workshops.reopen(store, code, key, phases.DRAFTING)
