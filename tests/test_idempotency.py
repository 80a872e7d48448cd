"""Retries after a lost commit: every action is applied once, and the retry answers what the first try did.

A lost commit: the database commits, then the connection drops before the
answer comes back (simulated by raising OperationalError right after the
commit). The store retries such errors by itself (``_retrying``), and a
visitor may click again; actions that are not naturally idempotent carry a
request id (``@action(..., request_id=...)``), the others set absolute values.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.domain_helpers import go_to, join_many
from tests.faults import FIGURES
from tests.followup_helpers import finished_workshop
from workshop.core import criteria, phases
from workshop.core.errors import InvalidInput, NotAuthorized, StoreUnavailable, WrongPhase
from workshop.domain import actionable, audiences, cards, grouping, vision, voting, workshops
from workshop.domain.followup import hiring, stakeholders, survey
from workshop.store import replay
from workshop.store.schema import ActionResult, Card, CoreValue, Participant, VisionDraft
from workshop.widgets.facilitator.app import FacilitatorApp
from workshop.widgets.requests import new_request_id


@contextmanager
def lost_commits(times: int = 1):
    """The next ``times`` write transactions commit, but their caller sees the connection drop."""
    left = [times]

    def after_commit(session):
        bind = session.get_bind()
        if left[0] > 0 and bind.get_execution_options().get("workshop_write"):
            left[0] -= 1
            raise OperationalError("COMMIT", {}, ConnectionResetError("connection lost after the commit"))

    event.listen(Session, "after_commit", after_commit)
    try:
        yield left
    finally:
        event.remove(Session, "after_commit", after_commit)
    assert left[0] == 0, "the fault was not reached"


def count(store, model, *where) -> int:
    with store.reading() as tx:
        return tx.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


def retried(fn, *args, **kwargs):
    """Call ``fn`` with one lost commit; the store retries by itself. Returns what the caller was answered."""
    FIGURES.faults_injected += 1
    with lost_commits(1):
        first = fn(*args, **kwargs)
    FIGURES.faults_survived += 1
    FIGURES.actions_acknowledged += 1
    return first


def applied_once(n: int) -> None:
    if n > 1:
        FIGURES.applied_twice += 1
    if n < 1:
        FIGURES.actions_lost += 1
    assert n == 1, f"applied {n} times"


# ---- the mechanism -----------------------------------------------------------------------------

def test_without_a_request_id_a_lost_commit_is_reported_wrongly_or_applied_twice(store, created):
    """What the request id is for: the store's own retry repeats a join that did commit."""
    code, _ = created
    with lost_commits(1), pytest.raises(InvalidInput, match="already joined as"):
        workshops.join(store, code, "Ana")  # joined, yet told the name is taken
    anonymous = workshops.create_workshop(store, "Anonymous", anonymous=True)
    with lost_commits(1):
        workshops.join(store, anonymous.code)
    assert count(store, Participant) == 3  # a second participant: the faults are real


def test_join_retried_after_a_lost_commit_makes_one_participant_with_one_token(store, created):
    code, _ = created
    rid = new_request_id()
    joined = retried(workshops.join, store, code, "Ana", request_id=rid)
    applied_once(count(store, Participant))
    assert not joined.rejoined
    assert workshops.whoami(store, code, joined.token).participant_id == joined.participant_id
    # The visitor clicks Join again with the same gesture: the same answer, nobody new.
    assert workshops.join(store, code, "Ana", request_id=rid) == joined
    applied_once(count(store, Participant))
    # A new gesture is a new request.
    assert workshops.join(store, code, "Ben", request_id=new_request_id()).name == "Ben"
    assert count(store, Participant) == 2


def test_create_value_retried_answers_the_same_id_not_already_exists(store, created):
    code, key = created
    go_to(store, code, key, phases.BRAINSTORM)
    [token] = join_many(store, code, 1)
    card = cards.add_card(store, code, token, "Kind words").id
    cards.reveal(store, code, key)
    rid = new_request_id()
    value_id = retried(grouping.create_value, store, code, key, "Kindness", card_ids=[card], request_id=rid)
    applied_once(count(store, CoreValue))
    assert grouping.create_value(store, code, key, "Kindness", card_ids=[card], request_id=rid) == value_id
    applied_once(count(store, CoreValue))
    assert [v.name for v in grouping.values(store, code)] == ["Kindness"]


def test_a_recorded_result_holds_neither_the_request_id_nor_the_token_in_clear(store, created):
    code, _ = created
    rid = new_request_id()
    joined = workshops.join(store, code, "Ana", request_id=rid)
    with store.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(ActionResult))]
        dumped = " ".join(str(c) for r in rows for c in r)
    assert len(rows) == 1
    assert joined.token not in dumped and rid not in dumped and "Ana" not in dumped
    # Another workshop with the same request id is another request.
    other = workshops.create_workshop(store, "Other")
    assert workshops.join(store, other.code, "Ana", request_id=rid).participant_id != joined.participant_id


