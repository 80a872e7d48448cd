"""The employee interpretation survey: answers per value, clarity per team, values read in different ways."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.domain_helpers import refused
from tests.followup_helpers import finished_workshop
from workshop.core import phases
from workshop.core.errors import InvalidInput, NotAuthorized, NotFound, WrongPhase
from workshop.domain import audiences
from workshop.domain.followup import survey, teams
from workshop.outputs import csvfile


@pytest.fixture
def finished(store):
    return finished_workshop(store)


def test_a_hundred_employees_answer_at_once_and_every_answer_counts(store, finished):
    code, key = finished.code, finished.key
    team_of = [teams.TEAMS[i % len(teams.TEAMS)] for i in range(100)]

    def employee(i: int) -> None:
        token = survey.join(store, code, f"Employee {i}", team_of[i], secret=audiences.secret(store, code, key, "employee")).token
        for n, value_id in enumerate(finished.value_ids):
            survey.answer(store, code, token, value_id, 1 + (i + n) % 5, f"Meaning {i}")

    # Six at a time: one store's connection pool holds six (each Voila kernel has its own store).
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(employee, range(100)))

    results = survey.results(store, code, key)
    assert results.respondents == 100
    assert sum(results.teams.values()) == 100 and results.teams["support"] == 13
    for v in results.values:
        assert v.clarity.count == 100
        assert sum(v.distribution.values()) == 100 and set(v.distribution.values()) == {20}
        assert v.clarity.mean == pytest.approx(3.0)
        assert len(v.meanings) == 100
    assert len(survey.answer_rows(store, code, key)) == 300
    assert survey.respondents(store, code, key) == 100


def test_answers_can_be_changed_and_are_listed_per_team_without_names(store, finished):
    code, key = finished.code, finished.key
    honesty = finished.value_ids[0]
    ana = survey.join(store, code, "Ana", "sales", secret=audiences.secret(store, code, key, "employee")).token
    survey.answer(store, code, ana, honesty, 2, "Never hide fees.")
    survey.answer(store, code, ana, honesty, 4, "Quote the full price.")
    assert survey.my_answers(store, code, ana) == {honesty: survey.MyAnswer("Quote the full price.", 4)}
    survey.set_team(store, code, ana, "marketing")
    v = survey.results(store, code, key).values[0]
    # Issue 12: one answer is a team of fewer than five, so its team is hidden in the view and the CSV.
    assert v.clarity.mean == 4 and list(v.by_team) == []
    assert v.meanings == [survey.Meaning("", 4, "Quote the full price.")]
    rows = list(csv.DictReader(io.StringIO(csvfile.survey_csv(store, code, key))))
    assert rows == [{"value": "Honesty", "respondent": rows[0]["respondent"], "team": "",
                     "clarity": "4", "meaning": "Quote the full price."}]
    assert "Ana" not in csvfile.survey_csv(store, code, key)


def test_values_read_in_very_different_ways_are_flagged(store, finished):
    code, key = finished.code, finished.key
    honesty, quality, speed = finished.value_ids
    for i in range(survey.MIN_SEGMENT):  # issue 12: teams of fewer than five are never shown apart
        s = survey.join(store, code, f"Support {i}", "support", secret=audiences.secret(store, code, key, "employee")).token
        p = survey.join(store, code, f"Sales {i}", "sales", secret=audiences.secret(store, code, key, "employee")).token
        survey.answer(store, code, s, honesty, 5)
        survey.answer(store, code, p, honesty, 1)   # support and sales read Honesty apart
        survey.answer(store, code, s, quality, 4)
        survey.answer(store, code, p, quality, 5)   # everyone finds Quality clear
        survey.answer(store, code, s, speed, 2)
        survey.answer(store, code, p, speed, 2)     # Speed is unclear to all
    by_name = {v.name: v for v in survey.results(store, code, key).values}
    assert by_name["Honesty"].reasons == ("spread", "teams")  # mean 3.0: not unclear on average
    assert by_name["Honesty"].by_team["support"].mean == 5 and by_name["Honesty"].by_team["sales"].mean == 1
    assert by_name["Quality"].reasons == ()
    assert by_name["Speed"].reasons == ("unclear",)
    assert [v.name for v in survey.results(store, code, key).divergent] == ["Honesty", "Speed"]


def test_refusals_change_nothing(store, finished):
    code = finished.code
    honesty = finished.value_ids[0]
    token = survey.join(store, code, "Ana", "support", secret=audiences.secret(store, code, finished.key, "employee")).token
    with refused(store, InvalidInput, match="pick a team"):
        survey.join(store, code, "Ben", "pirates", secret=audiences.secret(store, code, finished.key, "employee"))
    with refused(store, InvalidInput, match="between 1 and 5"):
        survey.answer(store, code, token, honesty, 6, "Very clear!")
    with refused(store, InvalidInput, match="whole number"):
        survey.answer(store, code, token, honesty, "clear")
    with refused(store, NotFound):
        survey.answer(store, code, token, 999999, 3)
    with refused(store, NotAuthorized, match="not for this part"):
        survey.answer(store, code, finished.members[0], honesty, 3)
    with refused(store, NotAuthorized):
        survey.results(store, code, "wrong-key")
    with refused(store, InvalidInput, match="pick a team"):
        survey.set_team(store, code, token, "")


def test_survey_opens_once_the_values_are_actionable(store):
    f = finished_workshop(store, upto=phases.RATING)
    token = survey.join(store, f.code, "Ana", "support", secret=audiences.secret(store, f.code, f.key, "employee")).token
    with refused(store, WrongPhase, match="made actionable"):
        survey.answer(store, f.code, token, f.value_ids[0], 3)


def test_the_demo_follow_up_shows_autonomy_read_apart_by_support_and_sales(sqlite_url):
    from workshop.demo import followup as demo_followup
    from workshop.demo import seed as demo
    from workshop.store import Store

    store = Store(sqlite_url)
    code, key = demo.seed(store, phases.PUBLISHED)
    demo_followup.seed_followup(store, code, key)
    results = survey.results(store, code, key)
    assert results.respondents == len(demo_followup.SURVEY_TEAMS)
    assert [v.name for v in results.divergent] == ["Autonomy"]
    autonomy = results.divergent[0]
    assert autonomy.by_team["support"].mean > 4 > 2.5 > autonomy.by_team["sales"].mean
