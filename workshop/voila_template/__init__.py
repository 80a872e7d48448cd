"""The Voila page template of the apps: Voila's lab page, with Font Awesome from the server itself.

Voila's own lab template links Font Awesome from a public CDN, so on a call behind a firewall,
or offline, every icon of the apps would be missing (the send buttons, the voting pane's + and -,
the console's arrows, several of them buttons with no words). This template (``jupyter/voila/
templates/workshop``) links the same release, served from its own static folder.

Voila looks for templates only in Jupyter's data folders, so a server that uses it needs both
:data:`NAME` as ``VoilaConfiguration.template`` and :func:`jupyter_path` as the Voila process's
``JUPYTER_PATH``.
"""

from __future__ import annotations

import os
from pathlib import Path

#: ``VoilaConfiguration.template``.
NAME = "workshop"

#: A Jupyter data folder: it holds ``voila/templates/workshop``.
DATA_FOLDER = Path(__file__).resolve().parent / "jupyter"


def jupyter_path(current: str | None = None) -> str:
    """``JUPYTER_PATH`` with :data:`DATA_FOLDER` first, then what it was (``current``)."""
    return os.pathsep.join([str(DATA_FOLDER), *([current] if current else [])])
