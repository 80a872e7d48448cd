"""`workshop bench`: join latency, live latency, memory and store throughput, beside plain Voila.

Starts everything itself (a temporary database, `workshop serve` and plain
Voila on free ports), runs every phase under a time limit, and writes
bench.json and bench.md into ``--out``. See BENCH_NOTES below for what each
figure means.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import room
from benchmarks import servers as srv
from benchmarks.join import Visit, burst, burst_figures, summary
from workshop.core import settings
from workshop.server import forking

PG_ADMIN_URL = os.environ.get("WORKSHOP_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

FULL = {"levels": [1, 10, 30, 100], "plain_levels": [1, 10, 30], "live_levels": [30, 100],
        "plain_live_levels": [30], "live_samples": 20, "writers": 30, "votes_each": 20,
        "room_sizes": [30, 160]}
QUICK = {"levels": [1, 3], "plain_levels": [1], "live_levels": [3], "plain_live_levels": [],
         "live_samples": 3, "writers": 4, "votes_each": 5, "room_sizes": [3]}

#: Visits before the measured bursts: one unmeasured warm-up and one in Chromium per server.
WARM_UP_VISITS = 2

#: The facilitator's page that shows, live, who has voted.
FACILITATOR_VOTING = "05-voting.ipynb"

#: A room of N votes about N/12 times a second (each person a few dots a minute).
ROOM_VOTES_PER_PERSON_S = 1 / 12

#: Who casts the room's background votes (at the whole room's rate). Not N more: the room's N
#: already joined through the page, and a workshop holds 200 members (30 + 100 + 30 + 100 is more).
BACKGROUND_VOTERS = 20

BENCH_NOTES = """\
- **Join** (server side): N clients request the participant page at the same instant. Ready = the
  page's HTML has arrived (with the app's widget view), the kernel websocket has answered
  `kernel_info`, and the widget manager's `request_states` reply holds the join form's button:
  everything a browser needs to draw the form. Each server had one unmeasured warm-up visit.
- **Join in Chromium**: headless Chromium, fresh context (cold cache), from navigation to an enabled Join button.
- **Live**: a participant's vote is stored through the domain (`voting.set_dots`); the time until the
  facilitator's voting page (05-voting), open in Chromium, shows that participant as having voted
  (timestamped in the page by a MutationObserver), while N participants who joined through the page
  (their kernels polling) are active and the room votes in the background at N/12 votes/s
  (cast by up to 20 voters joined for it).
- **Memory**: RSS (and USS, the part not shared) of the participant kernels after joining, and of the server process.
- **Room** (benchmarks/room.py): one server at a time, `workshop serve --participants N` with kernels forked
  from the template and with every kernel its own Python. Pool ready = from the server's start until every
  preheated kernel runs and the process tree is quiet; memory = PSS of the whole tree (server, template,
  every kernel: participants', spares, facilitator and follow-up pages') after N joined, divided by N
  (N = 160 is a pool of 176: only filled, not joined).
