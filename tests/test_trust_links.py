"""Facilitator links without the right key show nothing of the workshop, whatever is sent to the kernel."""

from __future__ import annotations

import pytest

from tests.test_trust_widgets import people, poke_everything, snapshot
from tests.widget_client import WidgetClient
from workshop.core import phases
from workshop.core.errors import NotAuthorized
from workshop.demo import seed as demo
from workshop.domain import throttle, workshops

pytestmark = pytest.mark.slow

STAGES = ["00-facilitator", "03-brainstorm", "05-voting", "06-vision"]


def secrets_of_the_demo() -> list[str]:
    d = demo.load()
    return [text for _, text in d["cards"]] + list(d["participants"]) + [t for _, t in d["drafts"]]


@pytest.mark.parametrize("notebook", STAGES)
def test_a_facilitator_page_with_a_wrong_key_reveals_and_changes_nothing(server, notebook):
    code, key = server.seed(phases.RATING)
    room = people(server.store, code)
    before = snapshot(server.store, code, room)
    with WidgetClient(server.facilitator_url(code, "not-the-key", f"{notebook}.ipynb")) as client:
        assert client.find(cls="ws-key-gate"), "the page asks for the key"
        poke_everything(client)  # types "poke" as the key, clicks Open, flips every trait
        client.request_states()
        text = client.all_text()
    leaked = [s for s in secrets_of_the_demo() if s in text]
    assert leaked == [], f"{len(leaked)} things of the workshop shown without the key"
    assert snapshot(server.store, code, room) == before
    assert workshops.status(server.store, code).phase == phases.RATING


def test_the_right_key_still_opens_after_someone_guessed_wrong(server):
    """A participant who knows the join code types wrong keys; the facilitator must still get in."""
    code, key = server.create("Lockout")
    limit, _ = throttle.LIMITS["key"]
    for i in range(limit):
        assert workshops.check_key(server.store, code, f"guess-{i}") is False
    with pytest.raises(NotAuthorized, match="Too many wrong facilitator keys"):
        workshops.check_key(server.store, code, "another-guess")  # guessing is slowed
    with WidgetClient(server.facilitator_url(code, key, "00-facilitator.ipynb")) as client:
        client.request_states()
        assert not client.find(cls="ws-key-gate"), "the facilitator is locked out by a guesser"
        assert "Lockout" in client.all_text()
