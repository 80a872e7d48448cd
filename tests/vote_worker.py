"""One voting kernel for tests/test_concurrency.py, run as its own OS process.

Usage: python -m tests.vote_worker URL CODE TOKEN SEED CHANGES VALUE_ID...
Prints "ready" once connected, waits for "go" on stdin, then sets random dots
on its own values and prints one JSON line: what it believes it holds.
"""

from __future__ import annotations

import json
import random
import sys

from workshop.core.errors import BudgetExceeded, StoreUnavailable
from workshop.domain import voting
from workshop.store import Store


def main(argv: list[str]) -> None:
    url, code, token, seed, changes, *mine = argv
    mine = [int(v) for v in mine]
    store = Store(url)
    store.revision(code)  # connected and warm before the start signal
    rng = random.Random(int(seed))
    held = {vid: 0 for vid in mine}
    accepted = refused = retried = 0
    overspent = []
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    for _ in range(int(changes)):
        vid, dots = rng.choice(mine), rng.randint(0, 3)
        while True:
            try:
                ballot = voting.set_dots(store, code, token, vid, dots)
            except BudgetExceeded:
                refused += 1
            except StoreUnavailable:
                retried += 1  # not acknowledged; an absolute number is safe to send again
                continue
            else:
                accepted += 1
                held[vid] = dots
                if ballot.used > ballot.budget:
                    overspent.append(ballot.used)
            break
    store.engine.dispose()
    print(json.dumps({"token": token, "held": held, "accepted": accepted, "refused": refused,
                      "retried": retried, "overspent": overspent}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
