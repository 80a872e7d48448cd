"""Brainstorm: write cards privately; see the room's count, and the text once revealed."""

from __future__ import annotations

import uuid

import ipywidgets as w

from workshop.core import settings
from workshop.core.errors import N_
from workshop.domain import cards
from workshop.widgets.kit import esc, labelled, run_action
from workshop.widgets.participant.base import StageView, full_width, heading, note
from workshop.widgets.sendbutton import SendButton

#: Where the keyboard focus goes after a card is added or withdrawn: back to the card box.
CARD_BOX = ".ws-card-entry textarea"
WITHDRAWN = N_("Card withdrawn.")


class MyCard(w.HBox):
    """One of my own cards, with Edit and Withdraw."""

    def __init__(self, view: "BrainstormView", card):
        super().__init__(layout=w.Layout(align_items="center", width="100%"))
        self.add_class("ws-row")
        self.view, self.card_id, self.text = view, card.id, card.text
        t = view.t
        self.label = w.HTML()
        self.label.add_class("ws-grow")
        self.edit = w.Button(description=t("Edit"), layout=w.Layout(width="auto"))
        self.edit.add_class("ws-edit")
        self.withdraw = w.Button(description=t("Withdraw"), layout=w.Layout(width="auto"))
        self.withdraw.add_class("ws-withdraw")
        self.editor = labelled(full_width(w.Textarea(rows=2)), t("Edit your card"), visible=False)
        self.editor.add_class("ws-card-editor")
        self.save = SendButton([self.editor], t("Save"), button_style="primary", layout=w.Layout(width="auto"))
        self.cancel = w.Button(description=t("Cancel"), layout=w.Layout(width="auto"))
        self.edit.on_click(lambda _: self._start_edit())
        self.cancel.on_click(lambda _: self._cancel())
        self.save.on_click(lambda _: self._save())
        self.withdraw.on_click(lambda _: self._withdraw())
        self.add_class("ws-my-card")
        self.add_class(f"ws-card-{card.id}")
        self._show()

    def _show(self, text: str | None = None) -> None:
        if text is not None:
            self.text = text
        self.label.value = f'<div class="ws-card">{esc(self.text)}</div>'
        self.children = [self.label, self.edit, self.withdraw]

    def _start_edit(self) -> None:
        self.editor.value = self.text
        self.children = [self.editor, self.save, self.cancel]
        self.view.visitor.focus(f".ws-card-{self.card_id} .ws-card-editor textarea")

    def _cancel(self) -> None:
        self._show()
        self.view.visitor.focus(f".ws-card-{self.card_id} .ws-edit")

    def _save(self) -> None:
        v = self.view
        done = run_action(v.feedback, v.t, cards.edit_card, v.visitor.store, v.visitor.code,
                          v.visitor.token, self.card_id, self.editor.value)
        if done is not None:
            self._show(done.text)
            v.visitor.focus(f".ws-card-{self.card_id} .ws-edit")

    def _withdraw(self) -> None:
        v = self.view
        # A request id: a retry after a lost commit answers "done", not "that card no longer exists".
        run_action(v.feedback, v.t, cards.withdraw_card, v.visitor.store, v.visitor.code,
                   v.visitor.token, self.card_id, request_id=uuid.uuid4().hex, success=v.t(WITHDRAWN))
        v.reload_mine()
        v.visitor.focus(CARD_BOX)  # this card's buttons are gone


class BrainstormView(StageView):
    def __init__(self, visitor, status):
        super().__init__(visitor, status)
        t = self.t
        self.question = w.HTML()
        self.entry = full_width(w.Textarea(
            placeholder=t("One idea per card. Nobody sees it until the facilitator reveals all cards."),
            rows=3))
        labelled(self.entry, t("New card"))  # its name; the placeholder only explains
        self.entry.add_class("ws-card-entry")
        # The click carries the box's words: the last keystrokes cannot be left behind.
        self.add = SendButton([self.entry], t("Add card"), button_style="primary", icon="plus")
        self.add.add_class("ws-add-card")
        self.add.on_click(lambda _: self._add())
        self.mine_title = note("")
        self.mine = w.VBox()
        self.room = w.HTML()
        self.room.add_class("ws-room-count")
        self.wall = w.HTML()
        self.wall.add_class("ws-wall")
        self._mine_ids: list[int] = []
        self.children = [heading(t("Brainstorm")), self.question, self.entry,
                         w.HBox([self.add]), self.feedback, self.mine_title, self.mine, self.room, self.wall]
        self.refresh(status)
        self.reload_mine()

    def _add(self) -> None:
        # A fresh request id per click: a retry after a dropped connection stores the card once.
        added = run_action(self.feedback, self.t, cards.add_card, self.visitor.store, self.visitor.code,
                           self.visitor.token, self.entry.value, request_id=uuid.uuid4().hex)
        if added is not None:
            self.add.taken()
            self.feedback.ok(self.t("Saved."))
            self.reload_mine()
            self.visitor.focus(CARD_BOX)  # ready for the next idea

    def reload_mine(self) -> None:
        mine = cards.my_cards(self.visitor.store, self.visitor.code, self.visitor.token)
        ids = [c.id for c in mine]
        if ids != self._mine_ids:
            self._mine_ids = ids
            self.mine.children = [MyCard(self, c) for c in mine]
        self.mine_title.value = f'<div class="ws-muted">{esc(self.t("Your cards ({n} of at most {limit})").format(n=len(mine), limit=settings.MAX_CARDS_PER_PARTICIPANT))}</div>'

    def refresh(self, status) -> None:
        super().refresh(status)
        t = self.t
        self.question.value = f'<p class="ws-question"><b>{esc(t(status.question))}</b></p>'
        written = t.ngettext("The room has written {n} card so far.", "The room has written {n} cards so far.",
                             status.cards).format(n=status.cards)
        self.room.value = "<p>" + esc(written) + "</p>"
        if status.cards_revealed:
            wall = cards.wall(self.visitor.store, self.visitor.code)
            self.wall.value = (f"<h3>{esc(t('All cards'))}</h3><div style='display:flex;flex-wrap:wrap'>"
                               + "".join(f'<div class="ws-card">{esc(c.text)}</div>' for c in wall) + "</div>")
        else:
            self.wall.value = ""
