"""The whole call from the console, with the room screen shared beside it, in real Chromium.

One facilitator runs every stage from ``00-facilitator.ipynb`` (one page load);
the room screen (``room.ipynb``, opened from the console's own link) is what the
video call sees; three participants write, vote and rate on their own pages.

What is checked, as the people on the call would notice it:

* the room screen never shows, nor even receives over its websocket, a
  participant's name, the facilitator key, a hint, a card before the reveal, a
  vote total before its round is closed or a rating mean before rating is closed;
* every stage change reaches the phones and the room screen (the seconds are printed);
* the console never reloads, and no click is spent on navigation.

The facilitator's effort (clicks, typed fields, menu picks, page loads) is counted
and printed for the reference workshop of issue 13: 13 cards, 6 values, a round
and a run-off, 4 drafts, 5 action statements.
"""

from __future__ import annotations

import re
import statistics
import time
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests import browser as B
from tests.test_e2e_workshop import _option_index, _show_draft
from workshop.core import criteria, phases
from workshop.domain import vision, voting, workshops

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PEOPLE = ["Ana Ruiz", "Ben Okafor", "Chen Wei"]
CARDS = {  # 13 cards
    "Ana Ruiz": ["Tell customers the truth, even when it is bad news", "Answer within one working day",
                 "Own the problem until it is solved", "Keep our promises simple", "Listen before we answer"],
    "Ben Okafor": ["Be honest about what we cannot do", "Never make a customer repeat themselves",
                   "Treat every customer like a neighbour", "No ticket without a name on it"],
    "Chen Wei": ["Fix it the first time", "Remember what the customer told us last time",
                 "Plain words, no jargon", "Say sorry when we get it wrong"],
}
VALUES = {  # 6 values: name -> (description, its cards)
    "Honesty": ("We say what is true", ["Tell customers the truth, even when it is bad news",
                                        "Be honest about what we cannot do", "Say sorry when we get it wrong"]),
    "Speed": ("No waiting, no repeating", ["Answer within one working day", "Never make a customer repeat themselves"]),
    "Care": ("Customers are people we know", ["Treat every customer like a neighbour",
                                              "Remember what the customer told us last time"]),
    "Ownership": ("Someone always owns it", ["Own the problem until it is solved", "No ticket without a name on it"]),
    "Simplicity": ("Easy to understand", ["Keep our promises simple", "Plain words, no jargon"]),
    "Listening": ("We hear before we speak", ["Listen before we answer", "Fix it the first time"]),
}
#: Round 1, three dots each, one per value: Honesty, Speed, Care 2 each; Ownership, Simplicity,
#: Listening 1 each. Three values are secured; three tie for the last two places: a run-off.
ROUND_1 = {"Ana Ruiz": ["Honesty", "Speed", "Ownership"], "Ben Okafor": ["Honesty", "Care", "Simplicity"],
           "Chen Wei": ["Speed", "Care", "Listening"]}
RUNOFF = {"Ana Ruiz": ["Ownership"], "Ben Okafor": ["Simplicity"], "Chen Wei": ["Ownership"]}
KEEP = ["Honesty", "Speed", "Care", "Ownership", "Simplicity"]
DRAFTS = {
    "Ana Ruiz": "Every customer leaves knowing the truth and with their problem solved",
    "Ben Okafor": "We answer fast and honestly, the first time",
    "Chen Wei": "Honest help from people who remember you",
    "facilitator": "Simple, honest help that is owned from start to finish",
}
#: Each participant's scores per draft (by author), per criterion (simple, service, identity).
SCORES = {
    "Ana Ruiz": {"Ana Ruiz": (4, 4, 5), "Ben Okafor": (5, 4, 4), "Chen Wei": (3, 3, 4), "facilitator": (2, 3, 3)},
    "Ben Okafor": {"Ana Ruiz": (3, 4, 4), "Ben Okafor": (5, 5, 4), "Chen Wei": (4, 3, 3), "facilitator": (3, 2, 4)},
    "Chen Wei": {"Ana Ruiz": (4, 5, 5), "Ben Okafor": (4, 4, 5), "Chen Wei": (5, 4, 3), "facilitator": (2, 2, 3)},
}
FINAL_FROM = "Ben Okafor"
ACTIONS = {  # 5 action statements, one per kept value
    "Honesty": ("Say what we know, what we do not, and when we will know more", ["Customer Satisfaction (CSAT)"]),
    "Speed": ("Answer every ticket within one working day", ["First response time"]),
    "Care": ("Greet returning customers with what we already know", ["Customer Effort Score (CES)"]),
    "Ownership": ("I keep every ticket I touch until it is solved", ["Reopened tickets"]),
    "Simplicity": ("Write every answer so a new customer understands it", ["First contact resolution"]),
}


