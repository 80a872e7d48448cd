"""Bad input is stored exactly or refused with a clear message; any sequence of actions keeps the invariants."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, inspect, select

from workshop.core import phases, settings
from workshop.core.errors import InvalidInput, WorkshopError
from workshop.demo import seed as demo
from workshop.domain import audiences, cards, grouping, vision, voting, workshops
from workshop.domain.followup import stakeholders
from workshop.store import Store
from workshop.store.schema import Card, CoreValue, Vote, VoteRound

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'; DROP TABLE cards; --",
    "Robert'); DELETE FROM votes WHERE ('1'='1",
    "=HYPERLINK(\"http://evil\")",
]
#: Text people really type: stored exactly as given.
KEPT = PAYLOADS + [
    "Great service 🙂👍🏽 every time",
    "خدمة العملاء أولاً",
    "שירות מהיר ואדיב",
    "顧客第一、迅速な対応",
    "Ünïcödé — “quotes” … and ‘more’",
    "family 👨‍👩‍👧 emoji joiners",
]
#: (text, part of the message that explains the refusal)
REFUSED = [
    ("", "is empty"),
    ("   \t  ", "is empty"),
    ("\u3000\u00a0", "is empty"),
    ("null\x00byte", "invisible control character"),
    ("bell\x07", "invisible control character"),
    ("esc\x1b[31mred", "invisible control character"),
    ("\u202eevil override", "invisible control character"),
    ("private \ue000 use", "invisible control character"),
]

#: Every payload tried, for the figures at the end of the fault tests.
TRIED: list[str] = []


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """One SQLite workshop in the brainstorm, plus the demo at the gut check, for the whole module."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('input') / 'w.sqlite'}")
    created = workshops.create_workshop(store, "Inputs")
    workshops.advance(store, created.code, created.key)
    token = workshops.join(store, created.code, "Tester").token
    yield store, created.code, created.key, token
    store.dispose()


def _add_card(room, text):
    store, code, _, token = room
    return cards.add_card(store, code, token, text).text


def _join(room, text):
    store, code, _, _ = room
    return workshops.join(store, code, text).name


def _rename(room, text):
    store, code, key, _ = room
    workshops.update_details(store, code, key, title=text)
    return workshops.status(store, code).title


FIELDS = {"card": (_add_card, settings.MAX_CARD), "name": (_join, settings.MAX_NAME),
          "title": (_rename, settings.MAX_TITLE)}


@pytest.mark.parametrize("field", list(FIELDS))
@pytest.mark.parametrize("text", KEPT, ids=range(len(KEPT)))
def test_unusual_text_is_stored_exactly(room, field, text):
    do, limit = FIELDS[field]
    value = text[:limit]
    TRIED.append(value)
    assert do(room, value) == value
    # Surrounding white space is trimmed, nothing else.
    if field == "card":
        assert do(room, f"  {value}\n") == value


@pytest.mark.parametrize("field", list(FIELDS))
@pytest.mark.parametrize("text,message", REFUSED, ids=range(len(REFUSED)))
def test_empty_or_invisible_text_is_refused_with_a_clear_message(room, field, text, message):
    do, _ = FIELDS[field]
    TRIED.append(text)
    with pytest.raises(InvalidInput, match=message):
        do(room, text)


@pytest.mark.parametrize("field", list(FIELDS))
def test_oversized_text_is_refused_saying_the_limit(room, field):
    do, limit = FIELDS[field]
    with pytest.raises(InvalidInput, match=f"is {limit + 1} characters long; the limit is {limit}"):
        do(room, "x" * (limit + 1))
    assert do(room, "y" * limit) == "y" * limit  # the limit itself is allowed


def test_sql_looking_text_is_stored_verbatim_and_the_tables_survive(room):
    store, code, key, token = room
    ids = [cards.add_card(store, code, token, p).id for p in PAYLOADS]
    with store.reading() as tx:
        stored = {c.id: c.text for c in tx.session.execute(select(Card).where(Card.id.in_(ids))).scalars()}
    assert [stored[i] for i in ids] == PAYLOADS
    assert {"cards", "votes", "participants"} <= set(inspect(store.engine).get_table_names())


