"""`workshop serve`: Voila on the notebooks, tuned for a room that joins at once.

Participants are served from a pool of preheated kernels: each kernel has
already imported the app and waits in ``wait_for_request`` for a visitor, so
joining costs a page render, not a kernel start.

This module starts and stops the Voila process and prints the links. What Voila
is told is in :mod:`workshop.server.voila_config` (written as a ``voila.json``
for each server); what no setting can change is in :mod:`workshop.server.voila_patches`,
applied by :func:`main`, the Voila process's entry point.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from workshop import voila_template
from workshop.core import credentials, links, settings, stages
from workshop.resources import notebooks_dir
from workshop.server import voila_config, voila_patches

# Re-exported: the figures and sizes the configuration is made of.
from workshop.server.voila_config import (  # noqa: F401
    CULL_IDLE_SECONDS,
    FACILITATOR_PREHEAT,
    FACILITATOR_PREHEAT_ENV,
    IOPUB_TIMEOUT,
    REFILL_DELAY,
    UNCONNECTED_SECONDS,
    facilitator_preheat,
    kernel_budget,
    kernel_pools,
    participant_pool_size,
    path_prefix,
    spare_kernels,
)
from workshop.store import normalize_url

NOTEBOOKS = notebooks_dir()

#: Seconds `workshop serve` waits for Voila to answer before giving up on opening the browser.
BROWSER_WAIT_SECONDS = 180


def voila_command(config_dir: Path, notebooks: Path = NOTEBOOKS) -> list[str]:
    """Voila, started through this module so the patches in voila_patches apply.

    Every setting is in ``config_dir/voila.json`` (see voila_config); only that
    file is read, so a voila.json in the working folder or ~/.jupyter cannot
    change a workshop server."""
    return [sys.executable, "-m", "workshop.server.serve", str(notebooks),
            f"--Voila.config_file_paths={config_dir}"]


def local_url(args) -> str:
    """Where this machine reaches the server: http://IP:PORT/PREFIX/."""
    host = "127.0.0.1" if args.ip in ("0.0.0.0", "::", "") else args.ip
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{args.port}{path_prefix(args)}"


def public_url(args) -> str:
    """The address in the links people open (`workshop serve`, `workshop demo` and `workshop new`).

    ``--public-url`` when given (behind a proxy the prefix is the proxy's business),
    else $WORKSHOP_PUBLIC_URL, else :func:`local_url` from --ip, --port and --path-prefix."""
    if getattr(args, "public_url", None):
        url = args.public_url
        return url if url.endswith("/") else url + "/"
    if os.environ.get(links.PUBLIC_URL_ENV):
        return links.base_url()
    return local_url(args)


def print_links(code: str, key: str | None, base: str, screen_secret: str | None = None) -> None:
    import segno

    url = links.participant_url(code, base)
    print(f"\nJoin code:        {credentials.format_code(code)}")
    print(f"Participant link: {url}")
    if key:
        print(f"Facilitator link: {links.facilitator_url(code, key, base)}")
    if screen_secret:  # what the facilitator shares on the call; it carries no key
        print(f"Room screen link: {links.audience_url(stages.ROOM_NOTEBOOK, screen_secret, base)}")
    qr = segno.make(url, error="m")
    qr.terminal(compact=True)
    sys.stdout.flush()


def _die_with_parent() -> None:
    """Voila runs in its own session (so Ctrl-C reaches us first); without
    this, killing `workshop serve` hard would leave Voila and every kernel
    running. Linux only; elsewhere the SIGTERM handler in serve() suffices."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def installed_voila_version() -> str:
    """The installed Voila's version, read without importing Voila (and jupyter_server)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("voila")
    except PackageNotFoundError:
        return "not installed"


