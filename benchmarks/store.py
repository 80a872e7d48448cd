"""Benchmark of the store: votes per second from concurrent writer processes, and a check that none was lost."""

from __future__ import annotations

import multiprocessing as mp
import time
import uuid

from sqlalchemy import func, select


def _writer(url: str, code: str, token: str, value_ids: list[int], votes: int, ready, start, out) -> None:
    from workshop.domain import voting
    from workshop.store import open_store
    store = open_store(url)
    store.revision(code)  # connect before the start signal, as a running kernel would be
    ready.put(token)
    start.wait()
    ok = errors = 0
    last = {}
    t0 = time.perf_counter()
    for i in range(votes):
        # Alternate one dot on and off over the values: always within budget, every call a write.
        vid = value_ids[(i // 2) % len(value_ids)]
        dots = 1 - (i % 2)
        try:
            voting.set_dots(store, code, token, vid, dots)
            ok += 1
            last[vid] = dots
        except Exception:  # noqa: BLE001 - counted, reported
            errors += 1
    out.put({"token": token, "ok": ok, "errors": errors, "last": last, "seconds": time.perf_counter() - t0})


def throughput(url: str, writers: int, votes: int, timeout: float) -> dict:
    """``writers`` processes each cast ``votes`` votes for their own participant at the same moment."""
    from workshop.demo import seed as demo
    from workshop.domain import voting, workshops
    from workshop.store import open_store
    from workshop.store.schema import Event

    store = open_store(url)
    code, key = demo.seed(store, "voting")
    ballot_token = workshops.join(store, code, name="probe").token
    value_ids = [line.value_id for line in voting.ballot(store, code, ballot_token).lines]
    tokens = [workshops.join(store, code, name=f"writer {i} {uuid.uuid4().hex[:6]}").token for i in range(writers)]
    with store.reading() as tx:
        events_before = tx.session.execute(select(func.count()).select_from(Event).where(
            Event.kind == "dots_set")).scalar()

    ctx = mp.get_context("spawn")
    ready, start, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, code, t, value_ids, votes, ready, start, out)) for t in tokens]
    for p in procs:
        p.start()
    # Every writer has imported and connected before the clock starts: it times writes only.
    deadline = time.monotonic() + timeout
    for _ in procs:
        ready.get(timeout=max(1, deadline - time.monotonic()))
    start.set()
    results = []
    while len(results) < writers and time.monotonic() < deadline:
        try:
            results.append(out.get(timeout=1))
        except Exception:  # noqa: BLE001 - queue.Empty: keep waiting until the deadline
            if not any(p.is_alive() for p in procs) and out.empty():
                break
    # The writers started together, so the slowest one's time is the wall time of the run.
    elapsed = max((r["seconds"] for r in results), default=0.0)
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():
            p.kill()

    ok = sum(r["ok"] for r in results)
    errors = sum(r["errors"] for r in results) + (writers - len(results)) * votes
    lost = _lost(store, code, results, events_before, ok)
    store.dispose()
    return {"writers": writers, "votes_each": votes, "votes_ok": ok, "errors": errors,
            "seconds": elapsed, "votes_per_s": ok / elapsed if elapsed else None, "lost": lost,
            "finished_writers": len(results)}


def _lost(store, code, results, events_before, ok) -> int:
    """Votes acknowledged to a writer but missing from the database (must be 0)."""
    from workshop.core import credentials
    from workshop.store.schema import Event, Participant, Vote
    lost = 0
    with store.reading() as tx:
        events = tx.session.execute(select(func.count()).select_from(Event).where(
            Event.kind == "dots_set")).scalar() - events_before
        lost += max(0, ok - events)
        for r in results:
            pid = tx.session.execute(select(Participant.id).where(
                Participant.token_hash == credentials.digest(r["token"]))).scalar_one()
            have = dict(tx.session.execute(select(Vote.value_id, Vote.dots).where(
                Vote.participant_id == pid)).all())
            lost += sum(1 for vid, dots in r["last"].items() if have.get(vid, 0) != dots)
    return lost


def temp_postgres(admin_url: str):
    """Create a fresh PostgreSQL database; returns (url, drop)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    name = f"workshop_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop():
        from workshop.store.engine import _stores
        for key in [k for k in _stores if name in k]:
            _stores[key].dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return url, drop
