"""A small finished workshop (values chosen, vision final) for the follow-up tests, in few actions."""

from __future__ import annotations

from dataclasses import dataclass

from tests.domain_helpers import go_to, join_many
from workshop.core import phases
from workshop.domain import cards, grouping, vision, voting, workshops
from workshop.store import Store

VALUES = ("Honesty", "Quality", "Speed")
VISION = "Honest answers, solved the first time."


@dataclass
class Finished:
    code: str
    key: str
    value_ids: list[int]
    members: list[str]
    draft_id: int


def finished_workshop(store: Store, *, values=VALUES, anonymous: bool = False, members: int = 2,
                      upto: str = phases.ACTIONS, card_texts: dict[str, str] | None = None) -> Finished:
    """Create a workshop whose ``values`` are chosen; from the rating stage on, ``VISION`` is final."""
    created = workshops.create_workshop(store, "Acme support philosophy", company="Acme",
                                        purpose="keep small shops selling", anonymous=anonymous)
    code, key = created.code, created.key
    go_to(store, code, key, phases.BRAINSTORM)
    tokens = join_many(store, code, members, prefix="Member")
    texts = card_texts or {}
    card_ids = [cards.add_card(store, code, tokens[i % members], texts.get(name, f"Card about {name}")).id
                for i, name in enumerate(values)]
    cards.reveal(store, code, key)
    value_ids = [grouping.create_value(store, code, key, name, card_ids=[cid])
                 for name, cid in zip(values, card_ids)]
    go_to(store, code, key, phases.VOTING)
    voting.settle(store, code, key, value_ids)
    go_to(store, code, key, phases.DRAFTING)
    draft_id = vision.add_draft(store, code, tokens[0], VISION).id
    if upto != phases.DRAFTING:
        go_to(store, code, key, phases.RATING)
        if upto != phases.RATING:
            vision.choose_vision(store, code, key, draft_id)
            go_to(store, code, key, upto)
    return Finished(code, key, value_ids, tokens, draft_id)
