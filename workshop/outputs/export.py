"""Tidy tables of a workshop's whole record: CSV files for analysts and DataFrames for notebooks.

The tables and their columns are declared in ``workshop.datadict``. Reading
the database is one query (``records``) with plain Python rows, so the
participant app never imports pandas; ``frames``, ``export_workshop`` and
``load_csv_dir`` import it when called.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from workshop.core import credentials, criteria
from workshop.core.errors import N_, NotAuthorized
from workshop.domain import ballots, vision
from workshop.domain.access import pseudonym
from workshop.domain.followup import stakeholders, survey
from workshop.outputs import csvfile, datadict
from workshop.store import Store, Tx, query
from workshop.store.schema import (
    BenchmarkAnswer,
    Card,
    CoreValue,
    Event,
    Participant,
    ProfileQuestion,
    Rating,
    RoundCandidate,
    StakeholderReaction,
    SurveyAnswer,
    TeamPractice,
    ValueMetric,
    VisionDraft,
    Vote,
    VoteRound,
    Workshop,
    utcnow,
)

if TYPE_CHECKING:
    import pandas as pd

ENCODING = csvfile.ENCODING
TIME_FORMAT = csvfile.TIME_FORMAT
FACILITATOR_LABEL = "Facilitator"
#: Everyone's label in an anonymous workshop: no number, so no table can be grouped by person.
ANONYMOUS_LABEL = "anonymous"

Rows = dict[str, list[dict[str, Any]]]


class _People:
    """Who a participant id stands for in this export: a name only when allowed."""

    def __init__(self, tx: Tx, ws: Workshop, names: bool):
        self.by_id: dict[int, Participant] = {p.id: p for p in tx.session.execute(
            select(Participant).where(Participant.workshop_id == ws.id)).scalars()}
        self.names = names
        #: An anonymous workshop: no numbers, pseudonyms or times that would link rows to a person.
        self.anonymous = ws.anonymous

    def number(self, pid: int | None) -> int | None:
        p = self.by_id.get(pid)
        return None if p is None or p.role == "facilitator" or self.anonymous else p.number

    def label(self, pid: int | None) -> str:
        p = self.by_id.get(pid)
        if p is None or p.role == "facilitator":
            return FACILITATOR_LABEL
        if self.anonymous:
            return ANONYMOUS_LABEL
        if self.names and p.display_name:
            return p.display_name
        return pseudonym(p.number)

    def actor(self, actor: str) -> tuple[str, int | None]:
        """The log's "participant:ID" as the person's label and number."""
        if actor.startswith("participant:"):
            pid = int(actor.split(":", 1)[1])
            return self.label(pid), self.number(pid)
        return actor, None


def _names_allowed(tx: Tx, ws: Workshop, key: str | None) -> bool:
    if key is None:
        return False
    if not credentials.matches(key, ws.key_hash):
        raise NotAuthorized(N_("This facilitator key does not open workshop {code}."), code=ws.code)
    return not ws.anonymous


@dataclass
class _Record:
    """What every section of the export needs: the transaction, the workshop, who is who, the values."""

    tx: Tx
    ws: Workshop
    people: _People
    values: list[CoreValue]
    ballots: ballots.Ballots
    #: Survey team -> the segment it is exported as (small teams merged or hidden).
    segments: dict[str, str]
    #: What this export leaves out or merges, for workshop.csv.
    notes: list[str]

    @property
    def open_ballots(self) -> bool:
        return ballots.is_open(self.ws)

    @property
    def code(self) -> str:
        return self.ws.code

    def value_name(self, value_id: int | None) -> str:
        return next((v.name for v in self.values if v.id == value_id), "")

    def who(self, pid: int | None) -> dict[str, Any]:
        return dict(participant_number=self.people.number(pid), participant=self.people.label(pid))

    def voter(self, pid: int, ballot: str) -> dict[str, Any]:
        """The ballot id, and the voter only with open ballots."""
        if self.open_ballots:
            return dict(ballot=ballot, **self.who(pid))
        return dict(ballot=ballot, participant_number=None, participant="")

    def team(self, p: Participant | None) -> str:
        """A person's team as exported: survey teams too small to show are merged or hidden."""
        if p is None:
            return ""
        if p.role == survey.ROLE:
            return self.segments.get(p.team, "")
        return p.team

    def all(self, stmt) -> list:
        return list(self.tx.session.execute(stmt).scalars())


