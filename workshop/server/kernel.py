"""The kernel Voila starts for each visitor: IPython's own, without the debugger.

Nobody debugs a participant's page, yet ipykernel imports debugpy and pydevd
at start-up when they are installed: about 8 MB and 140 modules in every
kernel, and a slower start for every kernel the pool refills. Marking the
module as missing makes ipykernel carry on without its debugger.
"""

from __future__ import annotations

import sys


def main() -> None:
    sys.modules.setdefault("debugpy", None)  # type: ignore[arg-type] - "import debugpy" now raises ImportError
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
