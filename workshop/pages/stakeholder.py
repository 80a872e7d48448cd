"""Entry point of notebooks/stakeholder.ipynb: ?s=SECRET[&lang=de]."""

from __future__ import annotations

from workshop.pages import followup


def show():
    return followup.show("stakeholder")
