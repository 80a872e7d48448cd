"""One request id per user gesture, reused while that same gesture is retried.

An action that is not naturally idempotent (joining, creating a value) gets a
request id (see ``workshop.store.engine.action``). A click makes one; when
the click fails (the database did not answer) and the visitor clicks again
with the same inputs, the same id goes along, so an action that did commit
the first time is not applied a second time. Once it succeeds, the next click
is a new gesture with a new id.
"""

from __future__ import annotations

import secrets


def new_request_id() -> str:
    return secrets.token_urlsafe(16)


class Gestures:
    def __init__(self):
        self._ids: dict[str, str] = {}

    def id_for(self, *inputs) -> str:
        """The request id of the gesture with these inputs (new unless it is being retried)."""
        return self._ids.setdefault(repr(inputs), new_request_id())

    def done(self, *inputs) -> None:
        """The gesture succeeded: the next one with the same inputs is a new one."""
        self._ids.pop(repr(inputs), None)
