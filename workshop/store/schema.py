"""The tables that hold a workshop's whole record, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores UTC, returns aware datetimes on both databases (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        if value is not None and dialect.name == "sqlite":
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value


class Base(DeclarativeBase):
    pass


class SchemaVersion(Base):
    __tablename__ = "schema_version"
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Workshop(Base):
    __tablename__ = "workshops"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    phase: Mapped[str] = mapped_column(String(20), default="setup")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    cards_revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    vote_target: Mapped[int] = mapped_column(Integer, default=5)
    vision: Mapped[str] = mapped_column(Text, default="")
    final_draft_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    timer_ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    timer_label: Mapped[str] = mapped_column(String(120), default="")
    # Bumped by every write in the same transaction: the cheap "what changed
    # since" marker live views poll (the facilitator's console follows it).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every write that changes what the whole room sees: all but a participant's
    # own dots in an open round and scores while rating is open (``Tx.workshop(room_sees=False)``).
    # Phones and the room screen follow it, so one vote does not repaint them all.
    room_revision: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by writes that change only how many the room sees (someone joined, a card written
    # while cards are hidden: ``Tx.workshop(room_sees=COUNTS)``). Phones show those numbers but
    # follow them slowly (``Live.counts_every``): 400 joining at once repainted every phone twice
    # a second for each. The room screen follows it at once.
    tally_revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)


class GroundingAnswer(Base):
    """Step 0: the company's answers to the customer-needs questions."""

    __tablename__ = "grounding_answers"
    __table_args__ = (UniqueConstraint("workshop_id", "topic"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(Text, default="")


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Stable per workshop; the pseudonym "Participant 3" is derived from it.
    number: Mapped[int] = mapped_column(Integer)
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # member (in the workshop), stakeholder (gut check), employee (survey),
    # exemplar (hiring benchmark).
    role: Mapped[str] = mapped_column(String(20), default="member")
    team: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by this participant's own writes (``access.as_participant``): their other tabs and
    # devices follow it beside ``Workshop.room_revision``, and see their own votes at once.
    revision: Mapped[int] = mapped_column(Integer, default=0)


class Card(Base):
    __tablename__ = "cards"
    __table_args__ = (UniqueConstraint("participant_id", "request_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    value_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_values.id", ondelete="SET NULL"), nullable=True
    )
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    # Random, so the revealed wall's order says nothing about who wrote when.
    shuffle_key: Mapped[int] = mapped_column(Integer, default=0)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CoreValue(Base):
    """An affinity group of cards, named as a core value."""

    __tablename__ = "core_values"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    action_statement: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VoteRound(Base):
    __tablename__ = "vote_rounds"
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    budget: Mapped[int] = mapped_column(Integer)
    cap: Mapped[int | None] = mapped_column(Integer, nullable=True)
    keep: Mapped[int] = mapped_column(Integer)
    is_runoff: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RoundCandidate(Base):
    __tablename__ = "round_candidates"
    __table_args__ = (UniqueConstraint("round_id", "value_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_rounds.id", ondelete="CASCADE"), index=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("core_values.id", ondelete="CASCADE"))
    # Filled when the round closes.
    dots: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)  # kept/dropped/runoff


class Vote(Base):
    """Dots one participant puts on one value in one round."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("round_id", "participant_id", "value_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_rounds.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    value_id: Mapped[int] = mapped_column(ForeignKey("core_values.id", ondelete="CASCADE"))
    dots: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisionDraft(Base):
    __tablename__ = "vision_drafts"
    __table_args__ = (UniqueConstraint("participant_id", "request_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    # None when the facilitator typed it in.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("draft_id", "participant_id", "criterion"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("vision_drafts.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(20))
    score: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ValueMetric(Base):
    __tablename__ = "value_metrics"
    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("core_values.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class TeamPractice(Base):
    """How one team lives one value (step 8): key actions and metrics."""

    __tablename__ = "team_practices"
    __table_args__ = (UniqueConstraint("value_id", "team"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("core_values.id", ondelete="CASCADE"), index=True)
    team: Mapped[str] = mapped_column(String(40))
    key_actions: Mapped[str] = mapped_column(Text, default="")
    metrics: Mapped[str] = mapped_column(Text, default="")


class StakeholderReaction(Base):
    __tablename__ = "stakeholder_reactions"
    __table_args__ = (UniqueConstraint("participant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    reaction: Mapped[str] = mapped_column(String(12))  # lands / unsure / no
    comment: Mapped[str] = mapped_column(Text, default="")
    # The wording reacted to: after the vision is reworded, earlier reactions no longer count.
    vision: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProfileQuestion(Base):
    """Hiring benchmark (step 7): a question asked about one value."""

    __tablename__ = "profile_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("core_values.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)


class BenchmarkAnswer(Base):
    __tablename__ = "benchmark_answers"
    __table_args__ = (UniqueConstraint("question_id", "participant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("profile_questions.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyAnswer(Base):
    """Employee survey (step 8): what one value means to one employee."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("participant_id", "value_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    value_id: Mapped[int] = mapped_column(ForeignKey("core_values.id", ondelete="CASCADE"))
    meaning: Mapped[str] = mapped_column(Text, default="")
    clarity: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AudienceSecret(Base):
    """The secret of one audience's link (gut check, survey, benchmark, room screen).

    The link carries this secret instead of the join code, so it opens only
    its own page. Since version 5 the secret is kept (``secret``) beside its hash,
    so the server can print the link again (`workshop links`) and a new facilitator
    key (`workshop rekey`) leaves every link already sent as it was: such a link shows
    a survey or the room screen and is no more sensitive than the join code, which is
    kept in clear too (the facilitator key stays hash-only). A row from before has no
    ``secret``: its secret was drawn from the facilitator key and ``salt``, and it is
    filled in the next time the facilitator's panel shows the link. ``former_hash`` keeps
    such a link opening after it had to be replaced (see domain/audiences.py)."""

    __tablename__ = "audience_secrets"
    __table_args__ = (UniqueConstraint("workshop_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    salt: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The secret itself (version 5); None in a row made before, whose secret only the key can draw.
    secret: Mapped[str | None] = mapped_column(String(64), nullable=True, default=None)
    #: The hash of a link made before version 5 that had to be replaced after a new key; it still opens.
    former_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, default=None, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActionResult(Base):
    """What an action with a request id returned (see store/replay.py), so a retry is applied once."""

    __tablename__ = "action_results"
    __table_args__ = (UniqueConstraint("scope", "action", "request_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The workshop's code.
    scope: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(120))
    request_hash: Mapped[str] = mapped_column(String(64))
    #: Encrypted with the request id.
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AccessFailure(Base):
    """Wrong join codes and keys, counted to slow down guessing."""

    __tablename__ = "access_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Event(Base):
    """Append-only log of every action: who, what, when."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)


Index("ix_events_workshop_kind", Event.workshop_id, Event.kind, Event.id)
Index("ix_cards_value", Card.value_id)
Index("ix_votes_participant", Vote.round_id, Vote.participant_id)
