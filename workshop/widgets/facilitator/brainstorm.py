"""Brainstorm (03): the live count and wall of cards, the reveal, and cards said aloud."""

from __future__ import annotations

from collections import Counter

import ipywidgets as w

from workshop.core import phases
from workshop.domain import cards, workshops
from workshop.widgets.facilitator.base import Panel, button, private, section, set_html
from workshop.widgets.kit import esc, labelled


def wall_html(wall, t, with_authors: bool) -> str:
    def card(c) -> str:
        who = f'<span class="ws-author ws-private">{esc(c.author)}</span>' if with_authors and c.author else ""
        return f'<div class="ws-card">{esc(c.text)}{who}</div>'
    if not wall:
        return f'<p class="ws-muted">{esc(t("No cards yet."))}</p>'
    return '<div class="ws-wall">' + "".join(card(c) for c in wall) + "</div>"


class BrainstormPanel(Panel):
    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.question = w.HTML()
        self.count = w.HTML()
        self.count.add_class("ws-card-count")
        self.reveal = button("", self._toggle_reveal, style="success", icon="eye", height="48px")
        self.reveal.add_class("ws-reveal")
        self.state = w.HTML()
        self.tally = private(w.HTML())
        self.wall_title = w.HTML()
        self.wall = w.HTML()
        self.wall.add_class("ws-facilitator-wall")
        self.entry = labelled(w.Textarea(rows=2, placeholder=t("A card someone says aloud, or sends you in the chat"),
                                         layout=w.Layout(width="100%")), t("Add a card for someone"), visible=False)
        self.add = button(t("Add card"), self._add, icon="plus")
        self.adding = private(w.VBox([section(t("Add a card for someone")), self.entry, w.HBox([self.add])]))
        self.children = [
            self.question,
            w.HBox([self.count, w.VBox([self.reveal, self.state])],
                   layout=w.Layout(align_items="center", flex_flow="row wrap")),
            self.feedback, self.tally,
            self.wall_title, self.wall, self.adding,
        ]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        t, c = self.t, self.console
        set_html(self.question, f'<div class="ws-muted">{esc(t("The question"))}</div>'
                                f'<div class="ws-title ws-question">{esc(t(status.question))}</div>')
        wall = cards.facilitator_wall(c.store, c.code, c.key)
        people = workshops.participants(c.store, c.code, c.key)
        set_html(self.count, f'<div class="ws-count-big">{len(wall)}</div><div class="ws-muted">'
                             + esc(t("cards written by the room")) + "</div>")
        revealed = status.cards_revealed
        label = t("Hide the cards again") if revealed else t("Reveal the cards to everyone")
        if self.reveal.description != label:
            self.reveal.description = label
            self.reveal.button_style = "" if revealed else "success"
            self.reveal.icon = "eye-slash" if revealed else "eye"
        set_html(self.state, '<div class="ws-muted">' + esc(
            t("Everyone sees every card now (without names).") if revealed
            else t("Participants see only how many cards there are, not what they say.")) + "</div>")
        self.tally_html(wall, people, status)
        if revealed:
            title = t("All cards, as participants see them (shuffled, no names)")
        else:
            title = t("The cards so far: only you see them until you reveal them")
        set_html(self.wall_title, f"<h3>{esc(title)}</h3>")
        html = wall_html(wall, t, with_authors=not status.anonymous)
        set_html(self.wall, html)
        # Before the reveal the wall is for the facilitator alone, not the shared screen.
        if revealed:
            self.wall.remove_class("ws-private")
            self.wall_title.remove_class("ws-private")
        else:
            self.wall.add_class("ws-private")
            self.wall_title.add_class("ws-private")
        self.adding.layout.display = "flex" if status.phase in (phases.BRAINSTORM, phases.GROUPING) else "none"

    def tally_html(self, wall, people, status) -> None:
        t = self.t
        if status.anonymous:
            set_html(self.tally, f'<p class="ws-muted">{esc(t("Anonymous workshop: cards are not linked to people."))}</p>')
            return
        per = Counter(card.author for card in wall)
        items = "".join(f'<li>{esc(p.name)} <b>{per.get(p.name, 0)}</b></li>' for p in people)
        set_html(self.tally, f'<div class="ws-muted">{esc(t("Cards per person (only you see this):"))}</div>'
                             f'<ul class="ws-people">{items}</ul>' if people else "")

    def _toggle_reveal(self) -> None:
        revealed = not self.status.cards_revealed
        self.act(cards.reveal, revealed,
                 success=self.t("Revealed: everyone sees the cards now.") if revealed else self.t("Hidden again."))

    def _add(self) -> None:
        added = self.act(cards.add_card_as_facilitator, self.entry.value, success=self.t("Card added."))
        if added is not None:
            self.entry.value = ""
