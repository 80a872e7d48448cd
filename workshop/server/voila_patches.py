"""The changes to Voila's (and nbconvert's) internals that no setting can make, in one place.

Everything Voila lets us configure is in :mod:`workshop.server.voila_config`
(including the kernel spec, through ``VoilaConfiguration.kernel_spec_manager_class``).
What is left replaces private functions and methods, so it is tied to the Voila
versions it was written and measured against: :func:`apply` checks the installed
version first and refuses to start on another one, with one message saying what
to do, rather than serving pages with half-working pools.

Applied in the Voila process by ``python -m workshop.server.serve`` (see its ``main``).
"""

from __future__ import annotations

import contextvars
import os
import re
import time

from traitlets import Float, Int, List, Unicode, default
from traitlets.config import Configurable

from workshop.core.errors import WorkshopError
from workshop.server import limits

#: Voila releases (major.minor) these patches were written for and tested with (0.5.13).
SUPPORTED_VOILA = ("0.5",)


class UnsupportedVoila(WorkshopError):
    """The installed Voila is not one the patches below were written for."""


class RoomFull(Exception):
    """A page would need a new kernel, but the server runs as many as it may (``max_kernels``)."""


class WorkshopServer(Configurable):
    """Our own settings of the Voila process, written by voila_config as ``WorkshopServer``."""

    notebooks = List(Unicode(), config=True,
                     help="The only notebooks served (/voila/render/NAME); empty: every notebook, as Voila does.")
    max_kernels = Int(0, config=True, help="At most this many kernels at once (0: no limit).")
    unconnected_timeout = Float(0, config=True,
                                help="Seconds a kernel handed to a page may wait for the page to connect (0: forever).")
    unconnected_interval = Float(5, config=True, help="How often those kernels are looked for.")


def server_settings(parent) -> WorkshopServer:
    return WorkshopServer(config=parent.config)


def unsupported_message(version: str) -> str:
    supported = ", ".join(f"{v}.x" for v in SUPPORTED_VOILA)
    return (f"Voila {version} is installed, but workshop serve patches Voila's internals "
            f"as they are in Voila {supported} (workshop/server/voila_patches.py). "
            f"Install a supported Voila (pip install 'voila>=0.5,<0.6') "
            f"or update the patches for Voila {version}.")


def check_voila_version(version: str | None = None) -> str:
    """The installed Voila's version (``voila.__version__``), if the patches know it;
    raises :class:`UnsupportedVoila` otherwise."""
    if version is None:
        import voila
        version = str(getattr(voila, "__version__", "unknown"))
    if not any(version == v or version.startswith(v + ".") for v in SUPPORTED_VOILA):
        raise UnsupportedVoila(unsupported_message(version))
    return version


def _require(owner, name: str, version: str | None = None):
    """``owner.name``, or one clear message if this Voila/nbconvert lacks it."""
    try:
        return getattr(owner, name)
    except AttributeError:
        where = getattr(owner, "__module__", None) or getattr(owner, "__name__", repr(owner))
        raise UnsupportedVoila(
            f"{where}.{name}, which workshop serve patches, is missing from the installed "
            f"packages; install the versions the patches were written for "
            f"(pip install 'voila>=0.5,<0.6') or update workshop/server/voila_patches.py.") from None


def apply() -> str:
    """Checks the Voila version, then applies every patch below; returns the version."""
    defer_iri_grammar()  # before anything imports jsonschema (checking the version imports Voila)
    version = check_voila_version()
    share_template_cache()
    share_page_config()
    share_page_environment()  # after share_template_cache, whose environment it shares
    stagger_refills()
    tune_kernel_pools()
    keep_theme_and_template()
    serve_only_app_pages()
    answer_a_full_room()
    keep_secrets_out_of_logs()
    return version


