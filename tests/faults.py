"""Fault injection for the trust tests: stop PostgreSQL briefly, run a second facilitator, count what happened.

Also runnable as ``python -m tests.faults facilitate URL CODE KEY SEED STEPS``:
one facilitator process that advances, undoes, opens and closes rounds at
random, printing one JSON line of what it did.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

#: Outages longer than this would disturb the other users of the shared PostgreSQL.
MAX_OUTAGE_SECONDS = 5.0


@dataclass
class Figures:
    """What the fault tests did, printed at the end of the module."""

    faults_injected: int = 0
    faults_survived: int = 0
    payloads_tried: int = 0
    actions_acknowledged: int = 0
    actions_refused_clearly: int = 0
    actions_lost: int = 0
    applied_twice: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            "trust figures:",
            f"  faults injected / survived: {self.faults_injected} / {self.faults_survived}",
            f"  payloads tried:             {self.payloads_tried}",
            f"  actions acknowledged:       {self.actions_acknowledged}",
            f"  refused with a message:     {self.actions_refused_clearly}",
            f"  actions lost:               {self.actions_lost}",
            f"  applied twice:              {self.applied_twice}",
        ] + [f"  - {n}" for n in self.notes]


FIGURES = Figures()


# ---- PostgreSQL -------------------------------------------------------------------------------
def _cluster() -> str:
    versions = sorted(os.listdir("/etc/postgresql"))
    return versions[-1]


def pg_ctl(what: str) -> None:
    cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", _cluster(), "main", what]
    if what == "stop":
        cmd += ["-m", "fast"]
    subprocess.run(cmd, check=True, timeout=30, capture_output=True)


def pg_is_up() -> bool:
    import psycopg
    try:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def can_control_pg() -> str | None:
    if not Path("/etc/postgresql").is_dir():
        return "no local PostgreSQL cluster"
    if os.geteuid() != 0:
        return "stopping PostgreSQL needs root"
    if not pg_is_up():
        return "PostgreSQL is not running"
    return None


@contextmanager
def pg_outage(seconds: float):
    """Stop PostgreSQL, hold the outage for ``seconds``, and always start it again."""
    seconds = min(seconds, MAX_OUTAGE_SECONDS)
    FIGURES.faults_injected += 1
    stopped_at = time.monotonic()
    try:
        pg_ctl("stop")
        yield
        time.sleep(max(0.0, seconds - (time.monotonic() - stopped_at)))
    finally:
        pg_ctl("start")
        deadline = time.monotonic() + 30
        while not pg_is_up() and time.monotonic() < deadline:
            time.sleep(0.2)
    FIGURES.notes.append(f"PostgreSQL down for {time.monotonic() - stopped_at:.1f} s")


# ---- a second facilitator ------------------------------------------------------------------------
def facilitator_process(url: str, code: str, key: str, seed: int, steps: int) -> subprocess.Popen:
    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen([sys.executable, "-m", "tests.faults", "facilitate", url, code, key, str(seed), str(steps)],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE, text=True)


def _facilitate(url: str, code: str, key: str, seed: int, steps: int) -> dict:
    from workshop.core.errors import WorkshopError
    from workshop.domain import voting, workshops
    from workshop.store import Store

    store = Store(url)
    store.revision(code)
    print("ready", flush=True)
    sys.stdin.readline()
    rng = random.Random(seed)
    done = {"ok": 0, "refused": 0, "errors": []}
    moves = [
        lambda: workshops.advance(store, code, key),
        lambda: workshops.undo_phase(store, code, key),
        lambda: voting.open_round(store, code, key),
        lambda: voting.close_round(store, code, key),
        lambda: voting.reopen_last_round(store, code, key),
    ]
    for _ in range(steps):
        try:
            rng.choice(moves)()
            done["ok"] += 1
        except WorkshopError:
            done["refused"] += 1
        except Exception as exc:  # noqa: BLE001 - anything untyped is a finding
            done["errors"].append(f"{type(exc).__name__}: {exc}")
    store.dispose()
    return done


if __name__ == "__main__":
    if sys.argv[1] == "facilitate":
        url, code, key, seed, steps = sys.argv[2:7]
        print(json.dumps(_facilitate(url, code, key, int(seed), int(steps))), flush=True)
