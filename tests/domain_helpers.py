"""Helpers for domain tests: prove a refusal changed nothing, and bring a workshop to a stage."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import select

from workshop.domain import cards, grouping, voting, workshops
from workshop.store import Store
from workshop.store.schema import Base, Event


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: the whole record of the database."""
    with store.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


@contextmanager
def refused(store: Store, error: type[Exception], match: str | None = None):
    """Expect ``error`` from the block, and that not a single row changed (revision included)."""
    before = dump(store)
    with pytest.raises(error, match=match) as info:
        yield info
    after = dump(store)
    for table in before:
        assert after[table] == before[table], f"refused action changed table {table}"


def events(store: Store, kind: str | None = None) -> list[Event]:
    with store.reading() as tx:
        q = select(Event).order_by(Event.id)
        if kind:
            q = q.where(Event.kind == kind)
        return list(tx.session.execute(q).scalars())


def join_many(store: Store, code: str, n: int, prefix: str = "Person") -> list[str]:
    """``n`` participants' tokens."""
    return [workshops.join(store, code, f"{prefix} {i}").token for i in range(1, n + 1)]


def go_to(store: Store, code: str, key: str, phase: str) -> None:
    """Advance stage by stage until ``phase`` (the groundwork must already be there)."""
    while workshops.status(store, code).phase != phase:
        workshops.advance(store, code, key)


def voting_workshop(store: Store, code: str, key: str, n_values: int, n_people: int):
    """A workshop in the voting stage with ``n_values`` values of one card each.

    Returns (participant tokens, value ids in board order)."""
    tokens = join_many(store, code, n_people)
    go_to(store, code, key, "brainstorm")
    card_ids = [cards.add_card(store, code, tokens[i % n_people], f"Idea {i}").id for i in range(n_values)]
    value_ids = [grouping.create_value(store, code, key, f"Value {i}", card_ids=[cid])
                 for i, cid in enumerate(card_ids)]
    go_to(store, code, key, "voting")
    return tokens, value_ids


def vote(store: Store, code: str, tokens_dots: dict[str, dict[int, int]]) -> None:
    """Cast ``{token: {value_id: dots}}`` in the open round."""
    for token, ballot in tokens_dots.items():
        for value_id, dots in ballot.items():
            voting.set_dots(store, code, token, value_id, dots)
