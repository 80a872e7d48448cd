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
    assert len(links) == 2
    assert all(link.startswith("http://127.0.0.1:9000/a/voila/render/") for link in links), links

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
