"""Flood control and per-user locks (bot/middlewares.py): a throttled update costs no database
work, and the per-user locks of the embedded default are freed once nobody needs them.

The dispatcher is the real one (``bot.app``) on the run's backends, fed updates in process;
its replies go to the fake Bot API.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Update
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app, prepare_database
from bot.emulator.telegram import FakeTelegram
from bot.middlewares import MemoryEventIsolation
from tests.app_support import in_process_settings

RATE = 3
_update_ids = itertools.count(1)


def text_update(user_id: int, text: str = "hello") -> Update:
    return Update.model_validate(
        {
            "update_id": next(_update_ids),
            "message": {
                "message_id": next(_update_ids),
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "A", "language_code": "en"},
                "text": text,
            },
        }
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def make_app(
    fake: FakeTelegram, database_url: str, redis_url: str | None, tmp_path: Path
) -> App:
    settings = in_process_settings(
        fake,
        database_url,
        redis_url,
        tmp_path,
        throttle_rate=RATE,
        throttle_window=3600,  # one window for the whole test
    )
    app = build_app(settings)
    await prepare_database(app)
    return app


async def test_a_throttled_update_reads_nothing_from_the_database(
    fake: FakeTelegram,
    engine: AsyncEngine,  # the database comes migrated
    database_url: str,
    redis_url: str | None,
    tmp_path: Path,
) -> None:
    app = await make_app(fake, database_url, redis_url, tmp_path)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    family = 7101
    fake.user(family, language_code="en").has_written = True
    event.listen(app.engine.sync_engine, "before_cursor_execute", count)
    try:
        for _ in range(RATE):  # within the limit: handled as usual
            await app.dispatcher.feed_update(app.bot, text_update(family))
        assert statements, "a handled update reads its user"
        before = fake.sent_count(family)
        await app.dispatcher.feed_update(app.bot, text_update(family))  # the first too many
        notice = await fake.wait_message(family, after=before)
        assert (
            notice.text
            == "You are sending messages very fast. Please wait a moment, then try again."
        )
        statements.clear()
        for _ in range(5):  # the flood: dropped before any session, lock or read
            await app.dispatcher.feed_update(app.bot, text_update(family))
        assert statements == []
        assert fake.sent_count(family) == before + 1  # one notice per window
        other = 7102  # everyone else is served as before
        fake.user(other, language_code="en").has_written = True
        await app.dispatcher.feed_update(app.bot, text_update(other))
        assert statements
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", count)
        await app.close()


async def test_without_redis_a_users_lock_is_freed_after_their_update(
    fake: FakeTelegram, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    app = await make_app(fake, database_url, None, tmp_path)
    try:
        isolation = app.dispatcher.fsm.events_isolation
        assert isinstance(isolation, MemoryEventIsolation)
        users = range(7200, 7240)
        for user_id in users:
            fake.user(user_id, language_code="en").has_written = True
        await asyncio.gather(*(app.dispatcher.feed_update(app.bot, text_update(u)) for u in users))
        assert isolation.keys_locked() == 0
    finally:
        await app.close()


async def test_a_lock_lives_while_someone_holds_or_waits_for_it() -> None:
    isolation = MemoryEventIsolation()
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    order: list[str] = []
    holding, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with isolation.lock(key):
            order.append("first in")
            holding.set()
            await release.wait()
            order.append("first out")

    async def second() -> None:
        async with isolation.lock(key):
            order.append("second in")

    held = asyncio.create_task(first())
    await holding.wait()
    waiting = asyncio.create_task(second())
    gave_up = asyncio.create_task(second())
    await asyncio.sleep(0)  # one turn of the loop: both now wait for the lock
    gave_up.cancel()
    assert isolation.keys_locked() == 1  # held, and waited for: kept
    release.set()
    await asyncio.gather(held, waiting)
    with pytest.raises(asyncio.CancelledError):
        await gave_up
    assert order == ["first in", "first out", "second in"]
    assert isolation.keys_locked() == 0
