"""Outsiders against the new pages: the console, the affinity wall, the spotlight, the room screen, phone rating.

A Voila visitor can send any widget message to their own kernel, so a hidden or
disabled button protects nothing: the domain checks every right. Each test opens
a page of a real `workshop serve` with tests/widget_client.py, lists every widget
model the kernel made, and sends every kind of message those widgets accept
(``attack``): clicks on everything, the wall's intents (move, group, merge,
rename, describe) with real card and group ids read from the database, the
rating's Previous/Next taps naming a screen, and a new value for every trait of
every text, choice and toggle. Then the database is compared row by row
(``snapshot``: stage, cards and groups, spotlight, timer, undo log, revision) and
every websocket frame the kernel sent is searched for what the visitor must not
learn (names, the key, tokens, hidden cards).

The same is done to the facilitator's own console once ``workshop rekey`` has
replaced its key (every control live, the old key in its kernel), and with the
right key the wall's intents are forged to name another workshop's cards and
groups, or none: refused in words, nothing changed.

One server (the shared ``server`` fixture) and three workshops per module:
``wall_room`` at grouping (console, wall, room screen), ``rating_room`` at rating
(a participant on their phone) and ``elsewhere`` (another workshop, whose ids the
forged messages name). The keyed console is opened once, for the last tests.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from tests.widget_client import WidgetClient, is_button
from workshop.core import links, phases
from workshop.demo import seed as demo
from workshop.domain import audiences, cards, grouping, room, vision, workshops
from workshop.domain.followup import stakeholders
from workshop.store.schema import Base, Workshop

pytestmark = pytest.mark.slow

#: Every attack sent, for the summary at the end of the module (goal: none worked).
ATTACKS: list[str] = []

#: The demo participants' names: no attacked page may send one.
DEMO_NAMES = tuple(demo.load()["participants"])


# ---- a client that keeps every frame --------------------------------------------------------------

class RecordingClient(WidgetClient):
    """A WidgetClient that keeps every message the kernel sent, as text, for leak checks."""

    def __init__(self, page_url: str, **kwargs):
        super().__init__(page_url, **kwargs)
        self.frames: list[str] = []

    def _track(self, msg: dict) -> None:
        data = msg.get("content", {}).get("data", {})
        # An echo_update only repeats what this visitor set: their own words, not the kernel's.
        if not (isinstance(data, dict) and data.get("method") == "echo_update"):
            self.frames.append(json.dumps(msg, ensure_ascii=False))
        super()._track(msg)

    def everything(self) -> str:
        """The page's HTML and every frame so far."""
        return self.html + "\n".join(self.frames)


def leaks(text: str, secrets) -> list[str]:
    """The secrets found in ``text``: as written, HTML-escaped or JSON-escaped; a name also by its first word."""
    found = []
    for secret in secrets:
        if not secret:
            continue
        forms = {secret, html.escape(secret, quote=True), json.dumps(secret)[1:-1]}
        if re.fullmatch(r"[A-Z][a-z]+ \(.*\)", secret):  # "Amira (CEO)": "Amira" alone is a leak too
            first = secret.split()[0]
            if re.search(rf"\b{re.escape(first)}\b", text):
                found.append(secret)
                continue
        if any(f in text for f in forms):
            found.append(secret)
    return found


def opened(url: str) -> RecordingClient:
    client = RecordingClient(url)
    client.open()
    return client


# ---- what the database says ---------------------------------------------------------------------------

#: Columns that change without anyone acting (presence marks).
VOLATILE = {"last_seen_at"}


def snapshot(store, code: str, revision: bool = True) -> dict[str, list]:
    """Every row that belongs to the workshop ``code``, table by table (children found through their parents).

    Includes the workshop row (stage, cards revealed, spotlight and rating in ``settings``, the
    timer, the revision bumped by every committed write), cards and groups, ballots, drafts and
    ratings, audience secrets, the event log that Undo reads, and the results kept for retries."""
    out: dict[str, list] = {}
    with store.reading() as tx:
        s = tx.session
        ws_id = s.execute(select(Workshop.id).where(Workshop.code == code)).scalar_one()
        ids: dict[str, set] = {"workshops": {ws_id}}
        for table in Base.metadata.sorted_tables:  # parents before their children
            c = table.c
            if table.name == "workshops":
                where = c.id == ws_id
            elif "workshop_id" in c:
                where = c.workshop_id == ws_id
            elif table.name == "action_results":
                where = c.scope == code
            else:
                parent = next(((col, fk.column.table.name) for col in c for fk in col.foreign_keys
                               if fk.column.table.name in ids), None)
                if parent is None:
                    continue  # not a workshop's row (schema version, wrong-guess counters)
                where = parent[0].in_(ids[parent[1]] or {-1})
            rows = [dict(r) for r in s.execute(select(table).where(where)).mappings()]
            if "id" in c:
                ids[table.name] = {r["id"] for r in rows}
            skip = VOLATILE | (set() if revision else {"revision"})
            out[table.name] = sorted(tuple((k, str(v)) for k, v in r.items() if k not in skip) for r in rows)
    return out


