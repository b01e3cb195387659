"""The database plumbing under the hot paths: SQLite's one hand-off per statement
(bot/db/sqlite_driver.py), lone statements without BEGIN/COMMIT (``execute_alone``; on SQLite
on the event loop's thread, never waiting there), and PostgreSQL's ping of pooled connections
that sat idle (``make_engine``)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import engine as db_engine
from bot.db import sqlite_driver
from bot.db.engine import execute_alone, make_engine, make_sessionmaker, write_transaction
from bot.db.models import User
from bot.db.storage import SQLStorage

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def user(user_id: int) -> dict[str, Any]:
    return {"user_id": user_id, "locale": "fi", "first_seen": NOW, "last_seen": NOW}


def on_sqlite(engine: AsyncEngine) -> bool:
    """Whether this run's backend is SQLite (the SQLite-only tests end there on PostgreSQL)."""
    assert engine.dialect.name in ("sqlite", "postgresql")
    return engine.dialect.name == "sqlite"


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the calls handed to aiosqlite's thread, in order."""
    calls: list[str] = []
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return calls


async def test_a_read_session_is_two_hand_offs(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], hand_offs: list[str]
) -> None:
    if not on_sqlite(engine):
        return
    async with sessions() as session:  # warm the pool: connecting has hand-offs of its own
        await session.execute(select(func.count()).select_from(User))
    hand_offs.clear()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
    # BEGIN travels with the query; ROLLBACK ends it; returning to the pool costs nothing.
    assert hand_offs == ["_statement", "rollback"]


async def test_a_write_transaction_is_two_hand_offs_plus_one_per_further_statement(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], hand_offs: list[str]
) -> None:
    if not on_sqlite(engine):
        return
    async with sessions() as session, write_transaction(session):
        await session.execute(insert(User).values(user(1)))
    hand_offs.clear()
    async with sessions() as session, write_transaction(session):
        await session.execute(insert(User).values(user(2)))
        await session.execute(update(User).where(User.user_id == 1).values(locale="en"))
    assert hand_offs == ["_statement", "_statement", "commit"]
    hand_offs.clear()
    async with sessions() as session, write_transaction(session):
        pass  # nothing ran: nothing to begin, nothing to commit
    assert hand_offs == []
    async with sessions() as session:
        rows = (await session.execute(select(User.user_id, User.locale))).all()
    assert sorted(rows) == [(1, "en"), (2, "fi")]


async def test_a_lone_statement_runs_on_the_loop_and_returns_its_rows(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], hand_offs: list[str]
) -> None:
    async with sessions() as session:
        await execute_alone(session, insert(User).values([user(1), user(2)]))
    seen: list[str] = []

    def statements(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split()[0])

    hand_offs.clear()
    event.listen(engine.sync_engine, "before_cursor_execute", statements)
    try:
        async with sessions() as session:
            rows = await execute_alone(
                session,
                update(User).where(User.user_id == 2).values(locale="ar").returning(User.user_id),
            )
            read = await execute_alone(session, select(User.locale).order_by(User.user_id))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statements)
    assert [tuple(row) for row in rows] == [(2,)]
    assert [tuple(row) for row in read] == [("fi",), ("ar",)]
    assert seen == ["UPDATE", "SELECT"]  # the engine's listeners see them, wherever they run
    if engine.dialect.name == "sqlite":
        assert hand_offs == []  # no trip to SQLite's thread
    async with sessions() as session:
        assert await session.scalar(select(User.locale).where(User.user_id == 2)) == "ar"


async def test_a_lone_write_waits_for_another_writer_off_the_loop(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    hand_offs: list[str],
) -> None:
    """Another process holds the write lock: the loop does not wait for it (its connection
    has no busy timeout); the statement waits on SQLite's thread and runs once it is free.
    Reads go on meanwhile, on the loop."""
    if not on_sqlite(engine):
        return
    async with sessions() as session:
        await execute_alone(session, insert(User).values(user(1)))
        await session.execute(select(1))  # the pool's connection is open: no connect below
    other = sqlite3.connect(database_url.split("///", 1)[1], timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        hand_offs.clear()
        async with sessions() as session:
            write = asyncio.create_task(execute_alone(session, insert(User).values(user(2))))
            deadline = time.monotonic() + 5
            while hand_offs != ["_statement"]:  # the loop runs: this task polls
                assert time.monotonic() < deadline, hand_offs
                await asyncio.sleep(0.005)
            assert not write.done()  # waiting for the lock, on SQLite's thread
            async with sessions() as reader:
                rows = await execute_alone(reader, select(User.user_id), writes=False)
            assert [tuple(row) for row in rows] == [(1,)]
            assert hand_offs == ["_statement"]  # the read ran on the loop
            other.execute("COMMIT")
            await asyncio.wait_for(write, 5)
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(User)) == 2
    finally:
        other.close()


