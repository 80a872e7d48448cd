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

import os

from workshop.core.errors import WorkshopError

#: Voila releases (major.minor) these patches were written for and tested with (0.5.13).
SUPPORTED_VOILA = ("0.5",)


class UnsupportedVoila(WorkshopError):
    """The installed Voila is not one the patches below were written for."""


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
    version = check_voila_version()
    share_template_cache()
    stagger_refills()
    tune_kernel_pools()
    return version


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


def tune_kernel_pools() -> None:
    """Two changes to Voila's kernel pools, made in one subclass of its kernel manager.

    Only a few spares are refilled once the room has joined (see ``fill_if_needed``).
    And a visitor gets a preheated kernel that is ready, or else one started for them at
    once: Voila's pool also holds the refills it has scheduled but not started; a
    visitor who came when only those were left waited for the refill's delay
    (and, with staggered refills, for every refill before it): the bench saw
    the facilitator's voting page wait over two minutes after 100 people
    joined. Only started kernels count as available here; otherwise Voila
    starts a kernel for the visitor as it does without a pool.

    Why a patch of ``voila.app.voila_kernel_manager_factory`` and not Voila's
    ``VoilaConfiguration.multi_kernel_manager_class`` (Voila 0.5): that setting
    names the *base* class the factory derives ``VoilaKernelManager`` from, so a
    class configured there sits below Voila's pool methods in the MRO and cannot
    change ``fill_if_needed``, ``get_pool_size`` or ``get_rendered_notebook``
    (they call nothing on the base class we could hook instead). jupyter_server's
    ``kernel_manager_class`` is the per-kernel manager, further still from the
    pool. Wrapping the factory's result is the one place to subclass the pool."""
    import voila.app as voila_app

    factory = _require(voila_app, "voila_kernel_manager_factory")

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