def changes(before: dict, after: dict) -> dict[str, dict]:
    """Table -> the rows it lost and gained between two snapshots (empty when nothing changed)."""
    out = {}
    for name, rows in before.items():
        old, new = set(rows), set(after.get(name, ()))
        if old != new:
            out[name] = {"was": sorted(old - new), "now": sorted(new - old)}
    return out


# ---- the workshops under attack ----------------------------------------------------------------

@dataclass
class Room:
    code: str
    key: str
    #: The room screen's link secret.
    screen: str
    #: Participants joined by the test: name -> personal token.
    people: dict[str, str] = field(default_factory=dict)
    cards: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def private(self) -> list[str]:
        """What no outsider may learn: names, the key, every token, the room screen's secret."""
        return [*DEMO_NAMES, *self.people, self.key, *self.people.values(), self.screen]


def _ids(store, code: str, key: str) -> tuple[list[int], list[int], list[str]]:
    wall = cards.facilitator_wall(store, code, key)
    groups = [v.id for v in grouping.values(store, code)]
    return [c.id for c in wall], groups, [c.text for c in wall]


#: Joined by the tests: a participant of the grouping workshop, the attacker's phone and a bystander at rating.
OTTOLINE, ATTACKER, BYSTANDER = "Ottoline Vexley (Ops)", "Mallory Quist (Guest)", "Bertrand Ashgrove (Ops)"


@pytest.fixture(scope="module")
def wall_room(server) -> Room:
    """The demo at grouping, with a loose card, an unnamed group, a spotlit card and a running timer:
    every console control has something it could change."""
    store = server.store
    code, key = server.seed(phases.GROUPING)
    r = Room(code, key, room.screen_secret(store, code, key))
    r.people = {OTTOLINE: workshops.join(store, code, name=OTTOLINE).token}
    card_ids, _, _ = _ids(store, code, key)
    grouping.assign_card(store, code, key, card_ids[0], None)
    grouping.start_group(store, code, key, [card_ids[1]])
    room.spotlight(store, code, key, room.CARD, card_ids[2])
    workshops.start_timer(store, code, key, 90, "Group the wall")
    r.cards, r.groups, r.texts = _ids(store, code, key)
    return r


def rating_demo(server, joining=()) -> Room:
    """The demo at rating, with ``joining`` joined as well: its people, cards, groups and drafts."""
    store = server.store
    code, key = server.seed(phases.RATING)
    r = Room(code, key, room.screen_secret(store, code, key))
    for name in joining:
        r.people[name] = workshops.join(store, code, name=name).token
    r.cards, r.groups, r.texts = _ids(store, code, key)
    r.drafts = [d.id for d in vision.drafts(store, code)]
    return r


@pytest.fixture(scope="module")
def rating_room(server) -> Room:
    """The demo at rating, with one more participant whose phone is the attacker's."""
    return rating_demo(server, joining=(ATTACKER, BYSTANDER))


@pytest.fixture(scope="module")
def elsewhere(server) -> Room:
    """Another workshop: its cards, groups and drafts are what forged messages name."""
    return rating_demo(server)


#: An id no card, value or draft has (and a 32-bit column still holds).
NOWHERE = 987_654_321


# ---- what an attacker sends ---------------------------------------------------------------------------

#: Messages that rename or move things carry this, so a success would be plain to see.
MARK = "Pwned by an outsider"


