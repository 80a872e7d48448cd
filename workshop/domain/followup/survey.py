"""Step 8, the interpretation survey: what each chosen value means to each employee, and how clear it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from workshop.core import phases, settings
from workshop.core.errors import N_, WrongPhase
from workshop.core.text import clean, whole_number
from workshop.domain import workshops
from workshop.domain.access import actor_of, as_facilitator, as_participant, shown_name
from workshop.domain.followup.teams import TEAMS, check_team, chosen_value
from workshop.domain.followup.teams import TITLES as TEAM_TITLES
from workshop.domain.vision import CriterionStats, stats
from workshop.store import Store, Tx, action, query
from workshop.store.schema import CoreValue, Participant, SurveyAnswer, Workshop, utcnow

ROLE = "employee"

LOWEST, HIGHEST = 1, 5

#: The survey runs once the values are final.
OPEN_PHASES = (phases.ACTIONS, phases.PUBLISHED)

# A value is "read in very different ways" when, with enough answers, people
# disagree on how clear it is (standard deviation on the 1-5 scale), find it
# unclear on average, or whole teams land far apart.
MIN_ANSWERS = 3
SPREAD_LIMIT = 1.2
LOW_MEAN = 3.0
TEAM_GAP = 1.5

#: A team with fewer answers than this is never shown on its own, in any view or export: its answers
#: are merged into "other teams", and when those together are still fewer, their team is hidden.
MIN_SEGMENT = 5
MERGED = "other teams"
TITLES = {MERGED: N_("Other teams")}

#: Why a value is flagged, as translatable reasons.
REASONS = {
    "spread": N_("People disagree on how clear it is."),
    "unclear": N_("On average people find it unclear."),
    "teams": N_("Teams read it very differently."),
}


@dataclass(frozen=True)
class Me:
    number: int
    name: str
    team: str


@dataclass(frozen=True)
class MyAnswer:
    meaning: str
    clarity: int


@dataclass(frozen=True)
class Meaning:
    team: str
    clarity: int
    meaning: str


@dataclass(frozen=True)
class ValueResult:
    value_id: int
    name: str
    clarity: CriterionStats
    #: Clarity score -> how many gave it.
    distribution: dict[int, int]
    #: Team -> clarity stats of that team's answers.
    by_team: dict[str, CriterionStats]
    meanings: list[Meaning] = field(default_factory=list)
    #: Keys of REASONS; empty when the value reads the same to everyone.
    reasons: tuple[str, ...] = ()

    @property
    def divergent(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class Results:
    respondents: int
    #: Team (or MERGED) -> employees who answered at least one value; only segments of MIN_SEGMENT or more.
    teams: dict[str, int]
    values: list[ValueResult]
    #: Teams too small to be shown on their own (merged into MERGED, or hidden).
    merged: tuple[str, ...] = ()
    #: Respondents whose team is hidden altogether (the merged teams are still too few).
    hidden: int = 0

    @property
    def divergent(self) -> list[ValueResult]:
        return [v for v in self.values if v.divergent]


def _require_open(ws: Workshop) -> None:
    if ws.phase not in OPEN_PHASES:
        raise WrongPhase(N_("The survey opens once the values have been made actionable."))


def join(store: Store, code: str, name: str | None = None, team: str = "", *, secret: str,
         request_id: str | None = None) -> workshops.Joined:
    """Join the survey as an employee of one of the teams; ``secret`` is the survey link's own."""
    return workshops.join(store, code, name=name, role=ROLE, team=check_team(team), audience=secret,
                          request_id=request_id)


@action
def set_team(tx: Tx, code: str, token: str, team: str) -> str:
    ws, me = as_participant(tx, code, token, roles=(ROLE,))
    me.team = check_team(team)
    tx.log(ws, actor_of(me), "survey_team_set", team=me.team)
    return me.team


@query
def whoami(tx: Tx, code: str, token: str) -> Me:
    ws, me = as_participant(tx, code, token, roles=(ROLE,))
    return Me(me.number, shown_name(ws, me), me.team)


