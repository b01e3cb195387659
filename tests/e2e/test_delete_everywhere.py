"""/delete erases the person's dialog state under every key, not only the current chat's:
on the SQL storage and on Redis (whichever the run's backend selects)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import make_sessionmaker
from bot.emulator.telegram import FakeTelegram
from tests.e2e.conftest import BotProcess
from tests.privacy_support import fsm_storage

FAMILY = 5101
GROUP = -100777


@pytest.fixture
async def storage(db: AsyncEngine, redis_url: str | None) -> AsyncIterator[BaseStorage]:
    """The FSM storage the bot under test uses, opened by the test beside it."""
    async with fsm_storage(make_sessionmaker(db), redis_url) as opened:
        yield opened


def key(chat_id: int, user_id: int, thread_id: int | None = None) -> StorageKey:
    return StorageKey(bot_id=0, chat_id=chat_id, user_id=user_id, thread_id=thread_id)


async def test_delete_clears_the_dialog_state_of_every_chat(
    fake: FakeTelegram, running_bot: BotProcess, storage: BaseStorage
) -> None:
    family_keys = [key(FAMILY, FAMILY), key(GROUP, FAMILY), key(GROUP, FAMILY, thread_id=7)]
    # Another person whose key mentions the family's id in another field: it must stay.
    neighbour = key(GROUP, 5202, thread_id=FAMILY)
    for each in [*family_keys, neighbour]:
        await storage.set_state(each, "dialog:needs")
        await storage.set_data(each, {"answers": {"needs": ["crisis-urgent"]}})

    fake.user(FAMILY, language_code="en")
    fake.send_command(FAMILY, "/delete")
    confirm = await fake.wait_message(FAMILY)
    fake.press(FAMILY, confirm, button_text="Yes, delete everything")
    await fake.wait_message(FAMILY)  # the bot has answered: the erasure is done

    for each in family_keys:
        assert await storage.get_state(each) is None, each
        assert await storage.get_data(each) == {}, each
    assert await storage.get_state(neighbour) == "dialog:needs"
    assert await storage.get_data(neighbour) == {"answers": {"needs": ["crisis-urgent"]}}