def intents(cards_: list[int], groups: list[int], nowhere: int) -> list[dict]:
    """Every intent the wall's browser side can send (static/wall.js), naming the ids given."""
    c1, c2 = (cards_ + cards_)[:2]
    g1, g2 = (groups + groups)[:2] if groups else (nowhere, nowhere)
    out = [
        {"op": "move", "card": c1, "to": g2}, {"op": "move", "card": c1, "to": None},
        {"op": "move", "card": c2, "to": nowhere}, {"op": "group", "cards": [c1, c2]},
        {"op": "merge", "source": g1, "target": g2}, {"op": "merge", "source": g2, "target": g1},
        {"op": "rename", "value": g1, "name": MARK}, {"op": "describe", "value": g2, "description": MARK},
    ]
    return [{**m, "request_id": f"forged-{i}"} for i, m in enumerate(out)]


def custom_messages(targets: list[Room], nowhere: int) -> list[dict]:
    """Custom messages for every model: a click, the wall's intents on every workshop's real ids,
    and a Previous/Next tap naming every draft (and the overview)."""
    out: list[dict] = [{"event": "click"}]
    for r in targets:
        out += intents(r.cards, r.groups, nowhere)
        out += [{"event": "click", "screen": str(d)} for d in r.drafts]
    out += [{"event": "click", "screen": s} for s in ("overview", "", str(nowhere))]
    return out


def typed_values(targets: list[Room], known: list[str]) -> list[str]:
    """What goes into every text field: a mark, every workshop's join code, and what the attacker
    knows (``known``: their own token, the key of a workshop they run themselves)."""
    return [MARK, "", *(r.code for r in targets), *known]


SKIP_TRAITS = {"layout", "style", "children", "tabbable", "tooltip", "value", "index", "options"}


def attack(client: WidgetClient, targets: list[Room], known: list[str], *, keep=lambda m: True) -> int:
    """Send every kind of message each widget in the kernel could accept; returns how many were sent.

    ``targets``: the workshops whose real ids the messages name; ``known``: what the attacker types.
    ``keep(model)`` says which models to attack (a participant may legitimately score their own
    drafts, so the rating test leaves score controls to a test of their own)."""
    sent = 0
    customs = custom_messages(targets, NOWHERE)
    values = typed_values(targets, known)
    client.request_states()
    for model in list(client.models.values()):
        if model.model_name == "LayoutModel" or model.model_name.endswith("StyleModel") or not keep(model):
            continue
        state = model.state
        for trait, value in state.items():  # every flag, number and text the widget syncs
            if trait.startswith("_") or trait in SKIP_TRAITS:
                continue
            new = (not value if isinstance(value, bool) else value + 1 if isinstance(value, (int, float))
                   else MARK if isinstance(value, str) else None)
            if new is not None:
                client.update(model.model_id, **{trait: new})
                sent += 1
        if isinstance(state.get("value"), str):  # text, password and text-area fields
            for v in values:
                client.update(model.model_id, value=v)
                sent += 1
        elif isinstance(state.get("value"), bool):  # checkboxes and toggles
            client.update(model.model_id, value=not state["value"])
            sent += 1
        if "_options_labels" in state:  # menus and radio buttons: every choice
            for index in range(len(state["_options_labels"])):
                client.update(model.model_id, index=index)
                sent += 1
        client.update(model.model_id, disabled=False)
        # A button takes any {"event": "click"} as one click: once is enough (more would only be
        # wrong guesses that the throttle answers slowly); the other models get every message.
        for content in (customs[:1] if is_button(model) else customs):
            client.custom(model.model_id, content)
            sent += 1
    client.idle()
    # Second pass: widgets the first pass made appear (a question to confirm, another screen).
    return sent + client.click_every_button(keep)


#: Classes of the console's controls: none may exist in a kernel that was not opened with the key.
CONSOLE_CLASSES = ("ws-console-deck", "ws-stage-bar", "ws-phase-bar", "ws-advance", "ws-undo-phase",
                   "ws-stage-pane", "ws-timer-control", "ws-spotlight-control", "ws-wall-widget",
                   "ws-reopen", "ws-suggestions", "ws-create-value", "ws-undo-grouping")


def console_controls(client: WidgetClient) -> list[str]:
    client.request_states()
    return sorted({c for m in client.models.values() for c in m.classes if c in CONSOLE_CLASSES})


# ---- the console without the right key -------------------------------------------------------------

#: How the outsider opens the console: (join code in the link, key in the link).
KEYLESS = {
    "no key": lambda r, far: (r.code, None),
    "a wrong key": lambda r, far: (r.code, "k" * 32),
    "a participant's token": lambda r, far: (r.code, r.people[OTTOLINE]),
    "the key of another workshop": lambda r, far: (r.code, far.key),
    "no link at all": lambda r, far: (None, None),
}


