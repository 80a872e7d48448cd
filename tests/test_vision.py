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
    by_id = {s.draft_id: s for s in vision.summary(store, code, key)}
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
    s = vision.summary(store, code, key)[0].by_criterion["identity"]
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
    assert [s.draft_id for s in vision.summary(store, code, key)] == [keep.id]


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
    assert vision.summary(store, code, key)[0].final
    assert workshops.advance(store, code, key) == "actions"


def test_facilitator_can_type_in_a_draft_said_aloud(store, drafting):
    code, key, _ = drafting
    with refused(store, NotAuthorized):
        vision.add_draft_as_facilitator(store, code, "wrong", "Said aloud")
    draft = vision.add_draft_as_facilitator(store, code, key, "Said aloud")
    assert [d.text for d in vision.drafts(store, code)] == ["Said aloud"]
    assert not draft.mine


# ---- closing rating: scores final, averages for the room only then ---------------------------

@pytest.fixture
def rating_open(store, drafting):
    """The rating stage with two drafts, each scored once: (code, key, tokens, draft ids)."""
    code, key, tokens = drafting
    a = vision.add_draft(store, code, tokens[0], "Heard the first time").id
    b = vision.add_draft(store, code, tokens[1], "Solved, not passed on").id
    workshops.advance(store, code, key)
    vision.rate(store, code, tokens[0], a, criteria.SIMPLE, 4)
    vision.rate(store, code, tokens[1], b, criteria.SIMPLE, 2)
    return code, key, tokens, (a, b)


def test_the_averages_need_the_key_while_rating_is_open(store, rating_open):
    code, key, _, _ = rating_open
    with pytest.raises(TypeError):
        vision.summary(store, code)  # no key, no averages
    with refused(store, NotAuthorized):
        vision.summary(store, code, "wrong")
    assert vision.summary(store, code, key)[0].by_criterion[criteria.SIMPLE].mean == 4.0
    assert not workshops.status(store, code).rating_closed
    assert vision.public_summary(store, code) is None


def test_closing_rating_makes_scores_final_and_the_averages_public(store, rating_open):
    code, key, (ana, _, cy), (a, b) = rating_open
    with refused(store, NotAuthorized):
        vision.close_rating(store, code, "wrong")
    assert vision.close_rating(store, code, key) is True
    assert workshops.status(store, code).rating_closed
    with refused(store, WrongPhase, match="Rating is closed"):
        vision.rate(store, code, cy, a, criteria.SIMPLE, 1)
    with refused(store, WrongPhase, match="Rating is closed"):
        vision.rate(store, code, ana, a, criteria.SIMPLE, 5)  # changing one's score too
    public = vision.public_summary(store, code)
    assert public == vision.summary(store, code, key)
    assert [(s.draft_id, s.by_criterion[criteria.SIMPLE].mean) for s in public] == [(a, 4.0), (b, 2.0)]
    assert vision.my_ratings(store, code, ana) == {(a, criteria.SIMPLE): 4}, "own scores still readable"
    assert len(events(store, "rating_closed")) == 1
    vision.close_rating(store, code, key)  # closing twice changes nothing
    assert len(events(store, "rating_closed")) == 1


def test_reopening_rating_lets_the_room_rate_again_and_hides_the_averages(store, rating_open):
    code, key, (_, _, cy), (a, _) = rating_open
    vision.close_rating(store, code, key)
    with refused(store, NotAuthorized):
        vision.reopen_rating(store, code, "wrong")
    assert vision.reopen_rating(store, code, key) is False
    assert not workshops.status(store, code).rating_closed
    assert vision.public_summary(store, code) is None
    vision.rate(store, code, cy, a, criteria.SIMPLE, 2)
    assert vision.summary(store, code, key)[0].by_criterion[criteria.SIMPLE].count == 2
    assert [e.kind for e in events(store) if e.kind.startswith("rating_")] == ["rating_closed", "rating_reopened"]


def test_closing_and_reopening_belong_to_the_rating_stage(store, drafting):
    code, key, (ana, _, _) = drafting
    vision.add_draft(store, code, ana, "Heard")
    with refused(store, WrongPhase):
        vision.close_rating(store, code, key)
    with refused(store, WrongPhase):
        vision.reopen_rating(store, code, key)
    assert not workshops.status(store, code).rating_closed, "drafting: nothing to close yet"
    assert vision.public_summary(store, code) is None


def test_a_repeated_close_with_its_request_id_is_one_close(store, rating_open):
    code, key, _, _ = rating_open
    assert vision.close_rating(store, code, key, request_id="close-1") is True
    vision.reopen_rating(store, code, key, request_id="reopen-1")
    # The close click retried (its answer was lost): the recorded answer, not a second close.
    assert vision.close_rating(store, code, key, request_id="close-1") is True
    assert not workshops.status(store, code).rating_closed
    assert len(events(store, "rating_closed")) == 1


def test_choosing_the_vision_during_rating_closes_it_and_polishing_does_not_reopen(store, rating_open):
    code, key, (_, _, cy), (a, b) = rating_open
    vision.choose_vision(store, code, key, a)
    assert workshops.status(store, code).rating_closed
    assert vision.public_summary(store, code) is not None
    assert events(store, "rating_closed")[-1].payload == {"because": "vision_chosen"}
    vision.reopen_rating(store, code, key)  # the facilitator wants a few more scores
    vision.choose_vision(store, code, key, a, text="Heard the first time, every time.")  # polishing only
    assert not workshops.status(store, code).rating_closed
    vision.rate(store, code, cy, b, criteria.SIMPLE, 5)
    vision.choose_vision(store, code, key, b)  # a different draft: the room decided again
    assert workshops.status(store, code).rating_closed


def test_the_forecast_of_a_choice_is_what_choosing_does(store, rating_open):
    """A console says beforehand whether a choice closes rating; it asks the rule the domain applies."""
    code, key, _, (a, b) = rating_open
    for pick, reopen_first in ((a, False), (a, True), (b, False), (b, False)):
        if reopen_first:
            vision.reopen_rating(store, code, key)
        st = workshops.status(store, code)
        final = next((s.draft_id for s in vision.summary(store, code, key) if s.final), None)
        forecast = vision.choosing_closes_rating(st.phase, st.rating_closed, final, pick)
        closes_before = len(events(store, "rating_closed"))
        vision.choose_vision(store, code, key, pick)
        assert forecast == (len(events(store, "rating_closed")) > closes_before), (pick, reopen_first)
    assert not vision.choosing_closes_rating("drafting", False, None, a)


def test_past_the_rating_stage_rating_is_closed_without_a_click(store, rating_open):
    code, key, _, (a, _) = rating_open
    vision.choose_vision(store, code, key, a)
    vision.reopen_rating(store, code, key)
    workshops.advance(store, code, key)  # actions
    assert workshops.status(store, code).rating_closed
    assert vision.public_summary(store, code) == vision.summary(store, code, key)
    workshops.undo_phase(store, code, key)  # back to rating, which the facilitator had left open
    assert not workshops.status(store, code).rating_closed
    assert vision.public_summary(store, code) is None


def test_choosing_a_vision_while_drafting_does_not_close_a_rating_not_yet_begun(store, drafting):
    code, key, (ana, _, _) = drafting
    d = vision.add_draft(store, code, ana, "Heard")
    vision.choose_vision(store, code, key, d.id)
    workshops.advance(store, code, key)
    assert not workshops.status(store, code).rating_closed
    vision.rate(store, code, ana, d.id, criteria.SIMPLE, 5)
