"""Rating on a phone (issue 13): one draft per screen, progress, Previous / Next, an overview,
scores changeable until rating closes. In-process on a real SQLite store, as a participant uses it."""

from __future__ import annotations

import ipywidgets as w
import pytest

from tests import screens
from tests.screens import visible
from workshop.core import criteria
from workshop.domain import grouping, vision, voting, workshops
from workshop.i18n import translator
from workshop.store import Store
from workshop.widgets.participant import ParticipantApp
from workshop.widgets.participant.rating import OVERVIEW, RatingView, ScoreControl

pytestmark = pytest.mark.sqlite_only

PEOPLE = ["Ana", "Ben", "Cy", "Dee"]
DRAFTS = ["Solved the first time, told the truth all the way",
          "Always there, whatever you need",
          "Every customer leaves knowing what happens next",
          "We treat your shop like our own"]


class Room:
    """A workshop in the rating stage: four drafts, one by each of four participants."""

    def __init__(self, store: Store, people=PEOPLE, drafts=DRAFTS):
        self.store = store
        created = workshops.create_workshop(store, "Acme support philosophy", company="Acme")
        self.code, self.key = created.code, created.key
        workshops.advance(store, self.code, self.key)  # brainstorm
        self.tokens = {name: workshops.join(store, self.code, name=name).token for name in people}
        workshops.advance(store, self.code, self.key)  # grouping
        value = grouping.create_value(store, self.code, self.key, "Honesty", "Tell the truth.")
        workshops.advance(store, self.code, self.key)  # voting
        voting.settle(store, self.code, self.key, [value])
        workshops.advance(store, self.code, self.key)  # drafting
        self.drafts = [vision.add_draft(store, self.code, self.tokens[p], text).id for p, text in zip(people, drafts)]
        workshops.advance(store, self.code, self.key)  # rating

    def open(self, person: str, lang: str | None = None) -> RatingView:
        app = ParticipantApp(self.store, self.code, lang=lang, token=self.tokens[person], live_interval=None)
        assert isinstance(app.view, RatingView)
        self.app = app
        return app.view

    def refresh(self, view: RatingView) -> None:
        """What the live poller does when the workshop's revision moves."""
        view.refresh(workshops.status(self.store, self.code))


@pytest.fixture
def room(store):
    return Room(store)


def _rating_controls(widget) -> str | None:
    if isinstance(widget, ScoreControl):
        return f"{widget.title} {widget.explanation} [{widget.value}]"
    if getattr(widget, "kind", None) == "progress":
        return widget.text
    if getattr(widget, "kind", None) == "nav":
        return widget.description
    return None


def screen(widget) -> str:
    """The text a participant can see: visible widgets only, tags stripped, score controls included."""
    return screens.screen(widget, _rating_controls)


def controls(view: RatingView) -> dict[str, ScoreControl]:
    """The score controls on screen, by criterion."""
    (shown,) = view.screen.children
    return {c: x for c, x in shown.controls.items()}


def tap(view: RatingView, criterion: str, score: int) -> None:
    controls(view)[criterion].value = score  # what the browser sends when a radio is chosen


def stored(room: Room, person: str) -> dict[tuple[int, str], int]:
    return vision.my_ratings(room.store, room.code, room.tokens[person])


# ---- one draft per screen ---------------------------------------------------------------------

def test_one_draft_per_screen_with_its_three_criteria_explained_once(room):
    view = room.open("Ana")
    page = screen(view)
    assert DRAFTS[0] in page and not any(d in page for d in DRAFTS[1:])
    for c in criteria.ORDER:
        assert page.count(criteria.TITLES[c]) == 1
        assert page.count(criteria.EXPLANATIONS[c]) == 1
    assert [x.title for x in controls(view).values()] == [criteria.TITLES[c] for c in criteria.ORDER]
    assert all((x.low, x.high, x.value) == (1, 5, None) for x in controls(view).values())
    assert view.progress.text == "Draft 1 of 4 · 0 of 12 scores given"
    assert view.previous.disabled and view.next.description == "Next"