def test_a_refused_action_records_nothing_so_a_corrected_retry_runs(store, created):
    code, key = created
    go_to(store, code, key, phases.BRAINSTORM)
    rid = new_request_id()
    grouping.create_value(store, code, key, "Kindness")
    with pytest.raises(Exception, match="already"):
        grouping.create_value(store, code, key, "kindness", request_id=rid)
    assert count(store, ActionResult) == 0
    assert grouping.create_value(store, code, key, "Speed", request_id=rid)
    assert count(store, CoreValue) == 2


def test_a_repeated_request_id_is_answered_only_to_whoever_has_the_right(store, room):
    """A request id is no key: a repeat passes the same right check as the first request
    (the domain's), so whoever learns an id without the key or token reads nothing."""
    code, key, (ana, _) = room
    rid = new_request_id()
    card = cards.add_card(store, code, ana, "Kind words", request_id=rid)
    value_rid = new_request_id()
    value_id = grouping.create_value(store, code, key, "Kindness", card_ids=[card.id], request_id=value_rid)
    for wrong in ("", "not-the-key", ana):
        with pytest.raises(NotAuthorized):
            grouping.create_value(store, code, wrong, "Kindness", card_ids=[card.id], request_id=value_rid)
    for wrong in ("", "not-a-token", key):
        with pytest.raises(NotAuthorized):
            cards.add_card(store, code, wrong, "Kind words", request_id=rid)
    # Another workshop's key does not open this one's results either.
    other = workshops.create_workshop(store, "Other")
    with pytest.raises(NotAuthorized):
        grouping.create_value(store, code, other.key, "Kindness", card_ids=[card.id], request_id=value_rid)
    # With the right, the repeat is answered as before, and nothing is applied twice.
    assert grouping.create_value(store, code, key, "Kindness", card_ids=[card.id], request_id=value_rid) == value_id
    assert cards.add_card(store, code, ana, "Kind words", request_id=rid) == card
    applied_once(count(store, CoreValue))
    applied_once(count(store, Card))


def test_a_repeated_join_is_refused_once_joining_is_closed(store, created):
    """Joining's right is the code while joining is open: a repeat after it closed gets no token."""
    code, key = created
    rid = new_request_id()
    joined = workshops.join(store, code, "Ana", request_id=rid)
    assert workshops.join(store, code, "Ana", request_id=rid) == joined
    workshops.set_joining(store, code, key, False)
    with pytest.raises(WrongPhase):
        workshops.join(store, code, "Ana", request_id=rid)
    applied_once(count(store, Participant))


def test_results_of_every_shape_come_back_as_they_were():
    joined = workshops.Joined("ABCD2345", "tok", 3, 4, "Ana", False)
    for value in (None, 3, "x", [1, 2], (1, "a"), {"a": [1, (2, 3)]}, joined):
        assert replay.loads(replay.dumps(value, "rid-1"), "rid-1") == value
    with pytest.raises(TypeError):
        replay.dumps(object(), "rid-1")


# ---- every action that can be retried ---------------------------------------------------------

@pytest.fixture
def room(store):
    """A workshop in the brainstorm with two members."""
    created = workshops.create_workshop(store, "Retries")
    go_to(store, created.code, created.key, phases.BRAINSTORM)
    return created.code, created.key, join_many(store, created.code, 2)


def test_cards_added_and_withdrawn_after_a_lost_commit(store, room):
    code, key, (ana, _) = room
    rid = new_request_id()
    card = retried(cards.add_card, store, code, ana, "Kind words", request_id=rid)
    applied_once(count(store, Card))
    assert cards.add_card(store, code, ana, "Kind words", request_id=rid) == card
    # Withdrawing: without a request id the retry would answer "That card no longer exists".
    assert retried(cards.withdraw_card, store, code, ana, card.id, request_id=new_request_id()) is None
    assert count(store, Card, Card.withdrawn.is_(True)) == 1


def test_votes_are_naturally_idempotent(store, room):
    code, key, (ana, ben) = room
    card_ids = [cards.add_card(store, code, ana, f"Idea {i}").id for i in range(2)]
    vids = [grouping.create_value(store, code, key, f"Value {i}", card_ids=[c]) for i, c in enumerate(card_ids)]
    go_to(store, code, key, phases.VOTING)
    number = retried(voting.open_round, store, code, key, request_id=new_request_id())
    assert number == 1
    first = retried(voting.set_dots, store, code, ana, vids[0], 1)  # absolute: 1 dot, not 1 + 1
    assert first.used == 1 and voting.ballot(store, code, ana).used == 1
    assert voting.set_dots(store, code, ana, vids[0], 1) == first
    result = retried(voting.close_round, store, code, key, request_id=new_request_id())
    assert result is not None and voting.ballot(store, code, ana) is None


