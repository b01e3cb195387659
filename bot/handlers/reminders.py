"""/reminders: the family's reminders, each with a button to cancel it.

Callback data: ``rml:<page>`` (a page of the list), ``rmx:<reminder id>:<page>`` (cancel; only
the family's own reminder can be cancelled, whatever id a button carries).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from aiogram import Bot, F, Router
from aiogram.enums import ParseMode
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.delivery.family_reminders import ReminderView, user_reminders
from bot.delivery.reminders import cancel_reminder
from bot.events.cards import when_text
from bot.handlers.events import offsets_code
from bot.handlers.menu import MenuAction, edit_or_send
from bot.i18n import Translator

router = Router(name="reminders")

PAGE_SIZE = 6


class ReminderPage(CallbackData, prefix="rml"):
    page: int


class ReminderCancel(CallbackData, prefix="rmx"):
    id: int
    page: int


def _item(number: int, view: ReminderView, t: Translator) -> str:
    when = when_text(view.next.start, view.next.end, t)
    msg = "reminders-item-once"
    if view.series:
        msg = "reminders-item-weekly" if view.weekly else "reminders-item-series"
    return t(
        msg,
        number=number,
        title=escape(view.title.get(t.locale)),
        when=when,
        offsets=t(f"remind-offsets-{offsets_code(view.offsets)}"),
    )


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def list_screen(
    views: list[ReminderView], t: Translator, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-len(views) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    first = page * PAGE_SIZE
    shown = views[first : first + PAGE_SIZE]
    if not views:
        text = t("reminders-none")
    else:
        items = [_item(first + i + 1, v, t) for i, v in enumerate(shown)]
        text = "\n\n".join([t("reminders-title", count=len(views)), *items])
    rows = []
    for i, view in enumerate(shown):
        title = view.title.get(t.locale)
        label = t("reminders-cancel", number=first + i + 1, title=title[:40])
        rows.append([_button(label, ReminderCancel(id=view.id, page=page))])
    nav = []
    if page > 0:
        nav.append(_button(t("events-previous"), ReminderPage(page=page - 1)))
    if page < pages - 1:
        nav.append(_button(t("events-more"), ReminderPage(page=page + 1)))
    if nav:
        rows.append(nav)
    if not views:
        rows.append([_button(t("menu-events"), MenuAction(action="events"))])
    rows.append([_button(t("menu-back"), MenuAction(action="menu"))])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def _screen(
    session: AsyncSession, settings: Settings, t: Translator, user_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    views = await user_reminders(session, user_id, settings.tz, datetime.now(UTC))
    return list_screen(views, t, page)


@router.message(Command("reminders"))
async def reminders_command(
    message: Message, session: AsyncSession, settings: Settings, t: Translator
) -> None:
    assert message.from_user is not None
    text, markup = await _screen(session, settings, t, message.from_user.id, 0)
    await message.answer(text, parse_mode=ParseMode.HTML, reply_markup=markup)


@router.callback_query(MenuAction.filter(F.action == "reminders"))
async def reminders_button(
    query: CallbackQuery, bot: Bot, session: AsyncSession, settings: Settings, t: Translator
) -> None:
    text, markup = await _screen(session, settings, t, query.from_user.id, 0)
    await query.answer()
    await bot.send_message(query.from_user.id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


@router.callback_query(ReminderPage.filter())
async def reminders_page(
    query: CallbackQuery,
    callback_data: ReminderPage,
    session: AsyncSession,
    settings: Settings,
    t: Translator,
) -> None:
    text, markup = await _screen(session, settings, t, query.from_user.id, callback_data.page)
    await edit_or_send(query, text, markup, html=True)


@router.callback_query(ReminderCancel.filter())
async def cancel(
    query: CallbackQuery,
    callback_data: ReminderCancel,
    session: AsyncSession,
    settings: Settings,
    t: Translator,
) -> None:
    user_id = query.from_user.id
    cancelled = await cancel_reminder(session, callback_data.id, user_id, datetime.now(UTC))
    text, markup = await _screen(session, settings, t, user_id, callback_data.page)
    notice = t("reminders-cancelled") if cancelled else t("reminders-not-found")
    await edit_or_send(query, f"{notice}\n\n{text}", markup, html=True)
