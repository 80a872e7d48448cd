"""Step 7, the values benchmark: profile questions per chosen value, answered by the people who embody it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from workshop.core import settings
from workshop.core.errors import N_, InvalidInput, NotFound
from workshop.core.text import clean
from workshop.domain import workshops
from workshop.domain.access import FACILITATOR, actor_of, as_facilitator, as_participant, shown_name
from workshop.domain.followup.teams import check_team, chosen_value
from workshop.i18n import translator
from workshop.store import Store, Tx, action, query
from workshop.store.schema import BenchmarkAnswer, CoreValue, Participant, ProfileQuestion, Workshop, utcnow

ROLE = "exemplar"

#: Questions worth asking for the values teams choose most often (step 2 of the method).
SUGGESTED = {
    "honesty": [
        N_("Tell us about a time you had to give a customer news they did not want to hear. What did you say?"),
        N_("When did you last admit a mistake to a customer, and what happened next?"),
    ],
    "integrity": [
        N_("Describe a promise to a customer that was hard to keep. How did you keep it?"),
        N_("What would you do if a colleague's shortcut made a customer's life harder?"),
    ],
    "respect": [
        N_("Think of the most difficult customer you helped. How did you keep the conversation respectful?"),
        N_("How do you make someone feel taken seriously when their question seems simple to you?"),
    ],
    "autonomy": [
        N_("Which help article, guide or tool have you written or improved so customers could help themselves?"),
        N_("How do you decide when to teach a customer to do it and when to do it for them?"),
    ],
    "quality": [
        N_("Tell us about a problem you solved so it would not come back. How did you make sure?"),
        N_("What do you check before you tell a customer their issue is solved?"),
    ],
    "listening": [
        N_("Describe a time when the customer's real problem was not the one they first described."),
        N_("How do you show a customer that you have understood them before you answer?"),
    ],
    "communicating": [
        N_("Explain something technical you work with as you would to a customer who has never heard of it."),
        N_("How do you keep a customer informed while a problem is still open?"),
    ],
    "personalization": [
        N_("How did you once adapt your help to what one particular customer needed?"),
        N_("What do you like to know about a customer before you reply?"),
    ],
    "speed": [
        N_("Tell us about a time you had to be fast without being careless. What did you leave out?"),
        N_("How do you decide which request to answer first when everything is urgent?"),
    ],
    "loyalty": [
        N_("Tell us about a customer who almost left and stayed. What made the difference?"),
        N_("What do you do for a customer who has been with us for years?"),
    ],
    "accountability": [
        N_("Describe a problem you owned from the first message to the end, even when it was not your fault."),
        N_("What do you do when you cannot solve something yourself?"),
    ],
    "sincerity": [
        N_("When did you tell a customer “I don't know yet”, and what did you do next?"),
        N_("How do you apologise so that it does not sound like a script?"),
    ],
    "empathy": [
        N_("Tell us about a customer whose situation moved you. What did you do differently because of it?"),
        N_("How do you notice that a customer is stressed when they do not say so?"),
    ],
    "happiness": [
        N_("On a scale of 1 to 10, how lucky are you? Tell us why."),
        N_("What part of helping customers makes your day?"),
    ],
}

#: For a value without its own suggestions; ``{value}`` is the value's name.
GENERIC = [
    N_("Tell us about a moment at work when you lived “{value}”. What did you do?"),
    N_("What does “{value}” ask of you on a difficult day?"),
]


@dataclass(frozen=True)
class Question:
    id: int
    value_id: int
    text: str


@dataclass(frozen=True)
class ValueQuestions:
    value_id: int
    name: str
    questions: list[Question] = field(default_factory=list)


@dataclass(frozen=True)
class BenchmarkEntry:
    name: str
    team: str
    answer: str


@dataclass(frozen=True)
class BenchmarkQuestion:
    id: int
    text: str
    answers: list[BenchmarkEntry] = field(default_factory=list)


@dataclass(frozen=True)
class BenchmarkValue:
    value_id: int
    name: str
    questions: list[BenchmarkQuestion] = field(default_factory=list)


@dataclass(frozen=True)
class Benchmark:
    exemplars: int
    values: list[BenchmarkValue]


def suggestions(value_name: str) -> list[str]:
    """Message ids of the suggested questions for a value (generic ones contain ``{value}``)."""
    return list(SUGGESTED.get(value_name.strip().lower(), GENERIC))


def _question(tx: Tx, ws: Workshop, question_id: int) -> ProfileQuestion:
    q = tx.session.get(ProfileQuestion, question_id) if isinstance(question_id, int) else None
    value = tx.session.get(CoreValue, q.value_id) if q is not None else None
    if q is None or q.removed or value is None or value.workshop_id != ws.id or value.removed or not value.chosen:
        raise NotFound(N_("That question no longer exists."))
    return q


def _active_questions(tx: Tx, value_id: int) -> list[ProfileQuestion]:
    return list(tx.session.execute(select(ProfileQuestion).where(
        ProfileQuestion.value_id == value_id, ProfileQuestion.removed.is_(False))
        .order_by(ProfileQuestion.position, ProfileQuestion.id)).scalars())


def _add(tx: Tx, value: CoreValue, text: str) -> ProfileQuestion:
    existing = _active_questions(tx, value.id)
    if len(existing) >= settings.MAX_QUESTIONS_PER_VALUE:
        raise InvalidInput(N_("Keep it to {limit} questions per value."), limit=settings.MAX_QUESTIONS_PER_VALUE)
    if text.lower() in {q.text.lower() for q in existing}:
        raise InvalidInput(N_("This value already has that question."))
    position = (tx.session.execute(select(func.max(ProfileQuestion.position)).where(
        ProfileQuestion.value_id == value.id)).scalar() or 0) + 1
    q = ProfileQuestion(value_id=value.id, text=text, position=position)
    tx.session.add(q)
    tx.session.flush()
    return q


@action
def add_question(tx: Tx, code: str, key: str, value_id: int, text: str) -> int:
    ws = as_facilitator(tx, code, key)
    value = chosen_value(tx, ws, value_id)
    text = clean(text, what=N_("question"), limit=settings.MAX_QUESTION, multiline=True)
    q = _add(tx, value, text)
    tx.log(ws, FACILITATOR, "profile_question_added", question=q.id, value=value.id, text=text)
    return q.id


@action
def add_suggested_questions(tx: Tx, code: str, key: str, value_id: int) -> list[int]:
    """Add the suggested questions the value does not have yet, in the workshop's language."""
    ws = as_facilitator(tx, code, key)
    value = chosen_value(tx, ws, value_id)
    t = translator(ws.language)
    have = {q.text.lower() for q in _active_questions(tx, value.id)}
    added = []
    for message in suggestions(value.name):
        text = t(message).format(value=value.name)
        if text.lower() in have:
            continue
        if len(have) >= settings.MAX_QUESTIONS_PER_VALUE:
            break
        added.append(_add(tx, value, text).id)
        have.add(text.lower())
    tx.log(ws, FACILITATOR, "profile_questions_suggested", value=value.id, questions=added)
    return added


