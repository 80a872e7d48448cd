"""What a visitor's page says about itself: its language, its title, its main landmark, where focus goes, what changed.

Voila renders every notebook in its own page template, built before the visitor's
request (a preheated kernel): ``<html lang>`` is the server's "en" and the tab's title is
the notebook's name. This invisible-but-present widget, rendered inside the app, sets
them in the browser (``document.documentElement.lang``, ``document.title``) whenever the
kernel changes them, marks the app's root element as the page's ``main`` landmark, moves
the keyboard focus where the kernel asks (a new stage's heading, the card box after a
card is added), and is itself a polite live region: ``announce`` is read out by screen
readers without moving anyone's focus.
"""

from __future__ import annotations

import anywidget
import traitlets

from workshop.core.languages import HTML_LANG
from workshop.widgets.kit import static_path


class PageSemantics(anywidget.AnyWidget):
    _esm = static_path("page.js")
    #: BCP 47 language of the page (``<html lang>``).
    lang = traitlets.Unicode("en").tag(sync=True)
    #: The tab's title.
    title = traitlets.Unicode("").tag(sync=True)
    #: CSS selector of the element to focus, and a counter so asking twice focuses twice.
    focus_selector = traitlets.Unicode("").tag(sync=True)
    focus_seq = traitlets.Int(0).tag(sync=True)
    #: What the live region says, and a counter so the same words are said again.
    message = traitlets.Unicode("").tag(sync=True)
    message_seq = traitlets.Int(0).tag(sync=True)
    #: Make Voila's scrolling region (``#rendered_cells``) a tab stop, for a page whose content
    #: may outgrow the window and that has nothing else to focus (the room screen).
    scroller_focusable = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("ws-live-region")
        #: True once the browser has drawn the page. Until then it is still asking the kernel for
        #: every widget's state, and a widget made meanwhile (a pane built in the background) can
        #: reach it twice and be drawn as ipywidgets' "failed to render" icon instead.
        self.drawn = False
        self.on_msg(self._message)

    def _message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "drawn":
            self.drawn = True

    def set_language(self, lang: str) -> None:
        self.lang = HTML_LANG.get(lang, lang.replace("_", "-"))

    def set_title(self, *parts: str) -> None:
        """The tab's title: the parts that are given, most specific first ("Brainstorm – Acme workshop")."""
        title = " – ".join(p for p in parts if p)
        if title != self.title:
            self.title = title

    def focus(self, selector: str) -> None:
        """Move the keyboard focus to the first element matching ``selector`` (once it is on screen)."""
        self.focus_selector = selector
        self.focus_seq += 1

    def announce(self, text: str) -> None:
        """Say ``text`` politely (aria-live) to screen-reader users."""
        self.message = text
        self.message_seq += 1
