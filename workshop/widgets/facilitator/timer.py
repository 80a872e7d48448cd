"""Start and stop the countdown that every participant and the room screen see.

Part of the facilitator's shell on every stage (the console and each stage notebook);
``for_stage`` starts it at the stage's own minutes and label (``core.stages``), and
``follow`` offers a phase's own timer when the room moves on within the stage
(the vision stage's "Drafting", then "Rating")."""

from __future__ import annotations

import ipywidgets as w

from workshop.core import stages
from workshop.domain import workshops
from workshop.widgets.facilitator.base import console_action
from workshop.widgets.kit import Feedback, esc, labelled

PRESETS = (1, 2, 3, 5, 7, 10, 15, 20)


class TimerControl(w.HBox):
    """Minutes, an optional label, Start and Stop: one row any panel can include."""

    def __init__(self, console, label: str = "", minutes: float = 5):
        super().__init__(layout=w.Layout(align_items="center", flex_flow="row wrap"))
        self.console = console
        t = self.t = console.t
        self.add_class("ws-timer-control")
        self.title = w.HTML(f"<b>{esc(t('Timer'))}</b>")
        presets = sorted(set(PRESETS) | {minutes})
        self.minutes = w.Dropdown(options=[(t("{n} min").format(n=n), n) for n in presets],
                                  value=minutes, description=t("Minutes"),
                                  style={"description_width": "initial"}, layout=w.Layout(width="auto"))
        self.label = labelled(w.Text(value=label, layout=w.Layout(width="16em")), t("What the time is for"),
                              visible=False)
        self.start = w.Button(description=t("Start timer"), icon="hourglass-start", layout=w.Layout(width="auto"))
        self.stop = w.Button(description=t("Stop"), icon="stop", layout=w.Layout(width="auto"))
        self.start.on_click(lambda _: self._start())
        self.stop.on_click(lambda _: self._stop())
        self.feedback = Feedback()
        self.children = [self.title, self.minutes, self.label, self.start, self.stop, self.feedback]

    #: The stage whose timer this is (``for_stage``), and the minutes and label it offered last.
    stage: str | None = None
    offered: tuple[float, str] | None = None

    @classmethod
    def for_stage(cls, console, stage: str, phase: str | None = None) -> "TimerControl":
        minutes, label = cls._defaults(console.t, stage, phase)
        control = cls(console, label=label, minutes=minutes)
        control.stage, control.offered = stage, (minutes, label)
        return control

    @staticmethod
    def _defaults(t, stage: str, phase: str | None) -> tuple[float, str]:
        minutes, label = stages.stage(stage).timer(phase)
        return minutes, t(label) if label else ""

    def follow(self, phase: str) -> None:
        """The room is in ``phase`` now: offer its timer, unless the facilitator changed the fields."""
        if self.stage is None:
            return
        minutes, label = self._defaults(self.t, self.stage, phase)
        if (minutes, label) == self.offered or (self.minutes.value, self.label.value) != self.offered:
            return
        if minutes not in self.minutes.options:
            self.minutes.options = [(self.t("{n} min").format(n=n), n) for n in sorted(set(PRESETS) | {minutes})]
        self.minutes.value, self.label.value = minutes, label
        self.offered = (minutes, label)

    def _run(self, fn, *args) -> None:
        if console_action(self.console, self.feedback, fn, *args):
            self.console.changed()

    def _start(self) -> None:
        self._run(workshops.start_timer, self.minutes.value, self.label.value)

    def _stop(self) -> None:
        self._run(workshops.stop_timer)