def records(store: Store, code: str, key: str | None = None) -> Rows:
    """Every table of ``datadict.TABLES`` as lists of row dicts (optional tables may be empty).

    Names appear only for a named workshop and the right facilitator key; a
    wrong key is refused rather than silently falling back to pseudonyms.
    Votes and ratings show ballot ids (drawn from the workshop's ballot
    secret, created here on first use) and names only with open ballots."""
    if key is not None:
        _key_opens(store, code, key)  # a wrong key writes nothing, not even the ballot secret
    ballots.ensure_secret(store, code)
    return _records(store, code, key)


@query
def _key_opens(tx: Tx, code: str, key: str) -> None:
    _names_allowed(tx, tx.workshop(code), key)


@query
def _records(tx: Tx, code: str, key: str | None = None) -> Rows:
    ws = tx.workshop(code)
    names = _names_allowed(tx, ws, key)
    r = _Record(tx, ws, _People(tx, ws, names), list(tx.session.execute(
        select(CoreValue).where(CoreValue.workshop_id == ws.id).order_by(CoreValue.position, CoreValue.id)
    ).scalars()), ballots.Ballots(ws), survey.team_segments(tx, ws), [])
    out: Rows = {name: [] for name in datadict.TABLES}
    for section in (_brainstorm, _voting, _vision, _actions, _follow_up, _events):
        out.update(section(r))
    out["workshop"] = [_workshop_row(r, out, names)]
    return out


def _workshop_row(r: _Record, out: Rows, names: bool) -> dict[str, Any]:
    ws = r.ws
    return dict(
        workshop_code=r.code, title=ws.title, company=ws.company, purpose=ws.purpose, question=ws.question,
        language=ws.language, phase=ws.phase, anonymous=ws.anonymous, vote_target=ws.vote_target,
        vision=ws.vision, final_draft_id=ws.final_draft_id,
        participants=sum(1 for p in out["participants"] if p["role"] == "member"),
        cards=sum(1 for c in out["cards"] if not c["withdrawn"]),
        values=sum(1 for v in out["values"] if v["status"] == "active"),
        chosen_values=sum(1 for v in out["values"] if v["chosen"]),
        drafts=sum(1 for d in out["drafts"] if not d["withdrawn"]),
        created_at=ws.created_at, exported_at=utcnow(), names_included=names and not ws.anonymous,
        open_ballots=r.open_ballots, privacy_notes="\n".join(r.notes),
    )


def _brainstorm(r: _Record) -> Rows:
    people = [p for p in sorted(r.people.by_id.values(), key=lambda p: p.number) if p.role != "facilitator"]
    anonymous = r.people.anonymous
    if anonymous:
        # Not even the order of joining: by role and team only.
        people.sort(key=lambda p: (p.role, r.team(p)))
    cards = r.all(select(Card).where(Card.workshop_id == r.ws.id).order_by(Card.id))
    live = [c for c in cards if not c.withdrawn]
    return {
        "participants": [dict(workshop_code=r.code, **r.who(p.id), role=p.role, team=r.team(p),
                              joined_at=None if anonymous else p.joined_at,
                              last_seen_at=None if anonymous else p.last_seen_at) for p in people],
        "cards": [dict(workshop_code=r.code, card_id=c.id, **r.who(c.participant_id), text=c.text,
                       value_id=c.value_id, value_name=r.value_name(c.value_id), withdrawn=c.withdrawn,
                       created_at=c.created_at, updated_at=c.updated_at) for c in cards],
        "values": [dict(workshop_code=r.code, value_id=v.id, name=v.name, description=v.description,
                        position=v.position,
                        status="merged" if v.merged_into_id else "removed" if v.removed else "active",
                        merged_into_id=v.merged_into_id, cards=sum(1 for c in live if c.value_id == v.id),
                        chosen=v.chosen and not v.removed, action_statement=v.action_statement,
                        created_at=v.created_at) for v in r.values],
    }