- **Store**: writer processes each cast votes for their own participant at the same moment; lost =
  votes acknowledged but not in the database."""


def run(args) -> int:
    cfg = QUICK if args.quick else FULL
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="workshop-bench-"))
    result = {"meta": _meta(args, cfg), "errors": []}
    t0 = time.monotonic()
    try:
        asyncio.run(_servers_phase(cfg, tmp, result))
    except Exception as exc:  # noqa: BLE001 - recorded, the other phases still run
        result["errors"].append(f"servers: {type(exc).__name__}: {exc}")
        traceback.print_exc()
    _room_phase(cfg, tmp, result)
    _store_phase(cfg, tmp, result)
    result["meta"]["seconds"] = round(time.monotonic() - t0, 1)
    (out / "bench.json").write_text(json.dumps(result, indent=2, default=str))
    md = to_markdown(result)
    (out / "bench.md").write_text(md)
    print(md)
    print(f"\nWritten: {out / 'bench.json'}, {out / 'bench.md'}")
    if args.quick or not os.environ.get("WORKSHOP_BENCH_KEEP"):
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if result["errors"] else 0


def _meta(args, cfg) -> dict:
    import voila
    return {"command": "workshop bench" + (" --quick" if args.quick else "") + f" --out {args.out}",
            "quick": bool(args.quick), "config": cfg, "python": sys.version.split()[0],
            "voila": voila.__version__, "cpus": os.cpu_count(), "machine": platform.platform(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---- servers: join, live, memory -------------------------------------------------------------

async def _servers_phase(cfg, tmp: Path, result: dict) -> None:
    from workshop.demo import seed as demo
    from workshop.store import open_store

    db_url = f"sqlite:///{tmp / 'bench.sqlite'}"
    env = dict(os.environ, WORKSHOP_HOME=str(tmp), WORKSHOP_DB_URL=db_url, PYTHONUNBUFFERED="1")
    env[forking.FORK_ENV] = "1"  # workshop serve's kernels forked from the template, beside plain Voila
    if cfg is QUICK:  # a smoke run: facilitator pages start their kernel when opened
        env["WORKSHOP_FACILITATOR_PREHEAT"] = "0"
    os.environ["WORKSHOP_HOME"] = str(tmp)
    store = open_store(db_url)
    code, key = demo.seed(store, "voting")
    result["meta"]["workshop"] = {"code": code, "db": db_url}
    levels, plain_levels = cfg["levels"], cfg["plain_levels"]
    servers = []
    try:
        # Sized so every burst meets a full pool, as a server started for that room would: after
        # a room has joined the server keeps only a few spare kernels, so the bench does not
        # count on refills between bursts (and live figures carry no refill noise, as in a workshop).
        ws = srv.start_workshop_serve(env, participants=sum(levels) + WARM_UP_VISITS, log_dir=tmp, db_url=db_url)
        servers.append(ws)
        plain = srv.start_plain_voila(env, log_dir=tmp)
        servers.append(plain)
        for s in servers:
            srv.wait_http(s, 120)
        _log(f"servers up: workshop serve {ws.base}, plain Voila {plain.base}; filling the kernel pool")
        t = time.monotonic()
        baseline = srv.wait_quiet(ws, min_kernels=sum(levels), timeout=900)
        result["meta"]["pool_fill_s"] = round(time.monotonic() - t, 1)
        result["meta"]["preheated_kernels"] = baseline
        _log(f"pool filled: {baseline} kernels in {result['meta']['pool_fill_s']} s")

        from playwright.async_api import async_playwright

        from benchmarks.live import browser_join, launch
        async with async_playwright() as pw:
            browser = await launch(pw)
            result["join"], result["live"], result["memory"] = {}, {}, {}
            result["join_browser"] = {}
            for server, lv, live_lv in ((ws, levels, cfg["live_levels"]),
                                        (plain, plain_levels, cfg["plain_live_levels"])):
                name = "workshop" if server is ws else "voila"
                # One unmeasured visit: the server's first page render compiles its templates.
                for v in await burst(server.base, f"w={code}", 1, 120):
                    await v.shutdown()
                result["join_browser"][name] = await browser_join(browser, server.base, code, 120)
                await _settle(server)
                joins, lives, mem = {}, {}, {}
                for n in lv:
                    _log(f"{server.name}: {n} joining at once")
                    visits = await burst(server.base, f"w={code}", n, 300)
                    joins[str(n)] = burst_figures(visits)
                    _log(f"  ready p95 {joins[str(n)]['ready_s'].get('p95')} s, errors {joins[str(n)]['errors']}")
                    if n in live_lv:
                        joins[str(n)]["press_join_s"] = await _press_join(visits, f"{name}-{n}")
                        mem[str(n)] = _memory(server, visits)
                        lives[str(n)] = await _live(browser, server, store, code, key, n, cfg,
                                                    voting_now=min(n, BACKGROUND_VOTERS))
                        _log(f"  live p95 {lives[str(n)].get('p95')} s")
                    await asyncio.gather(*(v.shutdown() for v in visits))
                    await _settle(server)
                result["join"][name], result["live"][name], result["memory"][name] = joins, lives, mem
                if server is plain:
                    plain.stop()  # frees the cores before the store phase
            await browser.close()
        _check_errors(result)
    finally:
        for s in servers:
            s.stop()
        store.dispose()


async def _settle(server) -> None:
    """Until the server and its kernels are idle again (closed visits shut their kernels down)."""
    await asyncio.get_event_loop().run_in_executor(None, srv.wait_quiet, server, 0, 600)


async def _press_join(visits: list[Visit], prefix: str) -> dict:
    """Everyone types a name and presses Join through the widget protocol."""
    ok = [v for v in visits if v.error is None]
    times, why = [], collections.Counter()

    async def one(i, v):
        t = time.perf_counter()
        try:
            # As long as the page itself waits for the database (it says "Joining…" meanwhile).
            await v.join_as(f"{prefix} {i}", settings.JOIN_PATIENCE_S + 60)
            times.append(time.perf_counter() - t)
        except Exception as err:  # noqa: BLE001 - counted by kind, so a run says what failed
            why[f"{type(err).__name__}: {str(err)[:120]}"] += 1
    await asyncio.gather(*(one(i, v) for i, v in enumerate(ok)))
    return {**summary(times), "errors": sum(why.values()), "n": len(ok), "error_kinds": dict(why.most_common(5))}


def _memory(server, visits: list[Visit]) -> dict:
    kernels = server.kernels()
    per = [srv.rss_mb(kernels[v.kernel_id]) for v in visits if v.kernel_id in kernels]
    figures = {"kernels_measured": len(per), "server": srv.rss_mb(server.voila_pid()),
               # Everything the server holds (server, template, every kernel), shared pages divided.
               "tree_pss": room.room_memory(server)}
    for key in ("rss_mb", "uss_mb"):
        vals = [p[key] for p in per if key in p]
        if vals:
            figures[f"kernel_{key}"] = summary(vals)
    return figures


async def _live(browser, server, store, code: str, key: str, n: int, cfg, voting_now: int | None = None) -> dict:
    """``voting_now``: how many join to vote in the background (default ``n``; the room's rate is
    ``n`` people's either way). Fewer leaves places for a room of ``n`` already joined: a role holds 200."""
    from benchmarks.live import live_latency
    from workshop.domain import voting, workshops
    from workshop.server.serve import NOTEBOOKS
    loop = asyncio.get_event_loop()
    name = f"observer-{server.port}-{n}"
    observer = await loop.run_in_executor(None, lambda: workshops.join(store, code, name=name).token)
    if (NOTEBOOKS / FACILITATOR_VOTING).exists():
        url, shown = f"{server.base}voila/render/{FACILITATOR_VOTING}?w={code}&key={key}", name
    else:  # before the facilitator's voting page existed: the voter's own page
        url, shown = f"{server.base}voila/render/participant.ipynb?w={code}&p={observer}", None
    voters = [await loop.run_in_executor(None, lambda i=i: workshops.join(store, code, name=f"voter {server.port} {n} {i}").token)
              for i in range(n if voting_now is None else voting_now)]
    ballot = voting.ballot(store, code, observer)
    ids = [line.value_id for line in ballot.lines]
    got = await live_latency(browser, url, shown, store, code, observer, ids[0], voters, ids[1:] or ids,
                             cfg["live_samples"], n * ROOM_VOTES_PER_PERSON_S, 30)
    return {**summary(got["latencies"]), "page": url.split("/voila/render/")[1].split("?")[0],
            "samples": len(got["latencies"]), "errors": got["errors"],
            "background_votes": got["background"]["votes"], "background_errors": got["background"]["errors"],
            "participants_active": n}


def _check_errors(result: dict) -> None:
    for name, per in result.get("join", {}).items():
        for n, fig in per.items():
            if fig["errors"]:
                result["errors"].append(f"join {name} x{n}: {fig['errors']} errors {fig['error_samples']}")
            pj = fig.get("press_join_s")
            if pj and pj["errors"]:
                result["errors"].append(f"press Join {name} x{n}: {pj['errors']} errors")
    for name, fig in result.get("join_browser", {}).items():
        if fig.get("error"):
            result["errors"].append(f"browser join {name}: {fig['error']}")
    for name, per in result.get("live", {}).items():
        for n, fig in per.items():
            if fig["errors"] or fig["background_errors"] or not fig["samples"]:
                result["errors"].append(f"live {name} x{n}: {fig['errors'][:3]} background errors {fig['background_errors']}")


# ---- a room's cost: forked kernels and ordinary ones ---------------------------------------------

def _room_phase(cfg, tmp: Path, result: dict) -> None:
    from workshop.demo import seed as demo
    from workshop.store import open_store

    db_url = f"sqlite:///{tmp / 'room.sqlite'}"
    env = dict(os.environ, WORKSHOP_HOME=str(tmp), WORKSHOP_DB_URL=db_url, PYTHONUNBUFFERED="1")
    if cfg is QUICK:
        env["WORKSHOP_FACILITATOR_PREHEAT"] = "0"
    store = open_store(db_url)
    try:
        code, _key = demo.seed(store, "voting")
        result["room"] = asyncio.run(room.room_phase(cfg["room_sizes"], list(room.KINDS), tmp, code, env, log=_log))
    except Exception as exc:  # noqa: BLE001 - recorded, the store phase still runs
        result["errors"].append(f"room: {type(exc).__name__}: {exc}")
        traceback.print_exc()
    finally:
        store.dispose()
    for fig in result.get("room", []):
        if fig.get("error") or fig.get("join_errors") or fig.get("press_join_s", {}).get("errors"):
            result["errors"].append(f"room {fig['participants']} {fig['kind']}: {fig.get('error') or 'join errors'}")


# ---- store throughput ------------------------------------------------------------------------

def _store_phase(cfg, tmp: Path, result: dict) -> None:
    from benchmarks.store import temp_postgres, throughput
    result["throughput"] = {}
    _log(f"store: {cfg['writers']} writers x {cfg['votes_each']} votes on SQLite")
    try:
        result["throughput"]["sqlite"] = throughput(f"sqlite:///{tmp / 'throughput.sqlite'}",
                                                    cfg["writers"], cfg["votes_each"], 300)
    except Exception as exc:  # noqa: BLE001
        result["errors"].append(f"throughput sqlite: {type(exc).__name__}: {exc}")
    _log("store: the same on PostgreSQL")
    try:
        url, drop = temp_postgres(PG_ADMIN_URL)
        try:
            result["throughput"]["postgresql"] = throughput(url, cfg["writers"], cfg["votes_each"], 300)
        finally:
            drop()
    except Exception as exc:  # noqa: BLE001
        result["errors"].append(f"throughput postgresql: {type(exc).__name__}: {exc}")
    for name, fig in result["throughput"].items():
        if fig["errors"] or fig["lost"]:
            result["errors"].append(f"throughput {name}: {fig['errors']} errors, {fig['lost']} lost")


# ---- report --------------------------------------------------------------------------------

def _f(x, unit="s", digits=3) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f} {unit}".strip()


