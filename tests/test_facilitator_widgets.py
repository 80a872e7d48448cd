"""The facilitator apps, built in-process on a real SQLite store and used the way a facilitator would."""

from __future__ import annotations

import ipywidgets as w
import pytest

from workshop.core import credentials, phases, stages
from workshop.core.errors import NotAuthorized
from workshop.domain import cards, grouping, workshops
from workshop.pages import facilitator as entry
from workshop.resources import notebooks_dir
from workshop.widgets.facilitator import panel_class
from workshop.widgets.facilitator.app import FacilitatorApp
from workshop.widgets.participant import ParticipantApp
from workshop.widgets.sendbutton import SendButton

pytestmark = pytest.mark.sqlite_only

TITLE = "Zephyr Freight support philosophy"


@pytest.fixture
def workshop(store):
    c = workshops.create_workshop(store, TITLE, company="Zephyr Freight", purpose="Moving what matters")
    return c.code, c.key


def open_app(store, code, key, stage):
    return FacilitatorApp(store, code, key, stage, start_live=False)


def visible(widget) -> bool:
    return getattr(widget.layout, "display", None) != "none"


def texts(widget, include_hidden: bool = False) -> str:
    """Everything a visitor can read on the page: HTML, labels, field contents, menu choices."""
    out = []

    def walk(x):
        if not include_hidden and isinstance(x, w.DOMWidget) and not visible(x):
            return
        if isinstance(x, (w.HTML, w.Label)):
            out.append(x.value)
        elif isinstance(x, (w.Button, SendButton, w.ToggleButton, w.Checkbox)):
            out.append(x.description)
        elif isinstance(x, (w.Text, w.Textarea)) and not isinstance(x, w.Password):
            out.append(x.value)
        elif isinstance(x, w.Dropdown):
            out.extend(str(label) for label in x.options and [o[0] if isinstance(o, tuple) else o for o in x.options])
        for child in getattr(x, "children", ()):
            walk(child)

    walk(widget)
    return "\n".join(out)


def find(widget, kind, css: str):
    """The widgets of ``kind`` carrying the CSS class ``css``."""
    found = []

    def walk(x):
        if isinstance(x, kind) and css in getattr(x, "_dom_classes", ()):
            found.append(x)
        for child in getattr(x, "children", ()):
            walk(child)

    walk(widget)
    return found


def brainstorming(store, code, key, *names):
    workshops.advance(store, code, key)
    return [workshops.join(store, code, name=n).token for n in names]


# ---- the key ---------------------------------------------------------------------------

@pytest.mark.parametrize("stage", ["console", "brainstorm", "values"])
def test_wrong_key_shows_a_key_field_and_nothing_of_the_workshop(store, workshop, stage):
    code, key = workshop
    tokens = brainstorming(store, code, key, "Ada")
    cards.add_card(store, code, tokens[0], "A secret idea nobody should read")
    app = open_app(store, code, "not-the-key", stage)
    page = texts(app, include_hidden=True)
    assert not app.unlocked and app.panel is None
    assert TITLE not in page and "Zephyr" not in page and "secret idea" not in page and "Ada" not in page
    assert "does not open the workshop" in page
    assert len(find(app, w.Password, "ws-key-input")) == 1


def test_a_made_up_code_looks_exactly_like_a_wrong_key(store, workshop):
    code, _ = workshop
    real = open_app(store, code, "wrong", "console")
    made_up = open_app(store, "ZZZZ9999", "wrong", "console")
    assert texts(real, include_hidden=True) == texts(made_up, include_hidden=True)
    made_up.gate.key.value = "wrong"
    made_up.gate.open.click()
    real.gate.key.value = "wrong"
    real.gate.open.click()
    assert texts(real, include_hidden=True) == texts(made_up, include_hidden=True)
    assert not real.unlocked and not made_up.unlocked


def test_typing_the_right_key_opens_the_stage(store, workshop):
    code, key = workshop
    app = open_app(store, code, None, "setup")
    assert TITLE not in texts(app, include_hidden=True)
    app.gate.key.value = key
    app.gate.open.click()
    assert app.unlocked and type(app.panel).__name__ == "SetupPanel"
    assert TITLE in texts(app)


