"""The affinity wall (issue 14): every wall move is one facilitator action in the domain.

Domain: start a group from two cards (unnamed until named), move a card in, out and
between groups, merge, rename and describe; each checks the key and the stage, refuses
bad input without changing a row, is undone by ``grouping.undo`` and applied once per
request id; two facilitators moving the same card end in one place.
Widget: intents from the wall's JavaScript reach the domain and the new state goes back.
Browser: real Chromium on a real server drags with the mouse, the keyboard and touch.
"""

from __future__ import annotations

import pytest

from workshop import InvalidInput, NotAuthorized, NotFound, WrongPhase
from workshop.core import phases
from workshop.domain import cards, grouping, workshops

from .domain_helpers import events, go_to, refused


@pytest.fixture
def wall(store, created):
    code, key = created
    ana = workshops.join(store, code, "Ana").token
    workshops.advance(store, code, key)
    ids = [cards.add_card(store, code, ana, text).id
           for text in ["Fast", "Quick", "Kind", "Warm", "Honest", "Clear"]]
    cards.reveal(store, code, key)
    workshops.advance(store, code, key)
    return code, key, ids


def layout(store, code) -> dict[str, list[str]]:
    """value label (name, or #position when unnamed) -> sorted card texts; "" the loose pile."""
    board = grouping.board(store, code)
    shown = {(v.name or f"#{v.position}"): sorted(c.text for c in cs) for v, cs in board.values}
    shown[""] = sorted(c.text for c in board.unassigned)
    return shown


def test_two_cards_start_an_unnamed_group_that_can_be_named_and_described(store, wall):
    code, key, ids = wall
    g = grouping.start_group(store, code, key, [ids[0], ids[1]])
    [(view, members)] = grouping.board(store, code).values
    assert view.id == g and view.name == "" and view.position == 1
    assert sorted(c.text for c in members) == ["Fast", "Quick"]
    # Several unnamed groups may exist side by side: they are told apart by number.
    g2 = grouping.start_group(store, code, key, [ids[2], ids[3]])
    assert layout(store, code) == {"#1": ["Fast", "Quick"], "#2": ["Kind", "Warm"], "": ["Clear", "Honest"]}
    grouping.rename_value(store, code, key, g, "Speed")
    grouping.describe_value(store, code, key, g2, "We are kind")
    assert layout(store, code)["Speed"] == ["Fast", "Quick"]
    assert [v.description for v in grouping.values(store, code)] == ["", "We are kind"]
    with refused(store, InvalidInput, match="empty"):
        grouping.rename_value(store, code, key, g2, "  ")
    with refused(store, InvalidInput, match="already a value"):
        grouping.rename_value(store, code, key, g2, "speed")


def test_the_vote_waits_until_every_group_on_the_wall_has_a_name(store, wall):
    code, key, ids = wall
    g = grouping.start_group(store, code, key, [ids[0], ids[1]])
    grouping.create_value(store, code, key, "Kindness", card_ids=[ids[2]])
    with refused(store, WrongPhase, match="Name every group"):
        workshops.advance(store, code, key)
    assert workshops.status(store, code).phase == phases.GROUPING
    grouping.rename_value(store, code, key, g, "Speed")
    assert workshops.advance(store, code, key) == phases.VOTING


def test_moves_in_out_and_between_groups(store, wall):
    code, key, ids = wall
    speed = grouping.start_group(store, code, key, [ids[0], ids[1]], name="Speed")
    kind = grouping.start_group(store, code, key, [ids[2], ids[3]])
    grouping.assign_card(store, code, key, ids[4], speed)      # loose -> group
    grouping.assign_card(store, code, key, ids[4], kind)       # group -> group
    grouping.assign_card(store, code, key, ids[0], None)       # group -> not grouped
    assert layout(store, code) == {"Speed": ["Quick"], "#2": ["Honest", "Kind", "Warm"], "": ["Clear", "Fast"]}
    # A named group stays when emptied; an unnamed one goes with its last card, as on a wall.
    grouping.assign_card(store, code, key, ids[1], None)
    for cid in (ids[2], ids[3], ids[4]):
        grouping.assign_card(store, code, key, cid, speed)
    assert layout(store, code) == {"Speed": ["Honest", "Kind", "Warm"], "": ["Clear", "Fast", "Quick"]}
    # Taking both cards of an unnamed group into a new one retires the old one too.
    a = grouping.start_group(store, code, key, [ids[0], ids[1]])
    b = grouping.start_group(store, code, key, [ids[0], ids[1]])
    assert a not in {v.id for v in grouping.values(store, code)} and b in {v.id for v in grouping.values(store, code)}


