"""Vision drafts: everyone proposes one-line visions built from the chosen values."""

from __future__ import annotations

import uuid

import ipywidgets as w

from workshop.domain import grouping, vision
from workshop.widgets.hints import HintsView
from workshop.widgets.kit import esc, labelled, run_action
from workshop.widgets.participant.base import StageView, full_width, heading, note
from workshop.widgets.sendbutton import SendButton


class DraftingView(StageView):
    def __init__(self, visitor, status):
        super().__init__(visitor, status)
        t = self.t
        self.values = w.HTML()
        self.entry = full_width(w.Textarea(
            placeholder=t("When we interact with customers, we want them to know…"), rows=2))
        labelled(self.entry, t("Your vision draft"))
        self.entry.add_class("ws-draft-entry")
        self.add = SendButton([self.entry], t("Add draft"), button_style="primary", icon="plus")  # sends the words
        self.add.add_class("ws-add-draft")
        self.add.on_click(lambda _: self._add())
        self.list = w.VBox()
        self._ids: list[tuple[int, str]] = []
        self.children = [heading(t("Vision drafts")),
                         note(t("Write a one-line support vision from our values, our purpose and what customers need.")),
                         self.values, self.entry, w.HBox([self.add]), self.feedback, self.list]
        self.refresh(status)

    def _add(self) -> None:
        done = run_action(self.feedback, self.t, vision.add_draft, self.visitor.store, self.visitor.code,
                          self.visitor.token, self.entry.value, request_id=uuid.uuid4().hex)
        if done is not None:
            self.add.taken()
            self.feedback.ok(self.t("Saved."))
            self.refresh(self.status)

    def _withdraw(self, draft_id: int) -> None:
        run_action(self.feedback, self.t, vision.withdraw_draft, self.visitor.store, self.visitor.code,
                   self.visitor.token, draft_id, request_id=uuid.uuid4().hex)
        self.refresh(self.status)

    def _row(self, d) -> w.Widget:
        card = w.HTML(f'<div class="ws-card">{esc(d.text)}</div>')
        if not d.mine:
            return card  # someone else's draft: never a hint on it (issue 13)
        # Hints on the author's own draft only: facts to improve it by, seen by nobody else here.
        hints = HintsView(self.t, "vision", lang=self.status.language)
        hints.show(d.text)
        mine = w.VBox([card, hints])
        mine.add_class("ws-grow")
        mine.add_class("ws-my-draft")
        withdraw = w.Button(description=self.t("Withdraw"), layout=w.Layout(width="auto"))
        withdraw.on_click(lambda _, i=d.id: self._withdraw(i))
        row = w.HBox([mine, withdraw], layout=w.Layout(align_items="center", width="100%"))
        row.add_class("ws-row")
        return row

    def refresh(self, status) -> None:
        super().refresh(status)
        chosen = grouping.values(self.visitor.store, self.visitor.code, only_chosen=True)
        self.values.value = ("<p>" + esc(self.t("Our values:")) + " " +
                             ", ".join(f"<b>{esc(v.name)}</b>" for v in chosen) + "</p>")
        drafts = vision.drafts(self.visitor.store, self.visitor.code, self.visitor.token)
        key = [(d.id, d.text) for d in drafts]
        if key != self._ids:
            self._ids = key
            self.list.children = [self._row(d) for d in drafts]
