"""SendButton: the click carries the words of its boxes, so the last keystrokes cannot be left behind."""

from __future__ import annotations

import ipywidgets as w
import pytest

from tests.test_facilitator_stages import Room, actions_stage
from workshop.domain import grouping
from workshop.widgets.facilitator.actions import ActionsPanel
from workshop.widgets.sendbutton import SendButton

pytestmark = pytest.mark.sqlite_only


def browser_click(button: SendButton, *texts) -> None:
    """What the browser sends: the click with the words its boxes show."""
    button._message(button, {"event": "click", "texts": list(texts)}, [])


def recorder(button: SendButton) -> list:
    sent = []
    button.send = sent.append
    return sent


def test_the_words_of_the_click_are_in_the_boxes_before_the_action_runs():
    a, b = w.Text(value="Answer within one working d"), w.Textarea(value="")  # the kernel's copies lag behind
    button = SendButton([a, b], "Save")
    seen = []
    button.on_click(lambda _: seen.append((a.value, b.value)))
    browser_click(button, "Answer within one working day", "CSAT")
    assert seen == [("Answer within one working day", "CSAT")]


def test_after_a_browser_click_the_browser_empties_the_boxes_and_after_a_kernel_click_the_kernel_does():
    box = w.Textarea(value="")
    button = SendButton([box], "Add card")
    sent = recorder(button)
    button.on_click(lambda b: b.taken())
    browser_click(button, "Fast answers")
    # Emptied by the browser, so a keystroke still waiting there cannot bring the words back.
    assert sent == [{"event": "taken"}] and box.value == "Fast answers"
    box.value = "Kind answers"
    button.click()
    assert box.value == "" and sent == [{"event": "taken"}]


@pytest.mark.parametrize("content", [
    {"event": "click"},  # a client that sends no words is served the kernel's copy
    {"event": "click", "texts": "Forged"},
    {"event": "click", "texts": ["one", "two"]},  # not one text per box
    {"event": "click", "texts": [7]},
])
def test_a_click_without_words_for_every_box_acts_on_the_kernels_copy(content):
    box = w.Textarea(value="What the kernel has")
    button = SendButton([box], "Add card")
    seen = []
    button.on_click(lambda _: seen.append(box.value))
    button._message(button, content, [])
    assert seen == ["What the kernel has"]


def test_a_disabled_button_does_nothing():
    box = w.Textarea(value="")
    button = SendButton([box], "Add card", disabled=True)
    seen = []
    button.on_click(lambda _: seen.append(1))
    browser_click(button, "Fast answers")
    button._message(button, {"event": "something else"}, [])
    assert seen == [] and box.value == ""


def test_an_action_statement_is_saved_with_the_words_the_save_click_carried(store):
    room = Room(store)
    actions_stage(room)
    panel = room.panel(ActionsPanel)
    quality = panel._rows[room.values["Quality"]]
    quality.statement.value = "Do it right, first ti"  # the last keystrokes still on their way
    browser_click(quality.save, "Do it right, first time", "First Contact Resolution (FCR)")
    stored = {v.name: v for v in grouping.values(store, room.code, only_chosen=True)}
    assert stored["Quality"].action_statement == "Do it right, first time"
    assert stored["Quality"].metrics == ("First Contact Resolution (FCR)",)
    # Save all sends every row's boxes.
    assert panel.save_all.boxes == [box for row in panel._rows.values() for box in (row.statement, row.metrics)]


def test_the_ratings_previous_and_next_are_send_buttons_that_ignore_a_tap_from_a_screen_already_left():
    from workshop.widgets.participant.rating import NavButton

    nxt = NavButton(description="Next", primary=True, screen="7")
    taps = []
    nxt.on_click(lambda _: taps.append(nxt.screen))
    nxt._message(nxt, {"event": "click", "texts": [], "screen": "7"}, [])
    nxt.screen = "8"  # the next draft is on screen
    nxt._message(nxt, {"event": "click", "texts": [], "screen": "7"}, [])  # a second quick tap, sent before
    assert taps == ["7"] and isinstance(nxt, SendButton) and nxt.button_style == "primary"
    assert "ws-nav-button" in nxt._dom_classes
