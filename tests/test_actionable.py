"""Making it actionable: an action statement and key metrics for each chosen value."""

from __future__ import annotations

import pytest

from workshop import InvalidInput, NotAuthorized, NotFound, WrongPhase
from workshop.core import settings
from workshop.domain import actionable, grouping, voting, workshops

from .domain_helpers import events, refused, vote, voting_workshop


@pytest.fixture
def chosen(store, created):
    """Seven values, of which five were voted in: (code, key, chosen ids, dropped ids)."""
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=7, n_people=1)
    voting.open_round(store, code, key, budget=5)
    vote(store, code, {tokens[0]: {vid: 1 for vid in vids[:5]}})
    voting.close_round(store, code, key)
    return code, key, vids[:5], vids[5:]


def shown(store, code) -> dict[int, tuple[str, tuple[str, ...]]]:
    return {v.id: (v.action_statement, v.metrics) for v in grouping.values(store, code, only_chosen=True)}


def test_each_chosen_value_gets_an_action_statement(store, chosen):
    code, key, ids, _ = chosen
    actionable.set_action_statement(store, code, key, ids[0], "  We reply within one hour.  ")
    assert shown(store, code)[ids[0]] == ("We reply within one hour.", ())
    actionable.set_action_statement(store, code, key, ids[0], "We reply the same hour.")
    assert shown(store, code)[ids[0]][0] == "We reply the same hour."
    assert [e.payload["text"] for e in events(store, "action_statement_set")] == [
        "We reply within one hour.", "We reply the same hour."]


def test_metrics_are_kept_in_order_without_blanks_or_duplicates(store, chosen):
    code, key, ids, _ = chosen
    names = actionable.set_metrics(store, code, key, ids[1], ["First reply time", "", "CSAT", "csat ", " NPS"])
    assert names == ["First reply time", "CSAT", "NPS"]
    assert shown(store, code)[ids[1]][1] == ("First reply time", "CSAT", "NPS")
    actionable.set_metrics(store, code, key, ids[1], ["NPS"])  # replaces, not appends
    assert shown(store, code)[ids[1]][1] == ("NPS",)
    assert shown(store, code)[ids[2]][1] == ()


def test_too_many_or_too_long_metrics_are_refused(store, chosen):
    code, key, ids, _ = chosen
    actionable.set_metrics(store, code, key, ids[0], ["CSAT"])
    with refused(store, InvalidInput, match="8 metrics"):
        actionable.set_metrics(store, code, key, ids[0], [f"M{i}" for i in range(settings.MAX_METRICS_PER_VALUE + 1)])
    with refused(store, InvalidInput, match="limit is 80"):
        actionable.set_metrics(store, code, key, ids[0], ["m" * (settings.MAX_METRIC + 1)])
    with refused(store, InvalidInput, match="limit is 200"):
        actionable.set_action_statement(store, code, key, ids[0], "a" * (settings.MAX_ACTION + 1))
    with refused(store, InvalidInput, match="one line"):
        actionable.set_action_statement(store, code, key, ids[0], "two\nlines")
    assert shown(store, code)[ids[0]] == ("", ("CSAT",))


def test_only_chosen_values_of_this_workshop_get_statements(store, chosen):
    code, key, ids, dropped = chosen
    with refused(store, InvalidInput, match="Only the chosen values"):
        actionable.set_action_statement(store, code, key, dropped[0], "Not chosen")
    with refused(store, InvalidInput, match="Only the chosen values"):
        actionable.set_metrics(store, code, key, dropped[0], ["CSAT"])
    with refused(store, NotFound):
        actionable.set_action_statement(store, code, key, 999_999, "Nothing")


def test_statements_need_the_facilitator_key(store, chosen):
    code, key, ids, _ = chosen
    with refused(store, NotAuthorized):
        actionable.set_action_statement(store, code, "wrong", ids[0], "Sneaky")
    with refused(store, NotAuthorized):
        actionable.set_metrics(store, code, "wrong", ids[0], ["Sneaky"])


def test_statements_wait_for_the_vote(store, created):
    code, key = created
    _, vids = voting_workshop(store, code, key, n_values=5, n_people=1)
    workshops.reopen(store, code, key, "grouping")
    with refused(store, WrongPhase):
        actionable.set_action_statement(store, code, key, vids[0], "Too early")
