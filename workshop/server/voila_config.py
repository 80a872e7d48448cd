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

from workshop import voila_template
from workshop.core import stages

#: The file Voila reads from the folder named in ``Voila.config_file_paths``.
CONFIG_FILE = "voila.json"

#: Notebooks a facilitator opens: one warm kernel each makes moving between stages quick.
FACILITATOR_PREHEAT = 1

#: Set to 0 on a small machine: facilitator pages then start their kernel when opened.
FACILITATOR_PREHEAT_ENV = "WORKSHOP_FACILITATOR_PREHEAT"

#: Warm kernels for each follow-up page.
FOLLOW_UP_PREHEAT = 2

#: With kernels forked from the warm template (workshop.server.forking) a page without a warm
#: kernel still shows its app within about 1.5 s (1.2-1.6 s measured at load 6.5, against 0.3-1.0 s
#: preheated), so the stage notebooks, opened for rehearsal and reading, keep none: the console and
#: the room screen, which the facilitator runs the call from, stay warm (facilitator_preheat)...
FORKED_STAGE_PREHEAT = 0

#: ...and each follow-up page keeps one: its visitors come one by one, not as a room.
FORKED_FOLLOW_UP_PREHEAT = 1

#: A kernel the visitor left (tab closed, not reconnected) is shut down after this long.
CULL_IDLE_SECONDS = 15 * 60

#: How often the culler looks for such kernels.
CULL_INTERVAL_SECONDS = 60

#: A kernel handed to a page whose browser never opened its websocket (a script loading
#: pages, a tab closed at once) is shut down this long after the page was served...
UNCONNECTED_SECONDS = 45

#: ...looked for this often, so it is gone within a minute.
UNCONNECTED_CHECK_SECONDS = 5

#: Every page of the server carries this header: no address (with its key or token)
#: leaves in a Referer, not to the server's own files, not to any other site.
HEADERS = {"Referrer-Policy": "no-referrer"}

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


def kernels_forked(environ=None) -> bool:
    """Will `workshop serve`'s kernels be forked from the template? (:func:`forking.will_fork`)"""
    from workshop.server import forking

    return forking.will_fork(environ)


def participant_pool_size(participants: int) -> int:
    """Everyone in the room can click at once, plus spares for reloads and latecomers.

    Each kernel holds about 70 MB, so 100 participants need ~8 GB."""
    participants = max(1, participants)
    return participants + spare_kernels(participants)


