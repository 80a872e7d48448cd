"""`workshop serve`: Voila on the notebooks, tuned for a room that joins at once.

Participants are served from a pool of preheated kernels: each kernel has
already imported the app and waits in ``wait_for_request`` for a visitor, so
joining costs a page render, not a kernel start.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from workshop.core import credentials, links, settings
from workshop.resources import notebooks_dir
from workshop.store import normalize_url

NOTEBOOKS = notebooks_dir()

#: Notebooks a facilitator opens: one warm kernel each makes moving between stages quick.
FACILITATOR_PREHEAT = 1

#: Set to 0 on a small machine: facilitator pages then start their kernel when opened.
FACILITATOR_PREHEAT_ENV = "WORKSHOP_FACILITATOR_PREHEAT"


def facilitator_preheat() -> int:
    try:
        return max(0, int(os.environ.get(FACILITATOR_PREHEAT_ENV, FACILITATOR_PREHEAT)))
    except ValueError:
        return FACILITATOR_PREHEAT


#: A kernel the visitor left (tab closed, not reconnected) is shut down after this long.
CULL_IDLE_SECONDS = 15 * 60

#: Seconds after a visitor takes a preheated kernel before the pool starts replacing it.
REFILL_DELAY = 10

#: Seconds the server waits for a cell's output after the cell finished (nbclient's default: 4).
IOPUB_TIMEOUT = 60


def participant_pool_size(participants: int) -> int:
    """Everyone in the room can click at once, plus spares for reloads and latecomers.

    Each kernel holds about 70 MB, so 100 participants need ~8 GB."""
    participants = max(1, participants)
    return participants + spare_kernels(participants)


def spare_kernels(participants: int) -> int:
    """How many preheated kernels are kept once the room has joined (refills stop above this)."""
    return max(2, max(1, participants) // 10)


def voila_command(args, notebooks: Path = NOTEBOOKS) -> list[str]:
    pools = {"default": {"pool_size": 0}}
    pools["participant.ipynb"] = {"pool_size": participant_pool_size(args.participants),
                                  "spare": spare_kernels(args.participants)}
    for nb in sorted(notebooks.glob("[0-9][0-9]-*.ipynb")):
        pools[nb.name] = {"pool_size": facilitator_preheat()}
    for nb in ("survey.ipynb", "stakeholder.ipynb", "exemplar.ipynb"):
        if (notebooks / nb).exists():
            pools[nb] = {"pool_size": 2}
    return [
        # Voila itself, started through this module so the template cache below applies.
        sys.executable, "-m", "workshop.server.serve", str(notebooks),
        f"--port={args.port}",
        f"--Voila.ip={args.ip}",
        # Every route under this path, so one proxy can put several servers behind one host name.
        f"--Voila.base_url={path_prefix(args)}",
        "--no-browser",
        "--theme=light",
        "--preheat_kernel=True",
        f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools)}",
        # Refill the pool only after the burst: starting kernels while the room joins would
        # take the CPU the joins need (py-spy saw refills start inside a five-visitor burst).
        f"--VoilaKernelManager.fill_delay={REFILL_DELAY}",
        "--VoilaConfiguration.show_tracebacks=False",
        # Kernels talk to the server over Unix sockets, not TCP ports: when dozens of kernels
        # start at once, TCP ports picked in advance collided ("Address already in use"), the
        # kernel restarted and its visitor got an app-less page (seen in the bench).
        "--KernelManager.transport=ipc",
        # When a whole room joins at once the server falls behind reading the kernels'
        # messages; nbclient's default of 4 s then drops the app from the page.
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT}",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
    ]


def kernelspec_path() -> Path:
    """A Jupyter data folder whose "python3" kernel is :mod:`workshop.server.kernel`.

    Voila starts the kernel the notebooks name (python3); putting this folder
    first on JUPYTER_PATH makes that name mean our lighter kernel, for these
    servers only."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="workshop-kernels-"))
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "workshop.server.kernel", "-f", "{connection_file}"],
        "display_name": "Python 3 (workshop)",
        "language": "python",
        "metadata": {"debugger": False},
    }, indent=1))
    return root


