"""What every participant stage view shares: who is looking, in which language."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w

from workshop.domain.workshops import Status
from workshop.i18n import Translator
from workshop.store import Store
from workshop.widgets.kit import Feedback, esc


@dataclass
class Visitor:
    store: Store
    code: str
    token: str
    name: str
    t: Translator


class StageView(w.VBox):
    """One stage's screen. ``refresh`` updates it in place when the workshop changes."""

    def __init__(self, visitor: Visitor, status: Status):
        super().__init__()
        self.visitor = visitor
        self.t = visitor.t
        self.status = status
        self.feedback = Feedback()
        self.add_class("ws-stage")

    def refresh(self, status: Status) -> None:
        self.status = status


def heading(text: str) -> w.HTML:
    return w.HTML(f'<div class="ws-title">{esc(text)}</div>')


def note(text: str) -> w.HTML:
    return w.HTML(f'<div class="ws-muted">{esc(text)}</div>')


def full_width(widget, **layout):
    widget.layout = w.Layout(width="100%", **layout)
    return widget
