"""The store: engine settings, the change marker, the event log, and in-place schema upgrades."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import create_engine, insert, inspect, text
from sqlalchemy.exc import IntegrityError

from workshop import InvalidInput, NotAuthorized
from workshop.core import settings
from workshop.core.credentials import digest
from workshop.domain import actionable, cards, grouping, vision, voting, workshops
from workshop.store import Store, migrations, normalize_url, open_store
from workshop.store.schema import Base, Card

from . import schema_v1
from .domain_helpers import dump, events, refused

# ---- engine settings ---------------------------------------------------------------

def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(sqlite_url):
    store = Store(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == settings.SQLITE_BUSY_TIMEOUT_MS
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.engine.dispose()


def test_foreign_keys_are_enforced(store, created):
    with pytest.raises(IntegrityError):
        with store.writing() as tx:
            ws = tx.workshop(created[0])
            tx.session.add(Card(workshop_id=ws.id, participant_id=999_999, text="orphan"))
            tx.session.flush()
    assert dump(store)["cards"] == []


def test_a_sqlite_write_takes_the_lock_when_it_begins(sqlite_url):
    # BEGIN IMMEDIATE: an action that reads before it writes holds the write lock
    # from its first statement, so a second writer waits at its start instead of
    # failing half-way when it tries to upgrade a read lock.
    store = Store(sqlite_url)
    path = sqlite_url.removeprefix("sqlite:///")
    with store.writing() as tx:
        tx.session.execute(text("SELECT count(*) FROM workshops"))  # only a read so far
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    store.engine.dispose()


def test_urls_are_normalised_and_the_environment_selects_the_database(monkeypatch, tmp_path):
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url(str(tmp_path / "x.sqlite")) == f"sqlite:///{tmp_path / 'x.sqlite'}"
    monkeypatch.setenv("WORKSHOP_DB_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert settings.default_db_url() == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    monkeypatch.delenv("WORKSHOP_DB_URL")
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    assert settings.default_db_url() == f"sqlite:///{tmp_path / 'workshop.sqlite'}"
    store = open_store()
    assert open_store(settings.default_db_url()) is store  # one engine per URL and process
    assert (tmp_path / "workshop.sqlite").exists()
    store.dispose()


# ---- the change marker -------------------------------------------------------------

def test_revision_moves_on_every_write_and_only_then(store, created):
    code, key = created
    other = workshops.create_workshop(store, "Other")
    r0 = store.revision(code)
    workshops.status(store, code)
    cards.count(store, code)
    assert store.revision(code) == r0  # reading changes nothing
    ana = workshops.join(store, code, "Ana").token
    r1 = store.revision(code)
    assert r1 > r0
    workshops.advance(store, code, key)
    r2 = store.revision(code)
    assert r2 > r1
    with refused(store, NotAuthorized):
        workshops.advance(store, code, "wrong")
    with refused(store, InvalidInput):
        cards.add_card(store, code, ana, "")
    assert store.revision(code) == r2  # a refusal leaves no trace
    assert store.revision(other.code) == 1  # another workshop's marker is its own
    assert store.revision(code.lower()) == r2
    assert store.revision("NOSUCH99") is None


# ---- the event log -----------------------------------------------------------------

def test_every_action_appends_who_what_when_to_the_log(store, created):
    code, key = created
    seen: list[tuple] = []

    def step(expected_kind, expected_actor, fn, *args, **kwargs):
        before = len(events(store))
        t0 = dt.datetime.now(dt.timezone.utc)
        result = fn(store, *args, **kwargs)
        new = events(store)[before:]
        assert new, f"{fn.__name__} logged nothing"
        assert new[0].kind == expected_kind and new[0].actor == expected_actor
        assert t0 - dt.timedelta(seconds=1) <= new[0].at <= dt.datetime.now(dt.timezone.utc)
        seen.append((new[0].id, new[0].kind, new[0].actor, new[0].at, new[0].payload))
        return result

    fac = "facilitator"
    ana = workshops.join(store, code, "Ana")
    me = f"participant:{ana.participant_id}"
    joined = events(store)[-1]
    assert (joined.kind, joined.actor, joined.payload["name"]) == ("participant_joined", me, "Ana")
    step("details_updated", fac, workshops.update_details, code, key, company="Acme AG")
    step("grounding_answered", fac, workshops.set_grounding, code, key, "purpose", "Connect people")
    step("timer_started", fac, workshops.start_timer, code, key, 5)
    step("timer_stopped", fac, workshops.stop_timer, code, key)
    step("phase_advanced", fac, workshops.advance, code, key)
    card = step("card_added", me, cards.add_card, code, ana.token, "Fast")
    step("card_edited", me, cards.edit_card, code, ana.token, card.id, "Fast answers")
    extra = step("card_added", me, cards.add_card, code, ana.token, "Spare")
    step("card_withdrawn", me, cards.withdraw_card, code, ana.token, extra.id)
    step("card_added", fac, cards.add_card_as_facilitator, code, key, "Said aloud")
    step("cards_revealed", fac, cards.reveal, code, key)
    step("phase_advanced", fac, workshops.advance, code, key)
    value = step("value_created", fac, grouping.create_value, code, key, "Speed")
    step("card_assigned", fac, grouping.assign_card, code, key, card.id, value)
    step("value_renamed", fac, grouping.rename_value, code, key, value, "Pace")
    step("value_described", fac, grouping.describe_value, code, key, value, "Quick")
    spare = step("value_created", fac, grouping.create_value, code, key, "Spare")
    step("value_merged", fac, grouping.merge_values, code, key, spare, value)
    step("grouping_undone", fac, grouping.undo, code, key)
    step("value_removed", fac, grouping.remove_value, code, key, spare)
    step("phase_advanced", fac, workshops.advance, code, key)
    step("phase_undone", fac, workshops.undo_phase, code, key)
    step("phase_advanced", fac, workshops.advance, code, key)
    step("round_opened", fac, voting.open_round, code, key)
    step("round_configured", fac, voting.configure_round, code, key, budget=1)
    step("dots_set", me, voting.set_dots, code, ana.token, value, 1)
    step("round_closed", fac, voting.close_round, code, key)
    assert events(store)[-1].kind == "values_chosen"
    step("phase_advanced", fac, workshops.advance, code, key)
    draft = step("draft_added", me, vision.add_draft, code, ana.token, "Heard")
    step("draft_edited", me, vision.edit_draft, code, ana.token, draft.id, "Heard and helped")
    step("draft_added", fac, vision.add_draft_as_facilitator, code, key, "Other")
    step("phase_advanced", fac, workshops.advance, code, key)
    step("draft_rated", me, vision.rate, code, ana.token, draft.id, "simple", 4)
    step("vision_chosen", fac, vision.choose_vision, code, key, draft.id)
    step("phase_advanced", fac, workshops.advance, code, key)
    step("action_statement_set", fac, actionable.set_action_statement, code, key, value, "We reply in an hour")
    step("metrics_set", fac, actionable.set_metrics, code, key, value, ["First reply time"])
    step("phase_reopened", fac, workshops.reopen, code, key, "rating")
    step("participant_link_reissued", fac, workshops.reissue_link, code, key, ana.participant_id)

    # Append-only: what was logged first is still there, unchanged, in order; the one change
    # allowed is the text of a withdrawn card, removed from its earlier events (issue 12).
    log = {e.id: (e.id, e.kind, e.actor, e.at, e.payload) for e in events(store)}

    def scrubbed(entry):
        eid, kind, actor, at, payload = entry
        if kind in ("card_added", "card_edited") and payload.get("card") == extra.id:
            payload = {k: v for k, v in payload.items() if k != "text"} | {"text_removed": True}
        return (eid, kind, actor, at, payload)
    assert [log[s[0]] for s in seen] == [scrubbed(s) for s in seen]
    assert "Spare" not in str([e.payload for e in events(store) if e.kind.startswith("card")])
    ids = list(log)
    assert ids == sorted(ids)
    # Neither the facilitator key nor a participant token is in the record.
    record = str(dump(store))
    assert key not in record and ana.token not in record


# ---- schema versions ---------------------------------------------------------------

def test_a_new_database_starts_at_the_latest_version(db_url):
    store = Store(db_url)
    assert store.started_at_version == 0
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.LATEST
    assert Store(db_url).started_at_version == migrations.LATEST  # opening again changes nothing
    store.engine.dispose()


def _build_v1_database(url: str) -> dict:
    """A version 1 database as an early release left it, with a workshop in progress."""
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        schema_v1.Base.metadata.create_all(conn)
        conn.execute(insert(schema_v1.SchemaVersion).values(version=1))
        ws_id = conn.execute(insert(schema_v1.Workshop).values(
            code="OLDCODE2", key_hash=digest("old-key"), title="Old workshop", question="Q?", phase="brainstorm",
            revision=7, settings={}).returning(schema_v1.Workshop.id)).scalar()
        p_id = conn.execute(insert(schema_v1.Participant).values(
            workshop_id=ws_id, token_hash=digest("old-token"), number=1, display_name="Ülrike 李",
            role="member").returning(schema_v1.Participant.id)).scalar()
        conn.execute(insert(schema_v1.Card).values(workshop_id=ws_id, participant_id=p_id, text="Schnell",
                                                   shuffle_key=1))
        conn.execute(insert(schema_v1.Event).values(workshop_id=ws_id, actor="facilitator",
                                                    kind="workshop_created", payload={}))
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    return {"tables": tables}


def test_an_old_database_is_upgraded_in_place_and_keeps_its_data(db_url):
    built = _build_v1_database(db_url)
    assert "access_failures" not in built["tables"] and "participants" in built["tables"]
    store = Store(db_url)
    assert store.started_at_version == 1
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.LATEST
        assert conn.execute(text("SELECT version FROM schema_version ORDER BY version")).scalars().all() == \
            list(range(1, migrations.LATEST + 1))
        insp = inspect(conn)
        # Every table and column the code expects is there, as in a new database.
        for table in Base.metadata.sorted_tables:
            assert insp.has_table(table.name), table.name
            have = {c["name"] for c in insp.get_columns(table.name)}
            assert {c.name for c in table.columns} <= have, table.name
    # The workshop in progress carries on where it was.
    st = workshops.status(store, "OLDCODE2")
    assert (st.title, st.phase, st.cards, st.revision) == ("Old workshop", "brainstorm", 1, 7)
    # The room's marker starts where the workshop's was; the participant's own and the counts' at 0.
    old_id = workshops.whoami(store, "OLDCODE2", "old-token").participant_id
    assert store.seen_revision("OLDCODE2", old_id) == (7, 0, 0)
    me = workshops.join(store, "OLDCODE2", token="old-token")
    assert me.rejoined and me.name == "Ülrike 李"
    assert [c.text for c in cards.my_cards(store, "OLDCODE2", "old-token")] == ["Schnell"]
    cards.add_card(store, "OLDCODE2", "old-token", "Freundlich")
    assert workshops.join(store, "OLDCODE2", "Neu").number == 2
    workshops.advance(store, "OLDCODE2", "old-key")
    assert len(events(store)) == 4
    # Opening the upgraded database again is a no-op.
    again = Store(db_url)
    assert again.started_at_version == migrations.LATEST
    store.engine.dispose()
    again.engine.dispose()