@pytest.mark.parametrize("who", list(KEYLESS))
def test_the_console_without_its_key_builds_no_control_changes_nothing_and_tells_nothing(
        server, wall_room, elsewhere, who):
    r = wall_room
    code, key = KEYLESS[who](r, elsewhere)
    before = snapshot(server.store, r.code)
    client = opened(server.facilitator_url(code, key))
    try:
        client.request_states()
        assert "Facilitator sign-in" in client.all_text(), "the key gate is shown"
        models = len(client.models)
        # They type their own token (a participant) and the key of a workshop they run themselves.
        known = [r.people[OTTOLINE], elsewhere.key]
        sent = attack(client, [r, elsewhere], known)
        # And sign in as a facilitator would: this workshop's code, the other workshop's key.
        client.request_states()
        client.update(client.one(cls="ws-code-input").model_id, value=r.code)
        client.update(client.one(cls="ws-key-input").model_id, value=elsewhere.key)
        [sign_in] = client.buttons()  # the gate's Open: the page's only button
        client.click(sign_in.model_id)
        client.wait_until(lambda c: "That key does not open this workshop" in c.all_text(), 30, "the refusal")
        ATTACKS.append(f"console with {who}: {sent} messages to {models} models, then a sign-in")
        assert console_controls(client) == [], "the kernel built a console control without the key"
        assert client.find(cls="ws-key-gate"), "the page left its key gate"
        private = [*r.private(), *r.texts, workshops.status(server.store, r.code).title]
        found = leaks(client.everything(), [x for x in private if x not in known])
    finally:
        client.close()
    after = snapshot(server.store, r.code)
    assert changes(before, after) == {}, "an outsider changed the workshop"
    assert found == [], f"sent to an outsider's page: {found}"
    assert sent > 100, "the attack found few widgets to send to"


# ---- the room screen ---------------------------------------------------------------------------------

def room_url(server, secret: str) -> str:
    return links.audience_url(room.NOTEBOOK, secret, server.base_url)


def test_the_room_screen_with_its_secret_is_read_only_and_shows_nothing_private(server, wall_room, elsewhere):
    r = wall_room
    before = snapshot(server.store, r.code)
    client = opened(room_url(server, r.screen))
    try:
        client.wait_until(lambda c: c.find(cls="ws-room"), 60, "the room screen")
        client.request_states()
        kinds = {m.model_name for m in client.models.values()}
        # Nothing to press, type into or choose on the shared screen.
        assert not kinds & {"ButtonModel", "ToggleButtonModel", "TextModel", "PasswordModel", "TextareaModel",
                            "DropdownModel", "CheckboxModel", "RadioButtonsModel"}, kinds
        # It shows the wall (revealed cards, groups): what the leak check below must not mistake for a leak.
        shown = client.all_text()
        assert leaks(shown, r.texts[:3]) == r.texts[:3], "the room screen shows the revealed cards"
        sent = attack(client, [r, elsewhere], [elsewhere.key])
        ATTACKS.append(f"room screen with its secret: {sent} messages")
        found = leaks(client.everything(), r.private()[:-1])  # its own secret was in the address it opened
    finally:
        client.close()
    assert changes(before, snapshot(server.store, r.code)) == {}
    assert found == [], f"the room screen sent {found}"


@pytest.mark.parametrize("which", ["a wrong secret", "the join code", "the gut check's secret"])
def test_the_room_screen_without_its_own_secret_opens_nothing(server, wall_room, elsewhere, which):
    r = wall_room
    secret = {"a wrong secret": "s" * 32, "the join code": r.code,
              "the gut check's secret": audiences.secret(server.store, r.code, r.key, stakeholders.ROLE)}[which]
    before = snapshot(server.store, r.code)
    client = opened(room_url(server, secret))
    try:
        client.request_states()
        assert "This link does not open" in client.all_text()
        # The screen's box is made before the secret is refused; it stays empty.
        assert not [m for m in client.find(cls="ws-room") if m.state.get("children")]
        sent = attack(client, [r, elsewhere], [elsewhere.key])
        ATTACKS.append(f"room screen with {which}: {sent} messages")
        found = leaks(client.everything(), [*r.private(), *r.texts, workshops.status(server.store, r.code).title])
    finally:
        client.close()
    assert changes(before, snapshot(server.store, r.code)) == {}
    assert found == [], f"{which} showed {found}"


