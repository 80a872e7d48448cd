"""A participant who speaks the widget protocol by hand cannot steer the workshop or see what is hidden.

The client (tests/widget_client.py) opens the participant page over HTTP and
talks to its kernel over the websocket, as the browser would, but it sets
any trait of any widget, clicks disabled buttons and replays clicks. The
workshop's state is read straight from the database before and after.
"""

from __future__ import annotations

import html

import pytest
from sqlalchemy import or_, select

from tests.widget_client import WidgetClient, is_button
from workshop.core import phases
from workshop.demo import seed as demo
from workshop.domain import voting
from workshop.store.schema import Card, CoreValue, Participant, Rating, VisionDraft, Vote, VoteRound, Workshop

pytestmark = pytest.mark.slow


# ---- what the database says ---------------------------------------------------------------------
def people(store, code: str) -> set[int]:
    with store.reading() as tx:
        return set(tx.session.execute(select(Participant.id).join(Workshop).where(Workshop.code == code)).scalars())


def snapshot(store, code: str, of: set[int] | None = None) -> dict:
    """Everything a participant must not be able to change, as plain data.

    ``of``: the participants whose work is compared (those in the room before
    the attacker came; the attacker may legitimately join again under a new name)."""
    of = people(store, code) if of is None else of
    with store.reading() as tx:
        s = tx.session
        ws = s.execute(select(Workshop).where(Workshop.code == code)).scalar_one()
        others = lambda model: or_(model.participant_id.is_(None),  # noqa: E731
                                   model.participant_id.in_(of or {-1}))
        return {
            "workshop": {k: str(getattr(ws, k)) for k in ("phase", "cards_revealed", "vision", "final_draft_id",
                                                          "timer_ends_at", "title", "question", "anonymous",
                                                          "vote_target", "settings")},
            "cards": sorted((c.id, c.participant_id, c.text, c.withdrawn, c.value_id)
                            for c in s.execute(select(Card).where(Card.workshop_id == ws.id, others(Card))).scalars()),
            "values": sorted((v.id, v.name, v.description, v.removed, v.chosen, v.action_statement)
                             for v in s.execute(select(CoreValue).where(CoreValue.workshop_id == ws.id)).scalars()),
            "rounds": sorted((r.id, r.number, r.budget, r.cap, r.status)
                             for r in s.execute(select(VoteRound).where(VoteRound.workshop_id == ws.id)).scalars()),
            "votes": sorted((v.round_id, v.participant_id, v.value_id, v.dots)
                            for v in s.execute(select(Vote).join(VoteRound).where(
                                VoteRound.workshop_id == ws.id, others(Vote))).scalars()),
            "drafts": sorted((d.id, d.text, d.withdrawn)
                             for d in s.execute(select(VisionDraft).where(VisionDraft.workshop_id == ws.id,
                                                                          others(VisionDraft))).scalars()),
            "ratings": sorted((r.draft_id, r.participant_id, r.criterion, r.score)
                              for r in s.execute(select(Rating).join(VisionDraft).where(
                                  VisionDraft.workshop_id == ws.id, others(Rating))).scalars()),
        }


def participant_id(store, code: str, name: str) -> int:
    with store.reading() as tx:
        return tx.session.execute(select(Participant.id).join(Workshop).where(
            Workshop.code == code, Participant.display_name == name)).scalar_one()


def my_dots(store, code: str, pid: int) -> list[int]:
    with store.reading() as tx:
        return [v.dots for v in tx.session.execute(select(Vote).join(VoteRound).join(
            Workshop, Workshop.id == VoteRound.workshop_id).where(
            Workshop.code == code, Vote.participant_id == pid, VoteRound.status == "open")).scalars()]


# ---- what an attacker does ------------------------------------------------------------------------
def poke_everything(client: WidgetClient) -> int:
    """Set every trait of every widget to something else, then click every button. Returns messages sent."""
    sent = 0
    client.request_states()
    for model in list(client.models.values()):
        if model.model_name == "LayoutModel" or model.model_name.endswith("StyleModel"):
            continue  # presentation only, and every bad value costs the kernel a traceback
        for trait, value in model.state.items():
            if trait.startswith("_") or trait in ("layout", "style", "children", "tabbable", "tooltip"):
                continue
            if isinstance(value, bool):
                new = not value
            elif isinstance(value, (int, float)):
                new = value + 1
            elif isinstance(value, str):
                new = "poke"
            else:
                continue
            client.update(model.model_id, **{trait: new})
            sent += 1
        if "options" in model.state or "_options_labels" in model.state:
            for index in range(len(model.state.get("_options_labels", []))):
                client.update(model.model_id, index=index)
                sent += 1
        if is_button(model):
            client.click(model.model_id)
            sent += 2
    client.idle()
    # Second pass: widgets that the first pass created (a new stage view, an edit form).
    return sent + client.click_every_button()


@pytest.fixture
def attacker(server):
    clients: list[WidgetClient] = []

    def open_as(code: str, name: str) -> WidgetClient:
        client = WidgetClient(server.participant_url(code)).open()
        clients.append(client)
        client.join(name)
        return client

    yield open_as
    for c in clients:
        c.close()


