"""A secret per follow-up audience: the gut check, survey and benchmark links open only their own page.

The leadership group joins with the workshop's join code; the people a
follow-up link is sent to (stakeholders, every employee, exemplary team
members) never see that code. Their link carries the audience's own secret
(``?s=...``), which names the workshop and the role at once: it does not open
participant.ipynb (which reads only ``w=``), the join code does not open
their pages, and the secret of one audience does not open another's page.

The secret is an HMAC of the facilitator key, the workshop, the role and a
random salt (``secrets``), so the facilitator's panel can show it again; the
database keeps only its hash and the salt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import select

from workshop.core import credentials
from workshop.core.errors import N_, InvalidInput, NotAuthorized
from workshop.store import Store, Tx, action, query
from workshop.store.schema import AudienceSecret, Workshop

#: Role -> the notebook its link opens.
NOTEBOOKS = {
    "stakeholder": "stakeholder.ipynb",
    "employee": "survey.ipynb",
    "exemplar": "exemplar.ipynb",
}
ROLES = tuple(NOTEBOOKS)

#: The URL parameter that carries the audience secret.
PARAM = "s"


def _derive(key: str, code: str, role: str, salt: str) -> str:
    mac = hmac.new(str(key).encode("utf-8"), f"audience:{code}:{role}:{salt}".encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode("ascii")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(N_("Unknown role."))


@query
def _salt(tx: Tx, code: str, key: str, role: str) -> str | None:
    from workshop.domain.access import as_facilitator

    ws = as_facilitator(tx, code, key)
    return tx.session.execute(select(AudienceSecret.salt).where(
        AudienceSecret.workshop_id == ws.id, AudienceSecret.role == role)).scalar_one_or_none()


@action
def _create(tx: Tx, code: str, key: str, role: str) -> str:
    from workshop.domain.access import FACILITATOR, as_facilitator

    ws = as_facilitator(tx, code, key)
    salt = tx.session.execute(select(AudienceSecret.salt).where(
        AudienceSecret.workshop_id == ws.id, AudienceSecret.role == role)).scalar_one_or_none()
    if salt is None:  # naturally idempotent: a second call finds the first one's salt
        salt = secrets.token_urlsafe(16)
        tx.session.add(AudienceSecret(workshop_id=ws.id, role=role, salt=salt,
                                      secret_hash=credentials.digest(_derive(key, ws.code, role, salt))))
        tx.log(ws, FACILITATOR, "audience_link_created", role=role)
    return salt


def secret(store: Store, code: str, key: str, role: str) -> str:
    """The secret of ``role``'s link (made on first use); only the facilitator may ask."""
    _check_role(role)
    from workshop.store import normalize_code

    salt = _salt(store, code, key, role)
    if salt is None:
        salt = _create(store, code, key, role)
    return _derive(key, normalize_code(code), role, salt)


def link(store: Store, code: str, key: str, role: str, base: str | None = None) -> str:
    """The URL the facilitator sends to ``role``'s audience."""
    from workshop.core import links

    return links.audience_url(NOTEBOOKS[role], secret(store, code, key, role), base)


WRONG_LINK = N_("This link does not open this page. Please use the link you were sent, exactly as it was.")


@query
def resolve(tx: Tx, audience_secret: str, role: str) -> str:
    """The join code of the workshop whose ``role`` link carries ``audience_secret``."""
    row = tx.session.execute(
        select(AudienceSecret.role, Workshop.code).join(Workshop, Workshop.id == AudienceSecret.workshop_id)
        .where(AudienceSecret.secret_hash == credentials.digest(audience_secret))
    ).first() if audience_secret else None
    if row is None or row.role != role:
        raise NotAuthorized(WRONG_LINK)
    return row.code


def require(tx: Tx, ws: Workshop, role: str, audience_secret: str | None) -> None:
    """Refuse unless ``audience_secret`` is the secret of ``role``'s link in ``ws`` (in the caller's transaction)."""
    found = tx.session.execute(select(AudienceSecret.id).where(
        AudienceSecret.workshop_id == ws.id, AudienceSecret.role == role,
        AudienceSecret.secret_hash == credentials.digest(audience_secret or ""),
    )).first() if audience_secret else None
    if found is None:
        raise NotAuthorized(WRONG_LINK)
