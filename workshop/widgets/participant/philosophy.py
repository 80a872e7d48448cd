"""Waiting room, and the philosophy as it takes shape (actions) and when published."""

from __future__ import annotations

import ipywidgets as w

from workshop.domain import grouping
from workshop.widgets.kit import esc
from workshop.widgets.participant.base import StageView, heading, note


def philosophy_html(status, values, t) -> str:
    parts = []
    if status.company and status.purpose:
        parts.append(f"<p>{esc(t('Our purpose at {company} is to {purpose}').format(company=status.company, purpose=status.purpose))}</p>")
    if status.vision:
        parts.append(f'<p class="ws-big">“{esc(status.vision)}”</p>')
    for v in values:
        metrics = ", ".join(esc(m) for m in v.metrics)
        action = f"<div>{esc(v.action_statement)}</div>" if v.action_statement else ""
        metric_line = f'<div class="ws-muted">{esc(t("Metrics"))}: {metrics}</div>' if metrics else ""
        parts.append(f'<div class="ws-value"><b>{esc(v.name)}</b>{action}{metric_line}</div>')
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
        self.count.value = "<p>" + esc(self.t("{n} people have joined.").format(n=status.participants)) + "</p>"


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
        values = grouping.values(self.visitor.store, self.visitor.code, only_chosen=True)
        html = philosophy_html(status, values, self.t)
        if html != self.body.value:
            self.body.value = html
