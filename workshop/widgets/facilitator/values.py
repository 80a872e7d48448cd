"""Values (04): group the cards into core values on the affinity wall, and undo.

The wall (wall.py) is the main view: drag cards onto cards, into groups, out again, groups
onto groups; name them inline. The "Table view" below it shows the same data as a list with
a tick box and a menu per card (for screen-reader users, or anyone who prefers forms).
Widgets for cards and values are kept by id and reused on every refresh, so a selection or
a half-typed name survives other people's changes and nothing flickers.
"""

from __future__ import annotations

import ipywidgets as w

from workshop.core.errors import N_
from workshop.domain import grouping
from workshop.widgets.facilitator.base import Panel, button, hint, section, set_children, set_html, set_options
from workshop.widgets.facilitator.suggestions import SuggestionsBox
from workshop.widgets.facilitator.wall import Wall, group_label
from workshop.widgets.kit import esc, labelled

#: The "Not grouped" choice in a card's dropdown (value ids start at 1).
UNGROUPED = 0


class CardRow(w.HBox):
    """One card: a tick box (for a new value), its text, and where it belongs."""

    def __init__(self, panel: "ValuesPanel", card_id: int):
        super().__init__(layout=w.Layout(width="100%", flex_flow="row wrap"))
        self.add_class("ws-card-row")
        self.panel, self.card_id = panel, card_id
        self.pick = w.Checkbox(value=False, indent=False, layout=w.Layout(width="28px"))
        self.pick.add_class("ws-pick")
        self.text = w.HTML()
        self.text.add_class("ws-grow")
        self.place = w.Dropdown(layout=w.Layout(width="10em"))
        self.place.add_class("ws-place")
        self._quiet = False
        self.place.observe(self._moved, "value")
        self.children = [self.pick, self.text, self.place]

    def update(self, text: str, options, value_id: int | None, structure: bool) -> None:
        set_html(self.text, f'<div class="ws-card">{esc(text)}</div>')
        target = value_id or UNGROUPED
        self._quiet = True
        try:
            if tuple(self.place.options) != tuple(options):
                self.place.options = options
            if self.place.value != target:
                self.place.value = target
        finally:
            self._quiet = False
        self.place.disabled = self.pick.disabled = not structure
        if not structure:
            self.pick.value = False

    def _moved(self, change) -> None:
        if self._quiet or change["new"] is None:
            return
        self.panel.move(self, change["new"] or None)


class ValueBox(w.VBox):
    """One value: its name and description, its cards, and what can be done with it."""

    def __init__(self, panel: "ValuesPanel", value_id: int):
        super().__init__()
        self.add_class("ws-value-box")
        self.panel, self.value_id = panel, value_id
        t = panel.t
        self.name, self.description = "", ""
        self.head = w.HTML()
        self.edit = button(t("Rename / describe"), self._start_edit, icon="pencil")
        self.merge_choice = w.Dropdown(layout=w.Layout(width="12em"))
        self.merge = button(t("Merge into"), self._merge, icon="compress")
        self.remove = button(t("Delete"), self._remove, icon="trash")
        self.tools = w.HBox([self.edit, self.merge, self.merge_choice, self.remove],
                            layout=w.Layout(flex_flow="row wrap"))
        self.name_input = labelled(w.Text(layout=w.Layout(width="100%")), t("Name of the value"))
        self.description_input = labelled(w.Textarea(rows=2, layout=w.Layout(width="100%")),
                                          t("What it means, in one sentence"))
        self.save = button(t("Save"), self._save, style="primary")
        self.cancel = button(t("Cancel"), self._stop_edit)
        self.editor = w.VBox([self.name_input, self.description_input, w.HBox([self.save, self.cancel])])
        self.editor.layout.display = "none"
        self.cards = w.VBox()
        self.children = [self.head, self.tools, self.editor, self.cards]

    def update(self, value, rows, merge_options, structure: bool) -> None:
        t = self.panel.t
        self.name, self.description = value.name, value.description
        n = len(rows)
        desc = f'<div class="ws-muted">{esc(value.description)}</div>' if value.description else ""
        set_html(self.head, f'<b class="ws-value-name">{esc(group_label(t, value))}</b> '
                            f'<span class="ws-muted">· {esc(t.ngettext("{n} card", "{n} cards", n).format(n=n))}</span>{desc}')
        set_options(self.merge_choice, merge_options)
        self.merge.disabled = self.merge_choice.disabled = not structure or not merge_options
        self.remove.disabled = not structure
        set_children(self.cards, rows)

    def _start_edit(self) -> None:
        self.name_input.value, self.description_input.value = self.name, self.description
        self.editor.layout.display = "flex"

    def _stop_edit(self) -> None:
        self.editor.layout.display = "none"

    def _save(self) -> None:
        p = self.panel
        name, description = self.name_input.value, self.description_input.value
        if name.strip() != self.name:
            p.act(grouping.rename_value, self.value_id, name, success=p.t("Renamed."))
            if not p.succeeded:
                return
        if description.strip() != self.description:
            p.act(grouping.describe_value, self.value_id, description, success=p.t("Saved."))
            if not p.succeeded:
                return
        self._stop_edit()

    def _merge(self) -> None:
        p, target = self.panel, self.merge_choice.value
        if target is None:
            return
        target_name = dict((v, k) for k, v in self.merge_choice.options).get(target, "")
        p.act(grouping.merge_values, self.value_id, target,
              success=p.t("Merged “{source}” into “{target}”.").format(source=self.name, target=target_name))

    def _remove(self) -> None:
        p = self.panel
        p.act(grouping.remove_value, self.value_id,
              success=p.t("Deleted “{name}”; its cards are back under “Not grouped”. Undo brings it back.").format(
                  name=self.name))