def test_scores_go_through_the_domain_and_the_progress_counts_them(room):
    view = room.open("Ben")
    tap(view, criteria.SIMPLE, 4)
    tap(view, criteria.SERVICE, 2)
    assert stored(room, "Ben") == {(room.drafts[0], "simple"): 4, (room.drafts[0], "service"): 2}
    assert view.progress.text == "Draft 1 of 4 · 2 of 12 scores given"
    assert "Saved." in view.feedback.value
    tap(view, criteria.SIMPLE, 5)  # changed her mind: replaced, not added
    assert stored(room, "Ben")[(room.drafts[0], "simple")] == 5
    assert view.progress.text.endswith("2 of 12 scores given")


def test_next_and_previous_walk_the_drafts_then_the_overview(room):
    view = room.open("Cy")
    for i in range(4):
        assert view.progress.text.startswith(f"Draft {i + 1} of 4")
        assert DRAFTS[i] in screen(view.screen)
        for c in criteria.ORDER:
            tap(view, c, 1 + (i + criteria.ORDER.index(c)) % 5)
        assert view.next.description == ("Overview" if i == 3 else "Next")
        moved = view.progress.moved
        view.next.click()
        assert view.progress.moved == moved + 1  # the browser scrolls the new screen's top into view
    assert view.at == OVERVIEW
    assert view.progress.text == "Your scores · 12 of 12 scores given"
    assert "Every draft has all its scores" in screen(view)
    assert not visible(view.next) and not view.previous.disabled
    view.previous.click()
    assert view.at == room.drafts[3] and view.progress.text.startswith("Draft 4 of 4")
    view.previous.click()
    view.previous.click()
    view.previous.click()
    assert view.at == room.drafts[0] and view.previous.disabled
    view.previous.click()  # nothing before the first draft
    assert view.at == room.drafts[0]
    assert len(stored(room, "Cy")) == 12


def test_the_overview_lists_each_drafts_scores_and_what_is_missing_with_a_way_back(room):
    view = room.open("Dee")
    tap(view, criteria.SIMPLE, 3)
    view.next.click()
    view.next.click()
    tap(view, criteria.IDENTITY, 5)
    view.go(OVERVIEW)
    page = screen(view)
    assert "10 scores are still missing." in page
    rows = view.overview.children[1:]
    assert len(rows) == 4
    first, _, third, _ = (screen(r) for r in rows)
    assert "Draft 1" in first and f"{criteria.TITLES['simple']}: 3" in first and first.count("not scored yet") == 2
    assert "Draft 3" in third and f"{criteria.TITLES['identity']}: 5" in third
    assert "Back to draft 3" in third
    rows[1].go.click()
    assert view.at == room.drafts[1] and view.progress.text == "Draft 2 of 4 · 2 of 12 scores given"
    view.go(OVERVIEW)
    tap_missing = view.overview.children[2]
    assert tap_missing.go.description == "Back to draft 2"


def test_the_overview_says_one_score_in_the_singular(room):
    view = room.open("Ana")
    for i in range(4):
        for c in criteria.ORDER:
            if (i, c) != (2, criteria.SERVICE):
                tap(view, c, 3)
        view.next.click()
    assert "1 score is still missing." in screen(view)


def test_scores_already_given_are_shown_when_the_page_opens(room):
    vision.rate(room.store, room.code, room.tokens["Ana"], room.drafts[0], criteria.SERVICE, 4)
    view = room.open("Ana")
    assert controls(view)[criteria.SERVICE].value == 4
    assert view.progress.text == "Draft 1 of 4 · 1 of 12 scores given"


# ---- refused scores ---------------------------------------------------------------------------

def test_a_refused_score_is_taken_back_and_says_why(room):
    view = room.open("Ana")
    tap(view, criteria.SIMPLE, 4)
    tap(view, criteria.SIMPLE, 9)  # a hand-made widget message: the domain refuses it
    assert controls(view)[criteria.SIMPLE].value == 4
    assert "ws-error" in view.feedback.value and "between 1 and 5" in view.feedback.value
    assert stored(room, "Ana") == {(room.drafts[0], "simple"): 4}


def test_a_draft_removed_while_it_is_on_screen_refuses_its_score_then_the_next_draft_shows(room):
    view = room.open("Ben")
    view.next.click()  # draft 2
    tap(view, criteria.SIMPLE, 2)
    vision.remove_draft(room.store, room.code, room.key, room.drafts[1])
    tap(view, criteria.SERVICE, 5)  # before the live refresh has seen it
    assert "no longer exists" in view.feedback.value
    assert controls(view)[criteria.SERVICE].value is None
    room.refresh(view)
    assert view.at == room.drafts[2], "the draft after the withdrawn one, never back to the start"
    assert view.progress.text == "Draft 2 of 3 · 0 of 9 scores given"


