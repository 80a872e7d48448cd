"""Linux's same-page merging (KSM) switched on for one benchmark run, and what it merged.

A forked kernel's private memory is mostly pages it wrote without changing them for good
(reference counts up and back down): byte for byte another kernel's page. KSM shares such
pages again, where the machine's admin runs it; ``workshop.server.template`` marks the
template and every kernel forked from it mergeable when it does. This module is for
``benchmarks.room --ksm``: it needs root, switches KSM on only for the run and puts the
machine's settings back afterwards (a host setting the product itself never changes).
"""

from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

SYSFS = Path("/sys/kernel/mm/ksm")

#: Pages ksmd compares per wake-up (every ``sleep_millisecs``, 20 ms by default): the default 100
#: would take minutes to scan a room of a few gigabytes once.
PAGES_TO_SCAN = 4000


def _read(name: str) -> int:
    return int((SYSFS / name).read_text().split()[0])


def available() -> bool:
    try:
        (SYSFS / "run").open("r+").close()
        return True
    except OSError:
        return False


class Switched:
    """``with Switched():`` KSM runs, scanning ``pages_to_scan`` pages a wake-up; then as before."""

    def __init__(self, pages_to_scan: int = PAGES_TO_SCAN):
        self.pages_to_scan = pages_to_scan
        self.saved: dict[str, str] = {}

    def __enter__(self) -> Switched:
        for name in ("run", "pages_to_scan"):
            self.saved[name] = (SYSFS / name).read_text().strip()
        (SYSFS / "pages_to_scan").write_text(str(self.pages_to_scan))
        (SYSFS / "run").write_text("1")
        return self

    def __exit__(self, *exc) -> None:
        # run=2 would also unmerge every page; "0" stops ksmd and leaves merged pages merged
        # until their processes write them, which the room's processes do as they exit.
        for name, value in self.saved.items():
            (SYSFS / name).write_text(value)


def add_option(parser: argparse.ArgumentParser, what: str = "measure the room once merged") -> None:
    """The ``--ksm`` option every room benchmark takes."""
    parser.add_argument("--ksm", action="store_true",
                        help=f"switch Linux's same-page merging on for the run (root) and {what}")


def run(wanted: bool, parser: argparse.ArgumentParser, benchmark: Callable[[], T]) -> T:
    """``benchmark()``, with KSM switched on around it when ``--ksm`` was given. A SIGTERM
    (a benchmark stopped by ``kill`` or ``timeout``) ends the run like Ctrl-C, so the machine's
    settings are put back either way: a run stopped that way used to leave ksmd scanning."""
    if not wanted:
        return benchmark()
    if not available():
        parser.error(f"--ksm needs write access to {SYSFS} (root, Linux with KSM)")

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with Switched():
            return benchmark()
    finally:
        signal.signal(signal.SIGTERM, previous)


def ksmd_cpu_seconds() -> float:
    """CPU seconds the ksmd kernel thread has used since boot (0 if it cannot be found)."""
    import os
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "ksmd":
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return 0.0


def wait_full_scans(count: int = 2, timeout: float = 600) -> float:
    """Seconds until ksmd has scanned every mergeable page ``count`` more times: merging has
    settled (a page is merged on the scan after the one that first saw it unchanged)."""
    start, began = _read("full_scans"), time.monotonic()
    while _read("full_scans") < start + count:
        if time.monotonic() - began > timeout:
            raise TimeoutError(f"ksmd did not finish {count} full scans within {timeout:.0f} s")
        time.sleep(0.5)
    return time.monotonic() - began


def merged_mb() -> dict:
    """What ksmd reports: pages shared (the one copy kept) and the mappings sharing them."""
    page_mb = 4096 / 2**20
    return {"pages_shared_mb": round(_read("pages_shared") * page_mb, 1),
            "pages_sharing_mb": round(_read("pages_sharing") * page_mb, 1)}
