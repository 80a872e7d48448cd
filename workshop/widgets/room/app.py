"""The room screen app: what the facilitator shares on the call, following the workshop live.

Built only from ``domain.room.screen`` (a view that holds nothing private) and
read-only: it has no button, field or menu, so nobody can act through it.
Made for a 1280x720 shared video stream: large type, one screen per phase.
"""

from __future__ import annotations

import ipywidgets as w

from workshop.core import phases
from workshop.core.errors import WorkshopError
from workshop.domain import room, throttle
from workshop.i18n import translator
from workshop.store import Store
from workshop.widgets.countdown import Countdown
from workshop.widgets.kit import esc, static_text, style
from workshop.widgets.live import ROOM, Live
from workshop.widgets.page import PageSemantics
from workshop.widgets.room import render

#: How often the screen looks for changes (one cheap indexed read; there is one room screen per
#: workshop, so polling as often as the facilitator's console costs nothing): a drop on the wall
#: shows within half a second.
LIVE_INTERVAL = 0.25

ROOM_STYLE = f"<style>\n{static_text('room.css')}</style>"


def set_html(widget: w.HTML, html: str) -> None:
    """Assign only when different: nothing sent, nothing redrawn, when nothing changed."""
    if widget.value != html:
        widget.value = html


class RoomScreen(w.VBox):
    """``RoomScreen(store, secret)`` opens the room screen of the link secret ``secret``
    (NotAuthorized for a wrong one, counted like a wrong join code); ``start()`` follows it live."""

    def __init__(self, store: Store, secret: str, lang: str | None = None,
                 live_interval: float | None = LIVE_INTERVAL, guesser: throttle.Guesser | None = None):
        super().__init__()
        self.add_class("ws-app")
        self.add_class("ws-room")
        self.store = store
        self.secret = secret
        self.view = room.screen(store, secret, guesser=guesser or throttle.Guesser.here())
        self.code = self.view.code
        self.t = translator(lang or self.view.language)
        if self.view.philosophy is not None and self.t.lang != self.view.language:
            self.view = room.screen(store, secret, t=self.t)  # the philosophy worded in the screen's language
        self.page = PageSemantics(scroller_focusable=True)  # the page's language, title and main landmark
        self.header = w.HTML()
        self.header.add_class("ws-room-header")
        self.countdown = Countdown()
        self.countdown.add_class("ws-room-countdown")
        self.stage = w.HTML()
        self.stage.add_class("ws-room-body")
        self.footer = w.HTML()
        self.footer.add_class("ws-room-footer-box")
        self.status_line = w.HTML()
        top = w.HBox([self.header, self.countdown], layout=w.Layout(
            justify_content="space-between", align_items="center", width="100%"))
        top.add_class("ws-room-top")
        self.children = [style(), w.HTML(ROOM_STYLE), self.page, top, self.stage, self.footer, self.status_line]
        self.live: Live | None = None
        if live_interval:
            # What the room sees: a vote or a score while open changes nothing here.
            self.live = Live(store, self.code, interval=live_interval, follows=ROOM)
            self.live.on_change(self.refresh)
            self.live.on_connection(self._connection)
        self._paint()

    # ---- live ------------------------------------------------------------------------------------
    def start(self) -> RoomScreen:
        if self.live is not None:
            # The marker as read with the view painted ((room, 0, counts): no participant of its own).
            self.live.revision = (self.view.room_revision, 0, self.view.tally_revision)
            self.live.start()
        return self

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()

    def refresh(self) -> None:
        """Read the view again and update the screen in place (nothing redrawn that did not change)."""
        try:
            view = room.screen(self.store, self.secret, t=self.t)
        except WorkshopError as err:  # the link stopped opening (a new screen link): say so, stop
            self.stop()
            set_html(self.stage, f'<div class="ws-room-problem" role="alert">{esc(err.localized(self.t))}</div>')
            return
        self.view = view
        self._paint()

    def _connection(self, ok: bool) -> None:
        set_html(self.status_line, "" if ok else
                 f'<p class="ws-room-offline" role="status">{esc(self.t("Reconnecting…"))}</p>')
        if ok:
            self.refresh()

    # ---- drawing ---------------------------------------------------------------------------------
    def _paint(self) -> None:
        view, t = self.view, self.t
        self.page.set_language(t.lang)
        self.page.set_title(t(phases.TITLES[view.phase]), view.title)
        set_html(self.header, render.header_html(view, t))
        set_html(self.stage, render.stage_html(view, t))
        set_html(self.footer, render.footer_html(view, t))
        self.countdown.done_text = t("Time is up")
        label, ends = view.timer_label, view.timer_ends_at
        if (self.countdown.label, self.countdown.ends_at_ms) != (label, ends.timestamp() * 1000 if ends else 0):
            self.countdown.show(ends, label)
