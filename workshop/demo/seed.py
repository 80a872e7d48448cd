"""A demo workshop seeded from data/demo_workshop.json through the domain actions."""

from __future__ import annotations

import json

from workshop.core import criteria, phases
from workshop.domain import actionable, cards, grouping, room, vision, voting, workshops
from workshop.resources import demo_file
from workshop.store import Store, normalize_url, open_store

DATA = demo_file("demo_workshop.json")


def load() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def seed(store: Store, upto: str = phases.BRAINSTORM) -> tuple[str, str]:
    """Create the demo workshop and play it forward to the stage ``upto``."""
    if upto not in phases.ORDER:
        raise ValueError(f"unknown stage {upto!r}")
    d = load()
    created = workshops.create_workshop(store, d["title"], company=d["company"], purpose=d["purpose"],
                                        language=d.get("language", "en"))
    code, key = created.code, created.key
    for topic, answer in d["grounding"].items():
        workshops.set_grounding(store, code, key, topic, answer)
    reached = lambda stage: phases.index(upto) >= phases.index(stage)  # noqa: E731
    if not reached(phases.BRAINSTORM):
        return code, key
    workshops.advance(store, code, key)
    people = {name: workshops.join(store, code, name=name).token for name in d["participants"]}
    card_ids = {}
    for author, text in d["cards"]:
        card_ids[text] = cards.add_card(store, code, people[author], text).id
    if not reached(phases.GROUPING):
        return code, key
    cards.reveal(store, code, key)
    workshops.advance(store, code, key)
    value_ids = {v["name"]: grouping.create_value(store, code, key, v["name"], v["description"],
                                                  card_ids=[card_ids[c] for c in v["cards"]])
                 for v in d["values"]}
    if not reached(phases.VOTING):
        return code, key
    workshops.advance(store, code, key)
    voting.open_round(store, code, key)
    for person, dots in d["votes"].items():
        for value, n in dots.items():
            voting.set_dots(store, code, people[person], value_ids[value], n)
    if not reached(phases.DRAFTING):
        return code, key
    while not voting.is_finished(store, code):
        voting.close_round(store, code, key)
        if not voting.is_finished(store, code):
            # A tie straddles the cut: the facilitator opens the run-off; the demo room breaks it
            # for the first candidates.
            voting.open_round(store, code, key)
            ballot = voting.ballot(store, code, next(iter(people.values())))
            for token in people.values():
                voting.set_dots(store, code, token, ballot.lines[0].value_id, 1)
    workshops.advance(store, code, key)
    draft_ids = [vision.add_draft(store, code, people[a], text).id for a, text in d["drafts"]]
    if not reached(phases.RATING):
        return code, key
    workshops.advance(store, code, key)
    for person, per_draft in d["ratings"].items():
        for draft_id, scores in zip(draft_ids, per_draft):
            for criterion, score in zip(criteria.ORDER, scores):
                vision.rate(store, code, people[person], draft_id, criterion, score)
    if not reached(phases.ACTIONS):
        return code, key
    vision.choose_vision(store, code, key, draft_ids[d["final_draft"]])
    workshops.advance(store, code, key)
    chosen = {v.name: v.id for v in grouping.values(store, code, only_chosen=True)}
    for name, (statement, metrics) in d["actions"].items():
        if name in chosen:
            actionable.set_action_statement(store, code, key, chosen[name], statement)
            actionable.set_metrics(store, code, key, chosen[name], metrics)
    if reached(phases.PUBLISHED):
        workshops.advance(store, code, key)
    return code, key


def run(args) -> int:
    """`workshop demo`: seed a demo workshop, print its links, serve the apps."""
    from workshop.server import serve

    store = open_store(args.db)
    code, key = seed(store, getattr(args, "stage", None) or phases.BRAINSTORM)
    screen = room.screen_secret(store, code, key)
    if getattr(args, "seed_only", False):
        serve.print_links(code, key, serve.public_url(args), screen_secret=screen)
        return 0
    args.db = normalize_url(store.url)
    return serve.serve(args, code=code, key=key, screen_secret=screen)