# ---- live changes keep the place and the scores -------------------------------------------------

def test_a_draft_arriving_keeps_the_current_draft_and_its_scores(room):
    view = room.open("Cy")
    view.next.click()
    view.next.click()  # draft 3
    tap(view, criteria.SIMPLE, 5)
    on_screen = view.screen.children[0]
    added = vision.add_draft_as_facilitator(room.store, room.code, room.key, "Said aloud by the room").id
    room.refresh(view)
    assert view.at == room.drafts[2] and view.screen.children[0] is on_screen
    assert controls(view)[criteria.SIMPLE].value == 5
    assert view.progress.text == "Draft 3 of 5 · 1 of 15 scores given"
    view.next.click()
    view.next.click()
    assert view.at == added and view.next.description == "Overview"


def test_a_draft_withdrawn_before_the_current_one_keeps_the_place(room):
    view = room.open("Dee")
    tap(view, criteria.SIMPLE, 1)
    view.next.click()
    view.next.click()
    tap(view, criteria.SERVICE, 4)
    vision.remove_draft(room.store, room.code, room.key, room.drafts[0])
    room.refresh(view)
    assert view.at == room.drafts[2] and view.progress.text == "Draft 2 of 3 · 1 of 9 scores given"
    assert controls(view)[criteria.SERVICE].value == 4


def test_the_last_draft_withdrawn_moves_to_the_one_before_or_nothing_left(room):
    view = room.open("Ana")
    view.go(room.drafts[3])
    vision.remove_draft(room.store, room.code, room.key, room.drafts[3])
    room.refresh(view)
    assert view.at == room.drafts[2]
    for d in room.drafts[:3]:
        vision.remove_draft(room.store, room.code, room.key, d)
    room.refresh(view)
    assert "There are no drafts to rate yet." in screen(view) and not visible(view.nav)
    vision.add_draft_as_facilitator(room.store, room.code, room.key, "A fresh start")
    room.refresh(view)
    assert "A fresh start" in screen(view) and view.progress.text == "Draft 1 of 1 · 0 of 3 scores given"


def test_a_refresh_without_changes_sends_nothing_new(room):
    view = room.open("Ben")
    before = view.screen.children
    tap(view, criteria.SIMPLE, 3)  # every score moves the revision: every page refreshes
    room.refresh(view)
    assert view.screen.children is before or view.screen.children == before


def chosen_in_browser(view: RatingView, criterion: str, score: int) -> None:
    """A radio tapped: the browser's update arrives as a comm message (locked, then echoed)."""
    controls(view)[criterion].set_state({"value": score})


def tapped_in_browser(button, on_screen) -> None:
    """Next / Previous tapped in the browser, which names the screen it was tapped on."""
    button._message(button, {"event": "click", "screen": str(on_screen)}, [])


def test_others_rating_between_quick_taps_and_next_loses_nothing_and_keeps_the_screen(room):
    """A quick person: three taps and Next without waiting, while the others' scores keep moving
    the workshop's revision (every page refreshes). Nothing is lost, the screen is never rebuilt."""
    view = room.open("Ana")
    first = view.screen.children[0]
    shown = dict(controls(view))
    sent = []
    for x in [first, *shown.values(), view.screen]:
        x.observe(lambda change, x=x: sent.append((x, change["name"])), names=["children", "value"])
    others = iter([(p, d, c) for p in ("Ben", "Cy") for d in room.drafts for c in criteria.ORDER])

    def others_rate(n: int = 3) -> None:
        for _ in range(n):
            p, d, c = next(others)
            vision.rate(room.store, room.code, room.tokens[p], d, c, 3)
            room.refresh(view)

    for criterion, score in zip(criteria.ORDER, (4, 2, 5)):
        chosen_in_browser(view, criterion, score)
        others_rate()
        assert view.screen.children[0] is first and controls(view) == shown
    assert [(x, name) for x, name in sent if x is not view.screen] == [
        (shown[c], "value") for c in criteria.ORDER]  # only the person's own taps
    assert [shown[c].value for c in criteria.ORDER] == [4, 2, 5]
    tapped_in_browser(view.next, room.drafts[0])
    tapped_in_browser(view.next, room.drafts[0])  # a second quick tap before draft 2 arrived
    assert view.at == room.drafts[1], "a stale tap never skips a draft nobody has seen"
    second = view.screen.children[0]
    chosen_in_browser(view, criteria.SIMPLE, 1)
    others_rate()
    chosen_in_browser(view, criteria.SERVICE, 3)
    tapped_in_browser(view.next, room.drafts[1])
    others_rate()
    assert view.at == room.drafts[2] and view.progress.text == "Draft 3 of 4 · 5 of 12 scores given"
    tapped_in_browser(view.previous, room.drafts[2])
    assert view.screen.children[0] is second  # the same screen, with its scores
    assert [second.controls[c].value for c in criteria.ORDER] == [1, 3, None]
    assert stored(room, "Ana") == {(room.drafts[0], "simple"): 4, (room.drafts[0], "service"): 2,
                                   (room.drafts[0], "identity"): 5, (room.drafts[1], "simple"): 1,
                                   (room.drafts[1], "service"): 3}


