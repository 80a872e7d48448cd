"""Shared fixtures: a real store on SQLite and on the real PostgreSQL server.

PostgreSQL tests skip with a reason when the server at 127.0.0.1:5432 is
unreachable, unless WORKSHOP_REQUIRE_PG=1 (set by .ci/run), when they fail.
"""

from __future__ import annotations

import os
import uuid

import pytest

from workshop.domain import workshops
from workshop.store import Store

PG_ADMIN_URL = os.environ.get("WORKSHOP_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

pytest_plugins = ["tests.servers"]


def _pg_admin():
    import psycopg

    url = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True, connect_timeout=3)


def pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        with _pg_admin() as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {exc}"


def require_pg() -> None:
    reason = pg_available()
    if reason:
        if os.environ.get("WORKSHOP_REQUIRE_PG") == "1":
            pytest.fail(reason + " (WORKSHOP_REQUIRE_PG=1)")
        pytest.skip(reason)


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    require_pg()
    name = f"ws_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with _pg_admin() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'workshop.sqlite'}"


def pytest_generate_tests(metafunc):
    """Run a test on both databases, unless its module is marked ``sqlite_only``.

    Widget, page and screen tests go through the same store facade the domain tests
    already cover on both, so one database is enough for them.
    """
    if "db_url" in metafunc.fixturenames and not metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                             indirect=True)


@pytest.fixture
def db_url(request, tmp_path):
    """The same test on the embedded SQLite file and on the real PostgreSQL."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite:///{tmp_path / 'workshop.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url):
    s = Store(db_url)
    yield s
    s.engine.dispose()


@pytest.fixture
def created(store):
    """A new workshop in the setup stage: (code, facilitator key)."""
    c = workshops.create_workshop(store, "Acme support philosophy", company="Acme",
                                  purpose="Powering Human Connections")
    return c.code, c.key
