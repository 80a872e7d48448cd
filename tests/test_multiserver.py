"""Two `workshop serve` instances on one PostgreSQL database act as one workshop.

This is the multi-machine deployment in small: participants join and vote through
real kernels on either server (driven over HTTP and the kernel websocket, as a
browser does), and the facilitator's voting page on one server shows every vote
cast through the other.
"""

from __future__ import annotations

import asyncio
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks.join import Visit
from benchmarks.servers import start_workshop_serve, wait_http, wait_quiet
from workshop.demo import seed as demo
from workshop.domain import voting
from workshop.store import open_store

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def run_in_own_loop(coro) -> None:
    """asyncio.run in a thread of its own: Playwright's sync API, when a browser test
    ran earlier in this session, keeps an event loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


def chip(html: str, name: str) -> str | None:
    """The facilitator's chip class for ``name``: none, some or done."""
    m = re.search(r'class="ws-voter ws-voter-(\w+)">[^<]*?' + re.escape(name) + "<", html)
    return m.group(1) if m else None


@pytest.mark.timeout(900)
def test_facilitator_on_one_server_sees_every_vote_cast_through_the_other(pg_url, tmp_path):
    store = open_store(pg_url)
    code, key = demo.seed(store, "voting")
    env = dict(os.environ, WORKSHOP_HOME=str(tmp_path), WORKSHOP_DB_URL=pg_url,
               WORKSHOP_FACILITATOR_PREHEAT="0")
    a = start_workshop_serve(env, participants=2, log_dir=tmp_path, db_url=pg_url)
    b = start_workshop_serve(env, participants=2, log_dir=tmp_path, db_url=pg_url)
    try:
        for s in (a, b):
            wait_http(s, 120)
            wait_quiet(s, min_kernels=4, timeout=300)
        assert a.port != b.port
        run_in_own_loop(_room(a, b, code, key))
    finally:
        a.stop()
        b.stop()

    # The database agrees: every voter, whichever server they came through, has their dot.
    progress = {p.name: p.used for p in voting.progress(store, code, key)}
    for name in ("Ana via A", "Ben via A", "Cleo via B", "Dev via B"):
        assert progress[name] == 1, progress
    store.dispose()


async def _room(a, b, code: str, key: str) -> None:
    people = {"Ana via A": a, "Ben via A": a, "Cleo via B": b, "Dev via B": b}
    visits = {name: Visit(server.base, f"w={code}") for name, server in people.items()}
    await asyncio.gather(*(v.open(240) for v in visits.values()))
    for name, v in visits.items():
        assert v.error is None, f"{name}: {v.error}"
    await asyncio.gather(*(v.join_as(name, 120) for name, v in visits.items()))

    facilitator = Visit(a.base, f"w={code}&key={key}", notebook="05-voting.ipynb")
    await facilitator.open(240, marker="ws-voter-list")
    assert facilitator.error is None, facilitator.error
    voters = facilitator.find("ws-voter-list")
    before = await facilitator.until_value(voters, lambda html: "Dev via B" in html, 60)
    assert all(chip(before, name) == "none" for name in people), before

    # Everyone presses "+" on their first value, in their own kernel on their own server.
    for name, v in visits.items():
        await v.refresh_states()
        plus = [mid for mid, st in v.states.items() if st.get("model_name") == "ButtonModel"  # the ballot's "+"
                and (st["state"].get("tooltip") or "").startswith("Add a dot to ") and not st["state"].get("disabled")]
        assert plus, f"{name} sees no ballot"
        v.click(plus[0])

    await facilitator.until_value(
        voters, lambda html: all(chip(html, name) in ("some", "done") for name in people), 60)
    for v in [*visits.values(), facilitator]:
        await v.shutdown()
