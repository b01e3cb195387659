"""Bot API request metrics (bot.ops.metrics), counted on a real Bot against the fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from prometheus_client import REGISTRY

from bot.emulator.telegram import TEST_TOKEN, FakeTelegram
from bot.ops.metrics import instrument_bot
from bot.updates import EditTextUnread, RepairingSession


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def requests(method: str, outcome: str) -> float:
    labels = {"method": method, "outcome": outcome}
    return REGISTRY.get_sample_value("valo_telegram_requests_total", labels) or 0.0


def retry_afters() -> float:
    return REGISTRY.get_sample_value("valo_telegram_429_total") or 0.0


async def test_requests_are_counted_by_telegram_method_and_outcome(fake: FakeTelegram) -> None:
    bot = Bot(TEST_TOKEN, session=RepairingSession(api=TelegramAPIServer.from_base(fake.base_url)))
    instrument_bot(bot)
    chat, blocked = 9801, 9802
    for user in (chat, blocked):
        fake.user(user).has_written = True
    before = {
        key: requests(*key)
        for key in (
            ("sendMessage", "ok"),
            ("sendMessage", "retry_after"),
            ("sendMessage", "forbidden"),
            ("editMessageText", "ok"),
            ("editMessageText", "bad_request"),
        )
    }
    before_429 = retry_afters()
    try:
        sent = await bot.send_message(chat, "hei")
        await bot(EditTextUnread(chat_id=chat, message_id=sent.message_id, text="moi"))
        with pytest.raises(TelegramBadRequest):
            await bot(EditTextUnread(chat_id=chat, message_id=sent.message_id + 99, text="x"))
        fake.fail_429(retry_after=3)
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(chat, "hei taas")
        fake.block(blocked)
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(blocked, "hei")
    finally:
        await bot.session.close()
    assert {key: requests(*key) - value for key, value in before.items()} == {
        ("sendMessage", "ok"): 1,
        ("sendMessage", "retry_after"): 1,
        ("sendMessage", "forbidden"): 1,
        ("editMessageText", "ok"): 1,
        ("editMessageText", "bad_request"): 1,
    }
    assert retry_afters() - before_429 == 1
