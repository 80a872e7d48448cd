"""The values benchmark: profile questions per chosen value, exemplars' answers, the benchmark sheet."""

from __future__ import annotations

import csv
import io

import pytest

from tests.domain_helpers import refused
from tests.followup_helpers import finished_workshop
from workshop.core import phases, settings
from workshop.core.errors import InvalidInput, NotAuthorized, NotFound
from workshop.domain import audiences, workshops
from workshop.domain.followup import hiring
from workshop.outputs import csvfile


@pytest.fixture
def finished(store):
    return finished_workshop(store, values=("Honesty", "Curiosity"))


def test_suggested_questions_fit_the_value_and_are_added_once(store, finished):
    honesty, curiosity = finished.value_ids
    added = hiring.add_suggested_questions(store, finished.code, finished.key, honesty)
    assert len(added) == len(hiring.SUGGESTED["honesty"])
    assert hiring.add_suggested_questions(store, finished.code, finished.key, honesty) == []
    hiring.add_suggested_questions(store, finished.code, finished.key, curiosity)  # not a common value
    asked = {v.name: [q.text for q in v.questions] for v in hiring.questions(store, finished.code)}
    assert asked["Honesty"][0].startswith("Tell us about a time you had to give a customer news")
    assert asked["Curiosity"] == ["Tell us about a moment at work when you lived “Curiosity”. What did you do?",
                                  "What does “Curiosity” ask of you on a difficult day?"]


def test_questions_can_be_added_edited_and_removed(store, finished):
    code, key = finished.code, finished.key
    honesty = finished.value_ids[0]
    q1 = hiring.add_question(store, code, key, honesty, "When did you last say “I was wrong”?")
    q2 = hiring.add_question(store, code, key, honesty, "What would you never promise a customer?")
    hiring.edit_question(store, code, key, q1, "When did you last tell a customer “I was wrong”?")
    hiring.remove_question(store, code, key, q2)
    (honesty_questions, _) = hiring.questions(store, code)
    assert [q.text for q in honesty_questions.questions] == ["When did you last tell a customer “I was wrong”?"]


def test_exemplar_answers_form_the_benchmark_sheet(store, finished):
    code, key = finished.code, finished.key
    q = hiring.add_question(store, code, key, finished.value_ids[0], "What would you never promise?")
    jonas = hiring.join(store, code, "Jonas", "support", secret=audiences.secret(store, code, key, "exemplar")).token
    aylin = hiring.join(store, code, "Aylin", secret=audiences.secret(store, code, key, "exemplar")).token
    hiring.answer(store, code, jonas, q, "A fix date I cannot control.")
    hiring.answer(store, code, aylin, q, "That it will never happen again.")
    hiring.answer(store, code, aylin, q, "That it can never happen again.")  # changed her mind
    assert hiring.my_answers(store, code, aylin) == {q: "That it can never happen again."}

    sheet = hiring.benchmark(store, code, key)
    assert sheet.exemplars == 2
    honesty = sheet.values[0]
    assert [(a.name, a.team, a.answer) for a in honesty.questions[0].answers] == [
        ("Jonas", "support", "A fix date I cannot control."), ("Aylin", "", "That it can never happen again.")]
    rows = list(csv.DictReader(io.StringIO(csvfile.benchmark_csv(store, code, key))))
    assert rows[0] == {"value": "Honesty", "question": "What would you never promise?", "exemplar": "Jonas",
                       "team": "support", "answer": "A fix date I cannot control."}

    hiring.answer(store, code, jonas, q, "   ")  # an empty answer takes it back
    assert [a.name for a in hiring.benchmark(store, code, key).values[0].questions[0].answers] == ["Aylin"]


def test_refusals_change_nothing(store, finished):
    code, key = finished.code, finished.key
    honesty = finished.value_ids[0]
    q = hiring.add_question(store, code, key, honesty, "What would you never promise?")
    exemplar = hiring.join(store, code, "Jonas", secret=audiences.secret(store, code, key, "exemplar")).token
    with refused(store, NotAuthorized):
        hiring.add_question(store, code, "wrong-key", honesty, "Anything?")
    with refused(store, InvalidInput, match="already has that question"):
        hiring.add_question(store, code, key, honesty, "what would you never promise?")
    with refused(store, InvalidInput, match="empty"):
        hiring.add_question(store, code, key, honesty, "  ")
    with refused(store, NotFound):
        hiring.add_question(store, code, key, 999999, "Anything?")
    with refused(store, NotAuthorized, match="not for this part"):
        hiring.answer(store, code, finished.members[0], q, "I am in the room, not an exemplar.")
    with refused(store, InvalidInput, match="limit"):
        hiring.answer(store, code, exemplar, q, "x" * (settings.MAX_ANSWER + 1))
    with refused(store, InvalidInput, match="pick a team"):
        hiring.join(store, code, "Mallory", "pirates", secret=audiences.secret(store, code, key, "exemplar"))
    for i in range(settings.MAX_QUESTIONS_PER_VALUE - 1):
        hiring.add_question(store, code, key, honesty, f"Question {i}?")
    with refused(store, InvalidInput, match="questions per value"):
        hiring.add_question(store, code, key, honesty, "One too many?")
    hiring.remove_question(store, code, key, q)
    with refused(store, NotFound):
        hiring.answer(store, code, exemplar, q, "Too late.")


def test_another_workshops_value_cannot_get_questions(store):
    f = finished_workshop(store, values=("Honesty", "Speed"), upto=phases.DRAFTING)
    other = workshops.create_workshop(store, "Other")
    with refused(store, NotFound):
        hiring.add_question(store, other.code, other.key, f.value_ids[0], "Borrowed?")