# ---- a participant's phone -------------------------------------------------------------------------

def phone(server, r: Room, name: str) -> RecordingClient:
    """The participant ``name``'s page, opened with their personal link, at the rating view."""
    client = opened(server.participant_url(r.code, p=r.people[name]))
    client.announce_browser(r.people[name])
    client.wait_until(lambda c: c.find(cls="ws-rating"), 60, "the rating view")
    return client


def score_controls(client: WidgetClient) -> list:
    return [m for m in client.find(name="AnyModel") if m.state.get("kind") == "score"]


def nav(client: WidgetClient) -> list:
    return [m for m in client.find(name="AnyModel") if m.state.get("kind") == "nav"]


def progress(client: WidgetClient) -> str:
    client.request_states()
    return next(m.state.get("text", "") for m in client.find(name="AnyModel") if m.state.get("kind") == "progress")


def feedback(client: WidgetClient) -> str:
    client.request_states()
    return " ".join(m.state.get("value", "") for m in client.find(cls="ws-feedback"))


def test_a_phone_that_forges_facilitator_messages_and_foreign_drafts_changes_nothing(
        server, rating_room, wall_room, elsewhere):
    r = rating_room
    client = phone(server, r, ATTACKER)
    try:
        # Opening the personal link marks the participant as back (a write): compare from here on.
        before = snapshot(server.store, r.code)
        others = snapshot(server.store, elsewhere.code)
        assert console_controls(client) == []
        where = progress(client)
        assert where.startswith("Draft 1 of"), where
        # Previous / Next naming a draft of another workshop, or one of this workshop the
        # phone is not on: a stale tap, ignored; the phone stays where it is.
        for button in nav(client):
            for d in elsewhere.drafts + r.drafts[1:] + [NOWHERE]:
                client.update(button.model_id, disabled=False)
                client.custom(button.model_id, {"event": "click", "screen": str(d)})
        client.idle()
        assert progress(client) == where, "a tap naming another screen moved the phone"
        ATTACKS.append("phone: Previous/Next naming drafts of another workshop")
        # Scores out of range on every criterion: refused, and said so.
        for control in score_controls(client):
            for bad in (0, 6, -3, 99):
                client.update(control.model_id, value=bad)
        client.idle()
        assert "must be between 1 and 5" in feedback(client)
        ATTACKS.append("phone: scores out of range")
        # The console's messages (wall intents, clicks, menus, texts) sent to every widget here.
        sent = attack(client, [wall_room, r, elsewhere], [r.people[ATTACKER], elsewhere.key],
                      keep=lambda m: m.state.get("kind") != "score" and "ws-language" not in m.classes)
        ATTACKS.append(f"phone: {sent} console-shaped messages")
        found = leaks(client.everything(),
                      [*DEMO_NAMES, BYSTANDER, r.people[BYSTANDER], r.key, r.screen, wall_room.key])
    finally:
        client.close()
    after = snapshot(server.store, r.code)
    assert changes(before, after) == {}, "a participant changed the workshop"
    assert changes(others, snapshot(server.store, elsewhere.code)) == {}, "…or another workshop"
    assert found == [], f"sent to a participant: {found}"


def test_scores_sent_after_rating_closed_are_refused_with_a_message(server, rating_room):
    r = rating_room
    client = phone(server, r, BYSTANDER)
    try:
        controls = score_controls(client)
        assert len(controls) == 3, "the first draft's three criteria"
        vision.close_rating(server.store, r.code, r.key)
        client.wait_until(lambda c: "Rating is closed" in c.all_text(), 30, "the phone to say rating closed")
        before = snapshot(server.store, r.code)
        for control in controls:  # the controls are still in the kernel, hidden: set them anyway
            for score in (1, 5):
                client.update(control.model_id, value=score)
        client.idle()
        told = feedback(client)
        for button in nav(client):
            client.update(button.model_id, disabled=False)
            client.custom(button.model_id, {"event": "click", "screen": button.state.get("screen", "")})
        client.idle()
        ATTACKS.append("phone: scores and taps after rating closed")
    finally:
        client.close()
    assert "Rating is closed: the scores are final." in told
    assert changes(before, snapshot(server.store, r.code)) == {}, "a score went in after rating closed"


# ---- the console with the right key: the attacks above are not vacuous; forged wall intents -----------

