"""Takes the secrets out of the address bar once the page has read them.

A facilitator's link carries the key (``key=``) and a personal link the participant's
token (``p=``): on a shared screen, in a screenshot or over a shoulder the address bar
shows them. Once the page has them (the facilitator's kernel holds the key, the
participant's browser keeps the token in localStorage, see :mod:`workshop.widgets.identity`),
this widget removes them from the visible address with ``history.replaceState``; the page
is not reloaded.

A facilitator page reloaded without its key would ask for it: with ``remember=["key"]`` the
tab keeps the key in its sessionStorage (gone when the tab closes) and a page that opened
locked (``locked``) without a key in its address loads once more with it.
"""

from __future__ import annotations

import anywidget
import traitlets

from workshop.widgets.kit import static_path

#: The query parameters taken out of the address: the facilitator key and a personal token.
SECRET_PARAMS = ("key", "p")


class AddressBar(anywidget.AnyWidget):
    """Invisible. ``AddressBar(after=identity)`` waits until the IdentityKeeper ``identity`` has
    read the token from the address (its ``ready``); without ``after`` it cleans at once."""

    _esm = static_path("address.js")
    remove = traitlets.List(traitlets.Unicode(), list(SECRET_PARAMS)).tag(sync=True)
    #: The browser removes ``remove`` from the address while this is true.
    clean = traitlets.Bool(True).tag(sync=True)
    #: Parameters this tab keeps (sessionStorage, per workshop) to reopen a reloaded page with.
    remember = traitlets.List(traitlets.Unicode(), []).tag(sync=True)
    #: The page opened without what it needs (the facilitator's key gate is showing).
    locked = traitlets.Bool(False).tag(sync=True)

    def __init__(self, after=None, **kwargs):
        super().__init__(**kwargs)
        if after is not None and not after.ready:
            self.clean = False
            after.observe(self._read, "ready")

    def _read(self, change) -> None:
        if change["new"]:
            self.clean = True
