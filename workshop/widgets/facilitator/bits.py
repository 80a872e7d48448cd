"""Small helpers the stage panels share."""

from __future__ import annotations

import ipywidgets as w


def show(widget: w.Widget, visible: bool) -> None:
    """Hide or show a widget, sending nothing to the browser when that does not change."""
    display = None if visible else "none"
    if widget.layout.display != display:
        widget.layout.display = display


def gapped(box: w.Box) -> w.Box:
    """Space a row's items apart (ipywidgets' Layout has no ``gap``)."""
    box.add_class("ws-gap")
    return box



#: Shared by the second-half panels: the style holder and empty lines take no room.
BASE_CSS = """
.ws-panel .ws-css { display: none; }
.ws-panel .widget-html:has(> .widget-html-content:empty) { display: none; }
.ws-panel .ws-gap { gap: 6px 12px; }
.ws-panel .ws-note p, .ws-panel p.ws-note { margin: 2px 0 6px; }
"""


def stylesheet(css: str) -> w.HTML:
    """A panel's <style>, in a widget that takes no room on the page."""
    holder = w.HTML(f"<style>{BASE_CSS}{css}</style>")
    holder.add_class("ws-css")
    return holder
