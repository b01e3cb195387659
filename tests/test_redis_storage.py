"""The scale-out path's Redis parts: FSM storage and user lock (bot.db.redis_storage), flood
counter.

They need the run's Redis: on the embedded-default run (no VALO_TEST_REDIS_URL) each test ends
at once, as a test of the other backend does (a skip would fail CI, see conftest).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import update_session
from tests.fsm_support import dialog_step

KEYS = DefaultKeyBuilder(with_destiny=True)
TTL = timedelta(days=30)


def key(user_id: int) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=user_id, user_id=user_id)


@pytest.fixture
async def redis(redis_url: str | None) -> AsyncIterator[Any]:
    """A client that notes each command and pipeline it sends; None without Redis."""
    if redis_url is None:
        yield None
        return
    from redis.asyncio import Redis

    class Counting(Redis):  # type: ignore[type-arg]
        sent: ClassVar[list[str]] = []

        async def execute_command(self, *args: Any, **options: Any) -> Any:
            self.sent.append(str(args[0]).upper())
            return await super().execute_command(*args, **options)

        def pipeline(self, *args: Any, **kwargs: Any) -> Any:
            self.sent.append("PIPELINE")
            return super().pipeline(*args, **kwargs)

        async def aclose(self, *args: Any, **kwargs: Any) -> None:
            self.sent.append("ACLOSE")
            await super().aclose(*args, **kwargs)

    client = Counting.from_url(redis_url)
    client.sent = []
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def storage(redis: Any) -> Any:
    """Valo's Redis FSM storage on that client, as the app builds it; None without Redis."""
    if redis is None:
        return None
    from bot.db.redis_storage import CachingRedisStorage

    return CachingRedisStorage(redis, key_builder=KEYS, state_ttl=TTL, data_ttl=TTL)


