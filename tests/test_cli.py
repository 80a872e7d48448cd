"""The `workshop` console command, run for real in a subprocess as a facilitator or script would."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workshop.core import credentials
from workshop.demo import seed as demo
from workshop.domain import room
from workshop.store import Store

WORKSHOP = Path(sys.executable).with_name("workshop")


def run(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, WORKSHOP_HOME=str(home))
    env.pop("WORKSHOP_DB_URL", None)
    env.pop("WORKSHOP_PUBLIC_URL", None)
    proc = subprocess.run([str(WORKSHOP), *args], capture_output=True, text=True, env=env, timeout=180,
                          cwd=home)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def assert_one_clear_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("workshop")
    for w in words:
        assert w in lines[0]


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A database holding the demo workshop played to the end: (url, code, key)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.sqlite'}"
    store = Store(url)
    code, key = demo.seed(store, "published")
    store.engine.dispose()
    return url, code, key


def test_new_prints_the_join_code_and_both_links(db, tmp_path):
    out = run("--db", db, "new", "Acme support philosophy", "--company", "Acme", home=tmp_path).stdout
    assert "Acme support philosophy" in out
    code_line = next(line for line in out.splitlines() if "Join code" in line)
    spoken = code_line.split(":", 1)[1].strip()
    code = spoken.replace("-", "")
    assert f"participant.ipynb?w={code}" in out
    fac = next(line for line in out.splitlines() if "Facilitator link" in line)
    assert f"w={code}" in fac and "key=" in fac


def test_new_json_is_for_scripts_and_db_may_follow_the_command(db, tmp_path):
    proc = run("new", "Scripted workshop", "--json", "--anonymous", "--db", db, home=tmp_path)
    info = json.loads(proc.stdout)
    assert set(info) >= {"code", "facilitator_key", "participant_url", "facilitator_url"}
    assert info["code"] in info["participant_url"] and info["facilitator_key"] in info["facilitator_url"]
    # The workshop landed in the database named after the command, not the default one.
    status = json.loads(run("status", info["code"], "--json", "--db", db, home=tmp_path).stdout)
    assert status["title"] == "Scripted workshop" and status["anonymous"] is True
    assert not (tmp_path / "workshop.sqlite").exists()


def test_new_links_name_the_server_serve_would_run(db, tmp_path):
    """`workshop new` takes serve's --port, --path-prefix and --public-url, and builds the links alike."""
    out = run("--db", db, "new", "Prefixed", "--port", "9000", "--path-prefix", "/a/", home=tmp_path).stdout
    links = [line.split(":", 1)[1].strip() for line in out.splitlines() if "link:" in line]
    assert len(links) == 3  # participant, facilitator, room screen
    assert all(link.startswith("http://127.0.0.1:9000/a/voila/render/") for link in links), links
    room_link = links[2]
    assert "room.ipynb?s=" in room_link and "key=" not in room_link
    secret = room_link.split("s=", 1)[1]
    code = links[0].split("w=", 1)[1]
    assert room.screen(Store(db), secret).code == code  # the printed link opens that workshop's room screen

    info = json.loads(run("--db", db, "new", "Proxied", "--json", "--path-prefix", "/a/",
                          "--public-url", "https://ws.example.org", home=tmp_path).stdout)
    assert info["participant_url"].startswith("https://ws.example.org/voila/render/participant.ipynb?w=")
    # --base-url, the option's old name, still works.
    info = json.loads(run("--db", db, "new", "Old name", "--json", "--base-url", "https://old.example.org/",
                          home=tmp_path).stdout)
    assert info["facilitator_url"].startswith("https://old.example.org/voila/render/00-facilitator.ipynb?w=")
    info = json.loads(run("--db", db, "new", "Default", "--json", home=tmp_path).stdout)
    assert info["participant_url"].startswith("http://127.0.0.1:8866/voila/render/")


def test_status_and_list_show_where_each_workshop_stands(seeded, tmp_path):
    db, code, _key = seeded
    other = json.loads(run("--db", db, "new", "Second workshop", "--json", home=tmp_path).stdout)["code"]

    text = run("--db", db, "status", code, home=tmp_path).stdout
    assert "Nimbus Telecom" in text and "stage: published" in text and "cards: 14" in text
    assert "vision: You can count on us" in text
    # Codes are read aloud: any case and dashes are accepted.
    spoken = credentials.format_code(code).lower()
    status = json.loads(run("--db", db, "status", spoken, "--json", home=tmp_path).stdout)
    assert status["code"] == code and status["phase"] == "published" and status["participants"] == 6
    assert "facilitator_key" not in status and "key_hash" not in status

    listing = run("list", "--db", db, home=tmp_path).stdout.splitlines()
    assert len(listing) == 2
    assert credentials.format_code(other) in listing[0] and "Second workshop" in listing[0]
    assert credentials.format_code(code) in listing[1] and "published" in listing[1]


