"""Core values: the cards as the facilitator groups them, updated live."""

from __future__ import annotations

import ipywidgets as w

from workshop.core.errors import NotAuthorized
from workshop.domain import grouping
from workshop.widgets.kit import esc
from workshop.widgets.participant.base import StageView, heading, note


def board_html(board, t) -> str:
    parts = []
    for value, cards in board.values:
        items = "".join(f'<div class="ws-card">{esc(c.text)}</div>' for c in cards)
        desc = f'<div class="ws-muted">{esc(value.description)}</div>' if value.description else ""
        name = value.name or t("Group {n}").format(n=value.position)  # an unnamed group of the wall
        parts.append(f'<div class="ws-value"><b>{esc(name)}</b> '
                     f'<span class="ws-muted">({len(cards)})</span>{desc}'
                     f'<div style="display:flex;flex-wrap:wrap">{items}</div></div>')
    if board.unassigned:
        items = "".join(f'<div class="ws-card">{esc(c.text)}</div>' for c in board.unassigned)
        parts.append(f'<div class="ws-value ws-unassigned"><b>{esc(t("Not grouped yet"))}</b>'
                     f'<div style="display:flex;flex-wrap:wrap">{items}</div></div>')
    return "".join(parts)


class BoardView(StageView):
    def __init__(self, visitor, status):
        super().__init__(visitor, status)
        self.board = w.HTML()
        self.board.add_class("ws-board")
        self.children = [heading(self.t("Core values")),
                         note(self.t("The facilitator is grouping the cards into core values. Say what you see!")),
                         self.board]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        try:
            board = grouping.board(self.visitor.store, self.visitor.code)
        except NotAuthorized:
            self.board.value = f"<p>{esc(self.t('The cards will appear here once they are revealed.'))}</p>"
            return
        html = board_html(board, self.t)
        if html != self.board.value:
            self.board.value = html
