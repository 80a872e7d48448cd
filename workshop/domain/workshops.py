"""Creating a workshop, joining it, and moving it from stage to stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from workshop.core import credentials, phases, settings
from workshop.core.errors import N_, InvalidInput, NotAuthorized, NotFound, WrongPhase
from workshop.core.languages import LANGUAGES
from workshop.core.text import clean, whole_number
from workshop.domain import audiences
from workshop.domain.access import FACILITATOR, actor_of, as_facilitator, as_participant, shown_name
from workshop.store import COUNTS, Store, Tx, action, normalize_code, query  # noqa: F401 - normalize_code is part of this module's API
from workshop.store.schema import Card, CoreValue, Event, GroundingAnswer, Participant, VisionDraft, Workshop, utcnow

DEFAULT_QUESTION = N_(
    "What do you want our customers to think of when they think of our service experience?"
)


ROLES = ("member", "stakeholder", "employee", "exemplar")

#: How many may join in each role: a room on a video call, a few stakeholders and
#: exemplars, the whole company for the survey. One role never fills another's places.
ROLE_CAPS = {
    "member": 200,
    "stakeholder": 200,
    "employee": settings.MAX_PARTICIPANTS,
    "exemplar": 200,
}

# Step 0 of the method: the customer-needs questions, answered before the brainstorm.
GROUNDING_TOPICS = {
    "purpose": N_("What is the purpose of the company?"),
    "support_role": N_("What is the role of support?"),
    "delight_or_effort": N_("Is our goal to delight customers or to reduce their effort?"),
    "principles": N_("What principles should support follow?"),
    "channels": N_("Which channels do customers use to reach us?"),
    "self_service": N_("How do customers look for help on their own?"),
}


@dataclass(frozen=True)
class Created:
    code: str
    key: str


@dataclass(frozen=True)
class Joined:
    code: str
    token: str
    participant_id: int
    number: int
    name: str
    rejoined: bool


@dataclass(frozen=True)
class Status:
    code: str
    title: str
    company: str
    purpose: str
    question: str
    language: str
    phase: str
    anonymous: bool
    cards_revealed: bool
    vote_target: int
    vision: str
    revision: int
    participants: int
    cards: int
    values: int
    drafts: int
    timer_ends_at: dt.datetime | None
    timer_label: str
    created_at: dt.datetime
    #: Everyone who joined, in every role (``participants`` counts members only).
    everyone: int = 0
    #: role -> how many joined in it.
    by_role: tuple[tuple[str, int], ...] = ()
    #: False while the facilitator has closed joining.
    joining_open: bool = True
    #: True once the facilitator has closed rating: only then may averages reach the room.
    rating_closed: bool = False
    #: What the facilitator spotlights on the room screen: ("card" | "value" | "draft", id), or None.
    spotlight: tuple[str, int] | None = None


@dataclass(frozen=True)
class ParticipantInfo:
    id: int
    number: int
    name: str
    role: str
    team: str
    joined_at: dt.datetime
    last_seen_at: dt.datetime


# ---- creating and joining -------------------------------------------------------------

def create_workshop(
    store: Store,
    title: str,
    *,
    company: str = "",
    purpose: str = "",
    question: str | None = None,
    language: str = "en",
    anonymous: bool = False,
    vote_target: int = settings.DEFAULT_TARGET,
    open_ballots: bool = False,
) -> Created:
    """Create a workshop; returns its join code and the facilitator key (shown once).

    ``open_ballots``: export votes and ratings with the voters' names or pseudonyms
    (by default each ballot is exported under a random id, see ``domain.ballots``)."""
    title = clean(title, what=N_("title"), limit=settings.MAX_TITLE)
    company = clean(company, what=N_("company name"), limit=settings.MAX_TITLE, required=False)
    purpose = clean(purpose, what=N_("purpose"), limit=settings.MAX_DESCRIPTION, multiline=True, required=False)
    question = clean(question or DEFAULT_QUESTION, what=N_("question"), limit=settings.MAX_QUESTION)
    if language not in LANGUAGES:
        raise InvalidInput(N_("The language must be one of: {choices}."), choices=", ".join(LANGUAGES))
    vote_target = whole_number(vote_target, what=N_("number of values to keep"), low=1, high=15)
    key = credentials.new_secret()
    for _ in range(10):
        code = credentials.new_join_code()
        try:
            with store.writing() as tx:
                ws = Workshop(
                    code=code, key_hash=credentials.digest(key), title=title, company=company,
                    purpose=purpose, question=question, language=language, anonymous=bool(anonymous),
                    vote_target=vote_target, phase=phases.SETUP, revision=1,
                    settings={"open_ballots": True} if open_ballots else {},
                )
                tx.session.add(ws)
                tx.session.flush()
                tx.log(ws, FACILITATOR, "workshop_created", title=title, language=language,
                       anonymous=bool(anonymous))
            return Created(code=code, key=key)
        except IntegrityError:
            continue  # a code already in use; draw another
    raise RuntimeError("could not draw an unused join code")


@action(patience=settings.JOIN_PATIENCE_S)
def join(tx: Tx, code: str, name: str | None = None, token: str | None = None,
         role: str = "member", team: str = "", audience: str | None = None,
         request_id: str | None = None) -> Joined:
    """Join as a participant, or come back as the same one when ``token`` is known.

    A follow-up role needs its ``audience`` secret (see domain/audiences.py); a retry with
    the same ``request_id`` returns the first answer instead of a second participant."""
    # The room sees only how many have joined: phones follow that slowly, so 400 joining at once
    # do not repaint every phone twice a second.
    ws = tx.workshop(code, room_sees=COUNTS)
    if token:
        # A token only ever comes back as the same person; an unknown or reissued one creates nobody.
        p = tx.session.execute(
            select(Participant).where(
                Participant.token_hash == credentials.digest(token), Participant.workshop_id == ws.id
            )
        ).scalar_one_or_none()
        if p is None:
            raise NotAuthorized(LINK_NOT_VALID)
        if p.role != role:  # a stakeholder's (survey's, benchmark's) token is not a member's
            raise NotAuthorized(N_("This link is not for this part of the workshop."))
        tx.right_checked()
        p.last_seen_at = utcnow()
        return Joined(ws.code, token, p.id, p.number, shown_name(ws, p), rejoined=True)
    if role not in ROLES:
        raise InvalidInput(N_("Unknown role."))
    if role != "member":
        audiences.require(tx, ws, role, audience)
    if not joining_open(ws):
        raise WrongPhase(N_("The facilitator has closed joining for this workshop. "
                            "Ask them to reopen it if you should be in."))
    # The join code (and a follow-up role's secret) is the right to join; a repeated request id
    # is answered from here on, before the name it joined with is found taken.
    tx.right_checked()
    team = clean(team, what=N_("team"), limit=40, required=False)
    display_name = None
    if not ws.anonymous:
        display_name = clean(name, what=N_("name"), limit=settings.MAX_NAME)
        taken = tx.session.execute(
            select(Participant.id).where(
                Participant.workshop_id == ws.id,
                Participant.role == role,
                func.lower(Participant.display_name) == display_name.lower(),
            )
        ).first()
        if taken:
            raise InvalidInput(
                N_("Someone has already joined as “{name}”. If that was you on another device, "
                   "open your personal link there; otherwise add an initial."),
                name=display_name,
            )
    count = tx.session.execute(
        select(func.count()).select_from(Participant).where(Participant.workshop_id == ws.id,
                                                            Participant.role == role)
    ).scalar()
    if count >= ROLE_CAPS[role]:
        raise InvalidInput(N_("This workshop is full."))
    number = (tx.session.execute(
        select(func.max(Participant.number)).where(Participant.workshop_id == ws.id)
    ).scalar() or 0) + 1
    token = credentials.new_secret()
    p = Participant(workshop_id=ws.id, token_hash=credentials.digest(token), number=number,
                    display_name=display_name, role=role, team=team)
    tx.session.add(p)
    tx.session.flush()
    # In an anonymous workshop the log holds no name, only the number.
    tx.log(ws, actor_of(p), "participant_joined", number=number, role=role,
           name=None if ws.anonymous else display_name)
    return Joined(ws.code, token, p.id, number, shown_name(ws, p), rejoined=False)


#: Said to a visitor whose personal link names nobody (mistyped, or replaced by a new one).
LINK_NOT_VALID = N_("This personal link is not valid any more. Join again below, "
                    "or ask your facilitator for a new personal link.")


def joining_open(ws: Workshop) -> bool:
    return not (ws.settings or {}).get("joining_closed", False)


@action
def set_joining(tx: Tx, code: str, key: str, open_: bool) -> bool:
    """Close joining (nobody new gets in, everyone in stays in) or reopen it; returns the new state."""
    ws = as_facilitator(tx, code, key)
    if joining_open(ws) != bool(open_):
        # A new dict: the JSON column sees an assignment, not an edit in place.
        ws.settings = {**(ws.settings or {}), "joining_closed": not open_}
        tx.log(ws, FACILITATOR, "joining_opened" if open_ else "joining_closed")
    return bool(open_)


def touch(store: Store, code: str, token: str) -> None:
    """Mark a participant as still here, without disturbing live views."""
    with store.engine.begin() as conn:
        conn.execute(
            update(Participant)
            .where(Participant.token_hash == credentials.digest(token))
            .values(last_seen_at=utcnow())
        )


@action
def reissue_link(tx: Tx, code: str, key: str, participant_id: int) -> str:
    """A new personal token for someone who lost theirs; the old one stops working."""
    ws = as_facilitator(tx, code, key)
    p = tx.session.get(Participant, participant_id)
    if p is None or p.workshop_id != ws.id:
        raise NotFound(N_("There is no such participant in this workshop."))
    token = credentials.new_secret()
    p.token_hash = credentials.digest(token)
    tx.log(ws, FACILITATOR, "participant_link_reissued", participant=p.id)
    return token


@action
def rekey(tx: Tx, code: str) -> str:
    """A new facilitator key for a workshop whose key was lost; returns it (shown once).

    The old key stops opening at once: every facilitator action checks the key's hash in its
    own transaction (``access.as_facilitator``). The participants' personal links, the join
    code and every audience link (follow-ups, room screen: see ``audiences``) stay as they were.
    The log records that it happened, never the key.

    It takes no key, so it must never be reachable by a visitor: only `workshop rekey` calls it,
    in a shell on the server, whose user can already rewrite the database (and so every key);
    no widget or page imports it (tests/test_cli.py checks)."""
    from workshop.domain.audiences import SERVER

    ws = tx.workshop(code)
    key = credentials.new_secret()
    ws.key_hash = credentials.digest(key)
    tx.log(ws, SERVER, "facilitator_key_replaced")
    return key


# ---- stages ------------------------------------------------------------------------

def _check_can_enter(tx: Tx, ws: Workshop, target: str) -> None:
    """Refuse a stage whose groundwork is missing, saying what to do first."""
    def count(model, *where):
        return tx.session.execute(select(func.count()).select_from(model).where(*where)).scalar()

    if target == phases.VOTING and not count(CoreValue, CoreValue.workshop_id == ws.id, CoreValue.removed.is_(False)):
        raise WrongPhase(N_("Create at least one core value before the vote."))
    if target == phases.VOTING and count(CoreValue, CoreValue.workshop_id == ws.id, CoreValue.removed.is_(False),
                                         CoreValue.name == ""):
        # A ballot line must say what it is a vote for; the wall's unnamed groups are work in progress.
        raise WrongPhase(N_("Name every group on the wall before the vote."))
    if target == phases.DRAFTING and not count(CoreValue, CoreValue.workshop_id == ws.id, CoreValue.chosen.is_(True)):
        raise WrongPhase(N_("Finish the vote first: no values have been chosen yet."))
    if target == phases.RATING and not count(VisionDraft, VisionDraft.workshop_id == ws.id, VisionDraft.withdrawn.is_(False)):
        raise WrongPhase(N_("Write at least one vision draft before rating."))
    if target in (phases.ACTIONS, phases.PUBLISHED) and not ws.vision:
        raise WrongPhase(N_("Choose the final vision statement first."))


def _move(tx: Tx, ws: Workshop, target: str, kind: str) -> str:
    previous = ws.phase
    ws.phase = target
    ws.timer_ends_at = None  # a timer belongs to the stage it was started in
    tx.log(ws, FACILITATOR, kind, previous=previous, phase=target)
    return target


@action
def advance(tx: Tx, code: str, key: str) -> str:
    """Move to the next stage; returns it."""
    ws = as_facilitator(tx, code, key)
    target = phases.next_phase(ws.phase)
    if target is None:
        raise WrongPhase(N_("The workshop is already at its last stage."))
    _check_can_enter(tx, ws, target)
    return _move(tx, ws, target, "phase_advanced")


@action
def reopen(tx: Tx, code: str, key: str, phase: str) -> str:
    """Go back to an earlier stage; everything written since is kept."""
    ws = as_facilitator(tx, code, key)
    if phase not in phases.ORDER:
        raise InvalidInput(N_("Unknown stage."))
    if phases.index(phase) >= phases.index(ws.phase):
        raise WrongPhase(N_("Only an earlier stage can be reopened."))
    return _move(tx, ws, phase, "phase_reopened")


@action
def undo_phase(tx: Tx, code: str, key: str) -> str:
    """Undo the last change of stage (an advance clicked by mistake)."""
    ws = as_facilitator(tx, code, key)
    last = tx.session.execute(
        select(Event).where(
            Event.workshop_id == ws.id,
            Event.kind.in_(("phase_advanced", "phase_reopened", "phase_undone")),
        ).order_by(Event.id.desc()).limit(1)
    ).scalar_one_or_none()
    if last is None or last.kind == "phase_undone":
        raise WrongPhase(N_("There is no change of stage to undo."))
    return _move(tx, ws, last.payload["previous"], "phase_undone")


@action
def update_details(tx: Tx, code: str, key: str, *, title: str | None = None, company: str | None = None,
                   purpose: str | None = None, question: str | None = None, language: str | None = None,
                   anonymous: bool | None = None, vote_target: int | None = None) -> None:
    ws = as_facilitator(tx, code, key)
    changed = {}
    if title is not None:
        ws.title = changed["title"] = clean(title, what=N_("title"), limit=settings.MAX_TITLE)
    if company is not None:
        ws.company = changed["company"] = clean(company, what=N_("company name"), limit=settings.MAX_TITLE, required=False)
    if purpose is not None:
        ws.purpose = changed["purpose"] = clean(purpose, what=N_("purpose"), limit=settings.MAX_DESCRIPTION,
                                                multiline=True, required=False)
    if question is not None:
        if phases.index(ws.phase) > phases.index(phases.BRAINSTORM):
            raise WrongPhase(N_("The brainstorm question cannot change after the brainstorm."))
        ws.question = changed["question"] = clean(question, what=N_("question"), limit=settings.MAX_QUESTION)
    if language is not None:
        if language not in LANGUAGES:
            raise InvalidInput(N_("The language must be one of: {choices}."), choices=", ".join(LANGUAGES))
        ws.language = changed["language"] = language
    if anonymous is not None and bool(anonymous) != ws.anonymous:
        joined = tx.session.execute(
            select(func.count()).select_from(Participant).where(Participant.workshop_id == ws.id)
        ).scalar()
        if joined:
            # People joined under the old promise; changing it now would break it.
            raise WrongPhase(N_("Anonymity can only be changed before anyone joins."))
        ws.anonymous = changed["anonymous"] = bool(anonymous)
    if vote_target is not None:
        ws.vote_target = changed["vote_target"] = whole_number(
            vote_target, what=N_("number of values to keep"), low=1, high=15)
    tx.log(ws, FACILITATOR, "details_updated", **changed)


@action
def set_grounding(tx: Tx, code: str, key: str, topic: str, answer: str) -> None:
    ws = as_facilitator(tx, code, key)
    if topic not in GROUNDING_TOPICS:
        raise InvalidInput(N_("Unknown question."))
    answer = clean(answer, what=N_("answer"), limit=settings.MAX_ANSWER, multiline=True, required=False)
    row = tx.session.execute(
        select(GroundingAnswer).where(GroundingAnswer.workshop_id == ws.id, GroundingAnswer.topic == topic)
    ).scalar_one_or_none()
    if row is None:
        tx.session.add(GroundingAnswer(workshop_id=ws.id, topic=topic, answer=answer))
    else:
        row.answer = answer
    tx.log(ws, FACILITATOR, "grounding_answered", topic=topic, answer=answer)


@query
def grounding(tx: Tx, code: str) -> dict[str, str]:
    ws = tx.workshop(code)
    rows = tx.session.execute(
        select(GroundingAnswer.topic, GroundingAnswer.answer).where(GroundingAnswer.workshop_id == ws.id)
    ).all()
    answers = {topic: "" for topic in GROUNDING_TOPICS}
    answers.update(dict(rows))
    return answers


@action
def start_timer(tx: Tx, code: str, key: str, minutes: float, label: str = "") -> dt.datetime:
    ws = as_facilitator(tx, code, key)
    try:
        minutes = float(minutes)
    except (TypeError, ValueError):
        raise InvalidInput(N_("The timer needs a number of minutes.")) from None
    if not 0 < minutes <= 120:
        raise InvalidInput(N_("The timer runs for 1 second to 120 minutes."))
    ws.timer_ends_at = utcnow() + dt.timedelta(minutes=minutes)
    ws.timer_label = clean(label, what=N_("timer label"), limit=120, required=False)
    tx.log(ws, FACILITATOR, "timer_started", minutes=minutes, label=ws.timer_label)
    return ws.timer_ends_at


@action
def stop_timer(tx: Tx, code: str, key: str) -> None:
    ws = as_facilitator(tx, code, key)
    ws.timer_ends_at = None
    tx.log(ws, FACILITATOR, "timer_stopped")


# ---- reading ---------------------------------------------------------------------

@query
def status(tx: Tx, code: str) -> Status:
    """What every screen needs to know about the workshop, without secrets."""
    ws = tx.workshop(code)

    def count(model, *where):
        return tx.session.execute(
            select(func.count()).select_from(model).where(model.workshop_id == ws.id, *where)
        ).scalar()

    by_role = dict(tx.session.execute(
        select(Participant.role, func.count()).where(Participant.workshop_id == ws.id).group_by(Participant.role)
    ).all())
    return Status(
        code=ws.code, title=ws.title, company=ws.company, purpose=ws.purpose, question=ws.question,
        language=ws.language, phase=ws.phase, anonymous=ws.anonymous, cards_revealed=ws.cards_revealed,
        vote_target=ws.vote_target, vision=ws.vision, revision=ws.revision,
        participants=by_role.get("member", 0),  # from the same query as every role's count
        cards=count(Card, Card.withdrawn.is_(False)),
        values=count(CoreValue, CoreValue.removed.is_(False)),
        drafts=count(VisionDraft, VisionDraft.withdrawn.is_(False)),
        timer_ends_at=ws.timer_ends_at, timer_label=ws.timer_label, created_at=ws.created_at,
        everyone=sum(by_role.values()), by_role=tuple((r, by_role.get(r, 0)) for r in ROLES),
        joining_open=joining_open(ws),
        rating_closed=rating_closed(ws),
        spotlight=_spotlight(ws),
    )


#: Keys of ``Workshop.settings`` read by ``status``.
RATING_CLOSED = "rating_closed"
SPOTLIGHT = "spotlight"


def rating_closed(ws: Workshop) -> bool:
    """Scores are final: the facilitator closed rating, or the workshop has moved past it
    (nobody can rate after the rating stage). Before rating starts there is nothing to close."""
    at = phases.index(ws.phase)
    if at > phases.index(phases.RATING):
        return True
    return at == phases.index(phases.RATING) and bool((ws.settings or {}).get(RATING_CLOSED))


def _spotlight(ws: Workshop) -> tuple[str, int] | None:
    value = (ws.settings or {}).get(SPOTLIGHT)
    return (str(value[0]), int(value[1])) if value else None


@query
def participants(tx: Tx, code: str, key: str, role: str | None = "member") -> list[ParticipantInfo]:
    ws = as_facilitator(tx, code, key)
    q = select(Participant).where(Participant.workshop_id == ws.id).order_by(Participant.number)
    if role:
        q = q.where(Participant.role == role)
    return [
        ParticipantInfo(p.id, p.number, shown_name(ws, p), p.role, p.team, p.joined_at, p.last_seen_at)
        for p in tx.session.execute(q).scalars()
    ]


@query
def _key_matches(tx: Tx, code: str, key: str) -> bool:
    ws = tx.workshop(code)
    return bool(key) and credentials.matches(key, ws.key_hash)


def check_key(store: Store, code: str, key: str, guesser=None) -> bool:
    """True when ``key`` is the facilitator key of ``code`` (raises NotFound for no workshop).

    The key is looked at first, and the right key always opens: keys are 192
    random bits, so nobody guesses one, and refusing it after wrong guesses
    would let anyone who knows the join code lock the facilitator out. Wrong
    keys are counted for the guesser alone (their page, their address: see
    ``throttle``) and, past the limit, answered after a pause with "too many
    tries, wait" (NotAuthorized) instead of "wrong key"; unknown codes count
    as wrong codes."""
    from workshop.domain import throttle

    try:
        opened = _key_matches(store, code, key)
    except NotFound:
        throttle.failed(store, "code", guesser=guesser)
        raise
    if not opened:
        throttle.failed(store, "key", code, guesser=guesser)
    return opened


def enter(store: Store, code: str, guesser=None) -> Status:
    """The workshop's status for a visitor who opens a link. A right code always opens; an
    unknown one counts against the guesser alone and, past their limit, is answered after a
    pause with "too many tries" (NotAuthorized) instead of NotFound."""
    from workshop.domain import throttle

    try:
        return status(store, code)
    except NotFound:
        throttle.failed(store, "code", guesser=guesser)
        raise


@query
def whoami(tx: Tx, code: str, token: str) -> Joined:
    ws, p = as_participant(tx, code, token, roles=ROLES)
    return Joined(ws.code, token, p.id, p.number, shown_name(ws, p), rejoined=True)


@query
def list_workshops(tx: Tx, limit: int | None = None) -> list[tuple[str, str, str, dt.datetime]]:
    """(code, title, phase, created) of every workshop (or the ``limit`` newest), newest first."""
    return [tuple(r) for r in tx.session.execute(
        select(Workshop.code, Workshop.title, Workshop.phase, Workshop.created_at)
        .order_by(Workshop.id.desc()).limit(limit)
    ).all()]

