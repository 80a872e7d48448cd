"""Core values: the facilitator groups cards, names, merges and removes groups, and can undo."""

from __future__ import annotations

import pytest

from workshop import InvalidInput, NotAuthorized, NotFound, WrongPhase
from workshop.core import settings
from workshop.domain import cards, grouping, workshops

from .domain_helpers import go_to, refused


@pytest.fixture
def wall(store, created):
    """A workshop in the grouping stage with six revealed cards: (code, key, card ids)."""
    code, key = created
    ana = workshops.join(store, code, "Ana").token
    ben = workshops.join(store, code, "Ben").token
    workshops.advance(store, code, key)
    ids = [cards.add_card(store, code, (ana, ben)[i % 2], text).id
           for i, text in enumerate(["Fast", "Quick", "Kind", "Warm", "Honest", "Clear"])]
    cards.reveal(store, code, key)
    workshops.advance(store, code, key)
    return code, key, ids


def layout(store, code) -> dict[str, list[str]]:
    """What the board shows: value name -> sorted card texts, plus the unassigned pile."""
    board = grouping.board(store, code)
    shown = {v.name: sorted(c.text for c in cs) for v, cs in board.values}
    shown[""] = sorted(c.text for c in board.unassigned)
    return shown


def test_create_value_with_its_cards(store, wall):
    code, key, ids = wall
    speed = grouping.create_value(store, code, key, "  Speed ", "We answer fast", card_ids=ids[:2])
    assert layout(store, code) == {"Speed": ["Fast", "Quick"], "": ["Clear", "Honest", "Kind", "Warm"]}
    [view] = grouping.values(store, code)
    assert (view.id, view.name, view.description, view.card_count) == (speed, "Speed", "We answer fast", 2)


@pytest.mark.parametrize("name, match", [("", "empty"), ("  ", "empty"),
                                         ("v" * (settings.MAX_VALUE_NAME + 1), "limit is 40"),
                                         ("two\nlines", "one line")])
def test_bad_value_names_are_refused(store, wall, name, match):
    code, key, ids = wall
    with refused(store, InvalidInput, match=match):
        grouping.create_value(store, code, key, name, card_ids=ids[:1])
    speed = grouping.create_value(store, code, key, "Speed")
    with refused(store, InvalidInput, match=match):
        grouping.rename_value(store, code, key, speed, name)


def test_value_names_are_unique_regardless_of_case(store, wall):
    code, key, _ = wall
    speed = grouping.create_value(store, code, key, "Speed")
    kind = grouping.create_value(store, code, key, "Kindness")
    with refused(store, InvalidInput, match="already a value"):
        grouping.create_value(store, code, key, "SPEED")
    with refused(store, InvalidInput, match="already a value"):
        grouping.rename_value(store, code, key, kind, "speed")
    grouping.rename_value(store, code, key, speed, "SPEED")  # its own name in other letters is fine
    assert [v.name for v in grouping.values(store, code)] == ["SPEED", "Kindness"]


def test_grouping_needs_the_key_and_the_right_stage(store, wall):
    code, key, ids = wall
    speed = grouping.create_value(store, code, key, "Speed")
    with refused(store, NotAuthorized):
        grouping.create_value(store, code, "wrong", "Kindness")
    with refused(store, NotAuthorized):
        grouping.assign_card(store, code, "wrong", ids[0], speed)
    with refused(store, NotAuthorized):
        grouping.rename_value(store, code, "wrong", speed, "Pace")
    with refused(store, NotAuthorized):
        grouping.remove_value(store, code, "wrong", speed)
    with refused(store, NotAuthorized):
        grouping.undo(store, code, "wrong")
    go_to(store, code, key, "voting")
    with refused(store, WrongPhase):
        grouping.create_value(store, code, key, "Kindness")
    with refused(store, WrongPhase):
        grouping.assign_card(store, code, key, ids[0], speed)
    with refused(store, WrongPhase):
        grouping.remove_value(store, code, key, speed)
    with refused(store, WrongPhase):
        grouping.undo(store, code, key)
    # Wording may still be polished during the vote.
    grouping.rename_value(store, code, key, speed, "Pace")
    assert [v.name for v in grouping.values(store, code)] == ["Pace"]


def test_a_card_sits_in_at_most_one_value(store, wall):
    code, key, ids = wall
    speed = grouping.create_value(store, code, key, "Speed", card_ids=[ids[0]])
    kind = grouping.create_value(store, code, key, "Kindness")
    grouping.assign_card(store, code, key, ids[0], kind)
    assert layout(store, code)["Speed"] == [] and layout(store, code)["Kindness"] == ["Fast"]
    grouping.assign_card(store, code, key, ids[0], None)
    assert "Fast" in layout(store, code)[""]
    counts = {v.name: v.card_count for v in grouping.values(store, code)}
    assert counts == {"Speed": 0, "Kindness": 0}
    grouping.apply_groups(store, code, key, [("Speed", [ids[0], ids[1]]), ("Kindness", [ids[1]])])
    shown = layout(store, code)
    assert shown["Speed"] == ["Fast"] and shown["Kindness"] == ["Quick"]
    assert speed in {v.id for v in grouping.values(store, code)}