def test_merge_into_an_unnamed_group_takes_the_name_and_undo_gives_it_back(store, wall):
    code, key, ids = wall
    honesty = grouping.start_group(store, code, key, [ids[4]], name="Honesty")
    loose = grouping.start_group(store, code, key, [ids[5], ids[2]])
    before = layout(store, code)
    grouping.merge_values(store, code, key, honesty, loose)
    assert layout(store, code) == {"Honesty": ["Clear", "Honest", "Kind"], "": ["Fast", "Quick", "Warm"]}
    assert [v.id for v in grouping.values(store, code)] == [loose]
    assert grouping.undo(store, code, key) == "value_merged"
    assert layout(store, code) == before


def test_every_wall_action_needs_the_key_the_stage_and_real_things(store, wall):
    code, key, ids = wall
    g = grouping.start_group(store, code, key, [ids[0], ids[1]])
    other = grouping.start_group(store, code, key, [ids[2]])
    with refused(store, NotAuthorized):
        grouping.start_group(store, code, "wrong", [ids[3], ids[4]])
    with refused(store, NotAuthorized):
        grouping.assign_card(store, code, "wrong", ids[3], g)
    with refused(store, NotAuthorized):
        grouping.merge_values(store, code, "wrong", other, g)
    with refused(store, NotAuthorized):
        grouping.rename_value(store, code, "wrong", g, "Speed")
    with refused(store, NotAuthorized):
        grouping.describe_value(store, code, "wrong", g, "Fast")
    with refused(store, InvalidInput, match="at least one"):
        grouping.start_group(store, code, key, [])
    with refused(store, NotFound):
        grouping.start_group(store, code, key, [ids[3], 999_999])
    with refused(store, NotFound):
        grouping.assign_card(store, code, key, ids[3], 999_999)
    with refused(store, InvalidInput, match="itself"):
        grouping.merge_values(store, code, key, g, g)
    with refused(store, InvalidInput, match="limit is 40"):
        grouping.start_group(store, code, key, [ids[3]], name="v" * 41)
    grouping.rename_value(store, code, key, g, "Speed")  # the vote needs every group named
    grouping.rename_value(store, code, key, other, "Kindness")
    go_to(store, code, key, "voting")
    with refused(store, WrongPhase):
        grouping.start_group(store, code, key, [ids[3], ids[4]])
    with refused(store, WrongPhase):
        grouping.assign_card(store, code, key, ids[3], g)
    with refused(store, WrongPhase):
        grouping.merge_values(store, code, key, other, g)


def test_undo_steps_back_through_wall_moves(store, wall):
    code, key, ids = wall
    s0 = layout(store, code)
    g = grouping.start_group(store, code, key, [ids[0], ids[1]])
    s1 = layout(store, code)
    grouping.assign_card(store, code, key, ids[2], g)
    s2 = layout(store, code)
    h = grouping.start_group(store, code, key, [ids[3], ids[4]])
    s3 = layout(store, code)
    grouping.assign_card(store, code, key, ids[3], None)
    grouping.assign_card(store, code, key, ids[4], g)  # h is now empty and unnamed: it goes
    assert h not in {v.id for v in grouping.values(store, code)}
    s5 = layout(store, code)
    grouping.rename_value(store, code, key, g, "Speed")
    grouping.undo(store, code, key)
    assert layout(store, code) == s5
    grouping.undo(store, code, key)  # the move that emptied h: h and the card come back
    assert h in {v.id for v in grouping.values(store, code)}
    grouping.undo(store, code, key)
    assert layout(store, code) == s3
    grouping.undo(store, code, key)
    assert layout(store, code) == s2
    grouping.undo(store, code, key)
    assert layout(store, code) == s1
    grouping.undo(store, code, key)
    assert layout(store, code) == s0


