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


@pytest.fixture
def quick_pause(monkeypatch):
    """Guessing pauses of a fifth of a second, so a test can make 30 wrong guesses quickly."""
    monkeypatch.setattr(throttle, "PAUSE", 0.2)
    return 0.2


def _timed(fn, *args, **kwargs):
    import time
    start = time.monotonic()
    try:
        fn(*args, **kwargs)
    except (NotAuthorized, NotFound) as err:
        return time.monotonic() - start, err
    return time.monotonic() - start, None


def test_repeated_wrong_keys_are_refused_for_a_while_with_a_clear_message(store, quick_pause):
    created = workshops.create_workshop(store, "Throttled")
    guesser, facilitator = throttle.Guesser("guessing-page"), throttle.Guesser("facilitator-page")
    limit, _ = throttle.LIMITS["key"]
    for i in range(limit):
        assert workshops.check_key(store, created.code, f"guess-{i}", guesser=guesser) is False
    with pytest.raises(NotAuthorized, match="Too many wrong facilitator keys .* workshop"):
        workshops.check_key(store, created.code, "one-more-guess", guesser=guesser)
    took, err = _timed(workshops.check_key, store, created.code, "and-another", guesser=guesser)
    assert isinstance(err, NotAuthorized) and "wait 5 minute" in str(err)
    assert took >= quick_pause, "past the limit every wrong key waits"
    # The facilitator is never locked out by a guesser: the right key opens, from any page,
    # the guesser's own included, and at once.
    for page in (facilitator, guesser):
        took, err = _timed(workshops.check_key, store, created.code, created.key, guesser=page)
        assert err is None and took < quick_pause
        assert workshops.check_key(store, created.code, created.key, guesser=page)
    # The facilitator's own typo is answered "wrong key", not "too many": the count is the guesser's.
    assert workshops.check_key(store, created.code, "typo", guesser=facilitator) is False
    # Another workshop is not affected.
    other = workshops.create_workshop(store, "Untouched")
    assert workshops.check_key(store, other.code, other.key, guesser=guesser)
    with store.reading() as tx:
        kinds = [f.kind for f in tx.session.execute(select(AccessFailure)).scalars()]
    assert kinds.count("key") == limit + 3  # the guesser's 7, the facilitator's typo


def test_thirty_wrong_codes_lock_nobody_out(store, quick_pause):
    """Issue 12, item 1: wrong codes once locked every participant out of the whole server."""
    created = workshops.create_workshop(store, "Real one")
    guesser, participant = throttle.Guesser("guessing-page"), throttle.Guesser("participant-page")
    limit, _ = throttle.LIMITS["code"]
    answers = []
    for i in range(30):
        took, err = _timed(workshops.enter, store, f"ZZZZ{i:04d}", guesser=guesser)
        answers.append((type(err).__name__, took >= quick_pause))
    assert answers[:limit] == [("NotFound", False)] * limit, "a few typos are answered at once"
    assert answers[limit:] == [("NotAuthorized", True)] * (30 - limit), "then guessing is slowed"
    # The right code opens for everybody: another visitor, and the guesser too.
    assert workshops.enter(store, created.code, guesser=participant).title == "Real one"
    assert workshops.enter(store, created.code, guesser=guesser).title == "Real one"
    # The other visitor's own typo is an ordinary "no such workshop": nobody filled their counter.
    with pytest.raises(NotFound):
        workshops.enter(store, "ZZZZ0000", guesser=participant)
    # Facilitator keys go through the same rule.
    assert workshops.check_key(store, created.code, created.key, guesser=guesser)


def test_an_address_is_counted_across_its_pages_and_only_its_own(store, quick_pause):
    limit, _ = throttle.LIMITS["code"]
    per_address = limit * throttle.ADDRESS_FACTOR
    pages = [throttle.Guesser(f"page-{i}", address="203.0.113.7") for i in range(per_address)]
    for page in pages:  # one wrong code per fresh page: each page alone stays under its limit
        with pytest.raises(NotFound):
            workshops.enter(store, "ZZZZ0000", guesser=page)
    with pytest.raises(NotAuthorized, match="Too many wrong workshop codes"):
        workshops.enter(store, "ZZZZ0001", guesser=throttle.Guesser("page-new", address="203.0.113.7"))
    with pytest.raises(NotFound):  # another address is untouched
        workshops.enter(store, "ZZZZ0001", guesser=throttle.Guesser("page-x", address="198.51.100.1"))
    # No address or kernel id is stored as such.
    with store.reading() as tx:
        stored = " ".join(f.code for f in tx.session.execute(select(AccessFailure)).scalars())
    assert "203.0.113.7" not in stored and "page-1" not in stored


