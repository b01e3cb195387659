"""/language and the language buttons: Suomi / English / العربية, remembered in the database."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES, Locale
from bot.db.engine import write_transaction
from bot.db.models import User
from bot.handlers.menu import MenuAction, column, main_menu, reply
from bot.i18n import I18n, Translator

router = Router(name="language")


class LanguageChoice(CallbackData, prefix="lang"):
    locale: Locale


def language_picker(i18n: I18n) -> InlineKeyboardMarkup:
    """One button per locale, each labelled in its own language."""
    return column(
        *((i18n[loc]("language-self"), LanguageChoice(locale=loc)) for loc in SUPPORTED_LOCALES)
    )


@router.message(Command("language"))
async def language_command(message: Message, t: Translator, i18n: I18n) -> None:
    await message.answer(t("language-choose"), reply_markup=language_picker(i18n))


@router.callback_query(MenuAction.filter(F.action == "language"))
async def language_button(query: CallbackQuery, t: Translator, i18n: I18n) -> None:
    await reply(query, t("language-choose"), language_picker(i18n))


@router.callback_query(LanguageChoice.filter())
async def language_chosen(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    session: AsyncSession,
    user: User,
    i18n: I18n,
) -> None:
    async with write_transaction(session):
        await session.execute(
            update(User).where(User.user_id == user.user_id).values(locale=callback_data.locale)
        )
    t = i18n[callback_data.locale]
    await reply(query, t("language-set"))
    assert query.bot is not None
    await query.bot.send_message(query.from_user.id, t("greeting"))
    await query.bot.send_message(query.from_user.id, t("menu-title"), reply_markup=main_menu(t))