def test_without_a_link_a_stage_page_asks_for_code_and_key_and_seeds_no_demo(store, created):
    code, key = created
    before = workshops.list_workshops(store)
    for stage in ("console", "brainstorm", "values"):
        app = entry.build(stage, {}, store=store, start_live=False)
        assert not app.unlocked and app.panel is None, stage
        assert app.gate.code_field.layout.display is None  # the join code is asked for too
        assert "join code and the facilitator key" in texts(app.gate), stage  # ... and the text says so
    assert workshops.list_workshops(store) == before  # nothing seeded in the live database
    app.gate.code_field.value = credentials.format_code(code)
    app.gate.key.value = "wrong"
    app.gate.open.click()
    assert not app.unlocked
    app.gate.key.value = key
    app.gate.open.click()
    assert app.unlocked and app.code == code and type(app.panel).__name__ == "ValuesPanel"


def test_every_stage_has_a_panel_and_a_notebook_and_every_phase_a_stage_and_a_view():
    notebooks = notebooks_dir()
    for stage in stages.STAGES:
        assert panel_class(stage.name).__name__ == stage.panel.rsplit(":", 1)[1]
        assert (notebooks / stage.notebook).exists(), stage.notebook
        source = (notebooks / stage.notebook).read_text(encoding="utf-8")
        assert f"show('{stage.name}')" in source, f"{stage.notebook} shows another stage's panel"
        if stage.visitor_notebook:
            assert (notebooks / stage.visitor_notebook).exists()
            assert stages.load(stage.visitor_app)
    for phase in phases.ORDER:
        assert phase in stages.stage_of_phase(phase).runs
        assert stages.load(stages.PARTICIPANT_VIEWS[phase].view)
    # Every notebook served is the participants' page, a stage or a stage's visitors' page.
    known = {stages.PARTICIPANT_NOTEBOOK, stages.ROOM_NOTEBOOK, "results.ipynb"} | {s.notebook for s in stages.STAGES} | {
        s.visitor_notebook for s in stages.STAGES if s.visitor_notebook}
    assert {nb.name for nb in notebooks.glob("*.ipynb")} == known
    with pytest.raises(ValueError):
        panel_class("lunch")


# ---- shell ------------------------------------------------------------------------------

def test_advance_asks_first_and_undo_takes_it_back(store, workshop):
    code, key = workshop
    app = open_app(store, code, key, "console")
    bar = app.phase_bar
    assert "Brainstorm" in bar.advance.description
    bar.advance.click()
    assert visible(bar.confirm_row) and "Move everyone" in bar.question.value
    assert workshops.status(store, code).phase == phases.SETUP  # nothing happened yet
    bar.cancel.click()
    assert not visible(bar.confirm_row)
    bar.advance.click()
    bar.confirm.click()
    assert workshops.status(store, code).phase == phases.BRAINSTORM
    assert "Brainstorm" in app.header.meta.value and "Core values" in bar.advance.description
    bar.undo.click()  # asks first (tests/test_console.py)
    assert workshops.status(store, code).phase == phases.BRAINSTORM
    bar.confirm.click()
    assert workshops.status(store, code).phase == phases.SETUP
    assert "Getting ready" in app.header.meta.value
    assert "back at" in bar.feedback.value


def test_a_refused_advance_says_what_to_do_first(store, workshop):
    code, key = workshop
    brainstorming(store, code, key)
    workshops.advance(store, code, key)  # grouping, with no values yet
    app = open_app(store, code, key, "values")
    app.phase_bar.advance.click()
    app.phase_bar.confirm.click()
    assert "at least one core value" in app.phase_bar.feedback.value
    assert workshops.status(store, code).phase == phases.GROUPING


def test_a_stage_change_made_elsewhere_shows_after_the_next_poll(store, workshop):
    code, key = workshop
    app = open_app(store, code, key, "brainstorm")
    workshops.advance(store, code, key)
    assert app.live.check_now()
    assert "Brainstorm" in app.header.meta.value


