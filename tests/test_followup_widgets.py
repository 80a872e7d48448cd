"""The follow-up apps and panels, built in-process on SQLite and used as stakeholders, employees and facilitators would."""

from __future__ import annotations

import pytest

from tests.followup_helpers import VISION, finished_workshop
from tests.test_facilitator_widgets import texts
from workshop.domain import audiences
from workshop.domain.followup import hiring, stakeholders, survey, teams
from workshop.pages.followup import app_class, build
from workshop.widgets.facilitator.app import FacilitatorApp

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def finished(store):
    return finished_workshop(store)


def join_form(app, name, team=None):
    form = app.body.children[0]
    form.name.value = name
    if team is not None:
        form.team.value = team
    form._join()
    return app.view


def open_page(store, f, kind, **params):
    """The follow-up page ``kind`` as its audience's link opens it (``?s=`` the audience's secret)."""
    app = app_class(kind)
    page = build(kind, {audiences.PARAM: audiences.secret(store, f.code, f.key, app.role), **params}, store=store)
    assert isinstance(page, app), "the audience's own link opens its page"
    return page


def panel(store, f, stage):
    return FacilitatorApp(store, f.code, f.key, stage, start_live=False).panel


def test_stakeholder_reacts_and_the_facilitator_sees_it_escaped(store, finished):
    app = open_page(store, finished, "stakeholder")
    view = join_form(app, "Sofia <Board>")
    assert f"“{VISION}”" in view.vision.value and "Honesty" in view.values.value
    view.choice.value = stakeholders.NO
    view.comment.value = "<script>alert(1)</script> too vague"
    view._submit()
    assert "saved" in view.feedback.value

    gut = panel(store, finished, "gutcheck")
    assert "<script>" not in gut.comments.value and "&lt;script&gt;" in gut.comments.value
    assert "Sofia &lt;Board&gt;" in gut.comments.value
    assert "1 of 1 stakeholder reacted" in gut.tally.value
    gut._reopen()
    assert "paused" in gut.state.value
    view.refresh(app.status)
    assert "reworking" in view.state.value and view.form.layout.display == "none"


def test_a_member_link_does_not_open_the_survey_and_an_employee_comes_back_to_their_answers(store, finished):
    app = open_page(store, finished, "survey", p=finished.members[0])
    assert app.visitor is None  # a workshop member's token is not an employee's
    view = join_form(app, "Ana", "sales")
    first = view.questions[0]
    first.clarity.value, first.meaning.value = 2, "Never hide fees."
    first._save()
    assert "1 of 3 values answered" in view.progress.value
    again = open_page(store, finished, "survey", p=app.visitor.token)
    assert again.view.questions[0].clarity.value == 2 and again.view.questions[0].meaning.value == "Never hide fees."


def test_unsaved_clarity_is_asked_for(store, finished):
    view = join_form(open_page(store, finished, "survey"), "Ben", "support")
    view.questions[1]._save()
    assert "from 1 to 5" in view.questions[1].feedback.value
    assert survey.my_answers(store, finished.code, view.app.visitor.token) == {}


def test_survey_panel_flags_a_value_read_in_different_ways(store, finished):
    honesty = finished.value_ids[0]
    for i in range(survey.MIN_SEGMENT):  # issue 12: smaller teams are never shown apart
        survey.answer(store, finished.code, survey.join(store, finished.code, f"S{i}", "support", secret=audiences.secret(store, finished.code, finished.key, "employee")).token, honesty, 5)
        survey.answer(store, finished.code, survey.join(store, finished.code, f"P{i}", "sales", secret=audiences.secret(store, finished.code, finished.key, "employee")).token, honesty, 1,
                      "<i>no idea</i>")
    p = panel(store, finished, "survey")
    assert "Read in very different ways: Honesty." in p.summary.value
    assert "ws-divergent" in p.values.value and "Teams read it very differently." in p.values.value
    p.meaning_team.value = "sales"
    assert "&lt;i&gt;no idea&lt;/i&gt;" in p.meanings.value and "<i>" not in p.meanings.value


def test_hiring_panel_adds_questions_and_shows_the_exemplar_answers(store, finished):
    p = panel(store, finished, "hiring")
    assert p.value.value == finished.value_ids[0]
    p._suggest()
    assert len(p.questions.children) == len(hiring.SUGGESTED["honesty"])
    p.new.value = "What would you never promise a customer?"
    p._add()
    app = open_page(store, finished, "exemplar")
    view = join_form(app, "Jonas", "support")
    row = view._rows[hiring.questions(store, finished.code)[0].questions[-1].id]
    row.answer.value = "A fix date I cannot control."
    row._save()
    p.refresh(p.status)
    assert "A fix date I cannot control." in p.sheet.value and "Jonas</b> · Support" in p.sheet.value
    p._csv()
    assert 'download="benchmark-' in p.download.value


def test_teams_panel_saves_a_teams_practice(store, finished):
    p = panel(store, finished, "teams")
    assert p.value.value == finished.value_ids[0]
    sales = next(r for r in p.rows.children if r.team == "sales")
    sales.actions.value, sales.metrics.value = "Quote the full price.", "Bill complaints"
    sales._save()
    assert teams.practices(store, finished.code)[(finished.value_ids[0], "sales")].key_actions == "Quote the full price."
    p.refresh(p.status)
    assert "Sales" in texts(p.summary)


def test_publish_panel_offers_the_philosophy_documents(store, finished):
    p = panel(store, finished, "publish")
    docs = p.downloads.children[-1]
    docs._prepare()
    assert docs.links.value.count("download=") == 3 and ".docx" in docs.links.value
