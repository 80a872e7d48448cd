"""Vision drafts, ratings 1 to 5 on the three criteria, their statistics, and the final vision."""

from __future__ import annotations

import pytest

from workshop import InvalidInput, NotAuthorized, NotFound, WrongPhase
from workshop.core import criteria, settings
from workshop.domain import vision, voting, workshops

from .domain_helpers import events, refused, voting_workshop


@pytest.fixture
def drafting(store, created):
    """Five values chosen, the drafting stage open: (code, key, tokens of three people)."""
    code, key = created
    tokens, _ = voting_workshop(store, code, key, n_values=5, n_people=3)
    voting.open_round(store, code, key)
    voting.close_round(store, code, key)  # five values, five places: all kept
    workshops.advance(store, code, key)
    return code, key, tokens


def test_drafts_are_written_in_the_drafting_stage_without_authors(store, drafting):
    code, key, (ana, ben, _) = drafting
    mine = vision.add_draft(store, code, ana, "  We make every customer feel heard.  ")
    vision.add_draft(store, code, ben, "Fast, kind, honest.")
    assert mine.text == "We make every customer feel heard."
    seen = vision.drafts(store, code, ben)
    assert [(d.text, d.mine) for d in seen] == [("We make every customer feel heard.", False),
                                               ("Fast, kind, honest.", True)]
    assert [d.mine for d in vision.drafts(store, code)] == [False, False]
    assert workshops.status(store, code).drafts == 2


@pytest.mark.parametrize("text, match", [("", "empty"), ("   ", "empty"),
                                         ("v" * (settings.MAX_DRAFT + 1), "limit is 300"),
                                         ("zero\u200bwidth\u202e", "control")])
def test_bad_draft_text_is_refused(store, drafting, text, match):
    code, key, (ana, _, _) = drafting
    with refused(store, InvalidInput, match=match):
        vision.add_draft(store, code, ana, text)
    draft = vision.add_draft(store, code, ana, "Fine")
    with refused(store, InvalidInput, match=match):
        vision.edit_draft(store, code, ana, draft.id, text)


def test_only_own_drafts_can_be_edited_or_withdrawn(store, drafting):
    code, key, (ana, ben, _) = drafting
    draft = vision.add_draft(store, code, ana, "Heard")
    with refused(store, NotAuthorized, match="own drafts"):
        vision.edit_draft(store, code, ben, draft.id, "Mine now")
    with refused(store, NotAuthorized, match="own drafts"):
        vision.withdraw_draft(store, code, ben, draft.id)
    assert vision.edit_draft(store, code, ana, draft.id, "Heard and helped").text == "Heard and helped"
    vision.withdraw_draft(store, code, ana, draft.id)
    assert vision.drafts(store, code) == []
    with refused(store, NotFound):
        vision.edit_draft(store, code, ana, draft.id, "Back")


def test_each_person_writes_at_most_the_draft_limit(store, drafting):
    code, key, (ana, _, _) = drafting
    for i in range(settings.MAX_DRAFTS_PER_PARTICIPANT):
        vision.add_draft(store, code, ana, f"Draft {i}")
    with refused(store, InvalidInput, match="most one person"):
        vision.add_draft(store, code, ana, "One too many")


def test_drafts_belong_to_the_drafting_stage(store, created):
    code, key = created
    ana = workshops.join(store, code, "Ana").token
    workshops.advance(store, code, key)
    with refused(store, WrongPhase):
        vision.add_draft(store, code, ana, "Too early")
    with refused(store, WrongPhase, match="Brainstorm"):
        vision.add_draft_as_facilitator(store, code, key, "Too early")


def test_rating_needs_a_draft_and_the_rating_stage(store, drafting):
    code, key, (ana, _, _) = drafting
    with refused(store, WrongPhase, match="at least one vision draft"):
        workshops.advance(store, code, key)
    draft = vision.add_draft(store, code, ana, "Heard")
    with refused(store, WrongPhase):
        vision.rate(store, code, ana, draft.id, criteria.SIMPLE, 4)
    workshops.advance(store, code, key)
    with refused(store, WrongPhase):
        vision.add_draft(store, code, ana, "Too late to write")
    vision.rate(store, code, ana, draft.id, criteria.SIMPLE, 4)
    assert vision.my_ratings(store, code, ana) == {(draft.id, "simple"): 4}


@pytest.mark.parametrize("criterion, score, error", [
    ("simple", 0, InvalidInput), ("simple", 6, InvalidInput), ("simple", 2.5, InvalidInput),
    ("simple", "five", InvalidInput), ("beauty", 3, InvalidInput),
    ("simple", True, InvalidInput), ("simple", float("inf"), InvalidInput), ("simple", float("nan"), InvalidInput),
])
def test_scores_outside_1_to_5_and_unknown_criteria_are_refused(store, drafting, criterion, score, error):
    code, key, (ana, _, _) = drafting
    draft = vision.add_draft(store, code, ana, "Heard")
    workshops.advance(store, code, key)
    with refused(store, error):
        vision.rate(store, code, ana, draft.id, criterion, score)


