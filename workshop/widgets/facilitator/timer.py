"""Start and stop the countdown that every participant sees in their header."""

from __future__ import annotations

import ipywidgets as w

from workshop.domain import workshops
from workshop.widgets.kit import Feedback, esc, run_action

PRESETS = (1, 2, 3, 5, 7, 10, 15, 20)


class TimerControl(w.HBox):
    """Minutes, an optional label, Start and Stop: one row any panel can include."""

    def __init__(self, console, label: str = "", minutes: float = 5):
        super().__init__(layout=w.Layout(align_items="center", flex_flow="row wrap"))
        self.console = console
        t = self.t = console.t
        self.add_class("ws-timer-control")
        self.title = w.HTML(f"<b>{esc(t('Timer'))}</b>")
        self.minutes = w.Dropdown(options=[(t("{n} min").format(n=n), n) for n in PRESETS],
                                  value=minutes if minutes in PRESETS else 5, layout=w.Layout(width="7em"))
        self.label = w.Text(value=label, placeholder=t("What the time is for"), layout=w.Layout(width="16em"))
        self.start = w.Button(description=t("Start timer"), icon="hourglass-start", layout=w.Layout(width="auto"))
        self.stop = w.Button(description=t("Stop"), icon="stop", layout=w.Layout(width="auto"))
        self.start.on_click(lambda _: self._start())
        self.stop.on_click(lambda _: self._stop())
        self.feedback = Feedback()
        self.children = [self.title, self.minutes, self.label, self.start, self.stop, self.feedback]

    def _run(self, fn, *args) -> None:
        c = self.console
        done = []

        def call(*a):
            done.append(fn(*a))

        call.__name__ = fn.__name__
        run_action(self.feedback, self.t, call, c.store, c.code, c.key, *args)
        if done:
            c.changed()

    def _start(self) -> None:
        self._run(workshops.start_timer, self.minutes.value, self.label.value)

    def _stop(self) -> None:
        self._run(workshops.stop_timer)
