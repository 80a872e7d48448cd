"""Nobody where they do not belong: keyless facilitator pages, guessing join codes and keys, anonymity."""

from __future__ import annotations

import functools
import json
import math
import re

import pytest
from sqlalchemy import select

from tests.widget_client import WidgetClient
from workshop.core import credentials, phases
from workshop.core.errors import NotAuthorized, NotFound
from workshop.demo import seed as demo
from workshop.domain import cards, grouping, throttle, workshops
from workshop.outputs import document, export
from workshop.store.schema import AccessFailure, Event


# ---- join codes and keys ----------------------------------------------------------------------
def test_join_codes_come_from_a_space_too_big_to_search():
    space = len(credentials.CODE_ALPHABET) ** credentials.CODE_LENGTH
    print(f"\njoin code space: {len(credentials.CODE_ALPHABET)}^{credentials.CODE_LENGTH} = {space:.3e}")
    assert space > 5e11
    codes = {credentials.new_join_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(set(c) <= set(credentials.CODE_ALPHABET) and len(c) == 8 for c in codes)
    # Every symbol is used: the codes are not drawn from a smaller alphabet than claimed.
    assert set("".join(codes)) == set(credentials.CODE_ALPHABET)
    # Keys and tokens: 24 random bytes.
    assert len(credentials.new_secret()) == 32
    assert math.log2(64) * 32 >= 192


def test_repeated_wrong_keys_are_refused_for_a_while_with_a_clear_message(store):
    created = workshops.create_workshop(store, "Throttled")
    limit, _ = throttle.LIMITS["key"]
    for i in range(limit):
        assert workshops.check_key(store, created.code, f"guess-{i}") is False
    with pytest.raises(NotAuthorized, match="Too many wrong facilitator keys .* workshop"):
        workshops.check_key(store, created.code, "one-more-guess")
    with pytest.raises(NotAuthorized, match="wait 5 minute"):
        workshops.check_key(store, created.code, "and-another")
    # The facilitator is never locked out by a guesser: the right key still opens.
    assert workshops.check_key(store, created.code, created.key)
    # Another workshop is not affected.
    other = workshops.create_workshop(store, "Untouched")
    assert workshops.check_key(store, other.code, other.key)
    with store.reading() as tx:
        kinds = [f.kind for f in tx.session.execute(select(AccessFailure)).scalars()]
    assert kinds.count("key") == limit


def test_repeated_unknown_join_codes_are_refused_for_a_while(store):
    created = workshops.create_workshop(store, "Real one")
    limit, _ = throttle.LIMITS["code"]
    assert workshops.enter(store, created.code).title == "Real one"
    for i in range(limit):
        with pytest.raises(NotFound):
            workshops.enter(store, f"ZZZZ{i:04d}")
    with pytest.raises(NotAuthorized, match="Too many wrong workshop codes"):
        workshops.enter(store, "ZZZZ9999")
    # A guesser cannot tell a real code from a wrong one while refused.
    with pytest.raises(NotAuthorized, match="Too many wrong workshop codes"):
        workshops.enter(store, created.code)
    # A participant already in keeps working: actions do not go through the throttle.
    workshops.join(store, created.code, "Already here")


def test_old_failures_do_not_count(store):
    created = workshops.create_workshop(store, "Forgiving")
    limit, window = throttle.LIMITS["key"]
    for i in range(limit):
        workshops.check_key(store, created.code, f"typo-{i}")
    # Age the failures past the window, as if the facilitator came back later.
    import datetime as dt
    with store.writing() as tx:
        for f in tx.session.execute(select(AccessFailure)).scalars():
            f.at = f.at - dt.timedelta(seconds=window + 1)
    assert workshops.check_key(store, created.code, created.key)


# ---- facilitator pages without the key (real server) --------------------------------------------
@pytest.mark.slow
def test_facilitator_page_without_the_right_key_shows_nothing_of_the_workshop(server):
    code, key = server.seed(phases.GROUPING)
    secrets = [workshops.status(server.store, code).title]
    secrets += [c.text for c in cards.facilitator_wall(server.store, code, key)][:5]
    secrets += [p.name for p in workshops.participants(server.store, code, key)][:5]
    secrets += [v.name for v in grouping.values(server.store, code)][:3]
    for wrong in (None, "wrong-key", key[:-1]):
        client = WidgetClient(server.facilitator_url(code, wrong))
        try:
            client.open()
            client.request_states()
            seen = client.html + "".join(m.text() for m in client.models.values())
        finally:
            client.close()
        assert "Facilitator sign-in" in seen, "the key gate is shown"
        for secret in secrets:
            assert secret not in seen and json.dumps(secret)[1:-1] not in seen, (wrong, secret)
    # The right key does open it (the check above is not vacuous).
    client = WidgetClient(server.facilitator_url(code, key))
    try:
        client.open()
        client.request_states()
        seen = "".join(m.text() for m in client.models.values())
    finally:
        client.close()
    assert json.dumps(secrets[0])[1:-1] in seen


# ---- anonymous workshops -----------------------------------------------------------------------
@pytest.fixture
def anonymous_demo(store, monkeypatch):
    """The demo workshop played to the end, anonymous from the start."""
    monkeypatch.setattr(demo.workshops, "create_workshop",
                        functools.partial(workshops.create_workshop, anonymous=True))
    code, key = demo.seed(store, phases.PUBLISHED)
    return code, key, list(demo.load()["participants"])


def _assert_no_names(text: str, names: list[str], where: str) -> None:
    for name in names:
        for part in [name] + [p for p in name.split() if len(p) > 3]:
            assert not re.search(rf"\b{re.escape(part)}\b", text), f"{part!r} appears in {where}"


def test_anonymous_workshop_leaks_no_names_anywhere(store, anonymous_demo, tmp_path):
    code, key, names = anonymous_demo
    assert workshops.status(store, code).anonymous
    # Facilitator views.
    _assert_no_names(json.dumps([p.name for p in workshops.participants(store, code, key)]), names,
                     "the participant list")
    _assert_no_names(json.dumps([c.author for c in cards.facilitator_wall(store, code, key)]), names,
                     "the facilitator wall")
    _assert_no_names(repr(grouping.board(store, code, key)), names, "the board")
    # Exports: every CSV file, with and without the key.
    for with_key in (key, None):
        out = tmp_path / ("with-key" if with_key else "without-key")
        for path in export.export_workshop(store, code, out, key=with_key):
            _assert_no_names(path.read_text(encoding="utf-8"), names, f"export {path.name}")
    # Documents.
    _assert_no_names(document.render_markdown(store, code, key), names, "the markdown document")
    _assert_no_names(document.render_html(store, code, key), names, "the html document")
    # The database itself never held them.
    with store.reading() as tx:
        log = json.dumps([e.payload for e in tx.session.execute(select(Event)).scalars()], ensure_ascii=False)
    _assert_no_names(log, names, "the event log")
    # The check would have seen them: the same demo, named, shows the names.
    assert names and any(n in names for n in [w for w in names])


def test_named_demo_export_does_show_names_so_the_anonymity_check_can_fail(store, tmp_path):
    code, key = demo.seed(store, phases.PUBLISHED)
    names = list(demo.load()["participants"])
    text = "".join(p.read_text(encoding="utf-8") for p in export.export_workshop(store, code, tmp_path, key=key))
    assert any(n in text for n in names)


def test_revealed_wall_order_does_not_follow_writing_order(store):
    created = workshops.create_workshop(store, "Order")
    code, key = created.code, created.key
    workshops.advance(store, code, key)
    tokens = [workshops.join(store, code, f"Writer {i}").token for i in range(4)]
    written = []
    for i in range(40):
        written.append(cards.add_card(store, code, tokens[i % 4], f"Card number {i}").id)
    cards.reveal(store, code, key)
    shown = [c.id for c in cards.wall(store, code)]
    assert sorted(shown) == sorted(written)
    assert shown != written and shown != written[::-1]
    # Not merely rotated or grouped by writer: the writer sequence is scrambled.
    writers = [written.index(cid) % 4 for cid in shown]
    same_as_before = sum(1 for a, b in zip(writers, writers[1:]) if b == (a + 1) % 4)
    assert same_as_before < 20, writers
