"""The participant app in real headless Chromium against a real `workshop serve`."""

from __future__ import annotations

import time

import pytest

from tests import browser as B
from workshop.core import links, phases
from workshop.domain import cards, grouping, vision, voting, workshops

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Markup and script a hostile participant might type. Each must come back as the same text.
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '"><svg onload="window.__pwned=1"></svg>',
    "<a href=\"javascript:window.__pwned=1\">click me</a>",
    '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    "<style>body{display:none}</style>hidden?",
    "'); window.__pwned=1; ('",
    "{{7*7}} ${7*7} <b>not bold</b> &amp; &lt;",
]
#: Names are at most 60 characters.
NAME_PAYLOAD = '<img src=x onerror="window.__pwned=1">Eve'


def test_joined_participant_keeps_identity_and_cards_across_a_reload(server, visitors):
    code, _ = server.seed(phases.BRAINSTORM)
    v = visitors()
    url = server.participant_url(code)
    B.open_app(v.page, url)
    B.join(v.page, "Ada Lovelace")
    B.add_card(v.page, "Answer within one working day")
    B.add_card(v.page, "Explain the why, not only the what")
    joined_count = workshops.status(server.store, code).participants

    v.page.reload(wait_until="domcontentloaded")
    v.page.locator(".ws-my-card").nth(1).wait_for(state="visible", timeout=B.PAGE_TIMEOUT_MS)

    assert "Ada Lovelace" in v.page.locator(".ws-app").first.inner_text()
    assert B.my_cards(v.page) == ["Answer within one working day", "Explain the why, not only the what"]
    assert v.page.locator(".ws-join-button").count() == 0, "no second join form after a reload"
    # Same participant, not a new one who happens to have the same name.
    assert workshops.status(server.store, code).participants == joined_count
    B.screenshot(v.page, "participant-after-reload")


def test_enter_opens_the_code_and_joins_with_the_name_as_typed(server, visitors):
    """Typed and Enter at once, as people do: the code opens the workshop, the name joins (once,
    with every letter; the box's own submit used to overtake its keystrokes: "The name is empty")."""
    code, _ = server.seed(phases.BRAINSTORM)
    v = visitors()
    B.open_app(v.page, links.notebook_url(links.PARTICIPANT_NOTEBOOK, server.base_url))
    v.page.locator(".ws-code-input input").click()
    v.page.keyboard.type(code.lower(), delay=0)
    v.page.keyboard.press("Enter")
    name_box = v.page.locator(".ws-name input")
    name_box.wait_for(state="visible", timeout=B.PAGE_TIMEOUT_MS)
    v.page.locator(".ws-join-button button:not([disabled])").wait_for(timeout=B.PAGE_TIMEOUT_MS)
    before = workshops.status(server.store, code).participants
    name_box.click()
    v.page.keyboard.type("Grace Hopper", delay=0)
    v.page.keyboard.press("Enter")
    v.page.locator(".ws-stage").first.wait_for(state="visible", timeout=30_000)
    assert "Grace Hopper" in v.page.locator(".ws-app").first.inner_text()
    assert "The name is empty" not in v.page.locator(".ws-app").first.inner_text()
    assert workshops.status(server.store, code).participants == before + 1


def test_phone_screen_never_scrolls_sideways(server, visitors):
    code, _ = server.seed(phases.BRAINSTORM)
    v = visitors(B.PHONE)
    B.open_app(v.page, server.participant_url(code))
    B.screenshot(v.page, "phone-join")
    assert B.horizontal_overflow(v.page) <= 0, B.widest_overflow(v.page)
    B.join(v.page, "Phone person with a rather long display name here")
    B.add_card(v.page, "Short card")
    B.add_card(v.page, "A" * 270)  # one unbroken word, the longest a card can be
    B.add_card(v.page, "https://example.com/" + "very-long-path/" * 15)
    B.screenshot(v.page, "phone-brainstorm")
    assert B.horizontal_overflow(v.page) <= 0, B.widest_overflow(v.page)
    # The personal link for another device is long and has no spaces.
    v.page.get_by_text("Continue on another device").click()
    v.page.locator(".ws-personal-link").wait_for(state="visible", timeout=10_000)
    assert B.horizontal_overflow(v.page) <= 0, B.widest_overflow(v.page)
    # Editing a card on the phone: the editor fits too.
    v.page.locator(".ws-my-card").nth(1).get_by_role("button", name="Edit").click()
    v.page.locator(".ws-my-card textarea").wait_for(timeout=10_000)
    assert B.horizontal_overflow(v.page) <= 0, B.widest_overflow(v.page)