def test_payloads_in_drafts_and_gut_check_comments_are_stored_verbatim(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    code, key = demo.seed(store, phases.ACTIONS)
    token = workshops.join(store, code, "Drafter").token
    workshops.reopen(store, code, key, phases.DRAFTING)
    for p in PAYLOADS:
        assert vision.add_draft(store, code, token, p).text == p
    with pytest.raises(InvalidInput, match="invisible control character"):
        vision.add_draft(store, code, token, "draft\x00")
    workshops.advance(store, code, key)
    workshops.advance(store, code, key)
    guest = stakeholders.join(store, code, "Guest", secret=audiences.secret(store, code, key, "stakeholder")).token
    for p in PAYLOADS + ["multi\nline <b>comment</b> 🙂"]:
        TRIED.append(p)
        assert stakeholders.react(store, code, guest, stakeholders.REACTIONS[0], p).comment == p
    with pytest.raises(InvalidInput, match="limit is 1000"):
        stakeholders.react(store, code, guest, stakeholders.REACTIONS[0], "c" * 1001)
    store.dispose()


# ---- any sequence of actions keeps the invariants -------------------------------------------------
class WorkshopMachine(RuleBasedStateMachine):
    """Joins, cards, values, rounds and votes in any order; the domain refuses what breaks a rule."""

    def __init__(self):
        super().__init__()
        import tempfile
        self.folder = tempfile.mkdtemp(prefix="ws-hyp-")
        self.store = Store(f"sqlite:///{self.folder}/w.sqlite")
        created = workshops.create_workshop(self.store, "Property")
        self.code, self.key = created.code, created.key
        self.tokens: list[str] = []
        self.card_ids: list[int] = []
        self.value_ids: list[int] = []
        self.phases_seen = [phases.SETUP]
        self.refusals = 0

    def teardown(self):
        self.store.dispose()
        import shutil
        shutil.rmtree(self.folder, ignore_errors=True)

    def attempt(self, fn, *args, **kwargs):
        try:
            return fn(self.store, self.code, *args, **kwargs)
        except WorkshopError:
            self.refusals += 1  # refused with a typed error: fine, nothing changed
            return None

    @rule(name=st.sampled_from(["Ann", "Bo", "Cy", "Di", "ann"]))
    def join(self, name):
        joined = self.attempt(workshops.join, name)
        if joined:
            self.tokens.append(joined.token)

    @precondition(lambda self: self.tokens)
    @rule(who=st.integers(0, 9), text=st.sampled_from(["Be kind", "Be quick", "<b>x</b>", "  "]))
    def add_card(self, who, text):
        card = self.attempt(cards.add_card, self.tokens[who % len(self.tokens)], text)
        if card:
            self.card_ids.append(card.id)

    @precondition(lambda self: self.tokens and self.card_ids)
    @rule(who=st.integers(0, 9), which=st.integers(0, 99))
    def withdraw_card(self, who, which):
        self.attempt(cards.withdraw_card, self.tokens[who % len(self.tokens)],
                     self.card_ids[which % len(self.card_ids)])

    @rule()
    def reveal(self):
        self.attempt(cards.reveal, self.key)

    @rule(name=st.sampled_from(["Kindness", "Speed", "Care", "Trust"]))
    def create_value(self, name):
        vid = self.attempt(grouping.create_value, self.key, name)
        if vid:
            self.value_ids.append(vid)

    @precondition(lambda self: self.card_ids and self.value_ids)
    @rule(card=st.integers(0, 99), value=st.integers(0, 99), out=st.booleans())
    def assign(self, card, value, out):
        self.attempt(grouping.assign_card, self.key, self.card_ids[card % len(self.card_ids)],
                     None if out else self.value_ids[value % len(self.value_ids)])

    @rule()
    def advance(self):
        if self.attempt(workshops.advance, self.key):
            self.phases_seen.append(workshops.status(self.store, self.code).phase)

    @rule()
    def undo_phase(self):
        if self.attempt(workshops.undo_phase, self.key):
            self.phases_seen.append(workshops.status(self.store, self.code).phase)

    @rule(budget=st.one_of(st.none(), st.integers(1, 6)))
    def open_round(self, budget):
        self.attempt(voting.open_round, self.key, budget=budget)

    @rule()
    def close_round(self):
        self.attempt(voting.close_round, self.key)

    @precondition(lambda self: self.tokens and self.value_ids)
    @rule(who=st.integers(0, 9), value=st.integers(0, 99), dots=st.integers(-1, 8))
    def vote(self, who, value, dots):
        self.attempt(voting.set_dots, self.tokens[who % len(self.tokens)],
                     self.value_ids[value % len(self.value_ids)], dots)

    # ---- invariants ----------------------------------------------------------------------
    @invariant()
    def budgets_are_never_exceeded(self):
        with self.store.reading() as tx:
            rows = tx.session.execute(
                select(VoteRound.id, VoteRound.budget, VoteRound.cap, Vote.participant_id,
                       func.sum(Vote.dots), func.max(Vote.dots), func.min(Vote.dots))
                .join(Vote, Vote.round_id == VoteRound.id).group_by(VoteRound.id, Vote.participant_id)).all()
        for _rid, budget, cap, _pid, total, most, least in rows:
            assert total <= budget and least >= 0
            assert cap is None or most <= cap

    @invariant()
    def at_most_one_open_round(self):
        with self.store.reading() as tx:
            assert tx.session.execute(select(func.count()).select_from(VoteRound)
                                      .where(VoteRound.status == "open")).scalar() <= 1

    @invariant()
    def cards_sit_in_at_most_one_live_value(self):
        with self.store.reading() as tx:
            rows = tx.session.execute(select(Card.value_id, CoreValue.removed, CoreValue.workshop_id, Card.workshop_id)
                                      .join(CoreValue, CoreValue.id == Card.value_id)).all()
        for _vid, _removed, value_ws, card_ws in rows:
            assert value_ws == card_ws  # never in another workshop's value

    @invariant()
    def phases_move_one_step_at_a_time(self):
        steps = [phases.index(p) for p in self.phases_seen]
        assert all(abs(b - a) == 1 for a, b in zip(steps, steps[1:])), self.phases_seen
        assert workshops.status(self.store, self.code).phase == self.phases_seen[-1]


WorkshopMachine.TestCase.settings = hsettings(
    max_examples=12, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_any_sequence_of_actions_keeps_the_invariants = WorkshopMachine.TestCase


# ---- in real Chromium: the facilitator's wall and the participant's page ------------------------------
HOSTILE_NAMES = ["<script>window.__pwned=1</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>']
HOSTILE_CARDS = PAYLOADS + ['<img src=x onerror="window.__pwned=1">', "<a href=javascript:alert(1)>x</a>"]


@pytest.mark.slow
@pytest.mark.browser
def test_hostile_cards_and_names_show_as_text_on_the_facilitator_wall(server, browser):
    from tests import browser as B

    code, key = server.create("Hostile wall")
    workshops.advance(server.store, code, key)
    tokens = [workshops.join(server.store, code, name).token for name in HOSTILE_NAMES]
    for i, text in enumerate(HOSTILE_CARDS):
        cards.add_card(server.store, code, tokens[i % len(tokens)], text)
    TRIED.extend(HOSTILE_NAMES + HOSTILE_CARDS)
    facilitator, participant = B.new_visitor(browser), B.new_visitor(browser)
    try:
        B.open_app(facilitator.page, server.facilitator_url(code, key, "03-brainstorm.ipynb"), root=".ws-header")
        facilitator.page.locator(".ws-facilitator-wall .ws-card").first.wait_for(timeout=B.PAGE_TIMEOUT_MS)
        wall = facilitator.page.locator(".ws-facilitator-wall").first.inner_text()
        for text in HOSTILE_CARDS + HOSTILE_NAMES:
            assert text in wall, f"{text!r} is not shown as text on the wall"
        # The participant page, with a hostile participant's own identity and cards.
        B.open_app(participant.page, server.participant_url(code, p=tokens[0]))
        participant.page.locator(".ws-my-card").first.wait_for(timeout=B.PAGE_TIMEOUT_MS)
        assert HOSTILE_NAMES[0] in participant.page.locator(".ws-app").first.inner_text()
        cards.reveal(server.store, code, key)
        participant.page.locator(".ws-wall .ws-card").first.wait_for(timeout=20_000)
        shown = participant.page.locator(".ws-wall").first.inner_text()
        for text in HOSTILE_CARDS:
            assert text in shown
        for v in (facilitator, participant):
            assert not B.injection_fired(v.page), "a payload ran script"
            assert v.dialogs == [], v.dialogs
        B.screenshot(facilitator.page, "trust-hostile-facilitator-wall")
    finally:
        facilitator.close()
        participant.close()
