"""Pieces every app shares: escaping, the message line, the page style."""

from __future__ import annotations

import functools
import html
import importlib.resources
import logging
import pathlib

import ipywidgets as w

from workshop.core.errors import WorkshopError

log = logging.getLogger(__name__)


def static_path(name: str) -> pathlib.Path:
    """A file of the apps' CSS and JavaScript, in workshop/widgets/static/.

    anywidget classes name theirs as a Path (``_esm = static_path("x.js")``): anywidget
    reads the file once, and watches it for changes only when ANYWIDGET_HMR=1."""
    return pathlib.Path(__file__).parent / "static" / name


@functools.cache
def static_text(name: str) -> str:
    """The text of a file in workshop/widgets/static/, read once per process."""
    return (importlib.resources.files("workshop.widgets") / "static" / name).read_text(encoding="utf-8")


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

    def working(self, message: str) -> None:
        """Said before an action the person may wait for: they see it is under way."""
        self.value = f'<span class="ws-working" role="status">{esc(message)}</span>'

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


STYLE = f"\n<style>\n{static_text('app.css')}</style>\n"


def style() -> w.HTML:
    return w.HTML(STYLE)


def problem_page(title: str, message: str) -> w.VBox:
    """The page a visitor sees instead of an app: why it cannot open, never a traceback."""
    return w.VBox([style(), w.HTML(f'<div class="ws-app" role="alert"><div class="ws-title">{esc(title)}</div>'
                                   f'<p>{esc(message)}</p></div>')])





def labelled(widget: w.Widget, label: str, visible: bool = True) -> w.Widget:
    """Name a text box (or menu) in the reader's language by a real ``<label for>``.

    A placeholder is no name: it disappears once someone types, and screen readers treat it
    as a hint. ipywidgets draws ``description`` as a label tied to the field; here it sits above
    the field (``visible``) or, where the heading or question above already says what the
    field is for, is kept for screen readers only. Returns the widget, for use inline."""
    widget.description = label
    widget.style.description_width = "initial"
    widget.add_class("ws-labelled" if visible else "ws-label-hidden")
    return widget


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
BASE_CSS = static_text("panel.css")


def stylesheet(css: str) -> w.HTML:
    """A panel's <style>, in a widget that takes no room on the page."""
    holder = w.HTML(f"<style>{BASE_CSS}{css}</style>")
    holder.add_class("ws-css")
    return holder
