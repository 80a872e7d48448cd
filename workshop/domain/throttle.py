"""Slows down guessing: after too many wrong join codes or facilitator keys, further tries are refused a while."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select

from workshop.core.errors import N_, NotAuthorized
from workshop.store import Store, normalize_code
from workshop.store.schema import AccessFailure, utcnow

#: kind -> (failures allowed, window in seconds). Wrong join codes are counted
#: for the whole server (a guesser tries a different code each time), wrong
#: keys per workshop. A participant who mistypes a code once or twice never
#: meets the limit; a script trying codes gets 20 answers a minute, which
#: makes the 31**8 code space (about 8.5e11) unsearchable.
LIMITS = {
    "code": (20, 60),
    "key": (5, 300),
}

_MESSAGES = {
    "code": N_("Too many wrong workshop codes were tried just now. Please wait {minutes} minute(s) and try again."),
    "key": N_("Too many wrong facilitator keys were tried for workshop {code}. "
              "Please wait {minutes} minute(s) and try again."),
}


def _subject(kind: str, code: str) -> str:
    return "" if kind == "code" else normalize_code(code)


def check(store: Store, kind: str, code: str = "") -> None:
    """Refuse (NotAuthorized) when ``kind`` failed too often lately for ``code``."""
    limit, window = LIMITS[kind]
    since = utcnow() - dt.timedelta(seconds=window)
    with store.engine.connect() as conn:
        failures = conn.execute(
            select(func.count()).select_from(AccessFailure).where(
                AccessFailure.kind == kind, AccessFailure.code == _subject(kind, code),
                AccessFailure.at >= since)
        ).scalar()
    if failures >= limit:
        raise NotAuthorized(_MESSAGES[kind], code=normalize_code(code), minutes=max(1, round(window / 60)))


def record(store: Store, kind: str, code: str = "") -> None:
    """Count one failure, in a transaction of its own (the refused action rolled back)."""
    _, window = LIMITS[kind]
    with store.engine.begin() as conn:
        conn.execute(AccessFailure.__table__.insert().values(kind=kind, code=_subject(kind, code), at=utcnow()))
        # Old failures are of no use; keep the table small.
        conn.execute(delete(AccessFailure).where(
            AccessFailure.at < utcnow() - dt.timedelta(seconds=10 * window)))