#: A hint list or hint in markup (the page's style sheet names the classes too, harmlessly).
HINT = re.compile(r'class=\\?"[^"]*\bws-hints?\b')
STYLE = re.compile(r"<style.*?</style>", re.S)


class Effort:
    """What the facilitator does on the console: every click, typed field and menu pick, and page loads."""

    def __init__(self, page):
        self.page = page
        self.clicks = self.typed = self.picks = self.drags = self.navigation_clicks = 0
        self.loads = 0
        page.on("framenavigated", lambda frame: self._navigated(frame))

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def click(self, locator, navigation: bool = False) -> None:
        locator.click()
        self.clicks += 1
        self.navigation_clicks += navigation

    def fill(self, locator, text: str) -> None:
        locator.fill(text)
        locator.press("Tab")  # ipywidgets sends a text field's value on change; Tab is how a person leaves it
        self.typed += 1

    def type(self, text: str) -> None:
        """Typing into the field that has the focus, then Enter (the wall's inline names)."""
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        self.typed += 1

    def drag(self, gesture) -> None:
        gesture()
        self.drags += 1

    def pick(self, select, index: int) -> None:
        select.select_option(index=index)
        self.picks += 1

    def figures(self) -> dict:
        return {"clicks": self.clicks, "typed fields": self.typed, "menu picks": self.picks, "drags": self.drags,
                "navigation clicks": self.navigation_clicks, "page loads": self.loads}


class RoomWatch:
    """The room screen's page and everything its websocket received, checked for private things."""

    def __init__(self, visitor):
        self.page = visitor.page
        self.frames: list[str] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        self.frames.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))

    def html(self) -> str:
        """The room screen's markup, without its style sheets (they name every class, harmlessly)."""
        return STYLE.sub("", self.page.locator(".ws-room").first.inner_html())

    def check(self, key: str, unrevealed: list[str] = (), totals_allowed: bool = False,
              means_allowed: bool = False) -> None:
        html = self.html()
        for name in PEOPLE:
            assert name not in html, f"a participant's name on the room screen: {name}"
        assert key not in html, "the facilitator key on the room screen"
        assert not HINT.search(html) and "Only you see these hints" not in html, "a hint on the room screen"
        for text in unrevealed:
            assert text not in html, f"a card before the reveal on the room screen: {text}"
        if not totals_allowed:
            assert "ws-room-results" not in html and "ws-room-dots" not in html, "vote totals before the close"
        if not means_allowed:
            assert "ws-room-mean" not in html, "rating means before rating closed"

    def check_wire(self, key: str) -> None:
        """Nothing private reached the room screen's browser at all, shown or not."""
        wire = "\n".join(self.frames)
        assert self.frames, "the room screen received no widget messages"
        for secret in [*PEOPLE, key, "Only you see these hints"]:
            assert secret not in wire, f"{secret!r} was sent to the room screen"
        assert not HINT.search(wire), "a hint was sent to the room screen"

    def wait_for_phase(self, phase: str, timeout_s: float = 15) -> float:
        started = time.monotonic()
        self.page.locator(f'.ws-room-stage[data-phase="{phase}"]').first.wait_for(timeout=timeout_s * 1000)
        return time.monotonic() - started


def move_on(effort: Effort, phase: str, people, room: RoomWatch, latencies: list) -> None:
    """Next stage and its confirm, on the console; then the phones and the room screen follow."""
    page = effort.page
    effort.click(page.locator(".ws-advance"))
    effort.click(page.locator(".ws-confirm-advance"))
    started = time.monotonic()
    title = phases.TITLES[phase]
    for v in people:
        v.page.locator(".ws-stage-name", has_text=title).first.wait_for(timeout=15_000)
    phones = time.monotonic() - started
    room.wait_for_phase(phase)
    latencies.append((phase, round(phones, 2), round(time.monotonic() - started, 2)))
    page.locator(".ws-stage-now", has_text=title).first.wait_for(timeout=15_000)


