"""A whole room pressing Join in the same second: the joins wait their turn, none is sent back.

On SQLite every write waits for the one write lock. With 400 kernels on two cores, the kernel
holding it waits for a core, and the ordinary budget (4 attempts of the busy timeout) sent one
joiner in five back with "not answering, please try again" (measured, stop 21). Join is patient
with a *busy* database (``settings.JOIN_PATIENCE_S``); a database that does not answer at all is
still said after the ordinary budget (tests/test_idempotency.py).

Here the lock is held by another connection, as the crowd would hold it, and the busy timeout
is cut so that the ordinary budget runs out in well under a second.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from workshop.core import settings
from workshop.core.errors import StoreUnavailable
from workshop.domain import workshops
from workshop.store import Store
from workshop.store.engine import _retrying
from workshop.store.schema import Participant


@pytest.fixture
def busy_store(sqlite_url, monkeypatch):
    """A SQLite store whose writers wait 50 ms for the lock, and a workshop in it."""
    monkeypatch.setattr(settings, "SQLITE_BUSY_TIMEOUT_MS", 50)
    store = Store(sqlite_url)
    created = workshops.create_workshop(store, "Acme support philosophy", company="Acme")
    yield store, created.code, created.key
    store.engine.dispose()


class WriteLock:
    """SQLite's write lock, held by a connection of its own (the rest of the crowd)."""

    def __init__(self, store: Store):
        self.conn = sqlite3.connect(store.engine.url.database, isolation_level=None,
                                    check_same_thread=False)

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.release()

    def release(self):
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")


def write_attempts(store: Store) -> list[int]:
    """Counts every write transaction the store begins (each retry is one)."""
    seen = [0]

    def counted(conn):
        if conn.get_execution_options().get("workshop_write"):
            seen[0] += 1
    # First in line: the store's own listener then emits BEGIN IMMEDIATE, which is what fails.
    event.listen(store.write_engine, "begin", counted, insert=True)
    return seen


def until(condition, what: str, within: float = 60.0):
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"waited {within:.0f} s for {what}"
        time.sleep(0.02)


def participants(store: Store) -> list[str]:
    with store.reading() as tx:
        return list(tx.session.execute(select(Participant.display_name)).scalars())


def test_a_join_waits_for_the_lock_past_the_budget_that_other_actions_give_up_after(busy_store):
    store, code, key = busy_store
    attempts = write_attempts(store)
    answers: list = []
    with WriteLock(store) as lock:
        joining = threading.Thread(target=lambda: answers.append(workshops.join(store, code, "Ana")))
        joining.start()
        # The ordinary budget is 4 attempts; the join goes on asking after it.
        until(lambda: attempts[0] >= 6, "the join to try a sixth time")
        assert joining.is_alive() and answers == []
        # Any other action still gives up after its 4 attempts, and says so.
        with pytest.raises(StoreUnavailable):
            workshops.set_joining(store, code, key, False)
        lock.release()
        joining.join(timeout=60)
    assert not joining.is_alive()
    assert answers[0].name == "Ana" and participants(store) == ["Ana"]
    assert workshops.status(store, code).joining_open  # the refused action changed nothing


def test_the_join_form_says_the_join_is_under_way_while_it_waits(busy_store):
    from workshop.pages import participant as page
    from workshop.widgets.participant import ParticipantApp

    store, code, _ = busy_store
    app = page.open_app(ParticipantApp(store), {"w": code})
    form = app.join_form
    form.name.value = "Ana"
    seen: list = []

    def crowd(lock):
        # What the person sees while the crowd holds the lock; then the crowd moves on.
        until(lambda: "ws-working" in form.feedback.value, "the form to say the join is under way")
        seen.append((form.feedback.value, form.button.disabled))
        lock.release()

    with WriteLock(store) as lock:
        moving_on = threading.Thread(target=crowd, args=(lock,))
        moving_on.start()
        form._join()  # in this thread, as a click is handled in the kernel's
        moving_on.join(timeout=60)
    said, disabled = seen[0]
    assert 'role="status"' in said and "keep this page open" in said
    assert disabled  # one click, one join
    assert getattr(app, "joined", None) is not None and app.joined.name == "Ana"
    assert participants(store) == ["Ana"]


def busy(*_):
    raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


def down(*_):
    raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


def counting(fn):
    calls = [0]

    def run():
        calls[0] += 1
        fn()
    return run, calls


def test_patience_ends_and_then_says_the_database_is_not_answering():
    run, calls = counting(busy)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        _retrying(run, patience=2.0)
    assert time.monotonic() - started >= 2.0 and calls[0] > 4


def test_a_database_that_does_not_answer_is_said_after_the_ordinary_budget_even_when_patient():
    run, calls = counting(down)
    with pytest.raises(StoreUnavailable):
        _retrying(run, patience=300)
    assert calls[0] == 4


def test_without_patience_a_busy_database_is_said_after_four_attempts():
    run, calls = counting(busy)
    with pytest.raises(StoreUnavailable):
        _retrying(run)
    assert calls[0] == 4
