"""The visitor's request: query parameters, read after Voila hands over a preheated kernel."""

from __future__ import annotations

import os
from urllib.parse import parse_qs


def wait_for_request() -> None:
    """Block until Voila hands this preheated kernel to a visitor; a no-op otherwise.

    Does what ``voila.utils.wait_for_request`` does, without importing
    ``voila.utils``: that module pulls in jupyter_server, nbconvert and
    jupyterlab_server, about 30 MB in every participant kernel."""
    if not preheated():
        return
    import json

    from websockets.sync.client import connect

    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    ip = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    url = f"{protocol}://{ip}:{port}{base}voila/query/{os.environ.get('VOILA_KERNEL_ID')}"
    try:
        # No keepalive pings: a kernel may wait here for hours, and on a busy machine one late
        # pong closed the socket (ConnectionClosedError) and broke the visitor's page.
        with connect(url, open_timeout=5, max_size=None, ping_interval=None) as ws:
            info = ws.recv()
    except (OSError, TimeoutError):
        return  # as Voila does: carry on without the request's details
    for k, v in json.loads(info).items():
        os.environ[k] = v


def query_params() -> dict[str, str]:
    """Wait for the request (a no-op outside a preheated kernel), then parse ?w=...&key=...

    Imports should be done before calling this, so the wait is the only thing
    a preheated kernel still has to do when a visitor arrives."""
    wait_for_request()
    raw = os.environ.get("QUERY_STRING", "")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=False).items() if v}


def preheated() -> bool:
    """True in a kernel Voila started ahead of its visitor (``--preheat_kernel``)."""
    return os.environ.get("VOILA_PREHEAT", "False") != "False"


def in_voila() -> bool:
    return "VOILA_KERNEL_ID" in os.environ or "SCRIPT_NAME" in os.environ