def test_navigation_links_carry_the_code_but_never_the_key(store, workshop):
    code, key = workshop
    app = open_app(store, code, key, "brainstorm")
    nav = app.nav.value
    for stage in stages.STAGES:
        assert f'href="{stage.notebook}?w={code}"' in nav
    assert key not in nav and "key=" not in nav
    assert 'class="ws-here"' in nav
    assert "ws-private" in app.nav._dom_classes


def test_timer_started_here_reaches_participants(store, workshop):
    code, key = workshop
    app = open_app(store, code, key, "invite")
    timer = app.pane.timer  # every stage's shell has one, headed by its run-of-show slot
    assert timer.minutes.value == 3 and timer.label.value == "Joining"
    timer.minutes.value = 3
    timer.label.value = "Joining"
    timer.start.click()
    status = workshops.status(store, code)
    assert status.timer_ends_at is not None and status.timer_label == "Joining"
    assert app.header.countdown.ends_at_ms > 0 and app.header.countdown.label == "Joining"
    timer.stop.click()
    assert workshops.status(store, code).timer_ends_at is None
    assert app.header.countdown.ends_at_ms == 0


# ---- setup and invite -------------------------------------------------------------------

def test_setup_saves_details_and_answers(store, workshop):
    code, key = workshop
    app = open_app(store, code, key, "setup")
    panel = app.panel
    panel.company.value = "Zephyr Freight GmbH"
    panel.vote_target.value = 4
    panel.save_details.click()
    status = workshops.status(store, code)
    assert status.company == "Zephyr Freight GmbH" and status.vote_target == 4
    panel.answers["channels"].value = "Phone and chat"
    panel.save_answers.click()
    assert workshops.grounding(store, code)["channels"] == "Phone and chat"
    assert "Saved 1 answer." in panel.answers_feedback.value


def test_setup_fields_follow_changes_made_elsewhere_unless_being_edited(store, workshop):
    code, key = workshop
    app = open_app(store, code, key, "setup")
    panel = app.panel
    panel.purpose.value = "Half-typed purpose"
    workshops.update_details(store, code, key, title="Renamed elsewhere", purpose="Changed elsewhere")
    app.live.check_now()
    assert panel.title.value == "Renamed elsewhere"
    assert panel.purpose.value == "Half-typed purpose"  # the facilitator's typing wins


def test_setup_shows_a_refusal_in_words(store, workshop):
    code, key = workshop
    app = open_app(store, code, key, "setup")
    app.panel.title.value = "   "
    app.panel.save_details.click()
    assert "ws-error" in app.panel.feedback.value
    assert workshops.status(store, code).title == TITLE


def test_invite_shows_link_qr_code_and_who_joins_live(store, workshop):
    code, key = workshop
    app = open_app(store, code, key, "invite")
    panel = app.panel
    assert f"participant.ipynb?w={code}" in panel.joinbox.value and "<svg" in panel.joinbox.value
    assert f"{code[:4]}-{code[4:]}" in panel.joinbox.value
    assert "Nobody has joined yet" in panel.people.value
    workshops.join(store, code, name="<i>Bob</i>")
    app.live.check_now()
    assert "&lt;i&gt;Bob&lt;/i&gt;" in panel.people.value and "<i>Bob" not in panel.people.value
    assert "ws-online" in panel.people.value
    assert "1 joined" in app.header.meta.value


def test_a_lost_participant_gets_a_new_personal_link(store, workshop):
    code, key = workshop
    old = workshops.join(store, code, name="Cleo").token
    app = open_app(store, code, key, "invite")
    app.panel.relink.click()
    out = app.panel.relink_out.value
    assert f"w={code}" in out and "p=" in out
    token = out.split("p=")[1].split("<")[0].split("&")[0]
    assert workshops.join(store, code, token=token).name == "Cleo"
    with pytest.raises(NotAuthorized, match="not valid any more"):  # the old link creates nobody
        workshops.join(store, code, token=old, name="Someone new")


# ---- brainstorm -------------------------------------------------------------------------

