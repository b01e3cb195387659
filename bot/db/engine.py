"""Engine and session factory, and the one helper that begins write transactions.

SQLite rules (DESIGN.md): WAL, a busy timeout, and every write transaction begun with
``BEGIN IMMEDIATE`` through :func:`write_transaction`, so a writer waits for the lock up front
instead of failing when it upgrades a read snapshot ("database is locked").
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, Row, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util.concurrency import greenlet_spawn

from bot.db import sqlite_driver

SQLITE_BUSY_TIMEOUT_S = 5.0
_WRITE_OPTION = "valo_write"
_ALONE_OPTION = "valo_alone"  # one statement, no BEGIN/COMMIT around it (SQLite)

# The session of the update being handled, so the FSM storage shares it (no second write lock).
current_session: ContextVar[AsyncSession | None] = ContextVar("valo_current_session", default=None)


def _create_private(path: str) -> None:
    """Create an empty database file readable by its owner only; an existing one (perhaps
    read-only to this user) is left as it is."""
    if os.path.exists(path):
        return
    with contextlib.suppress(FileExistsError):  # another process created it first
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine for ``url``, with the SQLite pragmas and begin rules applied.

    Its errors never quote statement parameters (user ids, dialog answers): they reach logs.
    """
    kwargs["hide_parameters"] = True
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_async_engine(url, **kwargs)
        _ping_when_idle(engine)
        return engine

    database = parsed.database or ""
    a_file = database not in ("", ":memory:") and not database.startswith("file:")
    if a_file:
        # The database holds families' data: a new directory and database file are the
        # owner's only (SQLite gives its -wal and -shm files the database file's mode).
        Path(database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create_private(database)
    engine = create_async_engine(
        url,
        module=sqlite_driver.dbapi(),  # one hand-off to SQLite's thread per statement
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
        # Each connection is a thread of aiosqlite's: reuse the one used last (its thread is
        # awake and its caches warm) rather than take turns through the whole pool.
        pool_use_lifo=True,
        **kwargs,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver; _on_begin issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _switch_to_wal(cursor)
        for pragma in sqlite_driver.CONNECTION_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(_ALONE_OPTION):
            return  # see execute_alone
        immediate = options.get(_WRITE_OPTION, False)
        # Sent with the transaction's first statement, in the same hand-off to SQLite's thread.
        conn.connection.dbapi_connection.begin(  # type: ignore[union-attr]
            "BEGIN IMMEDIATE" if immediate else "BEGIN"
        )

    if a_file and not parsed.query:  # a second connection opens the same database
        _on_loop[engine.sync_engine] = sqlite_driver.OnLoop(parsed, engine.sync_engine)
    return engine


# A pooled connection idle this long is pinged before use (see _ping_when_idle).
PING_AFTER_IDLE_S = 5.0
_IDLE_SINCE = "valo_idle_since"


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection before it is used again only if it sat idle a while.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout, and asyncpg's ping is three round
    trips (``BEGIN``, ``;``, ``ROLLBACK``): more than the statement most checkouts run. A
    connection that was in use a moment ago is as alive as a ping would show; one that sat in
    the pool (e.g. across a database restart) is pinged, and a dead one is replaced before the
    caller sees it. A connection that breaks while busy raises as usual, the pool invalidates
    its other connections, and the caller's retry (bot/db/outage.py) gets fresh ones.
    """

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("pooled connection did not answer a ping") from exc


def upsert(session: AsyncSession, model: type[Any]) -> Any:
    """``INSERT`` for the session's dialect, with ``on_conflict_do_update`` available."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def write_transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Run the block in a write transaction and commit it; joins one already open.

    A read transaction left open on the session is ended first: on SQLite, upgrading an old
    read snapshot to a writer fails at once instead of waiting for the busy timeout.
    """
    if session.info.get(_WRITE_OPTION):
        yield session
        return
    if session.in_transaction():
        await session.commit()
    async with _writer_turn(session.get_bind()):
        await session.connection(execution_options={_WRITE_OPTION: True})
        session.info[_WRITE_OPTION] = True
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        finally:
            session.info[_WRITE_OPTION] = False


def _switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, retried while the file is locked.

    Two processes opening a new database file together (two replicas' first start) both
    switch it to WAL, and SQLite answers the second "database is locked" at once instead of
    waiting out its busy timeout. A file already in WAL mode answers at once, so the retry
    (short sleeps, at most the busy timeout) only ever happens on a database's first start.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "database is locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.01)


# Lone statements on the event loop's thread, by engine (SQLite files; see execute_alone).
_on_loop: WeakKeyDictionary[Engine, sqlite_driver.OnLoop] = WeakKeyDictionary()
_CHECKPOINT = text("PRAGMA wal_checkpoint(PASSIVE)")


async def execute_alone(
    session: AsyncSession,
    statement: Executable,
    params: dict[str, Any] | None = None,
    *,
    writes: bool = True,
    durable: bool = True,
) -> Sequence[Row[Any]]:
    """Run one statement as a transaction of its own and return its rows.

    A lone statement is atomic by itself, so no ``BEGIN``/``COMMIT`` is sent around it: on
    PostgreSQL it is one round trip (autocommit) instead of three; on a SQLite file it runs on
    the event loop's own thread, with no hand-off to SQLite's (see bot.db.sqlite_driver; a
    writing statement takes the write lock when it starts, as ``BEGIN IMMEDIATE`` would). For
    hot paths that run one short statement at a time, by key: the delivery ledger's group
    commits, the user and FSM rows read at the start of every update (``writes=False``: no
    turn in the writers' queue) and the FSM row written at its end. Anything that reads before
    it writes uses :func:`write_transaction`. It runs on a connection of its own, back in the
    pool at once; a writing statement needs a session with nothing open, a read joins a
    transaction already open.

    ``durable=False`` is for a write whose loss in a power cut or OS crash is harmless (a
    family's dialog position: they press again). On the loop's SQLite connection it commits
    without waiting for its fsync; every other write still syncs before it returns, and syncs
    the log written before it too. Never for the delivery ledger, consent or erasure.
    """
    if session.in_transaction():
        if writes:  # it would run beside the transaction, on a connection of its own
            raise RuntimeError("execute_alone: a writing statement while a transaction is open")
        return (await session.execute(statement, params)).all()
    engine = session.get_bind()
    sqlite = engine.dialect.name == "sqlite"
    options: dict[str, Any] = {_ALONE_OPTION: True} if sqlite else {"isolation_level": "AUTOCOMMIT"}
    on_loop = _on_loop.get(engine) if isinstance(engine, Engine) else None
    async with _writer_turn(engine) if writes else nullcontext():
        rows = (
            None
            if on_loop is None
            else on_loop.run(statement, params, writes=writes, durable=durable)
        )
        if rows is None:  # PostgreSQL, or SQLite busy: wait on SQLite's thread
            return await greenlet_spawn(_run_alone, engine, options, statement, params)
    assert on_loop is not None
    if on_loop.checkpoint_due():  # on SQLite's thread, outside the writers' queue
        await greenlet_spawn(_run_alone, engine, options, _CHECKPOINT, None)
    return rows


def _run_alone(
    engine: Engine, options: dict[str, Any], statement: Executable, params: dict[str, Any] | None
) -> Sequence[Row[Any]]:
    """Check out, run, check in: in one switch to SQLAlchemy's greenlet, not the session's
    four (55 us less CPU per statement, a quarter of its cost)."""
    with engine.connect() as connection:
        result = connection.execution_options(**options).execute(statement, params)
        rows = result.all() if result.returns_rows else []
        connection.commit()  # nothing to commit in SQLite: no hand-off
    return rows


# One SQLite database has one writer at a time. Writers of this process queue here, first come
# first served, instead of all polling SQLite's lock: its busy handler sleeps in growing steps
# and is not fair, so under load some writer could wait past the busy timeout and fail.
_sqlite_writers: WeakKeyDictionary[Engine, asyncio.Lock] = WeakKeyDictionary()


@asynccontextmanager
async def _writer_turn(engine: Any) -> AsyncIterator[None]:
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        yield
        return
    lock = _sqlite_writers.setdefault(engine, asyncio.Lock())
    try:
        # Bounded: a writer that waits on another of its own (two sessions nested) must not
        # hang; past the busy timeout it goes on to SQLite's own lock, as it would without.
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_S):
            await lock.acquire()
    except TimeoutError:
        yield
        return
    try:
        yield
    finally:
        lock.release()


@asynccontextmanager
async def update_session(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """The session of one update, shared through ``current_session`` until the update ends."""
    async with sessions() as session:
        token = current_session.set(session)
        try:
            yield session
        finally:
            current_session.reset(token)


@asynccontextmanager
async def session_scope(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """The update's session when inside one, else a new one closed at the end."""
    shared = current_session.get()
    if shared is not None:
        yield shared
        return
    async with sessions() as session:
        yield session
