"""/start, with or without a deep-link payload such as ``poster_kotka``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from aiogram import Bot, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.engine import upsert, write_transaction
from bot.db.models import DeepLinkCount
from bot.db.staff import is_invite_payload
from bot.handlers.language import language_picker
from bot.handlers.menu import main_menu
from bot.handlers.needs import SOURCE_KEY
from bot.handlers.staff import accept_staff_invite
from bot.i18n import I18n, Translator
from bot.indicators.record import IndicatorRecorder
from bot.middlewares import LocaleChoice

router = Router(name="start")

# Telegram allows A-Z, a-z, 0-9, _ and - in start payloads, up to 64 characters.
DEEP_LINK_SOURCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def count_deep_link(session: AsyncSession, source: str, *, new_user: bool) -> None:
    """Count a start from ``source`` for this month; nothing ties the count to the user."""
    month = datetime.now(UTC).strftime("%Y-%m")
    new = 1 if new_user else 0
    stmt = upsert(session, DeepLinkCount).values(
        source=source, month=month, starts=1, new_users=new
    )
    async with write_transaction(session):
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[DeepLinkCount.source, DeepLinkCount.month],
                set_={
                    "starts": DeepLinkCount.starts + 1,
                    "new_users": DeepLinkCount.new_users + new,
                },
            )
        )


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
) -> None:
    if command.args and is_invite_payload(command.args):  # a staff invite, not a source
        await accept_staff_invite(message, command.args, bot, session, i18n, settings, t)
        return
    if command.args and DEEP_LINK_SOURCE.match(command.args):
        source = command.args.lower()
        await count_deep_link(session, source, new_user=user_is_new)
        if indicators.counted:  # kept until the next dialog's "started" event takes it
            await state.update_data({SOURCE_KEY: source})
    if locale_choice.must_choose:
        await message.answer(t("language-choose"), reply_markup=language_picker(i18n))
        return
    await message.answer(t("greeting"))
    await message.answer(t("menu-title"), reply_markup=main_menu(t))
