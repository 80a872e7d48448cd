"""The kernel Voila starts for each visitor: IPython's own, without the debugger.

Nobody debugs a participant's page, yet ipykernel imports debugpy and pydevd
at start-up when they are installed: about 8 MB and 140 modules in every
kernel, and a slower start for every kernel the pool refills. Marking the
module as missing makes ipykernel carry on without its debugger.

The same ``main`` runs in a kernel forked from the template (workshop.server.template),
where ipywidgets was imported before any kernel existed.
"""

from __future__ import annotations

import sys


def main() -> None:
    sys.modules.setdefault("debugpy", None)  # type: ignore[arg-type] - "import debugpy" now raises ImportError
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize()
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None:
        # Imported by the template, with no kernel yet: its import-time registration of the
        # "jupyter.widget" comm targets found nothing to register with. Done now, as the
        # notebook's own import would have done in a fresh kernel.
        widgets.register_comm_target()
    app.start()


if __name__ == "__main__":
    main()
