"""The stakeholder gut check: react to the final vision, the facilitator's live tally, reopening drafting."""

from __future__ import annotations

import pytest

from tests.domain_helpers import go_to, refused
from tests.followup_helpers import finished_workshop
from workshop.core import phases
from workshop.core.errors import InvalidInput, NotAuthorized, WrongPhase
from workshop.domain import audiences, vision, workshops
from workshop.domain.followup import stakeholders


@pytest.fixture
def chosen(store):
    """A workshop with its final vision chosen (stage: actions)."""
    f = finished_workshop(store)
    return f.code, f.key


def test_reactions_are_tallied_for_the_facilitator_and_can_be_changed(store, chosen):
    code, key = chosen
    ana = stakeholders.join(store, code, "Ana (Board)", secret=audiences.secret(store, code, key, "stakeholder")).token
    ben = stakeholders.join(store, code, "Ben (Ops)", secret=audiences.secret(store, code, key, "stakeholder")).token
    stakeholders.react(store, code, ana, stakeholders.LANDS)
    stakeholders.react(store, code, ben, stakeholders.NO, "Reads like every telecom's slogan.")
    tally = stakeholders.tally(store, code, key)
    # Issue 12: with fewer than five reactions nothing is counted per reaction, not even on the comments.
    assert tally.hidden and tally.counts == {"lands": 0, "unsure": 0, "no": 0}
    assert tally.stakeholders == 2 and tally.total == 2
    assert [(c.name, c.reaction, c.comment) for c in tally.comments] == [
        ("Ben (Ops)", "", "Reads like every telecom's slogan.")]
    from tests.test_trust_outputs import stakeholder
    for i in range(stakeholders.MIN_SEGMENT - 2):
        stakeholders.react(store, code, stakeholder(store, code, key, f"Board {i}"), stakeholders.LANDS)
    tally = stakeholders.tally(store, code, key)
    assert not tally.hidden and tally.counts == {"lands": 4, "unsure": 0, "no": 1}
    assert [(c.name, c.reaction) for c in tally.comments] == [("Ben (Ops)", "no")]

    stakeholders.react(store, code, ben, stakeholders.UNSURE, "Better after a second read.")
    tally = stakeholders.tally(store, code, key)
    assert tally.counts == {"lands": 4, "unsure": 1, "no": 0}
    assert tally.comments[0].comment == "Better after a second read."
    mine = stakeholders.gut_check(store, code, ben)
    assert mine.open and mine.vision == workshops.status(store, code).vision
    assert mine.mine.reaction == "unsure" and mine.mine.current


def test_gut_check_waits_for_the_final_vision(store):
    f = finished_workshop(store, upto=phases.RATING)  # a draft to rate, none chosen yet
    code = f.code
    token = stakeholders.join(store, code, "Ana (Board)", secret=audiences.secret(store, code, f.key, "stakeholder")).token
    assert not stakeholders.gut_check(store, code, token).open
    with refused(store, WrongPhase, match="final vision"):
        stakeholders.react(store, code, token, stakeholders.LANDS)


def test_reopening_drafting_pauses_the_gut_check_and_a_new_wording_is_judged_afresh(store, chosen):
    code, key = chosen
    token = stakeholders.join(store, code, "Ana (Board)", secret=audiences.secret(store, code, key, "stakeholder")).token
    stakeholders.react(store, code, token, stakeholders.NO, "Too generic.")

    assert stakeholders.reopen_drafting(store, code, key) == phases.DRAFTING
    assert workshops.status(store, code).phase == phases.DRAFTING
    with refused(store, WrongPhase, match="reworking"):
        stakeholders.react(store, code, token, stakeholders.LANDS)

    go_to(store, code, key, phases.RATING)
    draft = vision.drafts(store, code)[0]
    vision.choose_vision(store, code, key, draft.id, "Honest answers, fixed the first time.")
    tally = stakeholders.tally(store, code, key)
    assert tally.open and tally.total == 0 and tally.earlier == 1
    assert not tally.comments[0].current
    assert not stakeholders.gut_check(store, code, token).mine.current

    stakeholders.react(store, code, token, stakeholders.LANDS)
    tally = stakeholders.tally(store, code, key)
    assert tally.total == 1 and tally.hidden and tally.earlier == 0  # one reaction: counted, not shown (issue 12)


def test_refusals_change_nothing(store, chosen):
    code, key = chosen
    token = stakeholders.join(store, code, "Ana (Board)", secret=audiences.secret(store, code, key, "stakeholder")).token
    member = workshops.join(store, code, name="Room member").token
    with refused(store, InvalidInput, match="three reactions"):
        stakeholders.react(store, code, token, "love it")
    with refused(store, InvalidInput, match="limit is 1000"):
        stakeholders.react(store, code, token, stakeholders.LANDS, "x" * 1001)
    with refused(store, NotAuthorized, match="not for this part"):
        stakeholders.react(store, code, member, stakeholders.LANDS)
    with refused(store, NotAuthorized):
        stakeholders.tally(store, code, "not-the-key")
    with refused(store, NotAuthorized):
        stakeholders.reopen_drafting(store, code, "not-the-key")


def test_anonymous_workshop_shows_comments_without_names(store):
    f = finished_workshop(store, anonymous=True)
    code, key = f.code, f.key
    token = stakeholders.join(store, code, secret=audiences.secret(store, code, key, "stakeholder")).token
    stakeholders.react(store, code, token, stakeholders.UNSURE, "Hmm.")
    comment = stakeholders.tally(store, code, key).comments[0]
    assert comment.name.startswith("Participant ")
