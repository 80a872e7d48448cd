"""Brainstorm cards: written privately, revealed together by the facilitator."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, select

from workshop.core import credentials, phases, settings
from workshop.core.errors import N_, InvalidInput, NotAuthorized, NotFound
from workshop.core.text import clean
from workshop.domain.access import FACILITATOR, actor_of, as_facilitator, as_participant, require_phase, shown_name
from workshop.store import COUNTS, Tx, action, query
from workshop.store.schema import Card, Event, Participant, Workshop, utcnow


@dataclass(frozen=True)
class CardView:
    id: int
    text: str
    value_id: int | None
    #: Only filled for the facilitator of a named (not anonymous) workshop.
    author: str = ""


def _request_id(request_id: str | None) -> str | None:
    if request_id is None:
        return None
    return clean(request_id, what=N_("request id"), limit=64)


def _as_writer(tx: Tx, code: str, token: str):
    """The participant writing, editing or taking back a card. While cards are hidden the room
    sees only how many there are (``COUNTS``); once revealed, the card itself."""
    ws, me = as_participant(tx, code, token, room_sees=COUNTS)
    if ws.cards_revealed:
        tx.room_sees_it(ws)
    return ws, me


@action
def add_card(tx: Tx, code: str, token: str, text: str, request_id: str | None = None) -> CardView:
    """Add a card; sending the same ``request_id`` twice stores it once."""
    ws, me = _as_writer(tx, code, token)
    require_phase(ws, phases.BRAINSTORM)
    text = clean(text, what=N_("card"), limit=settings.MAX_CARD, multiline=True)
    request_id = _request_id(request_id)
    if request_id:
        existing = tx.session.execute(
            select(Card).where(Card.participant_id == me.id, Card.request_id == request_id)
        ).scalar_one_or_none()
        if existing is not None:
            return CardView(existing.id, existing.text, existing.value_id)
    mine = tx.session.execute(
        select(func.count()).select_from(Card).where(Card.participant_id == me.id, Card.withdrawn.is_(False))
    ).scalar()
    if mine >= settings.MAX_CARDS_PER_PARTICIPANT:
        raise InvalidInput(N_("You have written {limit} cards, the most one person can."),
                           limit=settings.MAX_CARDS_PER_PARTICIPANT)
    card = Card(workshop_id=ws.id, participant_id=me.id, text=text, request_id=request_id,
                shuffle_key=random.randrange(1 << 30))
    tx.session.add(card)
    tx.session.flush()
    tx.log(ws, actor_of(me), "card_added", card=card.id, text=text)
    return CardView(card.id, card.text, card.value_id)


def _own_card(tx: Tx, ws: Workshop, me, card_id: int) -> Card:
    card = tx.session.get(Card, card_id)
    if card is None or card.workshop_id != ws.id or card.withdrawn:
        raise NotFound(N_("That card no longer exists."))
    if card.participant_id != me.id:
        raise NotAuthorized(N_("You can only change your own cards."))
    return card


@action
def edit_card(tx: Tx, code: str, token: str, card_id: int, text: str) -> CardView:
    ws, me = _as_writer(tx, code, token)
    require_phase(ws, phases.BRAINSTORM)
    card = _own_card(tx, ws, me, card_id)
    card.text = clean(text, what=N_("card"), limit=settings.MAX_CARD, multiline=True)
    card.updated_at = utcnow()
    tx.log(ws, actor_of(me), "card_edited", card=card.id, text=card.text)
    return CardView(card.id, card.text, card.value_id)


#: Events that carry a card's text, scrubbed when the card is withdrawn.
TEXT_EVENTS = ("card_added", "card_edited")


def _scrub_log(tx: Tx, ws: Workshop, card_id: int) -> None:
    """Take the text of a withdrawn card out of the log's earlier events of that card (same transaction)."""
    rows = tx.session.execute(select(Event).where(Event.workshop_id == ws.id, Event.kind.in_(TEXT_EVENTS))).scalars()
    for e in rows:
        payload = e.payload or {}
        if payload.get("card") == card_id and "text" in payload:
            # A new dict: the JSON column notices only a replaced value.
            e.payload = {k: v for k, v in payload.items() if k != "text"} | {"text_removed": True}


