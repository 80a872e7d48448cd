"""The control room: where the workshop stands, what comes next, going back a stage."""

from __future__ import annotations

import ipywidgets as w

from workshop.core import phases, stages
from workshop.core.errors import N_
from workshop.domain import workshops
from workshop.widgets.facilitator import stage_href
from workshop.widgets.facilitator.base import Panel, button, hint, private, section, set_html, set_options
from workshop.widgets.facilitator.timer import TimerControl
from workshop.widgets.kit import esc

NEXT_STEP = {
    phases.SETUP: N_("Share the join link, wait until everyone has joined, then start the brainstorm."),
    phases.BRAINSTORM: N_("Give everyone about ten minutes to write, then reveal the cards and read them out."),
    phases.GROUPING: N_("Group the cards into core values with the room, then start the vote."),
    phases.VOTING: N_("Run dot-vote rounds until the target number of values remains."),
    phases.DRAFTING: N_("Everyone drafts a vision statement; move on to rating when the drafts are in."),
    phases.RATING: N_("Everyone rates each draft on the three criteria; discuss the spread, then choose the final vision."),
    phases.ACTIONS: N_("Write an action statement and pick metrics for each chosen value."),
    phases.PUBLISHED: N_("The philosophy is finished: show it, then export the results."),
}


class ControlPanel(Panel):
    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.stats = w.HTML()
        self.next_step = w.HTML()
        self.reopen_choice = w.Dropdown(layout=w.Layout(width="16em"))
        self.reopen = button(t("Reopen this stage"), self._reopen, icon="step-backward")
        reopen_row = private(w.VBox([
            section(t("Go back to an earlier stage")),
            hint(t("Everything written since is kept. To take back the last click of “Next stage”, use Undo above.")),
            w.HBox([self.reopen_choice, self.reopen], layout=w.Layout(flex_flow="row wrap")),
        ]))
        self.children = [section(t("Where the workshop stands")), self.stats,
                         section(t("What to do now")), self.next_step,
                         section(t("Countdown for everyone")), TimerControl(console),
                         reopen_row, self.feedback]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        t = self.t
        stat = lambda n, label: f'<div class="ws-stat"><b>{n}</b>{esc(label)}</div>'  # noqa: E731
        set_html(self.stats, '<div class="ws-stats">' + "".join([
            stat(status.participants, t("joined")),
            stat(status.cards, t("cards")),
            stat(esc(t("yes")) if status.cards_revealed else esc(t("no")), t("cards revealed")),
            stat(status.values, t("values")),
            stat(status.drafts, t("vision drafts")),
            stat(esc(t("yes")) if status.vision else esc(t("no")), t("vision chosen")),
        ]) + "</div>")
        live = stages.stage_of_phase(status.phase).name
        href = self._href(live)
        set_html(self.next_step,
                 f'<p class="ws-next">{esc(t(NEXT_STEP[status.phase]))} '
                 f'<a class="ws-private ws-go" href="{esc(href)}" target="_self">'
                 f'{esc(t("Open {notebook}").format(notebook=self._label(live)))} →</a></p>')
        earlier = [(t(phases.TITLES[p]), p) for p in phases.ORDER[:phases.index(status.phase)]]
        set_options(self.reopen_choice, earlier)
        self.reopen.disabled = not earlier

    def _label(self, stage: str) -> str:
        return self.t(stages.stage(stage).label)

    def _href(self, stage: str) -> str:
        return stage_href(stage, self.console.code, self.console.key)

    def _reopen(self) -> None:
        phase = self.reopen_choice.value
        if phase:
            self.act(workshops.reopen, phase,
                     success=self.t("The workshop is back at “{stage}”.").format(stage=self.t(phases.TITLES[phase])))
