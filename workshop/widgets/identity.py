"""Keeps a participant's token in their browser, so a reload brings them back as themselves.

Each page load gets a fresh kernel; the kernel cannot know who the visitor
is. This widget reads the token saved in localStorage for the workshop (or a
personal link's ``p=`` parameter) and hands it to the kernel; when the kernel
learns a new token (on joining) the widget saves it.
"""

from __future__ import annotations

import anywidget
import traitlets

from workshop.widgets.kit import static_path


class IdentityKeeper(anywidget.AnyWidget):
    _esm = static_path("identity.js")
    code = traitlets.Unicode("").tag(sync=True)
    #: Sent by the browser: what it remembered (may be empty).
    token = traitlets.Unicode("").tag(sync=True)
    ready = traitlets.Bool(False).tag(sync=True)
    #: Set by the kernel after joining; the browser stores it.
    saved_token = traitlets.Unicode("").tag(sync=True)

    def remember(self, token: str) -> None:
        self.saved_token = token

    def forget(self) -> None:
        self.saved_token = ""
