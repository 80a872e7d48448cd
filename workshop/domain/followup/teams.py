"""Step 8: the company's teams, and how each one lives each chosen value (key actions and metrics)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from workshop.core import settings
from workshop.core.errors import N_, InvalidInput, NotFound
from workshop.core.text import clean
from workshop.domain.access import FACILITATOR, as_facilitator
from workshop.store import Tx, action, query
from workshop.store.schema import CoreValue, TeamPractice, Workshop

SUPPORT, SALES, DESIGN, PRODUCT, HR, LEADERSHIP, MARKETING, OTHER = (
    "support", "sales", "design", "product", "hr", "leadership", "marketing", "other")

#: Every team an employee can belong to, in the order the method lists them.
TEAMS = (SUPPORT, SALES, DESIGN, PRODUCT, HR, LEADERSHIP, MARKETING, OTHER)

#: The teams that get their own key actions and metrics in the document.
PRACTICE_TEAMS = TEAMS[:-1]

TITLES = {
    SUPPORT: N_("Support"),
    SALES: N_("Sales"),
    DESIGN: N_("Design"),
    PRODUCT: N_("Product"),
    HR: N_("HR"),
    LEADERSHIP: N_("Leadership"),
    MARKETING: N_("Marketing"),
    OTHER: N_("Other"),
}


@dataclass(frozen=True)
class Practice:
    value_id: int
    team: str
    key_actions: str
    metrics: str


def check_team(team: str, allowed=TEAMS) -> str:
    team = (team or "").strip().lower()
    if team not in allowed:
        raise InvalidInput(N_("Please pick a team from the list."))
    return team


def chosen_value(tx: Tx, ws: Workshop, value_id: int) -> CoreValue:
    """One of the workshop's chosen values; anything else is refused."""
    value = tx.session.get(CoreValue, value_id) if isinstance(value_id, int) else None
    if value is None or value.workshop_id != ws.id or value.removed:
        raise NotFound(N_("That value no longer exists."))
    if not value.chosen:
        raise InvalidInput(N_("Only the chosen values can be used here."))
    return value


@action
def set_practice(tx: Tx, code: str, key: str, value_id: int, team: str, key_actions: str,
                 metrics: str = "") -> Practice | None:
    """Say how ``team`` lives the value; empty actions and metrics remove the entry."""
    ws = as_facilitator(tx, code, key)
    value = chosen_value(tx, ws, value_id)
    team = check_team(team, PRACTICE_TEAMS)
    key_actions = clean(key_actions, what=N_("key actions"), limit=settings.MAX_PRACTICE,
                        multiline=True, required=False)
    metrics = clean(metrics, what=N_("metrics"), limit=settings.MAX_PRACTICE, multiline=True, required=False)
    row = tx.session.execute(select(TeamPractice).where(
        TeamPractice.value_id == value.id, TeamPractice.team == team)).scalar_one_or_none()
    tx.log(ws, FACILITATOR, "team_practice_set", value=value.id, team=team, key_actions=key_actions,
           metrics=metrics)
    if not key_actions and not metrics:
        if row is not None:
            tx.session.delete(row)
        return None
    if row is None:
        row = TeamPractice(value_id=value.id, team=team)
        tx.session.add(row)
    row.key_actions, row.metrics = key_actions, metrics
    return Practice(value.id, team, key_actions, metrics)


@query
def practices(tx: Tx, code: str) -> dict[tuple[int, str], Practice]:
    """(value id, team) -> how that team lives that chosen value; part of the published philosophy."""
    ws = tx.workshop(code)
    rows = tx.session.execute(
        select(TeamPractice).join(CoreValue, CoreValue.id == TeamPractice.value_id)
        .where(CoreValue.workshop_id == ws.id, CoreValue.chosen.is_(True), CoreValue.removed.is_(False))
    ).scalars()
    return {(r.value_id, r.team): Practice(r.value_id, r.team, r.key_actions, r.metrics) for r in rows}
