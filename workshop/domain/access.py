"""Who may do what: the facilitator key, participant tokens and roles, the stage an action needs.

Every domain action starts with one of these checks, inside its own
transaction: a visitor can send any widget message, so a hidden button
protects nothing and the check here is the one that counts.
"""

from __future__ import annotations

from sqlalchemy import select

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
    return ws


def as_participant(tx: Tx, code: str, token: str, roles=("member",)) -> tuple[Workshop, Participant]:
    ws = tx.workshop(code)
    p = tx.session.execute(
        select(Participant).where(
            Participant.token_hash == credentials.digest(token), Participant.workshop_id == ws.id
        )
    ).scalar_one_or_none()
    if p is None:
        raise NotAuthorized(N_("Please join the workshop again: your link is not recognised."))
    if p.role not in roles:
        raise NotAuthorized(N_("This link is not for this part of the workshop."))
    return ws, p


def require_phase(ws: Workshop, *allowed: str) -> None:
    if ws.phase not in allowed:
        raise WrongPhase(
            N_("That is not possible while the workshop is at the stage “{phase}”."),
            phase=phases.TITLES[ws.phase],
        )