def test_a_replayed_request_id_is_applied_once(store, wall):
    code, key, ids = wall
    g = grouping.start_group(store, code, key, [ids[0], ids[1]], request_id="wall-r1")
    assert grouping.start_group(store, code, key, [ids[0], ids[1]], request_id="wall-r1") == g
    assert len(grouping.values(store, code)) == 1
    grouping.assign_card(store, code, key, ids[2], g, request_id="wall-r2")
    grouping.assign_card(store, code, key, ids[2], None)
    grouping.assign_card(store, code, key, ids[2], g, request_id="wall-r2")  # the late retry changes nothing
    assert "Kind" in layout(store, code)[""]
    h = grouping.start_group(store, code, key, [ids[3]], name="Care", request_id="wall-r3")
    grouping.merge_values(store, code, key, h, g, request_id="wall-r4")
    grouping.merge_values(store, code, key, h, g, request_id="wall-r4")
    assert len(events(store, "value_merged")) == 1


def test_two_facilitators_moving_the_same_card_end_in_one_place(store, wall):
    code, key, ids = wall
    a = grouping.start_group(store, code, key, [ids[0], ids[1]], name="Speed")
    b = grouping.start_group(store, code, key, [ids[2], ids[3]], name="Care")
    # Both consoles see "Honest" loose; one drops it on Speed, the other a moment later on Care.
    grouping.assign_card(store, code, key, ids[4], a, request_id="console-1")
    grouping.assign_card(store, code, key, ids[4], b, request_id="console-2")
    shown = layout(store, code)
    assert shown["Care"] == ["Honest", "Kind", "Warm"] and "Honest" not in shown["Speed"] + shown[""]
    # The same move twice (both dropped it on Care) is one move, not two steps to undo.
    grouping.assign_card(store, code, key, ids[4], b, request_id="console-3")
    grouping.undo(store, code, key)
    assert "Honest" in layout(store, code)["Speed"]
    # One moves the card into a group the other just merged away: refused, nothing changes.
    grouping.merge_values(store, code, key, b, a)
    with refused(store, NotFound):
        grouping.assign_card(store, code, key, ids[5], b)


# ---- the widget in a kernel: intents in, state out ------------------------------------------------

def test_intents_reach_the_domain_and_a_refusal_comes_back_as_a_notice(store, wall):
    from workshop.core import stages
    from workshop.widgets.facilitator.app import FacilitatorApp

    code, key, ids = wall
    app = FacilitatorApp(store, code, key, stages.CONSOLE, start_live=False)
    panel = app.panel.current if hasattr(app.panel, "current") else app.panel
    view = panel.wall.view
    send = lambda msg: view._handle_custom_msg(msg, [])  # noqa: E731 - as the JavaScript would
    assert sorted(c["id"] for c in view.state["loose"]) == ids and view.state["movable"]
    send({"op": "group", "cards": [ids[0], ids[1]], "request_id": "w1"})
    [g] = view.state["groups"]
    assert g["name"] == "" and g["label"] == "Group 1" and sorted(c["id"] for c in g["cards"]) == ids[:2]
    send({"op": "rename", "value": g["id"], "name": "Speed", "request_id": "w2"})
    send({"op": "move", "card": ids[2], "to": g["id"], "request_id": "w3"})
    send({"op": "move", "card": ids[0], "to": None, "request_id": "w4"})
    send({"op": "describe", "value": g["id"], "description": "No waiting", "request_id": "w5"})
    [g] = view.state["groups"]
    assert (g["label"], g["description"], [c["id"] for c in g["cards"]]) [:2] == ("Speed", "No waiting")
    assert sorted(c["id"] for c in g["cards"]) == [ids[1], ids[2]]
    rev = view.state["rev"]
    send({"op": "move", "card": ids[3], "to": 999_999, "request_id": "w6"})
    assert view.notice["error"] and "no longer exists" in view.notice["text"]
    assert view.state["rev"] > rev  # drawn again, so the browser's guess goes back
    send({"op": "merge", "source": g["id"], "target": g["id"], "request_id": "w7"})
    assert "itself" in view.notice["text"]
    send({"op": "bogus"})
    send({"op": "move", "card": "x"})
    assert len(grouping.values(store, code)) == 1


# ---- in Chromium, on a real server -----------------------------------------------------------------

#: 13 cards of the reference set and the 6 values they make (value -> its cards).
REFERENCE = {
    "Honesty": ["We tell customers the truth, even bad news", "No surprises on the bill",
                "We are open about outages before they ask"],
    "Quality": ["Problems get fixed the first time", "Nobody repeats their story to a second agent"],
    "Autonomy": ["Most things can be sorted out in the app", "Help is easy to find, even at midnight"],
    "Speed": ["We answer quickly when the network is down", "Fast replies on chat"],
    "Respect": ["Friendly people who actually listen", "Respect, whatever the question"],
    "Ownership": ["An agent owns it until it is solved", "We call back when we said we would"],
}
CARD_TEXTS = [c for cs in REFERENCE.values() for c in cs]
WALL = ".ws-affinity"


