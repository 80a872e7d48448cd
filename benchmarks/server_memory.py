"""What the server process of `workshop serve` holds, by PSS, and where in Python (issue 16).

benchmarks.room counts everything that is neither a kernel nor the template as "server": that is
the `workshop serve` process (the CLI, which waits for Voila) and the Voila process. This script
measures each apart, from /proc/PID/smaps_rollup, at three moments: the pools full and quiet,
after N visitors opened the participant page and joined, and (``--tracemalloc``) what Python
allocated in the Voila process, by file and line, at each moment (a snapshot taken through a
``sitecustomize`` this script puts on the Voila process's PYTHONPATH; only there, not on
production paths).

``python -m benchmarks.server_memory --participants 30 --visitors 30 [--preheat 0]
[--tracemalloc | --trim] [--env MALLOC_ARENA_MAX=2]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
import textwrap
import time
from pathlib import Path

from benchmarks import servers as srv
from benchmarks.join import burst
from benchmarks.room import expected_kernels, load_average, wait_ready
from workshop.server import voila_config

SITECUSTOMIZE = textwrap.dedent('''
    # Written by benchmarks.server_memory: tracemalloc in the Voila process only.
    def _setup():
        try:
            cmd = open("/proc/self/cmdline", "rb").read()
        except OSError:
            return
        if b"workshop.server.serve" not in cmd:
            return
        import os, signal, tracemalloc
        out = os.environ["SERVER_MEMORY_SNAPSHOTS"]
        count = [0]
        if os.environ.get("SERVER_MEMORY_TRIM"):
            def dump(*_):  # first a full collection, then malloc_trim: what each gives back
                import ctypes, gc
                count[0] += 1
                if count[0] % 2:
                    gc.collect()
                else:
                    ctypes.CDLL("libc.so.6").malloc_trim(0)
                open(f"{out}/snap-{count[0]}.done", "w").close()
            signal.signal(signal.SIGUSR2, dump)
            return
        tracemalloc.start(int(os.environ.get("SERVER_MEMORY_FRAMES", "1")))

        def dump(*_):
            import gc
            gc.collect()
            count[0] += 1
            tracemalloc.take_snapshot().dump(f"{out}/snap-{count[0]}.pickle")
            open(f"{out}/snap-{count[0]}.done", "w").close()

        signal.signal(signal.SIGUSR2, dump)
    _setup()
''')


def rollup(pid: int) -> dict:
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = round(int(parts[1]) / 1024, 1)
    return {k: out[k] for k in ("Rss", "Pss", "Pss_Anon", "Pss_File", "Private_Dirty", "Anonymous") if k in out}


def server_processes(server: srv.Server) -> dict:
    voila = server.voila_pid()
    return {"cli": rollup(server.proc.pid), "voila": rollup(voila)}


def snapshot(server: srv.Server, folder: Path, n: int) -> Path:
    os.kill(server.voila_pid(), signal.SIGUSR2)
    done = folder / f"snap-{n}.done"
    deadline = time.monotonic() + 120
    while not done.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("no tracemalloc snapshot")
        time.sleep(0.2)
    return folder / f"snap-{n}.pickle"


def top(path: Path, base: Path | None = None, key: str = "lineno", limit: int = 25) -> list[str]:
    import tracemalloc
    snap = tracemalloc.Snapshot.load(str(path))
    if base is None:
        stats = snap.statistics(key)
        total = sum(s.size for s in stats)
        lines = [f"total {total / 2**20:.1f} MB in {sum(s.count for s in stats)} blocks"]
        lines += [f"{s.size / 2**20:8.2f} MB {s.count:8d} {s.traceback}" for s in stats[:limit]]
    else:
        stats = snap.compare_to(tracemalloc.Snapshot.load(str(base)), key)
        total = sum(s.size_diff for s in stats)
        lines = [f"diff total {total / 2**20:+.1f} MB"]
        lines += [f"{s.size_diff / 2**20:+8.2f} MB {s.count_diff:+8d} {s.traceback}" for s in stats[:limit]]
    return lines


async def run(args) -> dict:
    from workshop.demo import seed as demo
    from workshop.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="server-memory-"))
    db_url = f"sqlite:///{tmp / 'bench.sqlite'}"
    env = dict(os.environ, WORKSHOP_HOME=str(tmp), WORKSHOP_DB_URL=db_url, PYTHONUNBUFFERED="1")
    env[voila_config.FACILITATOR_PREHEAT_ENV] = str(args.preheat)
    for item in args.env:
        name, _, value = item.partition("=")
        env[name] = value
    snaps = tmp / "snaps"
    if args.tracemalloc or args.trim:
        site = tmp / "site"
        site.mkdir()
        snaps.mkdir()
        (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH")) if p)
        env["SERVER_MEMORY_SNAPSHOTS"] = str(snaps)
        env["SERVER_MEMORY_FRAMES"] = str(args.frames)
        if args.trim:
            env["SERVER_MEMORY_TRIM"] = "1"
    os.environ["WORKSHOP_HOME"] = str(tmp)
    code, _ = demo.seed(open_store(db_url), "voting")
    want = expected_kernels(args.participants, args.preheat, voila_config.kernels_forked(env))
    out: dict = {"participants": args.participants, "visitors": args.visitors, "preheat": args.preheat,
                 "env": args.env, "kernels_expected": want, "load_before": load_average()}
    server = srv.start_workshop_serve(env, participants=args.participants, log_dir=tmp, db_url=db_url)
    try:
        out["ready_s"] = round(wait_ready(server, want, 900), 1)
        out["idle"] = server_processes(server)
        if args.tracemalloc:
            out["idle_top"] = top(snapshot(server, snaps, 1))
        if args.visitors:
            visits = await burst(server.base, f"w={code}", args.visitors, 300)
            ok = [v for v in visits if v.error is None]
            out["visit_errors"] = len(visits) - len(ok)
            await asyncio.gather(*(v.join_as(f"probe {i}", 120) for i, v in enumerate(ok)),
                                 return_exceptions=True)
            await asyncio.get_event_loop().run_in_executor(None, srv.wait_quiet, server, 0, 300)
            out["joined"] = server_processes(server)
            if args.tracemalloc:
                out["joined_top"] = top(snapshot(server, snaps, 2))
                out["joined_diff"] = top(snaps / "snap-2.pickle", snaps / "snap-1.pickle")
            if args.trim:
                snapshot(server, snaps, 1)
                out["joined_collected"] = server_processes(server)
                snapshot(server, snaps, 2)
                out["joined_trimmed"] = server_processes(server)
            await asyncio.gather(*(v.shutdown() for v in visits), return_exceptions=True)
    finally:
        server.stop()
    out["load_after"] = load_average()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--visitors", type=int, default=0)
    parser.add_argument("--preheat", type=int, default=1, help="WORKSHOP_FACILITATOR_PREHEAT")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--trim", action="store_true",
                        help="after joining, also measure after gc.collect() and after malloc_trim(0) in the server")
    parser.add_argument("--frames", type=int, default=1, help="tracemalloc frames per allocation")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server")
    parser.add_argument("--out", default=None, help="write the figures as JSON here")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
