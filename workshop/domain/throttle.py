"""Slows down guessing per visitor, without letting anyone lock anybody else out.

Rules
-----
* The code or key is looked at first. A right join code always opens and a
  right facilitator key always opens, whatever was guessed before, by
  whomever: only failures are counted.
* Failures are counted per visitor, never for the whole server: per *page*
  (the Voila kernel that serves it: ``VOILA_KERNEL_ID``, or a widget's own id
  outside Voila) and per *address* where the server knows one. Nobody can
  fill a counter for someone else's page; an address is shared only by the
  people behind it.
* Past the limit a wrong guess is answered only after a pause of ``PAUSE``
  seconds, spent in the guesser's own kernel (other pages never wait), and
  with "too many tries" instead of "wrong".

The visitor's address
---------------------
Voila 0.5 does not hand a preheated kernel the visitor's address: the
"voila/query" message (``voila/handler.py``, ``request_info``) carries
SCRIPT_NAME, PATH_INFO, QUERY_STRING, SERVER_SOFTWARE, SERVER_PROTOCOL,
SERVER_PORT and SERVER_NAME, and HTTP headers only if named in
``VoilaConfiguration.http_header_envs`` (``HTTP_<NAME>``); no REMOTE_ADDR.
So a kernel knows an address only when the server is configured to pass
``X-Real-IP`` (``http_header_envs``) and a proxy in front of it sets that
header, overwriting what the browser sent; it is then read from
``HTTP_X_REAL_IP``. Neither ``workshop serve`` nor the guide's nginx file
does so today, so counting is per page only: the guide's proxy limits page
loads per address (30 a minute, 1,800 an hour) and ``--max-kernels`` bounds
the pages open at once.

How fast a script can guess
---------------------------
With the limits below (5 free wrong codes per page per minute, then one
answer per ``PAUSE`` = 5 s), one page answers at most 5 + 3600/5 = 725 wrong
codes in its first hour, 720 an hour after that. A script that opens fresh
pages gets 5 quick answers per page: with the kernel start-up as the bound
(about 2 pages a second on a small server, 7,200 pages an hour) that is
36,000 guesses an hour; with 100 pages held open and paused at once, a
further 72,000. That is at most 108,000 guesses an hour without a proxy
(``guesses_per_hour()``). Behind the guide's proxy one address loads at
most 1,800 pages an hour: 9,000 quick guesses plus 720 an hour for each page
it keeps open and paused.

The code space is 31**8 = 8.5e11 codes: at 108,000 guesses an hour, sweeping
it takes 7.9e6 hours (about 900 years); finding one particular workshop takes
half that on average, and with 100 workshops open at once the first hit
comes after about 4.5 years of continuous guessing, long after any
workshop's join code has stopped mattering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from workshop.core.errors import N_, NotAuthorized
from workshop.store import Store, normalize_code
from workshop.store.schema import AccessFailure, utcnow

#: kind -> (wrong guesses answered at once per page, window in seconds). A
#: participant who mistypes a code once or twice never meets the limit.
LIMITS = {
    "code": (5, 60),
    "key": (5, 300),
}

#: Per address (when known), across all its pages: a room behind one office
#: address may mistype more often than one page.
ADDRESS_FACTOR = 4

#: Seconds a guesser's page waits before each answer past the limit.
PAUSE = float(os.environ.get("WORKSHOP_GUESS_PAUSE", "5"))

_MESSAGES = {
    "code": N_("Too many wrong workshop codes were tried just now. Please wait {minutes} minute(s) and try again."),
    "key": N_("Too many wrong facilitator keys were tried for workshop {code}. "
              "Please wait {minutes} minute(s) and try again."),
}

#: Stands for "this page" in a process that is not a Voila kernel (a script, the CLI, tests).
_PROCESS = uuid.uuid4().hex


@dataclass(frozen=True)
class Guesser:
    """Who is trying a code or key: their page (kernel) and, where known, their address."""

    page: str
    address: str = ""

    @classmethod
    def here(cls, page: str | None = None) -> "Guesser":
        """This kernel (``VOILA_KERNEL_ID``), else ``page`` (a widget's own id), else this process."""
        return cls(page=os.environ.get("VOILA_KERNEL_ID") or page or _PROCESS,
                   address=os.environ.get("HTTP_X_REAL_IP", "").strip())

    def subjects(self, kind: str, code: str) -> list[tuple[str, int]]:
        """(counter, limit) pairs: the page's, and the address's where known."""
        limit, _ = LIMITS[kind]
        about = normalize_code(code) if kind == "key" else ""
        found = [(_hashed("page", self.page, about), limit)]
        if self.address:
            found.append((_hashed("addr", self.address, about), limit * ADDRESS_FACTOR))
        return found


def _hashed(scope: str, who: str, about: str) -> str:
    """A counter's name: no address or kernel id is stored as such (fits String(40))."""
    return scope[0] + ":" + hashlib.sha256(f"{scope}|{who}|{about}".encode()).hexdigest()[:36]


def _over(store: Store, kind: str, code: str, guesser: Guesser) -> bool:
    _, window = LIMITS[kind]
    since = utcnow() - dt.timedelta(seconds=window)
    with store.engine.connect() as conn:
        for subject, limit in guesser.subjects(kind, code):
            failures = conn.execute(
                select(func.count()).select_from(AccessFailure).where(
                    AccessFailure.kind == kind, AccessFailure.code == subject, AccessFailure.at >= since)
            ).scalar()
            if failures >= limit:
                return True
    return False


def failed(store: Store, kind: str, code: str = "", guesser: Guesser | None = None) -> None:
    """Count one wrong ``kind`` ("code" or "key") from ``guesser``; past its limit, pause
    ``PAUSE`` seconds and raise NotAuthorized ("too many tries"). Returns normally otherwise,
    and the caller answers "wrong" as usual."""
    guesser = guesser or Guesser.here()
    over = _over(store, kind, code, guesser)
    _, window = LIMITS[kind]
    with store.engine.begin() as conn:
        for subject, _limit in guesser.subjects(kind, code):
            conn.execute(AccessFailure.__table__.insert().values(kind=kind, code=subject, at=utcnow()))
        # Old failures are of no use; keep the table small.
        conn.execute(delete(AccessFailure).where(
            AccessFailure.at < utcnow() - dt.timedelta(seconds=10 * window)))
    if over:
        if PAUSE > 0:
            time.sleep(PAUSE)  # this guesser's kernel only: nobody else's page waits
        raise NotAuthorized(_MESSAGES[kind], code=normalize_code(code), minutes=max(1, round(window / 60)))


def guesses_per_hour(pages_per_hour: float = 7200, pages_at_once: int = 100) -> float:
    """The bound stated above: fresh pages' free guesses plus paused pages' one per PAUSE."""
    free, _ = LIMITS["code"]
    return pages_per_hour * free + pages_at_once * 3600 / max(PAUSE, 1e-9)
