"""The room screen: what the facilitator shares on the call, and nothing the whole room may not see.

The screen opens with a link of its own (``room.ipynb?s=SECRET``, the "screen"
audience of ``domain/audiences.py``). That secret opens this read-only view and
nothing else: it joins nobody (``workshops.join`` knows no "screen" role), it is
not a join code (participant.ipynb reads only ``w=``) and not another
audience's secret (follow-up pages resolve only their own role). The join code
does not open the screen. Wrong secrets are counted per visitor like wrong
join codes (``throttle``).

``screen`` returns a :class:`RoomScreen`: a frozen dataclass that holds only
what the room may see in the current phase. It has no field for a name, a
hint, a ballot, a live total or average, the key or a token, so a page built
from it cannot show one. Rules, per phase:

* setup: title, join code, how many have joined;
* brainstorm: the question and the card count; the card texts once revealed, without authors;
* grouping: the values wall (names, descriptions, and card texts once revealed), unsorted cards;
* voting: the open round's candidates (no dots, no voters); a round's totals once it is closed;
  the chosen values once the vote is over;
* drafting: how many drafts, and the chosen values to build on;
* rating: the drafts without authors; their means per criterion only once rating is closed;
* actions, published: the chosen vision and the philosophy (``outputs.philosophy.build``).

The facilitator can spotlight one card, value or draft the room sees now
(``spotlight``). It is stored in ``Workshop.settings[SPOTLIGHT]`` as
``[kind, id, mark]``, ``mark`` being the last change of stage; a spotlight set
before the stage changed (even if the room came back since), or on something
the room no longer sees, is ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func, select

from workshop.core import criteria, phases
from workshop.core.errors import N_, InvalidInput, NotAuthorized, NotFound
from workshop.domain import audiences, grouping, voting
from workshop.domain.access import FACILITATOR, as_facilitator
from workshop.domain.workshops import SPOTLIGHT, joining_open, rating_closed
from workshop.store import Store, Tx, action, query
from workshop.store.schema import Card, Event, Participant, Rating, VisionDraft, Workshop

#: The audience whose link opens the room screen.
ROLE = "screen"
#: The notebook that link opens.
NOTEBOOK = audiences.NOTEBOOKS[ROLE]

CARD, VALUE, DRAFT = "card", "value", "draft"
#: What can be spotlit on the room screen.
KINDS = (CARD, VALUE, DRAFT)

#: Events that change the room's stage (``workshops.advance``, ``reopen``, ``undo_phase``).
STAGE_EVENTS = ("phase_advanced", "phase_reopened", "phase_undone")

NOT_ON_SCREEN = N_("That is not on the room screen right now, so it cannot be spotlit.")


# ---- the view ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScreenCard:
    id: int
    text: str


@dataclass(frozen=True)
class ScreenValue:
    id: int
    name: str
    description: str
    #: The texts of its cards, once the cards are revealed (never who wrote them).
    cards: tuple[ScreenCard, ...] = ()
    #: Its position: an unnamed group on the wall is shown as "Group <number>".
    number: int = 0


@dataclass(frozen=True)
class ScreenResult:
    """One candidate of a closed round."""
    value_id: int
    name: str
    dots: int
    rank: int
    #: "kept", "dropped" or "runoff".
    outcome: str


@dataclass(frozen=True)
class ScreenRound:
    number: int
    is_runoff: bool
    keep: int
    closed: bool
    #: The values on the ballot (names and descriptions only).
    candidates: tuple[ScreenValue, ...]
    #: Totals, ranks and outcomes: filled only once the round is closed.
    results: tuple[ScreenResult, ...] = ()


@dataclass(frozen=True)
class ScreenDraft:
    id: int
    #: Its number on the screen (1, 2, ...), in the order written.
    number: int
    text: str
    final: bool = False
    #: (criterion, mean or None) in ``criteria.ORDER``: filled only once rating is closed.
    means: tuple[tuple[str, float | None], ...] = ()


@dataclass(frozen=True)
class RoomScreen:
    """Everything the room screen shows in the current phase; nothing else is in it."""
    code: str
    title: str
    language: str
    phase: str
    #: ``Workshop.room_revision`` as read with the rest: the room screen follows it.
    room_revision: int
    #: ``Workshop.tally_revision`` as read with the rest: the counts, which it follows too.
    tally_revision: int
    #: Members who have joined (a number, never who).
    joined: int
    joining_open: bool
    question: str = ""
    card_count: int = 0
    cards_revealed: bool = False
    #: Brainstorm, once revealed: every card's text, shuffled.
    cards: tuple[ScreenCard, ...] = ()
    #: Grouping: the values wall.
    values: tuple[ScreenValue, ...] = ()
    #: Grouping, once revealed: cards not in a value yet.
    unsorted: tuple[ScreenCard, ...] = ()
    #: Voting: the open round (candidates only), or None between rounds.
    open_round: ScreenRound | None = None
    #: Voting: the closed rounds with their totals, oldest first.
    closed_rounds: tuple[ScreenRound, ...] = ()
    #: Voting (once over), drafting: the chosen values.
    chosen: tuple[ScreenValue, ...] = ()
    draft_count: int = 0
    #: Rating: the drafts, without authors.
    drafts: tuple[ScreenDraft, ...] = ()
    rating_closed: bool = False
    #: From rating on, once chosen.
    vision: str = ""
    #: Actions and published: ``outputs.philosophy.Philosophy``.
    philosophy: object | None = None
    timer_ends_at: dt.datetime | None = None
    timer_label: str = ""
    #: (kind, id) of the spotlit item, only when the room sees that item now.
    spotlight: tuple[str, int] | None = None


def visible(view: RoomScreen) -> dict[str, set[int]]:
    """kind -> the ids of the cards, values and drafts ``view`` shows (what may be spotlit)."""
    found: dict[str, set[int]] = {k: set() for k in KINDS}
    found[CARD].update(c.id for c in view.cards)
    found[CARD].update(c.id for c in view.unsorted)
    for v in view.values + view.chosen:
        found[VALUE].add(v.id)
        found[CARD].update(c.id for c in v.cards)
    for rnd in ((view.open_round,) if view.open_round else ()) + view.closed_rounds[-1:]:
        found[VALUE].update(v.id for v in rnd.candidates)
    found[DRAFT].update(d.id for d in view.drafts)
    return found


# ---- building it --------------------------------------------------------------------------------

def _cards(tx: Tx, ws: Workshop) -> list[Card]:
    return list(tx.session.execute(
        select(Card).where(Card.workshop_id == ws.id, Card.withdrawn.is_(False))
        # Shuffled, not by time: the order must not tell who wrote what.
        .order_by(Card.shuffle_key, Card.id)).scalars())


def _count(tx: Tx, model, *where) -> int:
    return tx.session.execute(select(func.count()).select_from(model).where(*where)).scalar() or 0


def _means(tx: Tx, drafts: list[VisionDraft]) -> dict[int, tuple[tuple[str, float | None], ...]]:
    scores: dict[tuple[int, str], list[int]] = {}
    if drafts:
        for d, c, s in tx.session.execute(select(Rating.draft_id, Rating.criterion, Rating.score).where(
                Rating.draft_id.in_([d.id for d in drafts]))).all():
            scores.setdefault((d, c), []).append(s)
    return {d.id: tuple((c, statistics.fmean(scores[d.id, c]) if scores.get((d.id, c)) else None)
                        for c in criteria.ORDER) for d in drafts}


def _rounds(tx: Tx, ws: Workshop, descriptions: dict[int, str]):
    open_round, closed = None, []
    for r in voting.rounds.__wrapped__(tx, ws.code):
        candidates = tuple(ScreenValue(c.value_id, c.name, descriptions.get(c.value_id, "")) for c in r.candidates)
        if r.status == "closed":
            closed.append(ScreenRound(r.number, r.is_runoff, r.keep, True, candidates, tuple(
                ScreenResult(c.value_id, c.name, int(c.dots), int(c.rank), c.outcome) for c in r.candidates)))
        elif r.status == "open":
            # Never a total, a voter or a ballot of a round that is still open.
            open_round = ScreenRound(r.number, r.is_runoff, r.keep, False, candidates)
    return open_round, tuple(closed)


def _build(tx: Tx, ws: Workshop) -> RoomScreen:
    phase = ws.phase
    settings = ws.settings or {}
    at = phases.index(phase)
    base = {
        "code": ws.code, "title": ws.title, "language": ws.language, "phase": phase, "room_revision": ws.room_revision,
        "tally_revision": ws.tally_revision,
        "joined": _count(tx, Participant, Participant.workshop_id == ws.id, Participant.role == "member"),
        "joining_open": joining_open(ws), "cards_revealed": bool(ws.cards_revealed),
        "rating_closed": rating_closed(ws),
        "timer_ends_at": ws.timer_ends_at, "timer_label": ws.timer_label or "",
    }
    if at >= phases.index(phases.RATING) and ws.vision:
        base["vision"] = ws.vision
    if phase == phases.BRAINSTORM:
        base.update(question=ws.question,
                    card_count=_count(tx, Card, Card.workshop_id == ws.id, Card.withdrawn.is_(False)))
        if ws.cards_revealed:
            base["cards"] = tuple(ScreenCard(c.id, c.text) for c in _cards(tx, ws))
    elif phase == phases.GROUPING:
        by_value: dict[int | None, list[ScreenCard]] = {}
        if ws.cards_revealed:
            for c in _cards(tx, ws):
                by_value.setdefault(c.value_id, []).append(ScreenCard(c.id, c.text))
        base.update(
            question=ws.question,
            values=tuple(ScreenValue(v.id, v.name, v.description, tuple(by_value.get(v.id, ())), v.position)
                         for v in grouping.values.__wrapped__(tx, ws.code)),
            unsorted=tuple(by_value.get(None, ())))
    elif phase in (phases.VOTING, phases.DRAFTING):
        values = grouping.values.__wrapped__(tx, ws.code)
        base["chosen"] = tuple(ScreenValue(v.id, v.name, v.description) for v in values if v.chosen)
        if phase == phases.VOTING:
            base["open_round"], base["closed_rounds"] = _rounds(tx, ws, {v.id: v.description for v in values})
        else:
            base["draft_count"] = _count(tx, VisionDraft, VisionDraft.workshop_id == ws.id,
                                         VisionDraft.withdrawn.is_(False))
    elif phase == phases.RATING:
        drafts = list(tx.session.execute(select(VisionDraft).where(
            VisionDraft.workshop_id == ws.id, VisionDraft.withdrawn.is_(False)).order_by(VisionDraft.id)).scalars())
        means = _means(tx, drafts) if base["rating_closed"] else {}
        base.update(draft_count=len(drafts), drafts=tuple(
            ScreenDraft(d.id, i, d.text, final=d.id == ws.final_draft_id, means=means.get(d.id, ()))
            for i, d in enumerate(drafts, 1)))
    elif phase in (phases.ACTIONS, phases.PUBLISHED):
        base["chosen"] = tuple(ScreenValue(v.id, v.name, v.description)
                               for v in grouping.values.__wrapped__(tx, ws.code, only_chosen=True))
    view = RoomScreen(**base)
    stored = settings.get(SPOTLIGHT)
    return dataclasses.replace(view, spotlight=_valid_spotlight(stored, view, _stage_mark(tx, ws)) if stored else None)


def _stage_mark(tx: Tx, ws: Workshop) -> int:
    """The id of the workshop's last change of stage (0 before any): a spotlight belongs to one stay in a stage."""
    return tx.session.execute(select(func.max(Event.id)).where(
        Event.workshop_id == ws.id, Event.kind.in_(STAGE_EVENTS))).scalar() or 0


