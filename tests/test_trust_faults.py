"""Nothing lost under faults: a killed server, a stopped database, two tabs, two facilitators at once."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import browser as B
from tests import faults
from tests.domain_helpers import voting_workshop
from tests.faults import FIGURES
from tests.servers import Server, create_pg_database, drop_pg_database, free_port
from tests.waiting import wait_for
from workshop.core import phases
from workshop.core.errors import StoreUnavailable, WorkshopError
from workshop.domain import cards, voting, workshops
from workshop.store import Store
from workshop.store.schema import Card, Participant, Vote, VoteRound, Workshop
from workshop.widgets.live import Live


class _FiguresReport:
    """A plugin registered by the fixture below: prints the figures in pytest's terminal summary."""

    @staticmethod
    def pytest_terminal_summary(terminalreporter):
        from tests import test_trust_input
        FIGURES.payloads_tried = max(FIGURES.payloads_tried, len(set(test_trust_input.TRIED)))
        terminalreporter.section("trust figures")
        for text in FIGURES.lines():
            terminalreporter.write_line(text)


@pytest.fixture(scope="module", autouse=True)
def print_figures(request):
    """Print what was injected and what was lost at the end of the run (captured output would hide it)."""
    manager = request.config.pluginmanager
    if not manager.has_plugin("trust-figures"):
        manager.register(_FiguresReport(), "trust-figures")
    yield


def dots_in_db(store: Store, code: str) -> dict[tuple[int, int], int]:
    """{(participant id, value id): dots} in the open round."""
    with store.reading() as tx:
        rows = tx.session.execute(
            select(Vote.participant_id, Vote.value_id, Vote.dots).join(VoteRound)
            .join(Workshop, Workshop.id == VoteRound.workshop_id)
            .where(Workshop.code == code, VoteRound.status == "open")).all()
    return {(p, v): d for p, v, d in rows if d}


def participant_id(store: Store, code: str, token: str) -> int:
    return workshops.whoami(store, code, token).participant_id


# ---- (a) the server is killed in the middle of a vote round -----------------------------------------
@pytest.fixture
def own_server(tmp_path):
    """A server of this test's own: it is going to be killed."""
    home = Path(tempfile.mkdtemp(prefix="workshop-crash-"))
    srv = Server(db_url=f"sqlite:///{tmp_path / 'crash.sqlite'}", port=free_port(), participants=2, home=home,
                 env={"WORKSHOP_FACILITATOR_PREHEAT": "0"})
    srv.start()
    yield srv
    srv.stop()
    shutil.rmtree(home, ignore_errors=True)


def line(page, value_name: str):
    return page.locator(".ws-ballot-line", has_text=value_name)


