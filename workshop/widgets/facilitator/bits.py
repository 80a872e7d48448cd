"""Small helpers the stage panels share."""

from __future__ import annotations

import ipywidgets as w


def show(widget: w.Widget, visible: bool) -> None:
    """Hide or show a widget, sending nothing to the browser when that does not change."""
    display = None if visible else "none"
    if widget.layout.display != display:
        widget.layout.display = display


def gapped(box: w.Box) -> w.Box:
    """Space a row's items apart (ipywidgets' Layout has no ``gap``; each panel's CSS has ``.ws-gap``)."""
    box.add_class("ws-gap")
    return box

