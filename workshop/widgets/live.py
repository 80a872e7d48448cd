"""Live views: poll the workshop's change marker and refresh widgets in place.

Which marker depends on who looks (``follows``): the facilitator's console
follows every write (``Store.revision``); the room screen and the visitors'
pages follow what the room sees plus, once signed in, what that one participant
did (``Store.seen_revision``), so a vote in a room of 100 repaints the console
and the voter's own tabs, not the 99 other phones and the room screen.

Runs as an asyncio task in the kernel's own event loop. The database read
happens on a worker thread so a slow or unreachable database never freezes
the visitor's widgets; callbacks run back on the loop.

Before each read the poller asks the store for a cheap change stamp
(workshop/store/changes.py): while it is unchanged nothing was committed, and
the read, its thread hop and its SQL are skipped. A room of 100 kernels polling
twice a second otherwise spends a tenth of a core on reads that find nothing.
The read still happens every ``fallback`` seconds, as insurance. Being cheap,
the stamp can be looked at more often than the interval (``check``) where a
change must show at once, as on the facilitator's screen.

Where the store can read the marker itself that cheaply (SQLite: ``Store.quick_revision``,
on the stamp's own connection, about 10 microseconds), each round reads it on the loop
and the stamp is not needed. That counts in a large room: every write moves the stamp,
a phone's "still here" mark too, so in a room of 400 the stamp moved 20 times a second
and every kernel made the half-millisecond read twice a second (1.3 of the 2 cores,
idle). A marker that cannot be read at once (PostgreSQL, a busy file) goes the ordinary
way, stamp and thread, that round.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from workshop.store.changes import CANNOT_TELL

log = logging.getLogger(__name__)

#: What a live view follows: every write to the workshop, or what the whole room sees (and the
#: signed-in participant's own writes, with ``Live.participant_id``).
WORKSHOP, ROOM = "workshop", "room"


class Live:
    """Calls ``on_change`` callbacks when the marker it follows moves (``follows``: WORKSHOP or ROOM).

    ``interval`` is the polling period in seconds (and, with ``check``, the shortest
    time between two repaints); ``check`` how often the cheap change stamp is looked
    at, where the store has one (default: every interval); ``on_tick`` callbacks run
    about once a second (countdowns, presence) whether or not anything changed.
    ``on_connection(ok)`` is told when the database stops or starts answering.
    ``counts_every`` (with ROOM): a change of the room's counts alone (the marker's last part,
    ``tally_revision``) repaints at most this often; any other change at once.
    """

    #: Seconds between database reads when the change stamp says nothing changed.
    FALLBACK = 5.0

    def __init__(self, store, code: str, interval: float = 0.25, fallback: float | None = None,
                 check: float | None = None, follows: str = WORKSHOP, counts_every: float | None = None):
        self.store = store
        self.code = code
        self.follows = follows
        #: With ROOM: the signed-in participant whose own writes repaint this view too.
        self.participant_id: int | None = None
        self.interval = interval
        self.fallback = self.FALLBACK if fallback is None else fallback
        # Where the store has a cheap change stamp, look at it every ``check`` seconds: a
        # change shows within ``check`` of its commit, not up to an interval later.
        self.check = min(check or interval, interval)
        self._stamp = None
        self._read_at = float("-inf")
        self.counts_every = counts_every
        self._applied_at = float("-inf")
        #: The marker last seen (what ``marker()`` returns); None before the first.
        self.revision = None
        self.connected = True
        self._changes: list[Callable[[], None]] = []
        self._ticks: list[Callable[[], None]] = []
        self._connection: list[Callable[[bool], None]] = []
        self._task: asyncio.Task | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live")

    def on_change(self, fn: Callable[[], None]) -> Callable[[], None]:
        self._changes.append(fn)
        return fn

    def on_tick(self, fn: Callable[[], None]) -> Callable[[], None]:
        self._ticks.append(fn)
        return fn

    def on_connection(self, fn: Callable[[bool], None]) -> Callable[[bool], None]:
        self._connection.append(fn)
        return fn

    def start(self) -> "Live":
        if self._task is None or self._task.done():
            loop = asyncio.get_event_loop()
            self._task = loop.create_task(self._run())
        return self

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def marker(self):
        """The marker this view follows, read now: one indexed single-row read."""
        if self.follows == WORKSHOP:
            return self.store.revision(self.code)
        return self.store.seen_revision(self.code, self.participant_id)

    def quick_marker(self):
        """:meth:`marker` without waiting, on the caller's thread, where the store can;
        otherwise ``CANNOT_TELL``."""
        if self.follows == WORKSHOP:
            quick = getattr(self.store, "quick_revision", None)
            return CANNOT_TELL if quick is None else quick(self.code)
        quick = getattr(self.store, "quick_seen_revision", None)
        return CANNOT_TELL if quick is None else quick(self.code, self.participant_id)

    def follow(self, participant_id: int | None) -> None:
        """Follow ``participant_id``'s own writes too, from the marker read now. Called before the
        page paints for them, so a write between this read and the paint repaints once more
        rather than never; a database not answering leaves it to the next poll."""
        self.participant_id = participant_id
        self._applied_at = time.monotonic()  # the page paints next, counts and all
        try:
            self.revision = self.marker()
        except Exception:  # noqa: BLE001 - the poller reports the connection its own way
            self.revision = None

    def check_now(self) -> bool:
        """Poll once, synchronously (tests and the first render); True if it changed."""
        return self._apply(self.marker())

    def _apply(self, rev) -> bool:
        if not self._due(rev):
            return False
        self.revision, self._applied_at = rev, time.monotonic()
        self._fire(self._changes)
        return True

    def _due(self, rev) -> bool:
        """Repaint for ``rev`` now? Not if nothing moved, nor if only the counts moved and they
        were repainted less than ``counts_every`` ago (a later round repaints them)."""
        if rev == self.revision:
            return False
        if (self.counts_every and isinstance(rev, tuple) and isinstance(self.revision, tuple)
                and rev[:-1] == self.revision[:-1]):
            return time.monotonic() - self._applied_at >= self.counts_every
        return True

    def _fire(self, callbacks, *args) -> None:
        for fn in list(callbacks):
            try:
                fn(*args)
            except Exception:  # one broken view must not stop the others
                log.exception("live view callback failed")

    def _set_connected(self, ok: bool) -> None:
        if ok != self.connected:
            self.connected = ok
            self._fire(self._connection, ok)

    async def _run(self) -> None:
        loop = asyncio.get_event_loop()
        since_tick = 0.0
        while True:
            # Both microseconds, on the loop, no thread: the marker itself where the store can
            # read it so (SQLite), else the stamp (no SQL). A store with neither (a test's
            # stand-in) is read every round.
            quick = self.quick_marker()
            stamp = (None if quick is not CANNOT_TELL or not hasattr(self.store, "change_stamp")
                     else self.store.change_stamp())
            if quick is not CANNOT_TELL:
                self._set_connected(True)
                if self._due(quick) and self._interval_since_read():
                    self._read_at = time.monotonic()
                    self._apply(quick)
            elif self._should_read(stamp):
                try:
                    rev = await self._read(loop, stamp)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    self._set_connected(False)
                else:
                    self._set_connected(True)
                    self._apply(rev)
            # Without a stamp every round is a read, so rounds stay an interval apart.
            round_s = self.check if stamp is not None or quick is not CANNOT_TELL else self.interval
            since_tick += round_s
            if since_tick >= 1.0:
                since_tick = 0.0
                self._fire(self._ticks)
            await asyncio.sleep(round_s)

    def _should_read(self, stamp) -> bool:
        """Read the revision this round? Always without a stamp; with one, when it moved (at most
        once an interval, so a storm of votes repaints no more often than before), while the
        database is not answering (once an interval), and every ``fallback`` seconds."""
        if stamp is None:
            return True
        gap_over = self._interval_since_read()
        if not self.connected:
            return gap_over
        return time.monotonic() - self._read_at >= self.fallback or (stamp != self._stamp and gap_over)

    def _interval_since_read(self) -> bool:
        """Has an interval passed since the last read? (Repaints stay an interval apart.)"""
        # Half a round of slack: a round's sleep may end a hair before a whole interval.
        return time.monotonic() - self._read_at + self.check / 2 >= self.interval

    async def _read(self, loop, stamp):
        # The stamp was taken before the read: a commit in between changes the next stamp.
        rev = await loop.run_in_executor(self._pool, self.marker)
        self._stamp, self._read_at = stamp, time.monotonic()
        return rev