def grouping_workshop(server, texts, people: int = 3) -> tuple[str, str]:
    store = server.store
    code, key = server.create("Wall test", company="Acme", purpose="keep people talking")
    workshops.advance(store, code, key)
    tokens = [workshops.join(store, code, f"Person {i}").token for i in range(people)]
    for i, text in enumerate(texts):
        cards.add_card(store, code, tokens[i % people], text)
    cards.reveal(store, code, key)
    workshops.advance(store, code, key)
    return code, key


def open_wall(page, server, code, key) -> None:
    from tests import browser as B
    B.open_app(page, server.facilitator_url(code, key), root=".ws-console")
    wait_movable(page)


def wait_movable(page) -> None:
    """Until the wall is drawn from a state in which cards move: its "New group" zone is there.
    Cards alone are not enough: a console that has just opened or moved on to the values stage
    may first draw the board as it was (cards, nothing movable), and a drag then does nothing."""
    from tests import browser as B
    page.locator(f"{WALL} .ws-wall-card").first.wait_for(state="visible", timeout=B.PAGE_TIMEOUT_MS)
    page.locator(f"{WALL} .ws-wall-new").wait_for(state="visible", timeout=B.PAGE_TIMEOUT_MS)


def open_room(page, server, code, key) -> None:
    from tests import browser as B
    from workshop.core import links
    from workshop.domain import room
    secret = room.screen_secret(server.store, code, key)
    B.open_app(page, links.audience_url(room.NOTEBOOK, secret, server.base_url), root=".ws-room")
    page.locator(".ws-room-stage-title", has_text="Core values").wait_for(timeout=30_000)


def card(page, text):
    return page.locator(f"{WALL} .ws-wall-card", has_text=text)


def group(page, label):
    return page.locator(f"{WALL} .ws-wall-group", has=page.locator(".ws-wall-title", has_text=label))


def _boxes(source, target, timeout_s: float = 15.0):
    """Both elements' boxes, as soon as both are drawn (the wall redraws on the database's answer
    to every move, this console's or another's: a node measured mid-redraw has no box)."""
    import time
    deadline = time.monotonic() + timeout_s
    while True:
        source.wait_for(state="visible", timeout=timeout_s * 1000)
        target.wait_for(state="visible", timeout=timeout_s * 1000)
        a, b = source.bounding_box(), target.bounding_box()
        if a and b:
            return a, b
        if time.monotonic() > deadline:
            raise AssertionError(f"no box for {source} or {target} within {timeout_s}s")
        time.sleep(0.05)


def both_in_view(page, source, target):
    """Scroll so the source and the target are both on screen (they are, on a 1280x800 console)."""
    a, b = _boxes(source, target)
    top, bottom = min(a["y"], b["y"]), max(a["y"] + a["height"], b["y"] + b["height"])
    height = page.viewport_size["height"]
    if top < 0 or bottom > height:
        source.evaluate("""(n, dy) => {
            for (let p = n.parentElement; p; p = p.parentElement) {
                const o = getComputedStyle(p).overflowY;
                if ((o === "auto" || o === "scroll") && p.scrollHeight > p.clientHeight) { p.scrollBy(0, dy); return; }
            }
            window.scrollBy(0, dy);
        }""", (top + bottom) / 2 - height / 2)
        a, b = _boxes(source, target)
    return a, b


def aim(page, source, target, at: float = 0.3, timeout_s: float = 15.0) -> tuple[float, float, float, float]:
    """Where a gesture starts and ends: points that the browser's own hit test puts on the
    source and on the target. Measured boxes alone are not enough on a busy machine: the
    console may still be laying out (a line above the wall filled in by the first refresh),
    and a press aimed at a box that has since moved lands on the wrong card or on nothing."""
    import time
    deadline = time.monotonic() + timeout_s
    while True:
        a, b = both_in_view(page, source, target)
        x0, y0 = a["x"] + a["width"] * at, a["y"] + a["height"] / 2
        x1, y1 = b["x"] + b["width"] * at, b["y"] + b["height"] / 2
        hits = "(n, [x, y]) => { const e = document.elementFromPoint(x, y); return !!e && n.contains(e); }"
        if source.evaluate(hits, [x0, y0]) and target.evaluate(hits, [x1, y1]):
            return x0, y0, x1, y1
        if time.monotonic() > deadline:
            raise AssertionError(f"{source} or {target} is covered or moving after {timeout_s}s")
        time.sleep(0.05)


