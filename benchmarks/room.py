"""The room phase of `workshop bench`: what a room of N costs, with kernels forked from the
template (workshop.server.forking) and with every kernel its own Python, measured one server at a
time on the same machine.

For each kind and room size: `workshop serve --participants N` starts; *ready* is the time from
its start until every pool is full (all preheated kernels run and the server's process tree has
gone quiet); then N visitors open the participant page at the same instant (*join p95*) and press
Join; *memory* is the PSS of the whole tree (the server, the template, every kernel: the
participants', the spares and the facilitator's and follow-up pages' preheated ones), per
participant = that sum / N. PSS divides each shared page among the processes that map it, so the
sum is what the room really holds. ``--merged`` adds what the room would hold if its identical
private pages were shared again, as KSM does where the machine runs it (see
``workshop.server.template.merge_identical_pages``): an upper bound, read from /proc/PID/mem.

Each result also carries the load average before and after its run (other work on the machine
slows the times, not the memory). ``--facilitator-preheat 0`` measures the room without the
facilitator's preheated pages (WORKSHOP_FACILITATOR_PREHEAT), to see what they cost.

``--ksm`` (root) switches KSM on for the run (benchmarks.ksm puts it back after) and adds the
room's PSS once ksmd has merged it: measured, where ``--merged`` estimates.

Run alone: ``python -m benchmarks.room [--participants 30 160] [--kinds forked ordinary]
[--facilitator-preheat 0] [--merged] [--ksm]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from benchmarks import ksm
from benchmarks import servers as srv
from benchmarks.join import burst, burst_figures, summary
from workshop.server import forking, voila_config
from workshop.server.serve import NOTEBOOKS

KINDS = {"forked": {forking.FORK_ENV: "1"}, "ordinary": {forking.FORK_ENV: "0"}}

#: Room sizes whose visitors are also sent to join (the larger ones only fill their pool).
JOIN_UP_TO = 100


def expected_kernels(participants: int, facilitator_preheat: int | None = None,
                     forked: bool | None = None) -> int:
    """Every kernel the pools of `workshop serve --participants N` hold when full (``forked``:
    whether its kernels are forked, which warms fewer pages; by default as this process would)."""
    saved = os.environ.get(voila_config.FACILITATOR_PREHEAT_ENV)
    try:
        if facilitator_preheat is not None:
            os.environ[voila_config.FACILITATOR_PREHEAT_ENV] = str(facilitator_preheat)
        pools = voila_config.kernel_pools(participants, NOTEBOOKS, forked)
    finally:
        if facilitator_preheat is not None:
            if saved is None:
                os.environ.pop(voila_config.FACILITATOR_PREHEAT_ENV, None)
            else:
                os.environ[voila_config.FACILITATOR_PREHEAT_ENV] = saved
    return sum(int(c.get("pool_size", 0)) for c in pools.values())


def tree_pids(server: srv.Server) -> list[int]:
    import psutil
    root = psutil.Process(server.proc.pid)
    return [root.pid] + [p.pid for p in root.children(recursive=True)]


def pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def room_memory(server: srv.Server) -> dict:
    """PSS of every process of the server, by role."""
    roles = {"server": 0.0, "template": 0.0, "kernels": 0.0}
    kernels = set(server.kernels().values())
    count = 0
    for pid in tree_pids(server):
        mb = pss_mb(pid)
        if pid in kernels:
            roles["kernels"] += mb
            count += 1
        else:
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            roles["template" if b"workshop.server.template" in cmd else "server"] += mb
    return {**{k: round(v, 1) for k, v in roles.items()}, "kernel_count": count,
            "total_mb": round(sum(roles.values()), 1)}


def private_pages(pid: int) -> list[bytes]:
    """A digest of each anonymous page only this process maps (/proc/PID/pagemap: present,
    exclusively mapped, not a file's page), read from /proc/PID/mem."""
    import hashlib
    import struct
    digests = []
    try:
        with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap, \
                open(f"/proc/{pid}/mem", "rb") as mem:
            for line in maps:
                fields = line.split()
                if "w" not in fields[1] or not fields[1].endswith("p"):
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                pagemap.seek(start // 4096 * 8)
                entries = pagemap.read((end - start) // 4096 * 8)
                for i, (entry,) in enumerate(struct.iter_unpack("Q", entries)):
                    if entry >> 63 & 1 and entry >> 56 & 1 and not entry >> 61 & 1:
                        try:
                            mem.seek(start + i * 4096)
                            digests.append(hashlib.blake2b(mem.read(4096), digest_size=16).digest())
                        except OSError:
                            pass
    except OSError:
        pass
    return digests


def merged_memory(server: srv.Server) -> dict:
    """What the tree would hold if every private page with the same bytes as another (the
    template's, another kernel's) were one page, as Linux's same-page merging (KSM) makes
    them where it runs: the most it could save, for pages that stay unchanged between its scans."""
    total = private = 0.0
    unique: set[bytes] = set()
    for pid in tree_pids(server):
        pages = private_pages(pid)
        total += pss_mb(pid)
        private += len(pages) * 4 / 1024
        unique.update(pages)
    merged = total - private + len(unique) * 4 / 1024
    return {"private_mb": round(private, 1), "distinct_private_mb": round(len(unique) * 4 / 1024, 1),
            "total_mb": round(merged, 1)}


def wait_ready(server: srv.Server, kernels: int, timeout: float, window: float = 0.5) -> float:
    """Seconds from the server's start until ``kernels`` kernels run and the tree is quiet
    (a preheated kernel waiting for its visitor uses no CPU): the start of the first quiet window."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        began = time.monotonic()
        n = len(server.kernels())
        busy = srv._cpu_seconds(server, window)
        if n >= kernels and busy < 0.15:
            quiet_since = quiet_since or began
            if time.monotonic() - quiet_since >= 1.5:
                return quiet_since - server.started
        else:
            quiet_since = None
    raise TimeoutError(f"{server.name}: pools not full ({n} of {kernels} kernels) within {timeout:.0f} s")


def ksm_figures(server: srv.Server, participants: int, ksmd_cpu_at_start: float) -> dict:
    """With KSM running (``--ksm``): the room's PSS once ksmd has merged what it can, and what
    that cost ksmd since the server started."""
    settle = ksm.wait_full_scans(2)
    memory = room_memory(server)
    return {"ksm_settle_s": round(settle, 1), "ksm_memory": memory,
            "ksm_per_participant_mb": round(memory["total_mb"] / participants, 1),
            "ksm_pages": ksm.merged_mb(),
            "ksmd_cpu_s": round(ksm.ksmd_cpu_seconds() - ksmd_cpu_at_start, 1)}


async def measure(kind: str, participants: int, tmp: Path, code: str, env: dict, merged: bool = False,
                  with_ksm: bool = False) -> dict:
    env = {**env, **KINDS[kind]}
    if with_ksm:
        ksmd_cpu_at_start = ksm.ksmd_cpu_seconds()
    server = srv.start_workshop_serve(env, participants=participants, log_dir=tmp,
                                      db_url=env["WORKSHOP_DB_URL"])
    server.name = f"workshop serve ({kind}, {participants})"
    preheat = env.get(voila_config.FACILITATOR_PREHEAT_ENV)
    want = expected_kernels(participants, int(preheat) if preheat is not None else None,
                            voila_config.kernels_forked(env))
    out: dict = {"kind": kind, "participants": participants, "kernels_expected": want,
                 "facilitator_preheat": voila_config.facilitator_preheat() if preheat is None else int(preheat),
                 "load_before": load_average()}
    try:
        out["ready_s"] = round(wait_ready(server, want, 900), 1)
        out["idle_memory"] = room_memory(server)
        if participants <= JOIN_UP_TO:
            visits = await burst(server.base, f"w={code}", participants, 300)
            fig = burst_figures(visits)
            out["join_ready_s"] = fig["ready_s"]
            out["join_errors"] = fig["errors"]
            ok = [v for v in visits if v.error is None]
            times: list[float] = []

            async def join(i, v):
                t = time.perf_counter()
                await v.join_as(f"{kind} {participants} {i}", 120)
                times.append(time.perf_counter() - t)
            results = await asyncio.gather(*(join(i, v) for i, v in enumerate(ok)), return_exceptions=True)
            out["press_join_s"] = {**summary(times), "errors": sum(isinstance(r, Exception) for r in results)}
            await asyncio.get_event_loop().run_in_executor(None, srv.wait_quiet, server, 0, 300)
            out["memory"] = room_memory(server)
            out["memory_per_participant_mb"] = round(out["memory"]["total_mb"] / participants, 1)
            if merged:
                out["merged_memory"] = merged_memory(server)
                out["merged_per_participant_mb"] = round(out["merged_memory"]["total_mb"] / participants, 1)
            if with_ksm:
                out.update(ksm_figures(server, participants, ksmd_cpu_at_start))
            await asyncio.gather(*(v.shutdown() for v in visits), return_exceptions=True)
        else:
            out["memory_per_participant_mb"] = round(out["idle_memory"]["total_mb"] / participants, 1)
            if with_ksm:
                out.update(ksm_figures(server, participants, ksmd_cpu_at_start))
    finally:
        server.stop()
    out["load_after"] = load_average()
    return out


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages (as `uptime` shows them)."""
    return [round(x, 1) for x in os.getloadavg()]


async def room_phase(sizes: list[int], kinds: list[str], tmp: Path, code: str, env: dict, log=print,
                     merged: bool = False, with_ksm: bool = False) -> list[dict]:
    results = []
    for participants in sizes:
        for kind in kinds:
            log(f"room: {kind} kernels, {participants} participants")
            try:
                fig = await measure(kind, participants, tmp, code, env, merged, with_ksm)
            except Exception as exc:  # noqa: BLE001 - recorded; the other rooms still run
                fig = {"kind": kind, "participants": participants, "error": f"{type(exc).__name__}: {exc}"}
            log(f"  {json.dumps({k: v for k, v in fig.items() if k not in ('idle_memory',)}, default=str)}")
            results.append(fig)
    return results


def markdown_rows(results: list[dict]) -> list[str]:
    rows = ["", ("| room | kernels | pool ready | join p95 | memory per participant (PSS) | "
                 "server / template / kernels (PSS) | load average before, after |"), "|---|---|---|---|---|---|---|"]
    for r in results:
        if "error" in r:
            rows.append(f"| {r['participants']}, {r['kind']} | | | | | error: {r['error']} |")
            continue
        mem = r.get("memory") or r.get("idle_memory", {})
        join = r.get("join_ready_s", {}).get("p95")
        preheat = "" if r.get("facilitator_preheat", 1) else ", no facilitator preheat"
        merged = f" ({r['merged_per_participant_mb']} MB merged)" if "merged_per_participant_mb" in r else ""
        if "ksm_per_participant_mb" in r:
            merged += (f"; **{r['ksm_per_participant_mb']} MB with KSM** (settled in {r['ksm_settle_s']} s,"
                       f" ksmd {r['ksmd_cpu_s']} CPU s)")
        rows.append(f"| {r['participants']}, {r['kind']}{preheat} | {mem.get('kernel_count')} | {r['ready_s']} s | "
                    f"{'—' if join is None else f'{join:.2f} s'} | {r['memory_per_participant_mb']} MB{merged} | "
                    f"{mem.get('server')} / {mem.get('template')} / {mem.get('kernels')} MB "
                    f"({'after joining' if r.get('memory') else 'pool only'}) | "
                    f"{r.get('load_before', ['?'])[0]}, {r.get('load_after', ['?'])[0]} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, nargs="+", default=[30, 160])
    parser.add_argument("--kinds", nargs="+", default=["forked", "ordinary"], choices=list(KINDS))
    parser.add_argument("--facilitator-preheat", type=int, default=None,
                        help="warm kernels per facilitator page (default: the server's own)")
    parser.add_argument("--merged", action="store_true",
                        help="also estimate the room's memory with identical private pages merged (KSM)")
    ksm.add_option(parser)
    parser.add_argument("--out", default="bench-results")
    args = parser.parse_args()
    from workshop.demo import seed as demo
    from workshop.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="workshop-room-"))
    db_url = f"sqlite:///{tmp / 'bench.sqlite'}"
    env = dict(os.environ, WORKSHOP_HOME=str(tmp), WORKSHOP_DB_URL=db_url, PYTHONUNBUFFERED="1")
    if args.facilitator_preheat is not None:
        env[voila_config.FACILITATOR_PREHEAT_ENV] = str(args.facilitator_preheat)
    os.environ["WORKSHOP_HOME"] = str(tmp)
    store = open_store(db_url)
    code, _key = demo.seed(store, "voting")
    def run() -> list[dict]:
        return asyncio.run(room_phase(args.participants, args.kinds, tmp, code, env,
                                      log=lambda m: print(f"[room {time.strftime('%H:%M:%S')}] {m}", flush=True),
                                      merged=args.merged, with_ksm=args.ksm))
    results = ksm.run(args.ksm, parser, run)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "room.json").write_text(json.dumps(results, indent=2, default=str))
    print("\n".join(markdown_rows(results)))


if __name__ == "__main__":
    main()
