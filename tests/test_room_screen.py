"""The room screen (domain/room.py, widgets/room, room.ipynb): it shows only what the whole room may see.

A workshop is played through every phase with named participants; at each step
the room screen's view (and the HTML built from it) is searched for anything
private: a name, a card before the reveal, a total of an open round, a rating
mean before rating closes, the key, a token. Then: the screen's own link
(wrong ones refused and throttled; the join code does not open it; it opens
nothing else), the spotlight (validated, facilitator only), and one real
Chromium on a real server following a phase change.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.domain_helpers import refused
from workshop.core import criteria, phases
from workshop.core.errors import InvalidInput, NotAuthorized, NotFound, WorkshopError
from workshop.domain import actionable, audiences, cards, grouping, room, throttle, vision, voting, workshops
from workshop.i18n import translator
from workshop.store import Store
from workshop.store.schema import Participant, Workshop
from workshop.widgets.room import render

pytestmark = pytest.mark.sqlite_only

NAMES = ("Zelda Quartermaine", "Bartholomew Ostrander", "Philippa Vandersloot")
CARD_TEXTS = ("Cards-alpha they call back fast", "Cards-beta honest about outages", "Cards-gamma knows my name",
              "Cards-delta fixes it first time")
DRAFT_TEXTS = ("Draft-one: we keep families connected", "Draft-two: every call ends with a fix")
#: Dots per value in round 1 (3 people): totals 5, 3, 1 - no tie at the cut of 2.
VOTES = ((2, 1, 0), (2, 1, 0), (1, 1, 1))


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(throttle, "PAUSE", 0)


def guesser() -> throttle.Guesser:
    """A fresh visitor page, so each test counts its own wrong guesses."""
    import uuid
    return throttle.Guesser(page=uuid.uuid4().hex)


class Run:
    """A workshop played forward step by step; ``secrets`` collects what must never reach the screen."""

    def __init__(self, store: Store):
        self.store = store
        created = workshops.create_workshop(store, "Room screen test", company="Acme", purpose="keep people talking",
                                            vote_target=2)
        self.code, self.key = created.code, created.key
        self.secret = room.screen_secret(store, self.code, self.key)
        self.tokens = [workshops.join(store, self.code, name).token for name in NAMES]
        self.card_ids: list[int] = []
        self.value_ids: list[int] = []
        self.draft_ids: list[int] = []

    def view(self, **kw) -> room.RoomScreen:
        return room.screen(self.store, self.secret, guesser=guesser(), **kw)

    def never(self) -> list[str]:
        """Strings that must never be on the room screen, in any phase."""
        return [*NAMES, self.key, *self.tokens]

    def advance(self) -> None:
        workshops.advance(self.store, self.code, self.key)


def text_of(view: room.RoomScreen) -> str:
    """Everything the view holds, as text, and the HTML the page builds from it."""
    t = translator("en")
    return repr(view) + render.stage_html(view, t) + render.header_html(view, t) + render.footer_html(view, t)


def assert_private_out(run: Run, view: room.RoomScreen) -> None:
    shown = text_of(view)
    for secret in run.never():
        assert secret not in shown, f"{secret!r} on the room screen in {view.phase}"
    if not view.cards_revealed:
        for text in CARD_TEXTS:
            assert text not in shown, f"unrevealed card {text!r} on the room screen"
    if view.open_round is not None:
        assert view.open_round.results == ()
        assert "dots" not in render.stage_html(view, translator("en"))
    for rnd in view.closed_rounds:
        assert rnd.closed
    if not view.rating_closed:
        assert all(d.means == () for d in view.drafts)
        assert "ws-room-mean" not in shown


def close_rating(run: Run) -> None:
    if hasattr(vision, "close_rating"):
        vision.close_rating(run.store, run.code, run.key)
    else:  # until the vision stage closes rating itself
        with run.store.writing() as tx:
            ws = tx.workshop(run.code)
            ws.settings = {**(ws.settings or {}), workshops.RATING_CLOSED: True}


def test_every_phase_shows_only_what_the_room_may_see(store):
    run = Run(store)
    code, key = run.code, run.key
    v = run.view()
    assert (v.phase, v.joined, v.code, v.title) == (phases.SETUP, 3, code, "Room screen test")
    assert_private_out(run, v)
    assert "ws-room-qr" in render.stage_html(v, translator("en"))

    run.advance()  # brainstorm: the question and how many cards, never their texts
    run.card_ids = [cards.add_card(store, code, run.tokens[i % 3], text).id for i, text in enumerate(CARD_TEXTS)]
    v = run.view()
    assert (v.phase, v.card_count, v.cards, v.question) == (phases.BRAINSTORM, 4, (), workshops.status(store, code).question)
    assert_private_out(run, v)
    cards.reveal(store, code, key)
    v = run.view()
    assert sorted(c.text for c in v.cards) == sorted(CARD_TEXTS)
    assert_private_out(run, v)

    run.advance()  # grouping: the values wall, cards without authors
    run.value_ids = [grouping.create_value(store, code, key, name, f"About {name}", card_ids=[cid])
                     for name, cid in zip(("Speed", "Honesty", "Warmth"), run.card_ids)]
    v = run.view()
    assert [x.name for x in v.values] == ["Speed", "Honesty", "Warmth"]
    assert [c.text for c in v.values[0].cards] == [CARD_TEXTS[0]]
    assert [c.text for c in v.unsorted] == [CARD_TEXTS[3]]
    assert_private_out(run, v)

    run.advance()  # voting: candidates while open, totals once closed
    voting.open_round(store, code, key, budget=3)
    for token, dots in zip(run.tokens, VOTES):
        for value_id, n in zip(run.value_ids, dots):
            if n:
                voting.set_dots(store, code, token, value_id, n)
    v = run.view()
    assert v.open_round is not None and [c.name for c in v.open_round.candidates] == ["Speed", "Honesty", "Warmth"]
    assert v.closed_rounds == ()
    assert_private_out(run, v)
    voting.close_round(store, code, key)
    v = run.view()
    assert v.open_round is None
    assert [(r.name, r.dots, r.outcome) for r in v.closed_rounds[-1].results] == [
        ("Speed", 5, "kept"), ("Honesty", 3, "kept"), ("Warmth", 1, "dropped")]
    assert "5 dots" in render.stage_html(v, translator("en"))
    assert [c.name for c in v.chosen] == ["Speed", "Honesty"]
    assert_private_out(run, v)

    run.advance()  # drafting: how many drafts, never their texts or authors
    run.draft_ids = [vision.add_draft(store, code, run.tokens[i], text).id for i, text in enumerate(DRAFT_TEXTS)]
    v = run.view()
    assert (v.draft_count, v.drafts) == (2, ())
    shown = text_of(v)
    assert not any(text in shown for text in DRAFT_TEXTS)
    assert_private_out(run, v)

    run.advance()  # rating: drafts without authors, means only once rating is closed
    for token in run.tokens:
        for draft_id in run.draft_ids:
            for criterion in criteria.ORDER:
                vision.rate(store, code, token, draft_id, criterion, 4)
    v = run.view()
    assert [d.text for d in v.drafts] == list(DRAFT_TEXTS)
    assert not v.rating_closed and all(d.means == () for d in v.drafts)
    assert_private_out(run, v)
    close_rating(run)
    v = run.view()
    assert v.rating_closed
    assert v.drafts[0].means == tuple((c, 4.0) for c in criteria.ORDER)
    assert "4.0" in render.stage_html(v, translator("en"))
    assert_private_out(run, v)

    vision.choose_vision(store, code, key, run.draft_ids[0])
    run.advance()  # actions: the vision and the philosophy (one model: outputs.philosophy)
    speed = run.value_ids[0]
    actionable.set_action_statement(store, code, key, speed, "We answer within a minute.")
    v = run.view()
    assert v.philosophy is not None and v.philosophy.vision == DRAFT_TEXTS[0]
    html = render.stage_html(v, translator("en"))
    assert DRAFT_TEXTS[0] in html and "We answer within a minute." in html and "Speed" in html
    assert_private_out(run, v)

    run.advance()  # published
    v = run.view()
    assert v.phase == phases.PUBLISHED and v.philosophy.published
    assert_private_out(run, v)


def test_participant_text_is_escaped(store):
    run = Run(store)
    run.advance()
    cards.add_card(store, run.code, run.tokens[0], '<img src=x onerror="window.__pwned=1">')
    cards.reveal(store, run.code, run.key)
    html = render.stage_html(run.view(), translator("en"))
    assert "<img" not in html and "&lt;img" in html


def test_wrong_secrets_are_refused_and_throttled(store, monkeypatch):
    run = Run(store)
    who = guesser()
    limit = throttle.LIMITS["code"][0]
    for _ in range(limit):
        with pytest.raises(NotAuthorized, match="does not open this page"):
            room.screen(store, "not-the-secret", guesser=who)
    with pytest.raises(NotAuthorized, match="Too many"):  # past the limit: "too many tries"
        room.screen(store, "not-the-secret", guesser=who)
    # The right secret still opens, whatever was guessed before (only failures count).
    assert room.screen(store, run.secret, guesser=who).code == run.code


def test_the_join_code_and_other_links_do_not_open_the_screen(store):
    run = Run(store)
    other = audiences.secret(store, run.code, run.key, "stakeholder")
    for wrong in (run.code, run.key, run.tokens[0], other, ""):
        with pytest.raises(NotAuthorized):
            room.screen(store, wrong, guesser=guesser())
    from workshop.pages import room as page
    for params in ({"w": run.code}, {"s": run.code}, {"s": other}, {}):
        html = "".join(getattr(c, "value", "") for c in page.build(params, store).children)
        assert "does not open" in html


def test_the_screen_secret_opens_nothing_else(store):
    run = Run(store)
    before = len(workshops.participants(store, run.code, run.key, role=None))
    # It joins nobody, in any role, and is no token, no key, no join code, no other audience's secret.
    for role in (*workshops.ROLES, "screen"):
        if role != "member":
            with pytest.raises(WorkshopError):
                workshops.join(store, run.code, "Intruder", role=role, audience=run.secret)
        with pytest.raises(WorkshopError):
            workshops.join(store, run.code, token=run.secret, role=role)
    with pytest.raises(NotAuthorized):
        workshops.whoami(store, run.code, run.secret)
    with pytest.raises(NotAuthorized):
        workshops.advance(store, run.code, run.secret)
    with pytest.raises(NotFound):
        workshops.status(store, run.secret)
    for role in ("stakeholder", "employee", "exemplar"):
        with pytest.raises(NotAuthorized):
            audiences.resolve(store, run.secret, role)
    from workshop.pages import followup
    for kind in ("stakeholder", "survey", "exemplar"):
        html = "".join(getattr(c, "value", "") for c in followup.build(kind, {"s": run.secret}, store).children)
        assert "does not open" in html
    assert len(workshops.participants(store, run.code, run.key, role=None)) == before
    with store.reading() as tx:
        assert tx.session.execute(select(Participant.role).where(Participant.role == "screen")).first() is None


def grouping_run(store) -> Run:
    run = Run(store)
    run.advance()
    run.card_ids = [cards.add_card(store, run.code, run.tokens[0], text).id for text in CARD_TEXTS[:2]]
    run.advance()
    run.value_ids = [grouping.create_value(store, run.code, run.key, "Speed", card_ids=[run.card_ids[0]])]
    return run


def test_spotlight_only_what_the_room_sees_now(store):
    run = grouping_run(store)
    code, key = run.code, run.key
    # Before the reveal the cards are not on the screen: they cannot be spotlit.
    with refused(store, NotFound):
        room.spotlight(store, code, key, room.CARD, run.card_ids[0])
    room.spotlight(store, code, key, room.VALUE, run.value_ids[0])
    assert run.view().spotlight == (room.VALUE, run.value_ids[0])
    assert "ws-room-spotlight" in render.stage_html(run.view(), translator("en"))
    cards.reveal(store, code, key)
    room.spotlight(store, code, key, room.CARD, run.card_ids[1])
    v = run.view()
    assert v.spotlight == (room.CARD, run.card_ids[1])
    assert workshops.status(store, code).spotlight == (room.CARD, run.card_ids[1])
    assert f'<p class="ws-room-spot-card">{CARD_TEXTS[1]}</p>' in render.stage_html(v, translator("en"))
    # Not a kind, not in this workshop, not on the screen now.
    other = Run(store)
    other.advance()
    foreign = cards.add_card(store, other.code, other.tokens[0], "Someone else's card").id
    with refused(store, InvalidInput):
        room.spotlight(store, code, key, "participant", run.card_ids[1])
    with refused(store, NotFound):
        room.spotlight(store, code, key, room.CARD, foreign)
    with refused(store, NotFound):
        room.spotlight(store, code, key, room.DRAFT, 1)
    room.clear_spotlight(store, code, key)
    assert run.view().spotlight is None


def test_only_the_facilitator_spotlights(store):
    run = grouping_run(store)
    for wrong in (run.tokens[0], run.secret, "", None):
        with refused(store, NotAuthorized):
            room.spotlight(store, run.code, wrong, room.VALUE, run.value_ids[0])
        with refused(store, NotAuthorized):
            room.clear_spotlight(store, run.code, wrong)
        with pytest.raises(NotAuthorized):
            room.screen_secret(store, run.code, wrong)


def test_a_spotlight_does_not_outlive_its_phase(store):
    run = grouping_run(store)
    room.spotlight(store, run.code, run.key, room.VALUE, run.value_ids[0])
    run.advance()  # voting: the same value is on the ballot, but the spotlight was for the values wall
    voting.open_round(store, run.code, run.key)
    assert run.view().spotlight is None
    # Back on the values wall, the old spotlight is not brought back either: it is set afresh.
    workshops.undo_phase(store, run.code, run.key)
    assert run.view().phase == phases.GROUPING
    assert run.view().spotlight is None
    room.spotlight(store, run.code, run.key, room.VALUE, run.value_ids[0])
    assert run.view().spotlight == (room.VALUE, run.value_ids[0])


def test_screen_widget_and_spotlight_control(store):
    from workshop.widgets.facilitator.base import Console
    from workshop.widgets.facilitator.spotlight import SpotlightControl, room_href
    from workshop.widgets.room import RoomScreen

    run = grouping_run(store)
    cards.reveal(store, run.code, run.key)
    console = Console(store, run.code, run.key, translator("en"))
    assert room_href(console).startswith("room.ipynb?s=")
    control = SpotlightControl(console)
    labels = [label for label, _ in control.choice.options]
    assert "Value: Speed" in labels and any(CARD_TEXTS[1] in label for label in labels)
    screen = RoomScreen(store, run.secret, live_interval=None)
    assert "ws-room-spotlight" not in screen.stage.value
    control.choice.value = (room.VALUE, run.value_ids[0])
    control._show()
    screen.refresh()
    assert "ws-room-spotlight" in screen.stage.value and control.clear_button.disabled is False
    control._clear()
    screen.refresh()
    assert "ws-room-spotlight" not in screen.stage.value
    # Read-only: no button, field or menu anywhere in the room screen.
    import ipywidgets as w

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)
    assert not [x for x in walk(screen) if isinstance(x, (w.Button, w.Text, w.Textarea, w.Dropdown, w.ToggleButtons))]


def test_the_server_serves_the_room_screen():
    from workshop.core import stages
    from workshop.server import serve, voila_config

    assert stages.ROOM_NOTEBOOK == room.NOTEBOOK == "room.ipynb"
    assert "room.ipynb" in voila_config.served_notebooks(serve.NOTEBOOKS)
    assert "room.ipynb" in voila_config.kernel_pools(3, serve.NOTEBOOKS)


# ---- a real browser on a real server --------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_room_screen_follows_the_workshop_in_chromium(server, visitors):
    from tests import browser as B
    from workshop.core import links

    store = server.store
    run = Run(store)
    run.advance()
    cards.add_card(store, run.code, run.tokens[0], CARD_TEXTS[0])
    url = links.audience_url(room.NOTEBOOK, run.secret, server.base_url)
    v = visitors({"width": 1280, "height": 720})
    B.open_app(v.page, url, root=".ws-room")
    page = v.page
    page.locator(".ws-room-stage-title", has_text="Brainstorm").wait_for(timeout=30_000)
    assert page.locator(".ws-room-number").inner_text().strip() == "1"
    cards.reveal(store, run.code, run.key)
    started = time.monotonic()
    page.locator(".ws-room-card", has_text=CARD_TEXTS[0]).wait_for(timeout=5_000)
    run.advance()
    page.locator(".ws-room-stage-title", has_text="Core values").wait_for(timeout=5_000)
    assert time.monotonic() - started < 10
    html = page.content()
    for secret in run.never():
        assert secret not in html
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("[role=main].ws-room h1").count() == 1
    assert page.title() == "Core values – Room screen test"  # the stage first, as on every visitor's tab
    # A phase may fill more than the screen: Voila's scrolling region is reachable by keyboard.
    assert page.evaluate("document.getElementById('rendered_cells')?.getAttribute('tabindex')") == "0"
    assert page.locator(".ws-room button, .ws-room input, .ws-room select, .ws-room textarea").count() == 0
    from tests import a11y
    report = a11y.run_axe(page)
    assert not report.failing(), report.explain()
    with store.reading() as tx:  # opening the screen made nobody
        ws = tx.session.execute(select(Workshop).where(Workshop.code == run.code)).scalar_one()
        assert tx.session.execute(select(Participant.id).where(Participant.workshop_id == ws.id)).all().__len__() == 3
