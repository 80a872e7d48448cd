"""Fixtures that start a real `workshop serve` (Voila) and a real headless Chromium.

Loaded as a pytest plugin from tests/conftest.py. Servers listen on free ports
picked at run time, write to their own database, and are killed as a process
group afterwards; a failing test prints the server's log.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

#: Ports other helpers use on this machine; never pick one of these.
RESERVED_PORTS = range(8930, 9000)

#: A cold start preheats a kernel per notebook on a busy 2-core machine.
START_TIMEOUT = 120.0


def free_port() -> int:
    """A port nobody listens on now (outside the reserved range)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port
    raise RuntimeError("no free port found")


def workshop_command() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "workshop"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "workshop.cli"]


@dataclass
class Server:
    """A running `workshop serve` and the database it serves."""

    db_url: str
    port: int
    participants: int
    home: Path
    proc: subprocess.Popen | None = None
    log_path: Path = field(default=None)  # type: ignore[assignment]
    #: Extra environment for the server (e.g. WORKSHOP_FACILITATOR_PREHEAT=0).
    env: dict = field(default_factory=dict)
    #: Extra `workshop serve` options (e.g. ["--max-kernels", "4"]).
    args: list = field(default_factory=list)
    _store: object = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    # ---- the database the server uses -------------------------------------------------
    @property
    def store(self):
        """A Store on the served database, for seeding and for checking what was saved."""
        if self._store is None:
            from workshop.store import Store
            self._store = Store(self.db_url)
        return self._store

    def seed(self, stage: str = "brainstorm") -> tuple[str, str]:
        """The demo workshop played forward to ``stage``: (code, facilitator key)."""
        from workshop.demo import seed as demo
        return demo.seed(self.store, stage)

    def create(self, title: str = "Trust test", **kwargs) -> tuple[str, str]:
        """A new, empty workshop in the setup stage: (code, facilitator key)."""
        from workshop.domain import workshops
        created = workshops.create_workshop(self.store, title, **kwargs)
        return created.code, created.key

    # ---- links --------------------------------------------------------------------------
    def participant_url(self, code: str, **params) -> str:
        from workshop.core import links
        return links.notebook_url(links.PARTICIPANT_NOTEBOOK, self.base_url, w=code, **params)

    def facilitator_url(self, code: str, key: str | None, notebook: str = "00-facilitator.ipynb") -> str:
        from workshop.core import links
        return links.notebook_url(notebook, self.base_url, w=code, key=key)

    # ---- the process ----------------------------------------------------------------------
    def start(self, timeout: float = START_TIMEOUT, warm: bool = True) -> "Server":
        env = dict(os.environ)
        env["WORKSHOP_HOME"] = str(self.home)
        env.pop("WORKSHOP_DB_URL", None)
        env["PYTHONUNBUFFERED"] = "1"
        env.update(self.env)
        if self.log_path is None:
            self.log_path = self.home / f"serve-{self.port}.log"
        log = open(self.log_path, "ab")
        cmd = workshop_command() + ["--db", self.db_url, "serve", "--port", str(self.port),
                                    "--participants", str(self.participants), *self.args]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     preexec_fn=_die_with_test_run)
        log.close()
        self.wait_until_up(timeout)
        if warm:
            self.warm(timeout)
        return self

    def wait_until_up(self, timeout: float = START_TIMEOUT) -> None:
        import requests

        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"workshop serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                # A static file costs no kernel. Voila's own script, as `workshop serve` waits for it:
                # since the workshop template the light theme's CSS path is a 404 with a traceback
                # in the log (its error page needs a static_path), which tests look for.
                r = requests.get(self.base_url + "voila/static/voila.js", timeout=2)
                if r.status_code < 500:
                    return
                last = r.status_code
            except requests.RequestException as exc:
                last = exc
            time.sleep(0.3)
        raise RuntimeError(f"workshop serve did not answer within {timeout:.0f}s ({last}):\n{self.log()}")

    def warm(self, timeout: float = START_TIMEOUT) -> float:
        """Open one participant page and close it: returns once the pool has rendered a kernel.

        At a cold start every preheated kernel imports the app at once; the
        first visitor would otherwise wait for all of that. The visit must be served
        from the pool (tests count on one pooled kernel taken, e.g. test_serve's spare
        kernels): a page asked for while the pool's kernels are still starting gets a
        kernel started for it instead (a forked pool's kernels start a few at a time, so
        this happens there more often), which is shut down and the visit made again."""
        from tests.widget_client import KERNEL_ID, WidgetClient

        started = time.monotonic()
        deadline = started + timeout
        while True:
            client = WidgetClient(self.participant_url("WARMUP"), timeout=timeout)
            resp = client.http.get(client.page_url, timeout=timeout)
            found = KERNEL_ID.search(resp.text)
            pooled = False
            if found:
                client.kernel_id = found.group(1)
                pooled = f"Using pre-heated kernel: {client.kernel_id} " in self.log(tail=10 ** 7)
                client.shutdown_kernel()
            client.http.close()
            if pooled or not found or time.monotonic() > deadline:
                return time.monotonic() - started

    def log(self, tail: int = 12000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except (OSError, TypeError):
            return "(no log)"
        return text[-tail:]

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the server, Voila and every kernel at once (a crash, for fault tests)."""
        if self.proc is None:
            return
        tree = [self.proc.pid] + descendants(self.proc.pid)
        for pid in tree:
            _signal(pid, sig)
        _wait_gone(tree, 15)
        self.proc.wait(timeout=15)

    def stop(self) -> None:
        """Stop politely (Voila shuts its kernels down), then force whatever is left."""
        if self.proc is not None:
            tree = descendants(self.proc.pid)  # before the parent dies and they are re-parented
            if self.proc.poll() is None:
                _signal(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    _signal(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=15)
            for pid in tree:
                _signal(pid, signal.SIGTERM)
            if not _wait_gone(tree, 10):
                for pid in tree:
                    _signal(pid, signal.SIGKILL)
                _wait_gone(tree, 5)
        if self._store is not None:
            self._store.dispose()
            self._store = None

    def restart(self, timeout: float = START_TIMEOUT) -> "Server":
        """Same port, same database: what an operator does after a crash."""
        self.stop()
        self.proc = None
        return self.start(timeout)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Voila and kernels run in sessions of their own)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_gone(pids: list[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return not any(_alive(p) for p in pids)


def _die_with_test_run() -> None:
    """If pytest itself is killed, the server it started gets SIGTERM too (Linux)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


#: Kernels the shared test servers may hold at once.
TEST_SERVER_KERNELS = 400


def start_server(db_url: str, home: Path, participants: int = 3, port: int | None = None,
                 env: dict | None = None) -> Server:
    # A test suite opens far more pages on one server than any room (hundreds over a session,
    # each kernel kept a while after its page closed): the shared servers get a budget to
    # match. The budget itself is tested on servers of its own (test_trust_server).
    return Server(db_url=db_url, port=port or free_port(), participants=participants, home=home,
                  env=dict(env or {}), args=["--max-kernels", str(TEST_SERVER_KERNELS)]).start()


# ---- PostgreSQL databases that live as long as a module or session -------------------------
def create_pg_database() -> str:
    from tests.conftest import PG_ADMIN_URL, _pg_admin, require_pg

    require_pg()
    name = f"ws_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def drop_pg_database(url: str) -> None:
    from tests.conftest import _pg_admin

    name = url.rsplit("/", 1)[1]
    with _pg_admin() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


# ---- fixtures ---------------------------------------------------------------------------------
_failed_servers: list[Server] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember which test failed, so its server's log is printed."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for name in ("server", "pg_server", "sqlite_server"):
            srv = item.funcargs.get(name) if hasattr(item, "funcargs") else None
            if isinstance(srv, Server):
                report.sections.append((f"workshop serve log ({name}, port {srv.port})", srv.log()))


def _serve(request, db_url: str, participants: int = 3, env: dict | None = None):
    home = Path(tempfile.mkdtemp(prefix="workshop-serve-"))
    srv = start_server(db_url, home, participants=participants, env=env)
    yield srv
    srv.stop()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_server(request):
    """`workshop serve` on a fresh SQLite file, shared by the tests of a run.

    Tests create their own workshops, so sharing one server costs nothing in
    isolation and saves a cold start per module."""
    folder = Path(tempfile.mkdtemp(prefix="workshop-db-"))
    yield from _serve(request, f"sqlite:///{folder / 'workshop.sqlite'}", participants=4)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server(request):
    """`workshop serve` on a fresh PostgreSQL database, dropped afterwards.

    Kept light (no facilitator kernels preheated): it proves the apps run on
    PostgreSQL; the full workshop runs on the SQLite server."""
    url = create_pg_database()
    try:
        yield from _serve(request, url, participants=1, env={"WORKSHOP_FACILITATOR_PREHEAT": "0"})
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="session")
def server(sqlite_server):
    """The default served database is the embedded SQLite file."""
    return sqlite_server


# ---- the browser ------------------------------------------------------------------------------
def chromium_missing() -> str | None:
    if os.path.exists(CHROMIUM):
        return None
    return f"{CHROMIUM} is missing (install Debian's chromium package; .ci/run does)"


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    reason = chromium_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true)")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a dev dependency
        if os.environ.get("CI") == "true":
            pytest.fail(f"playwright is not installed: {exc}")
        pytest.skip(f"playwright is not installed: {exc}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def visitors(browser):
    """Opens browser visitors (each its own context, so its own localStorage); closes them after."""
    from tests import browser as B

    opened: list = []

    def open_visitor(viewport=None, name=""):
        v = B.new_visitor(browser, viewport, name)
        opened.append(v)
        return v

    yield open_visitor
    for v in opened:
        v.close()
