"""A participant's page after someone else's vote sends nothing, and still shows every change
it must: every vote in a room repaints every phone (issue 16)."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w
import pytest

from workshop.domain import voting, workshops
from workshop.widgets.countdown import Countdown
from workshop.widgets.participant.app import ParticipantApp

from .domain_helpers import voting_workshop


@pytest.fixture
def sent(monkeypatch):
    """Every synced trait that changed (what a kernel would send to the browser): (widget class, trait)."""
    changes: list[tuple[str, str]] = []
    notify = w.Widget.notify_change

    def recording(self, change):
        if change.get("type") == "change" and change["name"] in self.keys:
            changes.append((type(self).__name__, change["name"]))
        notify(self, change)

    monkeypatch.setattr(w.Widget, "notify_change", recording)
    return changes


def test_the_countdown_sends_the_clock_only_with_a_new_timer(sent):
    c = Countdown()
    end = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
    c.show(end, "Vote")
    clock = c.server_now_ms
    assert clock > 0 and c.ends_at_ms == end.timestamp() * 1000 and c.label == "Vote"
    sent.clear()
    c.show(end, "Vote")
    assert sent == [] and c.server_now_ms == clock
    later = end + dt.timedelta(minutes=1)
    c.show(later, "Vote")
    assert c.ends_at_ms == later.timestamp() * 1000 and ("Countdown", "server_now_ms") in sent
    c.show(later, "Discuss")
    assert c.label == "Discuss"
    c.show(None, "")
    assert (c.ends_at_ms, c.label) == (0, "")


@pytest.fixture
def phone(store, created):
    code, key = created
    tokens, vids = voting_workshop(store, code, key, n_values=6, n_people=3)
    voting.open_round(store, code, key, budget=2)
    app = ParticipantApp(store, code, token=tokens[0], live_interval=None)
    return app, code, key, tokens, vids  # live_interval=None: no poller, the test calls changed()


def _ballot_dots(app) -> list[str]:
    return [line.dots.value for line in app.view._lines.values()]


def test_someone_elses_vote_redraws_nothing(phone, store, sent):
    app, code, key, tokens, vids = phone
    workshops.start_timer(store, code, key, 5, "Vote")
    app.changed()
    sent.clear()
    voting.set_dots(store, code, tokens[1], vids[0], 1)
    voting.set_dots(store, code, tokens[2], vids[1], 2)
    app.changed()
    assert sent == []


def test_a_phone_still_shows_every_change_it_must(phone, store, sent):
    app, code, key, tokens, vids = phone
    before = _ballot_dots(app)
    voting.set_dots(store, code, tokens[0], vids[2], 1)  # their own vote, from another tab
    app.changed()
    assert _ballot_dots(app) != before and 'data-dots="1"' in app.view._lines[vids[2]].dots.value
    assert "1 of 2" in app.view.summary.value

    workshops.start_timer(store, code, key, 3, "Vote")
    app.changed()
    assert app.countdown.ends_at_ms > 0 and app.countdown.label == "Vote"

    voting.set_dots(store, code, tokens[1], vids[2], 2)
    voting.close_round(store, code, key)
    app.changed()
    assert app.view._lines == {} and "Round 1 is closed" in app.view.summary.value
    first = app.view.results.value
    assert "Results of round 1" in first

    # Reopened, voted otherwise and closed again: the same number, another result.
    voting.reopen_last_round(store, code, key)
    app.changed()
    assert app.view._lines and "Round 1" in app.view.summary.value
    voting.set_dots(store, code, tokens[1], vids[2], 0)
    voting.set_dots(store, code, tokens[1], vids[4], 2)
    voting.close_round(store, code, key)
    app.changed()
    assert "Results of round 1" in app.view.results.value and app.view.results.value != first

    voting.settle(store, code, key, [vids[2], vids[4]])
    app.changed()
    assert "The vote is done" in app.view.summary.value

    workshops.advance(store, code, key)  # to drafting
    app.changed()
    assert app.phase == "drafting"
