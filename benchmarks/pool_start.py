"""Where the time of a pool start goes: CPU seconds per process role while `workshop serve
--participants N` fills its pools, and when the kernels were forked.

Starts one server (kernels forked unless ``--kind ordinary``), waits until every pool is full as
benchmarks.room does (``ready_s``), and reports the CPU seconds the Voila server, the template
and the kernels used from start to ready (per kernel: median and total), the spread of the
kernels' start times (how far apart the forks were) and the load average. ``--py-spy DIR``
records the server and the template (with ``--subprocesses``: the kernels too) in py-spy's raw
format, for ``benchmarks.pool_start --summarize DIR/x.txt``.

Run: ``python -m benchmarks.pool_start --participants 30 [--py-spy /tmp/spy]``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psutil

from benchmarks import servers as srv
from benchmarks.room import KINDS, expected_kernels, load_average, wait_ready

PY_SPY = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "py-spy"


def role(proc: psutil.Process, voila_pid: int) -> str:
    try:
        cmd = " ".join(proc.cmdline())
    except psutil.Error:
        return "gone"
    if proc.pid == voila_pid:
        return "server"
    if "workshop.server.template" in cmd and "kernel-" not in cmd:
        return "template"
    if "kernel-" in cmd:
        return "kernel"
    return "other"


class Sampler(threading.Thread):
    """Keeps the last CPU times seen of every process of the tree (kernels may end before ready)."""

    def __init__(self, server: srv.Server):
        super().__init__(daemon=True)
        self.server = server
        self.seen: dict[int, dict] = {}
        self.stop = threading.Event()
        self.spies: list[subprocess.Popen] = []
        self.spy_dir: Path | None = None
        #: How many of the first kernels py-spy records (at 250 Hz, active samples only).
        self.spy_kernels = 0
        #: Which of the server and the template py-spy records (the template with its kernels).
        self.spy_roles = ("server", "template")
        #: CPU seconds of the server and the template when the first kernel appeared (their start-up).
        self.first_kernel: dict | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                root = psutil.Process(self.server.proc.pid)
                voila = self.server.voila_pid()
                procs = root.children(recursive=True)
            except psutil.Error:
                procs, voila = [], -1
            for p in procs:
                try:
                    with p.oneshot():
                        t = p.cpu_times()
                        entry = self.seen.setdefault(p.pid, {"role": role(p, voila), "created": p.create_time()})
                        if entry["role"] in ("gone", "other", "template"):  # a fork names itself a kernel soon after
                            entry["role"] = role(p, voila)
                        entry["cpu"] = t.user + t.system
                        if entry["role"] == "kernel" and self.first_kernel is None:
                            self.first_kernel = {e["role"]: round(e.get("cpu", 0.0), 2) for e in self.seen.values()
                                                 if e["role"] in ("server", "template")}
                except psutil.Error:
                    continue
                if self.spy_dir is not None and entry.get("spied") is None and entry["role"] in self.spy_roles:
                    entry["spied"] = True
                    extra = ["--subprocesses"] if entry["role"] == "template" else []
                    self.spy(p.pid, entry["role"], ["--idle", "--rate", "50", *extra])
                if entry["role"] == "kernel" and entry.get("spied") is None and self.spy_kernels > 0:
                    entry["spied"] = True
                    self.spy_kernels -= 1
                    self.spy(p.pid, f"kernel-{p.pid}", ["--rate", "250"])
            time.sleep(0.1)

    def spy(self, pid: int, name: str, options: list[str]) -> None:
        cmd = [str(PY_SPY), "record", "--pid", str(pid), "--format", "raw", *options,
               "-o", str(self.spy_dir / f"{name}.txt")]
        self.spies.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def end_spies(self) -> None:
        for spy in self.spies:
            spy.send_signal(2)  # py-spy writes its file on SIGINT
        for spy in self.spies:
            try:
                spy.wait(timeout=60)
            except subprocess.TimeoutExpired:
                spy.kill()


def report(sampler: Sampler, started_wall: float) -> dict:
    by_role: dict[str, list[float]] = collections.defaultdict(list)
    created = []
    for entry in sampler.seen.values():
        by_role[entry["role"]].append(entry.get("cpu", 0.0))
        if entry["role"] == "kernel":
            created.append(entry["created"] - started_wall)
    out = {"at_first_fork": sampler.first_kernel}
    out |= {r: {"processes": len(v), "cpu_s": round(sum(v), 2)} for r, v in by_role.items()}
    kernels = by_role.get("kernel", [])
    if kernels:
        out["kernel"]["median_cpu_s"] = round(statistics.median(kernels), 3)
        created.sort()
        out["kernel"]["first_fork_s"] = round(created[0], 2)
        out["kernel"]["last_fork_s"] = round(created[-1], 2)
    return out


def summarize(path: Path, top: int = 40, depth: int = 0) -> None:
    """The functions py-spy saw most (self and total), from a raw (collapsed stacks) file."""
    total_counts: collections.Counter = collections.Counter()
    self_counts: collections.Counter = collections.Counter()
    n = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        c = int(count)
        frames = stack.split(";")
        n += c
        for f in set(frames):
            total_counts[f] += c
        self_counts[frames[-1]] += c
    print(f"{path}: {n} samples")
    print("-- total --")
    for f, c in total_counts.most_common(top):
        print(f"{100 * c / n:5.1f}% {f}")
    print("-- self --")
    for f, c in self_counts.most_common(top // 2):
        print(f"{100 * c / n:5.1f}% {f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--kind", default="forked", choices=list(KINDS))
    parser.add_argument("--py-spy", dest="spy", default=None, help="folder for py-spy's raw profiles")
    parser.add_argument("--spy-kernels", type=int, default=0, help="with --py-spy: also record this many kernels")
    parser.add_argument("--spy-roles", default="server,template", help="with --py-spy: server, template or both")
    parser.add_argument("--summarize", default=None, help="print a py-spy raw file's top functions and stop")
    args = parser.parse_args()
    if args.summarize:
        summarize(Path(args.summarize))
        return
    from workshop.demo import seed as demo
    from workshop.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="workshop-pool-"))
    db_url = f"sqlite:///{tmp / 'bench.sqlite'}"
    env = dict(os.environ, WORKSHOP_HOME=str(tmp), WORKSHOP_DB_URL=db_url, PYTHONUNBUFFERED="1", **KINDS[args.kind])
    os.environ["WORKSHOP_HOME"] = str(tmp)
    demo.seed(open_store(db_url), "voting")
    want = expected_kernels(args.participants, forked=args.kind == "forked")
    load_before = load_average()
    started_wall = time.time()
    server = srv.start_workshop_serve(env, participants=args.participants, log_dir=tmp, db_url=db_url)
    sampler = Sampler(server)
    if args.spy:
        sampler.spy_dir = Path(args.spy)
        sampler.spy_dir.mkdir(parents=True, exist_ok=True)
        sampler.spy_kernels = args.spy_kernels
        sampler.spy_roles = tuple(args.spy_roles.split(","))
    sampler.start()
    try:
        ready = wait_ready(server, want, 900)
        time.sleep(0.3)
        sampler.stop.set()
        sampler.join()
        sampler.end_spies()
        out = {"participants": args.participants, "kind": args.kind, "kernels": want, "ready_s": round(ready, 1),
               "load_before": load_before, "load_after": load_average(), "cpu": report(sampler, started_wall),
               "log": str(server.log_path)}
    finally:
        server.stop()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