def _voting(r: _Record) -> Rows:
    rounds = r.all(select(VoteRound).where(VoteRound.workshop_id == r.ws.id).order_by(VoteRound.number))
    number = {rnd.id: rnd.number for rnd in rounds}
    runoff = {rnd.id: rnd.is_runoff for rnd in rounds}
    candidates = r.all(select(RoundCandidate).where(RoundCandidate.round_id.in_(list(number) or [-1]))
                       .order_by(RoundCandidate.round_id, RoundCandidate.rank, RoundCandidate.value_id))
    # Only closed rounds: the dots of a running vote stay secret.
    closed = [rnd.id for rnd in rounds if rnd.status == "closed"]
    votes = r.all(select(Vote).where(Vote.round_id.in_(closed or [-1]), Vote.dots > 0))
    ballot = {v.id: r.ballots.vote(v.round_id, v.participant_id) for v in votes}
    if r.open_ballots:
        votes.sort(key=lambda v: (number[v.round_id], r.people.number(v.participant_id) or 0, v.value_id))
    else:
        # By ballot id: neither the order of joining nor of voting shows.
        votes.sort(key=lambda v: (number[v.round_id], ballot[v.id], v.value_id))

    def totals(rnd: VoteRound) -> dict[str, Any]:
        mine = [v for v in votes if v.round_id == rnd.id]
        if rnd.status != "closed":
            return dict(voters=None, dots_cast=None)
        return dict(voters=len({v.participant_id for v in mine}), dots_cast=sum(v.dots for v in mine))

    return {
        "vote_rounds": [dict(workshop_code=r.code, round_number=rnd.number, is_runoff=rnd.is_runoff,
                             budget=rnd.budget, cap=rnd.cap, keep=rnd.keep, status=rnd.status,
                             candidates=sum(1 for rc in candidates if rc.round_id == rnd.id), **totals(rnd),
                             opened_at=rnd.opened_at, closed_at=rnd.closed_at) for rnd in rounds],
        "votes": [dict(workshop_code=r.code, round_number=number[v.round_id],
                       **r.voter(v.participant_id, ballot[v.id]),
                       value_id=v.value_id, value_name=r.value_name(v.value_id), dots=v.dots,
                       updated_at=v.updated_at) for v in votes],
        "round_results": [dict(workshop_code=r.code, round_number=number[rc.round_id],
                               is_runoff=runoff[rc.round_id], value_id=rc.value_id,
                               value_name=r.value_name(rc.value_id), dots=rc.dots, rank=rc.rank,
                               outcome=rc.outcome or "") for rc in candidates],
    }


def _vision(r: _Record) -> Rows:
    final = r.ws.final_draft_id
    drafts = r.all(select(VisionDraft).where(VisionDraft.workshop_id == r.ws.id).order_by(VisionDraft.id))
    ratings = r.all(select(Rating).where(Rating.draft_id.in_([d.id for d in drafts] or [-1])))
    order = {name: i for i, name in enumerate(criteria.ORDER)}
    if r.open_ballots:
        ratings.sort(key=lambda x: (x.draft_id, r.people.number(x.participant_id) or 0, order.get(x.criterion, 99)))
    else:
        ratings.sort(key=lambda x: (x.draft_id, r.ballots.rating(x.participant_id), order.get(x.criterion, 99)))
    summary = []
    for d in drafts:
        if d.withdrawn:
            continue
        for crit in criteria.ORDER:
            s = vision.stats([x.score for x in ratings if x.draft_id == d.id and x.criterion == crit])
            summary.append(dict(workshop_code=r.code, draft_id=d.id, criterion=crit, count=s.count,
                                mean=_round(s.mean), median=s.median, spread=_round(s.spread), low=s.low,
                                high=s.high, final=d.id == final))
    return {
        "drafts": [dict(workshop_code=r.code, draft_id=d.id, **r.who(d.participant_id), text=d.text,
                        withdrawn=d.withdrawn, final=d.id == final, created_at=d.created_at) for d in drafts],
        "ratings": [dict(workshop_code=r.code, draft_id=x.draft_id,
                         **r.voter(x.participant_id, r.ballots.rating(x.participant_id)),
                         criterion=x.criterion, score=x.score, updated_at=x.updated_at) for x in ratings],
        "rating_summary": summary,
    }


def _actions(r: _Record) -> Rows:
    chosen = [v for v in r.values if v.chosen and not v.removed]
    metrics = r.all(select(ValueMetric).where(ValueMetric.value_id.in_([v.id for v in chosen] or [-1]))
                    .order_by(ValueMetric.value_id, ValueMetric.position))
    return {
        "actions": [dict(workshop_code=r.code, value_id=v.id, value_name=v.name, position=v.position,
                         action_statement=v.action_statement,
                         metrics=sum(1 for m in metrics if m.value_id == v.id)) for v in chosen],
        "metrics": [dict(workshop_code=r.code, value_id=m.value_id, value_name=r.value_name(m.value_id),
                         position=m.position, metric=m.name)
                    for v in chosen for m in metrics if m.value_id == v.id],
    }


