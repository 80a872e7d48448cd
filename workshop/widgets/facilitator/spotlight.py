"""The console's control for the room screen: its link, and one card, value or draft in the spotlight.

``SpotlightControl(console)`` lists what the room screen shows right now (a
card, a value or a draft), spotlights the chosen one or clears the spotlight.
It follows the workshop with the console's own live updates (the console deck
calls ``refresh(status)`` whenever the change marker moves, as it does for its panes),
so the page polls the database once, not once more for the spotlight;
``refresh()`` re-reads the list at once.
``room_href(console)`` is the relative link to the room screen
(``room.ipynb?s=...``), made for the facilitator on first use.
"""

from __future__ import annotations

from urllib.parse import quote

import ipywidgets as w

from workshop.domain import audiences, room
from workshop.widgets.facilitator.base import console_action
from workshop.widgets.kit import Feedback, esc

#: How much of a card's or draft's text a menu entry shows.
SHORT = 60


def room_href(console) -> str:
    """The room screen's link, relative to the facilitator's page: "room.ipynb?s=SECRET"."""
    secret = room.screen_secret(console.store, console.code, console.key)
    return f"{room.NOTEBOOK}?{audiences.PARAM}={quote(secret, safe='')}"


def _short(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def choices(view: room.RoomScreen, t) -> list[tuple[str, tuple[str, int]]]:
    """(label, (kind, id)) of everything ``view`` shows that can be spotlit, in the screen's order."""
    seen: set[tuple[str, int]] = set()
    out: list[tuple[str, tuple[str, int]]] = []

    def add(label: str, kind: str, item: int) -> None:
        if (kind, item) not in seen:
            seen.add((kind, item))
            out.append((label, (kind, item)))

    values = list(view.values) + list(view.chosen)
    for rnd in ((view.open_round,) if view.open_round else ()) + view.closed_rounds[-1:]:
        values += list(rnd.candidates)
    if view.philosophy is not None:
        values += list(view.philosophy.values)
    for v in values:
        add(t("Value: {name}").format(name=v.name), room.VALUE, v.id)
    cards = list(view.cards) + [c for v in view.values for c in v.cards] + list(view.unsorted)
    for c in cards:
        add(t("Card: {text}").format(text=_short(c.text)), room.CARD, c.id)
    for d in view.drafts:
        add(t("Draft {n}: {text}").format(n=d.number, text=_short(d.text)), room.DRAFT, d.id)
    return out


class SpotlightControl(w.VBox):
    """Choose a card, value or draft the room screen shows now; Spotlight; Clear."""

    def __init__(self, console):
        super().__init__()
        self.console = console
        t = self.t = console.t
        self.add_class("ws-spotlight-control")
        self.title = w.HTML(f"<b>{esc(t('Spotlight on the room screen'))}</b>")
        self.choice = w.Dropdown(options=[], description=t("What to spotlight"),
                                 style={"description_width": "initial"},
                                 layout=w.Layout(width="34em", max_width="100%"))  # fits the console's side column
        self.choice.add_class("ws-spotlight-choice")
        self.show_button = w.Button(description=t("Spotlight"), icon="bullseye", layout=w.Layout(width="auto"))
        self.show_button.add_class("ws-spotlight-show")
        self.clear_button = w.Button(description=t("Clear"), icon="times", layout=w.Layout(width="auto"))
        self.clear_button.add_class("ws-spotlight-clear")
        self.show_button.on_click(lambda _: self._show())
        self.clear_button.on_click(lambda _: self._clear())
        self.now = w.HTML()
        self.feedback = Feedback()
        row = w.HBox([self.choice, self.show_button, self.clear_button],
                     layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.children = [self.title, row, self.now, self.feedback]
        self.refresh()

    def refresh(self, status=None) -> None:
        """Re-read what the room screen shows (``status``: called like a panel on every change)."""
        c, t = self.console, self.t
        try:
            view, _ = room.spotlight_choices(c.store, c.code, c.key)
        except Exception:  # noqa: BLE001 - the database may be away for a moment; the next refresh retries
            return
        options = choices(view, t)
        if list(self.choice.options) != options:
            keep = self.choice.value
            self.choice.options = options
            values = [v for _, v in options]
            if keep in values:
                self.choice.value = keep
            elif values:
                self.choice.value = view.spotlight if view.spotlight in values else values[0]
        self.show_button.disabled = not options
        self.clear_button.disabled = view.spotlight is None
        label = next((lbl for lbl, v in options if v == view.spotlight), "")
        html = (f'<span class="ws-muted">{esc(t("In the spotlight now:"))}</span> {esc(label)}' if label
                else f'<span class="ws-muted">{esc(t("Nothing is spotlit."))}</span>')
        if self.now.value != html:
            self.now.value = html

    def _run(self, fn, *args) -> None:
        if console_action(self.console, self.feedback, fn, *args):
            self.refresh()
            self.console.changed()

    def _show(self) -> None:
        if self.choice.value is None:
            return
        kind, item = self.choice.value
        self._run(room.spotlight, kind, item)

    def _clear(self) -> None:
        self._run(room.clear_spotlight)