@pytest.fixture(scope="module")
def console(server, wall_room):
    """The facilitator's own console on ``wall_room``, opened once: the last tests of the module."""
    client = opened(server.facilitator_url(wall_room.code, wall_room.key))
    client.wait_until(lambda c: c.find(cls="ws-wall-widget"), 90, "the wall")
    yield client
    client.close()


def test_with_its_key_the_console_has_every_control_the_attack_looks_for(console, wall_room):
    """The checks on the keyless consoles can fail: with the key the kernel holds every control,
    and its frames carry the card texts the leak check looks for."""
    assert set(console_controls(console)) >= {"ws-stage-bar", "ws-phase-bar", "ws-advance", "ws-undo-phase",
                                               "ws-timer-control", "ws-spotlight-control", "ws-wall-widget"}
    assert leaks(console.everything(), wall_room.texts[:3]) == wall_room.texts[:3]


def notice_after(client: WidgetClient, message: dict) -> dict:
    """Send one intent to the wall; the notice that answers it."""
    wall = client.one(cls="ws-wall-widget").model_id
    client.request_states()
    n = (client.models[wall].state.get("notice") or {}).get("n", 0)
    client.custom(wall, message)
    client.wait_until(lambda c: (c.models[wall].state.get("notice") or {}).get("n", 0) > n, 30,
                      f"an answer to {message}")
    return client.models[wall].state["notice"]


def test_with_the_key_a_wall_intent_naming_another_workshops_card_or_no_group_is_refused_clearly(
        server, console, wall_room, elsewhere):
    r, far = wall_room, elsewhere
    mine, group = r.cards[0], r.groups[0]
    card_gone, group_gone = "That card no longer exists.", "That value no longer exists."
    refusals = {
        "a card of another workshop": ({"op": "move", "card": far.cards[0], "to": group}, card_gone),
        "a group of another workshop": ({"op": "move", "card": mine, "to": far.groups[0]}, group_gone),
        "a group that does not exist": ({"op": "move", "card": mine, "to": NOWHERE}, group_gone),
        "a card that does not exist": ({"op": "move", "card": NOWHERE, "to": group}, card_gone),
        "a new group with another workshop's card": ({"op": "group", "cards": [mine, far.cards[1]]}, card_gone),
        "a merge into another workshop's group": ({"op": "merge", "source": group, "target": far.groups[0]},
                                                  group_gone),
        "a merge of another workshop's group": ({"op": "merge", "source": far.groups[0], "target": group},
                                                group_gone),
        "renaming another workshop's group": ({"op": "rename", "value": far.groups[0], "name": MARK}, group_gone),
        "describing a group that does not exist": ({"op": "describe", "value": NOWHERE, "description": MARK},
                                                   group_gone),
        # Past 64 bits SQLite's driver cannot even send the id: this said "Something went wrong" once.
        "a card id past 64 bits": ({"op": "move", "card": 2 ** 70, "to": group}, card_gone),
        "a group id past 64 bits": ({"op": "move", "card": mine, "to": -(2 ** 63) - 1}, group_gone),
    }
    before, theirs = snapshot(server.store, r.code), snapshot(server.store, far.code)
    answers = {}
    for i, (what, (intent, _)) in enumerate(refusals.items()):
        answers[what] = notice_after(console, {**intent, "request_id": f"forged-with-key-{i}"})
        ATTACKS.append(f"wall with the key: {what}")
    for what, (_, expected) in refusals.items():
        assert answers[what]["error"] and answers[what]["text"] == expected, (what, answers[what])
    assert changes(before, snapshot(server.store, r.code)) == {}, "a forged intent changed the wall"
    assert changes(theirs, snapshot(server.store, far.code)) == {}, "…or the other workshop"


def test_with_the_key_the_same_intent_naming_real_things_does_move_the_card(server, console, wall_room):
    """The intents above reach the domain: with this workshop's own ids the same message moves the card."""
    r = wall_room
    board = grouping.board(server.store, r.code, r.key)
    card = board.unassigned[0].id  # the loose card
    target = board.values[-1][0].id
    before = snapshot(server.store, r.code)
    console.custom(console.one(cls="ws-wall-widget").model_id,
                   {"op": "move", "card": card, "to": target, "request_id": "real-move"})
    console.wait_until(lambda c: any(g["id"] == target and card in [x["id"] for x in g["cards"]]
                                     for g in c.one(cls="ws-wall-widget").state["state"]["groups"]),
                       30, "the card in its group on the wall")
    board = grouping.board(server.store, r.code, r.key)
    assert card in [c.id for v, cs in board.values if v.id == target for c in cs]
    # The snapshot the other tests compare does see a move: the card, the undo log, the revision.
    assert set(changes(before, snapshot(server.store, r.code))) >= {"workshops", "cards", "events"}


