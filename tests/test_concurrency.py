"""Many kernels voting at the same instant, for the same people: the budget holds, no vote is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workshop.domain import voting

from .domain_helpers import voting_workshop

PROCESSES = 32
PEOPLE = 8  # so four processes vote for each person at once
VALUES = 12  # default budget: 4 dots per person
CHANGES = 25  # votes cast or changed by each process
VALUES_PER_PROCESS = VALUES // (PROCESSES // PEOPLE)
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_racing_kernels_never_overspend_and_lose_no_acknowledged_vote(store, created, db_url):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=VALUES, n_people=PEOPLE)
    voting.open_round(store, code, key)
    budget = voting.ballot(store, code, tokens[0]).budget
    assert budget == 4

    # Each process of a person owns some of that person's values, so it knows
    # exactly what it holds; the person's budget is shared, and contested, by all.
    procs = []
    for i in range(PROCESSES):
        person, slot = i % PEOPLE, i // PEOPLE
        mine = vids[slot * VALUES_PER_PROCESS:(slot + 1) * VALUES_PER_PROCESS]
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "tests.vote_worker", db_url, code, tokens[person], str(i), str(CHANGES),
             *map(str, mine)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=dict(os.environ)))
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", "a voting process failed to start"
        started = time.monotonic()
        for p in procs:  # all at once
            p.stdin.write("go\n")
            p.stdin.flush()
        reports = [json.loads(p.stdout.readline()) for p in procs]
        elapsed = time.monotonic() - started
        assert [p.wait(timeout=60) for p in procs] == [0] * PROCESSES
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()

    total_accepted = sum(r["accepted"] for r in reports)
    total_refused = sum(r["refused"] for r in reports)
    assert total_accepted + total_refused == PROCESSES * CHANGES
    # The race was real: the shared budgets were contested and some dots refused.
    assert total_refused > 0 and total_accepted > 0
    assert [r["overspent"] for r in reports if r["overspent"]] == []

    believed: dict[str, dict[int, int]] = {t: {} for t in tokens}
    for r in reports:
        believed[r["token"]].update({int(v): d for v, d in r["held"].items()})
    for token in tokens:
        ballot = voting.ballot(store, code, token)
        # No budget exceeded, and every acknowledged vote is there exactly as acknowledged.
        assert ballot.used <= budget
        assert {line.value_id: line.my_dots for line in ballot.lines} == believed[token]
    # The round's totals are the sum of what every process believes it holds.
    result = voting.close_round(store, code, key)
    assert {c.value_id: c.dots for c in result.candidates} == {
        vid: sum(believed[t][vid] for t in tokens) for vid in vids}
    print(f"\n{store.dialect}: {PROCESSES} processes, {total_accepted} accepted and {total_refused} refused "
          f"changes in {elapsed:.1f}s ({sum(r['retried'] for r in reports)} retries)")
