"""What one vote costs the room's pages, in-process and in CPU seconds (so the machine's load
hardly matters): ``N`` phones and the room screen, each polled once after every vote, as their
kernels' live views would. Counts the repaints and the CPU of those polls and repaints::

    .venv/bin/python -m benchmarks.room_repaints 30 60     # phones, votes

Before issue 16's room marker every vote repainted every page; after it, only the voter's own.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time

from tests.domain_helpers import voting_workshop
from workshop.domain import room, voting, workshops
from workshop.store.engine import Store
from workshop.widgets.live import Live
from workshop.widgets.participant.app import ParticipantApp
from workshop.widgets.room.app import RoomScreen


def measure(phones: int, votes: int) -> dict:
    Live.start = lambda self: self  # no pollers of their own: each page is polled below, once a vote
    store = Store(f"sqlite:///{tempfile.mkdtemp()}/room.sqlite")
    c = workshops.create_workshop(store, "Room repaints")
    tokens, vids = voting_workshop(store, c.code, c.key, n_values=9, n_people=phones)
    voting.open_round(store, c.code, c.key, budget=3)
    pages = [ParticipantApp(store, c.code, token=t) for t in tokens]
    pages.append(RoomScreen(store, room.screen_secret(store, c.code, c.key)).start())
    for page in pages:
        page.live.check_now()
    rng, dots, repaints, cpu = random.Random(1), {}, 0, 0.0
    for _ in range(votes):
        token, vid = rng.choice(tokens), rng.choice(vids)
        want = 1 - dots.get((token, vid), 0)
        try:
            voting.set_dots(store, c.code, token, vid, want)
            dots[(token, vid)] = want
        except Exception:  # noqa: BLE001 - over budget: refused, as in a room
            pass
        start = time.process_time()
        repaints += sum(1 for page in pages if page.live.check_now())
        cpu += time.process_time() - start
    store.dispose()
    return {"phones": phones, "votes": votes, "repaints_per_vote": round(repaints / votes, 2),
            "cpu_ms_per_vote": round(1000 * cpu / votes, 1),
            "cpu_ms_per_page_per_vote": round(1000 * cpu / votes / len(pages), 2),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]] or [30, 60]
    print(measure(*args) if len(args) == 2 else measure(args[0], 60))
