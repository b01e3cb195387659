"""aiogram FSM storage in the SQL database, sharing the update's session."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol, cast, runtime_checkable

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.expression import Executable

from bot.db.engine import current_session, execute_alone, session_scope, write_transaction
from bot.db.models import FsmState, User

# Rows read or written during the update, in the update's session: (state, data) by key.
_CACHE = "valo_fsm_rows"
# The user row read with the update's first FSM row: (user_id, columns), for load_user.
_USER_ROW = "valo_user_row"

Cached = tuple[str | None, dict[str, Any] | None]


def update_cache() -> dict[str, Cached] | None:
    """The FSM rows the update being handled read or wrote (None outside an update).

    Kept in the update's database session (``current_session``), which lives exactly as long
    as the update; the storages keep their rows here so an update reads each key once.
    """
    shared = current_session.get()
    return None if shared is None else shared.info.setdefault(_CACHE, {})


@runtime_checkable
class SavesTogether(Protocol):
    """A storage that writes a key's state and data in one go (see :func:`save_fsm`)."""

    async def save(self, key: StorageKey, state: StateType, data: Mapping[str, Any]) -> None: ...


@runtime_checkable
class ForgetsUsers(Protocol):
    """A storage that finds and drops every key of a user, whatever chat it was kept for."""

    async def clear_users(self, user_ids: Collection[int]) -> int: ...

    async def user_states(self, user_id: int) -> list[dict[str, Any]]: ...


async def forget_user_states(context: FSMContext, user_id: int) -> None:
    """Drop ``user_id``'s dialog state and data under every key (every chat, thread and
    destiny), not only the context's own: /delete erases everything about the person."""
    if isinstance(context.storage, ForgetsUsers):
        await context.storage.clear_users([user_id])
    await context.clear()  # the context's own key, also through aiogram's other storages


def forget_cached_rows() -> None:
    """After clearing keys, the update reads them again rather than trust its scratch."""
    cache = update_cache()
    if cache is not None:
        cache.clear()


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
        await self._write(key, state=state_name(state))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data) or None)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return copy.deepcopy((await self._read(key))[1]) or {}

    async def save(self, key: StorageKey, state: StateType, data: Mapping[str, Any]) -> None:
        """Set state and data together: one write instead of two."""
        await self._write(key, state=state_name(state), data=dict(data) or None)

    async def close(self) -> None:
        """Sessions belong to the caller; the engine is disposed by the app."""

    async def clear_users(self, user_ids: Collection[int]) -> int:
        """Delete every key of these users; returns how many there were."""
        async with session_scope(self._sessions) as session, write_transaction(session):
            result = await session.execute(delete(_FSM).where(_FSM.c.user_id.in_(user_ids)))
        forget_cached_rows()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def user_states(self, user_id: int) -> list[dict[str, Any]]:
        """Nothing beyond the ``fsm_states`` rows, which /mydata reads as a table already."""
        return []

    async def _read(self, key: StorageKey) -> Cached:
        built = self._keys.build(key)
        cache = update_cache()
        if cache is not None and built in cache:
            return cache[built]
        # Plain columns, not ORM objects: no identity map to go stale after our upserts.
        async with session_scope(self._sessions) as session:
            # In an update, its user's row comes along (see USER_COLUMNS).
            found = None if cache is None else await _read_with_user(session, built, key.user_id)
            if found is None:  # outside an update, or a user not known yet
                rows = await execute_alone(session, _READ, {"key": built}, writes=False)
                found = (rows[0].state, rows[0].data) if rows else (None, None)
        if cache is not None:
            cache[built] = found
        return found

    async def _write(self, key: StorageKey, **values: Any) -> None:
        built = self._keys.build(key)
        params = {"key": built, "user_id": key.user_id, "updated_at": datetime.now(UTC), **values}
        async with session_scope(self._sessions) as session:
            statement = _upsert(session.get_bind().dialect.name, tuple(sorted(values)))
            if all(value is not None for value in values.values()) and not (
                session.in_transaction()
            ):
                # One statement: no BEGIN. Not durable: a dialog step lost in a power cut is
                # pressed again, and syncing it blocked the loop on every step. A clearing
                # write (below, /delete's too) is a durable transaction.
                await execute_alone(session, statement, params, durable=False)
            else:
                async with write_transaction(session):
                    await session.execute(statement, params)
                    if any(value is None for value in values.values()):  # maybe nothing left
                        await session.execute(_DELETE_EMPTY, {"key": built})
        cache = update_cache()
        known = cache.get(built) if cache is not None else None
        if cache is not None and (known is not None or len(values) == 2):
            state, data = known or (None, None)
            cache[built] = (values.get("state", state), copy.deepcopy(values.get("data", data)))
        # else: the other half is not known here; the next read fetches the row.


_FSM = cast(Table, FsmState.__table__)
_READ = select(_FSM.c.state, _FSM.c.data).where(_FSM.c.key == bindparam("key"))
_DELETE_EMPTY = delete(_FSM).where(
    _FSM.c.key == bindparam("key"), _FSM.c.state.is_(None), _FSM.c.data.is_(None)
)

# What bot.middlewares.load_user reads of a user. An update reads its user's FSM row first
# (the FSM middleware, under the user's lock) and their user row with it.
USER_COLUMNS = (
    User.locale,
    User.first_seen,
    User.last_seen,
    User.blocked,
    User.staff,
    User.counted,
)
_READ_WITH_USER = (
    select(*USER_COLUMNS, _FSM.c.state.label("fsm_state"), _FSM.c.data.label("fsm_data"))
    .outerjoin(_FSM, _FSM.c.key == bindparam("key"))
    .where(User.user_id == bindparam("user_id"))
)


async def _read_with_user(session: AsyncSession, built: str, user_id: int) -> Cached | None:
    """The FSM row of ``built``, keeping its user's row for read_with_fsm; None if no user."""
    params = {"key": built, "user_id": user_id}
    rows = await execute_alone(session, _READ_WITH_USER, params, writes=False)
    if not rows:
        return None
    user = rows[0]._asdict()
    session.info[_USER_ROW] = (user_id, user)
    return user.pop("fsm_state"), user.pop("fsm_data")


def read_with_fsm(session: AsyncSession, user_id: int) -> dict[str, Any] | None:
    """The user's USER_COLUMNS if this update's FSM read brought them along (once)."""
    found = session.info.pop(_USER_ROW, None)
    return found[1] if found is not None and found[0] == user_id else None


@lru_cache
def _upsert(dialect: str, columns: tuple[str, ...]) -> Executable:
    """Set ``columns`` (state, data or both) of a key's row, creating it if missing.

    Built once per dialect and shape, with bound parameters: building the statement per
    write cost more than running it.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    names = ("key", "user_id", "updated_at", *columns)
    statement = insert(_FSM).values({n: bindparam(n, type_=_FSM.c[n].type) for n in names})
    return statement.on_conflict_do_update(
        index_elements=[_FSM.c.key],
        set_={n: statement.excluded[n] for n in ("updated_at", *columns)},
    )


def state_name(state: StateType) -> str | None:
    """The state's name as stored."""
    return state.state if isinstance(state, State) else state


async def save_fsm(context: FSMContext, state: StateType, data: Mapping[str, Any]) -> None:
    """Set an FSM context's state and data; in one write where the storage can."""
    if isinstance(context.storage, SavesTogether):
        await context.storage.save(context.key, state, data)
    else:
        await context.set_state(state)
        await context.set_data(data)
