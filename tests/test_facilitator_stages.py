"""The facilitator panels of the second half: voting, vision, actions, publishing.

Each test builds a panel in-process on a real SQLite database, lets
participants act through the domain, refreshes the panel as the shell does
when the workshop's change marker moves, and checks what the facilitator sees.
"""

from __future__ import annotations

import base64
import io
import re
import statistics
import zipfile

import ipywidgets as w
import pytest

from tests import screens
from tests.screens import visible
from workshop.core import criteria, phases
from workshop.domain import grouping, vision, voting, workshops
from workshop.i18n import translator
from workshop.pages.facilitator import build
from workshop.store import Store
from workshop.widgets.facilitator.actions import ActionsPanel
from workshop.widgets.facilitator.base import Console
from workshop.widgets.facilitator.publish import PublishPanel
from workshop.widgets.facilitator.vision import VisionPanel
from workshop.widgets.facilitator.voting import VotingPanel

pytestmark = pytest.mark.sqlite_only

VALUES = ["Honesty", "Quality", "Speed", "Autonomy", "Loyalty", "Respect"]
PEOPLE = ["Ana", "Ben", "Cy"]


# ---- a workshop played forward through the domain ----------------------------------------

class Room:
    """A workshop with three participants whose tokens the test holds."""

    def __init__(self, store: Store, target: int = 3, anonymous: bool = False):
        self.store = store
        created = workshops.create_workshop(store, "Acme support philosophy", company="Acme",
                                            purpose="keep small shops online", anonymous=anonymous,
                                            vote_target=target)
        self.code, self.key = created.code, created.key
        workshops.advance(store, self.code, self.key)  # brainstorm
        self.tokens = {name: workshops.join(store, self.code, name=name).token for name in PEOPLE}
        workshops.advance(store, self.code, self.key)  # grouping
        self.values = {name: grouping.create_value(store, self.code, self.key, name, f"About {name.lower()}.")
                       for name in VALUES}
        workshops.advance(store, self.code, self.key)  # voting

    def dots(self, person: str, value: str, n: int = 1) -> None:
        voting.set_dots(self.store, self.code, self.tokens[person], self.values[value], n)

    def settle(self, names) -> None:
        voting.settle(self.store, self.code, self.key, [self.values[n] for n in names])

    def advance(self) -> None:
        workshops.advance(self.store, self.code, self.key)

    def panel(self, cls):
        """The panel as the shell builds it: an action here refreshes it at once."""
        holder = {}
        console = Console(self.store, self.code, self.key, translator("en"),
                          changed=lambda: holder["panel"].refresh(self.status()))
        holder["panel"] = panel = cls(console, self.status())
        return panel

    def status(self):
        return workshops.status(self.store, self.code)


@pytest.fixture
def room(store):
    return Room(store)


def _fields(widget) -> str | None:
    if isinstance(widget, (w.Text, w.Textarea, w.IntText, w.BoundedIntText)):
        return f"{widget.description} {widget.value}"
    if isinstance(widget, w.Checkbox):
        return f"[{'x' if widget.value else ' '}] {widget.description}"
    return None


def screen(widget: w.Widget) -> str:
    """The text the facilitator can see: visible widgets only, tags stripped, entities decoded, fields with their values."""
    return screens.screen(widget, _fields)


def refresh(room: Room, panel) -> None:
    panel.refresh(room.status())


# ---- voting ------------------------------------------------------------------------------

def test_rules_start_from_a_third_of_the_values_and_can_change_until_the_first_dot(room):
    panel = room.panel(VotingPanel)
    assert panel.budget.value == len(VALUES) // 3
    assert panel.keep.value == 3
    assert "Open round 1" in screen(panel)
    panel.budget.value, panel.cap.value = 3, 2
    panel.open_button.click()
    assert "Round 1 is open" in screen(panel)
    assert "3 dots each, at most 2 on one value" in screen(panel)

    panel.budget.value = 4
    panel.apply_button.click()
    assert "4 dots each" in screen(panel.round_info)

    room.dots("Ana", "Honesty")
    refresh(room, panel)
    assert not visible(panel.form), "rules are fixed once someone has voted"
    assert voting.rounds(room.store, room.code)[-1].budget == 4


