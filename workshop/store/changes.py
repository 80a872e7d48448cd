"""A cheap "may the database have changed?" for live views, before they ask it what changed.

Every visitor's kernel polls its workshop's revision several times a second
(workshop/widgets/live.py). Through SQLAlchemy, on a worker thread, that read
costs about half a millisecond of CPU in each kernel, and a room of 100
makes hundreds a second on two cores. Between votes nearly all of them find
nothing new. :func:`stamp` answers the question in microseconds, on the
caller's thread, without SQL:

- SQLite: ``PRAGMA data_version`` on one read-only connection per process,
  kept for that alone. SQLite changes the number whenever another connection
  (any process) commits, and only then, so an unchanged stamp is proof that
  nothing was committed; unlike a file's mtime it has no clock resolution to
  race with.
- Anything else (PostgreSQL): ``None``, "don't know": ask the database.

``WORKSHOP_LIVE_STAMP=0`` turns the stamp off (every poll reads the database, as
before it existed): for measuring what it saves, or a filesystem where SQLite's
shared memory misbehaves.

A stamp is only ever compared with an earlier stamp of the same process; a
caller takes it *before* its real read, so a commit between the two makes the
next stamp differ (one read too many, never one too few).

:func:`peek` runs one small read on that same connection, for the change markers
themselves (``Store.quick_revision``): about 10 microseconds, where SQLAlchemy's
read on a worker thread costs half a millisecond. It matters once a room is large:
every write moves the stamp (a phone's "still here" mark included: 20 a second in a
room of 400), and then every kernel read its marker through SQLAlchemy twice a
second, which took most of two cores. A reader of a WAL database never waits for a
writer, so the read stays on the loop; when it cannot answer at once (busy, no
such file, not SQLite) it says :data:`CANNOT_TELL` and the caller reads the
ordinary way.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Hashable

from sqlalchemy.engine import make_url

#: Set to "0" to read the database at every poll.
OFF_ENV = "WORKSHOP_LIVE_STAMP"

#: What :func:`peek` answers when it cannot tell without waiting: read the ordinary way.
CANNOT_TELL = object()

_watches: dict[str, _SqliteDataVersion | None] = {}
_lock = threading.Lock()


def stamp(url: str | None) -> Hashable | None:
    """An opaque value that differs from every earlier one whenever ``url``'s database may have
    changed since; ``None`` when that cannot be told cheaply (ask the database)."""
    watch = _watch(url)
    return None if watch is None else watch.stamp()


def peek(url: str | None, sql: str, params: tuple) -> list[tuple] | object:
    """The rows of one read-only statement (in SQLite's dialect, ``?`` parameters) on ``url``'s
    watch connection, without waiting; :data:`CANNOT_TELL` when that cannot be done at once."""
    watch = _watch(url)
    return CANNOT_TELL if watch is None else watch.peek(sql, params)


def _watch(url: str | None) -> _SqliteDataVersion | None:
    if not url:
        return None
    watch = _watches.get(url, False)
    if watch is False:
        with _lock:
            watch = _watches.get(url, False)
            if watch is False:
                watch = _watches[url] = _watch_for(url)
    return watch


def _watch_for(url: str):
    if os.environ.get(OFF_ENV) == "0":
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None  # an in-memory database is private to each connection: nothing to watch
    return _SqliteDataVersion(parsed.database)


class _SqliteDataVersion:
    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._file: tuple[int, int] | None = None
        # Counts the connections opened: a new connection counts data_version from its own
        # start, so its numbers must never equal the old one's.
        self._generation = 0

    def stamp(self) -> Hashable | None:
        rows = self.peek("PRAGMA data_version", ())
        if rows is CANNOT_TELL:
            return None
        ((version,),) = rows
        return (self._generation, version)

    def peek(self, sql: str, params: tuple) -> list[tuple] | object:
        with self._lock:
            try:
                st = os.stat(self.path)
                # A database file replaced under the same name (a restore, a test's fresh
                # database) would leave this connection watching the old, unchanging file.
                if self._conn is None or self._file != (st.st_dev, st.st_ino):
                    self._open((st.st_dev, st.st_ino))
                # fetchall: the statement runs to its end, so no read transaction stays open
                # between reads (it would hide later commits and hold back checkpoints).
                return self._conn.execute(sql, params).fetchall()
            except (OSError, sqlite3.Error):
                # Missing file, busy, anything unexpected: drop the connection, let the
                # caller ask the database (which reports the trouble its own way).
                self._close()
                return CANNOT_TELL

    def _open(self, file: tuple[int, int]) -> None:
        self._close()
        # mode=rw: never create an empty database where none is. timeout=0: a stamp is
        # taken on the kernel's event loop, so a busy database answers "don't know" at once
        # instead of freezing the visitor's widgets; the worker-thread read waits instead.
        self._conn = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, timeout=0,
                                     isolation_level=None, check_same_thread=False)
        self._file = file
        self._generation += 1

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
        self._conn = None
        self._file = None


def _forget_after_fork() -> None:
    # A SQLite connection must not be used across fork(): kernels forked from the template
    # open their own (and a lock held by a thread that did not survive the fork is stale).
    global _lock
    _watches.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
