"""A secret per audience: the gut check, survey, benchmark and room-screen links open only their own page.

The leadership group joins with the workshop's join code; the people a
follow-up link is sent to (stakeholders, every employee, exemplary team
members) never see that code, and neither does anyone who sees the room
screen's address. Their link carries the audience's own secret (``?s=...``),
which names the workshop and the role at once: it does not open
participant.ipynb (which reads only ``w=``), the join code does not open
their pages, and the secret of one audience does not open another's page.

The secret is random and kept beside its hash (schema version 5): such a link
shows a survey or the room screen and is no more sensitive than the join code,
which is kept in clear as well; the facilitator key stays hash-only. So the
server can print every link again without the key (``reprint``, for
`workshop links`), and a new facilitator key (`workshop rekey`) leaves every
link already sent as it was.

A link made before version 5 was an HMAC of the facilitator key, the
workshop, the role and a salt, and only its hash was kept. It still opens.
The next time the facilitator's panel (which has the key) shows it, its
secret is filled in and from then on it is like any other. If the key was
replaced before that, nobody can draw that secret any more: the panel then
shows a new link, and the old one keeps opening (``former_hash``), so no link
already sent stops working. Until the panel has shown it, ``reprint`` says it
cannot print that one (None).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import or_, select

from workshop.core import credentials
from workshop.core.errors import N_, InvalidInput, NotAuthorized
from workshop.store import Store, Tx, action, query
from workshop.store.schema import AudienceSecret, Workshop

#: Role -> the notebook its link opens.
NOTEBOOKS = {
    "stakeholder": "stakeholder.ipynb",
    "employee": "survey.ipynb",
    "exemplar": "exemplar.ipynb",
    # The room screen the facilitator shares: it shows only what the whole room may see.
    "screen": "room.ipynb",
}
ROLES = tuple(NOTEBOOKS)

#: The URL parameter that carries the audience secret.
PARAM = "s"


def _derive(key: str, code: str, role: str, salt: str) -> str:
    """The secret of a link made before version 5 (drawn from the facilitator key)."""
    mac = hmac.new(str(key).encode("utf-8"), f"audience:{code}:{role}:{salt}".encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode("ascii")


def _new_secret() -> str:
    # 192 random bits, the same length and alphabet as the secrets drawn before version 5.
    return base64.urlsafe_b64encode(secrets.token_bytes(24)).decode("ascii")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(N_("Unknown role."))


def _row(tx: Tx, ws: Workshop, role: str) -> AudienceSecret | None:
    return tx.session.execute(select(AudienceSecret).where(
        AudienceSecret.workshop_id == ws.id, AudienceSecret.role == role)).scalar_one_or_none()


def _make(tx: Tx, ws: Workshop, role: str, actor: str) -> str:
    value = _new_secret()
    tx.session.add(AudienceSecret(workshop_id=ws.id, role=role, salt="", secret=value,
                                  secret_hash=credentials.digest(value)))
    tx.log(ws, actor, "audience_link_created", role=role)  # never the secret
    return value


@query
def _kept(tx: Tx, code: str, key: str, role: str) -> str | None:
    from workshop.domain.access import as_facilitator

    ws = as_facilitator(tx, code, key)
    return tx.session.execute(select(AudienceSecret.secret).where(
        AudienceSecret.workshop_id == ws.id, AudienceSecret.role == role)).scalar_one_or_none()


@action
def _settle(tx: Tx, code: str, key: str, role: str) -> str:
    """Make ``role``'s secret, or fill in the one of a row from before version 5."""
    from workshop.domain.access import FACILITATOR, as_facilitator

    ws = as_facilitator(tx, code, key)
    row = _row(tx, ws, role)
    if row is None:
        return _make(tx, ws, role, FACILITATOR)
    if row.secret:  # naturally idempotent: a second call finds the first one's secret
        return row.secret
    drawn = _derive(key, ws.code, role, row.salt)
    if credentials.matches(drawn, row.secret_hash):
        row.secret = drawn  # the link already sent, kept from now on
        return drawn
    # Drawn from a facilitator key that has since been replaced: nobody can show that link
    # again. A new one takes its place on the panel, and the old one keeps opening.
    value = _new_secret()
    row.former_hash, row.secret_hash, row.secret, row.salt = row.secret_hash, credentials.digest(value), value, ""
    tx.log(ws, FACILITATOR, "audience_link_replaced", role=role)
    return value


def secret(store: Store, code: str, key: str, role: str) -> str:
    """The secret of ``role``'s link (made on first use); only the facilitator may ask."""
    _check_role(role)
    return _kept(store, code, key, role) or _settle(store, code, key, role)


@action
def reprint(tx: Tx, code: str) -> dict[str, str | None]:
    """role -> the secret of its link, for `workshop links` on the server; None for a link from
    before version 5 that the facilitator's panel has not shown since (see the module's text).

    Takes no key, and makes the links not made yet. That is safe because only the CLI calls
    it, in a shell on the server, where whoever runs it can read the database anyway; no
    widget or page imports it (tests/test_cli.py checks), so no visitor can reach it. And
    what it hands out opens only pages that show what a whole room may see."""
    ws = tx.workshop(code)
    out: dict[str, str | None] = {}
    for role in ROLES:
        row = _row(tx, ws, role)
        out[role] = _make(tx, ws, role, SERVER) if row is None else row.secret
    return out


#: The actor in the event log for what was done on the server, from the command line.
SERVER = "server"


def link(store: Store, code: str, key: str, role: str, base: str | None = None) -> str:
    """The URL the facilitator sends to ``role``'s audience."""
    from workshop.core import links

    return links.audience_url(NOTEBOOKS[role], secret(store, code, key, role), base)


def _opens(audience_secret: str):
    """The rows whose link carries ``audience_secret``: its secret now, or one it replaced (see above)."""
    hashed = credentials.digest(audience_secret)
    return or_(AudienceSecret.secret_hash == hashed, AudienceSecret.former_hash == hashed)


WRONG_LINK = N_("This link does not open this page. Please use the link you were sent, exactly as it was.")


@query
def resolve(tx: Tx, audience_secret: str, role: str) -> str:
    """The join code of the workshop whose ``role`` link carries ``audience_secret``."""
    row = tx.session.execute(
        select(AudienceSecret.role, Workshop.code).join(Workshop, Workshop.id == AudienceSecret.workshop_id)
        .where(_opens(audience_secret))
    ).first() if audience_secret else None
    if row is None or row.role != role:
        raise NotAuthorized(WRONG_LINK)
    return row.code


def require(tx: Tx, ws: Workshop, role: str, audience_secret: str | None) -> None:
    """Refuse unless ``audience_secret`` is the secret of ``role``'s link in ``ws`` (in the caller's transaction)."""
    found = tx.session.execute(select(AudienceSecret.id).where(
        AudienceSecret.workshop_id == ws.id, AudienceSecret.role == role,
        _opens(audience_secret),
    )).first() if audience_secret else None
    if found is None:
        raise NotAuthorized(WRONG_LINK)