def test_vision_drafts_and_ratings_after_a_lost_commit(store):
    f = finished_workshop(store, upto=phases.DRAFTING)
    code, key, me = f.code, f.key, f.members[1]
    rid = new_request_id()
    draft = retried(vision.add_draft, store, code, me, "Fast and kind.", request_id=rid)
    assert vision.add_draft(store, code, me, "Fast and kind.", request_id=rid) == draft
    applied_once(count(store, VisionDraft, VisionDraft.text == "Fast and kind."))
    assert retried(vision.withdraw_draft, store, code, me, draft.id, request_id=new_request_id()) is None
    go_to(store, code, key, phases.RATING)
    retried(vision.rate, store, code, me, f.draft_id, criteria.SIMPLE, 4)  # absolute score: naturally idempotent
    with store.reading() as tx:
        scores = tx.session.execute(text("SELECT score FROM ratings")).scalars().all()
    assert scores == [4]


def test_stage_changes_and_actionable_statements_after_a_lost_commit(store, created):
    code, key = created
    assert retried(workshops.advance, store, code, key, request_id=new_request_id()) == phases.next_phase(phases.SETUP)
    assert workshops.status(store, code).phase == phases.next_phase(phases.SETUP)  # one stage, not two
    f = finished_workshop(store)
    value = f.value_ids[0]
    retried(actionable.set_action_statement, store, f.code, f.key, value, "We answer within a day.")
    assert grouping.values(store, f.code, only_chosen=True)[0].action_statement == "We answer within a day."


def test_follow_up_joins_and_answers_after_a_lost_commit(store):
    f = finished_workshop(store)
    code, key = f.code, f.key
    before = count(store, Participant)
    for module, extra in ((stakeholders, ()), (survey, ("support",)), (hiring, ("support",))):
        secret = audiences.secret(store, code, key, module.ROLE)
        rid = new_request_id()
        joined = retried(module.join, store, code, f"Guest of {module.ROLE}", *extra, secret=secret, request_id=rid)
        assert module.join(store, code, f"Guest of {module.ROLE}", *extra, secret=secret, request_id=rid) == joined
        if module is stakeholders:
            mine = retried(stakeholders.react, store, code, joined.token, stakeholders.LANDS, "Yes.")
            assert stakeholders.gut_check(store, code, joined.token).mine == mine
        elif module is survey:
            retried(survey.answer, store, code, joined.token, f.value_ids[0], 4, "Tell the truth.")
            assert survey.my_answers(store, code, joined.token)[f.value_ids[0]].clarity == 4
        else:
            q = hiring.add_question(store, code, key, f.value_ids[0], "When did you say no?",
                                    request_id=new_request_id())
            retried(hiring.answer, store, code, joined.token, q, "Yesterday.")
            assert hiring.my_answers(store, code, joined.token) == {q: "Yesterday."}
    applied_once(count(store, Participant) - before - 2)  # three joins, each once


# ---- the widgets: one id per click, the same while that click is retried -----------------------

def test_a_click_retried_after_the_database_did_not_answer_creates_one_value(store, created):
    code, key = created
    go_to(store, code, key, phases.BRAINSTORM)
    [token] = join_many(store, code, 1)
    cards.add_card(store, code, token, "Kind words")
    go_to(store, code, key, phases.GROUPING)
    panel = FacilitatorApp(store, code, key, "values", start_live=False).panel
    panel.new_name.value = "Kindness"
    with lost_commits(4):  # the first try commits; every retry of the store is lost too
        panel._create()
    assert not panel.succeeded and "try again" in panel.feedback.value
    assert count(store, CoreValue) == 1  # it was saved, though the facilitator was told otherwise
    panel._create()  # the facilitator clicks again
    assert panel.succeeded, panel.feedback.value
    applied_once(count(store, CoreValue))
    panel.new_name.value = "Speed"
    panel._create()
    assert count(store, CoreValue) == 2


def test_store_unavailable_is_what_a_long_outage_says(store, created):
    code, _ = created
    rid = new_request_id()
    with lost_commits(4), pytest.raises(StoreUnavailable):
        workshops.join(store, code, "Ana", request_id=rid)
    assert workshops.join(store, code, "Ana", request_id=rid).name == "Ana"
    applied_once(count(store, Participant))


def test_a_join_click_retried_after_the_database_did_not_answer_makes_one_participant(store, created):
    from workshop.pages import participant as page
    from workshop.widgets.participant import ParticipantApp

    code, _ = created
    app = page.open_app(ParticipantApp(store), {"w": code})
    form = app.join_form
    form.name.value = "Ana"
    with lost_commits(4):  # joined, but the visitor is told "not saved"
        form._join()
    assert getattr(app, "joined", None) is None and "try again" in form.feedback.value
    assert count(store, Participant) == 1
    form._join()  # the visitor clicks Join again
    assert app.joined is not None and app.joined.name == "Ana", form.feedback.value
    applied_once(count(store, Participant))
