"""Waiting in tests: until a condition holds (never for a fixed time), and for a coroutine run
on a thread of its own.

The thread: in a full run sync Playwright holds a running event loop on the main thread, where
``asyncio.run`` fails, and would also leave the main thread without a current loop for the tests
after it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable, Coroutine


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2):
    """``predicate()``'s first true value, asked again every ``interval`` seconds; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)


def run_on_own_thread(make_coroutine: Callable[[], Coroutine], timeout: float, name: str):
    """``asyncio.run(make_coroutine())`` on a new thread: its result, or its error raised here."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as exc:  # noqa: BLE001 - raised again below, in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name=name)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{name} did not finish within {timeout}s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
