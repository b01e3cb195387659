"""How the bot's HTTP session talks to the Bot API (bot.updates.RepairingSession)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText, SendDocument, SendMessage
from aiogram.types import (
    BufferedInputFile,
    CallbackGame,
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    SwitchInlineQueryChosenChat,
    WebAppInfo,
)
from aiohttp import FormData

from bot.emulator.telegram import TEST_TOKEN
from bot.updates import EditTextUnread, RepairingSession


@pytest.fixture
def session() -> RepairingSession:
    return RepairingSession()


@pytest.fixture
async def bot(session: RepairingSession) -> AsyncIterator[Bot]:
    bot = Bot(TEST_TOKEN, session=session)
    try:
        yield bot
    finally:
        await bot.session.close()


async def test_a_call_without_files_is_one_json_body_and_an_upload_a_form(
    session: RepairingSession, bot: Bot
) -> None:
    button = InlineKeyboardButton(text="Kyllä", callback_data="d:x:1")
    markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
    body = session.build_form_data(
        bot, SendMessage(chat_id=5, text="مرحبا", reply_markup=markup, protect_content=False)
    )
    assert body.content_type == "application/json"
    assert json.loads(body.decode()) == {
        "chat_id": 5,
        "text": "مرحبا",
        "protect_content": False,  # kept: only what the form leaves out is left out
        "reply_markup": {"inline_keyboard": [[{"text": "Kyllä", "callback_data": "d:x:1"}]]},
    }
    upload = BufferedInputFile(b"<html></html>", filename="report.html")
    form = session.build_form_data(bot, SendDocument(chat_id=5, document=upload))
    assert isinstance(form, FormData)


async def test_an_inline_keyboard_is_sent_as_aiogram_would_prepare_it(
    session: RepairingSession, bot: Bot
) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="✓ 0–2", callback_data="d:age:0:tok")],
            [InlineKeyboardButton(text="Kotka", url="https://www.kotka.fi/")],
            [InlineKeyboardButton(text="app", web_app=WebAppInfo(url="https://valo.test/"))],
            [InlineKeyboardButton(text="copy", copy_text=CopyTextButton(text="0401234567"))],
            [InlineKeyboardButton(text="play", callback_game=CallbackGame())],
            [
                InlineKeyboardButton(
                    text="share",
                    switch_inline_query_chosen_chat=SwitchInlineQueryChosenChat(
                        query="", allow_user_chats=True
                    ),
                )
            ],
        ]
    )
    for method in (
        SendMessage(chat_id=5, text="x", reply_markup=markup),
        EditMessageText(chat_id=5, message_id=7, text="x", reply_markup=markup),
    ):
        body = json.loads(session.build_form_data(bot, method).decode())
        files: dict[str, InputFile] = {}
        prepared = session.prepare_value(markup, bot=bot, files=files, _dumps_json=False)
        assert body["reply_markup"] == prepared
        assert body["text"] == "x"
    # Other keyboards go through aiogram's preparation as before.
    reply = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Kyllä")]], is_persistent=None)
    body = json.loads(
        session.build_form_data(bot, SendMessage(chat_id=5, text="x", reply_markup=reply)).decode()
    )
    assert body["reply_markup"] == {"keyboard": [[{"text": "Kyllä"}]]}


async def test_an_unread_edit_sends_its_keyboard_as_given_and_keeps_the_answer_as_json(
    session: RepairingSession, bot: Bot
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "✓ 1–2", "callback_data": "needs:ages:1-2:abc"}]]}
    edit = EditTextUnread(chat_id=5, message_id=7, text="x", reply_markup=keyboard)
    assert edit.__api_method__ == "editMessageText"
    assert json.loads(session.build_form_data(bot, edit).decode()) == {
        "chat_id": 5,
        "message_id": 7,
        "text": "x",
        "reply_markup": keyboard,  # as given
    }
    message = {"message_id": 7, "date": 1, "chat": {"id": 5, "type": "private"}, "text": "x"}
    answer = session.check_response(bot, edit, 200, json.dumps({"ok": True, "result": message}))
    assert answer.result == message  # not parsed into a Message
    assert session.check_response(bot, edit, 200, '{"ok": true, "result": true}').result is True
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        session.check_response(
            bot,
            edit,
            400,
            json.dumps(
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message is not modified",
                }
            ),
        )