def shown_pane(page, css: str):
    """The console's visible stage pane containing ``css``."""
    return page.locator(f".ws-stage-pane:visible {css}")


def vote(people_by_name, ballots: dict[str, list[str]]) -> None:
    for name, values in ballots.items():
        page = people_by_name[name].page
        for value in values:
            line = page.locator(".ws-ballot-line", has_text=value)
            line.wait_for(timeout=15_000)
            line.locator(".ws-dot-plus").click()
        page.get_by_text(f"Dots left: 0 of {len(values)}").wait_for(timeout=15_000)


def group_cards(effort: Effort, page) -> None:
    """The facilitator builds the six values on the affinity wall: drag, then name and describe inline."""
    from tests.test_wall import WALL, card, drag, group, wait_movable

    wait_movable(page)
    for name, (description, texts) in VALUES.items():
        effort.drag(lambda: drag(page, card(page, texts[1]), card(page, texts[0])))
        fresh = page.locator(f"{WALL} .ws-wall-unnamed:not(.ws-wall-guess)", has_text=texts[1])
        fresh.wait_for(timeout=15_000)
        effort.click(fresh.locator(".ws-wall-title"))
        effort.type(name)
        effort.click(group(page, name).locator(".ws-wall-desc"))
        effort.type(description)
        group(page, name).locator(".ws-wall-desc", has_text=description).wait_for(timeout=15_000)
        for text in texts[2:]:
            effort.drag(lambda text=text: drag(page, card(page, text), group(page, name).locator(".ws-wall-title")))
            group(page, name).locator(".ws-wall-card", has_text=text).wait_for(timeout=15_000)


