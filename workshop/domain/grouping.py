"""Affinity groups: the facilitator clusters cards and names each cluster as a core value.

Every change is logged with what it takes to reverse it, so ``undo`` can step
back through the grouping one action at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from workshop.core import credentials, phases, settings
from workshop.core.errors import N_, InvalidInput, NotAuthorized, NotFound
from workshop.core.text import clean
from workshop.domain.access import FACILITATOR, as_facilitator, own_row, require_phase
from workshop.store import Tx, action, query
from workshop.store.schema import Card, CoreValue, Event, ValueMetric, Workshop

# Structure (which cards, which values) is settled before the vote; wording
# may still be polished until the philosophy is published.
STRUCTURE_PHASES = (phases.BRAINSTORM, phases.GROUPING)
WORDING_PHASES = (phases.BRAINSTORM, phases.GROUPING, phases.VOTING, phases.DRAFTING, phases.RATING, phases.ACTIONS)

UNDOABLE = ("value_created", "value_renamed", "value_described", "card_assigned", "value_merged",
            "value_removed", "grouping_batch")


@dataclass(frozen=True)
class ValueView:
    id: int
    name: str
    description: str
    position: int
    chosen: bool
    action_statement: str
    card_count: int
    metrics: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardCard:
    id: int
    text: str


@dataclass(frozen=True)
class Board:
    values: list[tuple[ValueView, list[BoardCard]]]
    unassigned: list[BoardCard] = field(default_factory=list)


def _active_value(tx: Tx, ws: Workshop, value_id: int) -> CoreValue:
    value = own_row(tx, ws, CoreValue, value_id)
    if value is None or value.removed:
        raise NotFound(N_("That value no longer exists."))
    return value


def _card(tx: Tx, ws: Workshop, card_id: int) -> Card:
    card = own_row(tx, ws, Card, card_id)
    if card is None or card.withdrawn:
        raise NotFound(N_("That card no longer exists."))
    return card


def _check_unique(tx: Tx, ws: Workshop, name: str, except_id: int | None = None) -> None:
    if not name:
        return  # unnamed groups ("Group 3" on the wall) are told apart by their number
    q = select(CoreValue.id).where(
        CoreValue.workshop_id == ws.id, CoreValue.removed.is_(False), func.lower(CoreValue.name) == name.lower()
    )
    if except_id is not None:
        q = q.where(CoreValue.id != except_id)
    if tx.session.execute(q).first():
        raise InvalidInput(N_("There is already a value called “{name}”; merge the two instead."), name=name)


def _create(tx: Tx, ws: Workshop, name: str, description: str = "", unnamed_ok: bool = False) -> CoreValue:
    name = clean(name, what=N_("value name"), limit=settings.MAX_VALUE_NAME, required=not unnamed_ok)
    description = clean(description, what=N_("description"), limit=settings.MAX_DESCRIPTION,
                        multiline=True, required=False)
    _check_unique(tx, ws, name)
    active = tx.session.execute(
        select(func.count()).select_from(CoreValue).where(CoreValue.workshop_id == ws.id, CoreValue.removed.is_(False))
    ).scalar()
    if active >= settings.MAX_VALUES:
        raise InvalidInput(N_("A workshop can have at most {limit} values."), limit=settings.MAX_VALUES)
    position = (tx.session.execute(
        select(func.max(CoreValue.position)).where(CoreValue.workshop_id == ws.id)
    ).scalar() or 0) + 1
    value = CoreValue(workshop_id=ws.id, name=name, description=description, position=position)
    tx.session.add(value)
    tx.session.flush()
    return value


def _assign(tx: Tx, ws: Workshop, card_id: int, value_id: int | None) -> dict:
    card = _card(tx, ws, card_id)
    if value_id is not None:
        _active_value(tx, ws, value_id)
    step = {"card": card.id, "from": card.value_id, "to": value_id}
    card.value_id = value_id
    return step


def _retire_if_empty(tx: Tx, ws: Workshop, value_id: int | None) -> dict | None:
    """An unnamed group whose last card was dragged away goes, as on a wall; a named one stays."""
    if value_id is None:
        return None
    value = tx.session.get(CoreValue, value_id)
    if value is None or value.removed or value.name:
        return None
    tx.session.flush()
    left = tx.session.execute(select(func.count()).select_from(Card).where(
        Card.value_id == value.id, Card.withdrawn.is_(False))).scalar()
    if left:
        return None
    value.removed = True
    return {"kind": "value_removed", "value": value.id, "name": value.name, "cards": []}


@action
def create_value(tx: Tx, code: str, key: str, name: str, description: str = "",
                 card_ids: list[int] | tuple[int, ...] = (), request_id: str | None = None) -> int:
    """Create a value, optionally with the cards that make it up; returns its id.

    A retry with the same ``request_id`` returns the same id (``@action`` records it)
    instead of "already exists"."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *STRUCTURE_PHASES)
    value = _create(tx, ws, name, description)
    moves = [_assign(tx, ws, cid, value.id) for cid in card_ids]
    if moves:
        tx.log(ws, FACILITATOR, "grouping_batch", steps=[
            {"kind": "value_created", "value": value.id, "name": value.name},
            *({"kind": "card_assigned", **m} for m in moves),
        ])
    else:
        tx.log(ws, FACILITATOR, "value_created", value=value.id, name=value.name)
    return value.id