def path_prefix(args) -> str:
    """``--path-prefix``: "/" or "/a/", always with slashes at both ends."""
    prefix = (getattr(args, "path_prefix", None) or "/").strip("/")
    return f"/{prefix}/" if prefix else "/"


def public_url(args) -> str:
    if getattr(args, "public_url", None):
        return links.base_url(args.public_url)
    host = "127.0.0.1" if args.ip in ("0.0.0.0", "::", "") else args.ip
    return f"http://{host}:{args.port}{path_prefix(args)}"


def print_links(code: str, key: str | None, base: str) -> None:
    import segno

    url = links.participant_url(code, base)
    print(f"\nJoin code:        {credentials.format_code(code)}")
    print(f"Participant link: {url}")
    if key:
        print(f"Facilitator link: {links.facilitator_url(code, key, base)}")
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


def serve(args, code: str | None = None, key: str | None = None) -> int:
    """Run Voila until interrupted; prints the links of ``code`` when given."""
    db_url = normalize_url(args.db or settings.default_db_url())
    base = public_url(args)
    env = dict(os.environ)
    env[settings.DB_URL_ENV] = db_url
    env[links.PUBLIC_URL_ENV] = base
    kernels = kernelspec_path()
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(kernels), env.get("JUPYTER_PATH", "")) if p)
    from workshop.store import open_store
    open_store(db_url)  # create or upgrade the schema once, before kernels race to do it
    cmd = voila_command(args)
    print(f"Serving the workshop apps at {base} (database: {db_url})")
    print(f"Facilitator start page: {links.notebook_url(links.FACILITATOR_NOTEBOOK, base)}")
    print(f"Preheating {participant_pool_size(args.participants)} participant kernels "
          f"for {args.participants} participants; once they have joined, "
          f"{spare_kernels(args.participants)} spare ones are kept ready.")
    if code:
        print_links(code, key, base)
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, preexec_fn=_die_with_parent)
    # A plain `kill` of this process must also stop Voila and its kernels.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        print("\nStopping…")
        return 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(kernels, ignore_errors=True)



# ---- the Voila process -----------------------------------------------------------------------

def share_template_cache() -> None:
    """Compile Voila's page templates once per server, not once per page.

    Voila builds a new Jinja environment for every page it renders, so every
    visitor paid for parsing and compiling index.html.j2 and its includes:
    py-spy put 58% of the server's CPU during a burst of joins there. A shared
    bytecode cache keeps the compiled code; the template files are still read
    and checksummed, so an edited template is picked up."""
    import jinja2
    from jinja2.bccache import Bucket
    from nbconvert.exporters.templateexporter import TemplateExporter

    class SharedBytecodeCache(jinja2.BytecodeCache):
        def __init__(self):
            self.codes: dict[str, bytes] = {}

        def get_bucket(self, environment, name, filename, source):
            # Async and sync environments compile the same file differently.
            key = f"{self.get_cache_key(name, filename)}:{environment.is_async}:{sorted(environment.extensions)}"
            bucket = Bucket(environment, key, self.get_source_checksum(source))
            self.load_bytecode(bucket)
            return bucket

        def load_bytecode(self, bucket):
            code = self.codes.get(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket):
            self.codes[bucket.key] = bucket.bytecode_to_string()

    cache = SharedBytecodeCache()
    create = TemplateExporter._create_environment

    def _create_environment(self):
        env = create(self)
        env.bytecode_cache = cache
        return env

    TemplateExporter._create_environment = _create_environment


