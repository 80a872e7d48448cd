"""The shared database: one engine per URL and process, one transaction per action.

Every Voila visitor runs in its own kernel process, so the database is the
only place where a workshop's state lives. SQLite (WAL) is the default; a
PostgreSQL URL carries a workshop across several servers.
"""

from __future__ import annotations

import functools
import inspect
import random
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import and_, bindparam, create_engine, event, select, update
from sqlalchemy.dialects.sqlite.pysqlite import dialect as sqlite_dialect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from workshop.core import settings
from workshop.core.errors import N_, NotFound, StoreUnavailable
from workshop.store import changes, migrations, replay
from workshop.store.schema import Event, Participant, Workshop, utcnow

T = TypeVar("T")

_stores: dict[str, "Store"] = {}


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and bare file paths as well."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


#: ``Tx.workshop(room_sees=COUNTS)``: a write that changes only how many the room sees.
COUNTS = "counts"

#: The change markers, one statement each for both ways of reading them. With no participant
#: the join's condition is ``id = NULL``, which no row meets: one statement answers (room, 0).
_REVISION = select(Workshop.revision).where(Workshop.code == bindparam("code"))
_SEEN_REVISION = (
    select(Workshop.room_revision, Participant.revision, Workshop.tally_revision).select_from(Workshop)
    .outerjoin(Participant, and_(Participant.id == bindparam("pid"), Participant.workshop_id == Workshop.id))
    .where(Workshop.code == bindparam("code"))
)


def _seen(row) -> tuple[int, int, int] | None:
    return None if row is None else (row[0], row[1] or 0, row[2])


class _SqliteText:
    """A statement compiled once for SQLite's driver, for :func:`changes.peek`: its SQL and the
    order its named parameters go in."""

    def __init__(self, statement):
        compiled = statement.compile(dialect=sqlite_dialect())
        self.sql = str(compiled)
        self.names = tuple(compiled.positiontup)

    def bind(self, **values) -> tuple[str, tuple]:
        return self.sql, tuple(values[name] for name in self.names)


_REVISION_SQL = _SqliteText(_REVISION)
_SEEN_REVISION_SQL = _SqliteText(_SEEN_REVISION)


class Store:
    """Owns the engines for one database URL. Use :func:`open_store`."""

    def __init__(self, url: str | None = None):
        self.url = normalize_url(url or settings.default_db_url())
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                self.url,
                connect_args={"timeout": settings.SQLITE_BUSY_TIMEOUT_MS / 1000},
            )
            _configure_sqlite(engine)
        else:
            engine = create_engine(
                self.url,
                pool_pre_ping=True,
                pool_size=2,
                max_overflow=4,
                pool_recycle=1800,
                connect_args={"connect_timeout": 5},
            )
        self.engine: Engine = engine
        # Same pool; the option makes SQLite begin with BEGIN IMMEDIATE so that
        # concurrent writers queue up instead of failing half-way.
        self.write_engine: Engine = engine.execution_options(workshop_write=True)
        self.started_at_version = _retrying(lambda: migrations.upgrade(self.write_engine))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator["Tx"]:
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield Tx(session, write=False)

    @contextmanager
    def writing(self) -> Iterator["Tx"]:
        with Session(self.write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield Tx(session, write=True)

    def revision(self, code: str) -> int | None:
        """The workshop's change marker: one indexed single-row read.

        Not retried: live views poll it several times a second and would
        rather show "reconnecting" than wait."""
        with self.engine.connect() as conn:
            return conn.execute(_REVISION, {"code": normalize_code(code)}).scalar()

    def seen_revision(self, code: str, participant_id: int | None = None) -> tuple[int, int, int] | None:
        """What a phone or the room screen follows: ``(room_revision, participant's revision,
        tally_revision)`` in
        one indexed read (the workshop by its code, the participant by id); the second is 0 for
        nobody in particular (the room screen, a page not signed in) or a participant not of this
        workshop. ``None`` when there is no such workshop. Not retried, like :meth:`revision`."""
        with self.engine.connect() as conn:
            row = conn.execute(_SEEN_REVISION, {"code": normalize_code(code), "pid": participant_id}).first()
            return _seen(row)

    def quick_revision(self, code: str):
        """:meth:`revision` in microseconds on the caller's thread, where the database allows it
        (SQLite, not busy); otherwise :data:`changes.CANNOT_TELL` (see :func:`changes.peek`)."""
        rows = changes.peek(self.url, *_REVISION_SQL.bind(code=normalize_code(code)))
        return rows if rows is changes.CANNOT_TELL else (rows[0][0] if rows else None)

    def quick_seen_revision(self, code: str, participant_id: int | None = None):
        """:meth:`seen_revision` in microseconds where the database allows it, like
        :meth:`quick_revision`."""
        rows = changes.peek(self.url, *_SEEN_REVISION_SQL.bind(code=normalize_code(code), pid=participant_id))
        return rows if rows is changes.CANNOT_TELL else _seen(rows[0] if rows else None)

    def change_stamp(self):
        """Microseconds, no SQL: a value that moves whenever :meth:`revision` may have moved;
        ``None`` when that cannot be told cheaply (see :mod:`workshop.store.changes`)."""
        return changes.stamp(self.url)

    def dispose(self) -> None:
        self.engine.dispose()
        _stores.pop(self.url, None)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn, _record):
        # Take transaction control from the driver so BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={settings.SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        if conn.get_execution_options().get("workshop_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def open_store(url: str | None = None) -> Store:
    """The process-wide Store for ``url`` (default: WORKSHOP_DB_URL or var/workshop.sqlite)."""
    key = normalize_url(url or settings.default_db_url())
    store = _stores.get(key)
    if store is None:
        store = _stores[key] = Store(key)
    return store


