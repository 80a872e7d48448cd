"""Entry point of notebooks/exemplar.ipynb: ?s=SECRET[&lang=de]."""

from __future__ import annotations

from workshop.pages import followup


def show():
    return followup.show("exemplar")