def _valid_spotlight(stored, view: RoomScreen, mark: int) -> tuple[str, int] | None:
    """The stored spotlight if it was set since the last change of stage and the room sees its item now."""
    if not stored or len(stored) < 2:
        return None
    kind, item = str(stored[0]), stored[1]
    if len(stored) > 2 and stored[2] != mark:
        return None  # set before the stage changed (even if the room has come back since): stale
    try:
        item = int(item)
    except (TypeError, ValueError):
        return None
    return (kind, item) if item in visible(view).get(kind, ()) else None


@query
def _screen(tx: Tx, secret: str) -> RoomScreen:
    code = audiences.resolve.__wrapped__(tx, secret, ROLE)
    return _build(tx, tx.workshop(code))


def screen(store: Store, secret: str, t=None, guesser=None) -> RoomScreen:
    """What the room screen of the link secret ``secret`` shows now.

    A wrong secret (a join code, another audience's secret, a guess) raises NotAuthorized
    and counts against the guesser like a wrong join code; past their limit it is answered
    after a pause with "too many tries". ``t`` words the philosophy (default: the workshop's language)."""
    try:
        view = _screen(store, secret or "")
    except NotAuthorized:
        from workshop.domain import throttle

        throttle.failed(store, "code", guesser=guesser)
        raise
    if view.phase in (phases.ACTIONS, phases.PUBLISHED):
        from workshop.outputs import philosophy

        view = dataclasses.replace(view, philosophy=philosophy.build(store, view.code, t))
    return view


