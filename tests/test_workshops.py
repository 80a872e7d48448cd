"""Creating, joining and moving a workshop through its stages, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workshop import InvalidInput, NotAuthorized, NotFound, WrongPhase
from workshop.core.credentials import CODE_ALPHABET, digest
from workshop.domain import cards, grouping, workshops
from workshop.store.schema import Participant, Workshop

from .domain_helpers import dump, events, go_to, refused


def test_new_workshop_starts_in_setup_with_a_readable_code(store):
    created = workshops.create_workshop(store, "  Acme  ", company="Acme GmbH", language="de")
    st = workshops.status(store, created.code)
    assert (st.title, st.company, st.language, st.phase) == ("Acme", "Acme GmbH", "de", "setup")
    assert st.question == workshops.DEFAULT_QUESTION
    assert st.vote_target == 5 and not st.anonymous and st.participants == 0
    assert len(created.code) == 8 and set(created.code) <= set(CODE_ALPHABET)


def test_join_code_is_accepted_as_read_aloud(store, created):
    code, _ = created
    spoken = f"{code[:4].lower()} - {code[4:]}"
    assert workshops.status(store, spoken).code == code
    assert workshops.join(store, spoken, "Ana").code == code


@pytest.mark.parametrize("title, error", [("", "empty"), ("   ", "empty"), ("x" * 121, "limit is 120"),
                                          ("two\nlines", "one line"), ("bidi\u202etext", "control")])
def test_create_refuses_bad_titles_and_stores_nothing(store, title, error):
    with refused(store, InvalidInput, match=error):
        workshops.create_workshop(store, title)
    with store.reading() as tx:
        assert tx.session.execute(select(Workshop)).first() is None


def test_create_refuses_unknown_language_and_silly_targets(store):
    with refused(store, InvalidInput):
        workshops.create_workshop(store, "T", language="fr")
    with refused(store, InvalidInput):
        workshops.create_workshop(store, "T", vote_target=0)


def test_facilitator_key_is_stored_only_as_its_hash(store, created):
    code, key = created
    assert key not in str(dump(store))
    with store.reading() as tx:
        ws = tx.session.execute(select(Workshop)).scalar_one()
    assert ws.key_hash == digest(key) and len(ws.key_hash) == 64
    assert workshops.check_key(store, code, key)
    assert not workshops.check_key(store, code, key + "x")
    assert not workshops.check_key(store, code, "")


def test_unknown_workshop_is_refused_everywhere(store, created):
    with pytest.raises(NotFound, match="no workshop with the code"):
        workshops.status(store, "ZZZZ9999")
    with refused(store, NotFound):
        workshops.join(store, "ZZZZ9999", "Ana")
    with refused(store, NotFound):
        workshops.advance(store, "ZZZZ9999", created[1])
    assert store.revision("ZZZZ9999") is None


def test_join_gives_a_personal_token_and_a_numbered_pseudonym(store, created):
    code, key = created
    ana = workshops.join(store, code, "Ana")
    ben = workshops.join(store, code, "Ben")
    assert (ana.number, ana.name, ana.rejoined) == (1, "Ana", False)
    assert (ben.number, ben.name) == (2, "Ben")
    assert ana.token != ben.token
    assert workshops.whoami(store, code, ana.token).participant_id == ana.participant_id
    assert workshops.status(store, code).participants == 2
    with store.reading() as tx:
        hashes = set(tx.session.execute(select(Participant.token_hash)).scalars())
    assert hashes == {digest(ana.token), digest(ben.token)}  # tokens themselves never stored


def test_rejoining_with_the_token_does_not_create_a_duplicate(store, created):
    code, key = created
    ana = workshops.join(store, code, "Ana")
    again = workshops.join(store, code, "Another name entirely", token=ana.token)
    assert again.rejoined and again.participant_id == ana.participant_id and again.name == "Ana"
    assert workshops.status(store, code).participants == 1
    assert len(events(store, "participant_joined")) == 1
    assert [p.name for p in workshops.participants(store, code, key)] == ["Ana"]


def test_a_token_from_another_workshop_does_not_rejoin_here(store, created):
    code, _ = created
    other = workshops.create_workshop(store, "Other")
    stranger = workshops.join(store, other.code, "Ana")
    # A token that names nobody here creates nobody (only an explicit Join does).
    with refused(store, NotAuthorized, match="not valid any more"):
        workshops.join(store, code, "Ana", token=stranger.token)
    with pytest.raises(NotAuthorized):
        workshops.whoami(store, code, stranger.token)


def test_a_second_person_with_the_same_name_is_asked_to_add_an_initial(store, created):
    code, _ = created
    workshops.join(store, code, "Ana")
    with refused(store, InvalidInput, match="already joined"):
        workshops.join(store, code, " ana ")


@pytest.mark.parametrize("name", ["", "   ", "n" * 61, "tab\u0007bell"])
def test_join_refuses_bad_names_and_changes_nothing(store, created, name):
    with refused(store, InvalidInput):
        workshops.join(store, created[0], name)


def test_names_are_hidden_in_an_anonymous_workshop(store):
    c = workshops.create_workshop(store, "Anonymous", anonymous=True)
    ana = workshops.join(store, c.code, "Ana Secret")
    assert ana.name == "Participant 1"
    workshops.join(store, c.code, None)  # no name needed
    assert [p.name for p in workshops.participants(store, c.code, c.key)] == ["Participant 1", "Participant 2"]
    # The real name is never stored, neither on the participant nor in the log.
    assert "Ana Secret" not in str(dump(store))
    # Card authors stay hidden from the facilitator too.
    go_to(store, c.code, c.key, "brainstorm")
    cards.add_card(store, c.code, ana.token, "Be kind")
    assert [v.author for v in cards.facilitator_wall(store, c.code, c.key)] == [""]


def test_named_workshop_shows_authors_to_the_facilitator_only(store, created):
    code, key = created
    ana = workshops.join(store, code, "Ana")
    go_to(store, code, key, "brainstorm")
    cards.add_card(store, code, ana.token, "Be kind")
    assert [v.author for v in cards.facilitator_wall(store, code, key)] == ["Ana"]
    cards.reveal(store, code, key)
    assert [v.author for v in cards.wall(store, code)] == [""]


def test_anonymity_cannot_change_once_people_joined(store, created):
    code, key = created
    workshops.update_details(store, code, key, anonymous=True)
    assert workshops.status(store, code).anonymous
    workshops.join(store, code)
    with refused(store, WrongPhase):
        workshops.update_details(store, code, key, anonymous=False)


def test_stage_changes_need_the_facilitator_key(store, created):
    code, key = created
    for wrong in ["", "nope", key[:-1]]:
        with refused(store, NotAuthorized, match="facilitator key"):
            workshops.advance(store, code, wrong)
    workshops.advance(store, code, key)
    with refused(store, NotAuthorized):
        workshops.reopen(store, code, "nope", "setup")
    with refused(store, NotAuthorized):
        workshops.undo_phase(store, code, "nope")
    # A participant's token is not a facilitator key either.
    token = workshops.join(store, code, "Ana").token
    with refused(store, NotAuthorized):
        workshops.advance(store, code, token)
    assert workshops.status(store, code).phase == "brainstorm"


def test_advance_walks_the_stages_in_order(store, created):
    code, key = created
    assert workshops.advance(store, code, key) == "brainstorm"
    assert workshops.advance(store, code, key) == "grouping"
    # The vote needs a value to vote on.
    with refused(store, WrongPhase, match="core value"):
        workshops.advance(store, code, key)
    grouping.create_value(store, code, key, "Speed")
    assert workshops.advance(store, code, key) == "voting"
    # Drafting needs chosen values.
    with refused(store, WrongPhase, match="vote"):
        workshops.advance(store, code, key)
    kinds = [(e.kind, e.payload["previous"], e.payload["phase"]) for e in events(store, "phase_advanced")]
    assert kinds == [("phase_advanced", "setup", "brainstorm"), ("phase_advanced", "brainstorm", "grouping"),
                     ("phase_advanced", "grouping", "voting")]


def test_reopen_goes_back_and_keeps_everything(store, created):
    code, key = created
    ana = workshops.join(store, code, "Ana")
    go_to(store, code, key, "grouping")
    with refused(store, WrongPhase, match="earlier"):
        workshops.reopen(store, code, key, "grouping")
    with refused(store, WrongPhase, match="earlier"):
        workshops.reopen(store, code, key, "voting")
    with refused(store, InvalidInput):
        workshops.reopen(store, code, key, "party")
    assert workshops.reopen(store, code, key, "brainstorm") == "brainstorm"
    cards.add_card(store, code, ana.token, "Late idea")
    assert workshops.status(store, code).cards == 1


def test_undo_phase_reverses_the_last_change_once(store, created):
    code, key = created
    with refused(store, WrongPhase, match="nothing|no change"):
        workshops.undo_phase(store, code, key)
    go_to(store, code, key, "grouping")
    assert workshops.undo_phase(store, code, key) == "brainstorm"
    with refused(store, WrongPhase):
        workshops.undo_phase(store, code, key)
    workshops.reopen(store, code, key, "setup")
    assert workshops.undo_phase(store, code, key) == "brainstorm"
    assert workshops.status(store, code).phase == "brainstorm"


def test_last_stage_cannot_be_advanced(store, created):
    code, key = created
    with store.writing() as tx:
        tx.workshop(code).phase = "published"
    with refused(store, WrongPhase, match="last stage"):
        workshops.advance(store, code, key)


def test_question_cannot_change_after_the_brainstorm(store, created):
    code, key = created
    workshops.update_details(store, code, key, question="What should customers feel?")
    assert workshops.status(store, code).question == "What should customers feel?"
    go_to(store, code, key, "grouping")
    with refused(store, WrongPhase):
        workshops.update_details(store, code, key, question="Too late?")


def test_reissued_link_replaces_the_lost_one(store, created):
    code, key = created
    ana = workshops.join(store, code, "Ana")
    with refused(store, NotAuthorized):
        workshops.reissue_link(store, code, "nope", ana.participant_id)
    with refused(store, NotFound):
        workshops.reissue_link(store, code, key, 999_999)
    fresh = workshops.reissue_link(store, code, key, ana.participant_id)
    assert workshops.whoami(store, code, fresh).participant_id == ana.participant_id
    with pytest.raises(NotAuthorized):
        workshops.whoami(store, code, ana.token)


def test_timer_needs_a_sensible_length(store, created):
    code, key = created
    for bad in [0, -1, 121, "soon"]:
        with refused(store, InvalidInput):
            workshops.start_timer(store, code, key, bad)
    ends = workshops.start_timer(store, code, key, 5, label="Write")
    assert workshops.status(store, code).timer_ends_at == ends
    workshops.advance(store, code, key)  # a timer belongs to its stage
    assert workshops.status(store, code).timer_ends_at is None
