"""The affinity wall: the values stage's board of cards and groups, dragged as on a real wall.

The browser side (static/wall.js, wall.css) draws ``state`` and sends intents; this side
turns each intent into one domain action (the key, the stage and the rules are checked
there, in one transaction, undoable by ``grouping.undo``) and pushes what the database then
says. A refusal comes back as ``notice``. Nothing here decides what may move where.
"""

from __future__ import annotations

import logging

import anywidget
import traitlets

from workshop.core.errors import N_, WorkshopError
from workshop.domain import grouping
from workshop.widgets.kit import static_path

log = logging.getLogger(__name__)

#: The wall's words, translated once per console (JavaScript fills ``{name}`` and ``{n}``).
LABELS = {
    "Not grouped": N_("Not grouped"),
    "New group": N_("New group"),
    "Drop here for a new group": N_("Drop a card here for a new group"),
    "Every card is in a group.": N_("Every card is in a group."),
    "Move to…": N_("Move to…"),
    "Merge into…": N_("Merge into…"),
    "Merge {name} into…": N_("Merge {name} into…"),
    "Click to rename": N_("Click to rename"),
    "Rename {name}": N_("Rename {name}"),
    "Add a description": N_("Add a description"),
    "Name of the value": N_("Name of the value"),
    "What it means, in one sentence": N_("What it means, in one sentence"),
    "Name for {name}": N_("Name for {name}"),
    "Description of {name}": N_("Description of {name}"),
    "Drag onto another group to merge": N_("Drag onto another group to merge"),
    "draggable card": N_("draggable card"),
    "help": N_("Space picks a card up, the arrow keys choose a group, Space drops it, Escape cancels. "
               "The ⋯ button moves it with a menu."),
    "Picked up {name}": N_("Picked up {name}"),
    "Picked up card {name}. Arrow keys choose a group, Space drops, Escape cancels.":
        N_("Picked up card {name}. Arrow keys choose a group, Space drops, Escape cancels."),
    "Moved to {name}": N_("Moved to {name}"),
    "Merged into {name}": N_("Merged into {name}"),
    "Started a group with {name}": N_("Started a group with {name}"),
    "Dropped where it was.": N_("Dropped where it was."),
    "Cancelled.": N_("Cancelled."),
    "Saved.": N_("Saved."),
    "{name}, {n} cards": N_("{name}, {n} cards"),
    "No other group to merge into.": N_("No other group to merge into."),
    "Cards: {n}": N_("Cards: {n}"),
}


def group_label(t, value) -> str:
    """A group's name, or "Group N" (N its position) while it has none."""
    return value.name or t("Group {n}").format(n=value.position)


def wall_state(t, board: grouping.Board, movable: bool, editable: bool) -> dict:
    return {
        "groups": [{"id": v.id, "name": v.name, "label": group_label(t, v), "description": v.description,
                    "cards": [{"id": c.id, "text": c.text} for c in cs]} for v, cs in board.values],
        "loose": [{"id": c.id, "text": c.text} for c in board.unassigned],
        "movable": movable,
        "editable": editable,
    }


class WallView(anywidget.AnyWidget):
    _esm = static_path("wall.js")
    _css = static_path("wall.css")
    state = traitlets.Dict({}).tag(sync=True)
    labels = traitlets.Dict({}).tag(sync=True)
    #: {"text", "error", "n"}: the last refusal (or confirmation); ``n`` counts them.
    notice = traitlets.Dict({}).tag(sync=True)


class Wall:
    """The wall of one console: ``show(board, ...)`` after each refresh, intents to the domain.

    ``panel.wall_act(fn, *args, request_id=...)`` runs an action (see ValuesPanel)."""

    def __init__(self, panel):
        self.panel, self.t = panel, panel.t
        self.view = WallView(labels={k: self.t(v) for k, v in LABELS.items()})
        self.view.add_class("ws-wall-widget")
        self.view.layout.width = "100%"
        self.view.on_msg(self._intent)
        self._shown: dict = {}
        self._rev = 0
        self._notices = 0

    def show(self, board: grouping.Board, movable: bool, editable: bool, force: bool = False) -> None:
        state = wall_state(self.t, board, movable, editable)
        if state == self._shown and not force:
            return
        self._shown = state
        self._rev += 1
        self.view.state = {**state, "rev": self._rev}

    def tell(self, text: str, error: bool = False) -> None:
        self._notices += 1
        self.view.notice = {"text": text, "error": error, "n": self._notices}

    # ---- intents ----------------------------------------------------------------------
    def _intent(self, _widget, msg, _buffers) -> None:
        if not isinstance(msg, dict):
            return
        op, rid = msg.get("op"), msg.get("request_id")
        try:
            if op == "move":
                args = (grouping.assign_card, int(msg["card"]), None if msg.get("to") is None else int(msg["to"]))
            elif op == "group":
                args = (grouping.start_group, [int(c) for c in msg["cards"]])
            elif op == "merge":
                args = (grouping.merge_values, int(msg["source"]), int(msg["target"]))
            elif op == "rename":
                args = (grouping.rename_value, int(msg["value"]), str(msg["name"]))
            elif op == "describe":
                args = (grouping.describe_value, int(msg["value"]), str(msg["description"]))
            else:
                return
        except (KeyError, TypeError, ValueError):
            log.warning("malformed wall intent %r", msg)
            return
        self.run(*args, request_id=rid if isinstance(rid, str) else None)

    def run(self, fn, *args, request_id: str | None = None):
        p, t = self.panel, self.t
        c = p.console
        try:
            result = fn(c.store, c.code, c.key, *args, request_id=request_id)
        except WorkshopError as err:
            self.tell(t.error(err), error=True)
            p.refresh(p.status, force_wall=True)  # draw again what the database says
            return None
        except Exception:  # noqa: BLE001 - the facilitator sees a plain message
            log.exception("wall action %s failed", getattr(fn, "__name__", fn))
            self.tell(t("Something went wrong; your change was not saved. Please try again."), error=True)
            p.refresh(p.status, force_wall=True)
            return None
        p.feedback.clear()
        p.refresh(p.status, force_wall=True)
        c.changed()
        return result
