"""What every facilitator panel shares: the workshop, the key, the language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import ipywidgets as w

from workshop.domain.workshops import Status
from workshop.i18n import Translator
from workshop.store import Store
from workshop.widgets.kit import Feedback, esc, run_action, static_text
from workshop.widgets.requests import Gestures


def _nothing() -> None:
    return None


@dataclass
class Console:
    store: Store
    code: str
    key: str
    t: Translator
    #: Called after every successful action, so the whole page shows it at once
    #: instead of at the next poll (the shell sets it).
    changed: Callable[[], None] = field(default=_nothing)


def console_action(console: Console, feedback: Feedback, fn, *args) -> bool:
    """Run a facilitator action with the console's code and key from a control outside a panel
    (the timer, the spotlight): a refusal is said in ``feedback``; True when it went through."""
    done = []

    def call(*a):
        done.append(fn(*a))

    call.__name__ = getattr(fn, "__name__", "action")
    run_action(feedback, console.t, call, console.store, console.code, console.key, *args)
    return bool(done)


class Panel(w.VBox):
    """One stage's tools. ``refresh`` updates it in place when the workshop changes.

    A panel may also define ``tick()``, which the shell calls about once a second."""

    def __init__(self, console: Console, status: Status):
        super().__init__()
        self.console = console
        self.t = console.t
        self.status = status
        self.feedback = Feedback()
        #: Whether the last ``act`` went through (many actions return None when they do).
        self.succeeded = False
        self.gestures = Gestures()
        self.add_class("ws-panel")

    def act(self, fn, *args, success: str | None = None, **kwargs):
        """Run a facilitator action with this workshop's code and key.

        Returns the action's result (None when refused: see ``succeeded``)."""
        c = self.console
        self.succeeded = False
        # One request id per click, the same while that click is retried (the database did not
        # answer, the facilitator clicks again): an action that did commit is not applied twice.
        gesture = (getattr(fn, "__qualname__", ""), args, sorted(kwargs.items()))
        if getattr(fn, "is_action", False) and "request_id" not in kwargs:
            kwargs["request_id"] = self.gestures.id_for(*gesture)

        def call(*a, **kw):
            result = fn(*a, **kw)
            self.succeeded = True
            return result

        call.__name__ = getattr(fn, "__name__", "action")
        result = run_action(self.feedback, self.t, call, c.store, c.code, c.key, *args, success=success, **kwargs)
        if self.succeeded:
            self.gestures.done(*gesture)
            c.changed()
        return result

    def refresh(self, status: Status) -> None:
        self.status = status


def button(description: str, handler, style: str = "", icon: str = "", **layout) -> w.Button:
    b = w.Button(description=description, button_style=style, icon=icon,
                 layout=w.Layout(width="auto", **layout))
    b.on_click(lambda _: handler())
    return b


def section(title: str) -> w.HTML:
    return w.HTML(f"<h3>{esc(title)}</h3>")


def hint(text: str) -> w.HTML:
    return w.HTML(f'<div class="ws-muted">{esc(text)}</div>')


def private(widget: w.Widget) -> w.Widget:
    """Marks what is for the facilitator's eyes only (who wrote what, links, exports).

    The facilitator's pages are never the shared screen (the room screen,
    ``notebooks/room.ipynb``, is); the mark says what must never move there."""
    widget.add_class("ws-private")
    return widget


def set_html(widget: w.HTML, html: str) -> None:
    """Assign only when different: no message, no flicker, when nothing changed."""
    if widget.value != html:
        widget.value = html


def set_children(box: w.Box, children) -> None:
    """Replace a box's children only when they are not already these widgets, in this order."""
    children = tuple(children)
    if tuple(box.children) != children:
        box.children = children


def set_options(menu: w.Dropdown, options) -> None:
    """New choices for a menu: keep the chosen one when it is still there, else choose the first."""
    options = list(options)
    if list(menu.options) == options:
        return
    keep = menu.value
    menu.options = options
    values = [v for _, v in options]
    if keep in values:
        menu.value = keep
    elif values:
        menu.value = values[0]


FACILITATOR_STYLE = f"\n<style>\n{static_text('facilitator.css')}</style>\n"


def facilitator_style() -> w.HTML:
    return w.HTML(FACILITATOR_STYLE)


class Confirm(w.HBox):
    """A question with Yes and Cancel: a step that moves the whole room is never one click.

    ``ask(question, yes, on_yes)`` shows it; Yes runs ``on_yes`` once; Cancel (or ``cancel()``)
    hides it. Both are real buttons, so Tab and Enter reach them."""

    def __init__(self, t, css: str = ""):
        super().__init__()
        self.t = t
        self.question = w.HTML()
        self.yes = button("", self._yes, style="warning", icon="check")
        self.no = button(t("Cancel"), self.cancel)
        self.children = [self.question, self.yes, self.no]
        self.add_class("ws-confirm")
        if css:
            self.add_class(css)
        self.layout.display = "none"
        self._on_yes = None

    @property
    def asking(self) -> bool:
        return self.layout.display != "none"

    def ask(self, question: str, yes: str, on_yes) -> None:
        set_html(self.question, f"<b>{esc(question)}</b>")
        self.yes.description = yes
        self._on_yes = on_yes
        self.layout.display = "flex"

    def cancel(self) -> None:
        self.layout.display = "none"
        self._on_yes = None

    def _yes(self) -> None:
        on_yes, self._on_yes = self._on_yes, None
        self.layout.display = "none"
        if on_yes is not None:
            on_yes()