def test_who_has_voted_is_listed_but_never_what_they_voted_for(room):
    panel = room.panel(VotingPanel)
    panel.open_button.click()
    assert "0 of 3 have voted" in screen(panel)

    room.dots("Ana", "Honesty")
    refresh(room, panel)
    seen_honesty = screen(panel)
    assert "1 of 3 have voted" in seen_honesty
    assert "Ana" in screen(panel.voters)

    # Ana moves her dot: the facilitator's screen cannot tell the difference.
    room.dots("Ana", "Honesty", 0)
    room.dots("Ana", "Speed", 1)
    refresh(room, panel)
    assert screen(panel) == seen_honesty
    assert screen(panel.results) == ""


def test_anonymous_workshop_lists_voters_by_pseudonym(store):
    room = Room(store, anonymous=True)
    panel = room.panel(VotingPanel)
    panel.open_button.click()
    room.dots("Ben", "Quality")
    refresh(room, panel)
    voters = screen(panel.voters)
    assert "Participant 2" in voters and "Ben" not in voters


def test_closing_shows_the_results_and_a_tie_at_the_cut_goes_to_a_runoff(room):
    panel = room.panel(VotingPanel)
    panel.open_button.click()
    # Honesty 2, Quality 2, Speed 1, Autonomy 1: two places are clear, Speed and Autonomy tie for the third.
    room.dots("Ana", "Honesty"), room.dots("Ana", "Quality")
    room.dots("Ben", "Honesty"), room.dots("Ben", "Speed")
    room.dots("Cy", "Quality"), room.dots("Cy", "Autonomy")
    refresh(room, panel)
    assert "3 of 3 have voted" in screen(panel)

    panel.close_button.click()
    results = screen(panel.results)
    assert re.search(r"Honesty 2 kept", results) and re.search(r"Quality 2 kept", results)
    assert re.search(r"Speed 1 tie: run-off", results) and re.search(r"Autonomy 1 tie: run-off", results)
    assert re.search(r"Loyalty 0 dropped", results)
    assert "go to a run-off for the last place" in results and "is open" not in results
    # Closing opens nothing: the room talks first; one button names the step the results call for.
    assert "Round 1 is closed. Talk about the results" in screen(panel.stage_note)
    assert not visible(panel.live_box) and not visible(panel.close_button)
    assert voting.ballot(room.store, room.code, room.tokens["Ana"]) is None
    assert visible(panel.form) and visible(panel.open_button)
    assert panel.open_button.description == "Open the run-off: Speed, Autonomy (keep 1)"
    assert not visible(panel.keep), "a run-off's places are set by the round before"
    assert visible(panel.undo_button) and visible(panel.settle_box)
    refresh(room, panel)
    assert voting.ballot(room.store, room.code, room.tokens["Ana"]) is None, "a refresh opens nothing either"

    panel.open_button.click()
    assert "Run-off (round 2) is open" in screen(panel.round_info)
    assert "On the ballot: Speed, Autonomy" in screen(panel.round_info)
    assert "1 place to fill" in screen(panel.round_info)
    assert "Honesty 2 kept" in screen(panel.results), "round 1's results stay in view"

    room.dots("Ana", "Speed"), room.dots("Ben", "Speed"), room.dots("Cy", "Autonomy")
    refresh(room, panel)
    panel.close_button.click()
    assert "Our 3 core values Honesty Quality Speed" in screen(panel.chosen)
    done = screen(panel.done)
    assert "3 values remain: move on to the vision." in done and "“Next stage: Vision drafts”" in done
    assert not visible(panel.close_button) and not visible(panel.form) and "Open " not in screen(panel)
    assert visible(panel.undo_button)
    assert "Earlier rounds" in screen(panel.history)


