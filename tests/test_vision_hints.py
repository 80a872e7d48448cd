"""Hints for the eyes that need them, and closing rating (issue 13), in the widgets.

The facilitator sees hints on every draft and action statement, marked private; a participant
sees them on their own drafts only; no other view builds them. The facilitator's vision panel
closes and reopens rating, and keeps the live averages private while rating is open.
In-process on a real SQLite store, as the shell builds the panels and views.
"""

from __future__ import annotations

import re
from pathlib import Path

import ipywidgets as w
import pytest

import workshop
from tests.screens import screen, visible
from workshop.core import criteria, phases
from workshop.domain import grouping, vision, voting, workshops
from workshop.i18n import translator
from workshop.store import Store
from workshop.widgets.facilitator.actions import ActionsPanel
from workshop.widgets.facilitator.base import Console
from workshop.widgets.facilitator.vision import VisionPanel
from workshop.widgets.participant import ParticipantApp
from workshop.widgets.participant.drafting import DraftingView

pytestmark = pytest.mark.sqlite_only

PEOPLE = ["Ana", "Ben", "Cy"]


class Room:
    """A workshop at the drafting stage, two values chosen, three participants."""

    def __init__(self, store: Store):
        self.store = store
        created = workshops.create_workshop(store, "Acme support philosophy", company="Acme")
        self.code, self.key = created.code, created.key
        workshops.advance(store, self.code, self.key)  # brainstorm
        self.tokens = {name: workshops.join(store, self.code, name=name).token for name in PEOPLE}
        workshops.advance(store, self.code, self.key)  # grouping
        self.values = [grouping.create_value(store, self.code, self.key, n, f"About {n.lower()}.")
                       for n in ("Honesty", "Speed")]
        workshops.advance(store, self.code, self.key)  # voting
        voting.settle(store, self.code, self.key, self.values)
        workshops.advance(store, self.code, self.key)  # drafting

    def draft(self, person: str, text: str) -> int:
        return vision.add_draft(self.store, self.code, self.tokens[person], text).id

    def status(self):
        return workshops.status(self.store, self.code)

    def panel(self, cls):
        holder = {}
        console = Console(self.store, self.code, self.key, translator("en"),
                          changed=lambda: holder["panel"].refresh(self.status()))
        holder["panel"] = panel = cls(console, self.status())
        return panel

    def participant(self, person: str) -> DraftingView:
        app = ParticipantApp(self.store, self.code, token=self.tokens[person], live_interval=None)
        assert isinstance(app.view, DraftingView)
        return app.view


@pytest.fixture
def room(store):
    return Room(store)


def all_html(widget) -> str:
    if isinstance(widget, w.HTML):
        return widget.value
    return "".join(all_html(c) for c in getattr(widget, "children", ()))




def hint_lists(widget) -> list[str]:
    """The hint lists in a widget tree, as sent to the browser."""
    return re.findall(r'<ul class="ws-hints[^"]*".*?</ul>', all_html(widget), flags=re.S)


ANA = "World-class service, always available 24/7"
BEN = "Every traveller arrives knowing what happens next"


# ---- participants: their own drafts only ---------------------------------------------------

def test_a_participant_sees_hints_on_her_own_draft_and_on_nobody_elses(room):
    room.draft("Ana", ANA)
    room.draft("Ben", BEN)
    ana = room.participant("Ana")
    lists = hint_lists(ana.list)
    assert len(lists) == 1, "one list: beside Ana's own draft"
    assert 'data-kind="cliche"' in lists[0] and 'data-kind="promise"' in lists[0]
    assert "Only you see these hints." in lists[0]
    mine, theirs = ana.list.children
    assert hint_lists(mine) and not hint_lists(theirs)
    assert BEN in screen(theirs) and "Hints" not in all_html(theirs)

    ben = room.participant("Ben")
    lists = hint_lists(ben.list)
    assert len(lists) == 1 and "World-class" not in lists[0] and "“world-class”" not in all_html(ben)
    assert "Speaks about the customer" in lists[0], "a traveller is the customer"
    cy = room.participant("Cy")
    assert hint_lists(cy) == [], "Cy wrote nothing: no hints at all"


def test_a_new_own_draft_gets_its_hints_and_a_withdrawn_one_takes_them_away(room):
    ana = room.participant("Ana")
    ana.entry.value = "We create happiness"
    ana.add.click()
    lists = hint_lists(ana.list)
    assert len(lists) == 1 and "Does not mention the customer" in lists[0]
    withdraw = ana.list.children[0].children[1]
    withdraw.click()
    assert hint_lists(ana.list) == []


# ---- the facilitator: every draft, every action statement, private -------------------------

