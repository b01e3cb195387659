"""/start, with or without a deep-link payload such as ``poster_kotka``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from aiogram import Bot, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.store import LiveCatalog
from bot.config import Settings
from bot.db.engine import upsert, write_transaction
from bot.db.models import DeepLinkCount
from bot.db.staff import is_invite_payload
from bot.guide.paths import is_path_payload
from bot.handlers.guide import open_service_path
from bot.handlers.language import language_picker
from bot.handlers.menu import main_menu
from bot.handlers.needs import SOURCE_KEY
from bot.handlers.staff import accept_staff_invite
from bot.i18n import I18n, Translator
from bot.indicators.record import IndicatorRecorder
from bot.middlewares import LocaleChoice

router = Router(name="start")

# Telegram allows A-Z, a-z, 0-9, _ and - in start payloads, up to 64 characters; a source is
# a campaign's name: it starts with a letter and is kept in lower case.
DEEP_LINK_SOURCE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
# Anyone can make up payloads: past this many sources in a month, new ones count as "other",
# so made-up links cannot grow the table (or the reports) without bound.
SOURCES_PER_MONTH = 100
OTHER_SOURCE = "other"


def deep_link_source(payload: str | None) -> str | None:
    """The source a /start payload names, or None when it is not one."""
    if payload and DEEP_LINK_SOURCE.match(payload):
        return payload.lower()
    return None


async def count_deep_link(
    session: AsyncSession,
    source: str,
    *,
    new_user: bool,
    now: datetime | None = None,
    cap: int = SOURCES_PER_MONTH,
) -> str:
    """Count a start from ``source`` for this month; nothing ties the count to the user.

    Returns the source counted: ``source``, or ``other`` when the month already has ``cap``
    other sources (on PostgreSQL, starts racing at the cap may each add one more).
    """
    month = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m")
    new = 1 if new_user else 0
    async with write_transaction(session):
        this_month = DeepLinkCount.month == month
        known = await session.scalar(
            select(func.count()).where(this_month, DeepLinkCount.source == source)
        )
        if not known:
            sources = await session.scalar(
                select(func.count()).where(this_month, DeepLinkCount.source != OTHER_SOURCE)
            )
            if (sources or 0) >= cap:
                source = OTHER_SOURCE
        stmt = upsert(session, DeepLinkCount).values(
            source=source, month=month, starts=1, new_users=new
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[DeepLinkCount.source, DeepLinkCount.month],
                set_={
                    "starts": DeepLinkCount.starts + 1,
                    "new_users": DeepLinkCount.new_users + new,
                },
            )
        )
    return source


@router.message(CommandStart())
async def start(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    user_is_new: bool,
    locale_choice: LocaleChoice,
    settings: Settings,
    t: Translator,
    i18n: I18n,
    state: FSMContext,
    indicators: IndicatorRecorder,
    catalog: LiveCatalog,
) -> None:
    if command.args and is_invite_payload(command.args):  # a staff invite, not a source
        await accept_staff_invite(message, command.args, bot, session, i18n, settings, t)
        return
    if command.args and is_path_payload(command.args):  # a service path, never a source
        await open_service_path(
            message,
            command.args,
            bot,
            session,
            i18n,
            t,
            settings,
            catalog,
            locale_choice,
            indicators,
        )
        return
    source = deep_link_source(command.args)
    if source is not None:
        source = await count_deep_link(session, source, new_user=user_is_new)
        if indicators.counted:  # kept until the next dialog's "started" event takes it
            await state.update_data({SOURCE_KEY: source})
    if locale_choice.must_choose:
        await message.answer(t("language-choose"), reply_markup=language_picker(i18n))
        return
    await message.answer(t("greeting"))
    await message.answer(t("menu-title"), reply_markup=main_menu(t))
