"""A dialog step in the chat: its messages sent, the pressed one edited in place.

Both dialogs shown by the flow engine use it: the families' /find (bot.handlers.needs) and the
professional's /guide (bot.handlers.guide). Flow keyboards are plain dataclasses
(bot.flow.keyboard); they become the Bot API's JSON or aiogram's markup here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.flow.keyboard import Button, Keyboard, OutMessage
from bot.updates import EditTextUnread

log = logging.getLogger(__name__)


def keyboard_json(keyboard: Keyboard) -> dict[str, Any] | None:
    """A flow keyboard as the Bot API takes it (None when there are no buttons)."""
    if not keyboard:
        return None
    return {"inline_keyboard": [[_button_json(b) for b in row] for row in keyboard]}


def _button_json(button: Button) -> dict[str, str]:
    found = {"text": button.text}
    if button.callback_data is not None:
        found["callback_data"] = button.callback_data
    if button.url is not None:
        found["url"] = button.url
    return found


def inline_markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """aiogram's markup for a flow keyboard (None when there are no buttons)."""
    markup = keyboard_json(keyboard)
    return None if markup is None else InlineKeyboardMarkup.model_validate(markup)


def keyboard_from_markup(markup: InlineKeyboardMarkup | None) -> Keyboard:
    """A flow keyboard from aiogram's markup (for result cards built with aiogram types)."""
    if markup is None:
        return ()
    return tuple(
        tuple(Button(b.text, callback_data=b.callback_data, url=b.url) for b in row)
        for row in markup.inline_keyboard
    )


def pressed(query: CallbackQuery, stale: bool) -> tuple[int, Message | None]:
    """The chat a press on a dialog button came from, and the message to edit into the next
    step: only the current step's own one; after a ``stale`` press (or on a message too old
    for Telegram to give) the step comes as a new message at the bottom of the chat."""
    chat_id = query.message.chat.id if query.message else query.from_user.id
    editable = query.message if isinstance(query.message, Message) and not stale else None
    return chat_id, editable


async def edit_message(
    bot: Bot,
    chat_id: int,
    message_id: int,
    out: OutMessage,
    business_connection_id: str | None = None,
) -> bool:
    """Edit a message of the bot's into ``out``; False when Telegram will not (too old,
    deleted...). A message that is already ``out`` counts as edited."""
    edit = EditTextUnread(  # what message.edit_text sends, without parsing the answer
        chat_id=chat_id,
        message_id=message_id,
        business_connection_id=business_connection_id,
        text=out.text,
        reply_markup=keyboard_json(out.keyboard),
        parse_mode=ParseMode.HTML if out.html else None,
    )
    try:
        await edit.as_(bot)
    except TelegramBadRequest as exc:
        if "message is not modified" in exc.message:
            return True
        log.info("could not edit a dialog message: %s", exc.message)
        return False
    return True


async def show_messages(
    bot: Bot, chat_id: int, messages: Sequence[OutMessage], editable: Message | None = None
) -> list[int]:
    """Show a step's ``messages``: the first edited into ``editable`` if given (and Telegram
    lets it), the rest sent. Returns the ids of the messages edited or sent."""
    shown: list[int] = []
    rest = list(messages)
    if (
        editable is not None
        and rest
        and await edit_message(
            bot,
            chat_id,
            editable.message_id,
            rest[0],
            business_connection_id=editable.business_connection_id,
        )
    ):
        shown.append(editable.message_id)
        rest = rest[1:]
    for out in rest:
        sent = await bot.send_message(
            chat_id,
            out.text,
            reply_markup=inline_markup(out.keyboard),
            parse_mode=ParseMode.HTML if out.html else None,
        )
        shown.append(sent.message_id)
    return shown