async def test_state_and_data_are_read_once_per_update_and_saved_together(
    redis: Any, storage: Any, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if storage is None:
        return
    from aiogram.fsm.storage.redis import RedisStorage

    await storage.set_state(key(4), "dialog:needs")
    await storage.set_data(key(4), {"dialog": {"node": "where"}, "keep": 1})
    redis.sent.clear()
    async with update_session(sessions):  # an update: its session carries the cache
        assert await storage.get_state(key(4)) == "dialog:needs"
        await dialog_step(storage, key(4))
    assert redis.sent == ["MGET", "PIPELINE"]  # one read, one write
    # aiogram's own storage reads what was written: same keys, values and TTLs.
    plain = RedisStorage(redis, key_builder=KEYS)
    assert await plain.get_state(key(4)) == "dialog:needs"
    assert (await plain.get_data(key(4)))["keep"] == 2
    assert 0 < await redis.ttl(KEYS.build(key(4), "data")) <= TTL.total_seconds()
    # Outside an update nothing is cached, and an empty key leaves nothing behind.
    await plain.set_data(key(4), {"keep": 3})
    assert await storage.get_data(key(4)) == {"keep": 3}
    await storage.save(key(4), None, {})
    assert await storage.get_state(key(4)) is None
    assert await storage.get_data(key(4)) == {}
    assert await redis.exists(KEYS.build(key(4), "state"), KEYS.build(key(4), "data")) == 0


async def test_a_write_of_one_half_keeps_the_other_half_read_in_the_update(
    storage: Any, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if storage is None:
        return
    await storage.set_data(key(5), {"n": 1})
    async with update_session(sessions):
        await storage.set_state(key(5), "x")  # nothing read yet: the next read fetches
        assert await storage.get_data(key(5)) == {"n": 1}
        await storage.set_data(key(5), {"n": 2})
        assert (await storage.get_state(key(5)), await storage.get_data(key(5))) == (
            "x",
            {"n": 2},
        )


async def test_stopping_aiogram_leaves_the_redis_client_to_the_updates_in_flight(
    redis: Any, storage: Any
) -> None:
    """aiogram closes the FSM storage when polling stops; an update still running saves its
    state and frees its lock after that (``valo-bot run`` waits for it)."""
    if storage is None:
        return
    isolation = storage.create_isolation()
    async with isolation.lock(key(7)):
        await storage.close()  # what the dispatcher's shutdown does
        await isolation.close()
        assert "ACLOSE" not in redis.sent  # a command in flight would lose its connection
        await storage.save(key(7), "dialog:needs", {"n": 1})
    assert await storage.get_state(key(7)) == "dialog:needs"


async def test_the_user_lock_lets_one_update_at_a_time_and_frees_only_its_own(
    redis: Any, storage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    if storage is None:
        return
    from bot.db.redis_storage import RedisIsolation

    isolation = RedisIsolation(storage, poll=0.001)
    inside: list[str] = []
    second_waits = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> None:
        async with isolation.lock(key(1)):
            inside.append("first in")
            await release_first.wait()
            inside.append("first out")

    async def second() -> None:
        second_waits.set()
        async with isolation.lock(key(1)):
            inside.append("second in")

    one = asyncio.create_task(first())
    async with asyncio.timeout(5):
        while inside != ["first in"]:  # noqa: ASYNC110 (the lock is in Redis: poll it)
            await asyncio.sleep(0)
    two = asyncio.create_task(second())
    await second_waits.wait()
    async with isolation.lock(key(2)):  # another user is not held up
        pass
    assert inside == ["first in"]
    release_first.set()
    await asyncio.wait_for(asyncio.gather(one, two), 5)
    assert inside == ["first in", "first out", "second in"]
    assert await redis.exists(KEYS.build(key(1), "lock")) == 0

    # A lock that outlived its timeout and was taken by another is not freed by its old holder.
    short = RedisIsolation(storage, timeout=60, poll=0.001)
    lock_key = KEYS.build(key(3), "lock")
    with caplog.at_level(logging.WARNING, logger="bot.db.redis_storage"):
        async with short.lock(key(3)):
            await redis.set(lock_key, "another replica's token")
    assert await redis.get(lock_key) == b"another replica's token"
    assert "past the lock's timeout" in caplog.text
    # ...and an expired lock (its holder died) is taken once it expires.
    await redis.set(lock_key, "a dead replica's token", px=150)
    async with asyncio.timeout(5), short.lock(key(3)):
        assert (await redis.get(lock_key)) != b"a dead replica's token"


async def test_under_the_lock_the_row_comes_with_it_and_a_save_is_written_at_once(
    redis: Any, storage: Any, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if storage is None:
        return
    isolation = storage.create_isolation()
    await storage.save(key(6), "dialog:needs", {"dialog": {"node": "where"}})
    data_key = KEYS.build(key(6), "data")
    redis.sent.clear()
    # An update, as aiogram's FSM middleware runs it.
    async with update_session(sessions), isolation.lock(key(6)):
        assert await storage.get_state(key(6)) == "dialog:needs"
        assert await storage.get_data(key(6)) == {"dialog": {"node": "where"}}
        assert redis.sent == ["EVALSHA"]  # the lock, with the row: no read of its own
        await storage.save(key(6), "dialog:needs", {"dialog": {"node": "ages"}})
        # Written before the update goes on (to edit the family's message, say): a process
        # stopped before the lock's release loses nothing.
        assert b"ages" in await redis.get(data_key)
        assert (await storage.get_data(key(6)))["dialog"] == {"node": "ages"}
        sent_inside = list(redis.sent)
    assert sent_inside == ["EVALSHA", "PIPELINE", "GET"]  # lock + row, save, the test's GET
    assert redis.sent[len(sent_inside) :] == ["EVALSHA"]  # the release
    assert 0 < await redis.ttl(data_key) <= TTL.total_seconds()
    assert await redis.exists(KEYS.build(key(6), "lock")) == 0


async def test_the_flood_counter_counts_per_user_and_window_and_expires(redis: Any) -> None:
    if redis is None:
        return
    from bot.middlewares import RedisFloodCounter

    counter = RedisFloodCounter(redis, window=60)
    assert [await counter.hit(1) for _ in range(3)] == [1, 2, 3]
    assert await counter.hit(2) == 1
    [window_key] = await redis.keys("valo:flood:1:*")
    assert 0 < await redis.ttl(window_key) <= 61