def other_card_texts() -> list[str]:
    return [text for _, text in demo.load()["cards"]]


def test_no_card_of_anyone_else_reaches_the_kernel_before_the_reveal(server, attacker):
    code, _ = server.seed(phases.BRAINSTORM)
    client = attacker(code, "Mallory")
    client.update(client.one(cls="ws-card-entry").model_id, value="Mallory's own idea")
    add = client.one(cls="ws-add-card").model_id
    # "Add card" is a SendButton: its click carries the box's words, as a browser's does.
    assert add in [b.model_id for b in client.buttons()]
    client.click(add)
    client.wait_until(lambda c: "Mallory&#x27;s own idea" in c.all_text() or "Mallory's own idea" in c.all_text(),
                      what="the attacker's own card")
    poke_everything(client)
    client.request_states()
    leaked = [t for t in other_card_texts() if t in client.all_text() or _escaped(t) in client.all_text()]
    assert leaked == [], f"{len(leaked)} hidden cards are in the participant's kernel"
    # The room's count is public; the words are not.
    assert workshops_status(server, code).cards_revealed is False


def test_every_trait_and_every_button_cannot_advance_reveal_or_touch_others(server, attacker):
    code, _ = server.seed(phases.BRAINSTORM)
    room = people(server.store, code)
    before = snapshot(server.store, code, room)
    client = attacker(code, "Mallory")
    sent = poke_everything(client)
    sent += poke_everything(client)
    after = snapshot(server.store, code, room)
    assert after == before, "a participant changed the workshop or someone else's work"
    assert after["workshop"]["phase"] == phases.BRAINSTORM
    assert after["workshop"]["cards_revealed"] == "False"
    assert sent > 50, "the attack sent few messages: the client found no widgets"


def test_vote_round_hides_other_votes_and_refuses_dots_beyond_the_budget(server, attacker):
    code, key = server.seed(phases.VOTING)
    room = people(server.store, code)
    before = snapshot(server.store, code, room)
    assert before["votes"], "the demo room has voted"
    client = attacker(code, "Mallory")
    me = participant_id(server.store, code, "Mallory")
    ballot = voting.ballot(server.store, code, _token(client))
    pluses = [m for m in client.buttons() if (m.state.get("tooltip") or "").startswith("Add a dot to ")]
    assert pluses, "the ballot has + buttons"

    # Hammer one value's +, re-enabling it each time, far beyond the budget.
    for _ in range(ballot.budget + 5):
        client.click(pluses[0].model_id)
    # And every other + too, in case the cap is per value.
    for plus in pluses[1:]:
        for _ in range(ballot.budget):
            client.click(plus.model_id)
    client.idle()
    spent = my_dots(server.store, code, me)
    # Every dot the budget allows was placed; not one more.
    assert sum(spent) == ballot.budget, spent
    if ballot.cap:
        assert max(spent) <= ballot.cap
    client.request_states()
    text = client.all_text()
    assert f"Dots left: 0 of {ballot.budget}" in text
    # The refusal is said in words, not silently swallowed.
    assert "dots left; take some off another value first" in text or "dots can go on one value" in text
    # Others' dots: no result bars while the round is open, and every ballot line shows my dots only.
    assert 'class="ws-result' not in text
    poke_everything(client)
    assert sum(my_dots(server.store, code, me)) <= ballot.budget
    after = snapshot(server.store, code, room)
    assert after["votes"] == before["votes"], "someone else's votes changed"
    assert after["rounds"] == before["rounds"], "a participant opened, closed or reconfigured a round"
    assert after["workshop"]["phase"] == phases.VOTING


def test_code_sent_to_the_kernel_is_never_run(server, tmp_path):
    code, _ = server.seed(phases.BRAINSTORM)
    marker = tmp_path / "pwned"
    before = snapshot(server.store, code)
    with WidgetClient(server.participant_url(code)) as client:
        client.execute(f"open({str(marker)!r}, 'w').write('x')\n"
                       f"from workshop import workshops\n")
        client.send("inspect_request", {"code": "import os", "cursor_pos": 5, "detail_level": 0})
        client.send("complete_request", {"code": "import o", "cursor_pos": 8})
        client.idle()  # everything above has been handled (or dropped) by now
        replies = []
        while not client.messages.empty():
            replies.append(client.messages.get_nowait())
    assert not marker.exists(), "an execute_request ran code in a participant's kernel"
    kinds = {m["header"]["msg_type"] for m in replies}
    assert not kinds & {"execute_reply", "execute_result", "inspect_reply", "complete_reply"}, kinds
    assert 'Received message of type "execute_request", which is not allowed' in server.log(400000)
    assert snapshot(server.store, code) == before


# ---- helpers ----------------------------------------------------------------------------------
def _escaped(text: str) -> str:
    return html.escape(text, quote=True)


def _token(client: WidgetClient) -> str:
    token = client.token()
    assert token, "the kernel told the browser to remember a token"
    return token


def workshops_status(server, code):
    from workshop.domain import workshops
    return workshops.status(server.store, code)
