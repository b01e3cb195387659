"""aiogram's FSM storage and event isolation on Redis, in fewer round trips per update.

aiogram's ``RedisStorage`` reads the state and the data of a key with a command each, however
often an update asks (its FSM middleware reads the state, the dialog handler the data), and
writes them with a command each; ``RedisEventIsolation`` takes and frees a redis-py ``Lock``
around the update (two more). With several replicas every update pays all of these, so here:

- :class:`RedisIsolation` takes the user's lock with a script that also returns the key's
  state and data, which the update then reads from its scratch
  (``bot.db.storage.update_cache``), and frees it with another: two round trips.
- :class:`CachingRedisStorage` is aiogram's storage (same keys, values and TTLs) that reads a
  key once per update and writes state and data together in one pipeline (:meth:`save`).

Writes are not deferred to the lock's release: a dialog step saves its state before it edits
the family's message, and a process stopped between the two (``valo-bot run`` does not wait
for updates in flight) must not leave the family looking at a question their state does not
know. Requires the ``redis`` extra.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import secrets
from collections.abc import AsyncGenerator, Collection, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    DefaultKeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.redis import RedisStorage

from bot.db.storage import Cached, forget_cached_rows, state_name, update_cache

log = logging.getLogger(__name__)

PARTS = ("state", "data")  # what a key holds of the family; "lock" is the update's own


class CachingRedisStorage(RedisStorage):
    """aiogram's ``RedisStorage``: one read per key and update, state and data saved together."""

    def create_isolation(self, **kwargs: Any) -> RedisIsolation:  # type: ignore[override]
        return RedisIsolation(self, **kwargs)

    async def close(self) -> None:
        """Nothing: the Redis client belongs to the app, which closes it last.

        aiogram closes the FSM storage when polling stops (the dispatcher's shutdown), while
        the updates in flight still save their state and free their locks through it.
        """

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return copy.deepcopy((await self._read(key))[1]) or {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await super().set_state(key, state)
        self._remember(key, state=state_name(state))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await super().set_data(key, data)
        self._remember(key, data=dict(data) or None)

    async def save(self, key: StorageKey, state: StateType, data: Mapping[str, Any]) -> None:
        """Set state and data together: one round trip instead of two."""
        name, values = state_name(state), dict(data) or None
        state_key = self.key_builder.build(key, "state")
        data_key = self.key_builder.build(key, "data")
        async with self.redis.pipeline(transaction=True) as pipe:
            if name is None:
                pipe.delete(state_key)
            else:
                pipe.set(state_key, name, ex=self.state_ttl)
            if values:
                pipe.set(data_key, self.json_dumps(values), ex=self.data_ttl)
            else:
                pipe.delete(data_key)
            await pipe.execute()
        self._remember(key, state=name, data=values)

    async def clear_users(self, user_ids: Collection[int]) -> int:
        """Delete the state and data of every key of these users; returns how many keys.

        The user's lock, held by the update asking for this, is left alone.
        """
        found = await self._keys_of(user_ids)
        for start in range(0, len(found), 500):
            await self.redis.delete(*found[start : start + 500])
        forget_cached_rows()
        return len(found)

    async def user_states(self, user_id: int) -> list[dict[str, Any]]:
        """Every key of ``user_id`` with its state and data, for /mydata."""
        shown: list[dict[str, Any]] = []
        for name in await self._keys_of([user_id]):
            key = name.decode() if isinstance(name, bytes) else name
            value = await self.redis.get(name)
            if value is None:
                continue  # expired since the scan
            text = value.decode() if isinstance(value, bytes) else value
            part = "data" if key.endswith("data") else "state"
            shown.append({"key": key, part: self.json_loads(text) if part == "data" else text})
        return sorted(shown, key=lambda entry: str(entry["key"]))

    async def _keys_of(self, user_ids: Collection[int]) -> list[str | bytes]:
        """The state and data keys of these users, under every chat, thread and destiny.

        Keys are named by chat first (``fsm:<chat>[:<thread>]:<user>:<destiny>:<part>``), so
        they are found with SCAN: one pass over the keyspace, for the rare /delete or a batch
        of inactive families, rather than an index of each user's keys kept up to date on
        every dialog step. A key matched by the pattern is checked field by field (a chat or
        thread id may equal the user id).
        """
        keys = self.key_builder
        if not isinstance(keys, DefaultKeyBuilder):
            raise TypeError("clear_users knows the layout of DefaultKeyBuilder's keys only")
        sep, users = keys.separator, {str(user_id) for user_id in user_ids}
        if not users:
            return []
        # Counted from the end (..., user, [destiny], part), where the layout does not vary.
        user_at = -3 if keys.with_destiny else -2
        # One user: Redis filters by the id; a batch: every FSM key, filtered here.
        pattern = f"{keys.prefix}{sep}*"
        if len(users) == 1:
            pattern += f"{sep}{next(iter(users))}{sep}*"
        found: list[str | bytes] = []
        async for name in self.redis.scan_iter(match=pattern, count=1000):
            fields = (name.decode() if isinstance(name, bytes) else name).split(sep)
            if len(fields) >= 2 - user_at and fields[user_at] in users and fields[-1] in PARTS:
                found.append(name)
        return found

    def decode(self, state: Any, data: Any) -> Cached:
        """A key's row as Redis returned it (bytes or None)."""
        return (
            state.decode() if isinstance(state, bytes) else state,
            self.json_loads(data) if data is not None else None,
        )

    async def _read(self, key: StorageKey) -> Cached:
        cache = update_cache()
        built = self.key_builder.build(key)
        if cache is not None and built in cache:
            return cache[built]
        found = self.decode(
            *await self.redis.mget(
                self.key_builder.build(key, "state"), self.key_builder.build(key, "data")
            )
        )
        if cache is not None:
            cache[built] = found
        return found

    def _remember(self, key: StorageKey, **values: Any) -> None:
        """Keep what was written in the update's cache (only a half known is dropped)."""
        cache = update_cache()
        if cache is None:
            return
        built = self.key_builder.build(key)
        known = cache.get(built)
        if known is None and len(values) < 2:
            return  # the other half is not known here; the next read fetches both
        state, data = known or (None, None)
        cache[built] = (values.get("state", state), copy.deepcopy(values.get("data", data)))


# Takes the lock if free and returns the key's state and data with it.
_TAKE = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return {1, redis.call('get', KEYS[2]), redis.call('get', KEYS[3])}
end
return {0}
"""

# Frees the lock if it is still ours (it may have expired and been taken by another).
_GIVE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisIsolation(BaseEventIsolation):
    """One user's updates one at a time across replicas: a Redis lock per storage key.

    ``timeout``: the lock expires after this many seconds, so a replica that died holding it
    blocks nobody for longer. ``poll``: how often a waiting update tries again (redis-py's
    0.1 s would add up to 100 ms to a family's quick second press).
    """

    def __init__(
        self, storage: CachingRedisStorage, *, timeout: float = 60.0, poll: float = 0.005
    ) -> None:
        self.storage = storage
        self._timeout_ms = int(timeout * 1000)
        self._poll = poll
        self._take = storage.redis.register_script(_TAKE)
        self._give = storage.redis.register_script(_GIVE)
        self._tokens = (f"{secrets.token_hex(8)}:{n}" for n in itertools.count())

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        build = self.storage.key_builder.build
        keys = [build(key, "lock"), build(key, "state"), build(key, "data")]
        token = next(self._tokens)
        # Held by another replica's update: nothing here can signal its release, so poll.
        while not (taken := await self._take(keys=keys, args=[token, self._timeout_ms]))[0]:  # noqa: ASYNC110
            await asyncio.sleep(self._poll)
        cache = update_cache()
        if cache is not None:
            cache[build(key)] = self.storage.decode(taken[1], taken[2])
        try:
            yield
        finally:
            if not await self._give(keys=keys[:1], args=[token]):
                log.warning("an update held its user's lock past the lock's timeout")

    async def close(self) -> None:
        """The Redis client belongs to the app."""
