"""aiogram FSM storage in the SQL database, sharing the update's session."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import Row, and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import session_scope, upsert, write_transaction
from bot.db.models import FsmState


class SQLStorage(BaseStorage):
    """FSM state and data in ``fsm_states``: survives restarts, one row per storage key.

    Writes are upserts (no check-then-insert race); a key whose state and data are both empty
    has no row. Inside an update it uses that update's session (see ``current_session``).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessions = sessions
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data) or None)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return dict(row.data) if row and row.data else {}

    async def close(self) -> None:
        """Sessions belong to the caller; the engine is disposed by the app."""

    async def _read(self, key: StorageKey) -> Row[tuple[str | None, dict[str, Any] | None]] | None:
        # Plain columns, not ORM objects: no identity map to go stale after our upserts.
        async with session_scope(self._sessions) as session:
            result = await session.execute(
                select(FsmState.state, FsmState.data).where(FsmState.key == self._keys.build(key))
            )
            return result.one_or_none()

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
            await session.execute(
                delete(FsmState).where(
                    and_(FsmState.key == built, FsmState.state.is_(None), FsmState.data.is_(None))
                )
            )
