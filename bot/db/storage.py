"""aiogram FSM storage in the SQL database, sharing the update's session."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import current_session, session_scope, upsert, write_transaction
from bot.db.models import FsmState

# Rows read or written during the update, in the update's session: (state, data) by key.
_CACHE = "valo_fsm_rows"

Cached = tuple[str | None, dict[str, Any] | None]


class SQLStorage(BaseStorage):
    """FSM state and data in ``fsm_states``: survives restarts, one row per storage key.

    Writes are upserts (no check-then-insert race); a key whose state and data are both empty
    has no row. Inside an update it uses that update's session (see ``current_session``) and
    remembers the rows it read or wrote there, so an update reads its row once however often
    aiogram and the handler ask (the update's own writes are the only ones: updates of one
    user are handled one at a time). :meth:`save` writes state and data in one statement.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessions = sessions
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=_state_name(state))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data) or None)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return copy.deepcopy((await self._read(key))[1]) or {}

    async def save(self, key: StorageKey, state: StateType, data: Mapping[str, Any]) -> None:
        """Set state and data together: one write instead of two."""
        await self._write(key, state=_state_name(state), data=dict(data) or None)

    async def close(self) -> None:
        """Sessions belong to the caller; the engine is disposed by the app."""

    def _cache(self) -> dict[str, Cached] | None:
        shared = current_session.get()
        return None if shared is None else shared.info.setdefault(_CACHE, {})

    async def _read(self, key: StorageKey) -> Cached:
        built = self._keys.build(key)
        cache = self._cache()
        if cache is not None and built in cache:
            return cache[built]
        # Plain columns, not ORM objects: no identity map to go stale after our upserts.
        async with session_scope(self._sessions) as session:
            result = await session.execute(
                select(FsmState.state, FsmState.data).where(FsmState.key == built)
            )
            row = result.one_or_none()
        found: Cached = (row.state, row.data) if row is not None else (None, None)
        if cache is not None:
            cache[built] = found
        return found

    async def _write(self, key: StorageKey, **values: Any) -> None:
        built = self._keys.build(key)
        now = datetime.now(UTC)
        async with session_scope(self._sessions) as session, write_transaction(session):
            stmt = upsert(session, FsmState).values(
                key=built, user_id=key.user_id, updated_at=now, **values
            )
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[FsmState.key], set_={"updated_at": now, **values}
                )
            )
            if any(value is None for value in values.values()):  # maybe nothing left
                await session.execute(
                    delete(FsmState).where(
                        and_(
                            FsmState.key == built,
                            FsmState.state.is_(None),
                            FsmState.data.is_(None),
                        )
                    )
                )
        cache = self._cache()
        known = cache.get(built) if cache is not None else None
        if cache is not None and (known is not None or len(values) == 2):
            state, data = known or (None, None)
            cache[built] = (values.get("state", state), copy.deepcopy(values.get("data", data)))
        # else: the other half is not known here; the next read fetches the row.


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


async def save_fsm(context: FSMContext, state: StateType, data: Mapping[str, Any]) -> None:
    """Set an FSM context's state and data; in one write where the storage can."""
    if isinstance(context.storage, SQLStorage):
        await context.storage.save(context.key, state, data)
    else:
        await context.set_state(state)
        await context.set_data(data)
