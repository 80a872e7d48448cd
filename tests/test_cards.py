"""Brainstorm cards: written privately while the brainstorm is open, revealed together."""

from __future__ import annotations

import pytest

from workshop import InvalidInput, NotAuthorized, NotFound, WrongPhase
from workshop.core import settings
from workshop.domain import audiences, cards, grouping, workshops

from .domain_helpers import events, refused


@pytest.fixture
def room(store, created):
    """A brainstorm in progress with two participants: (code, key, ana token, ben token)."""
    code, key = created
    ana = workshops.join(store, code, "Ana").token
    ben = workshops.join(store, code, "Ben").token
    workshops.advance(store, code, key)
    return code, key, ana, ben


def test_cards_can_only_be_written_while_the_brainstorm_is_open(store, created):
    code, key = created
    ana = workshops.join(store, code, "Ana").token
    with refused(store, WrongPhase, match="Getting ready"):
        cards.add_card(store, code, ana, "Too early")
    workshops.advance(store, code, key)
    card = cards.add_card(store, code, ana, "  Fast answers  ")
    assert card.text == "Fast answers"
    workshops.advance(store, code, key)
    with refused(store, WrongPhase):
        cards.add_card(store, code, ana, "Too late")
    with refused(store, WrongPhase):
        cards.edit_card(store, code, ana, card.id, "Changed late")
    with refused(store, WrongPhase):
        cards.withdraw_card(store, code, ana, card.id)
    assert [c.text for c in cards.my_cards(store, code, ana)] == ["Fast answers"]


def test_own_cards_can_be_edited_and_withdrawn(store, room):
    code, key, ana, _ = room
    card = cards.add_card(store, code, ana, "Fast")
    assert cards.edit_card(store, code, ana, card.id, "Fast and friendly").text == "Fast and friendly"
    assert [c.text for c in cards.my_cards(store, code, ana)] == ["Fast and friendly"]
    cards.withdraw_card(store, code, ana, card.id)
    assert cards.my_cards(store, code, ana) == []
    assert cards.count(store, code) == 0
    # A withdrawn card is gone for good: it cannot be edited or withdrawn again.
    with refused(store, NotFound):
        cards.edit_card(store, code, ana, card.id, "Back?")
    with refused(store, NotFound):
        cards.withdraw_card(store, code, ana, card.id)
    kinds = [e.kind for e in events(store) if e.kind.startswith("card_")]
    assert kinds == ["card_added", "card_edited", "card_withdrawn"]


def test_others_cards_cannot_be_edited_or_withdrawn(store, room):
    code, key, ana, ben = room
    card = cards.add_card(store, code, ana, "Mine")
    with refused(store, NotAuthorized, match="your own"):
        cards.edit_card(store, code, ben, card.id, "Hijacked")
    with refused(store, NotAuthorized, match="your own"):
        cards.withdraw_card(store, code, ben, card.id)
    with refused(store, NotFound):
        cards.edit_card(store, code, ben, 999_999, "No such card")


def test_a_card_of_another_workshop_cannot_be_touched(store, room):
    code, key, ana, _ = room
    other = workshops.create_workshop(store, "Other")
    eve = workshops.join(store, other.code, "Eve").token
    workshops.advance(store, other.code, other.key)
    foreign = cards.add_card(store, other.code, eve, "Theirs")
    with refused(store, NotFound):
        cards.edit_card(store, code, ana, foreign.id, "Mine now")


def test_unknown_token_and_non_members_cannot_write_cards(store, room):
    code, key, _, _ = room
    with refused(store, NotAuthorized, match="join the workshop again"):
        cards.add_card(store, code, "not-a-token", "Hello")
    with refused(store, NotAuthorized):
        cards.add_card(store, code, "", "Hello")
    stakeholder = workshops.join(store, code, "Sam", role="stakeholder",
                                 audience=audiences.secret(store, code, key, "stakeholder")).token
    with refused(store, NotAuthorized, match="not for this part"):
        cards.add_card(store, code, stakeholder, "Hello")


@pytest.mark.parametrize("text, match", [
    ("", "empty"), (" \n\t ", "empty"), ("x" * (settings.MAX_CARD + 1), "limit is 280"),
    ("hidden\u202eevil", "control"), ("nul\x00byte", "control"), (42, "must be text"),
])
def test_bad_card_text_is_refused_and_nothing_is_stored(store, room, text, match):
    code, key, ana, _ = room
    with refused(store, InvalidInput, match=match):
        cards.add_card(store, code, ana, text)
    card = cards.add_card(store, code, ana, "Fine")
    with refused(store, InvalidInput, match=match):
        cards.edit_card(store, code, ana, card.id, text)
    assert [c.text for c in cards.my_cards(store, code, ana)] == ["Fine"]