def stagger_refills(seconds_per_kernel: float | None = None) -> None:
    """Refill the kernel pool one kernel at a time instead of all at once.

    After a room joins, Voila starts a replacement for every kernel taken,
    all at the same moment: on two cores thirty kernels importing at once
    starved the live updates of the workshop that had just begun (the
    facilitator's page lagged by seconds). Refills now start one after the
    other, a slot every ``seconds_per_kernel`` (2 s divided by the number of
    cores), so most of the machine stays with the people in the room. The
    initial fill (delay 0) is not held back."""
    import asyncio

    from voila import voila_kernel_manager as vkm

    step = seconds_per_kernel if seconds_per_kernel is not None else 2.0 / max(1, os.cpu_count() or 1)
    next_slot = 0.0

    async def wait_before(delay, aw):
        nonlocal next_slot
        if delay > 0:
            now = asyncio.get_event_loop().time()
            slot = max(now + delay, next_slot)
            next_slot = slot + step
            delay = slot - now
        await asyncio.sleep(delay)
        return await aw

    vkm.wait_before = wait_before


def tune_kernel_pools() -> None:
    """Two changes to Voila's kernel pools, made in one subclass of its kernel manager.

    Only a few spares are refilled once the room has joined (see ``fill_if_needed``).
    And a visitor gets a preheated kernel that is ready, or else one started for them at
    once: Voila's pool also holds the refills it has scheduled but not started; a
    visitor who came when only those were left waited for the refill's delay
    (and, with staggered refills, for every refill before it): the bench saw
    the facilitator's voting page wait over two minutes after 100 people
    joined. Only started kernels count as available here; otherwise Voila
    starts a kernel for the visitor as it does without a pool."""
    import voila.app as voila_app

    factory = voila_app.voila_kernel_manager_factory

    def usable(task) -> bool:
        return task.done() and not task.cancelled() and task.exception() is None

    def patched_factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        cls = factory(base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook)
        if not preheat_kernel:
            return cls

        class TunedPools(cls):
            def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
                """A refill after a visitor took a kernel tops the pool up to its "spare"
                count only: the pool is sized for the whole room to join at once, and
                starting a second room's worth of kernels once it has joined costs the
                workshop in progress its processor (the bench saw the facilitator's page
                fall 20 s behind while 100 replacements started) and doubles the memory."""
                config = self.kernel_pools_config.get(notebook_name, {})
                spare = config.get("spare")
                if delay is not None or spare is None:
                    return super().fill_if_needed(delay, notebook_name, **kwargs)
                if len(self._pools.get(notebook_name, ())) >= spare:
                    return None
                full = self.kernel_pools_config
                self.kernel_pools_config = {**full, notebook_name: {**config, "pool_size": spare}}
                try:
                    return super().fill_if_needed(delay, notebook_name, **kwargs)
                finally:
                    self.kernel_pools_config = full

            def get_pool_size(self, notebook_name: str) -> int:
                return sum(1 for task in self._pools.get(notebook_name, ()) if usable(task))

            async def get_rendered_notebook(self, notebook_name: str, *args, **kwargs):
                pool = self._pools.get(notebook_name, [])
                ready = next((task for task in pool if usable(task)), None)
                if ready is not None:  # Voila takes the first item: make it a started one
                    pool.remove(ready)
                    pool.insert(0, ready)
                return await super().get_rendered_notebook(notebook_name, *args, **kwargs)

        return TunedPools

    voila_app.voila_kernel_manager_factory = patched_factory


def main(argv: list[str]) -> None:
    """``python -m workshop.server.serve NOTEBOOKS --options``: Voila with the tuning above."""
    import warnings

    # traitlets asks for the pools as one --key=value per notebook; the JSON form works the
    # same, and the warning would be the first thing a facilitator reads in the console.
    warnings.filterwarnings("ignore", message=".*for dict-traits is deprecated", category=DeprecationWarning)
    share_template_cache()
    stagger_refills()
    tune_kernel_pools()
    from voila.app import main as voila_main
    sys.argv = ["voila", *argv]
    voila_main()


if __name__ == "__main__":
    main(sys.argv[1:])
