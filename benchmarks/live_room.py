"""Only the live figure, for one room size, and where its CPU goes.

`workshop bench` measures live latency after every join burst, beside plain
Voila, then the room and store phases: most of an hour. This runs just the
part the live figure depends on (the same functions as bench.py): a
`workshop serve` sized for ``--active`` participants, all of them joined
through the page so their kernels poll, then the facilitator's voting page in
Chromium timed as in `workshop bench`. Meanwhile it records the CPU every
process of the server used, and with ``--py-spy DIR`` samples the server and a
few participant kernels with py-spy, so a change to the polling can be
measured before and after with one command::

    .venv/bin/python -m benchmarks.live_room --active 100 --py-spy /tmp/spy
    WORKSHOP_LIVE_STAMP=0 .venv/bin/python -m benchmarks.live_room --active 100   # every poll reads SQL

``--per-workshop`` (default 170: a workshop holds 200 members, and the first also takes the
background voters and the observer) splits a larger room into several
workshops on the one server, to find the largest room a machine holds; ``--ksm`` (root) runs it
with Linux's same-page merging on and adds the room's PSS once merged (benchmarks.ksm)::

    .venv/bin/python -m benchmarks.live_room --active 400 --ksm

The load average is printed with the figures: on a shared machine a figure
means little without it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import bench, ksm, room
from benchmarks import servers as srv
from benchmarks.join import burst
from workshop.server import forking, voila_config

try:
    import psutil
except ImportError:  # pragma: no cover - a dependency of ipykernel
    psutil = None

#: Participants joined per workshop: a workshop holds 200 members (workshops.ROLE_CAPS), and the
#: first also takes bench._live's background voters and its observer.
PER_WORKSHOP = 200 - bench.BACKGROUND_VOTERS - 10

#: Kernels sampled with py-spy besides the server: enough to see a pattern, few enough not to load the cores.
SPIED_KERNELS = 3


def _say(what: str) -> None:
    """A progress line on stderr (a large room takes many minutes before its first figure)."""
    print(f"[live_room {time.strftime('%H:%M:%S')}] {what} (load {_load()})", file=sys.stderr, flush=True)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu_by_role(server, participant_pids: set[int], window: float) -> dict:
    """CPU seconds per second, during ``window``, of the server, the participants' kernels, and the rest."""
    voila = psutil.Process(server.voila_pid())
    procs = [voila] + voila.children(recursive=True)

    def sample():
        out = {}
        for p in procs:
            try:
                t = p.cpu_times()
                out[p.pid] = t.user + t.system
            except psutil.Error:
                pass
        return out

    before = sample()
    time.sleep(window)
    after = sample()
    roles = {"server": 0.0, "participant_kernels": 0.0, "other_kernels": 0.0}
    for pid, t in after.items():
        used = (t - before.get(pid, t)) / window
        role = ("server" if pid == voila.pid else
                "participant_kernels" if pid in participant_pids else "other_kernels")
        roles[role] += used
    roles["per_participant_kernel_ms_per_s"] = 1000 * roles["participant_kernels"] / max(1, len(participant_pids))
    return {k: round(v, 3) for k, v in roles.items()}