def test_rating_again_replaces_the_score_and_stats_are_right(store, drafting):
    code, key, (ana, ben, cy) = drafting
    heard = vision.add_draft(store, code, ana, "Heard")
    other = vision.add_draft(store, code, ben, "Other")
    workshops.advance(store, code, key)
    vision.rate(store, code, ana, heard.id, "simple", 5)
    vision.rate(store, code, ana, heard.id, "simple", 1)  # changed her mind
    vision.rate(store, code, ben, heard.id, "simple", 2)
    vision.rate(store, code, cy, heard.id, "simple", 5)
    vision.rate(store, code, ana, heard.id, "service", 3)
    vision.rate(store, code, ben, heard.id, "service", 4)
    with refused(store, NotFound):
        vision.rate(store, code, ana, 999_999, "simple", 3)
    by_id = {s.draft_id: s for s in vision.summary(store, code)}
    simple = by_id[heard.id].by_criterion["simple"]
    assert simple.count == 3 and simple.low == 1 and simple.high == 5
    assert simple.mean == pytest.approx(8 / 3)
    assert simple.median == 2.0
    assert simple.spread == pytest.approx(2.0817, abs=1e-4)  # sample standard deviation of 1, 2, 5
    service = by_id[heard.id].by_criterion["service"]
    assert (service.count, service.mean, service.median, service.spread) == (2, 3.5, 3.5, pytest.approx(0.7071, abs=1e-4))
    identity = by_id[heard.id].by_criterion["identity"]
    assert (identity.count, identity.mean, identity.median, identity.spread) == (0, None, None, None)
    assert by_id[heard.id].raters == 3
    assert by_id[heard.id].overall == pytest.approx((8 / 3 + 3.5) / 2)
    assert by_id[other.id].raters == 0 and by_id[other.id].overall is None
    assert len(events(store, "draft_rated")) == 6


def test_a_single_rating_has_no_spread(store, drafting):
    code, key, (ana, _, _) = drafting
    draft = vision.add_draft(store, code, ana, "Heard")
    workshops.advance(store, code, key)
    vision.rate(store, code, ana, draft.id, "identity", 4)
    s = vision.summary(store, code)[0].by_criterion["identity"]
    assert (s.count, s.mean, s.median, s.spread) == (1, 4.0, 4.0, 0.0)


def test_a_removed_draft_cannot_be_rated_and_drops_out_of_the_summary(store, drafting):
    code, key, (ana, ben, _) = drafting
    keep = vision.add_draft(store, code, ana, "Keep")
    dupe = vision.add_draft(store, code, ben, "Keep!")
    workshops.advance(store, code, key)
    with refused(store, NotAuthorized):
        vision.remove_draft(store, code, "wrong", dupe.id)
    vision.remove_draft(store, code, key, dupe.id)
    with refused(store, NotFound):
        vision.rate(store, code, ana, dupe.id, "simple", 3)
    assert [s.draft_id for s in vision.summary(store, code)] == [keep.id]


def test_the_facilitator_chooses_the_final_vision(store, drafting):
    code, key, (ana, _, _) = drafting
    draft = vision.add_draft(store, code, ana, "We make customers feel heard")
    workshops.advance(store, code, key)
    with refused(store, WrongPhase, match="final vision"):
        workshops.advance(store, code, key)
    with refused(store, NotAuthorized):
        vision.choose_vision(store, code, "wrong", draft.id)
    with refused(store, NotFound):
        vision.choose_vision(store, code, key, 999_999)
    with refused(store, InvalidInput):
        vision.choose_vision(store, code, key, draft.id, text=" ")
    final = vision.choose_vision(store, code, key, draft.id, text="We make every customer feel heard.")
    assert final == "We make every customer feel heard."
    assert workshops.status(store, code).vision == final
    assert [d.final for d in vision.drafts(store, code)] == [True]
    assert vision.summary(store, code)[0].final
    assert workshops.advance(store, code, key) == "actions"


def test_facilitator_can_type_in_a_draft_said_aloud(store, drafting):
    code, key, _ = drafting
    with refused(store, NotAuthorized):
        vision.add_draft_as_facilitator(store, code, "wrong", "Said aloud")
    draft = vision.add_draft_as_facilitator(store, code, key, "Said aloud")
    assert [d.text for d in vision.drafts(store, code)] == ["Said aloud"]
    assert not draft.mine