def screen_secret(store: Store, code: str, key: str) -> str:
    """The secret of the room screen's link (made on first use); only the facilitator may ask."""
    return audiences.secret(store, code, key, ROLE)


# ---- spotlight ----------------------------------------------------------------------------------

@action
def spotlight(tx: Tx, code: str, key: str, kind: str, item_id: int) -> tuple[str, int]:
    """Spotlight a card, value or draft that the room screen shows now; returns (kind, id)."""
    ws = as_facilitator(tx, code, key)
    if kind not in KINDS:
        raise InvalidInput(N_("Only a card, a value or a draft can be spotlit."))
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        raise InvalidInput(NOT_ON_SCREEN) from None
    if item_id not in visible(_build(tx, ws))[kind]:
        raise NotFound(NOT_ON_SCREEN)
    # Stored with the last change of stage, so a spotlight left on is not carried into the next stage.
    ws.settings = {**(ws.settings or {}), SPOTLIGHT: [kind, item_id, _stage_mark(tx, ws)]}
    tx.log(ws, FACILITATOR, "spotlight_set", what=kind, item=item_id)
    return kind, item_id


@action
def clear_spotlight(tx: Tx, code: str, key: str) -> None:
    """Nothing spotlit on the room screen."""
    ws = as_facilitator(tx, code, key)
    if (ws.settings or {}).get(SPOTLIGHT) is not None:
        ws.settings = {k: v for k, v in (ws.settings or {}).items() if k != SPOTLIGHT}
        tx.log(ws, FACILITATOR, "spotlight_cleared")


@query
def spotlight_choices(tx: Tx, code: str, key: str) -> tuple[RoomScreen, dict[str, set[int]]]:
    """For the facilitator's spotlight control: the room screen's view now and what it may spotlight."""
    ws = as_facilitator(tx, code, key)
    view = _build(tx, ws)
    return view, visible(view)