def test_participant_sees_each_stage_switch_within_two_seconds(server, visitors):
    code, key = server.create("Stage switching", company="Acme", purpose="help")
    v = visitors()
    B.open_app(v.page, server.participant_url(code))
    B.join(v.page, "Grace")
    assert B.stage_name(v.page) == "Getting ready"

    def switch(action, title):
        started = time.monotonic()
        action()
        B.wait_for_stage(v.page, title, timeout_s=10)
        return time.monotonic() - started

    seconds = {}
    seconds["brainstorm"] = switch(lambda: workshops.advance(server.store, code, key), "Brainstorm")
    B.add_card(v.page, "Be kind")
    cards.reveal(server.store, code, key)
    seconds["grouping"] = switch(lambda: workshops.advance(server.store, code, key), "Core values")
    grouping.create_value(server.store, code, key, "Kindness", "We are kind",
                          card_ids=[c.id for c in cards.wall(server.store, code)])
    grouping.create_value(server.store, code, key, "Speed", "We are quick")
    seconds["voting"] = switch(lambda: workshops.advance(server.store, code, key), "Dot voting")
    seconds["undo"] = switch(lambda: workshops.undo_phase(server.store, code, key), "Core values")
    assert all(s <= B.LIVE_SECONDS for s in seconds.values()), seconds
    # The new stage's own content arrived too, not only its title.
    assert "Kindness" in v.page.locator(".ws-board").inner_text(timeout=5000)


def test_markup_in_names_and_cards_is_shown_as_text_and_never_runs(server, visitors):
    code, key = server.seed(phases.BRAINSTORM)
    attacker, victim = visitors(), visitors()
    for v in (attacker, victim):
        B.open_app(v.page, server.participant_url(code))
    B.join(attacker.page, NAME_PAYLOAD)
    B.join(victim.page, "Victor")
    for text in PAYLOADS:
        B.add_card(attacker.page, text)
    # The author sees their cards exactly as typed.
    assert B.my_cards(attacker.page) == PAYLOADS
    assert NAME_PAYLOAD in attacker.page.locator(".ws-app").first.inner_text()

    # Revealed, everyone's wall shows them as text.
    cards.reveal(server.store, code, key)
    victim.page.locator(".ws-wall .ws-card").first.wait_for(timeout=10_000)
    wall = [t.strip() for t in victim.page.locator(".ws-wall .ws-card").all_inner_texts()]
    for text in PAYLOADS:
        assert text in wall

    # Values named by the facilitator from participant text, and vision drafts.
    value_id = grouping.create_value(server.store, code, key, PAYLOADS[1][:40], PAYLOADS[0],
                                     card_ids=[c.id for c in cards.wall(server.store, code)][:3])
    workshops.advance(server.store, code, key)
    B.wait_for_stage(victim.page, "Core values")
    board = victim.page.locator(".ws-board").inner_text(timeout=10_000)
    assert PAYLOADS[1][:40] in board and PAYLOADS[0] in board

    workshops.advance(server.store, code, key)
    voting.open_round(server.store, code, key)
    B.wait_for_stage(victim.page, "Dot voting")
    assert PAYLOADS[1][:40] in victim.page.locator(".ws-ballot-line").first.inner_text(timeout=10_000)
    voting.settle(server.store, code, key, [value_id])
    workshops.advance(server.store, code, key)
    B.wait_for_stage(attacker.page, "Vision drafts")
    attacker.page.locator(".ws-draft-entry textarea").fill(PAYLOADS[4])
    attacker.page.locator(".ws-add-draft").click()
    B.wait_for_stage(victim.page, "Vision drafts")
    victim.page.get_by_text(PAYLOADS[4], exact=True).first.wait_for(timeout=10_000)
    assert PAYLOADS[4] in [d.text for d in vision.drafts(server.store, code)]  # stored verbatim

    for v in (attacker, victim):
        assert not B.injection_fired(v.page), "a payload ran script"
        assert v.dialogs == [], v.dialogs
        # The <style> payload did not hide the page.
        assert v.page.locator(".ws-app").first.is_visible()
    B.screenshot(victim.page, "payloads-as-text")


#: Words of each language that must be on the participant's screen in that language.
IN_LANGUAGE = {"en": ("Dots left", "Simple to understand and act on"),
               "de": ("Übrige Punkte", "Leicht zu verstehen und umzusetzen"),
               "zh_Hant": ("剩餘點數", "簡單易懂、容易實踐")}