class Tx:
    """One transaction, with the helpers every action needs."""

    def __init__(self, session: Session, write: bool):
        self.session = session
        self.write = write

    def workshop(self, code: str, room_sees: bool | str = True) -> Workshop:
        """Load the workshop; in a write, lock it and bump its revision first, and its
        ``room_revision`` too unless ``room_sees=False``: said only by a write that changes
        nothing the room's pages show (a participant's own dots in an open round, their scores
        while rating is open), so the other phones and the room screen are not repainted for it;
        or ``room_sees=COUNTS``: only how many the room sees changed (someone joined, a hidden
        card was written), which bumps ``tally_revision`` instead.
        Any other call in the same transaction bumps it all the same.

        Taking the workshop row lock first in every write serialises the
        writes of one workshop on PostgreSQL the way BEGIN IMMEDIATE does on
        SQLite, so budget checks cannot race and deadlocks cannot occur."""
        code = normalize_code(code)
        if self.write:
            bump = {"revision": Workshop.revision + 1}
            if room_sees == COUNTS:
                bump["tally_revision"] = Workshop.tally_revision + 1
            elif room_sees:
                bump["room_revision"] = Workshop.room_revision + 1
            self.session.execute(update(Workshop).where(Workshop.code == code).values(**bump))
        ws = self.session.execute(select(Workshop).where(Workshop.code == code)).scalar_one_or_none()
        if ws is None:
            raise NotFound(N_("There is no workshop with the code {code}."), code=code)
        return ws

    def room_sees_it(self, ws: Workshop) -> None:
        """After ``workshop(room_sees=False or COUNTS)``: this write turned out to change what the
        room's pages show after all (a card edited once cards are revealed)."""
        self.session.execute(update(Workshop).where(Workshop.id == ws.id)
                             .values(room_revision=Workshop.room_revision + 1))

    def log(self, ws: Workshop, actor: str, kind: str, **payload) -> None:
        self.session.add(Event(workshop_id=ws.id, at=utcnow(), actor=actor, kind=kind, payload=payload))

    #: True while a repeated request id's action runs again for its right check only (see :func:`action`).
    repeating = False

    def right_checked(self) -> None:
        """Said by the domain once it has checked the caller's right (the facilitator key, a
        participant token, an audience's secret, joining being open). A repeated request id gets
        its recorded result only from here on: whoever learns a request id, without the right,
        is refused as the first request would have been."""
        if self.repeating:
            raise _RightChecked


class _RightChecked(BaseException):
    """Ends an action that runs again for its right check. A BaseException: an action's own
    ``except Exception`` must not take it for one of its errors."""


def normalize_code(code: str) -> str:
    """Join codes are read aloud: accept any case, spaces and dashes."""
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())[:16]


