"""Every setting of the Voila (and jupyter_server) process `workshop serve` starts, in one place.

:func:`voila_config` builds the whole configuration as a traitlets ``Config``;
`workshop serve` writes it as ``voila.json`` into the server's temporary folder
and points Voila there (``Voila.config_file_paths``), so the Voila command line
holds nothing but the notebooks folder and where to find this file. Each setting
says why it is set; the figures come from the bench (`workshop bench`) and py-spy
on the 2-core development machine.

What cannot be configured, because Voila has no setting for it, is patched in
:mod:`workshop.server.voila_patches`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from traitlets.config import Config

from workshop.core import stages

#: The file Voila reads from the folder named in ``Voila.config_file_paths``.
CONFIG_FILE = "voila.json"

#: Notebooks a facilitator opens: one warm kernel each makes moving between stages quick.
FACILITATOR_PREHEAT = 1

#: Set to 0 on a small machine: facilitator pages then start their kernel when opened.
FACILITATOR_PREHEAT_ENV = "WORKSHOP_FACILITATOR_PREHEAT"

#: Warm kernels for each follow-up page.
FOLLOW_UP_PREHEAT = 2

#: A kernel the visitor left (tab closed, not reconnected) is shut down after this long.
CULL_IDLE_SECONDS = 15 * 60

#: How often the culler looks for such kernels.
CULL_INTERVAL_SECONDS = 60

#: Seconds after a visitor takes a preheated kernel before the pool starts replacing it.
REFILL_DELAY = 10

#: Seconds the server waits for a cell's output after the cell finished (nbclient's default: 4).
IOPUB_TIMEOUT = 60

#: The kernel spec manager that makes "python3" our lighter kernel (see workshop.server.kernelspec).
KERNEL_SPEC_MANAGER = "workshop.server.kernelspec.WorkshopKernelSpecManager"


def facilitator_preheat() -> int:
    try:
        return max(0, int(os.environ.get(FACILITATOR_PREHEAT_ENV, FACILITATOR_PREHEAT)))
    except ValueError:
        return FACILITATOR_PREHEAT


def participant_pool_size(participants: int) -> int:
    """Everyone in the room can click at once, plus spares for reloads and latecomers.

    Each kernel holds about 70 MB, so 100 participants need ~8 GB."""
    participants = max(1, participants)
    return participants + spare_kernels(participants)


def spare_kernels(participants: int) -> int:
    """How many preheated kernels are kept once the room has joined (refills stop above this)."""
    return max(2, max(1, participants) // 10)


def path_prefix(args) -> str:
    """``--path-prefix``: "/" or "/a/", always with slashes at both ends."""
    prefix = (getattr(args, "path_prefix", None) or "/").strip("/")
    return f"/{prefix}/" if prefix else "/"


def kernel_pools(participants: int, notebooks: Path) -> dict:
    """``VoilaKernelManager.kernel_pools_config``: how many warm kernels each notebook keeps.

    "spare" is ours, not Voila's: once a visitor took a kernel, the pool is topped
    up to that many only (see ``tune_kernel_pools`` in voila_patches)."""
    # Kernels are only started for the notebooks people open: results.ipynb and any
    # other notebook start their kernel when visited, as in plain Voila.
    pools: dict[str, dict] = {"default": {"pool_size": 0}}
    pools[stages.PARTICIPANT_NOTEBOOK] = {"pool_size": participant_pool_size(participants),
                                          "spare": spare_kernels(participants)}
    # The stage registry names every page: each stage notebook and each follow-up page.
    for stage in stages.STAGES:
        if (notebooks / stage.notebook).exists():
            pools[stage.notebook] = {"pool_size": facilitator_preheat()}
        if stage.visitor_notebook and (notebooks / stage.visitor_notebook).exists():
            pools[stage.visitor_notebook] = {"pool_size": FOLLOW_UP_PREHEAT}
    return pools


def voila_config(args, notebooks: Path) -> Config:
    """The Voila configuration for `workshop serve ARGS` on ``notebooks``."""
    c = Config()
    c.Voila.port = args.port
    c.Voila.ip = args.ip
    # Every route under this path, so one proxy can put several servers behind one host name.
    c.Voila.base_url = path_prefix(args)
    # Voila would open its notebook list; `workshop serve` opens the facilitator's own
    # link (with the workshop and its key) once the server answers, unless --no-browser.
    c.Voila.open_browser = False
    # The apps' CSS is written for the light JupyterLab theme.
    c.VoilaConfiguration.theme = "light"
    # Visitors get a kernel that has already run the notebook up to wait_for_request.
    c.VoilaConfiguration.preheat_kernel = True
    # A visitor never sees a traceback (paths, SQL); the server's log keeps it.
    c.VoilaConfiguration.show_tracebacks = False
    # "python3" is started as workshop.server.kernel: without the debugger a kernel is
    # about 8 MB and 140 modules lighter, and the pool refills faster.
    c.VoilaConfiguration.kernel_spec_manager_class = KERNEL_SPEC_MANAGER
    c.VoilaKernelManager.kernel_pools_config = kernel_pools(args.participants, notebooks)
    # Refill the pool only after the burst: starting kernels while the room joins would
    # take the CPU the joins need (py-spy saw refills start inside a five-visitor burst).
    c.VoilaKernelManager.fill_delay = REFILL_DELAY
    # Kernels talk to the server over Unix sockets, not TCP ports: when dozens of kernels
    # start at once, TCP ports picked in advance collided ("Address already in use"), the
    # kernel restarted and its visitor got an app-less page (seen in the bench).
    c.KernelManager.transport = "ipc"
    # When a whole room joins at once the server falls behind reading the kernels'
    # messages; nbclient's default of 4 s then drops the app from the page.
    c.VoilaExecutor.iopub_timeout = IOPUB_TIMEOUT
    # Each kernel holds about 70 MB: one a visitor abandoned is shut down after a while...
    c.MappingKernelManager.cull_idle_timeout = CULL_IDLE_SECONDS
    c.MappingKernelManager.cull_interval = CULL_INTERVAL_SECONDS
    # ...even when its page still looks connected: a participant who closed the tab
    # without a goodbye (a phone put away) leaves a connection nobody will use again.
    c.MappingKernelManager.cull_connected = False
    return c


def write(config: Config, folder: Path) -> Path:
    """Writes ``config`` as ``folder/voila.json`` and returns the file."""
    path = Path(folder) / CONFIG_FILE
    path.write_text(json.dumps(config, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path