def test_wall_updates_when_a_participant_adds_a_card(store, workshop):
    code, key = workshop
    (ada, bo) = brainstorming(store, code, key, "Ada", "Bo")
    app = open_app(store, code, key, "brainstorm")
    panel = app.panel
    assert ">0<" in panel.count.value and "No cards yet" in panel.wall.value
    cards.add_card(store, code, ada, "Answers <script>alert(1)</script> that are true")
    assert app.live.check_now()
    assert ">1<" in panel.count.value
    assert "&lt;script&gt;" in panel.wall.value and "<script>" not in panel.wall.value
    assert "Ada" in panel.wall.value  # the facilitator of a named workshop sees who wrote it
    assert "Ada <b>1</b>" in panel.tally.value and "Bo <b>0</b>" in panel.tally.value
    # Before the reveal the wall is only for the facilitator, not the shared screen.
    assert "ws-private" in panel.wall._dom_classes


def test_reveal_shows_the_cards_to_participants(store, workshop):
    code, key = workshop
    (ada,) = brainstorming(store, code, key, "Ada")
    cards.add_card(store, code, ada, "No surprises on the bill")
    participant = ParticipantApp(store, code, token=ada)
    participant.live.stop()
    assert "No surprises" not in participant.view.wall.value
    app = open_app(store, code, key, "brainstorm")
    assert "Reveal" in app.panel.reveal.description
    app.panel.reveal.click()
    assert workshops.status(store, code).cards_revealed
    assert "Hide" in app.panel.reveal.description
    assert "ws-private" not in app.panel.wall._dom_classes
    participant.live.check_now()
    assert "No surprises on the bill" in participant.view.wall.value
    app.panel.reveal.click()
    assert not workshops.status(store, code).cards_revealed


def test_facilitator_adds_a_card_said_aloud(store, workshop):
    code, key = workshop
    brainstorming(store, code, key)
    app = open_app(store, code, key, "brainstorm")
    app.panel.entry.value = "Help at midnight"
    app.panel.add.click()
    assert app.panel.entry.value == ""
    assert "Help at midnight" in app.panel.wall.value and ">1<" in app.panel.count.value


# ---- values -----------------------------------------------------------------------------

@pytest.fixture
def grouping_app(store, workshop):
    code, key = workshop
    (ada,) = brainstorming(store, code, key, "Ada")
    for text in ("Tell the truth", "No hidden fees", "Fast replies", "Fixed the first time"):
        cards.add_card(store, code, ada, text)
    cards.reveal(store, code, key)
    workshops.advance(store, code, key)
    app = open_app(store, code, key, "values")
    app.panel.table_toggle.value = True  # these drive the table view; tests/test_wall.py drives the wall
    return app, code, key


def row_of(panel, text):
    return next(r for r in panel.rows.values() if text in r.text.value)


def test_ticked_cards_become_a_new_value(store, grouping_app):
    app, code, key = grouping_app
    panel = app.panel
    assert "(4)" in panel.unassigned_head.value
    row_of(panel, "Tell the truth").pick.value = True
    row_of(panel, "No hidden fees").pick.value = True
    panel.new_name.value = "Honesty"
    panel.new_description.value = "We tell customers the truth."
    panel.create.click()
    board = grouping.board(store, code, key)
    (value, members), = board.values
    assert value.name == "Honesty" and {c.text for c in members} == {"Tell the truth", "No hidden fees"}
    box = panel.boxes[value.id]
    assert "Honesty" in box.head.value and "2 cards" in box.head.value
    assert row_of(panel, "Tell the truth") in box.cards.children
    assert "(2)" in panel.unassigned_head.value
    assert panel.new_name.value == "" and not any(r.pick.value for r in panel.rows.values())


def test_cards_move_between_values_with_their_menu(store, grouping_app):
    app, code, key = grouping_app
    panel = app.panel
    honesty = grouping.create_value(store, code, key, "Honesty")
    speed = grouping.create_value(store, code, key, "Speed")
    app.live.check_now()
    fast = row_of(panel, "Fast replies")
    assert [label for label, _ in fast.place.options] == ["Not grouped", "Honesty", "Speed"]
    fast.place.value = speed
    assert fast in panel.boxes[speed].cards.children
    fast.place.value = honesty
    assert fast in panel.boxes[honesty].cards.children and fast not in panel.boxes[speed].cards.children
    fast.place.value = 0
    assert fast in panel.unassigned.children
    assert [c.text for _, cs in grouping.board(store, code, key).values for c in cs] == []