def test_a_tap_on_a_screen_already_left_does_nothing(room):
    view = room.open("Ben")
    view.next.click()
    view.next.click()  # draft 3
    tapped_in_browser(view.previous, room.drafts[0])  # sent from draft 1, long gone
    tapped_in_browser(view.next, room.drafts[1])
    assert view.at == room.drafts[2]
    assert view.next.screen == view.previous.screen == str(room.drafts[2])
    tapped_in_browser(view.next, room.drafts[2])
    tapped_in_browser(view.next, room.drafts[3])
    assert view.at == OVERVIEW and view.previous.screen == OVERVIEW
    tapped_in_browser(view.previous, OVERVIEW)
    assert view.at == room.drafts[3]


# ---- own draft, no hints, no averages ---------------------------------------------------------

def test_ones_own_draft_is_marked_and_can_be_rated_as_vision_rate_allows(room):
    view = room.open("Ana")  # Ana wrote the first draft
    assert "Your own draft" in screen(view)
    tap(view, criteria.IDENTITY, 4)
    assert stored(room, "Ana") == {(room.drafts[0], "identity"): 4}
    view.next.click()
    assert "Your own draft" not in screen(view)


def test_no_hints_and_no_averages_on_the_rating_screens(room):
    for person, score in (("Ben", 1), ("Cy", 1), ("Dee", 2)):
        for d in room.drafts:
            vision.rate(room.store, room.code, room.tokens[person], d, criteria.SIMPLE, score)
    view = room.open("Ana")
    seen = []
    for _ in range(5):
        seen.append(screen(view))
        view.next.click()
    page = " ".join(seen)
    everything = " ".join(x.value for x in _all(view) if isinstance(x, w.HTML))
    assert "ws-hint" not in everything
    assert "1.3" not in page and "average" not in page.lower() and "mean" not in page.lower()
    assert "0 of 12 scores given" in page  # others' scores are not counted as Ana's


