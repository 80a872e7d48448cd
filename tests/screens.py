"""What a person sees of a widget tree, read kernel-side: visible widgets only, as plain text.

Shared by the widget tests that assert on what is on screen (``screen``) rather than on
a widget's attributes.
"""

from __future__ import annotations

import html
import re
from typing import Callable

import ipywidgets as w

from workshop.widgets.sendbutton import SendButton


def visible(widget) -> bool:
    return getattr(getattr(widget, "layout", None), "display", None) != "none"


def screen(widget, describe: Callable[[object], str | None] | None = None) -> str:
    """The text on screen: HTML with its tags and styles stripped and entities decoded, button
    labels, and whatever ``describe(widget)`` says of other controls (a field, a score control);
    nothing of a widget hidden by ``display: none`` or inside one."""
    if not visible(widget):
        return ""
    parts = []
    if isinstance(widget, w.HTML):
        value = re.sub(r"<style>.*?</style>", "", widget.value, flags=re.S)
        parts.append(html.unescape(re.sub(r"<[^>]+>", " ", value)))
    elif isinstance(widget, (w.Button, SendButton)):
        parts.append(widget.description)
    elif describe is not None:
        parts.append(describe(widget) or "")
    for child in getattr(widget, "children", ()):
        parts.append(screen(child, describe))
    return re.sub(r"\s+", " ", " ".join(parts)).strip()
