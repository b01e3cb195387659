"""Staff rights. Every staff command and button is checked against the database here,
never trusted from button text or callback data (later features add the staff tools)."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User


async def is_staff(session: AsyncSession, user_id: int) -> bool:
    """Whether ``user_id`` has staff rights right now (a fresh read, not a cached flag)."""
    flag = await session.scalar(select(User.staff).where(User.user_id == user_id))
    return bool(flag)


class IsStaff(Filter):
    """Passes only for users whose database row has the staff flag."""

    async def __call__(
        self,
        event: TelegramObject,
        session: AsyncSession,
        event_from_user: TelegramUser | None = None,
    ) -> bool:
        return event_from_user is not None and await is_staff(session, event_from_user.id)