def test_assigning_to_unknown_or_removed_things_is_refused(store, wall):
    code, key, ids = wall
    speed = grouping.create_value(store, code, key, "Speed")
    gone = grouping.create_value(store, code, key, "Gone")
    grouping.remove_value(store, code, key, gone)
    with refused(store, NotFound):
        grouping.assign_card(store, code, key, ids[0], gone)
    with refused(store, NotFound):
        grouping.assign_card(store, code, key, 999_999, speed)
    with refused(store, NotFound):
        grouping.assign_card(store, code, key, ids[0], 999_999)
    with refused(store, NotFound):
        grouping.rename_value(store, code, key, gone, "Back")
    # A refused card in a batch refuses the whole batch.
    with refused(store, NotFound):
        grouping.create_value(store, code, key, "Kindness", card_ids=[ids[2], 999_999])


def test_merge_moves_every_card_and_retires_the_source(store, wall):
    code, key, ids = wall
    speed = grouping.create_value(store, code, key, "Speed", card_ids=ids[:2])
    pace = grouping.create_value(store, code, key, "Pace", card_ids=[ids[2]])
    with refused(store, InvalidInput, match="itself"):
        grouping.merge_values(store, code, key, speed, speed)
    grouping.merge_values(store, code, key, pace, speed)
    assert layout(store, code) == {"Speed": ["Fast", "Kind", "Quick"], "": ["Clear", "Honest", "Warm"]}
    with refused(store, NotFound):
        grouping.merge_values(store, code, key, pace, speed)
    # The retired name is free again.
    grouping.create_value(store, code, key, "Pace")


def test_removing_a_value_frees_its_cards(store, wall):
    code, key, ids = wall
    speed = grouping.create_value(store, code, key, "Speed", card_ids=ids[:2])
    grouping.remove_value(store, code, key, speed)
    assert layout(store, code) == {"": ["Clear", "Fast", "Honest", "Kind", "Quick", "Warm"]}
    assert grouping.values(store, code) == []


def test_undo_steps_back_through_grouping_one_action_at_a_time(store, wall):
    code, key, ids = wall
    start = layout(store, code)
    speed = grouping.create_value(store, code, key, "Speed", card_ids=ids[:2])
    s1 = layout(store, code)
    kind = grouping.create_value(store, code, key, "Kindness", card_ids=[ids[2]])
    s2 = layout(store, code)
    grouping.assign_card(store, code, key, ids[3], kind)
    s3 = layout(store, code)
    grouping.rename_value(store, code, key, kind, "Warmth")
    s4 = layout(store, code)
    grouping.merge_values(store, code, key, speed, kind)
    s5 = layout(store, code)
    grouping.remove_value(store, code, key, kind)
    grouping.apply_groups(store, code, key, [("Truth", [ids[4], ids[5]]), ("Care", [ids[0]])])

    assert grouping.undo(store, code, key) == "grouping_batch"
    assert grouping.undo(store, code, key) == "value_removed"
    assert layout(store, code) == s5
    assert grouping.undo(store, code, key) == "value_merged"
    assert layout(store, code) == s4
    assert grouping.undo(store, code, key) == "value_renamed"
    assert layout(store, code) == s3
    assert grouping.undo(store, code, key) == "card_assigned"
    assert layout(store, code) == s2
    assert grouping.undo(store, code, key) == "grouping_batch"
    assert layout(store, code) == s1
    assert grouping.undo(store, code, key) == "grouping_batch"
    assert layout(store, code) == start
    with refused(store, InvalidInput, match="nothing left"):
        grouping.undo(store, code, key)
    # Undone values are really gone: their names can be used again.
    assert grouping.create_value(store, code, key, "Speed") not in (speed, kind)


def test_a_workshop_has_a_limited_number_of_values(store, wall):
    code, key, _ = wall
    grouping.apply_groups(store, code, key, [(f"V{i}", []) for i in range(settings.MAX_VALUES)])
    with refused(store, InvalidInput, match="at most"):
        grouping.create_value(store, code, key, "One more")


def test_description_can_be_polished_and_undone(store, wall):
    code, key, _ = wall
    speed = grouping.create_value(store, code, key, "Speed", "old")
    grouping.describe_value(store, code, key, speed, "We answer within the hour")
    assert grouping.values(store, code)[0].description == "We answer within the hour"
    with refused(store, InvalidInput):
        grouping.describe_value(store, code, key, speed, "d" * (settings.MAX_DESCRIPTION + 1))
    grouping.undo(store, code, key)
    assert grouping.values(store, code)[0].description == "old"