def _spy(pids: dict[str, int], seconds: int, out: Path) -> list[subprocess.Popen]:
    """py-spy record on each process, as collapsed stacks (one line per stack, with its sample count)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    out.mkdir(parents=True, exist_ok=True)
    return [subprocess.Popen([py_spy, "record", "--pid", str(pid), "--duration", str(seconds),
                              "--rate", "50", "--nonblocking", "--format", "raw", "--idle",
                              "--output", str(out / f"{name}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, pid in pids.items()]


async def main(args) -> dict:
    from playwright.async_api import async_playwright

    from benchmarks.live import launch
    from workshop.demo import seed as demo
    from workshop.store import open_store

    n = args.active
    ksmd_cpu_at_start = ksm.ksmd_cpu_seconds() if args.ksm else 0.0
    tmp = Path(tempfile.mkdtemp(prefix="workshop-live-"))
    db_url = args.db or f"sqlite:///{tmp / 'live.sqlite'}"
    env = dict(os.environ, WORKSHOP_HOME=str(tmp), WORKSHOP_DB_URL=db_url, PYTHONUNBUFFERED="1")
    env[forking.FORK_ENV] = "1"
    os.environ["WORKSHOP_HOME"] = str(tmp)
    store = open_store(db_url)
    code, key = demo.seed(store, "voting")
    # A workshop holds 200 members: a larger room is several workshops on one server (several
    # facilitators' calls at once). The facilitator's page watches the first; the room's votes
    # (N/12 a second, bench._live) all go to it, so its phones repaint as often as all rooms'
    # phones would in their own workshops.
    codes = [code] + [demo.seed(store, "voting")[0] for _ in range(1, -(-n // args.per_workshop))]
    off = {k: os.environ[k] for k in ("WORKSHOP_LIVE_STAMP",) if k in os.environ}
    result = {"command": " ".join([f"{k}={v}" for k, v in off.items()] + ["python -m benchmarks.live_room"] + sys.argv[1:]),
              "active": n,
              "db": store.dialect, "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
              "load_before": _load()}
    server = srv.start_workshop_serve(env, participants=n + bench.WARM_UP_VISITS, log_dir=tmp, db_url=db_url)
    _say(f"workshop serve started; its log and database are in {tmp}")
    try:
        srv.wait_http(server, 120)
        _say(f"server answers; waiting for its {n} kernels to settle")
        pools = [name for name, c in voila_config.kernel_pools(n + bench.WARM_UP_VISITS, room.NOTEBOOKS).items()
                 if c.get("pool_size")]
        result["pools_filled_s"] = round(srv.wait_pools_filled(server, pools, 900), 1)
        srv.wait_quiet(server, min_kernels=n, timeout=900)
        _say(f"pools filled after {result['pools_filled_s']} s and quiet; opening the pages")
        for v in await burst(server.base, f"w={code}", 1, 120):  # the first render compiles the templates
            await v.shutdown()
        visits = []
        for i, each in enumerate(codes):
            visits += await burst(server.base, f"w={each}", min(args.per_workshop, n - i * args.per_workshop), 300)
            _say(f"workshop {i + 1} of {len(codes)}: {len(visits)} pages open, "
                 f"{sum(v.error is not None for v in visits)} failed")
        result["workshops"] = len(codes)
        result["join_errors"] = sum(v.error is not None for v in visits)
        result["press_join_s"] = await bench._press_join(visits, "live")
        _say(f"joined: {result['press_join_s']}")
        # The joins' aftermath (each kernel drawing its stage, the server passing it on, the pools
        # topping up their spares) takes a while after the last Join: the idle figure waits for it.
        # A joined room is never quite quiet (its kernels poll): wait_quiet allows for that.
        settling = time.monotonic()
        await asyncio.get_event_loop().run_in_executor(None, srv.wait_quiet, server, n, 600)
        result["settled_after_joins_s"] = round(time.monotonic() - settling, 1)
        _say("room settled; measuring idle, memory and then live")
        kernels = server.kernels()
        mine = {kernels[v.kernel_id] for v in visits if v.kernel_id in kernels}
        # CPU of a room that only waits: what the polling itself costs.
        result["load_idle"] = _load()
        result["cpu_idle_room"] = _cpu_by_role(server, mine, 5.0)
        result["memory"] = room.room_memory(server)
        result["memory_per_participant_mb"] = round(result["memory"]["total_mb"] / n, 1)
        if args.ksm:
            result.update(room.ksm_figures(server, n, ksmd_cpu_at_start))
        spies = []
        if args.py_spy:
            pids = {"server": server.voila_pid()}
            pids.update({f"kernel-{i}": pid for i, pid in enumerate(sorted(mine)[:SPIED_KERNELS])})
            spies = _spy(pids, 20, Path(args.py_spy))
        async with async_playwright() as pw:
            browser = await launch(pw)
            cpu = asyncio.get_event_loop().run_in_executor(None, _cpu_by_role, server, mine, 10.0)
            cfg = dict(bench.FULL, live_samples=args.samples)
            result["live"] = await bench._live(browser, server, store, code, key, n, cfg,
                                               voting_now=min(n, bench.BACKGROUND_VOTERS))
            result["cpu_during_live"] = await cpu
            await browser.close()
        result["load_after"] = _load()
        for p in spies:
            p.wait(timeout=60)
        await asyncio.gather(*(v.shutdown() for v in visits))
    finally:
        server.stop()
        store.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def cli(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.live_room", description=__doc__.split("\n\n")[0])
    p.add_argument("--active", type=int, default=100, help="participants joined and polling (default 100)")
    p.add_argument("--samples", type=int, default=bench.FULL["live_samples"], help="votes timed on the facilitator's page")
    p.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    p.add_argument("--per-workshop", type=int, default=PER_WORKSHOP,
                   help=f"participants per workshop (default {PER_WORKSHOP}); more active means more workshops")
    ksm.add_option(p, "report the room's PSS once merged")
    p.add_argument("--py-spy", metavar="DIR", help="sample the server and a few kernels with py-spy into DIR")
    args = p.parse_args(argv)
    result = ksm.run(args.ksm, p, lambda: asyncio.run(main(args)))
    print(json.dumps(result, indent=2, default=str))
    live = result.get("live", {})
    print(f"\nlive, {args.active} active in {result.get('workshops')} workshop(s), p50 / p95: "
          f"{live.get('p50')} / {live.get('p95')} s; load {result['load_before']} → {result['load_after']}; "
          f"{result.get('memory_per_participant_mb')} MB per participant"
          + (f", {result['ksm_per_participant_mb']} MB with KSM" if "ksm_per_participant_mb" in result else ""))
    return 0 if live.get("samples") and not live.get("errors") else 1


if __name__ == "__main__":
    sys.exit(cli())