def browser_wanted(args, code: str | None, environ=None, platform: str | None = None) -> bool:
    """Open the facilitator's page here? Only for a known workshop (`workshop demo`),
    never with --no-browser, and never without a display: on a Linux server without
    one, Python's webbrowser would start a text browser in this very terminal."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if code is None or getattr(args, "no_browser", False):
        return False
    if platform in ("darwin", "win32", "cygwin"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def open_browser_when_up(url: str, probe: str, proc, timeout: float = BROWSER_WAIT_SECONDS,
                         opener=None) -> threading.Thread:
    """Opens ``url`` in the local browser once ``probe`` answers (any HTTP status),
    from a background thread; gives up if ``proc`` ends or ``timeout`` passes."""
    import webbrowser

    opener = opener or webbrowser.open

    def answers() -> bool:
        try:
            urllib.request.urlopen(probe, timeout=2).close()
            return True
        except urllib.error.HTTPError:
            return True  # it answered, if only to say "not found"
        except OSError:
            return False

    def run() -> None:
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            if answers():
                try:
                    opener(url)
                except Exception as err:  # noqa: BLE001 - no browser is no reason to stop the server
                    print(f"Could not open a browser ({err}); open the facilitator link above.", flush=True)
                return
            time.sleep(0.5)

    thread = threading.Thread(target=run, name="open-browser", daemon=True)
    thread.start()
    return thread


def preheat_line(pools: dict) -> str:
    """What the facilitator's pages keep warm: a page without a warm kernel starts one when opened."""
    console = next(s.notebook for s in stages.STAGES if s.name == stages.CONSOLE)
    warm = [name for name in (console, stages.ROOM_NOTEBOOK) if pools.get(name, {}).get("pool_size")]
    stage_pages = [s.notebook for s in stages.STAGES if s.name != stages.CONSOLE and s.notebook in pools]
    cold = sum(1 for name in stage_pages if not pools[name]["pool_size"])
    follow_up = sorted({s.visitor_notebook for s in stages.STAGES if s.visitor_notebook in pools})
    line = f"Preheated for the facilitator: {', '.join(warm) or 'no page'}"
    if stage_pages:
        line += f" and {len(stage_pages) - cold} of {len(stage_pages)} stage notebooks"
        if cold:
            line += f" (the other {cold} start a kernel when opened)"
    if follow_up:
        line += f"; {pools[follow_up[0]]['pool_size']} kernel(s) for each follow-up page"
    return line + "."


def serve(args, code: str | None = None, key: str | None = None, screen_secret: str | None = None) -> int:
    """Run Voila until interrupted; prints the links of ``code`` when given, and opens
    the facilitator's page in the local browser (see :func:`browser_wanted`)."""
    voila_patches.check_voila_version(installed_voila_version())
    db_url = normalize_url(args.db or settings.default_db_url())
    base = public_url(args)
    env = dict(os.environ)
    env[settings.DB_URL_ENV] = db_url
    env[links.PUBLIC_URL_ENV] = base
    # Voila finds the apps' page template (VoilaConfiguration.template) only in a data folder.
    env["JUPYTER_PATH"] = voila_template.jupyter_path(env.get("JUPYTER_PATH"))
    from workshop.store import open_store
    open_store(db_url)  # create or upgrade the schema once, before kernels race to do it
    print(f"Serving the workshop apps at {base} (database: {db_url})")
    print(f"Facilitator start page: {links.notebook_url(links.FACILITATOR_NOTEBOOK, base)}")
    print(f"Preheating {participant_pool_size(args.participants)} participant kernels "
          f"for {args.participants} participants; once they have joined, "
          f"{spare_kernels(args.participants)} spare ones are kept ready.")
    pools = kernel_pools(args.participants, NOTEBOOKS)
    print(preheat_line(pools))
    budget = kernel_budget(args.participants, pools, getattr(args, "max_kernels", None))
    print(f"At most {budget} kernels at once (--max-kernels); beyond that a page says the room is full.")
    if code:
        print_links(code, key, base, screen_secret=screen_secret)
    # A plain `kill` of this process must also stop Voila and its kernels.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    config_dir = Path(tempfile.mkdtemp(prefix="workshop-voila-"))
    proc = None
    try:
        voila_config.write(voila_config.voila_config(args, NOTEBOOKS), config_dir)
        proc = subprocess.Popen(voila_command(config_dir), env=env, start_new_session=True,
                                preexec_fn=_die_with_parent)
        if browser_wanted(args, code):
            # The local address: the public one may be a proxy this machine cannot reach.
            local = local_url(args)
            open_browser_when_up(links.notebook_url(links.FACILITATOR_NOTEBOOK, local, w=code, key=key),
                                 local + "voila/static/voila.js", proc)
        return proc.wait()
    except KeyboardInterrupt:
        print("\nStopping…")
        return 0
    finally:
        # Stopping already: a second SIGTERM or Ctrl-C (a test harness's, an impatient
        # hand's) must not cut the clean-up short and leave the folder or Voila behind.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(config_dir, ignore_errors=True)


# ---- the Voila process -----------------------------------------------------------------------

def main(argv: list[str]) -> None:
    """``python -m workshop.server.serve NOTEBOOKS --options``: Voila with voila_patches applied."""
    from workshop.server import forking, limits, memory
    forking.start_early()  # the kernel template imports while Voila does (see workshop.server.forking)
    memory.give_back_freed_memory()  # what a room's joining freed does not stay (workshop.server.memory)
    limits.raise_open_files()  # a large room's sockets (workshop.server.limits); kernels inherit it
    try:
        voila_patches.apply()
    except voila_patches.UnsupportedVoila as err:
        print(f"workshop serve: {err}", file=sys.stderr)
        raise SystemExit(1) from None
    from voila.app import main as voila_main
    sys.argv = ["voila", *argv]
    voila_main()


if __name__ == "__main__":
    main(sys.argv[1:])
