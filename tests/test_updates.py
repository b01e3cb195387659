"""How the bot's HTTP session talks to the Bot API (bot.updates.RepairingSession)."""

from __future__ import annotations

import json

from aiogram import Bot
from aiogram.methods import SendDocument, SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import FormData

from bot.updates import RepairingSession
from tests.e2e.fake_telegram import TEST_TOKEN


async def test_a_call_without_files_is_one_json_body_and_an_upload_a_form() -> None:
    session = RepairingSession()
    bot = Bot(TEST_TOKEN, session=session)
    try:
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
    finally:
        await bot.session.close()
