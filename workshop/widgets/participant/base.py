"""What every participant stage view shares: who is looking, in which language."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    #: The page's PageSemantics (focus moves, announcements); None outside a visitor's page.
    page: object = field(default=None, compare=False, repr=False)

    def focus(self, selector: str) -> None:
        """Move the keyboard focus to ``selector`` on this visitor's page (nothing without one)."""
        if self.page is not None:
            self.page.focus(selector)

    def announce(self, text: str) -> None:
        if self.page is not None:
            self.page.announce(text)


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
    """The stage's heading (h2 under the page's h1, the workshop): where focus lands on a stage change."""
    return w.HTML(f'<h2 class="ws-title ws-stage-heading" tabindex="-1">{esc(text)}</h2>')


def note(text: str) -> w.HTML:
    return w.HTML(f'<div class="ws-muted">{esc(text)}</div>')


def full_width(widget, **layout):
    widget.layout = w.Layout(width="100%", **layout)
    return widget
