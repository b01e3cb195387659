"""Everything no feature handled: friendly replies, never silence or a stack trace."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, ErrorEvent, Message

from bot.config import Settings
from bot.handlers.menu import main_menu
from bot.i18n import I18n, Translator
from bot.middlewares import choose_locale

log = logging.getLogger(__name__)

router = Router(name="fallback")


@router.message()
async def unknown_message(message: Message, t: Translator) -> None:
    # Never log message.text: families may type anything.
    await message.answer(t("unknown-input"), reply_markup=main_menu(t))


@router.callback_query()
async def stale_button(query: CallbackQuery, t: Translator) -> None:
    await query.answer(t("stale-button"))
    assert query.bot is not None
    await query.bot.send_message(query.from_user.id, t("menu-title"), reply_markup=main_menu(t))


@router.errors()
async def on_error(
    event: ErrorEvent, bot: Bot, i18n: I18n, settings: Settings, t: Translator | None = None
) -> None:
    update = event.update
    log.error(
        "update %s failed: %s",
        update.update_id,
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    source = update.message or update.callback_query or update.edited_message
    from_user = source.from_user if source else None
    if from_user is None:
        return
    if t is None:  # the error came before the user's locale was known
        t = i18n[choose_locale(None, from_user.language_code, settings.default_locale).locale]
    try:
        if update.callback_query:
            await update.callback_query.answer()
        await bot.send_message(from_user.id, t("error-generic"), reply_markup=main_menu(t))
    except Exception as exc:  # the apology itself must never raise out of the error handler
        log.warning("could not send the error reply: %s", type(exc).__name__)
