"""Live views: poll the workshop's change marker and refresh widgets in place.

Runs as an asyncio task in the kernel's own event loop. The database read
happens on a worker thread so a slow or unreachable database never freezes
the visitor's widgets; callbacks run back on the loop.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

log = logging.getLogger(__name__)


class Live:
    """Calls ``on_change`` callbacks when the workshop's revision moves.

    ``interval`` is the polling period in seconds; ``on_tick`` callbacks run
    about once a second (countdowns, presence) whether or not anything changed.
    ``on_connection(ok)`` is told when the database stops or starts answering.
    """

    def __init__(self, store, code: str, interval: float = 0.25):
        self.store = store
        self.code = code
        self.interval = interval
        self.revision: int | None = None
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

    def check_now(self) -> bool:
        """Poll once, synchronously (tests and the first render); True if it changed."""
        rev = self.store.revision(self.code)
        return self._apply(rev)

    def _apply(self, rev) -> bool:
        if rev == self.revision:
            return False
        self.revision = rev
        self._fire(self._changes)
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
            try:
                rev = await loop.run_in_executor(self._pool, self.store.revision, self.code)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._set_connected(False)
            else:
                self._set_connected(True)
                self._apply(rev)
            since_tick += self.interval
            if since_tick >= 1.0:
                since_tick = 0.0
                self._fire(self._ticks)
            await asyncio.sleep(self.interval)
