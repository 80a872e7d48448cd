"""Waiting room, and the philosophy as it takes shape (actions) and when published."""

from __future__ import annotations

import ipywidgets as w

from workshop.outputs import philosophy
from workshop.widgets.kit import esc
from workshop.widgets.participant.base import StageView, heading, note


def philosophy_html(p: philosophy.Philosophy, t) -> str:
    """Purpose, vision and the values with how each is lived, as in the document."""
    parts = []
    if p.purpose_sentence:
        parts.append(f'<p class="ws-purpose">{esc(p.purpose_sentence)}</p>')
    if p.vision:
        parts.append(f'<p class="ws-muted">{esc(t("When we interact with customers, we want them to know:"))}</p>'
                     f'<p class="ws-big ws-vision-line">“{esc(p.vision)}”</p>')
    for v in p.values:
        desc = f'<div class="ws-description ws-muted">{esc(v.description)}</div>' if v.description else ""
        action = f'<div class="ws-action">{esc(v.action_statement)}</div>' if v.action_statement else ""
        metrics = (f'<div class="ws-metrics ws-muted">{esc(t("Key metrics:"))} {esc(", ".join(v.metrics))}</div>'
                   if v.metrics else "")
        parts.append(f'<div class="ws-value"><b class="ws-name">{esc(v.name)}</b>{desc}{action}{metrics}</div>')
    return "".join(parts)


class WaitingView(StageView):
    def __init__(self, visitor, status):
        super().__init__(visitor, status)
        self.count = w.HTML()
        self.children = [heading(self.t("Welcome, {name}!").format(name=visitor.name)),
                         note(self.t("The workshop will start soon. Keep this page open; it changes by itself.")),
                         self.count]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        joined = self.t.ngettext("{n} person has joined.", "{n} people have joined.", status.participants)
        self.count.value = "<p>" + esc(joined.format(n=status.participants)) + "</p>"


class PhilosophyView(StageView):
    """Shown while values are made actionable, and as the final result."""

    def __init__(self, visitor, status, final: bool):
        super().__init__(visitor, status)
        t = self.t
        self.body = w.HTML()
        self.body.add_class("ws-philosophy")
        title = t("Our customer service philosophy") if final else t("Making it actionable")
        intro = (t("Thank you! This is what we wrote together.") if final else
                 t("The facilitator is giving each value an action statement and metrics."))
        self.children = [heading(title), note(intro), self.body]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        html = philosophy_html(philosophy.build(self.visitor.store, self.visitor.code, self.t), self.t)
        if html != self.body.value:
            self.body.value = html
