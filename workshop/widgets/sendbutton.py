"""A button that sends the words of its text boxes with the click.

ipywidgets throttles a text box's sync: while the kernel is busy, the box's last keystrokes
wait in the browser, but a button's click (a custom message) is sent at once and can overtake
them, so a card typed quickly and added at once was saved without its last letters. A
``SendButton`` reads its boxes in the browser when it is clicked (the mouse, Enter or Space:
it is a native button) and sends their text with the click; the kernel puts that text in the
boxes before the handlers run, so they read the words as the person sees them.

With ``submit_on_enter``, Enter in a box clicks it (a name, a join code: a form's Enter).

With no boxes it is the apps' own native button (the rating's Previous / Next add the screen
they were tapped on to the click).

``taken()`` empties the boxes after an action used their words (a card added). After a click
from the browser the browser empties them: a keystroke still waiting there is replaced by the
empty box, so the old words cannot come back into it once it is cleared.
"""

from __future__ import annotations

from typing import Callable

import anywidget
import ipywidgets as w
import traitlets

from workshop.widgets.kit import static_path


class SendButton(anywidget.AnyWidget):
    _esm = static_path("send-button.js")
    description = traitlets.Unicode("").tag(sync=True)
    icon = traitlets.Unicode("").tag(sync=True)
    #: As ``ipywidgets.Button``: "", "primary", "success", "info", "warning", "danger".
    button_style = traitlets.Unicode("").tag(sync=True)
    tooltip = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    #: The text boxes whose words go with the click, in order.
    boxes = traitlets.List(traitlets.Instance(w.Widget)).tag(sync=True, **w.widget_serialization)
    #: Enter in one of the (single-line) boxes clicks the button, with the words as typed. A
    #: text box's own ``on_submit`` is no substitute: its submit message overtakes the box's last
    #: keystrokes as the click does, so "Sam" + Enter joined as an empty name.
    submit_on_enter = traitlets.Bool(False).tag(sync=True)

    def __init__(self, boxes, description: str = "", **kwargs):
        super().__init__(boxes=list(boxes), description=description, **kwargs)
        self._handlers: list[Callable] = []
        self._from_browser = False
        self.on_msg(self._message)

    def on_click(self, handler: Callable) -> None:
        """``handler(button)``, as ``ipywidgets.Button.on_click``."""
        self._handlers.append(handler)

    def click(self) -> None:
        """A click with the boxes' words as the kernel has them (tests, scripts)."""
        if self.disabled:
            return
        for handler in list(self._handlers):
            handler(self)

    def taken(self) -> None:
        """The action used the words: empty the boxes."""
        if self._from_browser:
            self.send({"event": "taken"})
        else:
            for box in self.boxes:
                box.value = ""

    def _message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or content.get("event") != "click" or self.disabled:
            return
        texts = content.get("texts")
        # Only a browser sends the words (a client that does not is served the kernel's copy).
        if isinstance(texts, list) and len(texts) == len(self.boxes) and all(isinstance(x, str) for x in texts):
            for box, text in zip(self.boxes, texts):
                if box.value != text:
                    box.value = text
            self._from_browser = True
        try:
            self.click()
        finally:
            self._from_browser = False


def send_button(boxes, description: str, handler: Callable[[], None], style: str = "", icon: str = "") -> SendButton:
    """A console button (as ``facilitator.base.button``) that sends ``boxes``' words with the click."""
    b = SendButton(boxes, description, button_style=style, icon=icon, layout=w.Layout(width="auto"))
    b.on_click(lambda _: handler())
    return b
