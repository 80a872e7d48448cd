"""Making it actionable: an action statement and key metrics for each chosen value."""

from __future__ import annotations

import ipywidgets as w

from workshop.core.errors import N_
from workshop.domain import actionable, grouping
from workshop.widgets.facilitator.base import Panel, button, set_html
from workshop.widgets.hints import HintsView
from workshop.widgets.kit import esc, gapped, show, static_text, stylesheet
from workshop.widgets.sendbutton import send_button

#: The method's pairing of common support values with the metrics that show them lived.
SUGGESTED_METRICS = {
    N_("Integrity"): [N_("Net Promoter Score (NPS)"), N_("Quality Assurance (QA) score")],
    N_("Quality"): [N_("First Contact Resolution (FCR)"), N_("Customer Satisfaction (CSAT)")],
    N_("Speed"): [N_("First Response Time (FRT)"), N_("Average Handle Time (AHT)")],
    N_("Loyalty"): [N_("Customer Retention Rate (CRR)"), N_("Average Order Value (AOV)")],
    N_("Autonomy"): [N_("Customer Effort Score (CES)")],
}

CSS = static_text("facilitator-actions.css")


def suggested_metrics(value_name: str, t) -> list[str]:
    """The method's metrics for a value of this name (in English or the facilitator's language)."""
    name = value_name.strip().casefold()
    for value, metrics in SUGGESTED_METRICS.items():
        if name in (value.casefold(), t(value).casefold()):
            return [t(m) for m in metrics]
    return []


def _metric_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ValueActions(w.VBox):
    """One value's action statement and metrics, with its own Save and unsaved-changes mark."""

    def __init__(self, panel: "ActionsPanel", value):
        super().__init__()
        t = self.t = panel.t
        self.panel, self.value_id = panel, value.id
        self.add_class("ws-action-row")
        self.title = w.HTML()
        self.statement = w.Text(placeholder=t("An action verb or an “I” statement the whole team can act on"),
                                description=t("Action"), layout=w.Layout(width="calc(100% - 6px)"))
        self.statement.add_class("ws-action-statement")
        self.metrics = w.Textarea(placeholder=t("One metric per line, e.g. Customer Satisfaction (CSAT)"),
                                  description=t("Metrics"), rows=2, layout=w.Layout(width="calc(100% - 6px)"))
        self.metrics.add_class("ws-action-metrics")
        # Flags a statement that starts with neither an action verb nor "I"; for the facilitator only.
        self.hints = HintsView(t, "action", lang=panel.status.language)
        self.statement.observe(lambda change: self.hints.show(change["new"]), "value")
        self.suggestion = w.HTML()
        self.use_suggestion = button(t("Add the suggested metrics"), self._suggest, icon="lightbulb-o")
        self.use_suggestion.add_class("ws-use-suggestion")
        # The click carries the boxes' words: the last keystrokes cannot be left behind.
        self.save = send_button([self.statement, self.metrics], t("Save"), self._save, "primary", "save")
        self.save.add_class("ws-save-action")
        self.state = w.HTML()
        for field in (self.statement, self.metrics):
            field.observe(lambda _: self._mark(), "value")
        self.saved: tuple[str, tuple[str, ...]] | None = None
        self.children = [self.title, self.statement, self.hints, self.metrics,
                         w.HBox([self.suggestion, self.use_suggestion], layout=w.Layout(align_items="center", flex_flow="row wrap")),
                         gapped(w.HBox([self.save, self.state], layout=w.Layout(align_items="center")))]
        self.update(value, editable=True)

    def update(self, value, editable: bool) -> None:
        """Show the stored wording; keep what the facilitator is typing unless it was already saved."""
        t = self.t
        desc = f' <span class="ws-muted">{esc(value.description)}</span>' if value.description else ""
        set_html(self.title, f'<div><span class="ws-value-name">{esc(value.name)}</span>{desc}</div>')
        saved = (value.action_statement, tuple(value.metrics))
        if saved != self.saved:
            untouched = self.saved is None or self._typed() == self.saved
            self.saved = saved
            if untouched:
                self.statement.value = saved[0]
                self.metrics.value = "\n".join(saved[1])
        self.suggested = suggested_metrics(value.name, t)
        missing = [m for m in self.suggested if m.casefold() not in {x.casefold() for x in _metric_lines(self.metrics.value)}]
        set_html(self.suggestion, f'<span class="ws-suggest ws-muted">{esc(t("Suggested for this value:"))} '
                                  f'{esc(", ".join(self.suggested))}</span>' if self.suggested else "")
        show(self.use_suggestion, editable and bool(missing))
        for widget in (self.statement, self.metrics, self.save):
            if widget.disabled == editable:
                widget.disabled = not editable
        self._mark()

    def _typed(self) -> tuple[str, tuple[str, ...]]:
        return self.statement.value.strip(), tuple(_metric_lines(self.metrics.value))

    @property
    def dirty(self) -> bool:
        return self._typed() != self.saved

    def _mark(self) -> None:
        t = self.t
        if self.dirty:
            html = f'<span class="ws-unsaved">{esc(t("Unsaved changes"))}</span>'
        elif self.saved and (self.saved[0] or self.saved[1]):
            html = f'<span class="ws-saved">✓ {esc(t("Saved"))}</span>'
        else:
            html = ""
        set_html(self.state, html)

    def _suggest(self) -> None:
        lines = _metric_lines(self.metrics.value)
        known = {x.casefold() for x in lines}
        self.metrics.value = "\n".join(lines + [m for m in self.suggested if m.casefold() not in known])
        show(self.use_suggestion, False)

    def _save(self) -> bool:
        """Store the statement and the metrics; True when both were accepted."""
        p = self.panel
        statement, metrics = self._typed()
        if statement != self.saved[0]:
            p.act(actionable.set_action_statement, self.value_id, statement)
            if not p.succeeded:
                return False
        if metrics != self.saved[1]:
            stored = p.act(actionable.set_metrics, self.value_id, list(metrics))
            if not p.succeeded:
                return False
            metrics = tuple(stored)  # as the domain keeps them: duplicates dropped
        self.saved = (statement, metrics)
        self.statement.value, self.metrics.value = statement, "\n".join(metrics)
        self._mark()
        return True


