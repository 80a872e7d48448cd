"""A vote or a score repaints the voter's own pages and the facilitator's console, never the other
phones or the room screen; everything the room sees still reaches them all (issue 16).

Phones and the room screen follow ``Workshop.room_revision`` (and a signed-in phone its
participant's own ``revision``); the console follows every write. The views here are built as in
a kernel, with their live poller not started: ``live.check_now()`` is one poll, and a repaint is
a call of the view's change callback, so each test counts exactly who would repaint.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import event

from tests.screens import screen
from workshop.core import criteria
from workshop.domain import cards, room, vision, voting, workshops
from workshop.pages.facilitator import build
from workshop.widgets import shell
from workshop.widgets.live import ROOM, Live
from workshop.widgets.participant.app import ParticipantApp
from workshop.widgets.room.app import RoomScreen

from .domain_helpers import voting_workshop
from .test_rating import Room as RatingRoom
from .waiting import wait_for


# ---- the markers in the store (both databases) -----------------------------------------------

def test_a_vote_moves_the_voters_marker_and_the_consoles_not_the_rooms(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=6, n_people=3)
    voting.open_round(store, code, key, budget=2)
    a, b = (workshops.whoami(store, code, t).participant_id for t in tokens[:2])
    room_before, a_before, b_before = store.seen_revision(code), store.seen_revision(code, a), store.seen_revision(code, b)
    console_before = store.revision(code)

    voting.set_dots(store, code, tokens[0], vids[0], 1)
    voting.set_dots(store, code, tokens[0], vids[1], 1, request_id="one-gesture-of-a")
    assert store.revision(code) > console_before, "the facilitator's console sees every vote"
    assert store.seen_revision(code) == room_before, "nothing the room sees changed"
    assert store.seen_revision(code, b) == b_before
    assert store.seen_revision(code, a) > a_before, "A's other tabs follow A's votes"
    voting.set_dots(store, code, tokens[0], vids[1], 1, request_id="one-gesture-of-a")  # a retry: no change
    assert store.seen_revision(code, b) == b_before

    # Everything else the room sees moves it, for everyone.
    for act in (lambda: workshops.start_timer(store, code, key, 3, "Vote"),
                lambda: voting.close_round(store, code, key),
                lambda: voting.reopen_last_round(store, code, key),
                lambda: voting.settle(store, code, key, vids[:2]),
                lambda: workshops.advance(store, code, key)):
        before = store.seen_revision(code, b)
        act()
        after = store.seen_revision(code, b)
        assert after[0] > before[0] and store.seen_revision(code)[0] == after[0]

    # Someone joining changes only how many the room sees: the counts' marker moves, not the room's.
    before, console_before = store.seen_revision(code, b), store.revision(code)
    workshops.join(store, code, name="Late comer")
    after = store.seen_revision(code, b)
    assert after[:2] == before[:2] and after[2] > before[2] and store.revision(code) > console_before


def test_a_hidden_card_moves_the_counts_a_revealed_one_the_room(store, created):
    code, key = created
    token = workshops.join(store, code, name="Ana").token
    workshops.advance(store, code, key)  # brainstorm
    before = store.seen_revision(code)
    card = cards.add_card(store, code, token, "Call back the same day")
    after = store.seen_revision(code)
    assert after[0] == before[0] and after[2] > before[2], "hidden: only the count moved"
    cards.reveal(store, code, key)
    before = store.seen_revision(code)
    cards.edit_card(store, code, token, card.id, "Call back within the hour")
    assert store.seen_revision(code)[0] > before[0], "revealed: every phone shows the card itself"


def test_a_score_while_rating_is_open_moves_only_the_raters_marker(store):
    run = RatingRoom(store)
    ana, ben = (workshops.whoami(store, run.code, run.tokens[p]).participant_id for p in ("Ana", "Ben"))
    room_before, ben_before = store.seen_revision(run.code), store.seen_revision(run.code, ben)
    ana_before = store.seen_revision(run.code, ana)
    vision.rate(store, run.code, run.tokens["Ana"], run.drafts[1], criteria.SIMPLE, 4)
    assert store.seen_revision(run.code) == room_before and store.seen_revision(run.code, ben) == ben_before
    assert store.seen_revision(run.code, ana) > ana_before
    vision.close_rating(store, run.code, run.key)  # now the averages may reach the room screen
    assert store.seen_revision(run.code)[0] > room_before[0]


def test_a_phones_marker_is_one_read(store, created):
    code, _key = created
    me = workshops.join(store, code, name="Ana")
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    store.seen_revision(code, me.participant_id)  # connected, so only the poll's own SQL is counted
    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        room_, _mine, counts = store.seen_revision(code)
        assert store.seen_revision(code, me.participant_id) == (room_, 0, counts)
        assert store.seen_revision("NOSUCH99", me.participant_id) is None
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    polls = [s for s in statements if "room_revision" in s]
    assert len(polls) == 3 and "JOIN participants" in polls[0].replace("LEFT OUTER ", "")


# ---- what each screen does (widgets, SQLite) ---------------------------------------------------

@pytest.fixture
def polled(monkeypatch):
    """Live views whose poller the test runs by hand (``Views.poll``)."""
    monkeypatch.setattr(Live, "start", lambda self: self)


class Views:
    """A's two tabs, B's phone, the room screen and the facilitator's voting page, each counting
    its repaints."""

    def __init__(self, store, code, key, tokens):
        self.store, self.code = store, code
        self.a1 = ParticipantApp(store, code, token=tokens[0])
        self.a2 = ParticipantApp(store, code, token=tokens[0])
        self.b = ParticipantApp(store, code, token=tokens[1])
        self.screen = RoomScreen(store, room.screen_secret(store, code, key)).start()
        self.console = build("voting", {"w": code, "key": key}, store=store, start_live=False)
        self.named = {"A's tab": self.a1, "A's other tab": self.a2, "B's phone": self.b,
                      "room screen": self.screen, "console": self.console}
        self.poll()

    def poll(self) -> set[str]:
        """One poll of every view: the names of those that repainted."""
        return {name for name, view in self.named.items() if view.live.check_now()}


@pytest.mark.sqlite_only
def test_a_vote_repaints_the_voters_tabs_and_the_console_not_other_phones_or_the_screen(store, created, polled):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=6, n_people=3)
    voting.open_round(store, code, key, budget=2)
    views = Views(store, code, key, tokens)
    b_shows, screen_shows = screen(views.b), screen(views.screen)

    views.a1.view._lines[vids[2]].plus.click()  # A puts a dot on a value, in the first tab
    assert views.poll() == {"A's tab", "A's other tab", "console"}
    assert "Dots left: 1 of 2" in screen(views.a2), "A's second tab shows the dot spent"
    assert "1 of 3 have voted" in screen(views.console.panel.voters)
    assert screen(views.b) == b_shows and screen(views.screen) == screen_shows

    voting.set_dots(store, code, tokens[1], vids[3], 2)  # B votes from their phone
    assert views.poll() == {"B's phone", "console"}
    assert "Dots left: 0 of 2" in screen(views.b) and "Dots left: 1 of 2" in screen(views.a2)
    assert views.poll() == set(), "nothing moved, nothing repaints"


@pytest.mark.sqlite_only
def test_what_the_room_sees_still_reaches_every_phone_and_the_screen(store, created, polled):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=6, n_people=3)
    voting.open_round(store, code, key, budget=2)
    views = Views(store, code, key, tokens)
    everyone = set(views.named)

    workshops.start_timer(store, code, key, 3, "Vote")
    assert views.poll() == everyone
    assert views.b.countdown.label == "Vote" and views.screen.countdown.label == "Vote"

    voting.set_dots(store, code, tokens[0], vids[2], 2)
    views.poll()
    voting.close_round(store, code, key)
    assert views.poll() == everyone
    assert "Round 1 is closed" in screen(views.b) and "Results of round 1" in screen(views.b)
    assert "Round 1" in screen(views.screen) and "2" in screen(views.screen.stage)

    voting.settle(store, code, key, [vids[2], vids[4]])
    views.poll()
    workshops.advance(store, code, key)  # to drafting
    assert views.poll() == everyone
    assert views.b.phase == views.a2.phase == "drafting" and views.screen.view.phase == "drafting"


@pytest.mark.sqlite_only
def test_revealed_cards_reach_every_phone_and_the_screen(store, created, polled):
    code, key = created
    tokens = [workshops.join(store, code, name=n).token for n in ("Ana", "Ben")]
    workshops.advance(store, code, key)  # brainstorm
    cards.add_card(store, code, tokens[0], "Answer within the hour")
    views = Views(store, code, key, tokens)
    assert "Answer within the hour" not in screen(views.b) + screen(views.screen)

    cards.reveal(store, code, key)
    assert views.poll() == set(views.named)
    assert "Answer within the hour" in screen(views.b) and "Answer within the hour" in screen(views.screen)


@pytest.mark.sqlite_only
def test_joins_repaint_the_screen_at_once_and_phones_at_most_every_few_seconds(store, created, polled, monkeypatch):
    """A crowd joining: the room screen and the console show each newcomer at once; a phone's
    "N people have joined" follows at most every ``COUNTS_EVERY`` seconds, and catches up."""
    code, key = created
    tokens = [workshops.join(store, code, name=n).token for n in ("Ana", "Ben")]
    views = Views(store, code, key, tokens)
    clock = [time.monotonic()]
    monkeypatch.setattr("workshop.widgets.live.time.monotonic", lambda: clock[0])
    workshops.join(store, code, name="Cy")
    assert views.poll() == {"room screen", "console"}, "a phone does not repaint for a count at once"
    assert "3" in screen(views.screen) and "2 people have joined" in screen(views.b)
    clock[0] += shell.COUNTS_EVERY
    workshops.join(store, code, name="Dee")
    assert views.poll() == set(views.named), "the count reaches the phones a few seconds later"
    assert "4 people have joined" in screen(views.b) and "4 people have joined" in screen(views.a2)
    workshops.join(store, code, name="Eli")
    assert "A's tab" not in views.poll()
    workshops.start_timer(store, code, key, 3, "Warm up")  # anything else the room sees: at once
    assert views.poll() == set(views.named)
    assert "5 people have joined" in screen(views.b)


@pytest.mark.sqlite_only
def test_a_score_repaints_the_raters_other_tab_only_until_rating_closes(store, polled):
    run = RatingRoom(store)
    ana = [ParticipantApp(store, run.code, token=run.tokens["Ana"]) for _ in range(2)]
    ben = ParticipantApp(store, run.code, token=run.tokens["Ben"])
    screen_app = RoomScreen(store, room.screen_secret(store, run.code, run.key)).start()
    views = {"Ana's tab": ana[0], "Ana's other tab": ana[1], "Ben's phone": ben, "room screen": screen_app}

    def poll():
        return {name for name, view in views.items() if view.live.check_now()}

    poll()
    assert ana[0].view.rate(run.drafts[1], criteria.SIMPLE, 4)
    assert poll() == {"Ana's tab", "Ana's other tab"}
    assert ana[1].view.mine[(run.drafts[1], criteria.SIMPLE)] == 4, "the other tab has Ana's score"

    vision.close_rating(store, run.code, run.key)
    assert poll() == set(views)
    assert "4.0" in screen(screen_app.stage), "the mean reaches the room screen once rating is closed"


# ---- the poller itself, on an event loop as in a kernel -----------------------------------------

@pytest.mark.sqlite_only
def test_a_phones_poller_sees_the_room_and_its_own_votes_not_anothers(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=6, n_people=2)
    voting.open_round(store, code, key, budget=2)
    me = workshops.whoami(store, code, tokens[1]).participant_id
    live = Live(store, code, interval=0.02, fallback=3600.0, follows=ROOM)
    live.follow(me)
    seen: list = []
    live.on_change(lambda: seen.append(live.revision))
    loop = asyncio.new_event_loop()

    def run():
        asyncio.set_event_loop(loop)
        live.start()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        voting.set_dots(store, code, tokens[0], vids[0], 1)  # someone else's vote: no repaint
        workshops.start_timer(store, code, key, 2, "Vote")   # what the room sees: one repaint
        wait_for(lambda: seen and seen[-1] == store.seen_revision(code, me), 20, "the timer on the phone", 0.01)
        assert len(seen) == 1, "the other's vote, committed first, repainted nothing"
        voting.set_dots(store, code, tokens[1], vids[1], 1)  # my own vote, from another tab
        wait_for(lambda: len(seen) == 2, 20, "my own vote from another tab", 0.01)
        assert seen[-1] == store.seen_revision(code, me) and seen[-1][0] == seen[0][0]
    finally:
        loop.call_soon_threadsafe(live.stop)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)