def test_the_facilitator_sees_private_hints_on_every_draft(room):
    room.draft("Ana", ANA)
    room.draft("Ben", BEN)
    room.draft("Cy", "<b>Jeder Reisende</b> weiß, was als Nächstes passiert")
    panel = room.panel(VisionPanel)
    lists = hint_lists(panel.list)
    assert len(lists) == 3
    assert all("ws-private" in h and "Only you see these hints." in h for h in lists)
    assert "“24/7”" in lists[0]
    assert "Speaks about the customer" in lists[1] and "Speaks about the customer" in lists[2]
    assert "<b>Jeder" not in all_html(panel.list)
    views = [c for c in _walk(panel.list) if "ws-hints-view" in c._dom_classes]
    assert len(views) == 3 and all("ws-private" in v._dom_classes for v in views), "marked private, for the facilitator's eyes"
    assert "Reading ease" not in all_html(panel), "no reading-ease verdict on one sentence"


def test_the_facilitator_sees_private_hints_on_every_action_statement(room):
    d = room.draft("Ana", BEN)
    vision.choose_vision(room.store, room.code, room.key, d)
    workshops.advance(room.store, room.code, room.key)  # rating
    workshops.advance(room.store, room.code, room.key)  # actions
    from workshop.domain import actionable
    actionable.set_action_statement(room.store, room.code, room.key, room.values[0], "Honesty is our policy")
    actionable.set_action_statement(room.store, room.code, room.key, room.values[1], "Answer within the hour")
    panel = room.panel(ActionsPanel)
    rows = list(panel._rows.values())
    assert [hint_lists(r.hints) != [] for r in rows] == [True, True]
    assert "Does not start with an action verb" in rows[0].hints.value
    assert "Starts with an action verb" in rows[1].hints.value
    assert all("ws-private" in r.hints._dom_classes and "Only you see these hints." in r.hints.value for r in rows)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_only_the_facilitators_panels_and_the_drafting_view_build_hints():
    """The room screen, the rating view and every other page never show a hint: none of them may use them."""
    root = Path(workshop.__file__).parent
    allowed = {"widgets/hints.py", "widgets/facilitator/vision.py", "widgets/facilitator/actions.py",
               "widgets/participant/drafting.py", "assist/hints.py"}
    users = {str(p.relative_to(root)) for p in root.rglob("*.py")
             if re.search(r"^\s*(from|import)\s+workshop\.(widgets\.hints|assist\.hints|assist import hints)\b",
                          p.read_text(encoding="utf-8"), flags=re.M)}
    users |= {str(p.relative_to(root)) for p in root.rglob("*.py")
              if re.search(r"\bfrom workshop\.assist import [^\n]*\bhints\b", p.read_text(encoding="utf-8"))}
    assert users <= allowed, users - allowed


# ---- closing rating from the vision panel --------------------------------------------------

@pytest.fixture
def rating(room):
    a, b = room.draft("Ana", ANA), room.draft("Ben", BEN)
    workshops.advance(room.store, room.code, room.key)  # rating
    vision.rate(room.store, room.code, room.tokens["Cy"], a, criteria.SIMPLE, 4)
    return room, (a, b)


def test_while_rating_is_open_the_averages_are_live_private_and_close_is_offered(rating):
    room, (a, _) = rating
    panel = room.panel(VisionPanel)
    assert visible(panel.close_rating) and not visible(panel.reopen_rating)
    assert "Rating is open." in screen(panel.rating_state)
    assert "Scores are final; the room screen shows the averages" in screen(panel.rating_state)
    assert "ws-private" in panel.table._dom_classes, "live averages never on a shared screen"
    assert "4.0" in panel.table.value
    assert vision.public_summary(room.store, room.code) is None


def test_close_rating_makes_scores_final_and_reopen_takes_it_back(rating):
    room, (a, b) = rating
    panel = room.panel(VisionPanel)
    panel.close_rating.click()
    assert room.status().rating_closed
    assert "Rating is closed: scores are final; the room screen shows the averages." in screen(panel.feedback)
    assert "Rating is closed." in screen(panel.rating_state)
    assert not visible(panel.close_rating) and visible(panel.reopen_rating)
    assert "ws-private" not in panel.table._dom_classes
    assert [s.draft_id for s in vision.public_summary(room.store, room.code)] == [a, b]
    with pytest.raises(workshop.WrongPhase, match="Rating is closed"):
        vision.rate(room.store, room.code, room.tokens["Ana"], b, criteria.SIMPLE, 5)

    panel.reopen_rating.click()
    assert not room.status().rating_closed
    assert visible(panel.close_rating) and not visible(panel.reopen_rating)
    assert "ws-private" in panel.table._dom_classes
    vision.rate(room.store, room.code, room.tokens["Ana"], b, criteria.SIMPLE, 5)


def test_choosing_the_vision_during_rating_says_that_it_closes_rating(rating):
    room, (a, _) = rating
    panel = room.panel(VisionPanel)
    panel.pick.value = a
    panel.choose_button.click()
    assert room.status().rating_closed
    assert "Rating is closed" in screen(panel.feedback) and visible(panel.reopen_rating)


def test_past_the_rating_stage_rating_shows_as_closed_without_buttons(rating):
    room, (a, _) = rating
    vision.choose_vision(room.store, room.code, room.key, a)
    workshops.advance(room.store, room.code, room.key)
    assert room.status().phase == phases.ACTIONS
    panel = room.panel(VisionPanel)
    assert "Rating is closed." in screen(panel.rating_state)
    assert not visible(panel.rating_buttons)