@action
def edit_question(tx: Tx, code: str, key: str, question_id: int, text: str) -> None:
    """Reword a question; answers already given stay with it."""
    ws = as_facilitator(tx, code, key)
    q = _question(tx, ws, question_id)
    text = clean(text, what=N_("question"), limit=settings.MAX_QUESTION, multiline=True)
    if text.lower() != q.text.lower() and text.lower() in {
            o.text.lower() for o in _active_questions(tx, q.value_id) if o.id != q.id}:
        raise InvalidInput(N_("This value already has that question."))
    q.text = text
    tx.log(ws, FACILITATOR, "profile_question_edited", question=q.id, text=text)


@action
def remove_question(tx: Tx, code: str, key: str, question_id: int) -> None:
    """Take a question off the benchmark; its answers are kept in the record, not shown."""
    ws = as_facilitator(tx, code, key)
    q = _question(tx, ws, question_id)
    q.removed = True
    tx.log(ws, FACILITATOR, "profile_question_removed", question=q.id)


@query
def questions(tx: Tx, code: str) -> list[ValueQuestions]:
    """The chosen values with their current profile questions (exemplars see these)."""
    ws = tx.workshop(code)
    values = list(tx.session.execute(select(CoreValue).where(
        CoreValue.workshop_id == ws.id, CoreValue.chosen.is_(True), CoreValue.removed.is_(False))
        .order_by(CoreValue.position, CoreValue.id)).scalars())
    return [ValueQuestions(v.id, v.name, [Question(q.id, v.id, q.text) for q in _active_questions(tx, v.id)])
            for v in values]


