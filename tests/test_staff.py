"""The staff filter reads the database on every check."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import User as TelegramUser
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import User
from bot.handlers.staff import IsStaff
from bot.middlewares import load_user

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def tg(user_id: int) -> TelegramUser:
    return TelegramUser(id=user_id, is_bot=False, first_name="x")


async def test_staff_filter_follows_the_database(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    check = IsStaff()
    async with sessions() as session:
        await load_user(session, 1, NOW, frozenset({1}))
        await load_user(session, 2, NOW, frozenset())
        assert await check(object(), session=session, event_from_user=tg(1))
        assert not await check(object(), session=session, event_from_user=tg(2))
        assert not await check(object(), session=session, event_from_user=tg(3))
        assert not await check(object(), session=session, event_from_user=None)
        async with write_transaction(session):
            await session.execute(update(User).where(User.user_id == 1).values(staff=False))
        assert not await check(object(), session=session, event_from_user=tg(1))
