"""The suggestions and hints components, built in-process on a real SQLite store and clicked like a facilitator."""

from __future__ import annotations

import ipywidgets as w
import pytest

from workshop.domain import cards, grouping, workshops
from workshop.i18n import Translator
from workshop.widgets.facilitator.base import Console
from workshop.widgets.facilitator.suggestions import CardProposal, GroupProposal, SuggestionsBox
from workshop.widgets.hints import HintsView

from .domain_helpers import go_to, join_many

pytestmark = pytest.mark.sqlite_only

CARDS = ["Always tell customers the truth", "Honest answers, even when the news is bad",
         "Reply within minutes", "No waiting on hold", "<img src=x onerror=alert(1)> qwxz blorft"]


@pytest.fixture
def room(store):
    """A workshop in the values stage with five unassigned cards: (code, key, {text: card id})."""
    c = workshops.create_workshop(store, "Acme support philosophy")
    token = join_many(store, c.code, 1)[0]
    go_to(store, c.code, c.key, "brainstorm")
    ids = {text: cards.add_card(store, c.code, token, text).id for text in CARDS}
    go_to(store, c.code, c.key, "grouping")
    return c.code, c.key, ids


def make_box(store, code, key, lang="en"):
    refreshed = []
    box = SuggestionsBox(Console(store, code, key, Translator(lang)), changed=lambda: refreshed.append(1))
    return box, refreshed


def find(widget, cls):
    out = []

    def walk(x):
        if isinstance(x, cls):
            out.append(x)
        for child in getattr(x, "children", ()):
            walk(child)

    walk(widget)
    return out


def html_of(widget) -> str:
    return "\n".join(h.value for h in find(widget, w.HTML))


def placed(store, code, key) -> dict[str, set[int]]:
    board = grouping.board(store, code, key)
    return {v.name: {c.id for c in cs} for v, cs in board.values}


def card_row(box, card_id) -> CardProposal:
    return next(r for r in find(box, CardProposal) if r.card_id == card_id)


def test_suggesting_shows_groups_with_reasons_but_moves_no_card(store, room):
    code, key, ids = room
    box, _ = make_box(store, code, key)
    assert find(box, GroupProposal) == [] and box.accept_all_button.disabled
    before = grouping.board(store, code, key)

    box.suggest_button.click()

    names = {g.name.value for g in find(box, GroupProposal)}
    assert {"Honesty", "Speed"} <= names
    assert "mentions “" in html_of(box)
    assert "1 card fits no value well enough" in html_of(box)
    assert grouping.board(store, code, key) == before, "a suggestion moved a card by itself"


def test_accepting_one_card_puts_only_that_card_into_the_value(store, room):
    code, key, ids = room
    box, refreshed = make_box(store, code, key)
    box.suggest_button.click()
    truth = ids[CARDS[0]]

    card_row(box, truth).accept.click()

    assert placed(store, code, key) == {"Honesty": {truth}}
    assert refreshed == [1]
    assert truth not in [r.card_id for r in find(box, CardProposal)]
    assert "Card added to “Honesty”." in box.feedback.value


def test_a_rejected_card_leaves_the_proposal_and_stays_where_it_was(store, room):
    code, key, ids = room
    box, _ = make_box(store, code, key)
    box.suggest_button.click()
    card_row(box, ids[CARDS[1]]).reject.click()
    box.accept_all_button.click()
    result = placed(store, code, key)
    assert ids[CARDS[1]] not in set().union(*result.values())
    assert result["Honesty"] == {ids[CARDS[0]]}


def test_accept_all_is_one_step_that_undo_takes_back(store, room):
    code, key, ids = room
    box, _ = make_box(store, code, key)
    box.suggest_button.click()
    box.accept_all_button.click()
    result = placed(store, code, key)
    assert result["Honesty"] == {ids[CARDS[0]], ids[CARDS[1]]}
    assert result["Speed"] == {ids[CARDS[2]], ids[CARDS[3]]}
    assert find(box, GroupProposal) == [] and box.accept_all_button.disabled
    grouping.undo(store, code, key)
    assert placed(store, code, key) == {}


def test_a_renamed_group_and_a_moved_card_are_applied_as_edited(store, room):
    code, key, ids = room
    box, _ = make_box(store, code, key)
    box.suggest_button.click()
    honesty = next(g for g in find(box, GroupProposal) if g.value_id == "honesty")
    honesty.name.value = "Candour"
    card_row(box, ids[CARDS[2]]).target.value = "efficiency"
    box.accept_all_button.click()
    result = placed(store, code, key)
    assert result["Candour"] == {ids[CARDS[0]], ids[CARDS[1]]}
    assert result["Efficiency"] == {ids[CARDS[2]]} and result["Speed"] == {ids[CARDS[3]]}


def test_a_wrong_key_is_refused_with_a_message_and_applies_nothing(store, room):
    code, key, ids = room
    box, refreshed = make_box(store, code, key)
    box.suggest_button.click()
    box.console.key = "not-the-key"
    box.accept_all_button.click()
    assert "ws-error" in box.feedback.value and refreshed == []
    assert placed(store, code, key) == {}


def test_proposals_are_named_in_the_workshops_language_and_participant_text_is_escaped(store, room):
    code, key, ids = room
    grouping.create_value(store, code, key, "Ehrlichkeit")
    box, _ = make_box(store, code, key, lang="de")
    box.suggest_button.click()
    names = {g.name.value for g in find(box, GroupProposal)}
    assert "Ehrlichkeit" in names and "Schnelligkeit" in names
    cards.add_card_as_facilitator(store, code, key, "<img src=x onerror=alert(1)> Honest answers")
    box.suggest_button.click()
    assert "<img" not in html_of(box) and "&lt;img src=x onerror=alert(1)&gt; Honest answers" in html_of(box)


def test_hints_view_shows_warnings_and_escapes_the_quoted_text():
    view = HintsView(Translator("en"), kind="vision")
    found = view.show("<b>World-class</b> service 24/7")
    assert {h.kind for h in found} >= {"cliche", "promise"}
    assert "<b>World-class</b>" not in view.value and "“world-class”" in view.value
    assert 'class="ws-hint ws-hint-warning"' in view.value
    action = HintsView(Translator("en"), kind="action")
    action.show("Honesty is our policy")
    assert "Does not start with an action verb" in action.value
    action.show("")
    assert action.value == ""