async def test_lone_writes_leave_the_checkpoint_to_sqlites_thread(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    hand_offs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The loop's connection never checkpoints (copying the log into the database and
    syncing it is disk work); every CHECKPOINT_EVERY_WRITES lone writes one runs on SQLite's
    thread."""
    if not on_sqlite(engine):
        return
    monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY_WRITES", 3)
    seen: list[str] = []

    def statements(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    async with sessions() as session:  # warm the pool: connecting has hand-offs of its own
        await session.execute(select(func.count()).select_from(User))
    checkpointed_after: list[int] = []
    event.listen(engine.sync_engine, "before_cursor_execute", statements)
    try:
        for user_id in range(1, 11):
            hand_offs.clear()
            seen.clear()
            async with sessions() as session:
                await execute_alone(session, insert(User).values(user(user_id)))
                await execute_alone(session, select(User.user_id), writes=False)  # not counted
            if hand_offs:
                assert hand_offs == ["_statement"]
                assert seen[1] == "PRAGMA wal_checkpoint(PASSIVE)"  # after the write
                assert len(seen) == 3
                checkpointed_after.append(user_id)
            else:
                assert len(seen) == 2
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statements)
    first = checkpointed_after[0]
    assert first <= 3
    assert checkpointed_after == list(range(first, 11, 3))
    with db_engine._on_loop[engine.sync_engine].engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0


async def test_a_lone_read_joins_an_open_transaction_and_a_lone_write_refuses_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, write_transaction(session):
        await session.execute(insert(User).values(user(1)))
        # The read runs in the transaction: it sees the row not yet committed.
        rows = await execute_alone(session, select(User.user_id), writes=False)
        assert [tuple(row) for row in rows] == [(1,)]
        # A write would run beside it, on a connection of its own (and on SQLite wait for
        # this transaction's lock): refused.
        with pytest.raises(RuntimeError, match="transaction is open"):
            await execute_alone(session, insert(User).values(user(2)))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_write_transactions_still_take_the_lock_before_their_first_statement(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    """BEGIN IMMEDIATE goes with the first statement, even a read: from then on no other
    connection can write, so the transaction never fails upgrading a stale snapshot."""
    if not on_sqlite(engine):
        return
    path = database_url.split("///", 1)[1]
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        async with sessions() as session, write_transaction(session):
            await session.scalar(select(func.count()).select_from(User))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            await session.execute(insert(User).values(user(1)))
        other.execute("BEGIN IMMEDIATE")  # free again after the commit
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_read_session_sees_one_snapshot(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """BEGIN (deferred) really is sent with the first query: a later commit elsewhere is not
    seen until the session's transaction ends (PostgreSQL reads committed rows anew)."""
    if not on_sqlite(engine):
        return
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
        async with sessions() as writer:
            await execute_alone(writer, insert(User).values(user(1)))
        assert await session.scalar(select(func.count()).select_from(User)) == 0
        await session.rollback()
        assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_a_streamed_query_runs_in_its_transaction(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        await execute_alone(session, insert(User).values([user(1), user(2)]))
    async with sessions() as session:
        result = await session.stream(select(User.user_id).order_by(User.user_id))
        assert [row async for row in result.scalars()] == [1, 2]
        async with sessions() as writer:
            await execute_alone(writer, insert(User).values(user(3)))
        if engine.dialect.name == "sqlite":  # one snapshot: BEGIN went before the stream
            assert await session.scalar(select(func.count()).select_from(User)) == 2


async def test_a_failing_statement_raises_and_the_connection_goes_on(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        await execute_alone(session, insert(User).values(user(1)))

    async def two_inserts(session: AsyncSession) -> None:
        async with write_transaction(session):
            await session.execute(insert(User).values(user(2)))
            await session.execute(insert(User).values(user(1)))  # duplicate key

    async with sessions() as session:
        with pytest.raises(IntegrityError):
            await two_inserts(session)
    async with sessions() as session:  # rolled back as a whole; the pool's connection works
        assert await session.scalar(select(func.count()).select_from(User)) == 1
        await session.execute(text("SELECT 1"))
    with pytest.raises(IntegrityError):
        async with sessions() as session:
            await execute_alone(session, insert(User).values(user(1)))


async def test_many_rows_in_one_statement_and_in_executemany(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, write_transaction(session):
        await session.execute(insert(User), [user(n) for n in range(1, 301)])
    async with sessions() as session:
        ids = list((await session.execute(select(User.user_id).order_by(User.user_id))).scalars())
    assert ids == list(range(1, 301))


async def test_an_engine_of_a_new_file_works_from_the_first_statement(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/new/valo.db")
    try:
        async with make_sessionmaker(engine)() as session:
            assert await session.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await session.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await engine.dispose()


async def test_an_idle_pooled_connection_that_died_is_replaced_before_use(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ping on every checkout (three round trips with asyncpg), but a connection that sat
    in the pool is pinged, and a dead one never reaches the caller."""
    if on_sqlite(engine):
        return  # SQLite's pool holds no server connections to go stale
    async with sessions() as session:
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
    async with sessions() as session:  # busy a moment ago: the same connection, not pinged
        assert await session.scalar(text("SELECT pg_backend_pid()")) == pid
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await admin.dispose()
    monkeypatch.setattr(db_engine, "PING_AFTER_IDLE_S", 0.0)
    async with sessions() as session:
        assert await session.scalar(text("SELECT pg_backend_pid()")) != pid


SYNCHRONOUS_FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


async def test_every_kind_of_sqlite_connection_syncs_each_commit(
    tmp_path: Path, hand_offs: list[str]
) -> None:
    """synchronous=FULL everywhere: in WAL mode with NORMAL a commit (a ledger row's "about
    to send" stamp) can vanish in a power cut and the row be sent again. Checked on the pool's
    connections (reads and write transactions, on SQLite's thread) and on the loop's own
    (lone statements), on a file of its own, whatever this run's backend."""
    from bot.db import migrate

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'durable.db'}")
    try:
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        pragma = text("PRAGMA synchronous")
        async with sessions() as session:
            assert await session.scalar(pragma) == SYNCHRONOUS_FULL
        async with sessions() as session, write_transaction(session):
            assert await session.scalar(pragma) == SYNCHRONOUS_FULL
        hand_offs.clear()
        async with sessions() as session:
            [(on_loop,)] = await execute_alone(session, pragma, writes=False)
        assert hand_offs == []  # it ran on the loop's connection
        assert on_loop == SYNCHRONOUS_FULL
    finally:
        await engine.dispose()


SYNCHRONOUS_NORMAL = 1


async def test_only_a_dialog_step_commits_without_waiting_for_its_fsync(
    tmp_path: Path, hand_offs: list[str]
) -> None:
    """The FSM row every dialog step writes runs on the loop with synchronous=NORMAL (its
    fsync blocked the loop on each step; a step lost in a power cut is pressed again); the
    connection is back to FULL for the next statement, and other lone writes (a user row, the
    ledger's stamps) still sync before they return."""
    from bot.db import migrate

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'steps.db'}")
    seen: list[tuple[str, int]] = []

    def sync_level(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        raw = connection.connection.driver_connection
        if isinstance(raw, sqlite3.Connection):  # the loop's own connection
            [(level,)] = raw.execute("PRAGMA synchronous").fetchall()
            seen.append((statement.split()[0], level))

    try:
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        async with sessions() as session, write_transaction(session):
            await session.execute(insert(User).values(**user(5)))
        event.listen(engine.sync_engine, "before_cursor_execute", sync_level)
        hand_offs.clear()
        await SQLStorage(sessions).save(StorageKey(1, 5, 5), "Dialog:step", {"answer": "a"})
        async with sessions() as session:
            await execute_alone(session, update(User).values(locale="en"))
            [(after,)] = await execute_alone(session, text("PRAGMA synchronous"), writes=False)
        assert hand_offs == []  # all three ran on the loop's connection
        assert seen == [
            ("INSERT", SYNCHRONOUS_NORMAL),
            ("UPDATE", SYNCHRONOUS_FULL),
            ("PRAGMA", SYNCHRONOUS_FULL),
        ]
        assert after == SYNCHRONOUS_FULL
    finally:
        await engine.dispose()
