"""One row of every kind of stored data for a person, and the FSM storage of the run's backend:
for the tests of /mydata, /delete and retention."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StorageKey
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import (
    Base,
    Broadcast,
    CardFlagMark,
    Delivery,
    Reminder,
    StaffInvite,
    Subscription,
    User,
)
from bot.db.personal_data import RECORD_COLUMNS, Kind
from bot.db.storage import SQLStorage

# Every table that holds rows about a person, as tests/test_privacy_coverage.py derives them
# from the models: seed_every_kind writes one row to each.
PERSON_TABLES = frozenset(
    {
        "users",
        "fsm_states",
        "reminders",
        "subscriptions",
        "deliveries",
        "card_flag_marks",
        "staff_invites",
        "broadcasts",
    }
)


@asynccontextmanager
async def fsm_storage(
    sessions: async_sessionmaker[AsyncSession], redis_url: str | None
) -> AsyncIterator[BaseStorage]:
    """The FSM storage the bot uses on this backend (Redis when the run has one)."""
    if redis_url is None:
        yield SQLStorage(sessions)
        return
    from redis.asyncio import Redis

    from bot.db.redis_storage import CachingRedisStorage

    client: Any = Redis.from_url(redis_url)
    try:
        yield CachingRedisStorage(client, key_builder=DefaultKeyBuilder(with_destiny=True))
    finally:
        await client.aclose()


def fsm_key(user_id: int, chat_id: int | None = None) -> StorageKey:
    return StorageKey(bot_id=0, chat_id=chat_id or user_id, user_id=user_id)


async def seed_every_kind(
    sessions: async_sessionmaker[AsyncSession],
    storage: BaseStorage,
    user_id: int,
    *,
    last_seen: datetime,
    locale: str = "en",
    staff: bool = False,
) -> None:
    """A person with one row of each kind :class:`Kind` names (statistics are linked to no
    one), dialog state under two chats' keys, and an announcement they wrote."""
    month = last_seen.strftime("%Y-%m")
    async with sessions() as session, write_transaction(session):
        session.add_all(
            [
                User(
                    user_id=user_id,
                    locale=locale,
                    first_seen=last_seen - timedelta(days=30),
                    last_seen=last_seen,
                    staff=staff,
                ),
                Reminder(
                    user_id=user_id,
                    event_id="kotka-open-ecec",
                    occurrence="series",
                    offsets="day-before",
                    created_at=last_seen,
                ),
                Subscription(
                    user_id=user_id, municipality="285", topic="all", created_at=last_seen
                ),
                Delivery(
                    user_id=user_id,
                    kind="notice",
                    ref="event:kotka-open-ecec",
                    dedup_key=f"seed:{user_id}",
                    payload={"msg": "event-changed"},
                    due_at=last_seen + timedelta(days=30),  # never sent in a test
                    state="pending",
                    attempts=0,
                    updated_at=last_seen,
                ),
                CardFlagMark(user_id=user_id, service_id="kotka-neuvola", month=month),
                StaffInvite(
                    token_hash=f"{user_id:064d}",
                    label="for the test",
                    created_by=1,
                    created_at=last_seen,
                    expires_at=last_seen + timedelta(days=1),
                    used_at=last_seen,
                    user_id=user_id,
                ),
                Broadcast(
                    author_id=user_id,
                    texts={"fi": "Tiedote"},
                    audience="all",
                    status="done",
                    created_at=last_seen,
                    scheduled_at=last_seen,
                ),
            ]
        )
    for key in (fsm_key(user_id), fsm_key(user_id, chat_id=-100123)):
        await storage.set_state(key, "dialog:needs")
        await storage.set_data(key, {"answers": {"needs": ["crisis-urgent"]}})


async def rows_about(sessions: async_sessionmaker[AsyncSession], user_id: int) -> dict[str, int]:
    """Rows naming ``user_id`` per table: by ``user_id`` and by the record columns."""
    found: dict[str, int] = {}
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            columns = [table.c[name] for name in RECORD_COLUMNS.get(table.name, ())]
            if "user_id" in table.c:
                columns.append(table.c.user_id)
            if not columns:
                continue
            where = or_(*(column == user_id for column in columns))
            count = await session.scalar(select(func.count()).select_from(table).where(where))
            if count:
                found[table.name] = int(count)
    return found


async def has_state(storage: BaseStorage, user_id: int) -> bool:
    """Whether any of the seeded dialog keys of ``user_id`` still holds something."""
    for key in (fsm_key(user_id), fsm_key(user_id, chat_id=-100123)):
        if await storage.get_state(key) is not None or await storage.get_data(key):
            return True
    return False


SEEDED_KINDS = frozenset(Kind) - {Kind.STATISTICS}