def test_rename_describe_merge_delete_and_undo(store, grouping_app):
    app, code, key = grouping_app
    panel = app.panel
    truth = grouping.create_value(store, code, key, "Truth", card_ids=[row_of(panel, "Tell the truth").card_id])
    fees = grouping.create_value(store, code, key, "Fair prices", card_ids=[row_of(panel, "No hidden fees").card_id])
    app.live.check_now()

    box = panel.boxes[truth]
    box.edit.click()
    assert visible(box.editor) and box.name_input.value == "Truth"
    box.name_input.value = "Honesty"
    box.description_input.value = "What we say is true."
    box.save.click()
    assert not visible(box.editor)
    assert "Honesty" in box.head.value and "What we say is true." in box.head.value

    fees_box = panel.boxes[fees]
    fees_box.merge_choice.value = truth
    fees_box.merge.click()
    assert fees not in panel.boxes and "Merged" in panel.feedback.value
    assert "2 cards" in panel.boxes[truth].head.value

    panel.undo.click()
    assert fees in panel.boxes and "1 card" in panel.boxes[fees].head.value
    assert "Undone: merging two values" in panel.feedback.value

    panel.boxes[fees].remove.click()
    assert fees not in panel.boxes
    assert row_of(panel, "No hidden fees") in panel.unassigned.children
    panel.undo.click()
    assert fees in panel.boxes and row_of(panel, "No hidden fees") in panel.boxes[fees].cards.children


def test_accepted_suggestions_appear_on_the_board_and_undo_as_one_step(store, grouping_app):
    app, code, key = grouping_app
    panel = app.panel
    assert visible(panel.suggesting)
    panel.suggestions.suggest_button.click()
    assert grouping.board(store, code, key).values == []  # suggesting moves nothing
    panel.suggestions.accept_all_button.click()
    board = grouping.board(store, code, key)
    assert board.values and set(panel.boxes) == {v.id for v, _ in board.values}
    assert f"({len(board.unassigned)})" in panel.unassigned_head.value
    panel.undo.click()
    assert grouping.board(store, code, key).values == [] and panel.boxes == {}
    assert "(4)" in panel.unassigned_head.value


def test_a_duplicate_value_name_is_refused_with_a_message(store, grouping_app):
    app, code, key = grouping_app
    grouping.create_value(store, code, key, "Honesty")
    app.live.check_now()
    app.panel.new_name.value = "honesty"
    app.panel.create.click()
    assert "already a value" in app.panel.feedback.value
    assert len(grouping.values(store, code)) == 1


def test_after_the_vote_starts_cards_cannot_be_regrouped_but_names_can_be_polished(store, grouping_app):
    app, code, key = grouping_app
    value = grouping.create_value(store, code, key, "Honesty", card_ids=[row_of(app.panel, "Tell the truth").card_id])
    workshops.advance(store, code, key)
    app.live.check_now()
    panel = app.panel
    assert "can no longer be regrouped" in panel.phase_note.value
    assert not visible(panel.creator)
    assert all(r.place.disabled for r in panel.rows.values())
    box = panel.boxes[value]
    assert box.remove.disabled and box.merge.disabled and not box.edit.disabled
    box.edit.click()
    box.name_input.value = "Honesty first"
    box.save.click()
    assert grouping.values(store, code)[0].name == "Honesty first"


def test_values_board_updates_in_place_without_rebuilding(store, grouping_app):
    app, code, key = grouping_app
    panel = app.panel
    rows_before = dict(panel.rows)
    row_of(panel, "Fast replies").pick.value = True
    grouping.create_value(store, code, key, "Quality")
    app.live.check_now()
    assert panel.rows == rows_before  # same widgets, so a ticked box stays ticked
    assert row_of(panel, "Fast replies").pick.value


# ---- participant app fix ------------------------------------------------------------------

def test_participant_join_form_shows_the_title_once(store, workshop):
    code, _ = workshop
    app = ParticipantApp(store, code)
    assert texts(app).count(TITLE) == 1
