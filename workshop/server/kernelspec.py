"""The kernel spec Voila's servers start: "python3" means :mod:`workshop.server.kernel`.

Named in the Voila configuration (``VoilaConfiguration.kernel_spec_manager_class``,
see :mod:`workshop.server.voila_config`), so it is loaded in the Voila process only.
The notebooks name the "python3" kernel; this manager answers that name with the
lighter kernel (IPython without its debugger) running on this Python, for these
servers only: nothing is installed into any Jupyter folder, and other kernel
names are looked up as usual.
"""

from __future__ import annotations

import functools
import sys

from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpec, KernelSpecManager

#: How a kernel process is started; ``{connection_file}`` is filled in by jupyter_client.
KERNEL_ARGV = [sys.executable, "-m", "workshop.server.kernel", "-f", "{connection_file}"]


@functools.cache
def forking_provisioner_installed() -> bool:
    """Is the ``workshop-forking`` entry point registered (``pip install -e .`` ran since it was added)?

    Asked once per process: jupyter_client reads the kernel spec for every kernel it starts and
    Voila for every page it renders, and each ``entry_points`` call reads the metadata of every
    installed package: py-spy put a fifth of the server's CPU during a pool start there."""
    from importlib.metadata import entry_points

    from workshop.server.forking import PROVISIONER_NAME

    return bool(entry_points(group="jupyter_client.kernel_provisioners", name=PROVISIONER_NAME))


def kernel_metadata() -> dict:
    """Nobody debugs a participant's page: the kernel does not load the debugger. And kernels
    are forked from the warm template (workshop.server.forking) unless $WORKSHOP_FORK_KERNELS is 0."""
    from workshop.server.forking import PROVISIONER_NAME, fork_wanted

    metadata: dict = {"debugger": False}
    if fork_wanted() and forking_provisioner_installed():
        metadata["kernel_provisioner"] = {"provisioner_name": PROVISIONER_NAME, "config": {}}
    return metadata


def workshop_kernel_spec() -> KernelSpec:
    try:  # ipykernel's folder holds the logos; any folder would do for starting the kernel
        from ipykernel.kernelspec import RESOURCES as resource_dir
    except ImportError:  # pragma: no cover - ipykernel is a dependency of Voila
        resource_dir = ""
    return KernelSpec(
        name=NATIVE_KERNEL_NAME,
        argv=list(KERNEL_ARGV),
        display_name="Python 3 (workshop)",
        language="python",
        metadata=kernel_metadata(),
        resource_dir=resource_dir,
    )


class WorkshopKernelSpecManager(KernelSpecManager):
    """Voila's kernel specs, with "python3" answered by :func:`workshop_kernel_spec`.

    ``get_all_specs`` (which Voila reads to check a notebook's kernel name)
    calls ``get_kernel_spec`` in a subclass, so this one override covers both."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name.lower() == NATIVE_KERNEL_NAME:
            return workshop_kernel_spec()
        return super().get_kernel_spec(kernel_name)

    def find_kernel_specs(self) -> dict[str, str]:
        specs = super().find_kernel_specs()
        # Listed even where ensure_native_kernel is switched off, since get_kernel_spec answers it.
        specs.setdefault(NATIVE_KERNEL_NAME, workshop_kernel_spec().resource_dir)
        return specs
