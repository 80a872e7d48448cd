"""Benchmark servers: start `workshop serve` and plain Voila on free ports, measure their memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from workshop.server.serve import NOTEBOOKS

try:  # a dependency of ipykernel, so always present where Voila runs
    import psutil
except ImportError:  # pragma: no cover
    psutil = None

#: The ports other helpers and the test-suite reserve; never pick these.
RESERVED = range(8930, 9000)


def free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in RESERVED:
            return port


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen
    log_path: Path
    started: float = field(default_factory=time.monotonic)
    #: ``--path-prefix`` of the server: every route lives under it.
    prefix: str = "/"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    def voila_pid(self) -> int:
        """The Voila process (`workshop serve` runs it as its child)."""
        if psutil is None:
            return self.proc.pid
        me = psutil.Process(self.proc.pid)
        for child in me.children(recursive=False):
            cmd = child.cmdline()
            if "workshop.server.serve" in cmd or "voila" in cmd:
                return child.pid
        return self.proc.pid

    def kernels(self) -> dict[str, int]:
        """kernel id -> pid of every kernel process this server started."""
        if psutil is None:
            return {}
        out = {}
        for child in psutil.Process(self.voila_pid()).children(recursive=True):
            try:
                cmd = child.cmdline()
            except psutil.Error:
                continue
            for part in cmd:
                name = os.path.basename(part)
                if name.startswith("kernel-") and name.endswith(".json"):
                    out[name[len("kernel-"):-len(".json")]] = child.pid
        return out

    def stop(self) -> None:
        # `workshop serve` starts Voila in a session of its own: end that tree first.
        if psutil is not None and self.proc.poll() is None:
            try:
                tree = psutil.Process(self.proc.pid).children(recursive=True)
            except psutil.Error:
                tree = []
            voila = [p for p in tree if p.pid == self.voila_pid()]
            for p in voila:
                p.terminate()
            psutil.wait_procs(voila, timeout=15)
            for p in tree:
                try:
                    p.kill()
                except psutil.Error:
                    pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def start_workshop_serve(env: dict, participants: int, log_dir: Path, db_url: str,
                         prefix: str = "/", public_url: str | None = None) -> Server:
    port = free_port()
    log = log_dir / f"workshop-serve-{port}.log"
    cmd = [sys.executable, "-m", "workshop.cli", "--db", db_url, "serve", "--port", str(port),
           "--participants", str(participants), "--path-prefix", prefix]
    if public_url:
        cmd += ["--public-url", public_url]
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    return Server("workshop serve", port, proc, log, prefix=prefix)


def start_plain_voila(env: dict, log_dir: Path) -> Server:
    """Voila in its default configuration (one new kernel per visit) on the same notebooks."""
    port = free_port()
    log = log_dir / f"plain-voila-{port}.log"
    cmd = [sys.executable, "-m", "voila", str(NOTEBOOKS), f"--port={port}", "--no-browser"]
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True, cwd=str(NOTEBOOKS))
    return Server("plain Voila", port, proc, log)


def wait_http(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see {server.log_path}")
        try:
            urllib.request.urlopen(server.base + "voila/static/voila.js", timeout=5).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{server.name} did not answer within {timeout:.0f} s")


#: CPU seconds per second an idle kernel and its share of the server's bookkeeping cost
#: (the restarter's polls, ipykernel's own wake-ups): 447 idle preheated kernels used about
#: 1.1 in all (top, 2026-12-03), above a fixed 0.15, so the 400 live run never began.
IDLE_CPU_PER_KERNEL = 0.003


def wait_pools_filled(server: Server, pools, timeout: float) -> float:
    """Seconds until Voila has said "Kernel pool of NAME is filled" for every name in ``pools``.

    A quiet machine alone does not tell: with several hundred kernels starting at once on two
    cores, their share of the CPU in a one-second window looks like what idle kernels cost,
    and the 500 run began its joins while most of its pool was still warming up."""
    want = set(pools)
    deadline = time.monotonic() + timeout
    while True:
        text = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
        missing = {name for name in want if f"Kernel pool of {name} is filled" not in text}
        if not missing:
            return time.monotonic() - server.started
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see {server.log_path}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{server.name}: pools {sorted(missing)} not filled within {timeout:.0f} s")
        time.sleep(0.5)


def wait_quiet(server: Server, min_kernels: int, timeout: float) -> int:
    """Wait until at least ``min_kernels`` kernels run and the server's processes are idle.

    A preheated kernel that has reached ``wait_for_request`` uses no CPU, so a
    quiet process tree with enough kernels means the pools are filled."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    n = 0
    while time.monotonic() < deadline:
        kernels = server.kernels()
        n = len(kernels)
        busy = _cpu_seconds(server, 1.0)
        if n >= min_kernels and busy < 0.15 + IDLE_CPU_PER_KERNEL * n:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 1.5:
                return n
        else:
            quiet_since = None
    raise TimeoutError(f"{server.name}: {n} kernels, pool not quiet within {timeout:.0f} s")


def _cpu_seconds(server: Server, window: float) -> float:
    """CPU seconds per second the server and its kernels used during ``window``."""
    if psutil is None:
        time.sleep(window)
        return 0.0
    procs = [psutil.Process(server.voila_pid())]
    procs += procs[0].children(recursive=True)

    def total():
        s = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                s += t.user + t.system
            except psutil.Error:
                pass
        return s

    before = total()
    time.sleep(window)
    return (total() - before) / window


def rss_mb(pid: int) -> dict[str, float]:
    """Resident memory of one process, and its unique part (what it costs beyond shared pages)."""
    if psutil is not None:
        p = psutil.Process(pid)
        try:
            info = p.memory_full_info()
            return {"rss_mb": info.rss / 2**20, "uss_mb": info.uss / 2**20}
        except psutil.AccessDenied:
            return {"rss_mb": p.memory_info().rss / 2**20}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return {"rss_mb": int(line.split()[1]) / 1024}
    return {}