def test_the_guesser_of_a_voila_kernel_is_its_kernel_and_forwarded_address(monkeypatch):
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-123")
    monkeypatch.delenv("HTTP_X_REAL_IP", raising=False)
    assert throttle.Guesser.here(page="widget") == throttle.Guesser("k-123", "")
    monkeypatch.setenv("HTTP_X_REAL_IP", "192.0.2.9")
    assert throttle.Guesser.here() == throttle.Guesser("k-123", "192.0.2.9")
    monkeypatch.delenv("VOILA_KERNEL_ID")
    assert throttle.Guesser.here(page="widget").page == "widget"


def test_how_many_guesses_an_hour_and_how_long_the_code_space_lasts():
    space = len(credentials.CODE_ALPHABET) ** credentials.CODE_LENGTH
    per_page_hour = throttle.LIMITS["code"][0] + 3600 / throttle.PAUSE
    worst = throttle.guesses_per_hour()
    hours = space / worst
    print(f"\none page: {per_page_hour:.0f} guesses/h; a script: {worst:.2e} guesses/h; "
          f"31**8 = {space:.2e} codes last {hours:.2e} h = {hours / 24 / 365:.0f} years "
          f"(first of 100 workshops found after {hours / 2 / 100 / 24 / 365:.1f} years)")
    assert per_page_hour <= 725
    assert hours / 24 / 365 > 500
    # The figures in throttle's docstring are these.
    assert "725" in throttle.__doc__ and f"{worst:,.0f} guesses an hour" in throttle.__doc__
    assert f"about {round(hours / 24 / 365, -2):.0f} years" in throttle.__doc__


def test_old_failures_do_not_count(store, quick_pause):
    created = workshops.create_workshop(store, "Forgiving")
    guesser = throttle.Guesser("page")
    limit, window = throttle.LIMITS["key"]
    for i in range(limit + 1):
        with pytest.raises(NotAuthorized) if i == limit else _nothing():
            workshops.check_key(store, created.code, f"typo-{i}", guesser=guesser)
    # Age the failures past the window, as if the facilitator came back later.
    import datetime as dt
    with store.writing() as tx:
        for f in tx.session.execute(select(AccessFailure)).scalars():
            f.at = f.at - dt.timedelta(seconds=window + 1)
    assert workshops.check_key(store, created.code, "typo-again", guesser=guesser) is False
    assert workshops.check_key(store, created.code, created.key, guesser=guesser)


def _nothing():
    import contextlib
    return contextlib.nullcontext()


@pytest.mark.slow
@pytest.mark.postgres
def test_wrong_codes_on_one_server_lock_no_server_out_on_postgresql(pg_server, monkeypatch):
    """Issue 12, item 1: with PostgreSQL a server-wide counter locked every server at once."""
    monkeypatch.setattr(throttle, "PAUSE", 0)
    code, key = pg_server.create("Shared database")
    for i in range(30):  # another server's visitor guessing, through the same database
        with pytest.raises((NotFound, NotAuthorized)):
            workshops.enter(pg_server.store, f"ZZZZ{i:04d}")
    for i in range(10):
        with pytest.raises(NotAuthorized) if i >= 5 else _nothing():
            assert workshops.check_key(pg_server.store, code, f"guess-{i}") is False
    with WidgetClient(pg_server.participant_url(code)) as visitor:
        text = visitor.all_text()
        assert "Shared database" in text and "Too many" not in text and visitor.find(cls="ws-join-button")
    with WidgetClient(pg_server.facilitator_url(code, key)) as facilitator:
        assert not facilitator.find(cls="ws-key-gate") and "Shared database" in facilitator.all_text()


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