@action
def withdraw_card(tx: Tx, code: str, token: str, card_id: int) -> None:
    """Take a card back: never shown again, and its text is gone from the log too."""
    ws, me = _as_writer(tx, code, token)
    require_phase(ws, phases.BRAINSTORM)
    card = _own_card(tx, ws, me, card_id)
    card.withdrawn = True
    card.value_id = None
    # Gone from the card row and the log alike: the export still counts the withdrawn card, textless.
    card.text = ""
    _scrub_log(tx, ws, card.id)
    tx.log(ws, actor_of(me), "card_withdrawn", card=card.id)


@action
def add_card_as_facilitator(tx: Tx, code: str, key: str, text: str) -> CardView:
    """For a participant who dictates over the call, or a card said aloud."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, phases.BRAINSTORM, phases.GROUPING)
    text = clean(text, what=N_("card"), limit=settings.MAX_CARD, multiline=True)
    # Stored under the facilitator's own participant row, created on demand.
    fac = tx.session.execute(
        select(Participant).where(Participant.workshop_id == ws.id, Participant.role == "facilitator")
    ).scalar_one_or_none()
    if fac is None:
        fac = Participant(workshop_id=ws.id, token_hash=credentials.digest(credentials.new_secret()),
                          number=0, display_name=None, role="facilitator")
        tx.session.add(fac)
        tx.session.flush()
    card = Card(workshop_id=ws.id, participant_id=fac.id, text=text, shuffle_key=random.randrange(1 << 30))
    tx.session.add(card)
    tx.session.flush()
    tx.log(ws, FACILITATOR, "card_added", card=card.id, text=text)
    return CardView(card.id, card.text, card.value_id)


@action
def reveal(tx: Tx, code: str, key: str, revealed: bool = True) -> None:
    ws = as_facilitator(tx, code, key)
    ws.cards_revealed = bool(revealed)
    tx.log(ws, FACILITATOR, "cards_revealed" if revealed else "cards_hidden")


@query
def my_cards(tx: Tx, code: str, token: str) -> list[CardView]:
    ws, me = as_participant(tx, code, token)
    rows = tx.session.execute(
        select(Card).where(Card.participant_id == me.id, Card.withdrawn.is_(False)).order_by(Card.id)
    ).scalars()
    return [CardView(c.id, c.text, c.value_id) for c in rows]


@query
def count(tx: Tx, code: str) -> int:
    """How many cards the room has written: visible to all before the reveal."""
    ws = tx.workshop(code)
    return tx.session.execute(
        select(func.count()).select_from(Card).where(Card.workshop_id == ws.id, Card.withdrawn.is_(False))
    ).scalar()


def _wall(tx: Tx, ws: Workshop, with_authors: bool) -> list[CardView]:
    rows = tx.session.execute(
        select(Card, Participant)
        .join(Participant, Participant.id == Card.participant_id)
        .where(Card.workshop_id == ws.id, Card.withdrawn.is_(False))
        # Shuffled, not by time: the order must not tell who wrote what.
        .order_by(Card.shuffle_key, Card.id)
    ).all()
    return [
        CardView(c.id, c.text, c.value_id,
                 author=shown_name(ws, p) if with_authors and p.role != "facilitator" else "")
        for c, p in rows
    ]


@query
def wall(tx: Tx, code: str) -> list[CardView]:
    """Everyone's cards, once revealed; refused before that."""
    ws = tx.workshop(code)
    if not ws.cards_revealed:
        raise NotAuthorized(N_("The cards have not been revealed yet."))
    return _wall(tx, ws, with_authors=False)


@query
def facilitator_wall(tx: Tx, code: str, key: str) -> list[CardView]:
    """All cards for the facilitator, with authors unless the workshop is anonymous."""
    ws = as_facilitator(tx, code, key)
    return _wall(tx, ws, with_authors=not ws.anonymous)
