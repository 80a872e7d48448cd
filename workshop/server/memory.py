"""The Voila process gives the memory it has freed back to the system, every few seconds.

When a room joins, the server renders every visitor's page and relays the first burst of widget
messages: tens of megabytes of short-lived strings and dicts, freed again once the pages are
served. glibc's malloc keeps freed memory inside its heap (it returns only what is free at the
very top of it), so the process stayed as large as at the burst's peak: in a room of 30 (forked
kernels) the server's PSS went from about 140 to 194 MB as the room joined, and one
``malloc_trim(0)`` brought it to 119 MB with the room still connected (benchmarks/server_memory.py
``--trim``). Setting malloc's thresholds or arena count in the environment did not help (187 MB
with MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ at 128 KB, 187 MB with MALLOC_ARENA_MAX=2).

So a daemon thread calls ``malloc_trim(0)`` every :data:`TRIM_SECONDS`. ctypes releases the GIL for
the call, so Python keeps running; a trim takes 10-15 ms of CPU on a heap of 200 MB (about 0.1% of a
core at this interval). Only where the C library is glibc; elsewhere nothing happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time

#: How often the server returns its freed memory: soon enough after a room has joined that the
#: peak does not stay, rare enough that the heap walk costs nothing noticeable.
TRIM_SECONDS = 10.0


def _malloc_trim():
    """glibc's ``malloc_trim``, or None where there is none (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def give_back_freed_memory(every: float = TRIM_SECONDS) -> threading.Thread | None:
    """Starts the thread that trims the heap every ``every`` seconds; None without glibc."""
    trim = _malloc_trim()
    if trim is None:
        return None

    def run() -> None:
        while True:
            time.sleep(every)
            trim(0)

    thread = threading.Thread(target=run, name="malloc-trim", daemon=True)
    thread.start()
    return thread