def _all(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all(child)


def test_draft_text_is_escaped(store):
    room = Room(store, drafts=['<img src=x onerror="alert(1)">We <b>care</b>', *DRAFTS[1:]])
    view = room.open("Ben")
    text = view.screen.children[0].text.value
    assert "<img" not in text and "&lt;img" in text
    view.go(OVERVIEW)
    assert "<img" not in view.overview.children[1].summary.value


# ---- when rating closes --------------------------------------------------------------------------

def test_closed_rating_shows_ones_own_scores_read_only(room):
    view = room.open("Cy")
    tap(view, criteria.SIMPLE, 4)
    view.next.click()
    tap(view, criteria.SERVICE, 2)
    vision.close_rating(room.store, room.code, room.key)
    tap(view, criteria.IDENTITY, 5)  # tapped before the page heard: refused, taken back
    assert "Rating is closed" in view.feedback.value and controls(view)[criteria.IDENTITY].value is None
    room.refresh(view)
    page = screen(view)
    assert "Rating is closed. These are the scores you gave." in page
    assert f"{criteria.TITLES['simple']}: 4" in page and f"{criteria.TITLES['service']}: 2" in page
    assert not visible(view.nav) and "Back to draft" not in page
    assert not any(isinstance(x, ScoreControl) for x in _all(view) if visible(x) and _shown(view, x))
    view.go(room.drafts[0])  # a stale click on a way back
    assert view.at == OVERVIEW or view.status.rating_closed
    assert "Rating is closed" in screen(view)
    assert stored(room, "Cy") == {(room.drafts[0], "simple"): 4, (room.drafts[1], "service"): 2}
    # Reopened (closed by mistake): back where she was, scores still there.
    vision.reopen_rating(room.store, room.code, room.key)
    room.refresh(view)
    assert view.at == room.drafts[1] and controls(view)[criteria.SERVICE].value == 2
    assert "Rating is closed" not in screen(view)


def _shown(root, target) -> bool:
    """Whether ``target`` is in ``root``'s visible tree."""
    if not visible(root):
        return False
    if root is target:
        return True
    return any(_shown(c, target) for c in getattr(root, "children", ()))


def test_a_page_opened_after_rating_closed_shows_the_scores_read_only(room):
    vision.rate(room.store, room.code, room.tokens["Dee"], room.drafts[2], criteria.SIMPLE, 3)
    vision.close_rating(room.store, room.code, room.key)
    view = room.open("Dee")
    page = screen(view)
    assert "Rating is closed" in page and "Your scores · 1 of 12 scores given" in page
    assert page.count("not scored yet") == 11 and "Back to draft" not in page


# ---- languages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, progress, overview", [
    ("de", "Entwurf 2 von 4 · 1 von 12 Bewertungen abgegeben", "11 Bewertungen fehlen noch."),
    ("zh_Hant", "第 2 份草稿（共 4 份） · 已評分 1 / 12 項", "還有 11 項未評分。"),
])
def test_progress_and_overview_are_translated(room, lang, progress, overview):
    view = room.open("Ana", lang=lang)
    t = translator(lang)
    view.next.click()
    tap(view, criteria.SIMPLE, 4)
    assert view.progress.text == progress
    assert controls(view)[criteria.SIMPLE].title == t(criteria.TITLES[criteria.SIMPLE]) != criteria.TITLES["simple"]
    assert view.next.description != "Next"
    view.go(OVERVIEW)
    assert overview in screen(view)


# ---- a real phone ------------------------------------------------------------------------------

#: Pat's scores for the four drafts, by criterion in criteria.ORDER.
PHONE_SCORES = [(4, 5, 3), (2, 3, 1), (5, 4, 4), (1, 2, 5)]