@action
def answer(tx: Tx, code: str, token: str, value_id: int, clarity: int, meaning: str = "") -> MyAnswer:
    """Say how clear a value is (1-5) and what it means for one's daily work; answering again replaces it."""
    ws, me = as_participant(tx, code, token, roles=(ROLE,))
    _require_open(ws)
    value = chosen_value(tx, ws, value_id)
    clarity = whole_number(clarity, what=N_("clarity score"), low=LOWEST, high=HIGHEST)
    meaning = clean(meaning, what=N_("answer"), limit=settings.MAX_COMMENT, multiline=True, required=False)
    row = tx.session.execute(select(SurveyAnswer).where(
        SurveyAnswer.participant_id == me.id, SurveyAnswer.value_id == value.id)).scalar_one_or_none()
    if row is None:
        row = SurveyAnswer(workshop_id=ws.id, participant_id=me.id, value_id=value.id)
        tx.session.add(row)
    row.clarity, row.meaning, row.updated_at = clarity, meaning, utcnow()
    tx.log(ws, actor_of(me), "survey_answered", value=value.id, clarity=clarity, meaning=meaning)
    return MyAnswer(meaning, clarity)


@query
def my_answers(tx: Tx, code: str, token: str) -> dict[int, MyAnswer]:
    ws, me = as_participant(tx, code, token, roles=(ROLE,))
    return {v: MyAnswer(m, c) for v, m, c in tx.session.execute(select(
        SurveyAnswer.value_id, SurveyAnswer.meaning, SurveyAnswer.clarity).where(
        SurveyAnswer.participant_id == me.id)).all()}


def _reasons(overall: CriterionStats, by_team: dict[str, CriterionStats]) -> tuple[str, ...]:
    if overall.count < MIN_ANSWERS:
        return ()
    reasons = []
    if overall.spread is not None and overall.spread >= SPREAD_LIMIT:
        reasons.append("spread")
    if overall.mean is not None and overall.mean < LOW_MEAN:
        reasons.append("unclear")
    team_means = [s.mean for s in by_team.values() if s.count >= MIN_ANSWERS and s.mean is not None]
    if len(team_means) >= 2 and max(team_means) - min(team_means) >= TEAM_GAP:
        reasons.append("teams")
    return tuple(reasons)


def segments(team_counts: dict[str, int]) -> dict[str, str]:
    """Team -> the segment it is shown as: itself, MERGED, or "" (hidden), from respondents per team."""
    small = [t for t, n in team_counts.items() if n < MIN_SEGMENT]
    merged = MERGED if sum(team_counts[t] for t in small) >= MIN_SEGMENT else ""
    return {t: (merged if t in small else t) for t in team_counts}


def _respondent_teams(tx: Tx, ws: Workshop) -> dict[int, str]:
    """Employee id -> team, for everyone who answered at least one value."""
    return dict(tx.session.execute(
        select(Participant.id, Participant.team).join(SurveyAnswer, SurveyAnswer.participant_id == Participant.id)
        .where(SurveyAnswer.workshop_id == ws.id).distinct()).all())


def team_segments(tx: Tx, ws: Workshop) -> dict[str, str]:
    """Team -> segment for this workshop's survey; a team nobody answered for counts as small."""
    counts = {t: 0 for t in TEAMS}
    for team in _respondent_teams(tx, ws).values():
        counts[team] = counts.get(team, 0) + 1
    return segments(counts)