def test_the_whole_call_from_the_console_with_the_room_screen_beside_it(server, visitors):
    code, key = server.create("Acme support philosophy", company="Acme", purpose="make switching easy")
    store = server.store
    fac = visitors(B.LAPTOP, "facilitator")
    B.open_app(fac.page, server.facilitator_url(code, key), root=".ws-console")
    fac.page.evaluate("window.__notReloaded = true")
    effort = Effort(fac.page)
    effort.loads = 1  # the one page load of the call, counted by hand: it happened before the counter
    page = fac.page

    # The room screen, opened from the console's own link (it carries no key).
    href = page.locator(".ws-room-link").first.get_attribute("href")
    assert key not in href and "key=" not in href
    screen = visitors({"width": 1280, "height": 720}, "room screen")
    room = RoomWatch(screen)
    B.open_app(screen.page, urljoin(page.url, href), root=".ws-room")
    room.wait_for_phase(phases.SETUP)
    screen.page.locator(".ws-room-code").first.wait_for(timeout=15_000)

    people = [visitors(B.PHONE if i == 0 else B.LAPTOP, name) for i, name in enumerate(PEOPLE)]
    by_name = {v.name: v for v in people}
    for v in people:
        B.open_app(v.page, server.participant_url(code))
        B.join(v.page, v.name)
    screen.page.locator(".ws-room-count", has_text="3").first.wait_for(timeout=15_000)
    all_cards = [text for texts in CARDS.values() for text in texts]
    room.check(key, unrevealed=all_cards)
    shots = [("1-joined", phases.SETUP)]
    _shoot(shots[-1][0], fac, screen, people)
    latencies: list = []

    # ---- brainstorm: the room sees the count, never the words, until the reveal --------------------
    move_on(effort, phases.BRAINSTORM, people, room, latencies)
    effort.click(shown_pane(page, ".ws-timer-control button").filter(has_text="Start timer"))
    screen.page.locator(".ws-countdown", has_text="Writing").first.wait_for(timeout=15_000)
    people[0].page.locator(".ws-countdown", has_text="Writing").first.wait_for(timeout=15_000)
    for v in people:
        for text in CARDS[v.name]:
            B.add_card(v.page, text)
    screen.page.locator(".ws-room-number", has_text="13").first.wait_for(timeout=15_000)
    shown_pane(page, ".ws-facilitator-wall").filter(has_text=CARDS["Chen Wei"][-1]).wait_for(timeout=15_000)
    room.check(key, unrevealed=all_cards)
    _shoot("2-brainstorm", fac, screen, people)
    effort.click(shown_pane(page, ".ws-reveal"))
    screen.page.locator(".ws-room-cards", has_text=CARDS["Chen Wei"][-1]).first.wait_for(timeout=15_000)
    room.check(key)
    _shoot("3-revealed", fac, screen, people)

    # ---- core values ------------------------------------------------------------------------------
    move_on(effort, phases.GROUPING, people, room, latencies)
    before_grouping = effort.figures()
    group_cards(effort, page)
    grouping_effort = {k: v - before_grouping[k] for k, v in effort.figures().items()}
    screen.page.locator(".ws-room-values", has_text="Listening").first.wait_for(timeout=15_000)
    for name, (_, texts) in VALUES.items():  # the room screen shows the wall as the facilitator built it
        screen.page.locator(".ws-room-values li", has_text=name).filter(has_text=texts[-1]).first.wait_for(
            timeout=15_000)
    room.check(key)
    _shoot("4-values", fac, screen, people)

    # ---- dot voting: a round, its result, then the run-off only when the facilitator opens it -------
    move_on(effort, phases.VOTING, people, room, latencies)
    effort.fill(shown_pane(page, ".ws-round-budget input"), "3")
    effort.fill(shown_pane(page, ".ws-round-cap input"), "1")
    effort.click(shown_pane(page, ".ws-open-round"))
    vote(by_name, ROUND_1)
    room.check(key)  # every ballot is in, the round is open: still no totals
    _shoot("5-voting", fac, screen, people)
    effort.click(shown_pane(page, ".ws-close-round"))
    screen.page.locator(".ws-room-results", has_text="Honesty").first.wait_for(timeout=15_000)
    room.check(key, totals_allowed=True)
    # Closed: nothing opened by itself; the phones wait for the facilitator.
    assert voting.next_step(store, code) is not None
    by_name["Ana Ruiz"].page.locator(".ws-between-rounds").first.wait_for(timeout=15_000)
    _shoot("6-round-closed", fac, screen, people)
    runoff = shown_pane(page, ".ws-open-round")
    expect(runoff).to_contain_text("run-off", timeout=15_000)
    effort.click(runoff)
    vote(by_name, RUNOFF)
    effort.click(shown_pane(page, ".ws-close-round"))
    screen.page.locator(".ws-room-chosen-line", has_text="Simplicity").first.wait_for(timeout=15_000)
    chosen_line = screen.page.locator(".ws-room-chosen-line").first.inner_text()
    assert all(name in chosen_line for name in KEEP) and "Listening" not in chosen_line
    _shoot("7-vote-done", fac, screen, people)

    # ---- vision: drafts without authors, means only after rating closes --------------------------------
    move_on(effort, phases.DRAFTING, people, room, latencies)
    for v in people:
        v.page.locator(".ws-draft-entry textarea").fill(DRAFTS[v.name])
        v.page.locator(".ws-add-draft").click()
    effort.fill(shown_pane(page, "textarea").first, DRAFTS["facilitator"])
    effort.click(shown_pane(page, ".ws-fac-add-draft"))
    for text in DRAFTS.values():
        shown_pane(page, ".ws-drafts-list").filter(has_text=text).wait_for(timeout=15_000)
    screen.page.locator(".ws-room-number", has_text="4").first.wait_for(timeout=15_000)
    room.check(key)
    _shoot("8-drafts", fac, screen, people)
    effort.click(shown_pane(page, ".ws-start-rating"))
    started = time.monotonic()
    for v in people:
        v.page.locator(".ws-stage-name", has_text=phases.TITLES[phases.RATING]).first.wait_for(timeout=15_000)
    room.wait_for_phase(phases.RATING)
    latencies.append((phases.RATING, None, round(time.monotonic() - started, 2)))
    total = len(DRAFTS) * len(criteria.ORDER)
    for v in people:
        given = 0
        for author, scores in SCORES[v.name].items():
            block = _show_draft(v.page, DRAFTS[author])
            for criterion, score in zip(criteria.ORDER, scores):
                # check(), not click(): it also asserts the radio ended up checked.
                block.locator(f".ws-rate-{criterion}").get_by_role("radio", name=str(score), exact=True).check()
            given += len(scores)
            # The kernel has saved them when the progress line counts them.
            expect(v.page.locator(".ws-rating-progress:visible")).to_contain_text(
                f"{given} of {total} scores given", timeout=15_000)
    _wait(lambda: vision.summary(store, code, key) and all(
        s.raters == len(PEOPLE) for s in vision.summary(store, code, key)), "every score saved")
    for text in DRAFTS.values():
        screen.page.locator(".ws-room-drafts", has_text=text).first.wait_for(timeout=15_000)
    room.check(key)  # all scores are in, rating is open: no means on the room screen
    _shoot("9-rating", fac, screen, people)
    effort.click(shown_pane(page, ".ws-close-rating"))
    screen.page.locator(".ws-room-mean").first.wait_for(timeout=15_000)
    room.check(key, means_allowed=True)
    _shoot("10-rating-closed", fac, screen, people)
    picker = page.locator(".ws-stage-pane:visible .widget-dropdown",
                          has=page.locator("label", has_text="Draft")).locator("select")
    effort.pick(picker, _option_index(picker, DRAFTS[FINAL_FROM]))
    expect(shown_pane(page, ".ws-vision-wording textarea")).to_have_value(DRAFTS[FINAL_FROM], timeout=15_000)
    effort.click(shown_pane(page, ".ws-choose-vision"))
    shown_pane(page, ".ws-vision-final").filter(has_text=DRAFTS[FINAL_FROM]).wait_for(timeout=15_000)

    # ---- actions and the philosophy ------------------------------------------------------------------
    move_on(effort, phases.ACTIONS, people, room, latencies)
    screen.page.locator(".ws-room-vision", has_text=DRAFTS[FINAL_FROM]).first.wait_for(timeout=15_000)
    for value, (statement, metrics) in ACTIONS.items():
        row = shown_pane(page, ".ws-action-row").filter(has_text=value)
        effort.fill(row.locator(".ws-action-statement input"), statement)
        effort.fill(row.locator(".ws-action-metrics textarea"), "\n".join(metrics))
        effort.click(row.locator(".ws-save-action"))
        row.get_by_text("Saved").wait_for(timeout=15_000)
        screen.page.locator(".ws-room-action", has_text=statement).first.wait_for(timeout=15_000)
    room.check(key, totals_allowed=True, means_allowed=True)
    _shoot("11-actions", fac, screen, people)
    move_on(effort, phases.PUBLISHED, people, room, latencies)
    for v in people:
        v.page.locator(".ws-philosophy", has_text=DRAFTS[FINAL_FROM]).first.wait_for(timeout=15_000)
    room.check(key, totals_allowed=True, means_allowed=True)
    room.check_wire(key)
    _shoot("12-published", fac, screen, people)

    # ---- what the people on the call would notice ---------------------------------------------------
    assert page.evaluate("window.__notReloaded === true"), "the console reloaded"
    figures = effort.figures()
    print("facilitator effort, whole call:", figures)
    print("of which grouping 13 cards into 6 values on the wall:", grouping_effort)
    print("stage change -> phones, -> room screen (s):", latencies)
    rooms = [r for _, _, r in latencies]
    print(f"stage change to the room screen: median {statistics.median(rooms):.2f} s, max {max(rooms):.2f} s")
    assert figures["page loads"] == 1 and figures["navigation clicks"] == 0
    assert workshops.status(store, code).phase == phases.PUBLISHED
    for v in [fac, screen, *people]:
        assert v.dialogs == [] and not B.injection_fired(v.page)


def _shoot(name: str, fac, screen, people) -> None:
    B.screenshot(fac.page, f"console-{name}-console")
    B.screenshot(screen.page, f"console-{name}-room", full_page=False)
    B.screenshot(people[0].page, f"console-{name}-phone")


def _wait(condition, what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout_s}s: {what}")
