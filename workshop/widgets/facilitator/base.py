"""What every facilitator panel shares: the workshop, the key, the language."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w

from ...i18n import Translator
from ...store import Store
from ...workshops import Status
from ..common import Feedback, esc, run_action


@dataclass
class Console:
    store: Store
    code: str
    key: str
    t: Translator


class Panel(w.VBox):
    """One stage's tools. ``refresh`` updates it in place when the workshop changes."""

    def __init__(self, console: Console, status: Status):
        super().__init__()
        self.console = console
        self.t = console.t
        self.status = status
        self.feedback = Feedback()
        self.add_class("ws-panel")

    def act(self, fn, *args, success: str | None = None, **kwargs):
        """Run a facilitator action with this workshop's code and key."""
        c = self.console
        return run_action(self.feedback, self.t, fn, c.store, c.code, c.key, *args, success=success, **kwargs)

    def refresh(self, status: Status) -> None:
        self.status = status


def button(description: str, handler, style: str = "", icon: str = "", **layout) -> w.Button:
    b = w.Button(description=description, button_style=style, icon=icon,
                 layout=w.Layout(width="auto", **layout))
    b.on_click(lambda _: handler())
    return b


def section(title: str) -> w.HTML:
    return w.HTML(f"<h3>{esc(title)}</h3>")


def set_html(widget: w.HTML, html: str) -> None:
    """Assign only when different: no message, no flicker, when nothing changed."""
    if widget.value != html:
        widget.value = html