class ValuesPanel(Panel):
    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.new_name = labelled(w.Text(placeholder=t("New value, e.g. Honesty"), layout=w.Layout(width="16em")),
                                 t("Name of the value"), visible=False)
        self.new_name.add_class("ws-new-value")
        self.new_description = labelled(w.Text(placeholder=t("What it means (optional)"),
                                               layout=w.Layout(flex="1 1 16em")),
                                        t("What it means, in one sentence"), visible=False)
        self.create = button(t("Create value"), self._create, style="primary", icon="plus")
        self.create.add_class("ws-create-value")
        self.undo = button(t("Undo"), self._undo, icon="undo")
        self.undo.add_class("ws-undo-grouping")
        self.wall = Wall(self)
        self.table_toggle = w.ToggleButton(value=False, description=t("Table view"), icon="list",
                                           tooltip=t("The same cards and values as a list with menus"),
                                           layout=w.Layout(width="auto"))
        self.table_toggle.add_class("ws-table-view")
        self.table_toggle.observe(lambda _: self.refresh(self.status), "value")
        self.toolbar = w.HBox([self.undo, self.table_toggle], layout=w.Layout(flex_flow="row wrap"))
        self.phase_note = w.HTML()
        self.summary = w.HTML()
        self.unassigned_head = w.HTML()
        self.unassigned = w.VBox()
        unassigned_box = w.VBox([self.unassigned_head, self.unassigned])
        unassigned_box.add_class("ws-unassigned-box")
        self.values_box = w.VBox()
        self.creator = w.VBox([
            hint(t("Tick cards that belong together, name the value, and create it; or move any card with its menu.")),
            w.HBox([self.new_name, self.new_description, self.create],
                   layout=w.Layout(flex_flow="row wrap", align_items="center")),
        ])
        self.rows: dict[int, CardRow] = {}
        self.boxes: dict[int, ValueBox] = {}
        # Cards still to place on top, the values below in as many columns as fit.
        self.unassigned.add_class("ws-card-grid")
        self.values_box.add_class("ws-value-grid")
        # Suggested groups for the cards still to place: nothing moves until the facilitator accepts.
        self.suggestions = SuggestionsBox(console)
        self.suggesting = w.VBox([section(t("Suggested groups")), self.suggestions])
        self.table = w.VBox([self.creator, unassigned_box, section(t("Core values")), self.values_box])
        self.table.add_class("ws-values-table")
        self.children = [self.phase_note, self.summary, self.toolbar, self.feedback, self.wall.view,
                         self.suggesting, self.table]
        self.refresh(status)

    # ---- showing the board ------------------------------------------------------------
    def refresh(self, status, force_wall: bool = False) -> None:
        super().refresh(status)
        c = self.console
        structure = status.phase in grouping.STRUCTURE_PHASES
        board = grouping.board(c.store, c.code, c.key)
        self.wall.show(board, movable=structure, editable=status.phase in grouping.WORDING_PHASES,
                       force=force_wall)
        tabled = self.table_toggle.value
        self.table.layout.display = "flex" if tabled else "none"
        self._summary(board, status, structure)
        self.suggesting.layout.display = "flex" if structure and board.unassigned else "none"
        if tabled:
            self._table(board, structure)

    def _table(self, board, structure: bool) -> None:
        t = self.t
        options = [(t("Not grouped"), UNGROUPED)] + [(group_label(t, v), v.id) for v, _ in board.values]
        seen_cards, seen_values = set(), set()

        def row(card, value_id):
            seen_cards.add(card.id)
            r = self.rows.get(card.id) or self.rows.setdefault(card.id, CardRow(self, card.id))
            r.update(card.text, options, value_id, structure)
            return r

        boxes = []
        for value, value_cards in board.values:
            seen_values.add(value.id)
            box = self.boxes.get(value.id) or self.boxes.setdefault(value.id, ValueBox(self, value.id))
            merge_options = [(group_label(t, v), v.id) for v, _ in board.values if v.id != value.id]
            box.update(value, [row(card, value.id) for card in value_cards], merge_options, structure)
            boxes.append(box)
        loose = [row(card, None) for card in board.unassigned]
        for gone in set(self.rows) - seen_cards:
            self.rows.pop(gone).close()
        for gone in set(self.boxes) - seen_values:
            self.boxes.pop(gone).close()
        set_children(self.values_box, boxes if boxes else self._empty_values())
        set_children(self.unassigned, loose)
        set_html(self.unassigned_head, f"<h3>{esc(t('Not grouped yet'))} "
                                       f"<span class='ws-muted'>({len(loose)})</span></h3>"
                                       + ("" if loose else f'<p class="ws-muted">{esc(t("Every card is in a value."))}</p>'))
        self.creator.layout.display = "flex" if structure else "none"

    def _summary(self, board, status, structure: bool) -> None:
        t = self.t
        total = sum(len(cs) for _, cs in board.values) + len(board.unassigned)
        n = len(board.values)
        unnamed = sum(1 for v, _ in board.values if not v.name)
        set_html(self.summary, '<p class="ws-muted">' + esc(
            t.ngettext("{n} value", "{n} values", n).format(n=n) + " · "
            + t.ngettext("{grouped} of {total} card grouped", "{grouped} of {total} cards grouped", total).format(
                grouped=total - len(board.unassigned), total=total)
            + ("" if not unnamed else " · " + t.ngettext(
                "{n} group still needs a name before the vote", "{n} groups still need a name before the vote",
                unnamed).format(n=unnamed))) + "</p>")
        note = "" if structure else (
            '<div class="ws-banner">' + esc(t("The vote has started: cards can no longer be regrouped. "
                                              "Names and descriptions can still be polished.")) + "</div>")
        if not status.cards_revealed and structure:
            note += '<div class="ws-banner">' + esc(t("The cards are not revealed yet: participants cannot see this "
                                                      "board. Reveal them on the brainstorm page.")) + "</div>"
        set_html(self.phase_note, note)

    def _empty_values(self):
        if not hasattr(self, "_empty"):
            self._empty = hint(self.t("No values yet: tick some cards, name a value above and create it."))
        return [self._empty]

    # ---- actions ----------------------------------------------------------------------
    def selected(self) -> list[int]:
        return [cid for cid, r in self.rows.items() if r.pick.value]

    def move(self, row: CardRow, value_id: int | None) -> None:
        self.act(grouping.assign_card, row.card_id, value_id)
        if not self.succeeded:
            self.refresh(self.status)  # put the menu back where the card really is

    def _create(self) -> None:
        picked = self.selected()
        name = self.new_name.value
        self.act(grouping.create_value, name, self.new_description.value, card_ids=picked,
                 success=self.t.ngettext("Created “{name}” with {n} card.", "Created “{name}” with {n} cards.",
                                         len(picked)).format(name=name.strip(), n=len(picked)))
        if self.succeeded:
            self.new_name.value = self.new_description.value = ""
            for cid in picked:
                if cid in self.rows:
                    self.rows[cid].pick.value = False

    def _undo(self) -> None:
        kind = self.act(grouping.undo)
        if kind:
            self.feedback.ok(self.t("Undone: {what}.").format(what=self.t(UNDONE.get(kind, kind))))


#: What ``grouping.undo`` reversed, in words for the facilitator.
UNDONE = {
    "value_created": N_("creating a value"),
    "value_renamed": N_("renaming a value"),
    "value_described": N_("describing a value"),
    "card_assigned": N_("moving a card"),
    "value_merged": N_("merging two values"),
    "value_removed": N_("deleting a value"),
    "grouping_batch": N_("creating a value with its cards"),
}