@action
def start_group(tx: Tx, code: str, key: str, card_ids: list[int] | tuple[int, ...], name: str = "",
                request_id: str | None = None) -> int:
    """The wall's card-on-card drop: a new group made of these cards; returns its id.

    The group may stay unnamed (the wall shows it as "Group N", N being its position) until
    the facilitator names it. Groups the cards leave empty and unnamed go. One undoable step."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *STRUCTURE_PHASES)
    ids = list(dict.fromkeys(card_ids))
    if not ids:
        raise InvalidInput(N_("A group needs at least one card."))
    value = _create(tx, ws, name, unnamed_ok=True)
    steps: list[dict] = [{"kind": "value_created", "value": value.id, "name": value.name}]
    moves = [_assign(tx, ws, cid, value.id) for cid in ids]
    steps += [{"kind": "card_assigned", **m} for m in moves]
    for source in dict.fromkeys(m["from"] for m in moves):
        gone = _retire_if_empty(tx, ws, source)
        if gone:
            steps.append(gone)
    tx.log(ws, FACILITATOR, "grouping_batch", steps=steps)
    return value.id


@action
def rename_value(tx: Tx, code: str, key: str, value_id: int, name: str) -> None:
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *WORDING_PHASES)
    value = _active_value(tx, ws, value_id)
    name = clean(name, what=N_("value name"), limit=settings.MAX_VALUE_NAME)
    _check_unique(tx, ws, name, except_id=value.id)
    old, value.name = value.name, name
    tx.log(ws, FACILITATOR, "value_renamed", value=value.id, old=old, new=name)


@action
def describe_value(tx: Tx, code: str, key: str, value_id: int, description: str) -> None:
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *WORDING_PHASES)
    value = _active_value(tx, ws, value_id)
    description = clean(description, what=N_("description"), limit=settings.MAX_DESCRIPTION,
                        multiline=True, required=False)
    old, value.description = value.description, description
    tx.log(ws, FACILITATOR, "value_described", value=value.id, old=old, new=description)


@action
def assign_card(tx: Tx, code: str, key: str, card_id: int, value_id: int | None) -> None:
    """Put a card into a value (a card sits in at most one); ``None`` takes it out."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *STRUCTURE_PHASES)
    step = _assign(tx, ws, card_id, value_id)
    if step["from"] == step["to"]:
        return  # already there (another facilitator moved it a moment ago): nothing to log or undo
    gone = _retire_if_empty(tx, ws, step["from"])
    if gone:
        tx.log(ws, FACILITATOR, "grouping_batch", steps=[{"kind": "card_assigned", **step}, gone])
    else:
        tx.log(ws, FACILITATOR, "card_assigned", **step)


@action
def merge_values(tx: Tx, code: str, key: str, source_id: int, target_id: int) -> None:
    """Move every card of ``source`` into ``target`` and retire ``source``."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *STRUCTURE_PHASES)
    if source_id == target_id:
        raise InvalidInput(N_("A value cannot be merged into itself."))
    source = _active_value(tx, ws, source_id)
    target = _active_value(tx, ws, target_id)
    moved = [c.id for c in tx.session.execute(
        select(Card).where(Card.value_id == source.id, Card.withdrawn.is_(False))).scalars()]
    for cid in moved:
        tx.session.get(Card, cid).value_id = target.id
    source.removed, source.merged_into_id = True, target.id
    # An unnamed group that takes in a named one takes its name too (undo gives it back).
    named = not target.name and bool(source.name)
    if named:
        target.name = source.name
    tx.log(ws, FACILITATOR, "value_merged", source=source.id, target=target.id, cards=moved,
           source_name=source.name, target_name=target.name, target_was_unnamed=named)


@action
def remove_value(tx: Tx, code: str, key: str, value_id: int) -> None:
    """Retire a value; its cards go back to the unassigned pile."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *STRUCTURE_PHASES)
    value = _active_value(tx, ws, value_id)
    freed = [c.id for c in tx.session.execute(
        select(Card).where(Card.value_id == value.id, Card.withdrawn.is_(False))).scalars()]
    for cid in freed:
        tx.session.get(Card, cid).value_id = None
    value.removed = True
    tx.log(ws, FACILITATOR, "value_removed", value=value.id, name=value.name, cards=freed)