def test_rounds_repeat_until_the_target_remains(store):
    room = Room(store, target=2)
    panel = room.panel(VotingPanel)
    panel.keep.value = 4
    panel.open_button.click()
    for person, value in (("Ana", "Honesty"), ("Ben", "Quality"), ("Cy", "Speed"), ("Ana", "Loyalty")):
        room.dots(person, value)
    panel.close_button.click()
    assert panel.open_button.description == "Open round 2", "four kept, target two: another round"
    assert screen(panel.round_info) == "" and "The top 2 stay" not in screen(panel)
    panel.open_button.click()
    assert "Round 2 is open" in screen(panel.round_info)
    assert "On the ballot: Honesty, Quality, Speed, Loyalty" in screen(panel.round_info)
    room.dots("Ana", "Honesty"), room.dots("Ben", "Honesty"), room.dots("Cy", "Quality")
    refresh(room, panel)
    panel.close_button.click()
    assert "Our 2 core values Honesty Quality" in screen(panel.chosen)


def test_undo_reopens_a_round_closed_by_mistake_with_its_votes(room):
    panel = room.panel(VotingPanel)
    panel.keep.value = 6
    panel.open_button.click()
    room.dots("Ana", "Honesty")
    refresh(room, panel)
    assert not visible(panel.undo_button)
    panel.close_button.click()
    assert visible(panel.undo_button)
    panel.undo_button.click()
    assert "Round 1 is open again" in screen(panel.feedback)
    assert "1 of 3 have voted" in screen(panel.voters)
    assert screen(panel.chosen) == ""


def test_the_room_can_be_overruled_on_a_tie_it_cannot_break(room):
    panel = room.panel(VotingPanel)
    panel.open_button.click()
    room.dots("Ana", "Honesty"), room.dots("Ben", "Quality"), room.dots("Cy", "Speed"), room.dots("Cy", "Autonomy")
    refresh(room, panel)
    panel.close_button.click()  # four values tie for three places
    panel.open_button.click()  # the run-off
    assert visible(panel.settle_box)
    for vid, box in panel._checks.items():
        box.value = vid in (room.values["Honesty"], room.values["Quality"], room.values["Autonomy"])
    panel.settle_button.click()
    assert screen(panel.feedback) == "The values are decided."
    assert [v.name for v in grouping.values(room.store, room.code, only_chosen=True)] == \
        ["Honesty", "Quality", "Autonomy"]
    assert "Our 3 core values Honesty Quality Autonomy" in screen(panel.chosen)
    assert screen(panel.results) == ("Run-off (round 2): results · decided by the facilitator "
                                     "Honesty kept Quality kept Autonomy kept Speed dropped")


def test_a_tie_can_be_settled_before_the_runoff_is_opened(room):
    panel = room.panel(VotingPanel)
    panel.open_button.click()
    room.dots("Ana", "Honesty"), room.dots("Ben", "Quality"), room.dots("Cy", "Speed"), room.dots("Cy", "Autonomy")
    refresh(room, panel)
    panel.close_button.click()
    assert visible(panel.settle_box)
    ticked = [box.description for box in panel._checks.values() if box.value]
    assert ticked == [] and len(panel._checks) == 4, "the four tied values start unticked"
    for vid, box in panel._checks.items():
        box.value = vid in (room.values["Honesty"], room.values["Quality"], room.values["Speed"])
    panel.settle_button.click()
    assert "Our 3 core values Honesty Quality Speed" in screen(panel.chosen)
    assert not visible(panel.form) and "3 values remain" in screen(panel.done)


def test_the_next_step_opens_once_however_often_it_is_clicked(room):
    panel = room.panel(VotingPanel)
    panel.open_button.click()
    room.dots("Ana", "Honesty"), room.dots("Ben", "Quality"), room.dots("Cy", "Speed"), room.dots("Cy", "Autonomy")
    refresh(room, panel)
    panel.close_button.click()
    panel.open_button.click()
    panel.open_button.click()  # a second click on a button that is gone: refused, nothing more opens
    assert [(r.number, r.status) for r in voting.rounds(room.store, room.code)] == [(1, "closed"), (2, "open")]


