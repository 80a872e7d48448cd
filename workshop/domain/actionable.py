"""Step 5: an action statement and key metrics for each chosen value."""

from __future__ import annotations

from sqlalchemy import delete

from workshop.core import phases, settings
from workshop.core.errors import N_, InvalidInput, NotFound
from workshop.core.text import clean
from workshop.domain.access import FACILITATOR, as_facilitator, require_phase
from workshop.store import Tx, action
from workshop.store.schema import CoreValue, ValueMetric, Workshop

EDIT_PHASES = (phases.VOTING, phases.DRAFTING, phases.RATING, phases.ACTIONS)


def _chosen_value(tx: Tx, ws: Workshop, value_id: int) -> CoreValue:
    value = tx.session.get(CoreValue, value_id)
    if value is None or value.workshop_id != ws.id or value.removed:
        raise NotFound(N_("That value no longer exists."))
    if not value.chosen:
        raise InvalidInput(N_("Only the chosen values get action statements."))
    return value


@action
def set_action_statement(tx: Tx, code: str, key: str, value_id: int, statement: str) -> None:
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *EDIT_PHASES)
    value = _chosen_value(tx, ws, value_id)
    value.action_statement = clean(statement, what=N_("action statement"), limit=settings.MAX_ACTION,
                                   required=False)
    tx.log(ws, FACILITATOR, "action_statement_set", value=value.id, text=value.action_statement)


@action
def set_metrics(tx: Tx, code: str, key: str, value_id: int, metrics: list[str]) -> list[str]:
    """Replace the value's key metrics with ``metrics`` (in order, duplicates dropped)."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *EDIT_PHASES)
    value = _chosen_value(tx, ws, value_id)
    names: list[str] = []
    for m in metrics:
        name = clean(m, what=N_("metric"), limit=settings.MAX_METRIC, required=False)
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    if len(names) > settings.MAX_METRICS_PER_VALUE:
        raise InvalidInput(N_("Keep it to {limit} metrics per value."), limit=settings.MAX_METRICS_PER_VALUE)
    tx.session.execute(delete(ValueMetric).where(ValueMetric.value_id == value.id))
    for i, name in enumerate(names):
        tx.session.add(ValueMetric(value_id=value.id, name=name, position=i))
    tx.log(ws, FACILITATOR, "metrics_set", value=value.id, metrics=names)
    return names

