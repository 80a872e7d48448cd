"""The links people open: one for participants, one per facilitator stage."""

from __future__ import annotations

import os
from urllib.parse import urlencode

#: Where participants reach the server (a reverse proxy, a tunnel); set by `workshop serve`.
PUBLIC_URL_ENV = "WORKSHOP_PUBLIC_URL"

PARTICIPANT_NOTEBOOK = "participant.ipynb"
FACILITATOR_NOTEBOOK = "00-facilitator.ipynb"


def base_url(default: str = "http://127.0.0.1:8866/") -> str:
    url = os.environ.get(PUBLIC_URL_ENV) or default
    return url if url.endswith("/") else url + "/"


def notebook_url(notebook: str, base: str | None = None, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{base or base_url()}voila/render/{notebook}" + (f"?{query}" if query else "")


def participant_url(code: str, base: str | None = None) -> str:
    return notebook_url(PARTICIPANT_NOTEBOOK, base, w=code)


def facilitator_url(code: str, key: str, base: str | None = None, notebook: str = FACILITATOR_NOTEBOOK) -> str:
    return notebook_url(notebook, base, w=code, key=key)


def audience_url(notebook: str, secret: str, base: str | None = None) -> str:
    """A follow-up link: the audience's own secret, never the leadership group's join code."""
    return notebook_url(notebook, base, s=secret)
