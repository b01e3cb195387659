"""PrivateChatsOnlyMiddleware on the updates the end-to-end tests do not send (tests/e2e/
test_groups.py covers groups and channels): what passes to the rest of the bot, and what not."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, UserContextMiddleware
from aiogram.types import TelegramObject, Update

from bot.config import Settings
from bot.emulator.telegram import TEST_TOKEN
from bot.i18n import I18n
from bot.middlewares import PrivateChatsOnlyMiddleware
from tests.conftest import REPO
from tests.delivery_support import TZ

HANDLED = frozenset({"message", "callback_query", "my_chat_member"})
FAMILY = {"id": 42, "is_bot": False, "first_name": "-", "language_code": "fi"}
PRIVATE = {"id": 42, "type": "private", "first_name": "-"}
BOT = {"id": 7000000001, "is_bot": True, "first_name": "Valo"}


def blocked_the_bot() -> dict[str, Any]:
    return {
        "chat": PRIVATE,
        "from": FAMILY,
        "date": 0,
        "old_chat_member": {"user": BOT, "status": "member"},
        "new_chat_member": {"user": BOT, "status": "kicked", "until_date": 0},
    }


@pytest.fixture(scope="module")
def middleware() -> PrivateChatsOnlyMiddleware:
    settings = Settings(_env_file=None, bot_token=TEST_TOKEN)  # type: ignore[call-arg]
    return PrivateChatsOnlyMiddleware(settings, I18n.load(REPO / "locales", TZ), HANDLED)


async def passes(middleware: PrivateChatsOnlyMiddleware, raw: dict[str, Any]) -> bool:
    update = Update.model_validate({"update_id": 1, **raw})
    reached: list[TelegramObject] = []

    async def handler(event: TelegramObject, data: dict[str, Any]) -> None:
        reached.append(event)

    context = UserContextMiddleware.resolve_event_context(update)
    # No bot: an update that is dropped here must not need to call Telegram either.
    await middleware(handler, update, {EVENT_CONTEXT_KEY: context, "bot": None})
    return bool(reached)


async def test_a_family_in_its_private_chat_passes(middleware: PrivateChatsOnlyMiddleware) -> None:
    message = {"message_id": 1, "date": 0, "chat": PRIVATE, "from": FAMILY, "text": "/mydata"}
    assert await passes(middleware, {"message": message})
    # Blocking the bot (my_chat_member in the private chat) keeps working as before.
    assert await passes(middleware, {"my_chat_member": blocked_the_bot()})


@pytest.mark.parametrize(
    "raw",
    [
        # A kind no handler takes, even from the private chat.
        {"edited_message": {"message_id": 1, "date": 0, "edit_date": 1, "chat": PRIVATE}},
        # No chat at all.
        {"inline_query": {"id": "1", "from": FAMILY, "query": "kotka", "offset": ""}},
        {"chosen_inline_result": {"result_id": "1", "from": FAMILY, "query": "kotka"}},
        # The stand-in for an update too broken to repair (bot.updates).
        {},
    ],
    ids=["edited-message", "inline-query", "chosen-inline-result", "no-kind"],
)
async def test_other_kinds_stop_here(
    middleware: PrivateChatsOnlyMiddleware, raw: dict[str, Any]
) -> None:
    assert not await passes(middleware, raw)
