"""The visitor's request: query parameters, read after Voila hands over a preheated kernel."""

from __future__ import annotations

import os
from urllib.parse import parse_qs


def query_params() -> dict[str, str]:
    """Wait for the request (a no-op outside a preheated kernel), then parse ?w=...&key=...

    Imports should be done before calling this, so the wait is the only thing
    a preheated kernel still has to do when a visitor arrives."""
    try:
        from voila.utils import wait_for_request
    except ImportError:  # plain Jupyter without Voila
        wait_for_request = None
    if wait_for_request is not None:
        wait_for_request()
    raw = os.environ.get("QUERY_STRING", "")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=False).items() if v}


def in_voila() -> bool:
    return "VOILA_KERNEL_ID" in os.environ or "SCRIPT_NAME" in os.environ
