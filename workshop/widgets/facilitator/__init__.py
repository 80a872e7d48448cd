"""The facilitator apps: one panel per stage inside a shared shell (stage bar, timer, navigation);
the console (``console.ConsoleDeck``) shows them all on one page.

Which stages exist, their notebooks, labels and panels: ``workshop.core.stages``.
Panels are imported only when a page asks for one, so a stage notebook loads
only its own tools.
"""

from __future__ import annotations

from urllib.parse import urlencode

from workshop.core import stages


def stage_href(stage: str, code: str) -> str:
    """A link to a stage notebook relative to the page, so it works behind any host name or proxy.

    It carries the join code only: a link on the page never carries the key (the tab
    remembers it, see ``workshop.widgets.address``)."""
    return f"{stages.stage(stage).notebook}?{urlencode({'w': code})}"


def panel_class(stage: str):
    """The panel class of ``stage``, imported on first use (ValueError for an unknown stage)."""
    return stages.load(stages.stage(stage).panel)


__all__ = ["panel_class", "stage_href"]
