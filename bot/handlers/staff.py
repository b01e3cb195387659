"""Staff rights and staff tools. Every staff command and button is checked against the
database (``IsStaff``), never trusted from button text or callback data; anyone else gets
"not allowed" and nothing more."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram import Bot, Router
from aiogram.enums import ParseMode
from aiogram.filters import Command, Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.types import User as TelegramUser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.matching import CatalogIndex
from bot.catalog.store import LiveCatalog, open_flags, resolve_flags
from bot.db.models import User
from bot.handlers.menu import column
from bot.i18n import Translator


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


router = Router(name="staff")


class FlagFixed(CallbackData, prefix="sf"):
    """Staff marks the flags on a service as handled."""

    service: str


def _name(index: CatalogIndex, service_id: str, t: Translator) -> str:
    service = index.services.get(service_id)
    return service.name.get(t.locale) if service else service_id


def _flags_text(
    flags: list[tuple[str, str, int, datetime]], index: CatalogIndex, t: Translator
) -> str:
    if not flags:
        return t("staff-flags-none")
    lines = [t("staff-flags-title")]
    for service_id, reason, count, latest in flags:
        lines.append(
            t(
                "staff-flags-line",
                service=escape(_name(index, service_id, t)),
                reason=t(f"card-flag-{reason}"),
                count=count,
                date=t.format_date(latest),
            )
        )
    return "\n".join(lines)


async def _show_flags(
    bot: Bot, chat_id: int, session: AsyncSession, catalog: LiveCatalog, t: Translator
) -> None:
    flags = await open_flags(session)
    index = await catalog.get(session)
    services = list(dict.fromkeys(service_id for service_id, *_ in flags))[:10]
    keyboard = column(
        *(
            (
                t("staff-flags-fixed", service=_name(index, s, t)[:40]),
                FlagFixed(service=s),
            )
            for s in services
        )
    )
    await bot.send_message(
        chat_id, _flags_text(flags, index, t), parse_mode=ParseMode.HTML, reply_markup=keyboard
    )


@router.message(Command("flags"), IsStaff())
async def flags_command(
    message: Message, bot: Bot, session: AsyncSession, catalog: LiveCatalog, t: Translator
) -> None:
    await _show_flags(bot, message.chat.id, session, catalog, t)


@router.callback_query(FlagFixed.filter(), IsStaff())
async def flag_fixed(
    query: CallbackQuery,
    callback_data: FlagFixed,
    bot: Bot,
    session: AsyncSession,
    catalog: LiveCatalog,
    t: Translator,
) -> None:
    resolved = await resolve_flags(session, callback_data.service)
    await query.answer(t("staff-flags-resolved", count=resolved))
    await _show_flags(bot, query.from_user.id, session, catalog, t)


@router.message(Command("flags"))
async def flags_not_allowed(message: Message, t: Translator) -> None:
    await message.answer(t("not-allowed"))


@router.callback_query(FlagFixed.filter())
async def flag_fixed_not_allowed(query: CallbackQuery, t: Translator) -> None:
    await query.answer(t("not-allowed"), show_alert=True)
