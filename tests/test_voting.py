"""Dot voting in rounds: budgets, caps, changeable votes, ranking, run-offs, until five remain.

Steps are deliberate: closing a round opens nothing; the next step opens when the facilitator opens it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from workshop import BudgetExceeded, InvalidInput, NotAuthorized, WrongPhase
from workshop.domain import audiences, grouping, voting, workshops
from workshop.domain.voting import DONE, ROUND, RUNOFF, default_budget
from workshop.widgets.requests import new_request_id

from .domain_helpers import events, refused, vote, voting_workshop


@pytest.mark.parametrize("candidates, budget", [(1, 1), (2, 1), (3, 1), (5, 1), (6, 2), (12, 4), (14, 4), (30, 10)])
def test_default_budget_is_a_third_of_the_candidates_and_at_least_one(candidates, budget):
    assert default_budget(candidates) == budget


def outcome(result) -> dict[str, str]:
    return {c.name: c.outcome for c in result.candidates}


def chosen(store, code) -> list[str]:
    return sorted(v.name for v in grouping.values(store, code, only_chosen=True))


def close_and_open(store, code, key):
    """Close the open round, then open the step it calls for (the facilitator's two clicks)."""
    result = voting.close_round(store, code, key)
    if not result.next_step.done:
        voting.open_round(store, code, key)
    return result


def test_round_opens_with_the_default_budget_and_target(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=12, n_people=2)
    with refused(store, NotAuthorized):
        voting.open_round(store, code, "wrong")
    assert voting.ballot(store, code, tokens[0]) is None
    assert voting.open_round(store, code, key) == 1
    b = voting.ballot(store, code, tokens[0])
    assert (b.budget, b.cap, b.keep, b.used, b.remaining, b.is_runoff) == (4, None, 5, 0, 4, False)
    assert [line.value_id for line in b.lines] == vids
    with refused(store, WrongPhase, match="already open"):
        voting.open_round(store, code, key)


def test_votes_can_be_changed_until_the_round_closes(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=5, n_people=2)
    voting.open_round(store, code, key, budget=3)
    ana = tokens[0]
    assert voting.set_dots(store, code, ana, vids[0], 2).used == 2
    assert voting.set_dots(store, code, ana, vids[1], 1).remaining == 0
    # Moving a dot: take it off one value, then put it on another.
    voting.set_dots(store, code, ana, vids[0], 1)
    b = voting.set_dots(store, code, ana, vids[2], 1)
    assert {line.value_id: line.my_dots for line in b.lines if line.my_dots} == {vids[0]: 1, vids[1]: 1, vids[2]: 1}
    # Repeating the same request changes nothing.
    assert voting.set_dots(store, code, ana, vids[2], 1).used == 3
    voting.close_round(store, code, key)  # five values for five places: the vote is over
    assert voting.is_finished(store, code)
    with refused(store, WrongPhase, match="No vote round"):
        voting.set_dots(store, code, ana, vids[3], 1)


def test_the_budget_cannot_be_overspent(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=6, n_people=2)
    voting.open_round(store, code, key, budget=3)
    ana, ben = tokens
    voting.set_dots(store, code, ana, vids[0], 2)
    with refused(store, BudgetExceeded, match="1 dots left"):
        voting.set_dots(store, code, ana, vids[1], 2)
    with refused(store, InvalidInput, match="between 0 and 3"):
        voting.set_dots(store, code, ana, vids[0], 4)
    with refused(store, InvalidInput):
        voting.set_dots(store, code, ana, vids[0], -1)
    for not_a_count in [1.5, True, float("inf"), "two"]:
        with refused(store, InvalidInput, match="whole number"):
            voting.set_dots(store, code, ana, vids[0], not_a_count)
    assert voting.set_dots(store, code, ana, vids[0], 2.0).used == 2  # a whole float is fine
    # Another person's dots are their own budget.
    assert voting.set_dots(store, code, ben, vids[1], 3).used == 3
    assert voting.ballot(store, code, ana).used == 2


def test_a_cap_limits_dots_on_one_value(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=12, n_people=1)
    with refused(store, InvalidInput, match="most dots on one value"):
        voting.open_round(store, code, key, budget=4, cap=5)
    voting.open_round(store, code, key, budget=4, cap=2)
    voting.set_dots(store, code, tokens[0], vids[0], 2)
    with refused(store, BudgetExceeded, match="At most 2"):
        voting.set_dots(store, code, tokens[0], vids[1], 3)


def test_only_values_on_the_ballot_and_members_can_be_voted(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=6, n_people=1)
    voting.open_round(store, code, key)
    with refused(store, InvalidInput, match="not on the ballot"):
        voting.set_dots(store, code, tokens[0], 999_999, 1)
    with refused(store, NotAuthorized):
        voting.set_dots(store, code, "stolen", vids[0], 1)
    stakeholder = workshops.join(store, code, "Sam", role="stakeholder",
                                 audience=audiences.secret(store, code, key, "stakeholder")).token
    with refused(store, NotAuthorized):
        voting.set_dots(store, code, stakeholder, vids[0], 1)


def test_open_round_dots_stay_secret_and_progress_shows_only_counts(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=6, n_people=2)
    voting.open_round(store, code, key)
    voting.set_dots(store, code, tokens[0], vids[0], 2)
    [rnd] = voting.rounds(store, code)
    assert rnd.status == "open" and {c.dots for c in rnd.candidates} == {0} and rnd.voters == 1
    assert [(p.name, p.used, p.budget) for p in voting.progress(store, code, key)] == [
        ("Person 1", 2, 2), ("Person 2", 0, 2)]
    with pytest.raises(NotAuthorized):
        voting.progress(store, code, "wrong")


def test_rules_can_change_only_before_anyone_votes(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=6, n_people=1)
    voting.open_round(store, code, key)
    voting.configure_round(store, code, key, budget=3, cap=2, keep=2)
    b = voting.ballot(store, code, tokens[0])
    assert (b.budget, b.cap, b.keep) == (3, 2, 2)
    with refused(store, InvalidInput):
        voting.configure_round(store, code, key, budget=0)
    voting.set_dots(store, code, tokens[0], vids[0], 1)
    with refused(store, WrongPhase, match="already voted"):
        voting.configure_round(store, code, key, budget=5)


def test_closing_ranks_and_keeps_the_top_five(store, created):
    code, key = created
    tokens, v = voting_workshop(store, code, key, n_values=12, n_people=3)
    voting.open_round(store, code, key)
    vote(store, code, {
        tokens[0]: {v[0]: 2, v[1]: 1, v[2]: 1},
        tokens[1]: {v[0]: 1, v[1]: 2, v[3]: 1},
        tokens[2]: {v[2]: 1, v[4]: 1, v[5]: 1, v[0]: 1},
    })
    with refused(store, NotAuthorized):
        voting.close_round(store, code, "wrong")
    result = voting.close_round(store, code, key)
    ranks = {c.name: (c.dots, c.rank, c.outcome) for c in result.candidates}
    assert ranks["Value 0"] == (4, 1, "kept")
    assert ranks["Value 1"] == (3, 2, "kept")
    assert ranks["Value 2"] == (2, 3, "kept")
    # Values 3, 4 and 5 tie at one dot for places 4 to 6: the tie straddles the cut.
    assert {ranks[f"Value {i}"] for i in (3, 4, 5)} == {(1, 4, "runoff")}
    assert {ranks[f"Value {i}"] for i in range(6, 12)} == {(0, 7, "dropped")}
    assert result.voters == 3
    # Closing opens nothing: it says a run-off among the tied values comes next, for the two places left.
    step = result.next_step
    assert (step.kind, step.number, step.keep, step.budget) == (RUNOFF, 2, 2, 1)
    assert [x.value_id for x in step.values] == [v[3], v[4], v[5]]
    assert voting.next_step(store, code) == step
    assert voting.ballot(store, code, tokens[0]) is None
    assert voting.open_round(store, code, key) == 2
    ballot = voting.ballot(store, code, tokens[0])
    assert ballot.is_runoff and ballot.keep == 2 and ballot.budget == 1
    assert [line.value_id for line in ballot.lines] == [v[3], v[4], v[5]]
    vote(store, code, {tokens[0]: {v[3]: 1}, tokens[1]: {v[5]: 1}, tokens[2]: {v[3]: 1}})
    runoff = voting.close_round(store, code, key)
    assert outcome(runoff) == {"Value 3": "kept", "Value 5": "kept", "Value 4": "dropped"}
    assert runoff.next_step.kind == DONE and len(runoff.next_step.values) == 5
    assert chosen(store, code) == ["Value 0", "Value 1", "Value 2", "Value 3", "Value 5"]
    assert voting.is_finished(store, code)
    assert voting.ballot(store, code, tokens[0]) is None
    assert events(store, "values_chosen")[-1].payload["values"] == [v[0], v[1], v[2], v[3], v[5]]
    workshops.advance(store, code, key)  # drafting may begin
    assert workshops.status(store, code).phase == "drafting"


def test_a_tie_at_the_cut_that_fits_keeps_all_tied_values(store, created):
    code, key = created
    tokens, v = voting_workshop(store, code, key, n_values=7, n_people=1)
    voting.open_round(store, code, key, budget=6)
    vote(store, code, {tokens[0]: {v[0]: 2, v[1]: 1, v[2]: 1, v[3]: 1, v[4]: 1}})
    result = voting.close_round(store, code, key)
    assert outcome(result) == {**{f"Value {i}": "kept" for i in range(5)}, "Value 5": "dropped", "Value 6": "dropped"}
    assert chosen(store, code) == [f"Value {i}" for i in range(5)]


def test_rounds_repeat_until_the_target_remains(store, created):
    code, key = created
    tokens, v = voting_workshop(store, code, key, n_values=12, n_people=1)
    voting.open_round(store, code, key, budget=8, keep=8)
    vote(store, code, {tokens[0]: {v[i]: 1 for i in range(8)}})
    first = close_and_open(store, code, key)
    assert sum(c.outcome == "kept" for c in first.candidates) == 8
    assert not voting.is_finished(store, code)
    assert (first.next_step.kind, first.next_step.number, first.next_step.keep) == (ROUND, 2, 5)
    # A second round among the eight survivors, with the default budget and the target.
    ballot = voting.ballot(store, code, tokens[0])
    assert (ballot.round_number, ballot.is_runoff, ballot.budget, ballot.keep) == (2, False, 2, 5)
    assert [line.value_id for line in ballot.lines] == v[:8]
    # Nobody votes: all eight tie, so a run-off for all five places follows...
    second = close_and_open(store, code, key)
    assert set(outcome(second).values()) == {"runoff"}
    # ...and a tie again gives yet another run-off, until the room decides.
    vote(store, code, {tokens[0]: {v[7]: 2}})
    third = close_and_open(store, code, key)
    assert outcome(third)["Value 7"] == "kept"
    assert [c.outcome for c in third.candidates].count("runoff") == 7
    ballot = voting.ballot(store, code, tokens[0])
    assert ballot.keep == 4 and len(ballot.lines) == 7
    vote(store, code, {tokens[0]: {v[0]: 1, v[1]: 1}})
    fourth = close_and_open(store, code, key)
    assert [c.outcome for c in fourth.candidates].count("runoff") == 5  # 2 kept, 5 tie for 2 places
    vote(store, code, {tokens[0]: {v[2]: 1}})
    close_and_open(store, code, key)
    ballot = voting.ballot(store, code, tokens[0])
    assert ballot.keep == 1 and len(ballot.lines) == 4
    vote(store, code, {tokens[0]: {v[6]: 1}})
    voting.close_round(store, code, key)
    assert chosen(store, code) == ["Value 0", "Value 1", "Value 2", "Value 6", "Value 7"]
    assert [r.number for r in voting.rounds(store, code)] == [1, 2, 3, 4, 5, 6]
    assert all(r.status == "closed" for r in voting.rounds(store, code))


def test_a_round_closed_by_mistake_can_be_reopened(store, created):
    code, key = created
    tokens, v = voting_workshop(store, code, key, n_values=7, n_people=1)
    with refused(store, WrongPhase, match="No round has been closed"):
        voting.reopen_last_round(store, code, key)
    voting.open_round(store, code, key, budget=2)
    # The first round is open and nobody has voted: there is still nothing closed to reopen.
    with refused(store, WrongPhase, match="No round has been closed"):
        voting.reopen_last_round(store, code, key)
    vote(store, code, {tokens[0]: {v[0]: 1, v[1]: 1}})
    close_and_open(store, code, key)  # five tie at zero for three places: the run-off is opened
    assert voting.ballot(store, code, tokens[0]).is_runoff
    with refused(store, NotAuthorized):
        voting.reopen_last_round(store, code, "wrong")
    assert voting.reopen_last_round(store, code, key) == 1
    ballot = voting.ballot(store, code, tokens[0])
    assert (ballot.round_number, ballot.used, ballot.is_runoff) == (1, 2, False)  # the votes are kept
    assert [r.number for r in voting.rounds(store, code)] == [1]
    voting.set_dots(store, code, tokens[0], v[1], 0)
    voting.set_dots(store, code, tokens[0], v[2], 1)
    # Once somebody voted in the run-off it must be closed, not thrown away.
    close_and_open(store, code, key)
    voting.set_dots(store, code, tokens[0], voting.ballot(store, code, tokens[0]).lines[0].value_id, 1)
    with refused(store, WrongPhase, match="already has votes"):
        voting.reopen_last_round(store, code, key)


# ---- deliberate steps: closing opens nothing; the facilitator opens the next step ------------

def tied_at_the_cut(store, code, key):
    """Seven values, two people, keep three: Values 0 and 1 are clear, Values 2 and 3 tie for the third place."""
    tokens, v = voting_workshop(store, code, key, n_values=7, n_people=2)
    voting.open_round(store, code, key, budget=3, keep=3)
    vote(store, code, {tokens[0]: {v[0]: 2, v[2]: 1}, tokens[1]: {v[1]: 2, v[3]: 1}})
    return tokens, v


def test_closing_a_round_opens_nothing(store, created):
    code, key = created
    tokens, v = tied_at_the_cut(store, code, key)
    result = voting.close_round(store, code, key)
    assert outcome(result)["Value 2"] == outcome(result)["Value 3"] == "runoff"
    assert result.next_step.kind == RUNOFF
    # No ballot anywhere, no open round, no dot can be placed: the room talks about the result first.
    assert [voting.ballot(store, code, t) for t in tokens] == [None, None]
    assert [r.status for r in voting.rounds(store, code)] == ["closed"]
    assert voting.progress(store, code, key) == []
    assert [e.payload["round"] for e in events(store, "round_opened")] == [1]
    assert events(store, "round_closed")[-1].payload["next"] == RUNOFF
    with refused(store, WrongPhase, match="No vote round"):
        voting.set_dots(store, code, tokens[0], v[2], 1)
    assert not voting.is_finished(store, code)
    # Asking what comes next, however often, opens nothing either.
    assert voting.next_step(store, code) == voting.next_step(store, code) == result.next_step
    assert voting.ballot(store, code, tokens[0]) is None


def test_a_tie_opens_the_runoff_among_the_tied_values_only_when_the_facilitator_says_so(store, created):
    code, key = created
    tokens, v = tied_at_the_cut(store, code, key)
    step = voting.close_round(store, code, key).next_step
    # Two places were secured (Values 0 and 1), so the run-off between the two tied values keeps one.
    assert (step.kind, step.number, step.keep, step.budget, step.is_runoff) == (RUNOFF, 2, 1, 1, True)
    assert [(x.value_id, x.name) for x in step.values] == [(v[2], "Value 2"), (v[3], "Value 3")]
    # Only the facilitator opens it: not a participant, not a wrong key.
    with refused(store, NotAuthorized):
        voting.open_round(store, code, tokens[0])
    with refused(store, NotAuthorized):
        voting.open_round(store, code, "wrong")
    # The run-off's places are fixed by the round before; a stale screen that expected a round opens nothing.
    with refused(store, InvalidInput, match="how many places this run-off fills: 1"):
        voting.open_round(store, code, key, keep=2)
    with refused(store, WrongPhase, match="changed meanwhile"):
        voting.open_round(store, code, key, expect=ROUND)
    assert voting.open_round(store, code, key, budget=1, expect=RUNOFF) == 2
    ballot = voting.ballot(store, code, tokens[1])
    assert (ballot.round_number, ballot.is_runoff, ballot.keep, ballot.budget) == (2, True, 1, 1)
    assert [line.value_id for line in ballot.lines] == [v[2], v[3]]
    with refused(store, WrongPhase, match="already open"):
        voting.open_round(store, code, key)
    with refused(store, InvalidInput, match="how many places this run-off fills: 1"):
        voting.configure_round(store, code, key, budget=2, keep=3)
    voting.configure_round(store, code, key, budget=2)  # its dots may still change
    assert voting.next_step(store, code) is None  # nothing to open while a round is open
    vote(store, code, {tokens[0]: {v[3]: 1}, tokens[1]: {v[3]: 1}})
    final = voting.close_round(store, code, key)
    assert final.next_step.kind == DONE and voting.next_step(store, code).kind == DONE
    assert chosen(store, code) == ["Value 0", "Value 1", "Value 3"]


def test_the_next_round_opens_among_the_survivors_with_the_rules_the_facilitator_sets(store, created):
    code, key = created
    tokens, v = voting_workshop(store, code, key, n_values=12, n_people=1)
    voting.open_round(store, code, key, budget=8, keep=8)
    vote(store, code, {tokens[0]: {v[i]: 1 for i in range(8)}})
    step = voting.close_round(store, code, key).next_step
    assert (step.kind, step.number, step.keep, step.budget) == (ROUND, 2, 5, 2)
    assert [x.value_id for x in step.values] == v[:8]
    assert voting.ballot(store, code, tokens[0]) is None
    with refused(store, InvalidInput, match="number of values to keep"):
        voting.open_round(store, code, key, keep=9)
    assert voting.open_round(store, code, key, budget=3, cap=2, keep=4, expect=ROUND) == 2
    ballot = voting.ballot(store, code, tokens[0])
    assert (ballot.is_runoff, ballot.budget, ballot.cap, ballot.keep) == (False, 3, 2, 4)
    assert [line.value_id for line in ballot.lines] == v[:8]


def test_when_the_target_remains_nothing_more_opens_until_the_close_is_undone(store, created):
    code, key = created
    tokens, v = voting_workshop(store, code, key, n_values=7, n_people=1)
    voting.open_round(store, code, key, budget=5)
    vote(store, code, {tokens[0]: {v[i]: 1 for i in range(5)}})
    step = voting.close_round(store, code, key).next_step
    assert (step.kind, step.number, step.keep) == (DONE, None, 5)
    assert [x.name for x in step.values] == [f"Value {i}" for i in range(5)]
    assert voting.is_finished(store, code)
    with refused(store, WrongPhase, match="The vote is over"):
        voting.open_round(store, code, key)
    assert voting.reopen_last_round(store, code, key) == 1
    assert not voting.is_finished(store, code) and voting.ballot(store, code, tokens[0]).used == 5


def test_undo_works_before_and_after_the_next_step_is_opened(store, created):
    code, key = created
    tokens, _v = tied_at_the_cut(store, code, key)
    voting.close_round(store, code, key)
    assert voting.reopen_last_round(store, code, key) == 1  # nothing was opened: the close is undone
    assert voting.ballot(store, code, tokens[0]).round_number == 1
    voting.close_round(store, code, key)
    voting.open_round(store, code, key)
    assert voting.reopen_last_round(store, code, key) == 1  # the untouched run-off is dropped
    assert [r.number for r in voting.rounds(store, code)] == [1]
    assert voting.next_step(store, code) is None


def test_the_room_that_cannot_break_a_tie_can_be_settled_before_the_runoff_opens(store, created):
    code, key = created
    _tokens, v = tied_at_the_cut(store, code, key)
    voting.close_round(store, code, key)
    voting.settle(store, code, key, [v[0], v[1], v[2]])
    assert chosen(store, code) == ["Value 0", "Value 1", "Value 2"]
    assert voting.next_step(store, code).kind == DONE
    with refused(store, WrongPhase, match="The vote is over"):
        voting.open_round(store, code, key)


def test_a_repeated_request_opens_the_next_step_once(store, created):
    code, key = created
    tokens, v = tied_at_the_cut(store, code, key)
    closing = new_request_id()
    result = voting.close_round(store, code, key, request_id=closing)
    # The retried close answers the same result, what comes next included, and closes nothing else.
    assert voting.close_round(store, code, key, request_id=closing) == result
    assert result.next_step.kind == RUNOFF
    rid = new_request_id()
    assert voting.open_round(store, code, key, request_id=rid) == 2
    assert voting.open_round(store, code, key, request_id=rid) == 2
    assert [(r.number, r.status) for r in voting.rounds(store, code)] == [(1, "closed"), (2, "open")]
    # Even once the run-off is closed and another step is due, the old click opens nothing new.
    vote(store, code, {tokens[0]: {v[2]: 1}})
    voting.close_round(store, code, key)
    assert voting.open_round(store, code, key, request_id=rid) == 2
    assert len(voting.rounds(store, code)) == 2
    assert len(events(store, "round_opened")) == 2


def test_the_facilitator_can_settle_a_tie_the_room_cannot_break(store, created):
    code, key = created
    tokens, v = voting_workshop(store, code, key, n_values=7, n_people=1)
    voting.open_round(store, code, key)
    with refused(store, InvalidInput):
        voting.settle(store, code, key, [])
    with refused(store, InvalidInput):
        voting.settle(store, code, key, [999_999])
    with refused(store, NotAuthorized):
        voting.settle(store, code, "wrong", v[:5])
    voting.settle(store, code, key, v[:5])
    assert chosen(store, code) == [f"Value {i}" for i in range(5)]
    assert voting.ballot(store, code, tokens[0]) is None


def test_voting_needs_the_voting_stage(store, created):
    code, key = created
    tokens, v = voting_workshop(store, code, key, n_values=6, n_people=1)
    workshops.reopen(store, code, key, "grouping")
    with refused(store, WrongPhase):
        voting.open_round(store, code, key)
    workshops.advance(store, code, key)
    voting.open_round(store, code, key)
    workshops.reopen(store, code, key, "grouping")
    with refused(store, WrongPhase):
        voting.set_dots(store, code, tokens[0], v[0], 1)


# ---- property: any sequence of changes keeps the budget and the cap ----------------------

moves = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4), st.integers(-1, 5)), min_size=1, max_size=20)


