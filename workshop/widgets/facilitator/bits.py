"""Small helpers the stage panels share."""

from __future__ import annotations

import ipywidgets as w


def show(widget: w.Widget, visible: bool) -> None:
    """Hide or show a widget, sending nothing to the browser when that does not change."""
    display = None if visible else "none"
    if widget.layout.display != display:
        widget.layout.display = display