def join(store: Store, code: str, name: str | None = None, team: str = "", *, secret: str,
         request_id: str | None = None) -> workshops.Joined:
    """Join as an exemplary team member (the team is optional); ``secret`` is the benchmark link's own."""
    team = check_team(team) if team else ""
    return workshops.join(store, code, name=name, role=ROLE, team=team, audience=secret, request_id=request_id)


@action
def answer(tx: Tx, code: str, token: str, question_id: int, text: str) -> str:
    """Answer a profile question; answering again replaces it, an empty answer takes it back."""
    ws, me = as_participant(tx, code, token, roles=(ROLE,))
    q = _question(tx, ws, question_id)
    text = clean(text, what=N_("answer"), limit=settings.MAX_ANSWER, multiline=True, required=False)
    row = tx.session.execute(select(BenchmarkAnswer).where(
        BenchmarkAnswer.question_id == q.id, BenchmarkAnswer.participant_id == me.id)).scalar_one_or_none()
    tx.log(ws, actor_of(me), "benchmark_answered", question=q.id, answer=text)
    if not text:
        if row is not None:
            tx.session.delete(row)
        return ""
    if row is None:
        row = BenchmarkAnswer(question_id=q.id, participant_id=me.id)
        tx.session.add(row)
    row.answer, row.updated_at = text, utcnow()
    return text


@query
def my_answers(tx: Tx, code: str, token: str) -> dict[int, str]:
    ws, me = as_participant(tx, code, token, roles=(ROLE,))
    return dict(tx.session.execute(select(BenchmarkAnswer.question_id, BenchmarkAnswer.answer).where(
        BenchmarkAnswer.participant_id == me.id)).all())


def _benchmark(tx: Tx, ws: Workshop) -> Benchmark:
    by_question: dict[int, list[BenchmarkEntry]] = {}
    rows = tx.session.execute(
        select(BenchmarkAnswer, Participant)
        .join(Participant, Participant.id == BenchmarkAnswer.participant_id)
        .where(Participant.workshop_id == ws.id)
        .order_by(Participant.number)
    ).all()
    for a, p in rows:
        by_question.setdefault(a.question_id, []).append(BenchmarkEntry(shown_name(ws, p), p.team, a.answer))
    values = tx.session.execute(select(CoreValue).where(
        CoreValue.workshop_id == ws.id, CoreValue.chosen.is_(True), CoreValue.removed.is_(False))
        .order_by(CoreValue.position, CoreValue.id)).scalars()
    exemplars = tx.session.execute(select(func.count()).select_from(Participant).where(
        Participant.workshop_id == ws.id, Participant.role == ROLE)).scalar()
    return Benchmark(exemplars, [
        BenchmarkValue(v.id, v.name, [BenchmarkQuestion(q.id, q.text, by_question.get(q.id, []))
                                      for q in _active_questions(tx, v.id)])
        for v in values])


@query
def benchmark(tx: Tx, code: str, key: str) -> Benchmark:
    """The benchmark sheet for interviewers: every question with the exemplars' answers."""
    return _benchmark(tx, as_facilitator(tx, code, key))


CSV_COLUMNS = ["value", "question", "exemplar", "team", "answer"]


def benchmark_rows(store: Store, code: str, key: str) -> list[list[str]]:
    """The benchmark sheet as rows of ``CSV_COLUMNS``, one per answer (a question without answers gets one
    empty row); ``workshop.outputs.csvfile.benchmark_csv`` writes them."""
    sheet = benchmark(store, code, key)
    rows = []
    for v in sheet.values:
        for q in v.questions:
            for a in q.answers or [BenchmarkEntry("", "", "")]:
                rows.append([v.name, q.text, a.name, a.team, a.answer])
    return rows
