"""Tidy tables of a workshop's whole record: CSV files for analysts and DataFrames for notebooks.

The tables and their columns are declared in ``workshop.datadict``. Reading
the database is one query (``records``) with plain Python rows, so the
participant app never imports pandas; ``frames``, ``export_workshop`` and
``load_csv_dir`` import it when called.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from . import credentials, criteria, datadict, vision
from .errors import N_, NotAuthorized
from .schema import (
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
from .store import Store, Tx, query
from .workshops import pseudonym

if TYPE_CHECKING:
    import pandas as pd

#: Excel reads UTF-8 only when the file starts with a byte order mark.
ENCODING = "utf-8-sig"
#: Written so that Excel recognises it as a date and time.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FACILITATOR_LABEL = "Facilitator"

Rows = dict[str, list[dict[str, Any]]]


class _People:
    """Who a participant id stands for in this export: a name only when allowed."""

    def __init__(self, tx: Tx, ws: Workshop, names: bool):
        self.by_id: dict[int, Participant] = {p.id: p for p in tx.session.execute(
            select(Participant).where(Participant.workshop_id == ws.id)).scalars()}
        self.names = names

    def number(self, pid: int | None) -> int | None:
        p = self.by_id.get(pid)
        return None if p is None or p.role == "facilitator" else p.number

    def label(self, pid: int | None) -> str:
        p = self.by_id.get(pid)
        if p is None or p.role == "facilitator":
            return FACILITATOR_LABEL
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


def _all(tx: Tx, stmt) -> list:
    return list(tx.session.execute(stmt).scalars())


@query
def records(tx: Tx, code: str, key: str | None = None) -> Rows:
    """Every table of ``datadict.TABLES`` as lists of row dicts (optional tables may be empty).

    Names appear only for a named workshop and the right facilitator key; a
    wrong key is refused rather than silently falling back to pseudonyms."""
    ws = tx.workshop(code)
    names = _names_allowed(tx, ws, key)
    people = _People(tx, ws, names)
    c = ws.code
    values = _all(tx, select(CoreValue).where(CoreValue.workshop_id == ws.id)
                  .order_by(CoreValue.position, CoreValue.id))
    value_name = {v.id: v.name for v in values}
    cards = _all(tx, select(Card).where(Card.workshop_id == ws.id).order_by(Card.id))
    drafts = _all(tx, select(VisionDraft).where(VisionDraft.workshop_id == ws.id).order_by(VisionDraft.id))
    rounds = _all(tx, select(VoteRound).where(VoteRound.workshop_id == ws.id).order_by(VoteRound.number))
    round_of = {r.id: r for r in rounds}
    closed = [r.id for r in rounds if r.status == "closed"]
    live_cards = [card for card in cards if not card.withdrawn]
    out: Rows = {name: [] for name in datadict.TABLES}

    out["workshop"].append(dict(
        workshop_code=c, title=ws.title, company=ws.company, purpose=ws.purpose, question=ws.question,
        language=ws.language, phase=ws.phase, anonymous=ws.anonymous, vote_target=ws.vote_target,
        vision=ws.vision, final_draft_id=ws.final_draft_id,
        participants=sum(1 for p in people.by_id.values() if p.role == "member"),
        cards=len(live_cards), values=sum(1 for v in values if not v.removed),
        chosen_values=sum(1 for v in values if v.chosen and not v.removed),
        drafts=sum(1 for d in drafts if not d.withdrawn),
        created_at=ws.created_at, exported_at=utcnow(), names_included=names,
    ))
    for p in sorted(people.by_id.values(), key=lambda p: p.number):
        if p.role == "facilitator":
            continue
        out["participants"].append(dict(
            workshop_code=c, participant_number=p.number, participant=people.label(p.id), role=p.role,
            team=p.team, joined_at=p.joined_at, last_seen_at=p.last_seen_at))
    for card in cards:
        out["cards"].append(dict(
            workshop_code=c, card_id=card.id, participant_number=people.number(card.participant_id),
            participant=people.label(card.participant_id), text=card.text, value_id=card.value_id,
            value_name=value_name.get(card.value_id, ""), withdrawn=card.withdrawn,
            created_at=card.created_at, updated_at=card.updated_at))
    for v in values:
        status = "merged" if v.merged_into_id else "removed" if v.removed else "active"
        out["values"].append(dict(
            workshop_code=c, value_id=v.id, name=v.name, description=v.description, position=v.position,
            status=status, merged_into_id=v.merged_into_id,
            cards=sum(1 for card in live_cards if card.value_id == v.id),
            chosen=v.chosen and not v.removed, action_statement=v.action_statement, created_at=v.created_at))

    candidates = tx.session.execute(
        select(RoundCandidate).where(RoundCandidate.round_id.in_(list(round_of) or [-1]))
        .order_by(RoundCandidate.round_id, RoundCandidate.rank, RoundCandidate.value_id)).scalars().all()
    votes = tx.session.execute(
        select(Vote).where(Vote.round_id.in_(closed or [-1]), Vote.dots > 0)
        .order_by(Vote.round_id, Vote.participant_id, Vote.value_id)).scalars().all()
    for r in rounds:
        mine = [v for v in votes if v.round_id == r.id]
        is_closed = r.status == "closed"
        out["vote_rounds"].append(dict(
            workshop_code=c, round_number=r.number, is_runoff=r.is_runoff, budget=r.budget, cap=r.cap,
            keep=r.keep, status=r.status, candidates=sum(1 for rc in candidates if rc.round_id == r.id),
            voters=len({v.participant_id for v in mine}) if is_closed else None,
            dots_cast=sum(v.dots for v in mine) if is_closed else None,
            opened_at=r.opened_at, closed_at=r.closed_at))
    for rc in candidates:
        r = round_of[rc.round_id]
        out["round_results"].append(dict(
            workshop_code=c, round_number=r.number, is_runoff=r.is_runoff, value_id=rc.value_id,
            value_name=value_name.get(rc.value_id, ""), dots=rc.dots, rank=rc.rank, outcome=rc.outcome or ""))
    for v in sorted(votes, key=lambda v: (round_of[v.round_id].number, people.number(v.participant_id) or 0,
                                          v.value_id)):
        out["votes"].append(dict(
            workshop_code=c, round_number=round_of[v.round_id].number,
            participant_number=people.number(v.participant_id), participant=people.label(v.participant_id),
            value_id=v.value_id, value_name=value_name.get(v.value_id, ""), dots=v.dots,
            updated_at=v.updated_at))

    for d in drafts:
        out["drafts"].append(dict(
            workshop_code=c, draft_id=d.id, participant_number=people.number(d.participant_id),
            participant=people.label(d.participant_id), text=d.text, withdrawn=d.withdrawn,
            final=d.id == ws.final_draft_id, created_at=d.created_at))
    ratings = tx.session.execute(
        select(Rating).where(Rating.draft_id.in_([d.id for d in drafts] or [-1]))).scalars().all()
    order = {name: i for i, name in enumerate(criteria.ORDER)}
    for r in sorted(ratings, key=lambda r: (r.draft_id, people.number(r.participant_id) or 0,
                                            order.get(r.criterion, 99))):
        out["ratings"].append(dict(
            workshop_code=c, draft_id=r.draft_id, participant_number=people.number(r.participant_id),
            participant=people.label(r.participant_id), criterion=r.criterion, score=r.score,
            updated_at=r.updated_at))
    for d in drafts:
        if d.withdrawn:
            continue
        for crit in criteria.ORDER:
            s = vision.stats([r.score for r in ratings if r.draft_id == d.id and r.criterion == crit])
            out["rating_summary"].append(dict(
                workshop_code=c, draft_id=d.id, criterion=crit, count=s.count, mean=_round(s.mean),
                median=s.median, spread=_round(s.spread), low=s.low, high=s.high, final=d.id == ws.final_draft_id))

    chosen = [v for v in values if v.chosen and not v.removed]
    metrics = tx.session.execute(
        select(ValueMetric).where(ValueMetric.value_id.in_([v.id for v in chosen] or [-1]))
        .order_by(ValueMetric.value_id, ValueMetric.position)).scalars().all()
    for v in chosen:
        mine = [m for m in metrics if m.value_id == v.id]
        out["actions"].append(dict(workshop_code=c, value_id=v.id, value_name=v.name, position=v.position,
                                   action_statement=v.action_statement, metrics=len(mine)))
        out["metrics"] += [dict(workshop_code=c, value_id=v.id, value_name=v.name, position=m.position,
                                metric=m.name) for m in mine]

    value_ids = list(value_name) or [-1]
    for tp in tx.session.execute(select(TeamPractice).where(TeamPractice.value_id.in_(value_ids))
                                 .order_by(TeamPractice.value_id, TeamPractice.team)).scalars():
        out["team_practices"].append(dict(
            workshop_code=c, value_id=tp.value_id, value_name=value_name[tp.value_id], team=tp.team,
            key_actions=tp.key_actions, metrics=tp.metrics))
    for sr in tx.session.execute(select(StakeholderReaction).where(StakeholderReaction.workshop_id == ws.id)
                                 ).scalars():
        out["stakeholder_reactions"].append(dict(
            workshop_code=c, participant_number=people.number(sr.participant_id),
            participant=people.label(sr.participant_id), reaction=sr.reaction, comment=sr.comment,
            updated_at=sr.updated_at))
    for ba, q in tx.session.execute(
            select(BenchmarkAnswer, ProfileQuestion).join(ProfileQuestion, ProfileQuestion.id == BenchmarkAnswer.question_id)
            .where(ProfileQuestion.value_id.in_(value_ids))
            .order_by(ProfileQuestion.value_id, ProfileQuestion.position, ProfileQuestion.id)).all():
        p = people.by_id.get(ba.participant_id)
        out["benchmark_answers"].append(dict(
            workshop_code=c, value_id=q.value_id, value_name=value_name[q.value_id], question_id=q.id,
            question=q.text, question_removed=q.removed, participant_number=people.number(ba.participant_id),
            participant=people.label(ba.participant_id), team=p.team if p else "", answer=ba.answer,
            updated_at=ba.updated_at))
    for sa in tx.session.execute(select(SurveyAnswer).where(SurveyAnswer.workshop_id == ws.id)
                                 .order_by(SurveyAnswer.participant_id, SurveyAnswer.value_id)).scalars():
        p = people.by_id.get(sa.participant_id)
        out["survey_answers"].append(dict(
            workshop_code=c, participant_number=people.number(sa.participant_id),
            participant=people.label(sa.participant_id), team=p.team if p else "", value_id=sa.value_id,
            value_name=value_name.get(sa.value_id, ""), meaning=sa.meaning, clarity=sa.clarity,
            updated_at=sa.updated_at))
    for name in ("stakeholder_reactions", "benchmark_answers", "survey_answers"):
        out[name].sort(key=lambda row: (row["participant_number"] or 0, row.get("value_id") or 0))

    for e in _all(tx, select(Event).where(Event.workshop_id == ws.id).order_by(Event.id)):
        actor, number = people.actor(e.actor)
        out["events"].append(dict(
            workshop_code=c, event_id=e.id, at=e.at, actor=actor, participant_number=number, kind=e.kind,
            payload=json.dumps(_scrub(e.payload or {}, people, number), ensure_ascii=False, sort_keys=True)))
    return out


def _scrub(payload: dict, people: _People, actor_number: int | None) -> dict:
    """The log's details with participant ids and names shown by the export's rule."""
    payload = dict(payload)
    if "participant" in payload and isinstance(payload["participant"], int):
        payload["participant"] = people.label(payload["participant"])
    if "name" in payload and actor_number is not None:
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


#: Spreadsheets run a cell that starts like this as a formula; participants' text must not.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value):
    """Prefix an apostrophe (and double an existing one) so Excel shows the text as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START + ("'",)):
        return "'" + value
    return value


def _restore(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def write_csv_dir(tables: dict[str, "pd.DataFrame"], out: str | Path) -> list[Path]:
    """Write each DataFrame as NAME.csv in ``out`` (UTF-8 with BOM); returns the paths."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        table = datadict.TABLES[name]
        path = folder / table.file
        frame = frame.copy()
        for col, (typ, _desc) in table.columns.items():
            if typ == "text":
                frame[col] = frame[col].astype(object).map(_defuse)
        frame.to_csv(path, index=False, encoding=ENCODING, date_format=TIME_FORMAT, lineterminator="\r\n")
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
                frame[col] = frame[col].map(_restore)
        tables[name] = _typed(frame, table)
    if not tables:
        raise FileNotFoundError(f"no exported CSV files in {folder}")
    return tables

