"""Persistence: concurrent writers, the SQL FSM storage, personal data, migrations."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.engine import make_engine, update_session, write_transaction
from bot.db.models import Base, DeepLinkCount, FsmState, User
from bot.db.personal_data import erase_user, export_user_data
from bot.db.storage import SQLStorage
from bot.handlers.start import count_deep_link
from bot.middlewares import load_user
from tests.conftest import REDIS_URL
from tests.fsm_support import dialog_step

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def key(user_id: int) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=user_id, user_id=user_id)


async def test_twenty_concurrent_writers_never_hit_a_locked_database(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Each writer reads first (a snapshot), then writes: the classic SQLite lock trap."""

    async def writer(n: int) -> None:
        async with sessions() as session:
            for round_ in range(5):
                await session.execute(select(func.count()).select_from(DeepLinkCount))
                await count_deep_link(session, f"src{n % 4}", new_user=round_ == 0)

    await asyncio.gather(*(writer(n) for n in range(20)))
    async with sessions() as session:
        total = await session.scalar(select(func.sum(DeepLinkCount.starts)))
        new = await session.scalar(select(func.sum(DeepLinkCount.new_users)))
    assert (total, new) == (100, 20)


async def test_load_user_creates_once_under_concurrency(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async def first_contact() -> bool:
        async with sessions() as session:
            _, is_new = await load_user(session, 42, NOW, frozenset())
            return is_new

    results = await asyncio.gather(*(first_contact() for _ in range(10)))
    assert any(results)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_staff_ids_bootstrap_the_staff_flag(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        user, _ = await load_user(session, 7, NOW, frozenset())
        assert not user.staff
    async with sessions() as session:
        user, _ = await load_user(session, 7, NOW, frozenset({7}))
        assert user.staff
    async with sessions() as session:
        stored = await session.get(User, 7)
        assert stored is not None
        assert stored.staff


async def storages(sessions: async_sessionmaker[AsyncSession]) -> list[BaseStorage]:
    found: list[BaseStorage] = [SQLStorage(sessions)]
    if REDIS_URL:
        from redis.asyncio import Redis

        from bot.db.redis_storage import CachingRedisStorage

        found.append(CachingRedisStorage(Redis.from_url(REDIS_URL)))
    return found


async def test_storage_round_trip_and_empty_rows_vanish(
    sessions: async_sessionmaker[AsyncSession], redis_url: str | None
) -> None:
    for storage in await storages(sessions):
        await storage.set_state(key(5), "needs:q1")
        await storage.set_data(key(5), {"answers": {"municipality": "285"}})
        assert await storage.get_state(key(5)) == "needs:q1"
        assert await storage.get_data(key(5)) == {"answers": {"municipality": "285"}}
        await storage.update_data(key(5), {"step": 2})
        assert (await storage.get_data(key(5)))["step"] == 2
        assert await storage.get_state(key(6)) is None
        await storage.set_state(key(5), None)
        await storage.set_data(key(5), {})
        assert await storage.get_data(key(5)) == {}
        await storage.close()
        client = getattr(storage, "redis", None)  # Redis: the client is its owner's to close
        if client is not None:
            await client.aclose()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(FsmState)) == 0


async def test_storage_uses_the_update_session(sessions: async_sessionmaker[AsyncSession]) -> None:
    storage = SQLStorage(sessions)
    async with update_session(sessions):
        await storage.set_state(key(9), "x")
        # Same session: our own uncommitted read sees it, and no second connection was used.
        assert await storage.get_state(key(9)) == "x"
    async with sessions() as session:
        assert await session.scalar(select(FsmState.state)) == "x"


async def test_storage_reads_a_row_once_per_update_and_saves_in_one_write(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    storage = SQLStorage(sessions)
    async with sessions() as session:  # a known user (their first update reads twice)
        await load_user(session, 4, NOW, frozenset())
    await storage.set_data(key(4), {"dialog": {"node": "where"}, "keep": 1})
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "fsm_states" in statement:
            statements.append(statement.split()[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with update_session(sessions):
            assert await storage.get_state(key(4)) is None
            await dialog_step(storage, key(4))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert statements == ["SELECT", "INSERT"]  # one read, one upsert
    # Outside an update nothing is cached: a fresh read sees what was written.
    assert await storage.get_state(key(4)) == "dialog:needs"
    assert (await storage.get_data(key(4)))["keep"] == 2


async def test_an_updates_fsm_read_brings_its_users_row_along(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    storage = SQLStorage(sessions)
    async with sessions() as session:
        await load_user(session, 4, NOW, frozenset(), "ar")
    await storage.set_data(key(4), {"n": 1})
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split())[:40])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        # An update, in the middlewares' order: FSM (under the user's lock), then the user.
        async with update_session(sessions) as session:
            assert await storage.get_data(key(4)) == {"n": 1}
            user, is_new = await load_user(session, 4, NOW, frozenset())
        assert (user.locale, is_new) == ("ar", False)
        assert len(statements) == 1, statements  # one SELECT for both rows
        # Another user's update does not take this user's row, and a user not known yet
        # gets their FSM row read alone, then is created.
        statements.clear()
        async with update_session(sessions) as session:
            assert await storage.get_state(key(5)) is None
            user, is_new = await load_user(session, 5, NOW, frozenset(), "fi")
        assert (user.user_id, user.locale, is_new) == (5, "fi", True)
        assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "SELECT", "INSERT"]
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_concurrent_storage_writes_to_one_key(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = SQLStorage(sessions)
    await asyncio.gather(*(storage.set_data(key(3), {"n": n}) for n in range(20)))
    assert (await storage.get_data(key(3)))["n"] in range(20)


async def test_export_and_erase_cover_every_personal_table(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = SQLStorage(sessions)
    async with sessions() as session:
        await load_user(session, 11, NOW, frozenset())
        await load_user(session, 12, NOW, frozenset())
        await count_deep_link(session, "poster_kotka", new_user=True)
    await storage.set_state(key(11), "s")
    await storage.set_state(key(12), "s")
    async with sessions() as session:
        exported = await export_user_data(session, 11)
        assert set(exported) == {"users", "fsm_states"}
        assert exported["users"][0]["first_seen"] == NOW.isoformat()
        assert await erase_user(session, 11) == 2
    async with sessions() as session:
        assert await export_user_data(session, 11) == {}
        assert set(await export_user_data(session, 12)) == {"users", "fsm_states"}
        # Anonymous counts are not about anyone and stay.
        assert await session.scalar(select(DeepLinkCount.starts)) == 1


async def test_write_transaction_rolls_back_on_error(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async def failing_write(session: AsyncSession) -> None:
        async with write_transaction(session):
            session.add(User(user_id=1, first_seen=NOW, last_seen=NOW))
            await session.flush()
            raise RuntimeError("boom")

    async with sessions() as session:
        with pytest.raises(RuntimeError):
            await failing_write(session)
    async with sessions() as session:
        assert await session.get(User, 1) is None


async def test_migrations_down_and_up_again(engine: AsyncEngine) -> None:
    head = migrate.head_revision()
    assert await migrate.current_revision(engine) == head
    await migrate.downgrade(engine, "base")
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
    assert "users" not in tables
    await migrate.upgrade(engine)
    await migrate.upgrade(engine)  # idempotent
    assert await migrate.current_revision(engine) == head


async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
        )
    assert diff == []


async def test_sqlite_runs_in_wal_mode(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        assert engine.dialect.name == "postgresql"
        return
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 5000


def test_two_processes_opening_a_new_database_together_both_get_wal(tmp_path: Path) -> None:
    """Two replicas' first start: both switch the new file to WAL at once, and SQLite answers
    the second "database is locked" without waiting (it did for ~6% of such pairs)."""

    async def connect(path: Path, together: threading.Barrier) -> str:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        together.wait()
        try:
            async with engine.connect() as conn:
                return str((await conn.execute(text("PRAGMA journal_mode"))).scalar())
        finally:
            await engine.dispose()

    for attempt in range(60):
        path = tmp_path / f"valo-{attempt}.db"
        together = threading.Barrier(2)
        with ThreadPoolExecutor(2) as pool:  # an event loop each, as two processes have
            runs = [pool.submit(asyncio.run, connect(path, together)) for _ in range(2)]
            assert [run.result() for run in runs] == ["wal", "wal"]
