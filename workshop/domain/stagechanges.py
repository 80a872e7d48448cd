"""What "Undo last stage change" would do, asked before it is done.

``workshops.undo_phase`` takes back the last change of stage (advance, reopen);
the console asks first and says where the room would go, so it needs to know
that target without moving anyone. Both read the same event log.
"""

from __future__ import annotations

from sqlalchemy import select

from workshop.domain.access import as_facilitator
from workshop.store import Tx, query
from workshop.store.schema import Event

#: The events that change the room's stage (``workshops._move``).
STAGE_EVENTS = ("phase_advanced", "phase_reopened", "phase_undone")


@query
def undo_target(tx: Tx, code: str, key: str) -> str | None:
    """The phase ``workshops.undo_phase`` would move the room back to; None when there is nothing to undo."""
    ws = as_facilitator(tx, code, key)
    last = tx.session.execute(
        select(Event).where(Event.workshop_id == ws.id, Event.kind.in_(STAGE_EVENTS))
        .order_by(Event.id.desc()).limit(1)
    ).scalar_one_or_none()
    if last is None or last.kind == "phase_undone":
        return None
    return last.payload["previous"]
