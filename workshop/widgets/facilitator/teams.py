"""How each team lives each value: key actions and metrics per team, written with the teams."""

from __future__ import annotations

import ipywidgets as w

from workshop.domain import grouping
from workshop.domain.followup import teams
from workshop.widgets.facilitator.base import Panel, button, hint, section, set_children
from workshop.widgets.facilitator.followup import CSS
from workshop.widgets.kit import Feedback, esc, labelled, run_action, stylesheet


class TeamRow(w.VBox):
    """One team's key actions and metrics for the selected value."""

    def __init__(self, panel: "TeamsPanel", value_id: int, team: str, practice: teams.Practice | None):
        super().__init__()
        self.panel, self.value_id, self.team = panel, value_id, team
        t = panel.t
        self.add_class("ws-team-row")
        self.feedback = Feedback()
        self.actions = labelled(w.Textarea(value=practice.key_actions if practice else "", rows=2,
                                           layout=w.Layout(width="100%")), t("Key actions"))
        self.metrics = labelled(w.Textarea(value=practice.metrics if practice else "", rows=2,
                                           layout=w.Layout(width="100%")), t("Metrics"))
        self.actions.add_class(f"ws-actions-{team}")
        self.metrics.add_class(f"ws-metrics-{team}")
        save = button(t("Save"), self._save, "primary")
        save.add_class(f"ws-save-{team}")
        fields = w.HBox([w.VBox([self.actions], layout=w.Layout(flex="3 1 260px")),
                         w.VBox([self.metrics], layout=w.Layout(flex="2 1 180px")), save],
                        layout=w.Layout(flex_flow="row wrap", align_items="flex-start", width="100%"))
        self.children = [w.HTML(f"<b>{esc(t(teams.TITLES[team]))}</b>"), fields, self.feedback]

    def _save(self) -> None:
        c = self.panel.console
        run_action(self.feedback, self.panel.t, teams.set_practice, c.store, c.code, c.key, self.value_id,
                   self.team, self.actions.value, self.metrics.value, success=self.panel.t("Saved."))
        c.changed()


class TeamsPanel(Panel):
    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.value = w.ToggleButtons(options=[], style={"button_width": "auto"})
        self.value.add_class("ws-team-value")
        self.value.observe(lambda _: self._load(), "value")
        self.summary = w.HTML()
        self.rows = w.VBox()
        self._values: list = []
        self.children = [
            stylesheet(CSS),
            section(t("How each team lives each value")),
            hint(t("With each team (support, sales, design, product, HR, leadership, marketing), write what the "
                   "value asks of them: a few key actions and the metrics that show it. It goes into the "
                   "philosophy document.")),
            self.summary, self.value, self.rows, self.feedback,
        ]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        c = self.console
        values = grouping.values(c.store, c.code, only_chosen=True)
        shape = [(v.id, v.name) for v in values]
        if shape != self._values:
            self._values = shape
            self.value.options = [(name, vid) for vid, name in shape]
            if self.value.value is None and shape:
                self.value.value = shape[0][0]  # a new list of options selects nothing by itself
            if not values:
                self.summary.value = f"<p>{esc(self.t('No values have been chosen yet (stage 05).'))}</p>"
        self._summarize()

    def _summarize(self) -> None:
        c, t = self.console, self.t
        done = teams.practices(c.store, c.code)
        rows = []
        for vid, name in self._values:
            filled = [t(teams.TITLES[team]) for team in teams.PRACTICE_TEAMS if (vid, team) in done]
            rows.append(f"<tr><td><b>{esc(name)}</b></td><td class='num'>{len(filled)} / "
                        f"{len(teams.PRACTICE_TEAMS)}</td><td>{esc(', '.join(filled))}</td></tr>")
        if rows:
            html = (f'<table class="ws-grid ws-team-summary"><tr><th>{esc(t("Value"))}</th>'
                    f'<th class="num">{esc(t("Teams"))}</th><td></td></tr>{"".join(rows)}</table>')
            if self.summary.value != html:
                self.summary.value = html

    def _load(self) -> None:
        c = self.console
        if self.value.value is None:
            set_children(self.rows, [])
            return
        done = teams.practices(c.store, c.code)
        set_children(self.rows, [TeamRow(self, self.value.value, team, done.get((self.value.value, team)))
                                 for team in teams.PRACTICE_TEAMS])