def test_panel_before_the_vote_says_so_and_offers_no_buttons(store):
    room = Room.__new__(Room)
    room.store = store
    created = workshops.create_workshop(store, "Early")
    room.code, room.key = created.code, created.key
    panel = room.panel(VotingPanel)
    text = screen(panel)
    assert "The vote starts at the stage “Dot voting”" in text
    assert "Open round" not in text and "Close the round" not in text


# ---- vision ------------------------------------------------------------------------------

def drafting(room: Room) -> None:
    room.settle(["Honesty", "Quality", "Speed"])
    room.advance()


def all_html(widget) -> str:
    """Every HTML the widget tree sends to the browser, as sent."""
    if isinstance(widget, w.HTML):
        return widget.value
    return "".join(all_html(c) for c in getattr(widget, "children", ()))


def test_drafts_appear_live_escaped_and_the_facilitator_can_remove_one(room):
    drafting(room)
    panel = room.panel(VisionPanel)
    assert "0 drafts" in screen(panel)
    vision.add_draft(room.store, room.code, room.tokens["Ana"], "<b>Honest</b> & quick, every time")
    refresh(room, panel)
    raw = all_html(panel.list)
    assert "&lt;b&gt;Honest&lt;/b&gt; &amp; quick" in raw and "<b>Honest</b>" not in raw
    assert "1 draft " in screen(panel) + " " and "Ana" not in screen(panel.list)

    panel.entry.value = "Solved the first time, told the truth all the way"
    panel.add_button.click()
    assert "2 drafts" in screen(panel)
    remove = panel.list.children[0].children[1]
    remove.click()
    assert "1 draft " in screen(panel) + " "
    assert [d.text for d in vision.drafts(room.store, room.code)] == \
        ["Solved the first time, told the truth all the way"]


def rating(room: Room) -> tuple[int, int]:
    drafting(room)
    a = vision.add_draft(room.store, room.code, room.tokens["Ana"], "Honest answers, solved the first time").id
    b = vision.add_draft(room.store, room.code, room.tokens["Ben"], "Always there, whatever you need").id
    room.advance()
    return a, b


def test_ratings_table_shows_mean_spread_and_count_and_flags_disagreement(room):
    a, b = rating(room)
    panel = room.panel(VisionPanel)
    scores = {"Ana": (4, 1), "Ben": (4, 5), "Cy": (5, 3)}  # simple: A agrees, B splits the room
    for person, (sa, sb) in scores.items():
        vision.rate(room.store, room.code, room.tokens[person], a, criteria.SIMPLE, sa)
        vision.rate(room.store, room.code, room.tokens[person], b, criteria.SIMPLE, sb)
    refresh(room, panel)
    rows = re.findall(r'<tr class="([^"]*)" data-draft="(\d+)">(.*?)</tr>', panel.table.value, flags=re.S)
    by_draft = {int(d): (cls, body) for cls, d, body in rows}
    spread_b = statistics.stdev([1, 5, 3])
    assert "4.3" in by_draft[a][1] and "± 0.6 · 3 ratings" in by_draft[a][1]
    assert "3.0" in by_draft[b][1] and f"± {spread_b:.1f} · 3 ratings" in by_draft[b][1]
    assert 'class="ws-disagree"' in by_draft[b][1] and "ws-disagree" not in by_draft[a][1]
    assert "ws-best" in by_draft[a][0]
    assert "Rating the drafts" not in screen(panel.to_rating), "already rating"


def test_choosing_the_vision_with_polished_wording_shows_it(room):
    a, b = rating(room)
    panel = room.panel(VisionPanel)
    panel.pick.value = a
    assert panel.wording.value == "Honest answers, solved the first time"
    panel.wording.value = "Honest answers, solved the first time. Every time."
    panel.choose_button.click()
    assert room.status().vision == "Honest answers, solved the first time. Every time."
    assert "“Honest answers, solved the first time. Every time.”" in screen(panel.final)
    assert "★" in screen(panel.table)