@pytest.mark.parametrize("lang", sorted(IN_LANGUAGE))
def test_the_phone_screen_fits_in_every_language_while_voting_and_rating(server, visitors, lang):
    """German words are long and Chinese needs its own fonts: nothing may stick out on a phone."""
    name = {"en": "Pat", "de": "Jürgen Weißmüller-Lüdenscheidt", "zh_Hant": "陳美玲"}[lang]
    for stage, ready, words in ((phases.VOTING, ".ws-ballot-line", IN_LANGUAGE[lang][0]),
                                (phases.RATING, ".ws-draft-rating", IN_LANGUAGE[lang][1])):
        code, _ = server.seed(stage)
        v = visitors(B.PHONE)
        B.open_app(v.page, server.participant_url(code, lang=lang))
        B.join(v.page, name)
        v.page.locator(ready).first.wait_for(timeout=20_000)
        assert words in v.page.locator(".ws-app").first.inner_text()
        assert B.horizontal_overflow(v.page) <= 0, B.widest_overflow(v.page)
        B.screenshot(v.page, f"phone-{stage}-{lang}", full_page=False)


# ---- typing key by key, then clicking at once ------------------------------------------------------

#: Long enough that the last keystrokes are still held back in the browser when the click goes.
QUICK_CARDS = ["Answer within one working day, every single day",
               "Explain the why, not only the what, in plain words",
               "Own the problem until it is solved for good"]


def _stored(store, code: str, model) -> list[str]:
    from sqlalchemy import select

    from workshop.store.schema import Workshop

    with store.reading() as tx:
        return list(tx.session.execute(select(model.text).join(Workshop).where(
            Workshop.code == code, model.withdrawn.is_(False)).order_by(model.id)).scalars())


def _joined(server, visitors, phase: str, name: str):
    code, _ = server.seed(phase)
    page = visitors().page
    B.open_app(page, server.participant_url(code))
    B.join(page, name)
    return code, page


def _type_and_click(page, box: str, button: str, text: str) -> None:
    """Type ``text`` key by key into ``box`` and click ``button`` in the same moment the last key
    lands, as a quick typist does: nothing between the keystroke and the click lets the kernel catch up."""
    page.locator(box).click()
    page.evaluate("""([box, button, text]) => {
        const area = document.querySelector(box);
        const listener = () => {
            if (area.value !== text) return;
            area.removeEventListener("input", listener);
            document.querySelector(button).click();
        };
        area.addEventListener("input", listener);
    }""", [box, button, text])
    page.keyboard.type(text)


def _emptied(page, box: str) -> None:
    """The box is emptied once its words are saved, and stays empty: the next one starts from nothing."""
    page.wait_for_function("(box) => document.querySelector(box).value === ''", arg=box, timeout=10_000)


def test_a_card_typed_key_by_key_and_added_at_once_keeps_every_letter(server, visitors):
    """ipywidgets holds a box's last keystrokes back while the kernel is busy, and a click used to
    overtake them (cards were saved without their last letters): the Add click carries the words."""
    from workshop.store.schema import Card

    code, page = _joined(server, visitors, phases.BRAINSTORM, "Quick Typist")
    box = ".ws-card-entry textarea"
    before = _stored(server.store, code, Card)
    for n, text in enumerate(QUICK_CARDS, 1):
        if n < len(QUICK_CARDS):
            _type_and_click(page, box, ".ws-add-card button", text)
        else:  # the keyboard: type, Tab to Add card, Enter
            page.locator(box).click()
            page.keyboard.type(text)
            page.keyboard.press("Tab")
            page.wait_for_function("() => document.activeElement && document.activeElement.closest('.ws-add-card')",
                                   timeout=5_000)
            page.keyboard.press("Enter")
        page.wait_for_function(f"document.querySelectorAll('.ws-my-card').length === {n}", timeout=15_000)
        _emptied(page, box)
    assert B.my_cards(page) == QUICK_CARDS
    assert _stored(server.store, code, Card)[len(before):] == QUICK_CARDS


def test_a_vision_draft_typed_key_by_key_and_added_at_once_keeps_every_letter(server, visitors):
    from workshop.store.schema import VisionDraft

    code, page = _joined(server, visitors, phases.DRAFTING, "Quick Drafter")
    box = ".ws-draft-entry textarea"
    before = _stored(server.store, code, VisionDraft)
    drafts = ["Heard the first time, helped the first time, every time",
              "Every customer leaves knowing exactly what happens next"]
    for text in drafts:
        _type_and_click(page, box, ".ws-add-draft button", text)
        page.get_by_text(text, exact=True).first.wait_for(timeout=15_000)
        _emptied(page, box)
    assert _stored(server.store, code, VisionDraft)[len(before):] == drafts
