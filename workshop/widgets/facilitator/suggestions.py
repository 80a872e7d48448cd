"""Suggested groups for the values stage: the facilitator accepts, edits or rejects them.

A component the grouping panel embeds. Nothing moves until the facilitator
clicks: each accept is one ``grouping.apply_groups`` call (one undoable step).
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as w

from workshop.assist import lexicon, suggest
from workshop.domain import grouping
from workshop.widgets.facilitator.base import Console, button, hint, set_children, set_html
from workshop.widgets.kit import Feedback, esc, run_action


def _nothing() -> None:
    return None


class CardProposal(w.HBox):
    """One proposed card: its text, why it was suggested, where to, accept or reject."""

    def __init__(self, box: "SuggestionsBox", card: suggest.ProposedCard, group: suggest.ProposedGroup):
        super().__init__(layout=w.Layout(width="100%", flex_flow="row wrap", align_items="center"))
        self.add_class("ws-proposed-card")
        t = box.t
        self.box, self.card_id = box, card.card_id
        self.text = w.HTML(f'<div class="ws-card">{esc(card.text)}</div>'
                           f'<div class="ws-muted ws-reason">{esc(card.suggestion.reason(t))}</div>')
        self.text.add_class("ws-grow")
        # The card's own suggestions first, then every other value of the lexicon.
        choices = [(s.name, s.value_id) for s in suggest.suggest(card.text, box.lang)]
        if group.value_id not in [v for _, v in choices]:
            choices.insert(0, (group.name, group.value_id))
        offered = {v for _, v in choices}
        choices += sorted(((v.name_in(box.lang), v.id) for v in lexicon.values() if v.id not in offered),
                          key=lambda c: c[0].casefold())
        self.target = w.Dropdown(options=choices, value=group.value_id, layout=w.Layout(width="12em"),
                                 description_allow_html=False)
        self.target.add_class("ws-proposed-target")
        self.target.observe(self._retarget, "value")
        self.accept = button(t("Accept"), lambda: box.accept_card(self.card_id), style="success", icon="check")
        self.accept.add_class("ws-accept-card")
        self.reject = button(t("Reject"), lambda: box.reject_card(self.card_id), icon="times")
        self.reject.add_class("ws-reject-card")
        self.children = [self.text, self.target, self.accept, self.reject]

    def _retarget(self, change) -> None:
        if change["new"] is not None and change["new"] != change["old"]:
            self.box.move_card(self.card_id, change["new"])


class GroupProposal(w.VBox):
    """One proposed value: an editable name, its cards, and "accept this group"."""

    def __init__(self, box: "SuggestionsBox", group: suggest.ProposedGroup):
        super().__init__()
        self.add_class("ws-proposed-group")
        t = box.t
        self.value_id = group.value_id
        self.name = w.Text(value=group.name, layout=w.Layout(width="14em"))
        self.name.add_class("ws-proposed-name")
        self.name.observe(lambda ch: box.rename(group.value_id, ch["new"]), "value")
        note = t("adds to the existing value") if group.existing else t("new value")
        self.accept = button(t("Accept group"), lambda: box.accept_group(group.value_id), icon="check")
        self.accept.add_class("ws-accept-group")
        head = w.HBox([self.name, w.HTML(f'<span class="ws-muted">{esc(note)}</span>'), self.accept],
                      layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.children = [head] + [CardProposal(box, c, group) for c in group.cards]


class SuggestionsBox(w.VBox):
    """Proposed affinity groups for the cards not grouped yet.

    ``changed`` is called after the board changed, so the embedding panel can refresh."""

    def __init__(self, console: Console, changed: Callable[[], None] | None = None):
        super().__init__()
        self.add_class("ws-suggestions")
        self.console, self.t = console, console.t
        self.lang = console.t.lang
        self.changed = changed or _nothing
        self.proposal = suggest.Proposal(())
        self.feedback = Feedback()
        t = self.t
        self.suggest_button = button(t("Suggest groups"), self.propose, style="info", icon="lightbulb-o")
        self.suggest_button.add_class("ws-suggest")
        self.accept_all_button = button(t("Accept all"), self.accept_all, style="success", icon="check-square-o")
        self.accept_all_button.add_class("ws-accept-all")
        self.dismiss_button = button(t("Dismiss"), self.dismiss, icon="times")
        self.summary = w.HTML()
        self.groups = w.VBox()
        self.children = [
            hint(t("Suggestions only: nothing moves until you accept a card, a group, or all of them.")),
            w.HBox([self.suggest_button, self.accept_all_button, self.dismiss_button],
                   layout=w.Layout(flex_flow="row wrap")),
            self.feedback, self.summary, self.groups,
        ]
        self._show()

    # ---- proposing --------------------------------------------------------------------
    def propose(self) -> None:
        """Suggest groups for the cards that are not in a value yet."""
        c = self.console
        board = run_action(self.feedback, self.t, grouping.board, c.store, c.code, c.key)
        if board is None:
            return
        existing = [v.name for v, _ in board.values]
        self.proposal = suggest.propose_groups(board.unassigned, self.lang, existing)
        self._show()

    def dismiss(self) -> None:
        self.proposal = suggest.Proposal(())
        self.feedback.clear()
        self._show()

    # ---- the facilitator's edits ------------------------------------------------------
    def rename(self, value_id: str, name: str) -> None:
        # Kept without redrawing, so typing is not interrupted.
        self.proposal = suggest.renamed(self.proposal, value_id, name)

    def move_card(self, card_id: int, value_id: str) -> None:
        self.proposal = suggest.moved(self.proposal, card_id, value_id, self.lang)
        self._show()

    def reject_card(self, card_id: int) -> None:
        self.proposal = suggest.without_card(self.proposal, card_id)
        self._show()

    # ---- accepting: the only place anything is stored ---------------------------------
    def _apply(self, groups: list[tuple[str, list[int]]], success: str) -> bool:
        if not groups:
            return False
        c = self.console
        done = run_action(self.feedback, self.t, grouping.apply_groups, c.store, c.code, c.key, groups,
                          success=success)
        if done is None:
            return False
        for _, ids in groups:
            for cid in ids:
                self.proposal = suggest.without_card(self.proposal, cid)
        self._show()
        self.changed()
        c.changed()
        return True

    def accept_card(self, card_id: int) -> None:
        group = next((g for g in self.proposal.groups if card_id in g.card_ids), None)
        if group is not None:
            self._apply([(group.name, [card_id])], self.t("Card added to “{name}”.").format(name=group.name))

    def accept_group(self, value_id: str) -> None:
        group = next((g for g in self.proposal.groups if g.value_id == value_id), None)
        if group is not None:
            self._apply([(group.name, group.card_ids)], self.t("Accepted “{name}”.").format(name=group.name))

    def accept_all(self) -> None:
        n = self.proposal.card_count
        self._apply(self.proposal.as_groups(), self.t.ngettext(
            "Accepted every suggestion ({n} card). Undo takes it back.",
            "Accepted every suggestion ({n} cards). Undo takes it back.", n).format(n=n))

    # ---- showing ----------------------------------------------------------------------
    def _show(self) -> None:
        t, p = self.t, self.proposal
        set_children(self.groups, [GroupProposal(self, g) for g in p.groups])
        self.accept_all_button.disabled = self.dismiss_button.disabled = not p.groups
        if not p.groups and not p.unplaced:
            set_html(self.summary, "")
            return
        text = t("{groups} suggested values for {cards} cards.").format(groups=len(p.groups), cards=p.card_count)
        if p.unplaced:
            n = len(p.unplaced)
            text += " " + t.ngettext("{n} card fits no value well enough; group it yourself.",
                                     "{n} cards fit no value well enough; group them yourself.", n).format(n=n)
        set_html(self.summary, f'<p class="ws-muted">{esc(text)}</p>')
