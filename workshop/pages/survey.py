"""Entry point of notebooks/survey.ipynb: ?s=SECRET[&lang=de]."""

from __future__ import annotations

from workshop.pages import followup


def show():
    return followup.show("survey")