def test_export_writes_the_csv_files_and_names_need_the_key(seeded, tmp_path):
    db, code, key = seeded

    out = tmp_path / "anon"
    paths = run("export", code, "--out", str(out), "--db", db, home=tmp_path).stdout.split()
    assert {Path(p).name for p in paths} >= {"workshop.csv", "cards.csv", "votes.csv", "ratings.csv",
                                             "rating_summary.csv", "events.csv"}
    assert all(Path(p).parent == out and Path(p).exists() for p in paths)
    with open(out / "participants.csv", encoding="utf-8-sig") as f:
        assert [r["participant"] for r in csv.DictReader(f)][0] == "Participant 1"

    run("--db", db, "export", code, "--key", key, home=tmp_path)  # default folder: exports/CODE
    with open(tmp_path / "exports" / code / "participants.csv", encoding="utf-8-sig") as f:
        assert [r["participant"] for r in csv.DictReader(f)][0] == "Amira (CEO)"


def test_mistakes_print_one_clear_line_and_fail(db, tmp_path):
    created = json.loads(run("--db", db, "new", "Real one", "--json", home=tmp_path).stdout)

    assert_one_clear_line(run("--db", db, "status", "NOPE1234", home=tmp_path, check=False), "NOPE1234")
    assert_one_clear_line(run("export", "NOPE1234", "--db", db, "--out", str(tmp_path / "x"),
                              home=tmp_path, check=False), "NOPE1234")
    assert not (tmp_path / "x").exists()
    # Keys may start with a dash; such a wrong key is still read as a key, and refused as one.
    wrong = run("export", created["code"], "--key", "-wrong", "--db", db, home=tmp_path, check=False)
    assert_one_clear_line(wrong, "key")
    assert wrong.returncode == 1
    usage = run("status", home=tmp_path, check=False)
    assert usage.returncode == 2
    assert_one_clear_line(usage, "code")
    assert_one_clear_line(run("--db", db, "new", "   ", home=tmp_path, check=False), "title")


@pytest.mark.postgres
def test_new_and_status_work_on_postgresql(pg_url, tmp_path):
    info = json.loads(run("new", "Über Grenzen – 跨越", "--json", "--db", pg_url, home=tmp_path).stdout)
    status = json.loads(run("status", info["code"], "--json", "--db", pg_url, home=tmp_path).stdout)
    assert status["title"] == "Über Grenzen – 跨越"


# ---- links and rekey (issue 13) ----------------------------------------------------------

def _links(out: str) -> dict[str, str]:
    """label -> link of each `workshop links` line that ends in a link."""
    found = {}
    for line in out.splitlines():
        label, _, rest = line.strip().partition(":")
        if rest.strip().startswith("http"):
            found[label] = rest.strip()
    return found


def _secret_of(url: str) -> str:
    from urllib.parse import parse_qs, urlsplit
    return parse_qs(urlsplit(url).query)["s"][0]


LINK_ROLES = {"Room screen link": "screen", "Gut check link (stakeholders)": "stakeholder",
              "Survey link (every employee)": "employee", "Benchmark link (exemplary team members)": "exemplar"}