def spare_kernels(participants: int) -> int:
    """How many preheated kernels are kept once the room has joined (refills stop above this)."""
    return max(2, max(1, participants) // 10)


def served_notebooks(notebooks: Path) -> list[str]:
    """The only notebooks the server renders, from the stage registry: the participants' page,
    the room screen, each stage notebook and each follow-up page (not results.ipynb, which is the analysts'
    own, opened in Jupyter; no notebook listing)."""
    names = [stages.PARTICIPANT_NOTEBOOK, stages.ROOM_NOTEBOOK]
    for stage in stages.STAGES:
        names.append(stage.notebook)
        if stage.visitor_notebook:
            names.append(stage.visitor_notebook)
    return [name for name in dict.fromkeys(names) if (notebooks / name).exists()]


def kernel_budget(participants: int, pools: dict, max_kernels: int | None = None) -> int:
    """``--max-kernels``, or: every pool full, plus the facilitator's pages again (each stage
    page the facilitator opens holds a kernel while its pool refills) and the room once more
    (at least 10) for reloads and late joiners: a closed page's kernel is kept until the idle
    culler takes it, so each reload holds one more for a while. Beyond it a page gets
    "the room is full"."""
    if max_kernels is not None and max_kernels > 0:
        return max_kernels
    pooled = sum(int(c.get("pool_size", 0)) for name, c in pools.items() if name != "default")
    return pooled + len(stages.STAGES) + max(10, participants)


def path_prefix(args) -> str:
    """``--path-prefix``: "/" or "/a/", always with slashes at both ends."""
    prefix = (getattr(args, "path_prefix", None) or "/").strip("/")
    return f"/{prefix}/" if prefix else "/"


def kernel_pools(participants: int, notebooks: Path, forked: bool | None = None) -> dict:
    """``VoilaKernelManager.kernel_pools_config``: how many warm kernels each notebook keeps.

    "spare" is ours, not Voila's: once a visitor took a kernel, the pool is topped
    up to that many only (see ``tune_kernel_pools`` in voila_patches). ``forked`` (by default
    :func:`kernels_forked`): kernels start in about a second, so fewer pages keep one warm."""
    if forked is None:
        forked = kernels_forked()
    stage_preheat = FORKED_STAGE_PREHEAT if forked else facilitator_preheat()
    follow_up_preheat = FORKED_FOLLOW_UP_PREHEAT if forked else FOLLOW_UP_PREHEAT
    # Kernels are only started for the notebooks people open; no other notebook is served
    # (served_notebooks), so the default pool is empty.
    pools: dict[str, dict] = {"default": {"pool_size": 0}}
    pools[stages.PARTICIPANT_NOTEBOOK] = {"pool_size": participant_pool_size(participants),
                                          "spare": spare_kernels(participants)}
    # The room screen is opened once per workshop, by the facilitator: warm like their pages.
    if (notebooks / stages.ROOM_NOTEBOOK).exists():
        pools[stages.ROOM_NOTEBOOK] = {"pool_size": facilitator_preheat()}
    # The stage registry names every page: each stage notebook and each follow-up page. The
    # console is the facilitator's page for the whole call: warm like the room screen.
    for stage in stages.STAGES:
        if (notebooks / stage.notebook).exists():
            warm = facilitator_preheat() if stage.name == stages.CONSOLE else stage_preheat
            pools[stage.notebook] = {"pool_size": warm}
        if stage.visitor_notebook and (notebooks / stage.visitor_notebook).exists():
            pools[stage.visitor_notebook] = {"pool_size": follow_up_preheat}
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
    # The apps' CSS is written for the light JupyterLab theme, and a page with another theme
    # or template would need a kernel of its own outside the pools: no overrides
    # (`?theme=dark` is ignored; see keep_theme_and_template in voila_patches).
    c.VoilaConfiguration.theme = "light"
    c.VoilaConfiguration.allow_theme_override = "NO"
    c.VoilaConfiguration.allow_template_override = "NO"
    # Behind the guide's proxy the visitor's address reaches the kernel as HTTP_X_REAL_IP, so wrong
    # guesses are also slowed per address (domain/throttle.py). Only there: without a proxy that
    # sets it, anyone could send the header with any address.
    if getattr(args, "behind_proxy", False):
        c.VoilaConfiguration.http_header_envs = ["X-Real-IP"]
    # Referrer-Policy on every page (jupyter_server's handlers add settings["headers"]).
    c.Voila.tornado_settings = {"headers": dict(HEADERS)}
    # Visitors get a kernel that has already run the notebook up to wait_for_request.
    c.VoilaConfiguration.preheat_kernel = True
    # Voila's lab page with Font Awesome from this server, not a CDN: icons on a firewalled call
    # too (workshop.voila_template; serve() puts its folder on the Voila process's JUPYTER_PATH).
    c.VoilaConfiguration.template = voila_template.NAME
    # A visitor never sees a traceback (paths, SQL); the server's log keeps it.
    c.VoilaConfiguration.show_tracebacks = False
    # "python3" is started as workshop.server.kernel: without the debugger a kernel is
    # about 8 MB and 140 modules lighter, and the pool refills faster.
    c.VoilaConfiguration.kernel_spec_manager_class = KERNEL_SPEC_MANAGER
    pools = kernel_pools(args.participants, notebooks)
    c.VoilaKernelManager.kernel_pools_config = pools
    # Our own settings (workshop.server.voila_patches.WorkshopServer): which notebooks are pages,
    # how many kernels may run at once, how long a served page may take to connect.
    c.WorkshopServer.notebooks = served_notebooks(notebooks)
    c.WorkshopServer.max_kernels = kernel_budget(args.participants, pools, getattr(args, "max_kernels", None))
    c.WorkshopServer.unconnected_timeout = UNCONNECTED_SECONDS
    c.WorkshopServer.unconnected_interval = UNCONNECTED_CHECK_SECONDS
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
    # ...once its page has disconnected; a page still connected keeps its kernel (a quiet
    # participant in a long discussion). A page that never connected at all is shut down
    # within a minute (WorkshopServer.unconnected_timeout, see voila_patches).
    c.MappingKernelManager.cull_connected = False
    return c


def write(config: Config, folder: Path) -> Path:
    """Writes ``config`` as ``folder/voila.json`` and returns the file."""
    path = Path(folder) / CONFIG_FILE
    path.write_text(json.dumps(config, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path