@hsettings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=moves, budget=st.integers(1, 4), cap=st.one_of(st.none(), st.integers(1, 4)))
def test_any_sequence_of_vote_changes_keeps_budget_and_cap(store, moves, budget, cap):
    cap = None if cap is None else min(cap, budget)
    c = workshops.create_workshop(store, "Property")
    tokens, vids = voting_workshop(store, c.code, c.key, n_values=5, n_people=3)
    voting.open_round(store, c.code, c.key, budget=budget, cap=cap)
    model = {t: {} for t in tokens}  # what each person should hold after the accepted moves
    for who, which, dots in moves:
        token, value = tokens[who], vids[which]
        others = sum(d for vid, d in model[token].items() if vid != value)
        try:
            voting.set_dots(store, c.code, token, value, dots)
        except InvalidInput:
            assert not 0 <= dots <= budget
        except BudgetExceeded:
            assert (cap is not None and dots > cap) or others + dots > budget
        else:
            assert 0 <= dots <= budget and (cap is None or dots <= cap) and others + dots <= budget
            model[token][value] = dots
    for token in tokens:
        ballot = voting.ballot(store, c.code, token)
        held = {line.value_id: line.my_dots for line in ballot.lines if line.my_dots}
        assert held == {vid: d for vid, d in model[token].items() if d}
        assert ballot.used <= budget
    result = voting.close_round(store, c.code, c.key)
    totals = {cand.value_id: cand.dots for cand in result.candidates}
    for vid in vids:
        assert totals[vid] == sum(model[t].get(vid, 0) for t in tokens)