@pytest.mark.browser
@pytest.mark.slow
def test_rating_every_draft_on_a_phone_with_next_and_previous(server, visitors):
    """390x844 Chromium against a real `workshop serve`: every draft rated with Next / Previous,
    the progress line right at each step, the scores in the database afterwards."""
    from playwright.sync_api import expect

    from tests import browser as B

    room = Room(server.store)
    v = visitors(B.PHONE, "Pat")
    page = v.page
    B.open_app(page, server.participant_url(room.code))
    B.join(page, "Pat")
    progress = page.locator(".ws-rating-progress")
    expect(progress).to_have_text("Draft 1 of 4 · 0 of 12 scores given", timeout=20_000)
    taps, heights, content, given = 0, [], [], 0

    def tapped(locator) -> None:
        nonlocal taps
        locator.click()
        taps += 1

    for i, scores in enumerate(PHONE_SCORES):
        expect(progress).to_have_text(f"Draft {i + 1} of 4 · {given} of 12 scores given")
        card = page.locator(".ws-draft-rating .ws-rating-draft")
        expect(card).to_have_text(DRAFTS[i])
        # The new screen starts at its top (the Next button was at the bottom of the last one).
        assert page.evaluate("() => document.querySelector('.ws-rating-progress').getBoundingClientRect().top") >= 0
        heights.append(page.evaluate(PAGE_HEIGHT))
        content.append(page.evaluate(APP_HEIGHT))
        for criterion, score in zip(criteria.ORDER, scores):
            group = page.get_by_role("group", name=criteria.TITLES[criterion])
            expect(group).to_have_count(1)  # the criterion's title labels its group, once on screen
            radio = group.get_by_role("radio", name=str(score), exact=True)
            box = radio.bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24, box
            tapped(radio)
            given += 1
            expect(progress).to_have_text(f"Draft {i + 1} of 4 · {given} of 12 scores given")
            expect(radio).to_be_checked()
        # Each criterion keeps its own choice: one checked score per group, three on the screen.
        expect(page.locator(".ws-draft-rating input[type=radio]:checked")).to_have_count(3)
        for criterion, score in zip(criteria.ORDER, scores):
            expect(page.get_by_role("group", name=criteria.TITLES[criterion]).get_by_role(
                "radio", name=str(score), exact=True)).to_be_checked()
        assert B.horizontal_overflow(page) <= 0, B.widest_overflow(page)
        if i in (0, 2):
            _whole_screen(page, f"rating-phone-draft-{i + 1}")
        tapped(page.locator(".ws-rating-next"))

    expect(progress).to_have_text("Your scores · 12 of 12 scores given")
    rows = page.locator(".ws-overview-row")
    expect(rows).to_have_count(4)
    heights.append(page.evaluate(PAGE_HEIGHT))
    content.append(page.evaluate(APP_HEIGHT))
    _whole_screen(page, "rating-phone-overview")
    expected = {(d, c): s for d, scores in zip(room.drafts, PHONE_SCORES) for c, s in zip(criteria.ORDER, scores)}
    assert _ratings_of(room, "Pat") == expected
    rate_taps = taps

    # Previous from the overview is the last draft; the arrow keys change a score there.
    page.locator(".ws-rating-previous").click()
    expect(progress).to_have_text("Draft 4 of 4 · 12 of 12 scores given")
    # Reading starts at the progress line: it takes the focus once the new screen is drawn
    # (the kernel sends the text first, then the move, so wait for the move before the key).
    expect(progress).to_be_focused()
    group = page.get_by_role("group", name=criteria.TITLES[criteria.IDENTITY])
    expect(group.get_by_role("radio", name="5", exact=True)).to_be_checked()
    group.get_by_role("radio", name="5", exact=True).focus()
    page.keyboard.press("ArrowLeft")
    expect(group.get_by_role("radio", name="4", exact=True)).to_be_checked()
    expected[(room.drafts[3], criteria.IDENTITY)] = 4
    _wait_for(lambda: _ratings_of(room, "Pat") == expected, "the arrow key's score saved")
    # And a way back from the overview to draft 2, where a score changes.
    page.locator(".ws-rating-next").click()
    rows.nth(1).locator(".ws-overview-go").click()
    expect(progress).to_have_text("Draft 2 of 4 · 12 of 12 scores given")
    page.get_by_role("group", name=criteria.TITLES[criteria.SIMPLE]).get_by_role("radio", name="5", exact=True).click()
    expected[(room.drafts[1], criteria.SIMPLE)] = 5
    _wait_for(lambda: _ratings_of(room, "Pat") == expected, "the changed score saved")

    # Rating closes: the page says so and shows Pat's own scores, read-only.
    vision.close_rating(room.store, room.code, room.key)
    page.locator(".ws-rating-closed").wait_for(timeout=10_000)
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.locator(".ws-overview-go:visible")).to_have_count(0)
    assert "Simple to understand and act on: 5" in page.locator(".ws-rating-overview").inner_text()
    _whole_screen(page, "rating-phone-closed")
    print(f"\nrating on a phone: page heights per screen {heights} px (viewport 844), "
          f"the app's own height {content} px (drafts 1-4, overview); "
          f"{rate_taps} taps to rate 4 drafts (12 scores + {rate_taps - 12} Next/Overview)")
    assert rate_taps == 16
    assert max(content[:4]) <= B.PHONE["height"], content  # each draft fits on one phone screen