def try_click(button) -> bool:
    """Click ``button`` if it is enabled; False if it is, or becomes, disabled first.

    A tab may learn between the check and the click that the dots are spent (the live refresh
    disables +), and Playwright would then wait for the button forever.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    if not button.is_enabled():
        return False
    try:
        button.click(timeout=5_000)
    except PlaywrightTimeout:
        assert button.is_disabled(), "an enabled + that could not be clicked"
        return False
    return True


def shown_dots(page, value_name: str) -> int:
    return int(line(page, value_name).locator(".ws-dots span").get_attribute("data-dots"))


def add_dot(page, value_name: str, expect_dots: int | None) -> None:
    """Click + on a value; with ``expect_dots``, wait until the page shows the vote saved."""
    from playwright.sync_api import expect
    line(page, value_name).locator(".ws-dot-plus").click()
    if expect_dots is not None:
        expect(line(page, value_name).locator(".ws-dots span")).to_have_attribute(
            "data-dots", str(expect_dots), timeout=20_000)


@pytest.mark.slow
@pytest.mark.browser
def test_votes_seen_saved_survive_a_killed_server_and_voters_come_back_as_themselves(own_server, browser):
    srv = own_server
    code, key = srv.create("Crash test")
    tokens, value_ids = voting_workshop(srv.store, code, key, n_values=4, n_people=2)
    voting.open_round(srv.store, code, key, budget=6)
    linked = B.new_visitor(browser)     # comes back through the personal link ?p=TOKEN
    remembered = B.new_visitor(browser)  # comes back through the browser's own memory (localStorage)
    try:
        B.open_app(linked.page, srv.participant_url(code, p=tokens[0]))
        B.open_app(remembered.page, srv.participant_url(code))
        B.join(remembered.page, "Crash Bee")
        for v in (linked, remembered):
            line(v.page, "Value 0").wait_for(timeout=B.PAGE_TIMEOUT_MS)
        seen_saved = {"linked": {}, "remembered": {}}
        for who, v, plan in (("linked", linked, ["Value 0", "Value 0", "Value 1"]),
                             ("remembered", remembered, ["Value 2", "Value 0"])):
            for name in plan:
                n = seen_saved[who].get(name, 0) + 1
                add_dot(v.page, name, n)
                seen_saved[who][name] = n
        FIGURES.actions_acknowledged += sum(len(p) for p in seen_saved.values())
        # One more click that nobody waits for, and the whole server dies at once.
        add_dot(linked.page, "Value 3", None)
        FIGURES.faults_injected += 1
        srv.kill()

        bee = workshops.participants(srv.store, code, key)
        bee_token_id = next(p.id for p in bee if p.name == "Crash Bee")
        ids = {"linked": participant_id(srv.store, code, tokens[0]), "remembered": bee_token_id}
        names = {f"Value {i}": vid for i, vid in enumerate(value_ids)}
        saved = dots_in_db(srv.store, code)
        lost = [(who, name, n) for who, votes in seen_saved.items() for name, n in votes.items()
                if saved.get((ids[who], names[name]), 0) != n]
        FIGURES.actions_lost += len(lost)
        assert not lost, f"votes seen saved are gone after the crash: {lost}"
        in_flight = saved.get((ids["linked"], names["Value 3"]), 0)
        assert in_flight in (0, 1), "the click in flight counted at most once"
        members_before = workshops.status(srv.store, code).participants

        srv.restart()
        linked.page.reload(wait_until="domcontentloaded")
        remembered.page.reload(wait_until="domcontentloaded")
        for who, v in (("linked", linked), ("remembered", remembered)):
            line(v.page, "Value 0").wait_for(timeout=B.PAGE_TIMEOUT_MS)
            for name, n in seen_saved[who].items():
                assert shown_dots(v.page, name) == n, (who, name)
        assert "Crash Bee" in remembered.page.locator(".ws-app").first.inner_text()
        assert remembered.page.locator(".ws-join-button").count() == 0, "no second join form"
        assert workshops.status(srv.store, code).participants == members_before, "nobody joined twice"
        # And the round goes on after the restart.
        add_dot(remembered.page, "Value 1", 1)
        assert dots_in_db(srv.store, code)[(ids["remembered"], names["Value 1"])] == 1
        FIGURES.faults_survived += 1
        FIGURES.notes.append(f"server SIGKILL: {sum(len(p) for p in seen_saved.values())} votes seen saved, "
                             f"all kept; the click in flight was {'kept' if in_flight else 'not saved'}")
    finally:
        linked.close()
        remembered.close()


# ---- (b) PostgreSQL stops while participants act -------------------------------------------------------
class Poller:
    """The apps' Live poller, running on its own event loop, recording what it reports."""

    def __init__(self, store: Store, code: str):
        self.live = Live(store, code, interval=0.25)
        self.reports: list[tuple[float, bool]] = []
        self.live.on_connection(lambda ok: self.reports.append((time.monotonic(), ok)))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.live.start()
        self.loop.run_forever()

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.loop.call_soon_threadsafe(self.live.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def pg_store():
    reason = faults.can_control_pg()
    if reason:
        pytest.skip(reason)
    url = create_pg_database()
    store = Store(url)
    yield store
    store.dispose()
    drop_pg_database(url)


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_outage_is_reported_and_nothing_is_lost_or_applied_twice(pg_store):
    store = pg_store
    made = workshops.create_workshop(store, "Outage")
    code, key = made.code, made.key
    tokens, value_ids = voting_workshop(store, code, key, n_values=3, n_people=3)
    voting.open_round(store, code, key, budget=10, cap=5)
    wall = workshops.create_workshop(store, "Outage cards")
    workshops.advance(store, wall.code, wall.key)
    # Several writers in turn: one person may write only so many cards (settings.MAX_CARDS_PER_PARTICIPANT).
    writers = [workshops.join(store, wall.code, f"Writer {i}").token for i in range(6)]

    stop = threading.Event()
    acked: dict[tuple[str, int], int] = {}
    attempted_after_ack: dict[tuple[str, int], set[int]] = {}
    refusals: list[str] = []
    surprises: list[str] = []
    cards_acked: list[str] = []
    acks_at: list[float] = []

    def voter(token: str, seed: int):
        rng = random.Random(seed)
        while not stop.is_set():
            vid = rng.choice(value_ids)
            dots = rng.randint(0, 3)
            attempted_after_ack.setdefault((token, vid), set()).add(dots)
            try:
                voting.set_dots(store, code, token, vid, dots)
            except StoreUnavailable as exc:
                refusals.append(str(exc))
                continue
            except WorkshopError:
                continue  # over the budget: refused, fine
            except Exception as exc:  # noqa: BLE001 - an untyped error is a finding
                surprises.append(f"{type(exc).__name__}: {exc}")
                continue
            acked[(token, vid)] = dots
            attempted_after_ack[(token, vid)] = set()
            acks_at.append(time.monotonic())
            time.sleep(0.05)

    def card_writer():
        n = 0
        while not stop.is_set():
            request_id = f"req-{n}"
            # What the app does: the same request id again until the database answers.
            while True:
                try:
                    cards.add_card(store, wall.code, writers[n % len(writers)], f"Card {n}",
                                   request_id=request_id)
                    break
                except StoreUnavailable as exc:
                    refusals.append(str(exc))
                except Exception as exc:  # noqa: BLE001
                    surprises.append(f"{type(exc).__name__}: {exc}")
                    break
            cards_acked.append(request_id)
            n += 1
            time.sleep(0.1)

    poller = Poller(store, code).start()
    workers = [threading.Thread(target=voter, args=(t, i)) for i, t in enumerate(tokens)]
    workers.append(threading.Thread(target=card_writer))
    for t in workers:
        t.start()
    try:
        time.sleep(1.0)
        with faults.pg_outage(2.0):
            down_at = time.monotonic()
        up_at = time.monotonic()
        time.sleep(4.0)  # participants keep acting after the database is back
    finally:
        stop.set()
        for t in workers:
            t.join(30)
        poller.stop()

    assert not surprises, surprises[:5]
    assert refusals, "the outage was noticed by someone acting"
    assert all("not saved" in r and "try again" in r for r in refusals), set(refusals)
    assert any(at > up_at for at in acks_at), "actions go through again once the database is back"
    # Nothing acknowledged is lost: each vote is what was last acknowledged,
    # or a later attempt whose answer was lost with the connection.
    saved = dots_in_db(store, code)
    pid = {t: participant_id(store, code, t) for t in tokens}
    lost = [(t[-4:], vid, n, saved.get((pid[t], vid), 0)) for (t, vid), n in acked.items()
            if saved.get((pid[t], vid), 0) != n and saved.get((pid[t], vid), 0) not in attempted_after_ack[(t, vid)]]
    with store.reading() as tx:
        texts = [c.request_id for c in tx.session.execute(
            select(Card).join(Workshop).where(Workshop.code == wall.code)).scalars()]
    missing_cards = set(cards_acked) - set(texts)
    doubled = len(texts) - len(set(texts))
    budget_ok = all(sum(d for (p, _), d in saved.items() if p == pid[t]) <= 10 for t in tokens)
    FIGURES.actions_acknowledged += len(acks_at) + len(cards_acked)
    FIGURES.actions_refused_clearly += len(refusals)
    FIGURES.actions_lost += len(lost) + len(missing_cards)
    FIGURES.applied_twice += doubled
    assert not lost and not missing_cards, (lost, missing_cards)
    assert doubled == 0
    assert budget_ok
    # The live poller said so, and recovered.
    states = [ok for _, ok in poller.reports]
    assert False in states and states[-1] is True, poller.reports
    assert any(not ok and down_at - 1 <= at for at, ok in poller.reports)
    FIGURES.faults_survived += 1
    FIGURES.notes.append(f"PostgreSQL outage: {len(refusals)} actions refused with 'not saved, try again', "
                         f"{len(acks_at) + len(cards_acked)} acknowledged, poller reports {states}")


# ---- (c) one participant in two tabs; two facilitators at once -----------------------------------------
@pytest.mark.slow
@pytest.mark.browser
def test_a_participant_voting_from_two_tabs_never_overspends(server, browser):
    code, key = server.create("Two tabs")
    tokens, value_ids = voting_workshop(server.store, code, key, n_values=3, n_people=1)
    voting.open_round(server.store, code, key, budget=3)
    v = B.new_visitor(browser)
    try:
        B.open_app(v.page, server.participant_url(code))
        B.join(v.page, "Tabby")
        second = v.context.new_page()  # same browser, same localStorage: the same participant
        B.open_app(second, server.participant_url(code))
        for page in (v.page, second):
            line(page, "Value 0").wait_for(timeout=B.PAGE_TIMEOUT_MS)
        assert "Tabby" in second.locator(".ws-app").first.inner_text()
        # Each tab believes it has all three dots; both spend them, as fast as they can.
        clicks = 0
        for name in ("Value 0", "Value 1", "Value 2"):
            for page in (v.page, second):
                if try_click(line(page, name).locator(".ws-dot-plus")):
                    clicks += 1
        # Both tabs learn the dots are spent (every + disabled): only the database can tell them so.
        for page in (v.page, second):
            wait_for(lambda: page.locator(".ws-ballot-line .ws-dot-plus:not([disabled])").count() == 0,
                     B.PAGE_TIMEOUT_MS / 1000, "both tabs to see all three dots spent")
        saved = dots_in_db(server.store, code)
        tabby = [p.id for p in workshops.participants(server.store, code, key) if p.name == "Tabby"][0]
        mine = {vid: d for (p, vid), d in saved.items() if p == tabby}
        assert sum(mine.values()) <= 3, mine
        assert sum(mine.values()) == 3, "the dots a tab saw saved are all there"
        assert workshops.status(server.store, code).participants == 2, "one participant, not two"
        # After a reload both tabs agree with the database.
        for page in (v.page, second):
            page.reload(wait_until="domcontentloaded")
            line(page, "Value 0").wait_for(timeout=B.PAGE_TIMEOUT_MS)
            shown = {vid: shown_dots(page, f"Value {i}") for i, vid in enumerate(value_ids)}
            assert {k: d for k, d in shown.items() if d} == mine
        FIGURES.actions_acknowledged += clicks
    finally:
        v.close()


def test_two_facilitators_acting_at_once_keep_one_open_round_and_the_stage_order(db_url):
    store = Store(db_url)
    made = workshops.create_workshop(store, "Two facilitators")
    code, key = made.code, made.key
    voting_workshop(store, code, key, n_values=4, n_people=2)
    procs = [faults.facilitator_process(db_url, code, key, seed, 40) for seed in (1, 2)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert all(r["errors"] == [] for r in results), results
    assert sum(r["ok"] for r in results) > 0
    with store.reading() as tx:
        ws = tx.session.execute(select(Workshop).where(Workshop.code == code)).scalar_one()
        rounds = tx.session.execute(select(VoteRound).where(VoteRound.workshop_id == ws.id)).scalars().all()
        members = tx.session.execute(select(func.count()).select_from(Participant)
                                     .where(Participant.workshop_id == ws.id)).scalar()
    assert ws.phase in phases.ORDER
    assert sum(r.status == "open" for r in rounds) <= 1
    numbers = sorted(r.number for r in rounds)
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    assert members == 2
    store.dispose()