def test_after_choosing_the_console_says_rating_closed_exactly_when_it_closed(room):
    a, b = rating(room)
    panel = room.panel(VisionPanel)
    # A first choice (closes), polishing it after a reopen (stays open), another draft (closes again).
    for pick, reopen_first in ((a, False), (a, True), (b, False)):
        if reopen_first:
            vision.reopen_rating(room.store, room.code, room.key)
            refresh(room, panel)
        before = room.status().rating_closed
        panel.pick.value = pick
        panel.choose_button.click()
        closed_by_choice = room.status().rating_closed and not before
        said = "Rating is closed" in screen(panel.feedback)
        assert "This is our vision now." in screen(panel.feedback) and said == closed_by_choice, (pick, reopen_first)
        refresh(room, panel)
    assert [closed_by_choice, room.status().rating_closed] == [True, True]


def test_the_vision_picker_offers_the_best_rated_draft_first_as_ratings_arrive(room):
    a, b = rating(room)
    panel = room.panel(VisionPanel)
    assert [v for _, v in panel.pick.options] == [a, b]
    for person in ("Ana", "Ben"):
        vision.rate(room.store, room.code, room.tokens[person], b, criteria.SIMPLE, 5)
        vision.rate(room.store, room.code, room.tokens[person], a, criteria.SIMPLE, 2)
    refresh(room, panel)
    assert [v for _, v in panel.pick.options] == [b, a]
    assert panel.pick.options[0][0].startswith("2. Always there")  # numbered as on the list
    panel.wording.value = "Always there, whatever you need. Really."
    vision.rate(room.store, room.code, room.tokens["Cy"], a, criteria.SERVICE, 2)
    refresh(room, panel)
    assert panel.wording.value == "Always there, whatever you need. Really.", "the facilitator's polishing is kept"


def test_a_new_rating_updates_the_table_without_rebuilding_the_drafts(room):
    a, _ = rating(room)
    panel = room.panel(VisionPanel)
    rows_before = panel.list.children
    vision.rate(room.store, room.code, room.tokens["Cy"], a, criteria.SERVICE, 2)
    refresh(room, panel)
    assert len(panel.list.children) == len(rows_before) == 2
    assert all(x is y for x, y in zip(panel.list.children, rows_before)), "no flicker: same widgets"
    assert "· 1 rating<" in panel.table.value


def test_start_rating_moves_the_workshop_on(room):
    drafting(room)
    panel = room.panel(VisionPanel)
    assert panel.to_rating.disabled, "nothing to rate yet"
    vision.add_draft(room.store, room.code, room.tokens["Cy"], "We know you by name")
    refresh(room, panel)
    panel.to_rating.click()
    assert room.status().phase == phases.RATING
    assert not visible(panel.to_rating) and visible(panel.rating_box)


# ---- actions and publishing ----------------------------------------------------------------

def actions_stage(room: Room, values=("Honesty", "Quality", "Speed")) -> None:
    room.settle(values)
    room.advance()
    d = vision.add_draft(room.store, room.code, room.tokens["Ana"], "Honest answers, solved the first time").id
    vision.choose_vision(room.store, room.code, room.key, d)
    room.advance(), room.advance()  # rating, actions


def test_metrics_are_suggested_from_the_method_where_the_value_matches(room):
    actions_stage(room)
    panel = room.panel(ActionsPanel)
    quality, honesty = panel._rows[room.values["Quality"]], panel._rows[room.values["Honesty"]]
    assert "First Contact Resolution (FCR), Customer Satisfaction (CSAT)" in screen(quality)
    assert "Suggested" not in screen(honesty) and not visible(honesty.use_suggestion)

    quality.statement.value = "Do it right, first time"
    assert "Unsaved changes" in screen(quality.state)
    quality.use_suggestion.click()
    quality.save.click()
    assert "✓ Saved" in screen(quality.state)
    stored = {v.name: v for v in grouping.values(room.store, room.code, only_chosen=True)}
    assert stored["Quality"].action_statement == "Do it right, first time"
    assert stored["Quality"].metrics == ("First Contact Resolution (FCR)", "Customer Satisfaction (CSAT)")


