"""Engine and session factory, and the one helper that begins write transactions.

SQLite rules (DESIGN.md): WAL, a busy timeout, and every write transaction begun with
``BEGIN IMMEDIATE`` through :func:`write_transaction`, so a writer waits for the lock up front
instead of failing when it upgrades a read snapshot ("database is locked").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_S = 5.0
_WRITE_OPTION = "valo_write"

# The session of the update being handled, so the FSM storage shares it (no second write lock).
current_session: ContextVar[AsyncSession | None] = ContextVar("valo_current_session", default=None)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine for ``url``, with the SQLite pragmas and begin rules applied."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, **kwargs)

    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver; _on_begin issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


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
    async with _writer_turn(session):
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


# One SQLite database has one writer at a time. Writers of this process queue here, first come
# first served, instead of all polling SQLite's lock: its busy handler sleeps in growing steps
# and is not fair, so under load some writer could wait past the busy timeout and fail.
_sqlite_writers: WeakKeyDictionary[Engine, asyncio.Lock] = WeakKeyDictionary()


@asynccontextmanager
async def _writer_turn(session: AsyncSession) -> AsyncIterator[None]:
    engine = session.get_bind()
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
