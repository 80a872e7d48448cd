"""Pieces every app shares: escaping, the message line, the page style."""

from __future__ import annotations

import html
import logging

import ipywidgets as w

from workshop.core.errors import WorkshopError

log = logging.getLogger(__name__)


def esc(text) -> str:
    """Participant text is always escaped before it reaches an HTML widget."""
    return html.escape("" if text is None else str(text), quote=True)


class Feedback(w.HTML):
    """One line under a form: what went wrong, or that it worked."""

    def __init__(self, **kwargs):
        super().__init__(value="", **kwargs)
        self.add_class("ws-feedback")

    def ok(self, message: str) -> None:
        self.value = f'<span class="ws-ok" role="status">{esc(message)}</span>'

    def error(self, message: str) -> None:
        self.value = f'<span class="ws-error" role="alert">{esc(message)}</span>'

    def clear(self) -> None:
        self.value = ""


def run_action(feedback: Feedback, tr, fn, *args, success: str | None = None, **kwargs):
    """Call a domain action; show its refusal in the visitor's language.

    Returns the action's result, or None when it was refused. Unexpected
    errors are logged, never shown as a traceback."""
    try:
        result = fn(*args, **kwargs)
    except WorkshopError as err:
        feedback.error(tr.error(err))
        return None
    except Exception:  # noqa: BLE001 - the visitor sees a plain message
        log.exception("action %s failed", getattr(fn, "__name__", fn))
        feedback.error(tr("Something went wrong; your change was not saved. Please try again."))
        return None
    if success:
        feedback.ok(success)
    else:
        feedback.clear()
    return result


STYLE = """
<style>
.ws-app { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK TC",
          "PingFang TC", "Microsoft JhengHei", sans-serif; max-width: 980px; margin: 0 auto; color: #1f2933; }
.ws-app .ws-title { font-size: 1.5em; font-weight: 650; margin: 0.2em 0; }
.ws-app .ws-muted { color: #52606d; }
.ws-error { color: #b42318; font-weight: 600; }
.ws-ok { color: #067647; }
.ws-card { background: #fff8c5; border: 1px solid #e6d36b; border-radius: 6px; padding: 8px 10px;
           margin: 4px; overflow-wrap: anywhere; white-space: pre-wrap; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.ws-value { background: #eef4ff; border: 1px solid #b2ccff; border-radius: 8px; padding: 8px; margin: 4px; }
.ws-banner { background: #fef0c7; border: 1px solid #fdb022; border-radius: 6px; padding: 6px 10px; }
.ws-big { font-size: 2.2em; line-height: 1.25; }
.ws-app .ws-row { flex-wrap: wrap; gap: 4px; }
.ws-app .ws-row > .ws-grow { flex: 1 1 240px; min-width: 0; }
.ws-app .ws-row > .widget-button { flex: 0 0 auto; }
/* A chosen score must be obvious at a glance, on a phone too. */
.ws-app .widget-toggle-button.mod-active { background: #1849a9; color: #fff; box-shadow: none; }
.ws-draft-rating { margin-bottom: 14px; }
.ws-hints { font-size: .9em; line-height: 1.35; }
.ws-hint { margin: 1px 0; }
.ws-hint-warning { color: #93370d; }
.ws-hint-ok { color: #067647; }
@media (max-width: 600px) {
  .ws-app { font-size: 16px; }
  .ws-app .widget-button, .ws-app .widget-toggle-button { min-height: 40px; }
}
</style>
"""


def style() -> w.HTML:
    return w.HTML(STYLE)


def problem_page(title: str, message: str) -> w.VBox:
    """The page a visitor sees instead of an app: why it cannot open, never a traceback."""
    return w.VBox([style(), w.HTML(f'<div class="ws-app" role="alert"><div class="ws-title">{esc(title)}</div>'
                                   f'<p>{esc(message)}</p></div>')])





def show(widget: w.Widget, visible: bool) -> None:
    """Hide or show a widget, sending nothing to the browser when that does not change."""
    display = None if visible else "none"
    if widget.layout.display != display:
        widget.layout.display = display


def gapped(box: w.Box) -> w.Box:
    """Space a row's items apart (ipywidgets' Layout has no ``gap``)."""
    box.add_class("ws-gap")
    return box



#: Shared by the second-half panels: the style holder and empty lines take no room.
BASE_CSS = """
.ws-panel .ws-css { display: none; }
.ws-panel .widget-html:has(> .widget-html-content:empty) { display: none; }
.ws-panel .ws-gap { gap: 6px 12px; }
.ws-panel .ws-note p, .ws-panel p.ws-note { margin: 2px 0 6px; }
"""


def stylesheet(css: str) -> w.HTML:
    """A panel's <style>, in a widget that takes no room on the page."""
    holder = w.HTML(f"<style>{BASE_CSS}{css}</style>")
    holder.add_class("ws-css")
    return holder
