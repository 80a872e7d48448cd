"""The facilitator's timer, counting down in the browser (no kernel traffic per second)."""

from __future__ import annotations

import datetime as dt

import anywidget
import traitlets

from workshop.widgets.kit import static_path


class Countdown(anywidget.AnyWidget):
    _esm = static_path("countdown.js")
    _css = static_path("countdown.css")
    ends_at_ms = traitlets.Float(0).tag(sync=True)
    server_now_ms = traitlets.Float(0).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    done_text = traitlets.Unicode("Time is up").tag(sync=True)

    def show(self, ends_at: dt.datetime | None, label: str = "") -> None:
        """Point the countdown at ``ends_at`` (None hides it); the browser does the ticking.

        The same timer again sends nothing: every vote in a room repaints every phone, and the
        server's clock only matters with a new end (countdown.js keeps the offset it measured
        when the clock arrived, for a view drawn later)."""
        ends_ms = ends_at.timestamp() * 1000 if ends_at else 0
        if (ends_ms, label or "") == (self.ends_at_ms, self.label):
            return
        self.label = label or ""
        with self.hold_sync():
            self.server_now_ms = dt.datetime.now(dt.timezone.utc).timestamp() * 1000
            self.ends_at_ms = ends_ms
