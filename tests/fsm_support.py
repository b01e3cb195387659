"""What a dialog step does with its FSM row, for the tests of each FSM storage."""

from __future__ import annotations

from aiogram.fsm.storage.base import BaseStorage, StorageKey

from bot.db.storage import SavesTogether


async def dialog_step(storage: BaseStorage, key: StorageKey) -> None:
    """Read the data twice (aiogram and the handler both ask), change a copy, save both halves.

    The key's data starts as ``{"dialog": {"node": "where"}, "keep": 1}``; it ends with
    ``keep`` 2 and the state ``dialog:needs``.
    """
    assert isinstance(storage, SavesTogether)
    data = await storage.get_data(key)
    data["dialog"]["node"] = "changed by the caller"  # must not leak into the cache
    assert (await storage.get_data(key))["dialog"] == {"node": "where"}
    await storage.save(key, "dialog:needs", {**data, "keep": 2})
    assert await storage.get_state(key) == "dialog:needs"
    assert (await storage.get_data(key))["keep"] == 2
