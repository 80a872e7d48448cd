"""Secret or open ballots: how the dots of a vote and the scores of a rating are told apart in an export.

By default a ballot is secret: the export shows each person's dots of one
round, and each person's scores of the rating, under a random ballot id that
stays the same within and across exports of the workshop (so an analyst can
group one ballot's rows) but links to nobody. The ids are an HMAC of the
participant and round under a random secret kept in ``Workshop.settings``,
drawn on first use. A facilitator who wants open ballots says so when
creating the workshop (or at Setup, before anyone has voted or rated), and
the voting panel then tells the room so.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import func, select

from workshop.core import credentials
from workshop.core.errors import N_, WrongPhase
from workshop.domain.access import FACILITATOR, as_facilitator
from workshop.store import Store, Tx, action, normalize_code, query
from workshop.store.schema import Rating, VisionDraft, Vote, VoteRound, Workshop

#: Keys of ``Workshop.settings``.
OPEN_BALLOTS = "open_ballots"
SECRET = "ballot_secret"

#: Characters of a ballot id (hex): 64 bits, no collision among any room's ballots.
ID_LENGTH = 16


def is_open(ws: Workshop) -> bool:
    return bool((ws.settings or {}).get(OPEN_BALLOTS))


@query
def open_ballots(tx: Tx, code: str) -> bool:
    """Whether the workshop's votes and ratings are exported with the voters' names or pseudonyms."""
    return is_open(tx.workshop(code))


def _anyone_voted(tx: Tx, ws: Workshop) -> bool:
    votes = tx.session.execute(select(func.count()).select_from(Vote).join(
        VoteRound, VoteRound.id == Vote.round_id).where(VoteRound.workshop_id == ws.id, Vote.dots > 0)).scalar()
    ratings = tx.session.execute(select(func.count()).select_from(Rating).join(
        VisionDraft, VisionDraft.id == Rating.draft_id).where(VisionDraft.workshop_id == ws.id)).scalar()
    return bool(votes or ratings)


@action
def set_open_ballots(tx: Tx, code: str, key: str, open_: bool) -> bool:
    """Choose open or secret ballots; only before anyone has placed a dot or given a score."""
    ws = as_facilitator(tx, code, key)
    open_ = bool(open_)
    if open_ == is_open(ws):
        return open_
    if _anyone_voted(tx, ws):
        # People voted under the old promise; changing it now would break it.
        raise WrongPhase(N_("Open or secret ballots can only change before anyone has voted."))
    ws.settings = {**(ws.settings or {}), OPEN_BALLOTS: open_}
    tx.log(ws, FACILITATOR, "ballots_set", open=open_)
    return open_


def ensure_secret(store: Store, code: str) -> None:
    """Draw the workshop's ballot secret if it has none yet.

    Written without moving the workshop's revision (nothing anyone sees
    changes), under the workshop row's lock so two first exports agree."""
    with store.reading() as tx:
        if SECRET in (tx.workshop(code).settings or {}):
            return
    with store.writing() as tx:
        ws = tx.session.execute(select(Workshop).where(Workshop.code == normalize_code(code))
                                .with_for_update()).scalar_one()
        if SECRET not in (ws.settings or {}):
            ws.settings = {**(ws.settings or {}), SECRET: credentials.new_secret()}


class Ballots:
    """Ballot ids of one workshop; needs the secret drawn by :func:`ensure_secret`."""

    def __init__(self, ws: Workshop):
        secret = (ws.settings or {}).get(SECRET)
        if not secret:
            raise RuntimeError("the workshop has no ballot secret yet: call ballots.ensure_secret first")
        self._secret = secret.encode()

    def _id(self, message: str) -> str:
        return hmac.new(self._secret, message.encode(), hashlib.sha256).hexdigest()[:ID_LENGTH]

    def vote(self, round_id: int, participant_id: int) -> str:
        """One person's ballot in one round of the vote."""
        return self._id(f"vote:{round_id}:{participant_id}")

    def rating(self, participant_id: int) -> str:
        """One person's ballot of the rating (every draft and criterion)."""
        return self._id(f"rating:{participant_id}")


@query
def ballot_state(tx: Tx, code: str) -> tuple[bool, bool]:
    """(open ballots?, may that still change?) for the setup panel: it may until anyone votes or rates."""
    ws = tx.workshop(code)
    return is_open(ws), not _anyone_voted(tx, ws)