def test_a_refused_action_statement_stays_unsaved_with_the_reason(room):
    actions_stage(room)
    panel = room.panel(ActionsPanel)
    speed = panel._rows[room.values["Speed"]]
    speed.statement.value = "x" * 500
    panel.save_all.click()
    assert "the limit is 200" in screen(panel.feedback)
    assert "Unsaved changes" in screen(speed.state)
    assert grouping.values(room.store, room.code, only_chosen=True)[2].action_statement == ""


def test_typing_is_kept_while_the_workshop_changes_elsewhere(room):
    actions_stage(room)
    panel = room.panel(ActionsPanel)
    honesty = panel._rows[room.values["Honesty"]]
    honesty.statement.value = "Say it straight"
    # Another tab of the facilitator stores metrics for another value; this panel refreshes.
    from workshop.domain import actionable
    actionable.set_metrics(room.store, room.code, room.key, room.values["Speed"], ["First Response Time (FRT)"])
    refresh(room, panel)
    assert honesty.statement.value == "Say it straight"
    assert panel._rows[room.values["Speed"]].metrics.value == "First Response Time (FRT)"


def test_publish_shows_the_philosophy_and_offers_the_csv_files(room):
    actions_stage(room)
    from workshop.domain import actionable
    actionable.set_action_statement(room.store, room.code, room.key, room.values["Quality"], "Fix it <first> time")
    actionable.set_metrics(room.store, room.code, room.key, room.values["Quality"], ["CSAT"])
    panel = room.panel(PublishPanel)
    doc = screen(panel.doc)
    assert "Our purpose at Acme is to keep small shops online." in doc
    assert "“Honest answers, solved the first time”" in doc
    assert "Quality Fix it <first> time Key metrics: CSAT" in doc
    assert "&lt;first&gt;" in panel.doc.value
    assert "No action statement yet" in doc  # Honesty and Speed have none

    panel.prepare.click()
    href = re.search(r'href="data:application/zip;base64,([^"]+)"', panel.download.value).group(1)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(href))) as archive:
        names = archive.namelist()
        values_csv = archive.read("values.csv").decode("utf-8-sig")
    assert "values.csv" in names and "votes.csv" in names
    assert "Quality" in values_csv

    panel.publish.click()
    assert room.status().phase == phases.PUBLISHED
    assert "Published: participants see this" in screen(panel)
    assert "prepare the files again" in screen(panel.download)


# ---- inside the real shell -------------------------------------------------------------------

def test_the_shell_refreshes_the_voting_panel_when_a_participant_votes(room):
    app = build("voting", {"w": room.code, "key": room.key}, store=room.store, start_live=False)
    panel = app.panel
    assert isinstance(panel, VotingPanel)
    panel.open_button.click()
    room.dots("Cy", "Respect")
    assert app.live.check_now()
    assert "1 of 3 have voted" in screen(panel.voters)
    assert "Respect" not in screen(panel.voters)


def test_each_draft_shows_hints_beside_it_without_deciding_anything(room):
    drafting(room)
    panel = room.panel(VisionPanel)
    vision.add_draft(room.store, room.code, room.tokens["Ana"], "World-class service, always available 24/7")
    refresh(room, panel)
    raw = all_html(panel.list)
    assert 'data-kind="cliche"' in raw and 'data-kind="promise"' in raw
    assert "24/7" in raw  # the promise is quoted back so the room sees what to question
    # Hints inform; the draft is still there to be rated and chosen.
    assert [d.text for d in vision.drafts(room.store, room.code)] == ["World-class service, always available 24/7"]


def test_an_action_statement_without_an_action_verb_is_flagged_as_it_is_typed(room):
    from workshop.widgets.facilitator.actions import ActionsPanel
    actions_stage(room)
    panel = room.panel(ActionsPanel)
    row = next(iter(panel._rows.values()))
    row.statement.value = "Customers and their happiness"
    flagged = row.hints.value
    row.statement.value = "Say what you mean, mean what you say."
    assert 'data-kind="action' in flagged and "ws-hint-warning" in flagged
    assert "ws-hint-warning" not in row.hints.value