def _follow_up(r: _Record) -> Rows:
    value_ids = [v.id for v in r.values] or [-1]

    def team(pid: int) -> str:
        return r.team(r.people.by_id.get(pid))

    practices = r.all(select(TeamPractice).where(TeamPractice.value_id.in_(value_ids))
                      .order_by(TeamPractice.value_id, TeamPractice.team))
    reactions = r.all(select(StakeholderReaction).where(StakeholderReaction.workshop_id == r.ws.id))
    answers = r.tx.session.execute(
        select(BenchmarkAnswer, ProfileQuestion).join(ProfileQuestion, ProfileQuestion.id == BenchmarkAnswer.question_id)
        .where(ProfileQuestion.value_id.in_(value_ids))
        .order_by(ProfileQuestion.value_id, ProfileQuestion.position, ProfileQuestion.id)).all()
    answers_ = r.all(select(SurveyAnswer).where(SurveyAnswer.workshop_id == r.ws.id))
    by_person = lambda row: (row["participant_number"] or 0, row.get("value_id") or 0)  # noqa: E731
    if r.people.anonymous:
        by_person = lambda row: (row.get("team") or "", row.get("value_id") or 0)  # noqa: E731
    hide_reactions = bool(reactions) and stakeholders.reactions_hidden(r.tx, r.ws)
    if hide_reactions:
        r.notes.append(f"stakeholder_reactions: fewer than {stakeholders.MIN_SEGMENT} stakeholders reacted to "
                       "the current wording, so every reaction is left out (comments are kept).")
    merged = sorted({t for t, seg in r.segments.items() if seg != t and any(
        r.people.by_id[sa.participant_id].team == t for sa in answers_)})
    if merged:
        where = "merged into “other teams”" if any(r.segments[t] for t in merged) else "hidden"
        r.notes.append(f"survey_answers, participants: teams with fewer than {survey.MIN_SEGMENT} respondents "
                       f"are {where}: {', '.join(merged)}.")
    return {
        "team_practices": [dict(workshop_code=r.code, value_id=tp.value_id, value_name=r.value_name(tp.value_id),
                                team=tp.team, key_actions=tp.key_actions, metrics=tp.metrics)
                           for tp in practices],
        "stakeholder_reactions": sorted((dict(
            workshop_code=r.code, **r.who(sr.participant_id), reaction="" if hide_reactions else sr.reaction,
            comment=sr.comment,
            updated_at=sr.updated_at) for sr in reactions), key=by_person),
        "benchmark_answers": [dict(
            workshop_code=r.code, value_id=q.value_id, value_name=r.value_name(q.value_id), question_id=q.id,
            question=q.text, question_removed=q.removed, **r.who(ba.participant_id), team=team(ba.participant_id),
            answer=ba.answer, updated_at=ba.updated_at) for ba, q in answers],
        "survey_answers": sorted((dict(
            workshop_code=r.code, **r.who(sa.participant_id), team=team(sa.participant_id), value_id=sa.value_id,
            value_name=r.value_name(sa.value_id), meaning=sa.meaning, clarity=sa.clarity,
            updated_at=sa.updated_at) for sa in answers_), key=by_person),
    }


#: Events that are one voter's dot or score: under a secret ballot they show the ballot, not the person.
BALLOT_EVENTS = ("dots_set", "draft_rated")


def _events(r: _Record) -> Rows:
    rows = []
    round_ids = {rnd.number: rnd.id for rnd in r.all(select(VoteRound).where(VoteRound.workshop_id == r.ws.id))}
    for e in r.all(select(Event).where(Event.workshop_id == r.ws.id).order_by(Event.id)):
        actor, number = r.people.actor(e.actor)
        payload = _scrub(e.payload or {}, r, number)
        if e.kind == "survey_team_set" and payload.get("team"):
            payload["team"] = r.segments.get(payload["team"], "")  # small teams merged or hidden, as everywhere
        at = e.at
        if e.kind in BALLOT_EVENTS and not r.open_ballots and e.actor.startswith("participant:"):
            pid = int(e.actor.split(":", 1)[1])
            if e.kind == "dots_set":
                ballot = r.ballots.vote(round_ids.get(payload.get("round"), -1), pid)
            else:
                ballot = r.ballots.rating(pid)
            actor, number = f"ballot {ballot}", None
        elif r.people.anonymous and e.kind == "participant_joined":
            at = None  # no join times in an anonymous workshop
        rows.append(dict(
            workshop_code=r.code, event_id=e.id, at=at, actor=actor, participant_number=number, kind=e.kind,
            payload=json.dumps(payload, ensure_ascii=False, sort_keys=True)))
    return {"events": rows}