class ActionsPanel(Panel):
    """Action statements and metrics for the chosen values."""

    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.stage_note = w.HTML()
        self.vision = w.HTML()
        self.rows = w.VBox()
        self.save_all = send_button([], t("Save all changes"), self._save_all, "primary", "save")  # every row's boxes
        self.save_all.add_class("ws-save-all-actions")
        common = ", ".join(t(m) for metrics in SUGGESTED_METRICS.values() for m in metrics)
        self._rows: dict[int, ValueActions] = {}
        # No heading of its own: the pane's heading and its run-of-show line name the stage right above it.
        self.children = [stylesheet(CSS), self.stage_note, self.vision,
                         w.HTML(f'<details class="ws-muted"><summary>{esc(t("Metrics support teams often use"))}</summary>'
                                f"<p>{esc(common)}</p></details>"),
                         self.rows, w.HBox([self.save_all]), self.feedback]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        c, t = self.console, self.t
        values = grouping.values(c.store, c.code, only_chosen=True)
        editable = status.phase in actionable.EDIT_PHASES
        set_html(self.stage_note, f'<p class="ws-muted ws-note">{esc(self._note(status.phase, values))}</p>')
        set_html(self.vision, (f'<p>{esc(t("Our vision:"))} <b>“{esc(status.vision)}”</b></p>'
                               if status.vision else ""))
        ids = [v.id for v in values]
        if ids != list(self._rows):
            old = self._rows
            self._rows = {v.id: old.get(v.id) or ValueActions(self, v) for v in values}
            self.rows.children = list(self._rows.values())
            self.save_all.boxes = [box for row in self._rows.values() for box in (row.statement, row.metrics)]
        for v in values:
            self._rows[v.id].update(v, editable)
        show(self.save_all, editable and bool(values))

    def _note(self, phase, values) -> str:
        t = self.t
        if not values:
            return t("The values get their action statements once the vote has chosen them.")
        if phase not in actionable.EDIT_PHASES:
            return t("The philosophy is published. To change it, undo the last stage change first.")
        return t("For each value: one sentence that starts with a verb or “I”, and one or two metrics that "
                 "show the value is lived. Pick metrics that fit the value, not the ones that are easiest to count.")

    def _save_all(self) -> None:
        dirty = [row for row in self._rows.values() if row.dirty]
        for row in dirty:
            if not row._save():
                return
        self.feedback.ok(self.t("All changes are saved.") if dirty else self.t("Nothing to save."))