def test_links_reprints_working_links_and_never_the_key(db, tmp_path):
    from workshop.domain import audiences

    created = json.loads(run("--db", db, "new", "Links", "--json", home=tmp_path).stdout)
    code, key = created["code"], created["facilitator_key"]
    store = Store(db)
    stakeholder = audiences.secret(store, code, key, "stakeholder")  # one the panel made already

    proc = run("--db", db, "links", credentials.format_code(code).lower(), "--port", "9000", "--path-prefix", "/a/",
               home=tmp_path)
    out = proc.stdout
    assert key not in out + proc.stderr and "key=" not in out
    assert "█" in out  # the participant link's QR code, as `workshop demo` prints it
    found = _links(out)
    assert found["Participant link"] == f"http://127.0.0.1:9000/a/voila/render/participant.ipynb?w={code}"
    assert set(LINK_ROLES) <= set(found)
    for label, role in LINK_ROLES.items():
        url = found[label]
        assert url.startswith(f"http://127.0.0.1:9000/a/voila/render/{audiences.NOTEBOOKS[role]}?s=")
        assert code not in url
        secret = _secret_of(url)
        assert audiences.resolve(store, secret, role) == code  # the link opens its own page
        # ... and it is the very link the facilitator's panel shows.
        assert audiences.secret(store, code, key, role) == secret
    assert _secret_of(found["Gut check link (stakeholders)"]) == stakeholder
    assert "workshop rekey" in out

    # Again, and as JSON: the same links, still no key.
    again = json.loads(run("--db", db, "links", code, "--json", "--public-url", "https://ws.example.org",
                           home=tmp_path).stdout)
    assert key not in json.dumps(again) and "facilitator_url" not in again
    assert again["participant_url"] == f"https://ws.example.org/voila/render/participant.ipynb?w={code}"
    assert _secret_of(again["screen_url"]) == _secret_of(found["Room screen link"])
    store.engine.dispose()


def test_rekey_replaces_the_key_and_leaves_every_other_link_alone(db_url, tmp_path):
    db = db_url  # on SQLite and on PostgreSQL
    from workshop.core.errors import NotAuthorized
    from workshop.domain import audiences, workshops
    from workshop.store.schema import Event

    created = json.loads(run("--db", db, "new", "Lost key", "--json", home=tmp_path).stdout)
    code, old = created["code"], created["facilitator_key"]
    store = Store(db)
    ana = workshops.join(store, code, "Ana")
    before = run("--db", db, "links", code, "--no-qr", home=tmp_path).stdout

    proc = run("--db", db, "rekey", code, "--port", "9000", home=tmp_path)
    fac = [line for line in proc.stdout.splitlines() if "Facilitator link" in line]
    assert len(fac) == 1
    url = fac[0].split(":", 1)[1].strip()
    assert url.startswith(f"http://127.0.0.1:9000/voila/render/00-facilitator.ipynb?w={code}&key=")
    new = url.split("key=", 1)[1]
    assert new and new != old and old not in proc.stdout

    assert workshops.check_key(store, code, new)
    assert not workshops.check_key(store, code, old)
    with pytest.raises(NotAuthorized):
        workshops.advance(store, code, old)
    workshops.advance(store, code, new)
    # Everything else is as it was: the participant's link, and every audience link.
    assert workshops.whoami(store, code, ana.token).name == "Ana"
    after = run("--db", db, "links", code, "--no-qr", home=tmp_path).stdout
    assert _links(after) == _links(before)
    for label, role in LINK_ROLES.items():
        assert audiences.secret(store, code, new, role) == _secret_of(_links(after)[label])
    # The log says it happened, never with either key.
    with store.reading() as tx:
        logged = tx.session.query(Event).filter(Event.kind == "facilitator_key_replaced").all()
        everything = str([(e.actor, e.kind, e.payload) for e in tx.session.query(Event).all()])
    assert len(logged) == 1 and logged[0].actor == "server"
    assert old not in everything and new not in everything

    # A second rekey: the first new key stops opening too.
    newer = json.loads(run("--db", db, "rekey", code, "--json", home=tmp_path).stdout)["facilitator_key"]
    assert workshops.check_key(store, code, newer) and not workshops.check_key(store, code, new)
    store.engine.dispose()


def test_links_and_rekey_of_an_unknown_workshop_say_so_and_fail(db, tmp_path):
    run("--db", db, "new", "Real one", home=tmp_path)
    for command in ("links", "rekey"):
        proc = run("--db", db, command, "NOPE1234", home=tmp_path, check=False)
        assert_one_clear_line(proc, "NOPE1234")
        assert proc.returncode == 1 and proc.stdout == ""


def _legacy_row(store: Store, code: str, key: str, role: str) -> str:
    """An audience link as it was made before schema version 5: drawn from the key, only its hash kept."""
    from workshop.domain import audiences
    from workshop.store.schema import AudienceSecret, Workshop

    salt = "old-salt-" + role
    drawn = audiences._derive(key, code, role, salt)
    with store.writing() as tx:
        ws = tx.session.query(Workshop).filter_by(code=code).one()
        tx.session.add(AudienceSecret(workshop_id=ws.id, role=role, salt=salt, secret=None,
                                      secret_hash=credentials.digest(drawn)))
    return drawn