# ---- the phone between rounds: closed, wait for the facilitator; the new ballot appears in place ----

def test_the_phone_says_the_round_is_closed_and_shows_the_new_ballot_when_it_opens(store, created):
    from workshop.i18n import translator
    from workshop.widgets.participant.base import Visitor
    from workshop.widgets.participant.voting import VotingView

    code, key = created
    tokens, v = tied_at_the_cut(store, code, key)
    view = VotingView(Visitor(store, code, tokens[0], "Person 1", translator("en")), workshops.status(store, code))
    assert len(view.lines.children) == 7 and "Dots left: 0 of 3" in view.summary.value
    voting.close_round(store, code, key)
    view.refresh(workshops.status(store, code))
    assert view.lines.children == ()
    assert "Round 1 is closed" in view.summary.value and "Value 2, Value 3 tie at the cut" in view.summary.value
    assert "when the facilitator opens it" in view.summary.value
    assert "Results of round 1" in view.results.value  # the whole room may see a closed round's result
    voting.open_round(store, code, key)
    view.refresh(workshops.status(store, code))
    assert [line.value_id for line in view.lines.children] == [v[2], v[3]]
    assert "Run-off" in view.summary.value and "Dots left: 1 of 1" in view.summary.value
    view.lines.children[1].plus.click()
    assert voting.ballot(store, code, tokens[0]).used == 1
    vote(store, code, {tokens[1]: {v[3]: 1}})
    voting.close_round(store, code, key)
    view.refresh(workshops.status(store, code))
    assert "The vote is done" in view.summary.value and "Results of run-off 2" in view.results.value
