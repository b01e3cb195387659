"""/privacy, /mydata and /delete: what is stored, a copy of it, and erasing it all; and the
choice "don't count my answers" for the anonymous indicators (counted by default)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.engine import execute_alone
from bot.db.models import User
from bot.db.personal_data import Kind, erase_user, export_user_data, kinds_in
from bot.db.storage import ForgetsUsers, forget_user_states
from bot.handlers.menu import MenuAction, column, main_menu, reply
from bot.i18n import Translator

router = Router(name="privacy")

# The export's entry for dialog state kept outside the database (Redis keys).
REDIS_STATES = "fsm_redis"


class PrivacyAction(CallbackData, prefix="priv"):
    action: str  # mydata | delete | delete-yes | delete-no | count-off | count-on


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _privacy_text(t: Translator, settings: Settings, user: User) -> str:
    """Every kind of data kept (bot.db.personal_data.Kind), each with what happens to it."""
    kinds = "\n".join(t(f"privacy-kind-{kind}", days=settings.retention_days) for kind in Kind)
    return "\n\n".join(
        (
            t("privacy-text"),
            kinds,
            # Opening a service path (issue #25) stores nothing of the family; the path itself
            # is kept until its link expires.
            t("privacy-paths", days=settings.guide_path_days),
            t("privacy-never"),
            t(
                "privacy-inactive",
                days=settings.inactive_retention_days,
                recent=settings.retention_days,
            ),
            t("privacy-commands"),
            t("privacy-counting", counted=_yes_no(user.counted)),
        )
    )


def _privacy_keyboard(t: Translator, user: User) -> InlineKeyboardMarkup:
    count = (
        (t("privacy-count-off"), PrivacyAction(action="count-off"))
        if user.counted
        else (t("privacy-count-on"), PrivacyAction(action="count-on"))
    )
    return column(
        (t("privacy-mydata"), PrivacyAction(action="mydata")),
        count,
        (t("privacy-delete"), PrivacyAction(action="delete")),
        (t("menu-back"), MenuAction(action="menu")),
    )


def _confirm_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return column(
        (t("delete-yes"), PrivacyAction(action="delete-yes")),
        (t("delete-no"), PrivacyAction(action="delete-no")),
    )


@router.message(Command("privacy"))
async def privacy_command(message: Message, t: Translator, settings: Settings, user: User) -> None:
    await message.answer(_privacy_text(t, settings, user), reply_markup=_privacy_keyboard(t, user))


@router.callback_query(MenuAction.filter(F.action == "privacy"))
async def privacy_button(
    query: CallbackQuery, t: Translator, settings: Settings, user: User
) -> None:
    await reply(query, _privacy_text(t, settings, user), _privacy_keyboard(t, user))


@router.callback_query(PrivacyAction.filter(F.action.in_({"count-off", "count-on"})))
async def counting_choice(
    query: CallbackQuery,
    callback_data: PrivacyAction,
    user: User,
    session: AsyncSession,
    t: Translator,
) -> None:
    """Stop or resume counting this family in the anonymous indicators (from the next
    update on: nothing already counted can be traced back to anyone to take it out)."""
    user.counted = callback_data.action == "count-on"  # the update's copy (not in the session)
    await execute_alone(
        session, update(User).where(User.user_id == user.user_id).values(counted=user.counted)
    )
    await reply(
        query,
        t("privacy-counting-changed", counted=_yes_no(user.counted)),
        _privacy_keyboard(t, user),
    )


async def _send_my_data(
    bot: Bot, chat_id: int, user: User, session: AsyncSession, state: FSMContext, t: Translator
) -> None:
    data: dict[str, Any] = await export_user_data(session, user.user_id)
    if isinstance(state.storage, ForgetsUsers):  # dialog state outside the database (Redis)
        outside = await state.storage.user_states(user.user_id)
        if outside:
            data[REDIS_STATES] = outside
    if not data:
        await bot.send_message(chat_id, t("mydata-none"))
        return
    found = kinds_in(data)
    if REDIS_STATES in data:  # a key's state and data are one saved step
        keys = {entry["key"].rsplit(":", 1)[0] for entry in data[REDIS_STATES]}
        found[Kind.DIALOG] = found.get(Kind.DIALOG, 0) + len(keys)
    lines = [t("mydata-text")]
    for kind in Kind:
        if kind == Kind.ACCOUNT and kind in found:
            lines.append(
                t(
                    "mydata-kind-account",
                    locale=user.locale or t.locale,
                    first_seen=t.format_datetime(user.first_seen),
                    last_seen=t.format_datetime(user.last_seen),
                    counted=_yes_no(user.counted),
                )
            )
        elif kind in found:
            lines.append(t(f"mydata-kind-{kind}", count=found[kind]))
    lines.append(t("mydata-file"))
    await bot.send_message(chat_id, "\n".join(lines))
    document = json.dumps(
        {"exported_at": datetime.now().astimezone().isoformat(), "tables": data},
        ensure_ascii=False,
        indent=2,
    ).encode("utf-8")
    await bot.send_document(
        chat_id,
        BufferedInputFile(document, filename="valo-my-data.json"),
        caption=t("mydata-caption"),
    )


@router.message(Command("mydata"))
async def mydata_command(
    message: Message,
    bot: Bot,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    t: Translator,
) -> None:
    await _send_my_data(bot, message.chat.id, user, session, state, t)


@router.callback_query(PrivacyAction.filter(F.action == "mydata"))
async def mydata_button(
    query: CallbackQuery,
    bot: Bot,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    t: Translator,
) -> None:
    await query.answer()
    await _send_my_data(bot, query.from_user.id, user, session, state, t)


@router.message(Command("delete"))
async def delete_command(message: Message, t: Translator) -> None:
    await message.answer(t("delete-confirm"), reply_markup=_confirm_keyboard(t))


@router.callback_query(PrivacyAction.filter(F.action == "delete"))
async def delete_button(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("delete-confirm"), _confirm_keyboard(t))


@router.callback_query(PrivacyAction.filter(F.action == "delete-yes"))
async def delete_confirmed(
    query: CallbackQuery, user: User, session: AsyncSession, state: FSMContext, t: Translator
) -> None:
    # FSM state may live in Redis, outside the database: clear it through the storage too,
    # under every chat's key (a state kept for another chat is the person's data as well).
    await forget_user_states(state, user.user_id)
    await erase_user(session, user.user_id)
    await reply(query, t("delete-done"))


@router.callback_query(PrivacyAction.filter(F.action == "delete-no"))
async def delete_cancelled(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("delete-cancelled"), main_menu(t))
