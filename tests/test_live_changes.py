"""Live views skip the database read while the change stamp is unchanged, and still miss nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time

import pytest

from workshop.domain import access, workshops
from workshop.store import changes
from workshop.store.engine import Store
from workshop.widgets.live import Live

#: Another process joins someone: a commit on another connection, as another kernel's.
JOIN_ELSEWHERE = ("import sys; from workshop.store.engine import Store; from workshop.domain import workshops; "
                  "workshops.join(Store(sys.argv[1]), sys.argv[2], name=sys.argv[3])")

#: Longer than any test here: a change the stamp failed to show would never be seen.
NEVER = 3600.0


class Running:
    """A Live on an event loop of its own, as in a kernel, recording every revision it reported."""

    def __init__(self, store: Store, code: str, interval: float = 0.02, check: float | None = None):
        self.live = Live(store, code, interval=interval, fallback=NEVER, check=check)
        self.seen: list[int] = []
        self.reads = 0
        self.ticks = 0
        self.live.on_change(lambda: self.seen.append(self.live.revision))
        self.live.on_tick(self._tick)
        real = store.revision

        def counted(c):
            self.reads += 1
            return real(c)
        self.live.store = _Counting(store, counted)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _tick(self):
        self.ticks += 1

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.live.start()
        self.loop.run_forever()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.live.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def wait_for(self, revision: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.live.revision == revision:
                return
            time.sleep(0.01)
        raise AssertionError(f"the live view shows revision {self.live.revision}, the database {revision}")


class _Counting:
    """The store, with its revision reads counted."""

    def __init__(self, store, revision):
        self._store = store
        self.revision = revision
        self.url = store.url
        self.change_stamp = store.change_stamp


@pytest.mark.parametrize("interval, check", [(0.02, None), (0.3, 0.01)], ids=["every-round", "quick-check"])
def test_every_change_reaches_the_live_view(db_url, interval, check):
    """Writes by another engine of this process: each is seen, though the fallback read never
    comes; with a quick check, also the write that lands right after a read, within the interval
    in which the view does not repaint again."""
    reader, writer = Store(db_url), Store(db_url)
    try:
        code = workshops.create_workshop(writer, "Live").code
        with Running(reader, code, interval, check) as run:
            run.wait_for(writer.revision(code))
            for i in range(8):
                workshops.join(writer, code, name=f"Person {i}")
                run.wait_for(writer.revision(code))
                workshops.join(writer, code, name=f"Right after {i}")
                run.wait_for(writer.revision(code))
        assert run.seen == sorted(set(run.seen)), "revisions only move forward"
    finally:
        reader.dispose()
        writer.dispose()


@pytest.mark.sqlite_only
def test_a_change_from_another_process_reaches_the_live_view_and_quiet_costs_no_reads(sqlite_url):
    reader = Store(sqlite_url)
    try:
        code = workshops.create_workshop(reader, "Live").code
        with Running(reader, code) as run:
            run.wait_for(reader.revision(code))
            # Quiet: the stamp stands still, so the poller reads no more (a tick is 50 rounds).
            reads, ticks = run.reads, run.ticks
            _wait(lambda: run.ticks >= ticks + 2)
            assert run.reads == reads, "rounds without a change read nothing"
            for i in range(3):
                subprocess.run([sys.executable, "-c", JOIN_ELSEWHERE, sqlite_url, code, f"Elsewhere {i}"],
                               check=True, env=os.environ.copy())
                run.wait_for(reader.revision(code))
    finally:
        reader.dispose()


@pytest.mark.sqlite_only
def test_the_stamp_moves_with_each_commit_and_only_then(sqlite_url, tmp_path):
    store = Store(sqlite_url)
    try:
        code = workshops.create_workshop(store, "Stamp").code
        before = changes.stamp(store.url)
        assert before is not None
        store.revision(code)
        assert changes.stamp(store.url) == before, "a read is no change"
        workshops.join(store, code, name="Ada")
        after = changes.stamp(store.url)
        assert after != before
        # The stamp's connection holds no snapshot between stamps: a full checkpoint is not held back.
        with store.engine.connect() as conn:
            busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        assert busy == 0
        # A database file replaced under the same name (a restore): its changes are seen too.
        store.dispose()
        path = sqlite_url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        fresh = Store(sqlite_url)
        try:
            code = workshops.create_workshop(fresh, "Restored").code
            replaced = changes.stamp(fresh.url)
            workshops.join(fresh, code, name="Bea")
            assert changes.stamp(fresh.url) not in (replaced, after)
        finally:
            fresh.dispose()
    finally:
        store.dispose()


def test_a_quick_read_answers_what_the_ordinary_read_answers(db_url):
    """The markers read on the loop (SQLite) are the ones SQLAlchemy reads, for every case a page
    meets: the workshop alone, one of its participants, someone of another workshop, no such
    workshop. PostgreSQL cannot be read that way: it says so, and the page reads the ordinary way."""
    store = Store(db_url)
    try:
        code = workshops.create_workshop(store, "Quick").code
        other = workshops.create_workshop(store, "Other").code
        ada = workshops.join(store, code, name="Ada")
        stranger = workshops.join(store, other, name="Bea")
        workshops.join(store, code, name="Cy")
        with store.writing() as tx:  # a write of Ada's own moves her marker
            access.as_participant(tx, code, ada.token)
        cases = [(code, None), (code, ada.participant_id), (code, stranger.participant_id),
                 ("NOSUCH", ada.participant_id), (code.lower(), ada.participant_id)]
        for c, pid in cases:
            quick = store.quick_seen_revision(c, pid)
            if store.dialect != "sqlite":
                assert quick is changes.CANNOT_TELL
                continue
            assert quick == store.seen_revision(c, pid), (c, pid)
        assert store.seen_revision(code, ada.participant_id)[1] > 0, "a participant's own marker"
        assert store.seen_revision(code, stranger.participant_id)[1] == 0, "not of this workshop"
        for c in (code, other, "NOSUCH"):
            quick = store.quick_revision(c)
            assert quick is changes.CANNOT_TELL if store.dialect != "sqlite" else quick == store.revision(c)
    finally:
        store.dispose()


@pytest.mark.sqlite_only
def test_on_sqlite_a_live_view_follows_every_change_without_a_thread_read(sqlite_url):
    """Another process's commits reach the view through the quick read alone: the ordinary read,
    SQLAlchemy on a worker thread, is never made (it would fail the test here)."""
    store = Store(sqlite_url)
    try:
        code = workshops.create_workshop(store, "Live").code
        ada = workshops.join(store, code, name="Ada")
        expected = store.seen_revision(code, ada.participant_id)

        def no_thread_read(*_args):
            raise AssertionError("read through SQLAlchemy")
        live = Live(store, code, interval=0.02, fallback=0.05, follows="room")
        live.participant_id = ada.participant_id
        seen = []
        live.on_change(lambda: seen.append(live.revision))
        live.store = _QuickOnly(store, no_thread_read)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=lambda: (asyncio.set_event_loop(loop), live.start(), loop.run_forever()),
                                  daemon=True)
        thread.start()
        try:
            _wait(lambda: live.revision == expected)
            for i in range(3):
                subprocess.run([sys.executable, "-c", JOIN_ELSEWHERE, sqlite_url, code, f"Elsewhere {i}"],
                               check=True, env=os.environ.copy())
                expected = store.seen_revision(code, ada.participant_id)
                _wait(lambda: live.revision == expected)
            assert live.connected
            assert seen == sorted(set(seen)) and len(seen) == 4, seen
        finally:
            loop.call_soon_threadsafe(live.stop)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
    finally:
        store.dispose()


class _QuickOnly:
    """The store with its ordinary marker reads replaced."""

    def __init__(self, store, ordinary):
        self.quick_seen_revision = store.quick_seen_revision
        self.quick_revision = store.quick_revision
        self.change_stamp = store.change_stamp
        self.seen_revision = self.revision = ordinary


def test_no_stamp_for_an_in_memory_database():
    """Private to each connection: nothing to watch, always read."""
    assert changes.stamp("sqlite:///:memory:") is None
    assert changes.stamp(None) is None
    assert changes.peek("sqlite:///:memory:", "SELECT 1", ()) is changes.CANNOT_TELL


def _wait(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError("condition not met")
