"""Rating: each draft, 1 to 5, on each of the three criteria."""

from __future__ import annotations

import ipywidgets as w

from workshop.core import criteria
from workshop.domain import vision
from workshop.widgets.hints import HintsView
from workshop.widgets.kit import esc, run_action
from workshop.widgets.participant.base import StageView, heading, note


class CriterionRow(w.VBox):
    def __init__(self, view: "RatingView", draft_id: int, criterion: str, score: int | None):
        t = view.t
        self.view, self.draft_id, self.criterion = view, draft_id, criterion
        label = w.HTML(f"<b>{esc(t(criteria.TITLES[criterion]))}</b> "
                       f'<span class="ws-muted">{esc(t(criteria.EXPLANATIONS[criterion]))}</span>')
        self.buttons = w.ToggleButtons(options=[str(i) for i in range(criteria.LOWEST, criteria.HIGHEST + 1)],
                                       value=None if score is None else str(score),
                                       style={"button_width": "44px"})
        self.buttons.add_class(f"ws-rate-{criterion}")
        self.buttons.observe(self._changed, "value")
        super().__init__([label, self.buttons])

    def _changed(self, change) -> None:
        if change["new"] is None:
            return
        v = self.view
        done = run_action(v.feedback, v.t, vision.rate, v.visitor.store, v.visitor.code, v.visitor.token,
                          self.draft_id, self.criterion, int(change["new"]))
        if done is None and change["old"] is not None:
            self.buttons.unobserve(self._changed, "value")
            self.buttons.value = change["old"]
            self.buttons.observe(self._changed, "value")


class RatingView(StageView):
    def __init__(self, visitor, status):
        super().__init__(visitor, status)
        t = self.t
        self.list = w.VBox()
        self._ids: list[tuple[int, str]] = []
        self.children = [heading(t("Rating the drafts")),
                         note(t("Score every draft from 1 (not at all) to 5 (fully) on each criterion. "
                                "Your scores are saved as you click and stay private; the room sees only averages.")),
                         self.feedback, self.list]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        drafts = vision.drafts(self.visitor.store, self.visitor.code, self.visitor.token)
        key = [(d.id, d.text) for d in drafts]
        if key == self._ids:
            return
        self._ids = key
        mine = vision.my_ratings(self.visitor.store, self.visitor.code, self.visitor.token)
        blocks = []
        for i, d in enumerate(drafts, 1):
            rows = [CriterionRow(self, d.id, c, mine.get((d.id, c))) for c in criteria.ORDER]
            hints = HintsView(self.t, "vision", lang=self.status.language)
            hints.show(d.text)
            box = w.VBox([w.HTML(f'<div class="ws-card"><b>{i}.</b> {esc(d.text)}</div>'), hints, *rows])
            box.add_class("ws-draft-rating")
            blocks.append(box)
        self.list.children = blocks