def _scrub(payload: dict, r: _Record, actor_number: int | None) -> dict:
    """The log's details with participant ids, names and survey teams shown by the export's rule."""
    people = r.people
    payload = dict(payload)
    if "participant" in payload and isinstance(payload["participant"], int):
        payload["participant"] = people.label(payload["participant"])
    if people.anonymous:
        payload.pop("number", None)  # participant_joined: the number is the order of joining
        payload.pop("name", None)
    elif "name" in payload and actor_number is not None:
        # participant_joined carries the name typed at joining.
        payload["name"] = payload["name"] if people.names else pseudonym(actor_number)
    return payload


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


# ---- pandas ---------------------------------------------------------------------------

def _blank_to_none(s: "pd.Series") -> "pd.Series":
    return s.map(lambda x: None if x == "" else x)


def _typed(frame: "pd.DataFrame", table: datadict.Table) -> "pd.DataFrame":
    """Give every column its declared dtype, so a fresh frame and a re-read CSV compare equal."""
    import pandas as pd

    for col, (typ, _desc) in table.columns.items():
        s = frame[col]
        if typ == "text":
            frame[col] = s.astype("string").fillna("")
        elif typ == "integer":
            frame[col] = pd.to_numeric(_blank_to_none(s)).astype("Int64")
        elif typ == "number":
            frame[col] = pd.to_numeric(_blank_to_none(s)).astype("Float64")
        elif typ == "boolean":
            frame[col] = s.map({True: True, False: False, "True": True, "False": False}).astype("boolean")
        elif typ == "timestamp":
            # To the second, as written to CSV.
            frame[col] = pd.to_datetime(_blank_to_none(s), utc=True, format="mixed").dt.floor("s")
        else:  # pragma: no cover - a typo in datadict
            raise ValueError(f"unknown column type {typ!r} of {table.name}.{col}")
    return frame


def _frame(table: datadict.Table, rows: list[dict]) -> "pd.DataFrame":
    import pandas as pd

    cols = list(table.columns)
    for row in rows[:1]:
        if list(row) != cols:
            raise AssertionError(f"{table.name}: rows have {list(row)}, the dictionary declares {cols}")
    frame = pd.DataFrame.from_records(rows, columns=cols)
    for col in cols:
        frame[col] = frame[col].astype(object)  # no guessing: _typed converts from plain values
    return _typed(frame, table)


def frames(store: Store, code: str, key: str | None = None, *, include_empty: bool = True
           ) -> dict[str, "pd.DataFrame"]:
    """Every table of the workshop as a DataFrame with the documented columns and dtypes.

    ``include_empty=False`` leaves out the optional tables without rows, as the
    CSV export does."""
    rows = records(store, code, key=key)
    return {name: _frame(t, rows[name]) for name, t in datadict.TABLES.items()
            if include_empty or rows[name] or not t.optional}


#: Kept for callers of the old names; the one writer is ``workshop.outputs.csvfile``.
FORMULA_START = csvfile.FORMULA_START


def write_csv_dir(tables: dict[str, "pd.DataFrame"], out: str | Path) -> list[Path]:
    """Write each DataFrame as NAME.csv in ``out`` (UTF-8 with BOM, formulas defused); returns the paths."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = folder / datadict.TABLES[name].file
        csvfile.write_frame(frame, path)
        written.append(path)
    return written


def export_workshop(store: Store, code: str, out: str | Path, key: str | None = None) -> list[Path]:
    """Write the workshop's tables as CSV files into the folder ``out``; returns the paths written."""
    return write_csv_dir(frames(store, code, key=key, include_empty=False), out)


def load_csv_dir(path: str | Path) -> dict[str, "pd.DataFrame"]:
    """Read an export folder back: every known table found there, with the documented dtypes."""
    import pandas as pd

    folder = Path(path)
    tables = {}
    for name, table in datadict.TABLES.items():
        file = folder / table.file
        if not file.exists():
            continue
        frame = pd.read_csv(file, encoding=ENCODING, dtype=str, keep_default_na=False)
        missing = [col for col in table.columns if col not in frame.columns]
        if missing:
            raise ValueError(f"{file} lacks the columns {', '.join(missing)}")
        frame = frame[list(table.columns)].astype(object)
        for col, (typ, _desc) in table.columns.items():
            if typ == "text":
                frame[col] = frame[col].map(csvfile.restore)
        tables[name] = _typed(frame, table)
    if not tables:
        raise FileNotFoundError(f"no exported CSV files in {folder}")
    return tables