def test_after_a_rekey_the_open_console_with_the_old_key_changes_nothing(server, console, wall_room, elsewhere):
    """A facilitator link that went astray is replaced with `workshop rekey`: the console it opened
    is still on someone's screen, with every control live. Whatever it sends now is refused."""
    r = wall_room
    # While the key opens, the console's Invite pane names whoever joins...
    console.click(console.one(cls="ws-stage-invite").model_id)
    workshops.join(server.store, r.code, name="Philippa Vandersloot (Legal)")
    console.wait_until(lambda c: leaks(c.all_text(), ["Philippa Vandersloot (Legal)"]), 30, "the newcomer's name")
    workshops.rekey(server.store, r.code)
    # ...after the rekey it learns nobody's name: the header counts the next one, the pane stays as it was.
    seen = len(console.frames)
    workshops.join(server.store, r.code, name="Cornelius Brightwater (Legal)")
    joined = workshops.status(server.store, r.code).everyone
    console.wait_until(lambda c: f"{joined} joined" in c.all_text(), 30, "the header's count")
    assert leaks("\n".join(console.frames[seen:]), ["Cornelius Brightwater (Legal)"]) == [], \
        "the old key still reads who joined"
    before = snapshot(server.store, r.code)
    told = notice_after(console, {"op": "move", "card": r.cards[0], "to": r.groups[-1], "request_id": "after-rekey"})
    assert told["error"] and "This facilitator key does not open workshop" in told["text"], told
    # Every control of the console, every message: Next stage and its Yes, Undo, the timer, the
    # spotlight, the stage bar, the wall, the suggestions, every menu and field.
    sent = attack(console, [r, elsewhere], [elsewhere.key])
    ATTACKS.append(f"console after a rekey, with the old key: {sent} messages")
    assert changes(before, snapshot(server.store, r.code)) == {}, "the old key still acts"
    assert "This facilitator key does not open workshop" in console.all_text()
    assert leaks("\n".join(console.frames[seen:]), ["Cornelius Brightwater (Legal)"]) == []
    assert sent > 1000, "the attack found few controls on the console"


# ---- the domain's own check, on both databases -------------------------------------------------------

def test_an_id_no_row_can_have_names_nothing_on_either_database(store, created):
    """An id past 64 bits (SQLite's driver cannot even send one), below 1 or not a number is
    "no longer exists", as for any id the domain does not know, on SQLite and PostgreSQL."""
    from tests.domain_helpers import refused
    from workshop.core.errors import NotFound

    code, key = created
    workshops.advance(store, code, key)
    token = workshops.join(store, code, name="Ana").token
    card = cards.add_card(store, code, token, "A card").id
    value = grouping.start_group(store, code, key, [card])
    for row_id in (2 ** 70, 2 ** 63, -(2 ** 63) - 1, 0, -1, "1"):
        for fn, args in ((grouping.assign_card, (row_id, value)), (grouping.assign_card, (card, row_id)),
                         (grouping.start_group, ([row_id],)), (grouping.merge_values, (value, row_id)),
                         (grouping.rename_value, (row_id, MARK)), (grouping.describe_value, (row_id, MARK))):
            with refused(store, NotFound, match="no longer exists"):
                fn(store, code, key, *args)
    ATTACKS.append("wall actions naming ids no row can have, on " + store.engine.dialect.name)


def test_an_export_with_a_wrong_key_writes_nothing_not_even_the_ballot_secret(store, created):
    """The publish pane of a console whose key was replaced still has its export button: the
    export drew the ballot secret into the workshop before it looked at the key."""
    from tests.domain_helpers import refused
    from workshop.core.errors import NotAuthorized
    from workshop.outputs import export

    code, _ = created
    with refused(store, NotAuthorized, match="does not open"):
        export.records(store, code, "not-the-key")
    ATTACKS.append("export with a wrong key, on " + store.engine.dialect.name)


def test_zz_report_the_attacks():
    print(f"\nconsole/wall/room/phone attacks tried: {len(ATTACKS)}, worked: 0")
    for line in ATTACKS:
        print("  " + line)