def defer_iri_grammar() -> None:
    """Build jsonschema's IRI grammar when an IRI is first checked, not when Voila is imported.

    Importing Voila imports jupyter_events, hence jsonschema, whose format checkers import
    rfc3987_syntax, which builds two Lark parsers from its grammar at import: py-spy put 38% of
    the server's CPU before its first kernel there, and ``import voila.app`` took 5.2 CPU
    seconds with it and 1.8 without (at load 11). Nothing in the server checks the "iri" format;
    should anything do so, the grammar is built then, and it checks as before.

    A patch because jsonschema has no setting for which format checkers it loads: a stand-in
    module with the one function jsonschema takes from it (``is_valid_syntax``) imports the
    real one on its first call."""
    import importlib
    import importlib.util
    import sys
    import types

    name = "rfc3987_syntax"
    if name in sys.modules or importlib.util.find_spec(name) is None:
        return
    stand_in = types.ModuleType(name, "Stands in for rfc3987_syntax until it is used (voila_patches).")

    def real():
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        return importlib.import_module(name)

    def is_valid_syntax(term: str, value: str) -> bool:
        return real().is_valid_syntax(term, value)

    def __getattr__(attr: str):
        if attr.startswith("__"):  # the import system asks for __path__ and the like: not the grammar
            raise AttributeError(attr)
        return getattr(real(), attr)

    stand_in.is_valid_syntax = is_valid_syntax
    stand_in.__getattr__ = __getattr__
    sys.modules[name] = stand_in


def share_template_cache() -> None:
    """Compile Voila's page templates once per server, not once per page.

    Voila builds a new Jinja environment for every page it renders, so every
    visitor paid for parsing and compiling index.html.j2 and its includes:
    py-spy put 58% of the server's CPU during a burst of joins there. A shared
    bytecode cache keeps the compiled code; the template files are still read
    and checksummed, so an edited template is picked up.

    A patch because neither Voila nor nbconvert has a setting for the Jinja
    environment's bytecode cache (nbconvert creates the environment in
    ``TemplateExporter._create_environment``)."""
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
    create = _require(TemplateExporter, "_create_environment")

    def _create_environment(self):
        env = create(self)
        env.bytecode_cache = cache
        return env

    TemplateExporter._create_environment = _create_environment


def share_page_config() -> None:
    """Read the installed lab extensions once per server, not once per preheated kernel.

    For every kernel a pool starts, Voila builds the page's configuration afresh, and with it
    lists the lab extensions folders and reads each extension's package.json (jupyterlab_server's
    ``get_federated_extensions``): py-spy put 30% of the server's CPU per preheated kernel there.
    The answer depends only on the server's settings, so the pools compute it once and give each
    renderer a copy. An extension installed while the server runs is seen after a restart (as
    the extensions' JavaScript already is: Voila serves the files it found at start).

    A patch because Voila's kernel manager calls the module-level ``get_page_config`` for each
    renderer (``VoilaKernelManager._notebook_renderer_factory``) and has no setting for it."""
    import copy

    from voila import voila_kernel_manager as vkm

    compute = _require(vkm, "get_page_config")
    computed: dict = {}

    def get_page_config(base_url, settings, log, voila_configuration):
        key = (base_url, id(settings), id(voila_configuration))
        if key not in computed:
            computed[key] = compute(base_url=base_url, settings=settings, log=log,
                                    voila_configuration=voila_configuration)
        return copy.deepcopy(computed[key])

    vkm.get_page_config = get_page_config


