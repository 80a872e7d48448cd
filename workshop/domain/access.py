"""Who may do what: the facilitator key, participant tokens and roles, the stage an action needs.

Every domain action starts with one of these checks, inside its own
transaction: a visitor can send any widget message, so a hidden button
protects nothing and the check here is the one that counts.
"""

from __future__ import annotations

from sqlalchemy import select, update

from workshop.core import credentials, phases
from workshop.core.errors import N_, NotAuthorized, WrongPhase
from workshop.store import Tx
from workshop.store.schema import Participant, Workshop

#: The actor named in the event log for what the facilitator did.
FACILITATOR = "facilitator"


def pseudonym(number: int) -> str:
    return f"Participant {number}"


def shown_name(ws: Workshop, p: Participant) -> str:
    """The name others may see: never the real one in an anonymous workshop."""
    if ws.anonymous or not p.display_name:
        return pseudonym(p.number)
    return p.display_name


def actor_of(p: Participant) -> str:
    return f"participant:{p.id}"


def as_facilitator(tx: Tx, code: str, key: str) -> Workshop:
    """The workshop, if ``key`` is its facilitator key; nothing else is revealed otherwise."""
    ws = tx.workshop(code)
    if not key or not credentials.matches(key, ws.key_hash):
        raise NotAuthorized(N_("This facilitator key does not open workshop {code}."), code=ws.code)
    tx.right_checked()
    return ws


def as_participant(tx: Tx, code: str, token: str, roles=("member",),
                   room_sees: bool | str = True) -> tuple[Workshop, Participant]:
    """The workshop and the participant ``token`` names. In a write, the participant's own
    revision is bumped (their other tabs follow it) and, unless ``room_sees=False`` (see
    ``Tx.workshop``), the room's."""
    ws = tx.workshop(code, room_sees=room_sees)
    p = tx.session.execute(
        select(Participant).where(
            Participant.token_hash == credentials.digest(token), Participant.workshop_id == ws.id
        )
    ).scalar_one_or_none()
    if p is None:
        raise NotAuthorized(N_("Please join the workshop again: your link is not recognised."))
    if p.role not in roles:
        raise NotAuthorized(N_("This link is not for this part of the workshop."))
    tx.right_checked()
    if tx.write:
        tx.session.execute(update(Participant).where(Participant.id == p.id)
                           .values(revision=Participant.revision + 1))
    return ws, p


#: The largest id a row can have (a 64-bit integer, on SQLite and PostgreSQL alike).
MAX_ROW_ID = 2 ** 63 - 1


def own_row(tx: Tx, ws: Workshop, model, row_id):
    """The row ``row_id`` of ``model`` if it belongs to the workshop ``ws``, else None.

    An id may come straight from a widget message (the wall's intents carry the ids the browser
    names): anything but a whole number a row could have, and any row of another workshop, is
    nobody's here. Checked before the database is asked, which would fail on an id past 64 bits."""
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 < row_id <= MAX_ROW_ID:
        return None
    row = tx.session.get(model, row_id)
    return row if row is not None and row.workshop_id == ws.id else None


def require_phase(ws: Workshop, *allowed: str) -> None:
    if ws.phase not in allowed:
        raise WrongPhase(
            N_("That is not possible while the workshop is at the stage “{phase}”."),
            phase=phases.TITLES[ws.phase],
        )


