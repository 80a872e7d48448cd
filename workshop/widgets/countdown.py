"""The facilitator's timer, counting down in the browser (no kernel traffic per second)."""

from __future__ import annotations

import datetime as dt

import anywidget
import traitlets

_ESM = r"""
function fmt(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60), r = s % 60;
  return m + ":" + String(r).padStart(2, "0");
}
function render({ model, el }) {
  let timer = null;
  let skew = 0;  // the server's clock rules: a phone set five minutes fast still shows the right time
  function draw() {
    const ends = model.get("ends_at_ms");
    if (!ends) { el.textContent = ""; el.classList.remove("ws-countdown"); return; }
    el.classList.add("ws-countdown");
    const left = ends - (Date.now() + skew);
    el.textContent = (model.get("label") ? model.get("label") + " · " : "") +
      (left > 0 ? fmt(left) : model.get("done_text"));
    el.classList.toggle("ws-countdown-done", left <= 0);
  }
  function start() {
    const now = model.get("server_now_ms");
    skew = now ? now - Date.now() : 0;
    if (timer) clearInterval(timer);
    draw();
    timer = setInterval(draw, 500);
  }
  model.on("change:ends_at_ms", start);
  model.on("change:label", draw);
  start();
  return () => clearInterval(timer);
}
export default { render };
"""

_CSS = """
.ws-countdown { display: inline-block; font-variant-numeric: tabular-nums; font-weight: 650;
  background: #101828; color: #fff; border-radius: 999px; padding: 2px 12px; font-size: 1.05em; }
.ws-countdown-done { background: #b42318; }
"""


class Countdown(anywidget.AnyWidget):
    _esm = _ESM
    _css = _CSS
    ends_at_ms = traitlets.Float(0).tag(sync=True)
    server_now_ms = traitlets.Float(0).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    done_text = traitlets.Unicode("Time is up").tag(sync=True)

    def show(self, ends_at: dt.datetime | None, label: str = "") -> None:
        """Point the countdown at ``ends_at`` (None hides it); the browser does the ticking."""
        self.label = label or ""
        with self.hold_sync():
            self.server_now_ms = dt.datetime.now(dt.timezone.utc).timestamp() * 1000
            self.ends_at_ms = ends_at.timestamp() * 1000 if ends_at else 0