def _results(tx: Tx, ws: Workshop) -> Results:
    values = list(tx.session.execute(select(CoreValue).where(
        CoreValue.workshop_id == ws.id, CoreValue.chosen.is_(True), CoreValue.removed.is_(False))
        .order_by(CoreValue.position, CoreValue.id)).scalars())
    rows = tx.session.execute(
        select(SurveyAnswer.value_id, SurveyAnswer.participant_id, SurveyAnswer.clarity, SurveyAnswer.meaning,
               Participant.team)
        .join(Participant, Participant.id == SurveyAnswer.participant_id)
        .where(SurveyAnswer.workshop_id == ws.id)
        # Meanings are listed by team, never by name or time: candour needs that.
        .order_by(SurveyAnswer.id)
    ).all()
    per_value: dict[int, list] = {}
    people: dict[int, str] = {}
    for value_id, pid, clarity, meaning, team in rows:
        people[pid] = team
    raw_counts: dict[str, int] = {}
    for team in people.values():
        raw_counts[team] = raw_counts.get(team, 0) + 1
    segment = segments(raw_counts)
    for value_id, pid, clarity, meaning, team in rows:
        per_value.setdefault(value_id, []).append((segment[team], clarity, meaning))
    results = []
    for v in values:
        answers = per_value.get(v.id, [])
        scores = [c for _, c, _ in answers]
        teams: dict[str, list[int]] = {}
        for team, clarity, _ in answers:
            if team:
                teams.setdefault(team, []).append(clarity)
        # A segment with too few answers to this value is not shown for it either.
        by_team = {team: stats(teams[team]) for team in sorted(teams, key=_team_order)
                   if len(teams[team]) >= MIN_SEGMENT}
        overall = stats(scores)
        results.append(ValueResult(
            v.id, v.name, overall, {s: scores.count(s) for s in range(LOWEST, HIGHEST + 1)}, by_team,
            sorted((Meaning(team, clarity, meaning) for team, clarity, meaning in answers if meaning),
                   key=lambda m: (_team_order(m.team), m.clarity, m.meaning)),
            _reasons(overall, by_team)))
    team_counts: dict[str, int] = {}
    for team in people.values():
        if segment[team]:
            team_counts[segment[team]] = team_counts.get(segment[team], 0) + 1
    merged = tuple(sorted((t for t, s in segment.items() if s != t), key=_team_order))
    hidden = sum(1 for team in people.values() if not segment[team])
    return Results(len(people), {t: team_counts[t] for t in sorted(team_counts, key=_team_order)}, results,
                   merged, hidden)


def _team_order(team: str) -> int:
    return TEAMS.index(team) if team in TEAMS else len(TEAMS)


def team_title(team: str) -> str:
    """The untranslated title of a team or segment (MERGED included); "" for a hidden one."""
    return TITLES.get(team) or TEAM_TITLES.get(team, team)


@query
def results(tx: Tx, code: str, key: str) -> Results:
    """Clarity per value and per team, the meanings people wrote, and the values read in different ways."""
    return _results(tx, as_facilitator(tx, code, key))


@query
def respondents(tx: Tx, code: str, key: str) -> int:
    """How many employees have joined the survey (answered or not)."""
    ws = as_facilitator(tx, code, key)
    return tx.session.execute(select(func.count()).select_from(Participant).where(
        Participant.workshop_id == ws.id, Participant.role == ROLE)).scalar()


CSV_COLUMNS = ["value", "respondent", "team", "clarity", "meaning"]


@query
def answer_rows(tx: Tx, code: str, key: str) -> list[dict]:
    """One row per answer, for CSV and pandas; respondents are numbers, never names.

    Teams with fewer than MIN_SEGMENT respondents read MERGED ("other teams"), or "" when
    even those are too few."""
    ws = as_facilitator(tx, code, key)
    segment = team_segments(tx, ws)
    rows = tx.session.execute(
        select(CoreValue.name, Participant.number, Participant.team, SurveyAnswer.clarity, SurveyAnswer.meaning)
        .join(CoreValue, CoreValue.id == SurveyAnswer.value_id)
        .join(Participant, Participant.id == SurveyAnswer.participant_id)
        .where(SurveyAnswer.workshop_id == ws.id, CoreValue.chosen.is_(True), CoreValue.removed.is_(False))
        .order_by(CoreValue.position, CoreValue.id, Participant.number)
    ).all()
    return [dict(zip(CSV_COLUMNS, (value, number, segment.get(team, ""), clarity, meaning)))
            for value, number, team, clarity, meaning in rows]