def test_card_text_at_the_limit_and_in_any_script_is_kept(store, room):
    code, key, ana, _ = room
    longest = "x" * settings.MAX_CARD
    assert cards.add_card(store, code, ana, longest).text == longest
    for text in ["Schnelle Lösungen für Kunden", "快速回應客戶", "خدمة سريعة", "line one\nline two"]:
        assert cards.add_card(store, code, ana, text).text == text


def test_cards_stay_hidden_from_participants_until_revealed(store, room):
    code, key, ana, ben = room
    cards.add_card(store, code, ana, "Ana's secret idea")
    cards.add_card(store, code, ben, "Ben's idea")
    # Before the reveal, participants see only their own cards and how many there are.
    assert [c.text for c in cards.my_cards(store, code, ben)] == ["Ben's idea"]
    assert cards.count(store, code) == 2
    with pytest.raises(NotAuthorized, match="not been revealed"):
        cards.wall(store, code)
    with pytest.raises(NotAuthorized):
        grouping.board(store, code)
    with pytest.raises(NotAuthorized):
        grouping.board(store, code, key="wrong")
    assert len(grouping.board(store, code, key=key).unassigned) == 2  # the facilitator sees them
    with refused(store, NotAuthorized):
        cards.reveal(store, code, "wrong key")
    cards.reveal(store, code, key)
    assert sorted(c.text for c in cards.wall(store, code)) == ["Ana's secret idea", "Ben's idea"]
    assert len(grouping.board(store, code).unassigned) == 2
    cards.reveal(store, code, key, revealed=False)
    with pytest.raises(NotAuthorized):
        cards.wall(store, code)


def test_each_person_can_write_at_most_the_card_limit(store, room):
    code, key, ana, ben = room
    written = [cards.add_card(store, code, ana, f"Idea {i}") for i in range(settings.MAX_CARDS_PER_PARTICIPANT)]
    with refused(store, InvalidInput, match="most one person"):
        cards.add_card(store, code, ana, "One too many")
    # The limit is per person, and a withdrawn card frees a place.
    cards.add_card(store, code, ben, "Ben still can")
    cards.withdraw_card(store, code, ana, written[0].id)
    cards.add_card(store, code, ana, "Room again")
    assert len(cards.my_cards(store, code, ana)) == settings.MAX_CARDS_PER_PARTICIPANT


def test_a_repeated_request_stores_the_card_once(store, room):
    code, key, ana, _ = room
    first = cards.add_card(store, code, ana, "Kind words", request_id="req-1")
    again = cards.add_card(store, code, ana, "Kind words", request_id="req-1")
    assert again.id == first.id
    assert cards.count(store, code) == 1
    assert len(events(store, "card_added")) == 1


def test_facilitator_can_add_a_card_said_aloud(store, room):
    code, key, ana, _ = room
    with refused(store, NotAuthorized):
        cards.add_card_as_facilitator(store, code, "wrong", "Dictated")
    cards.add_card_as_facilitator(store, code, key, "Dictated")
    cards.add_card_as_facilitator(store, code, key, "Another")
    wall = cards.facilitator_wall(store, code, key)
    assert sorted(c.text for c in wall) == ["Another", "Dictated"]
    assert {c.author for c in wall} == {""}
    # The facilitator's row is not a participant of the workshop.
    assert workshops.status(store, code).participants == 2


def test_a_withdrawn_cards_text_leaves_the_card_and_the_log_in_the_same_transaction(store, room):
    # Issue 12: the log keeps no card text once its author takes the card back.
    code, key, ana, ben = room
    card = cards.add_card(store, code, ana, "Our CEO never listens")
    cards.edit_card(store, code, ana, card.id, "Our CEO rarely listens")
    kept = cards.add_card(store, code, ben, "Our CEO never listens")  # someone else's card: untouched
    cards.withdraw_card(store, code, ana, card.id)
    mine = [e for e in events(store) if (e.payload or {}).get("card") == card.id]
    assert [e.kind for e in mine] == ["card_added", "card_edited", "card_withdrawn"]
    assert all("text" not in e.payload for e in mine) and mine[0].payload["text_removed"]
    other = [e for e in events(store, "card_added") if e.payload.get("card") == kept.id]
    assert other[0].payload["text"] == "Our CEO never listens"
    from sqlalchemy import select

    from workshop.store.schema import Card
    with store.reading() as tx:
        assert tx.session.execute(select(Card.text).where(Card.id == card.id)).scalar() == ""
