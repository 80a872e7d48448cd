"""Numbered schema migrations: a new database is created at the latest version,
an older one is upgraded in place, step by step, inside one transaction each."""

from __future__ import annotations

from typing import Callable

from sqlalchemy import Connection, inspect, text

from workshop.store.schema import (
    AccessFailure,
    ActionResult,
    AudienceSecret,
    Base,
    SchemaVersion,
    StakeholderReaction,
)


def _v2_language_and_access_failures(conn: Connection) -> None:
    """Version 2: per-participant language, and the guess-throttling table."""
    columns = {c["name"] for c in inspect(conn).get_columns("participants")}
    if "language" not in columns:
        conn.execute(text("ALTER TABLE participants ADD COLUMN language VARCHAR(8) DEFAULT '' NOT NULL"))
    AccessFailure.__table__.create(conn, checkfirst=True)


def _v3_reaction_vision(conn: Connection) -> None:
    """Version 3: the vision wording a stakeholder reacted to, so a reworded vision is judged afresh."""
    if not inspect(conn).has_table("stakeholder_reactions"):
        StakeholderReaction.__table__.create(conn)
        return
    columns = {c["name"] for c in inspect(conn).get_columns("stakeholder_reactions")}
    if "vision" not in columns:
        conn.execute(text("ALTER TABLE stakeholder_reactions ADD COLUMN vision TEXT DEFAULT '' NOT NULL"))


def _v4_audiences_and_request_ids(conn: Connection) -> None:
    """Version 4: a secret per follow-up audience, and the results of actions that carry a request id."""
    AudienceSecret.__table__.create(conn, checkfirst=True)
    ActionResult.__table__.create(conn, checkfirst=True)


def _v5_audience_secret_kept(conn: Connection) -> None:
    """Version 5: an audience link's secret is kept beside its hash, so the server can print it again
    and a new facilitator key leaves the links already sent alone (see domain/audiences.py).

    Rows from before keep their hash (their links open as before) and get their secret filled in
    the next time the facilitator's panel, which has the key, shows the link."""
    columns = {c["name"] for c in inspect(conn).get_columns("audience_secrets")}
    if "secret" not in columns:
        conn.execute(text("ALTER TABLE audience_secrets ADD COLUMN secret VARCHAR(64)"))
    if "former_hash" not in columns:
        conn.execute(text("ALTER TABLE audience_secrets ADD COLUMN former_hash VARCHAR(64)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_audience_secrets_former_hash "
                          "ON audience_secrets (former_hash)"))


def _v6_room_and_participant_revisions(conn: Connection) -> None:
    """Version 6: a change marker for what the whole room sees, and one per participant (issue 16).

    A workshop in progress starts its room marker at its revision; a participant's starts at 0.
    Live views read the markers afresh after an upgrade, so neither start can hide a change."""
    columns = {c["name"] for c in inspect(conn).get_columns("workshops")}
    if "room_revision" not in columns:
        conn.execute(text("ALTER TABLE workshops ADD COLUMN room_revision INTEGER DEFAULT 0 NOT NULL"))
        conn.execute(text("UPDATE workshops SET room_revision = revision"))
    columns = {c["name"] for c in inspect(conn).get_columns("participants")}
    if "revision" not in columns:
        conn.execute(text("ALTER TABLE participants ADD COLUMN revision INTEGER DEFAULT 0 NOT NULL"))


def _v7_tally_revision(conn: Connection) -> None:
    """Version 7: a change marker for the counts the room sees (``Workshop.tally_revision``).
    It starts at 0; live views read their markers afresh after an upgrade."""
    columns = {c["name"] for c in inspect(conn).get_columns("workshops")}
    if "tally_revision" not in columns:
        conn.execute(text("ALTER TABLE workshops ADD COLUMN tally_revision INTEGER DEFAULT 0 NOT NULL"))


#: version -> step that brings a database from version-1 to version.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    2: _v2_language_and_access_failures,
    3: _v3_reaction_vision,
    4: _v4_audiences_and_request_ids,
    5: _v5_audience_secret_kept,
    6: _v6_room_and_participant_revisions,
    7: _v7_tally_revision,
}

LATEST = max(MIGRATIONS, default=1)


def current_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("schema_version"):
        return None
    return conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar()


def _serialize(conn: Connection) -> None:
    # Many kernels may open a new database at the same moment; only one may
    # create or upgrade it. SQLite is already serialised by BEGIN IMMEDIATE.
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(727274)"))


def upgrade(engine) -> int:
    """Bring the database to LATEST; returns the version it started at (0 = new).

    ``engine`` must begin write transactions (the store's write engine)."""
    # Every kernel opens the store: a current database must not cost each one the write
    # lock (100 kernels starting at once queued on it until SQLite said "database is locked").
    with engine.execution_options(workshop_write=False).connect() as conn:
        if current_version(conn) == LATEST:
            return LATEST
    with engine.begin() as conn:
        _serialize(conn)
        version = current_version(conn)
        if version is None:
            Base.metadata.create_all(conn)
            conn.execute(SchemaVersion.__table__.insert().values(version=LATEST))
            return 0
    start = version
    for step in sorted(v for v in MIGRATIONS if v > start):
        with engine.begin() as conn:
            _serialize(conn)
            if current_version(conn) >= step:
                continue
            MIGRATIONS[step](conn)
            conn.execute(SchemaVersion.__table__.insert().values(version=step))
    return start