def drag(page, source, target, steps: int = 8, at: float = 0.3) -> None:
    """Playwright's mouse: down on the source, several moves, up over the target."""
    x0, y0, x1, y1 = aim(page, source, target, at)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=steps)
    page.mouse.up()


def touch_drag(page, source, target, steps: int = 8) -> None:
    """A finger on a touch screen (Chromium turns it into pointer events of type "touch")."""
    x0, y0, x1, y1 = aim(page, source, target)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for i in range(1, steps + 1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
            {"x": x0 + (x1 - x0) * i / steps, "y": y0 + (y1 - y0) * i / steps}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def placed(server, code, key) -> dict[str, list[str]]:
    return layout(server.store, code)


def wait_db(server, code, key, check, timeout: float = 10.0) -> dict:
    import time
    end = time.monotonic() + timeout
    while True:
        shown = placed(server, code, key)
        if check(shown):
            return shown
        if time.monotonic() > end:
            raise AssertionError(f"the database never got there: {shown}")
        time.sleep(0.05)


def in_room(page, name, text, timeout_ms: int = 5_000) -> None:
    page.locator(".ws-room-values > li", has=page.locator("h3", has_text=name)).locator(
        ".ws-room-card", has_text=text).wait_for(timeout=timeout_ms)


@pytest.mark.browser
def test_escape_closes_the_move_menu_onto_its_button_even_after_the_room_changed_the_wall(server, visitors):
    """A co-facilitator's move arrives while "Move to…" is open: the wall holds it back, and draws it
    as the menu closes, replacing every node. Escape must still leave the focus on the card's ⋯
    button (CI, stop 25: it fell to the page's body, and a keyboard user was back at the top)."""
    texts = CARD_TEXTS[:4]
    code, key = grouping_workshop(server, texts)
    page = visitors({"width": 1280, "height": 800}, "facilitator").page
    open_wall(page, server, code, key)
    mine = card(page, texts[0])
    card_id = mine.get_attribute("data-card")
    mine.locator(".ws-wall-menu-button").focus()
    page.keyboard.press("Enter")
    page.locator(f"{WALL} .ws-wall-popup[role=menu]").wait_for(timeout=5_000)
    others = [c.id for c in grouping.board(server.store, code).unassigned if str(c.id) != card_id][:2]
    grouping.start_group(server.store, code, key, others)
    page.locator(f"{WALL}[data-pending]").wait_for(state="attached", timeout=15_000)
    page.keyboard.press("Escape")
    page.locator(f"{WALL}:not([data-pending]) .ws-wall-group [data-card=\"{others[0]}\"]").wait_for(timeout=10_000)
    page.wait_for_function("(id) => { const a = document.activeElement;"
                           " return !!a && a.matches('.ws-wall-menu-button') && a.closest('[data-card]').dataset.card === id; }",
                           arg=card_id, timeout=5_000)


@pytest.fixture
def touch_visitor(browser):
    from tests import browser as B
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    context.set_default_timeout(30_000)
    v = B.Visitor(context, context.new_page(), "tablet")
    yield v
    v.close()


@pytest.mark.browser
@pytest.mark.slow
def test_grouping_the_reference_set_on_the_wall_in_chromium(server, visitors, touch_visitor):
    """Mouse, keyboard and touch, two consoles, the room screen following; counts and timings printed."""
    import statistics
    import time

    from tests import browser as B

    code, key = grouping_workshop(server, CARD_TEXTS)
    fac = visitors({"width": 1280, "height": 800}, "facilitator")
    screen = visitors({"width": 1280, "height": 720}, "room")
    page = fac.page
    open_wall(page, server, code, key)
    open_room(screen.page, server, code, key)
    B.screenshot(page, "wall-13-before", full_page=False)
    drags = names = 0

    # Mouse: a card dropped on a card starts an unnamed group, named inline afterwards.
    honesty = REFERENCE["Honesty"]
    drag(page, card(page, honesty[1]), card(page, honesty[0]))
    drags += 1
    wait_db(server, code, key, lambda s: s.get("#1") == sorted(honesty[:2]))
    in_room(screen.page, "Group 1", honesty[1])
    group(page, "Group 1").locator(".ws-wall-title").click()
    page.keyboard.type("Honesty")
    page.keyboard.press("Enter")
    names += 1
    wait_db(server, code, key, lambda s: s.get("Honesty") == sorted(honesty[:2]))
    in_room(screen.page, "Honesty", honesty[0])
    # Mouse: a card dropped into a group.
    drag(page, card(page, honesty[2]), group(page, "Honesty").locator(".ws-wall-head"))
    drags += 1
    wait_db(server, code, key, lambda s: s.get("Honesty") == sorted(honesty))

    # Keyboard: Space picks up, the arrows choose, Space drops (loose -> group 1 -> ... -> New group).
    quality = REFERENCE["Quality"]
    card(page, quality[0]).focus()
    page.keyboard.press("Space")
    page.locator(f"{WALL} .ws-wall-live", has_text="Picked up card").wait_for(state="attached", timeout=2_000)
    page.keyboard.press("ArrowLeft")  # wraps round to "New group"
    page.keyboard.press("Space")
    drags += 1
    wait_db(server, code, key, lambda s: any(k.startswith("#") and s[k] == [quality[0]] for k in s))
    page.locator(f"{WALL} .ws-wall-unnamed:not(.ws-wall-guess)", has_text=quality[0]).wait_for(timeout=5_000)
    card(page, quality[1]).focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # past Honesty to the new group
    page.keyboard.press("Space")
    drags += 1
    page.locator(f"{WALL} .ws-wall-live", has_text="Moved to").wait_for(state="attached", timeout=2_000)
    shown = wait_db(server, code, key, lambda s: any(k.startswith("#") and s[k] == sorted(quality) for k in s))
    unnamed = next(k for k in shown if k.startswith("#"))
    group(page, f"Group {unnamed[1:]}").locator(".ws-wall-title").click()
    page.keyboard.type("Quality")
    page.keyboard.press("Enter")
    names += 1
    wait_db(server, code, key, lambda s: s.get("Quality") == sorted(quality))
    in_room(screen.page, "Quality", quality[1])

    # Escape cancels a keyboard pick-up; nothing moves.
    card(page, REFERENCE["Speed"][0]).focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    assert REFERENCE["Speed"][0] in placed(server, code, key)[""]

    # Touch, from a second console on a tablet: card on card, then a card into a group.
    tablet = touch_visitor.page
    open_wall(tablet, server, code, key)
    autonomy = REFERENCE["Autonomy"]
    touch_drag(tablet, card(tablet, autonomy[1]), card(tablet, autonomy[0]))
    drags += 1
    wait_db(server, code, key, lambda s: any(k.startswith("#") and s[k] == sorted(autonomy) for k in s))
    # The first console shows the tablet's move by itself.
    page.locator(f"{WALL} .ws-wall-unnamed", has_text=autonomy[0]).wait_for(timeout=5_000)
    page.locator(f"{WALL} .ws-wall-unnamed:not(.ws-wall-guess) .ws-wall-title").click()
    page.keyboard.type("Autonomy")
    page.keyboard.press("Enter")
    names += 1

    # The rest by mouse: card on card, then name it.
    for name in ("Speed", "Respect", "Ownership"):
        a, b = REFERENCE[name]
        drag(page, card(page, b), card(page, a))
        drags += 1
        shown = wait_db(server, code, key, lambda s, a=a, b=b: any(k.startswith("#") and s[k] == sorted([a, b])
                                                                   for k in s))
        label = next(k for k in shown if k.startswith("#") and shown[k] == sorted([a, b]))
        group(page, f"Group {label[1:]}").locator(".ws-wall-title").click()
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        names += 1
        wait_db(server, code, key, lambda s, name=name: name in s)
    final = wait_db(server, code, key, lambda s: s[""] == [] and len(s) == 7)
    assert final == {**{k: sorted(v) for k, v in REFERENCE.items()}, "": []}
    for name, texts in REFERENCE.items():
        in_room(screen.page, name, texts[-1])
    print(f"\nREPORT 13 cards into 6 values: {drags} drags and {names} names = {drags + names} interactions")
    B.screenshot(page, "wall-13-grouped", full_page=False)
    B.screenshot(screen.page, "wall-13-room", full_page=False)

    # Two consoles move the same card at once: it ends in one place, and both show that place.
    # Both moves must have reached the database before its answer counts: the first one to
    # land is only a passing state (both consoles rightly move the card on when the second lands).
    moving = REFERENCE["Speed"][0]
    drag(page, card(page, moving), group(page, "Respect").locator(".ws-wall-head"))
    drag(tablet, card(tablet, moving), group(tablet, "Ownership").locator(".ws-wall-head"))
    end = time.monotonic() + 5.0
    while True:  # the database's answer read afresh each time, until both consoles show it
        shown = placed(server, code, key)
        where = [k for k, cs in shown.items() if moving in cs]
        if where in (["Respect"], ["Ownership"]) and all(
                group(p, where[0]).locator(".ws-wall-card", has_text=moving).count() == 1
                and card(p, moving).count() == 1 for p in (page, tablet)):
            break
        if time.monotonic() > end:
            for p in (page, tablet):
                print("DEBUGFAIL", where, p is tablet, p.evaluate("""() => [...document.querySelectorAll(
                    '.ws-wall-group')].map(z => z.querySelector('.ws-wall-title').textContent + ':'
                    + z.querySelectorAll('.ws-wall-card').length).join(' ')"""), shown)
            raise AssertionError(f"the consoles never showed the database's answer {where}")
        time.sleep(0.05)
    # Merge: a group's header dropped on another group; then Undo (the existing one) splits them again.
    drag(page, group(page, "Ownership").locator(".ws-wall-head"), group(page, "Respect").locator(".ws-wall-head"), at=0.8)
    wait_db(server, code, key, lambda s: "Ownership" not in s)
    page.locator(".ws-undo-grouping").click()
    wait_db(server, code, key, lambda s: "Ownership" in s)
    # Out to "Not grouped" with the mouse, and back with the "Move to…" menu.
    drag(page, card(page, moving), page.locator(f"{WALL} .ws-wall-loose .ws-wall-head"))
    wait_db(server, code, key, lambda s: s[""] == [moving])
    card(page, moving).locator(".ws-wall-menu-button").click()
    page.locator(f"{WALL} .ws-wall-popup .ws-wall-item", has_text="Speed").click()
    wait_db(server, code, key, lambda s: moving in s["Speed"])
    in_room(screen.page, "Speed", moving)

    # From a drop to the room screen, ten times.
    seconds = []
    honest = REFERENCE["Honesty"][0]
    for i in range(10):
        to = "Quality" if i % 2 == 0 else "Honesty"
        drag(page, card(page, honest), group(page, to).locator(".ws-wall-head"))
        started = time.monotonic()
        in_room(screen.page, to, honest)
        seconds.append(time.monotonic() - started)
    seconds.sort()
    p50, p95 = statistics.median(seconds), seconds[min(9, int(round(0.95 * 10)) - 1)]
    print(f"REPORT drop -> room screen over 10 drops: p50 {p50:.3f}s p95 {p95:.3f}s max {seconds[-1]:.3f}s")
    assert p95 < 2.0

    # A move made elsewhere while a drag is in progress neither cancels it nor is lost.
    other = REFERENCE["Respect"][0]
    other_id = next(c.id for _, cs in grouping.board(server.store, code, key).values for c in cs if c.text == other)
    a, b = both_in_view(page, card(page, honest), group(page, "Speed").locator(".ws-wall-head"))
    page.mouse.move(a["x"] + 20, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(a["x"] + 60, a["y"] + 40, steps=4)
    grouping.assign_card(server.store, code, key, other_id, None)  # another console, a moment ago
    page.locator(".ws-panel", has_text="12 of 13 cards grouped").first.wait_for(timeout=5_000)  # the kernel saw it
    assert page.locator(f"{WALL} .ws-wall-ghost").count() == 1
    page.mouse.move(b["x"] + 20, b["y"] + b["height"] / 2, steps=4)
    page.mouse.up()
    wait_db(server, code, key, lambda s: honest in s["Speed"] and s[""] == [other])
    page.locator(f"{WALL} .ws-wall-loose .ws-wall-card", has_text=other).wait_for(timeout=5_000)
    group(page, "Speed").locator(".ws-wall-card", has_text=honest).wait_for(timeout=5_000)

    # Every other way a drag can end (Escape, the browser's pointercancel, the capture lost, the
    # window losing focus) ends it too: nothing moves, and the wall follows the database again.
    respect_id = next(v.id for v, _ in grouping.board(server.store, code, key).values if v.name == "Respect")
    endings = {
        "Escape": lambda: page.keyboard.press("Escape"),
        "pointercancel": lambda: page.evaluate(
            "() => document.dispatchEvent(new PointerEvent('pointercancel', {pointerId: 1, bubbles: true}))"),
        "lostpointercapture": lambda: page.evaluate("""() => document.querySelector('.ws-wall-dragging')
            .dispatchEvent(new PointerEvent('lostpointercapture', {pointerId: 1, bubbles: true}))"""),
        "blur": lambda: page.evaluate("() => window.dispatchEvent(new Event('blur'))"),
    }
    for i, (how, end) in enumerate(endings.items()):
        a, _ = both_in_view(page, card(page, honest), group(page, "Quality").locator(".ws-wall-head"))
        page.mouse.move(a["x"] + 20, a["y"] + a["height"] / 2)
        page.mouse.down()
        page.mouse.move(a["x"] + 60, a["y"] + 40, steps=4)
        page.locator(f"{WALL} .ws-wall-ghost").wait_for(timeout=2_000)
        end()
        assert page.locator(f"{WALL} .ws-wall-ghost").count() == 0, how
        to = respect_id if i % 2 == 0 else None  # another console moves a card meanwhile
        grouping.assign_card(server.store, code, key, other_id, to)
        where = group(page, "Respect") if to else page.locator(f"{WALL} .ws-wall-loose")
        where.locator(".ws-wall-card", has_text=other).wait_for(timeout=3_000)  # not held up: `how` ended it
        page.mouse.up()
        assert honest in placed(server, code, key)["Speed"], how
    assert not [e for e in fac.console_errors if "wall" in e.lower()]


def many_cards(n: int) -> list[str]:
    """Card texts of the length people write (3 to 12 words)."""
    words = ("we answer fast and keep our promises to every customer who calls about the bill outage app "
             "agent story respect truth help night friendly listen ownership solved").split()
    return [f"{i + 1}. " + " ".join(words[(i * 7 + j) % len(words)] for j in range(3 + (i * 5) % 10))
            for i in range(n)]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("n, groups", [(30, 8), (60, 10)])
def test_the_wall_stays_readable_at_30_and_60_cards_on_a_1280x800_console(server, visitors, n, groups):
    from tests import browser as B

    texts = many_cards(n)
    code, key = grouping_workshop(server, texts)
    store = server.store
    ids = [c.id for c in sorted(grouping.board(store, code, key).unassigned, key=lambda c: c.id)]
    per = (n * 2 // 3) // groups
    for g in range(groups):
        grouping.start_group(store, code, key, ids[g * per:(g + 1) * per], name=f"Value {g + 1}" if g % 3 else "")
    fac = visitors({"width": 1280, "height": 800}, "facilitator")
    page = fac.page
    open_wall(page, server, code, key)
    assert page.locator(f"{WALL} .ws-wall-card").count() == n
    assert page.locator(f"{WALL} .ws-wall-group").count() == groups
    assert B.horizontal_overflow(page, scope=WALL) == 0
    assert B.horizontal_overflow(page, scope=".ws-console") == 0
    sizes = page.evaluate(f"""() => [...document.querySelectorAll('{WALL} .ws-wall-text')]
        .map(n => parseFloat(getComputedStyle(n).fontSize))""")
    assert min(sizes) >= 12
    page.locator(f"{WALL} .ws-wall-loose").scroll_into_view_if_needed()
    B.screenshot(page, f"wall-{n}-console", full_page=False)
    page.locator(WALL).screenshot(path=str(B.ARTIFACTS / f"wall-{n}-console-whole-wall.png"))
    screen = visitors({"width": 1280, "height": 720}, "room")
    open_room(screen.page, server, code, key)
    screen.page.locator(".ws-room-values > li").nth(groups - 1).wait_for(timeout=10_000)
    B.screenshot(screen.page, f"wall-{n}-room", full_page=False)
    phone = visitors(B.PHONE, "phone")
    B.open_app(phone.page, server.participant_url(code))
    B.join(phone.page, "Phone reader")
    phone.page.locator(".ws-board .ws-value").nth(groups - 1).wait_for(timeout=30_000)
    assert B.horizontal_overflow(phone.page) == 0
    B.screenshot(phone.page, f"wall-{n}-phone", full_page=False)