@pytest.mark.browser
def test_quick_taps_then_a_double_tap_on_next_while_others_rate(server, visitors):
    """A quick person on a phone: three radios and Next without waiting for anything, Next tapped
    twice faster than the kernel answers, and the others' scores arriving all the while (each one
    a live refresh). Every score is saved and stays checked, no draft is skipped, and the screen
    being rated is never rebuilt under the person's finger."""
    import itertools

    from playwright.sync_api import expect

    from tests import browser as B

    room = Room(server.store)
    page = visitors(B.PHONE, "Pat").page
    B.open_app(page, server.participant_url(room.code))
    B.join(page, "Pat")
    progress = page.locator(".ws-rating-progress")
    expect(progress).to_have_text("Draft 1 of 4 · 0 of 12 scores given", timeout=20_000)
    others = itertools.cycle([(p, d, c) for d in room.drafts for p in PEOPLE[:3] for c in criteria.ORDER])
    card, screen_el = page.locator(".ws-draft-rating .ws-rating-draft"), page.locator(".ws-draft-rating")

    def others_rate(n: int = 3) -> None:
        for _ in range(n):
            p, d, c = next(others)
            vision.rate(server.store, room.code, room.tokens[p], d, c, 1 + len(p) % 5)

    for i, scores in enumerate(PHONE_SCORES):
        expect(card).to_have_text(DRAFTS[i])  # the person looks at the draft, then taps away
        screen_el.evaluate("el => { el.dataset.seen = 'yes'; }")
        for criterion, score in zip(criteria.ORDER, scores):
            screen_el.locator(f".ws-rate-{criterion}").get_by_role("radio", name=str(score), exact=True).click()
            others_rate()
        expect(screen_el).to_have_attribute("data-seen", "yes")  # the same element all along
        expect(page.locator(".ws-draft-rating input[type=radio]:checked")).to_have_count(3)
        # Two taps in one go, the second before the kernel can have answered the first.
        page.locator(".ws-rating-next button").evaluate("b => { b.click(); b.click(); }")
        if i < 3:
            expect(progress).to_contain_text(f"Draft {i + 2} of 4")
    expect(progress).to_have_text("Your scores · 12 of 12 scores given", timeout=15_000)
    expected = {(d, c): s for d, scores in zip(room.drafts, PHONE_SCORES) for c, s in zip(criteria.ORDER, scores)}
    _wait_for(lambda: _ratings_of(room, "Pat") == expected, "every quick score saved")
    rows = page.locator(".ws-overview-row")
    expect(rows).to_have_count(4)
    for n in range(4):
        expect(rows.nth(n).locator("b")).to_have_count(4)  # "Draft n" and its three scores: none missing
    # Back on the last draft: its three scores are still checked.
    page.locator(".ws-rating-previous").click()
    expect(card).to_have_text(DRAFTS[3])
    expect(page.locator(".ws-draft-rating input[type=radio]:checked")).to_have_count(3)


def _ratings_of(room: Room, name: str) -> dict[tuple[int, str], int]:
    """What the database holds for ``name`` (tokens are stored hashed: read by name)."""
    from sqlalchemy import select

    from workshop.store.schema import Participant, Rating, Workshop
    with room.store.reading() as tx:
        rows = tx.session.execute(select(Rating.draft_id, Rating.criterion, Rating.score).join(
            Participant, Participant.id == Rating.participant_id).join(Workshop).where(
            Workshop.code == room.code, Participant.display_name == name)).all()
    return {(d, c): s for d, c, s in rows}


#: The page's height: Voila scrolls an inner box, so the tallest scrolling element counts.
PAGE_HEIGHT = """() => {
    let tallest = document.documentElement.scrollHeight;
    for (const el of document.querySelectorAll("*")) {
        const y = getComputedStyle(el).overflowY;
        if ((y === "auto" || y === "scroll") && el.scrollHeight > el.clientHeight) tallest = Math.max(tallest, el.scrollHeight);
    }
    return tallest;
}"""


#: From the top of the page to the bottom of the app (less than the page when it fits on the screen).
APP_HEIGHT = """() => {
    const app = document.querySelector(".ws-app");
    let scrolled = 0;
    for (let el = app.parentElement; el; el = el.parentElement) scrolled += el.scrollTop || 0;
    return Math.ceil(app.getBoundingClientRect().bottom + scrolled);
}"""


def _whole_screen(page, name: str) -> None:
    """A screenshot of the whole page as one tall phone (the inner scroll box shows everything)."""
    from tests import browser as B
    height = page.evaluate(PAGE_HEIGHT)
    page.set_viewport_size({"width": B.PHONE["width"], "height": max(height, B.PHONE["height"])})
    try:
        B.screenshot(page, name, full_page=False)
    finally:
        page.set_viewport_size(B.PHONE)


def _wait_for(condition, what: str, timeout: float = 10.0) -> None:
    import time
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