def share_page_environment() -> None:
    """One Jinja environment for all of Voila's pages, not one for each page and pool kernel.

    Voila gives every page, and every preheated kernel waiting in a pool, an exporter of its
    own, and each exporter built a Jinja environment and loaded index.html.j2 and its includes
    into it: the shared bytecode cache (:func:`share_template_cache`) spares the compiling, but
    each environment still unmarshalled its own copy of the templates' code. tracemalloc in the
    server put that at 0.26 MB for each pool kernel (8.5 MB of the pools of a room of 30), the
    largest Python cost of a preheated kernel. Exporters that would build the same environment
    (same class, template paths and file, raw template, async, filters; no extra loaders) now
    get the first one's, and its templates, which Jinja renders for any number of pages at once.

    What a page's render registers in the environment (Voila's ``highlight_code`` for the
    notebook's language and ``trusted``) is the same for every page here: all the apps'
    notebooks are Python, and Voila strips their code from the page anyway.

    A patch because nbconvert builds a new environment in every exporter
    (``TemplateExporter._create_environment``), with no setting to pass one in."""
    from nbconvert.exporters.templateexporter import TemplateExporter
    from voila.exporter import VoilaExporter

    create = _require(TemplateExporter, "_create_environment")
    shared: dict[tuple, object] = {}

    def key(exporter) -> tuple | None:
        if not isinstance(exporter, VoilaExporter) or exporter.extra_loaders:
            return None
        filters = tuple(sorted((name, repr(value)) for name, value in (exporter.filters or {}).items()))
        return (type(exporter), tuple(exporter.template_paths), exporter.template_file,
                exporter.raw_template, exporter.enable_async, filters)

    def _create_environment(self):
        found = key(self)
        if found is None:
            return create(self)
        env = shared.get(found)
        if env is None:
            env = shared[found] = create(self)
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
    initial fill (delay 0) is not held back.

    A patch because Voila's only setting here is one delay for every refill
    (``fill_delay``, set in voila_config); the module-level ``wait_before`` is
    what every refill awaits."""
    import asyncio

    from voila import voila_kernel_manager as vkm

    _require(vkm, "wait_before")
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


#: Set (to a list) while a pool task starts its kernel: kernel ids it started land there.
_POOL_START: contextvars.ContextVar = contextvars.ContextVar("workshop_pool_start", default=None)


def tune_kernel_pools() -> None:
    """Our changes to Voila's kernel pools, made in one subclass of its kernel manager.

    Only a few spares are refilled once the room has joined (see ``fill_if_needed``).
    And a visitor gets a preheated kernel that is ready, or else one started for them at
    once: Voila's pool also holds the refills it has scheduled but not started; a
    visitor who came when only those were left waited for the refill's delay
    (and, with staggered refills, for every refill before it): the bench saw
    the facilitator's voting page wait over two minutes after 100 people
    joined. Only started kernels count as available here; otherwise Voila
    starts a kernel for the visitor as it does without a pool.

    Kernels are a budget: the server runs at most ``WorkshopServer.max_kernels`` kernels
    (running, starting, and refills scheduled); a page that would need one more gets
    :class:`RoomFull` (see :func:`answer_a_full_room`) and refills stop at the limit. A
    kernel handed to a page whose browser never opens its websocket (a script loading
    pages, a tab closed at once) is shut down ``unconnected_timeout`` seconds later,
    not after the 15 minutes of the idle culler; connected kernels and the preheated
    ones waiting in a pool are kept.

    Why a patch of ``voila.app.voila_kernel_manager_factory`` and not Voila's
    ``VoilaConfiguration.multi_kernel_manager_class`` (Voila 0.5): that setting
    names the *base* class the factory derives ``VoilaKernelManager`` from, so a
    class configured there sits below Voila's pool methods in the MRO and cannot
    change ``fill_if_needed``, ``get_pool_size`` or ``get_rendered_notebook``
    (they call nothing on the base class we could hook instead). jupyter_server's
    ``kernel_manager_class`` is the per-kernel manager, further still from the
    pool. Wrapping the factory's result is the one place to subclass the pool."""
    import asyncio

    import voila.app as voila_app

    factory = _require(voila_app, "voila_kernel_manager_factory")

    def usable(task) -> bool:
        return task.done() and not task.cancelled() and task.exception() is None

    def patched_factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        cls = factory(base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook)
        if not preheat_kernel:
            return cls

        class TunedPools(cls):
            def __init__(self, **kwargs):
                # Set before Voila's __init__, which fills the pools.
                self._pool_starting: set[str] = set()
                self._handed_out: dict[str, float] = {}
                self._unconnected_culler = None
                super().__init__(**kwargs)

            @default("context")
            def _context_default(self):
                # One ZeroMQ context holds every kernel's sockets: more than libzmq's 1023
                # past about 350 kernels (workshop.server.limits).
                return limits.widen(super()._context_default())

            @property
            def budget(self) -> WorkshopServer:
                found = getattr(self, "_budget", None)
                if found is None:
                    found = self._budget = server_settings(self.parent if self.parent is not None else self)
                return found

            # ---- counting kernels ---------------------------------------------------------
            def kernel_count(self) -> int:
                """Kernels running or starting, plus the pool's refills not started yet."""
                running = set(self._kernels) | set(getattr(self, "_pending_kernels", {}))
                waiting = sum(1 for pool in self._pools.values() for task in pool if not task.done())
                # A pool task that has started its kernel is counted once, as that kernel.
                return len(running) + waiting - len(self._pool_starting & running)

            def room_left(self) -> int | None:
                cap = self.budget.max_kernels
                return None if cap <= 0 else cap - self.kernel_count()

            def pre_start_kernel(self, kernel_name, kwargs):
                km, name, kernel_id = super().pre_start_kernel(kernel_name, kwargs)
                started = _POOL_START.get()
                if started is not None:
                    started.append(kernel_id)
                    self._pool_starting.add(kernel_id)
                return km, name, kernel_id

            async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
                started: list[str] = []
                token = _POOL_START.set(started)
                try:
                    return await super()._initialize(notebook_path, kernel_id, **kwargs)
                finally:
                    _POOL_START.reset(token)
                    self._pool_starting.difference_update(started)

            async def pool_kernel_started(self, timeout: float) -> bool:
                """Wait until one of the pools' kernels still starting has started (False: none
                is starting, or none started within ``timeout`` seconds)."""
                starting = [task for pool in self._pools.values() for task in pool if not task.done()]
                if not starting:
                    return False
                done, _ = await asyncio.wait(starting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                return bool(done)

            # ---- a page that gets no preheated kernel ------------------------------------
            async def start_kernel(self, *args, **kwargs):
                """Voila's handler starts a kernel for a page when no preheated one is ready
                (the pools call the base class's start_kernel, not this)."""
                room = self.room_left()
                if room is not None and room <= 0:
                    self.log.warning("No kernel started for a page: %d kernels run, the limit is %d "
                                     "(workshop serve --max-kernels)", self.kernel_count(), self.budget.max_kernels)
                    raise RoomFull()
                kernel_id = await super().start_kernel(*args, **kwargs)
                self._handed(kernel_id)
                return kernel_id

            # ---- pools ----------------------------------------------------------------------
            def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
                """A refill after a visitor took a kernel tops the pool up to its "spare"
                count only: the pool is sized for the whole room to join at once, and
                starting a second room's worth of kernels once it has joined costs the
                workshop in progress its processor (the bench saw the facilitator's page
                fall 20 s behind while 100 replacements started) and doubles the memory.
                No pool grows beyond the server's kernel budget."""
                default = self.kernel_pools_config.get("default", {})
                config = self.kernel_pools_config.get(notebook_name, default)
                target = config.get("pool_size", default.get("pool_size", 1))
                spare = config.get("spare")
                if delay is None and spare is not None:
                    target = min(target, spare)
                pool = self._pools.get(notebook_name, ())
                room = self.room_left()
                if room is not None:
                    target = min(target, len(pool) + max(0, room))
                if len(pool) >= target:
                    return None
                full = self.kernel_pools_config
                self.kernel_pools_config = {**full, notebook_name: {**config, "pool_size": target}}
                try:
                    return super().fill_if_needed(delay, notebook_name, **kwargs)
                finally:
                    self.kernel_pools_config = full

            def get_pool_size(self, notebook_name: str) -> int:
                pool = self._pools.get(notebook_name, ())
                ready = sum(1 for task in pool if usable(task))
                if ready:
                    return ready
                room = self.room_left()
                if room is not None and room <= 0:
                    # The budget is spent, partly on this pool's kernels still starting: a
                    # visitor waits for one of them (seconds) rather than being told the room
                    # is full (CI saw a 503 while the pools of a full budget were warming up).
                    return sum(1 for task in pool if not task.done())
                return 0

            async def get_rendered_notebook(self, notebook_name: str, *args, **kwargs):
                pool = self._pools.get(notebook_name, [])
                ready = next((task for task in pool if usable(task)), None)
                if ready is None:  # none ready (see get_pool_size): the one started first
                    ready = next((task for task in pool if not task.done()), None)
                if ready is not None:  # Voila takes the first item: make it a started one
                    pool.remove(ready)
                    pool.insert(0, ready)
                result = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
                self._handed(result[2])
                return result

            # ---- pages that never connect ---------------------------------------------------
            def _handed(self, kernel_id: str) -> None:
                """``kernel_id`` now belongs to a page: it must connect within the timeout."""
                if self.budget.unconnected_timeout <= 0:
                    return
                self._handed_out[kernel_id] = asyncio.get_event_loop().time()
                if self._unconnected_culler is None:
                    from tornado.ioloop import PeriodicCallback
                    self._unconnected_culler = PeriodicCallback(
                        self.cull_unconnected, 1000 * max(0.5, self.budget.unconnected_interval))
                    self._unconnected_culler.start()

            def notify_connect(self, kernel_id):
                self._handed_out.pop(kernel_id, None)
                return super().notify_connect(kernel_id)

            async def cull_unconnected(self) -> list[str]:
                """Shut down the kernels whose page has not connected in time; returns their ids."""
                now = asyncio.get_event_loop().time()
                timeout = self.budget.unconnected_timeout
                culled = []
                for kernel_id, since in list(self._handed_out.items()):
                    kernel = self._kernels.get(kernel_id)
                    if kernel is None or self._kernel_connections.get(kernel_id, 0) > 0:
                        self._handed_out.pop(kernel_id, None)
                        continue
                    # Still rendering the page (a slow machine in a burst): not yet.
                    if now - since < timeout or getattr(kernel, "execution_state", "") == "busy":
                        continue
                    self._handed_out.pop(kernel_id, None)
                    self.log.info("Kernel %s: its page never connected within %.0f s; shutting it down",
                                  kernel_id, timeout)
                    try:
                        await self.shutdown_kernel(kernel_id)
                        culled.append(kernel_id)
                    except Exception:  # noqa: BLE001 - the idle culler gets another chance later
                        self.log.exception("Could not shut down kernel %s", kernel_id)
                return culled

            # ---- room again -------------------------------------------------------------------
            async def shutdown_kernel(self, kernel_id, *args, **kwargs):
                """Any kernel that goes (a tab closed, the idle or unconnected culler) makes room:
                the pools the budget held back are topped up again."""
                result = await super().shutdown_kernel(kernel_id, *args, **kwargs)
                if self.budget.max_kernels > 0 and not getattr(self, "_closing", False):
                    for name in list(self._pools):
                        if name in self.kernel_pools_config:
                            self.fill_if_needed(delay=None, notebook_name=name)
                return result

            async def shutdown_all(self, *args, **kwargs):
                self._closing = True  # the server stops: nothing is refilled
                return await super().shutdown_all(*args, **kwargs)

        return TunedPools

    voila_app.voila_kernel_manager_factory = patched_factory


def keep_theme_and_template() -> None:
    """``?theme=dark`` or ``?template=...`` must not cost a kernel.

    voila_config switches Voila's theme and template overrides off, but Voila 0.5's
    handler still compares the request's ``theme`` and ``template`` with the preheated
    page's and, when they differ, renders a fresh page in a fresh kernel (with the
    configured theme anyway): every page load with ``&theme=dark`` started a kernel
    outside the pool. With the overrides off, the arguments are ignored here too."""
    from voila.handler import VoilaHandler

    original = _require(VoilaHandler, "should_use_rendered_notebook")

    def should_use_rendered_notebook(self, notebook_data, pool_size, template_name, theme, request_args):
        conf = self.voila_configuration
        if conf.allow_template_override != "YES":
            template_name = None
        if conf.allow_theme_override != "YES":
            theme = None
        return original(self, notebook_data, pool_size, template_name, theme, request_args)

    VoilaHandler.should_use_rendered_notebook = should_use_rendered_notebook


def serve_only_app_pages() -> None:
    """Only the apps' notebooks are pages: no notebook listing at ``/`` or ``/voila/tree``, no
    contents API, and ``/voila/render/NAME`` only for the notebooks in ``WorkshopServer.notebooks``
    (the stage registry's, see voila_config); anything else is a 404.

    A patch because Voila 0.5, serving a folder, always adds its tree and contents
    handlers and renders any notebook in it (``Voila.init_handlers``)."""
    import voila.app as voila_app
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web
    from voila.tornado.contentshandler import VoilaContentsHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.treehandler import TornadoVoilaTreeHandler

    init_handlers = _require(voila_app.Voila, "init_handlers")
    init_settings = _require(voila_app.Voila, "init_settings")

    class NotFound(JupyterHandler):
        """Any other address: a plain 404 that still carries the headers of every page."""

        async def prepare(self):
            raise web.HTTPError(404)

        def write_error(self, status_code, **kwargs):
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(f"<!doctype html><title>{status_code}</title><p>{status_code}: "
                        f"{self._reason}</p>")

    def patched_init_handlers(self):
        handlers = init_handlers(self)
        pages = server_settings(self).notebooks
        if not pages or self.notebook_path:
            return handlers
        allowed = "(" + "|".join(re.escape(name) for name in pages) + ")"
        kept = []
        for handler in handlers:
            pattern, cls = handler[0], handler[1]
            if cls in (TornadoVoilaTreeHandler, VoilaContentsHandler):
                continue
            if cls is TornadoVoilaHandler and pattern.endswith("/voila/render/(.*)"):
                handler = (pattern[: -len("(.*)")] + allowed, *handler[1:])
            kept.append(handler)
        return kept

    def patched_init_settings(self):
        settings = init_settings(self)
        # Unknown paths answer with a 404 that carries the headers every page sends
        # (Referrer-Policy), instead of tornado's bare one.
        settings.setdefault("default_handler_class", NotFound)
        return settings

    voila_app.Voila.init_handlers = patched_init_handlers
    voila_app.Voila.init_settings = patched_init_settings


def answer_a_full_room() -> None:
    """A page that would need a kernel beyond the budget gets a small "the room is full,
    try again in a minute" page (HTTP 503, Retry-After), in the language its link names.

    A patch of Voila's page handler because the kernel is started inside its response
    generator, before anything is written; :class:`RoomFull` comes from the pool's
    ``start_kernel`` (see :func:`tune_kernel_pools`)."""
    from voila.tornado.handler import TornadoVoilaHandler

    from workshop.server import room

    original = _require(TornadoVoilaHandler, "get")

    async def get(self, path=None):
        deadline = time.monotonic() + room.RETRY_AFTER_SECONDS
        while True:
            try:
                return await original(self, path)
            except RoomFull:
                if self._headers_written:
                    raise
                # A full budget that is partly preheated kernels still starting (the server
                # has just started, or refills are under way) is not a full room: the page
                # waits for one of them and asks again. Voila only hands out a started one.
                waiting = getattr(self.kernel_manager, "pool_kernel_started", None)
                left = deadline - time.monotonic()
                if waiting is not None and left > 0 and await waiting(left):
                    self.clear()
                    continue
                self.clear()
                self.set_status(503)
                self.set_header("Content-Type", "text/html; charset=UTF-8")
                self.set_header("Cache-Control", "no-store")
                self.set_header("Retry-After", str(room.RETRY_AFTER_SECONDS))
                return self.finish(room.room_full_page(self.get_argument("lang", None)))

    get.__doc__ = original.__doc__
    TornadoVoilaHandler.get = get


def keep_secrets_out_of_logs() -> None:
    """No log line of the server names a facilitator key or a personal token.

    Tornado's access log writes every request's full address (``?w=…&key=…``), and its
    error log the whole request. The access log is written by our ``log_function``
    (secret values as ``[secret]``), and a filter on every log handler rewrites any other
    line that quotes an address (see :mod:`workshop.server.room`). A patch because the
    function is Python, which Voila's JSON configuration cannot hold; the filter needs the
    handlers Voila's logging set up."""
    import voila.app as voila_app

    from workshop.server import room

    init_settings = _require(voila_app.Voila, "init_settings")

    def patched_init_settings(self):
        settings = init_settings(self)
        settings["log_function"] = room.log_request
        room.install_log_filter()
        for handler in self.log.handlers:
            handler.addFilter(room.RedactSecrets())
            handler.addFilter(room.QuietUntrusted())
        return settings

    voila_app.Voila.init_settings = patched_init_settings