def _ratio(a, b) -> str:
    return f"{b / a:.0f}×" if a and b else "—"


def to_markdown(result: dict) -> str:
    m = result["meta"]
    lines = [f"# Benchmark: `{m['command']}`", "",
             f"{m['started']} · {m['cpus']} CPUs · Python {m['python']} · Voila {m['voila']} · "
             f"{m.get('preheated_kernels', '?')} preheated kernels filled in {m.get('pool_fill_s', '?')} s · "
             f"run took {m.get('seconds', '?')} s", "",
             "| figure | workshop serve | plain Voila | plain / workshop | goal |",
             "|---|---|---|---|---|"]
    join = result.get("join", {})
    ws_join, pl_join = join.get("workshop", {}), join.get("voila", {})
    for n in m["config"]["levels"]:
        a = ws_join.get(str(n), {}).get("ready_s", {})
        b = pl_join.get(str(n), {}).get("ready_s", {})
        goal = "p95 ≤ 0.1 s, ≥ 40× plain" if n == 30 else ("no errors" if n == 100 else "")
        err = ws_join.get(str(n), {}).get("errors", 0)
        plain_cell = (f"{_f(b.get('p50'))} / {_f(b.get('p95'))}" if b else
                      "not run (capped: each visit starts a kernel)")
        lines.append(f"| join, {n} at once: p50 / p95 | {_f(a.get('p50'))} / {_f(a.get('p95'))}"
                     f"{' (' + str(err) + ' errors)' if err else ''} | {plain_cell} | "
                     f"{_ratio(a.get('p95'), b.get('p95'))} | {goal} |")
    jb = result.get("join_browser", {})
    lines.append(f"| join in Chromium, 1 participant | {_f(jb.get('workshop', {}).get('ready_s'))} | "
                 f"{_f(jb.get('voila', {}).get('ready_s'))} | "
                 f"{_ratio(jb.get('workshop', {}).get('ready_s'), jb.get('voila', {}).get('ready_s'))} | |")
    live = result.get("live", {})
    for n in m["config"]["live_levels"]:
        a = live.get("workshop", {}).get(str(n), {})
        b = live.get("voila", {}).get(str(n), {})
        goal = {30: "p95 ≤ 0.5 s", 100: "p95 ≤ 1 s"}.get(n, "")
        lines.append(f"| live, {n} active: p50 / p95 | {_f(a.get('p50'))} / {_f(a.get('p95'))} | "
                     f"{(_f(b.get('p50')) + ' / ' + _f(b.get('p95'))) if b else 'not run'} | "
                     f"{_ratio(a.get('p95'), b.get('p95'))} | {goal} |")
    mem = result.get("memory", {})
    for n in m["config"]["live_levels"]:
        a = mem.get("workshop", {}).get(str(n), {})
        b = mem.get("voila", {}).get(str(n), {})
        for key, label in (("kernel_rss_mb", "RSS"), ("kernel_uss_mb", "USS")):
            av, bv = a.get(key, {}).get("mean"), b.get(key, {}).get("mean")
            lines.append(f"| memory per participant kernel ({label}, mean of {a.get('kernels_measured', 0)}) | "
                         f"{_f(av, 'MB', 1)} | {_f(bv, 'MB', 1)} | | {'≤ 70 MB' if label == 'RSS' else ''} |")
        lines.append(f"| memory of the server process ({n} active) | {_f(a.get('server', {}).get('rss_mb'), 'MB', 1)} | "
                     f"{_f(b.get('server', {}).get('rss_mb'), 'MB', 1)} | | |")
    for name, fig in result.get("throughput", {}).items():
        lines.append(f"| store: {fig['writers']} writers on {name}, votes/s | {_f(fig['votes_per_s'], '', 0)} "
                     f"({fig['votes_ok']} votes, {fig['errors']} errors, {fig['lost']} lost) | | | nothing lost |")
    mem_rows = []
    for n in m["config"]["live_levels"]:
        tree = mem.get("workshop", {}).get(str(n), {}).get("tree_pss")
        if tree:
            mem_rows.append(f"| memory of the whole server ({n} active, PSS: server, template, kernels) | "
                            f"{_f(tree['total_mb'], 'MB', 0)} ({_f(tree['total_mb'] / n, 'MB', 1)} per participant) | | | |")
    lines[len(lines):] = mem_rows
    if result.get("room"):
        lines += room.markdown_rows(result["room"])
    lines += ["", BENCH_NOTES, ""]
    if result["errors"]:
        lines += ["## Errors", ""] + [f"- {e}" for e in result["errors"]]
    else:
        lines.append("No errors.")
    return "\n".join(lines) + "\n"