@action
def apply_groups(tx: Tx, code: str, key: str, groups: list[tuple[str, list[int]]]) -> list[int]:
    """Accept a proposal of several groups at once: one undoable step.

    Each group is (value name, card ids); a name that already exists gains the cards."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *STRUCTURE_PHASES)
    steps, ids = [], []
    for name, card_ids in groups:
        clean_name = clean(name, what=N_("value name"), limit=settings.MAX_VALUE_NAME)
        existing = tx.session.execute(select(CoreValue).where(
            CoreValue.workshop_id == ws.id, CoreValue.removed.is_(False),
            func.lower(CoreValue.name) == clean_name.lower())).scalar_one_or_none()
        if existing is None:
            existing = _create(tx, ws, clean_name)
            steps.append({"kind": "value_created", "value": existing.id, "name": existing.name})
        ids.append(existing.id)
        steps += [{"kind": "card_assigned", **_assign(tx, ws, cid, existing.id)} for cid in card_ids]
    tx.log(ws, FACILITATOR, "grouping_batch", steps=steps)
    return ids


def _invert(tx: Tx, ws: Workshop, kind: str, p: dict) -> None:
    if kind == "value_created":
        value = tx.session.get(CoreValue, p["value"])
        for card in tx.session.execute(select(Card).where(Card.value_id == value.id)).scalars():
            card.value_id = None
        value.removed = True
    elif kind == "value_renamed":
        tx.session.get(CoreValue, p["value"]).name = p["old"]
    elif kind == "value_described":
        tx.session.get(CoreValue, p["value"]).description = p["old"]
    elif kind == "card_assigned":
        tx.session.get(Card, p["card"]).value_id = p["from"]
    elif kind == "value_merged":
        source = tx.session.get(CoreValue, p["source"])
        source.removed, source.merged_into_id = False, None
        if p.get("target_was_unnamed"):
            tx.session.get(CoreValue, p["target"]).name = ""
        for cid in p["cards"]:
            tx.session.get(Card, cid).value_id = source.id
    elif kind == "value_removed":
        tx.session.get(CoreValue, p["value"]).removed = False
        for cid in p["cards"]:
            tx.session.get(Card, cid).value_id = p["value"]
    elif kind == "grouping_batch":
        for step in reversed(p["steps"]):
            _invert(tx, ws, step["kind"], step)


@action
def undo(tx: Tx, code: str, key: str) -> str:
    """Reverse the most recent grouping action not yet undone; returns its kind."""
    ws = as_facilitator(tx, code, key)
    require_phase(ws, *STRUCTURE_PHASES)
    recent = tx.session.execute(
        select(Event).where(Event.workshop_id == ws.id, Event.kind.in_(UNDOABLE + ("grouping_undone",)))
        .order_by(Event.id.desc())
    ).scalars()
    undone: set[int] = set()
    for ev in recent:
        if ev.kind == "grouping_undone":
            undone.add(ev.payload["event"])
        elif ev.id not in undone:
            _invert(tx, ws, ev.kind, ev.payload)
            tx.log(ws, FACILITATOR, "grouping_undone", event=ev.id, undid=ev.kind)
            return ev.kind
    raise InvalidInput(N_("There is nothing left to undo."))


def _value_views(tx: Tx, ws: Workshop, only_chosen: bool = False) -> list[ValueView]:
    counts = dict(tx.session.execute(
        select(Card.value_id, func.count()).where(Card.workshop_id == ws.id, Card.withdrawn.is_(False),
                                                  Card.value_id.is_not(None)).group_by(Card.value_id)
    ).all())
    q = select(CoreValue).where(CoreValue.workshop_id == ws.id, CoreValue.removed.is_(False))
    if only_chosen:
        q = q.where(CoreValue.chosen.is_(True))
    values = list(tx.session.execute(q.order_by(CoreValue.position, CoreValue.id)).scalars())
    metrics: dict[int, list[str]] = {}
    if values:
        for vid, name in tx.session.execute(
            select(ValueMetric.value_id, ValueMetric.name)
            .where(ValueMetric.value_id.in_([v.id for v in values]))
            .order_by(ValueMetric.position, ValueMetric.id)
        ):
            metrics.setdefault(vid, []).append(name)
    return [ValueView(v.id, v.name, v.description, v.position, v.chosen, v.action_statement,
                      counts.get(v.id, 0), tuple(metrics.get(v.id, ()))) for v in values]


@query
def values(tx: Tx, code: str, only_chosen: bool = False) -> list[ValueView]:
    """The workshop's values: public, since everyone votes on them."""
    return _value_views(tx, tx.workshop(code), only_chosen)


@query
def board(tx: Tx, code: str, key: str | None = None) -> Board:
    """Values with their cards; open to all once cards are revealed, else the facilitator only."""
    ws = tx.workshop(code)
    if not ws.cards_revealed and not (key and credentials.matches(key, ws.key_hash)):
        raise NotAuthorized(N_("The cards have not been revealed yet."))
    cards = tx.session.execute(
        select(Card).where(Card.workshop_id == ws.id, Card.withdrawn.is_(False)).order_by(Card.shuffle_key, Card.id)
    ).scalars().all()
    by_value: dict[int | None, list[BoardCard]] = {}
    for c in cards:
        by_value.setdefault(c.value_id, []).append(BoardCard(c.id, c.text))
    views = _value_views(tx, ws)
    return Board([(v, by_value.get(v.id, [])) for v in views], by_value.get(None, []))
