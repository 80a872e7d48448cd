"""The first screen: a name (or anonymous) and a Join button."""

from __future__ import annotations

from typing import Callable

import ipywidgets as w

from ... import workshops
from ...workshops import Joined, Status
from ..common import Feedback, esc, run_action
from .base import full_width


class JoinForm(w.VBox):
    def __init__(self, store, status: Status, t, on_joined: Callable[[Joined], None]):
        super().__init__()
        self.store, self.status, self.t, self.on_joined = store, status, t, on_joined
        self.add_class("ws-join")
        self.feedback = Feedback()
        # The app's header already shows the workshop's title above this form.
        intro = w.HTML(f'<p>{esc(t("Welcome! You are joining a workshop on our customer service philosophy."))}</p>')
        if status.anonymous:
            self.name = None
            explain = w.HTML(f"<p>{esc(t('This workshop is anonymous: nobody will see who wrote what.'))}</p>")
            self.button = w.Button(description=t("Join anonymously"), button_style="primary")
            self.children = [intro, explain, self.button, self.feedback]
        else:
            self.name = full_width(w.Text(placeholder=t("Your name"), continuous_update=False))
            self.name.add_class("ws-name")
            self.button = w.Button(description=t("Join"), button_style="primary")
            self.name.on_submit(lambda _: self._join())
            self.children = [intro, self.name, self.button, self.feedback]
        self.button.add_class("ws-join-button")
        self.button.on_click(lambda _: self._join())

    def _join(self) -> None:
        name = self.name.value if self.name is not None else None
        self.button.disabled = True
        try:
            joined = run_action(self.feedback, self.t, workshops.join, self.store, self.status.code, name=name)
        finally:
            self.button.disabled = False
        if joined is not None:
            self.on_joined(joined)