def _transient(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return False
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _busy(exc: DBAPIError) -> bool:
    """SQLite's "database is locked": others hold the write lock; the database itself answers."""
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


def _retrying(fn: Callable[[], T], attempts: int = 4, patience: float | None = None) -> T:
    """Run ``fn``; on a lost connection or a busy database, try again briefly.

    ``patience`` (seconds) keeps trying a *busy* database (SQLite's write lock held by others)
    past ``attempts`` until that much time has gone: said by an action that a person waits for
    and that many send at the same instant (Join), whose only other answer would be "try again"
    to the unlucky ones of the crowd. A database that does not answer at all is still said
    after ``attempts``: waiting minutes for a server that is down helps nobody.

    Actions are written to be safe to repeat: inserts carry request ids (see
    :func:`action`) and votes and ratings set absolute numbers, so a retry cannot apply twice."""
    give_up_at = None if patience is None else time.monotonic() + patience
    attempt = 0
    while True:
        try:
            return fn()
        except DBAPIError as exc:
            if not _transient(exc):
                raise
            attempt += 1
            waiting_its_turn = give_up_at is not None and _busy(exc) and time.monotonic() < give_up_at
            if attempt >= attempts and not waiting_its_turn:
                raise StoreUnavailable(
                    N_("The workshop database is not answering, so this was not saved. "
                       "Please try again in a moment.")
                ) from exc
            # Capped: a patient action asks again at least every two seconds.
            time.sleep(min(0.2 * (2 ** (attempt - 1)), 2.0) + random.random() * 0.1)


def action(fn: Callable[..., T] | None = None, *, patience: float | None = None):
    """Decorate ``fn(tx, code, ...)`` so callers write ``fn(store, code, ...)``: one write
    transaction per call, rolled back when the domain refuses. ``@action(patience=s)`` waits
    for a busy database up to ``s`` seconds before it gives up (see :func:`_retrying`).

    Every action also takes ``request_id=`` (passed on to ``fn`` when it names that
    parameter): the first call with a request id records its result in the same
    transaction; a repeat (a retry after a lost commit, here or by the caller)
    returns the recorded result and changes nothing, once the repeat has passed the
    same right check as the first request (see :func:`_check_right_again`). Callers
    make one id per user gesture and reuse it while they retry that gesture."""
    if fn is None:
        return functools.partial(action, patience=patience)
    takes_request_id = "request_id" in inspect.signature(fn).parameters
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(store: Store, *args, request_id: str | None = None, **kwargs) -> T:
        if request_id is not None:
            replay.check_request_id(request_id)
            if takes_request_id:
                kwargs["request_id"] = request_id

        def run():
            with store.writing() as tx:
                if request_id is None:
                    return fn(tx, *args, **kwargs)
                scope = normalize_code(args[0] if args else kwargs.get("code", ""))
                # The workshop's lock first, so two repeats cannot both miss the record; what the
                # room sees is bumped by the action itself (a repeat's run is rolled back).
                tx.workshop(scope, room_sees=False)
                done = replay.recorded(tx.session, scope, name, request_id)
                if done is not replay.MISSING:
                    _check_right_again(tx, fn, args, kwargs)
                    return done
                result = fn(tx, *args, **kwargs)
                replay.record(tx.session, scope, name, request_id, result)
                return result
        return _retrying(run, patience=patience)
    wrapper.is_action = True
    return wrapper


def _check_right_again(tx: Tx, fn: Callable[..., T], args, kwargs) -> None:
    """Run ``fn`` again up to its right check (``Tx.right_checked``), keeping nothing it did.

    The right is the domain's to check, and a recorded result is no more than what the first
    request was answered: a repeat must pass the same check. A refusal (NotAuthorized, NotFound)
    propagates; an action that checks no right runs to its end, and that is undone too."""
    tx.repeating = True
    again = tx.session.begin_nested()
    try:
        fn(tx, *args, **kwargs)
    except _RightChecked:
        pass
    finally:
        tx.repeating = False
        if again.is_active:
            again.rollback()


def query(fn: Callable[..., T]) -> Callable[..., T]:
    """Like :func:`action`, for reads: no locks, no revision bump."""
    @functools.wraps(fn)
    def wrapper(store: Store, *args, **kwargs) -> T:
        def run():
            with store.reading() as tx:
                return fn(tx, *args, **kwargs)
        return _retrying(run)
    return wrapper