def test_links_made_before_version_5_keep_opening_and_are_printed_once_the_panel_showed_them(db, tmp_path):
    from workshop.domain import audiences

    created = json.loads(run("--db", db, "new", "Old links", "--json", home=tmp_path).stdout)
    code, key = created["code"], created["facilitator_key"]
    store = Store(db)
    survey = _legacy_row(store, code, key, "employee")
    gutcheck = _legacy_row(store, code, key, "stakeholder")

    out = run("--db", db, "links", code, "--no-qr", home=tmp_path).stdout
    line = next(line for line in out.splitlines() if "Survey link" in line)
    assert "cannot be printed here" in line and "follow-up panel" in line and "http" not in line
    assert survey not in out and key not in out
    assert audiences.resolve(store, survey, "employee") == code  # it still opens

    # The facilitator's panel (which has the key) shows the same link, and from then on it is kept.
    assert audiences.secret(store, code, key, "employee") == survey
    found = _links(run("--db", db, "links", code, "--no-qr", home=tmp_path).stdout)
    assert _secret_of(found["Survey link (every employee)"]) == survey

    # A key lost before the panel showed the gut check link: the panel shows a new link after the rekey,
    # and the one already sent keeps opening.
    new = json.loads(run("--db", db, "rekey", code, "--json", home=tmp_path).stdout)["facilitator_key"]
    assert "Gut check link (stakeholders)" not in _links(run("--db", db, "links", code, "--no-qr",
                                                             home=tmp_path).stdout)
    replaced = audiences.secret(store, code, new, "stakeholder")
    assert replaced != gutcheck
    assert audiences.resolve(store, gutcheck, "stakeholder") == code
    assert audiences.resolve(store, replaced, "stakeholder") == code
    assert audiences.secret(store, code, new, "employee") == survey  # kept: the rekey changed nothing
    found = _links(run("--db", db, "links", code, "--no-qr", home=tmp_path).stdout)
    assert _secret_of(found["Gut check link (stakeholders)"]) == replaced
    with pytest.raises(Exception):
        audiences.resolve(store, gutcheck, "employee")  # still only its own page
    store.engine.dispose()


def test_a_version_4_database_is_upgraded_and_its_audience_links_keep_opening(db_url, tmp_path):
    db = db_url  # on SQLite and on PostgreSQL
    from sqlalchemy import inspect, text

    from workshop.domain import audiences, workshops
    from workshop.store import migrations

    store = Store(db)
    created = workshops.create_workshop(store, "From version 4")
    with store.engine.begin() as conn:  # back to version 4: no kept secrets
        conn.execute(text("DROP INDEX ix_audience_secrets_former_hash"))
        conn.execute(text("ALTER TABLE audience_secrets DROP COLUMN former_hash"))
        conn.execute(text("ALTER TABLE audience_secrets DROP COLUMN secret"))
        conn.execute(text("DELETE FROM schema_version"))
        conn.execute(text("INSERT INTO schema_version (version, applied_at) VALUES (4, CURRENT_TIMESTAMP)"))
        salt = "s4"
        drawn = audiences._derive(created.key, created.code, "employee", salt)
        ws_id = conn.execute(text("SELECT id FROM workshops")).scalar()
        conn.execute(text("INSERT INTO audience_secrets (workshop_id, role, salt, secret_hash, created_at) "
                          "VALUES (:w, 'employee', :s, :h, CURRENT_TIMESTAMP)"),
                     {"w": ws_id, "s": salt, "h": credentials.digest(drawn)})
    store.engine.dispose()

    upgraded = Store(db)
    assert upgraded.started_at_version == 4
    with upgraded.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.LATEST >= 5
        assert {"secret", "former_hash"} <= {c["name"] for c in inspect(conn).get_columns("audience_secrets")}
    assert audiences.resolve(upgraded, drawn, "employee") == created.code
    assert audiences.reprint(upgraded, created.code)["employee"] is None
    assert audiences.secret(upgraded, created.code, created.key, "employee") == drawn
    assert audiences.reprint(upgraded, created.code)["employee"] == drawn
    upgraded.engine.dispose()


def test_no_page_or_widget_can_reach_the_keyless_server_calls():
    """rekey and reprint take no key: only the command line, on the server, may call them."""
    root = Path(__file__).resolve().parents[1]
    places = [root / "workshop" / d for d in ("widgets", "pages", "server", "notebooks")] + [root / "notebooks"]
    for place in places:
        for path in place.rglob("*"):
            if path.suffix in (".py", ".ipynb", ".js"):
                text = path.read_text(encoding="utf-8")
                assert "rekey" not in text and "reprint" not in text, path
