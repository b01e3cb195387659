"""aiogram's FSM storage and event isolation on Redis, in fewer round trips per update.

aiogram's ``RedisStorage`` reads the state and the data of a key with a command each, however
often an update asks (its FSM middleware reads the state, the dialog handler the data), and
writes them with a command each; ``RedisEventIsolation`` builds a redis-py ``Lock`` (a uuid1
token, a script object) per update. With several replicas every update pays these round trips,
so here:

- :class:`CachingRedisStorage` reads state and data together (one ``MGET``) once per update,
  keeping them in the update's scratch (``bot.db.storage.update_cache``), and :meth:`save`
  writes both in one pipeline. Same keys, values and TTLs as aiogram's storage.
- :class:`RedisIsolation` takes a user's lock with one ``SET NX PX`` and frees it with one
  compare-and-delete script, as redis-py's lock does, with a cheap token.

Requires the ``redis`` extra (aiogram's Redis storage imports redis-py).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import secrets
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, KeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from bot.db.storage import Cached, state_name, update_cache

log = logging.getLogger(__name__)


class CachingRedisStorage(RedisStorage):
    """aiogram's ``RedisStorage``: one read per key and update, state and data saved together."""

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
        name, values = state_name(state), dict(data)
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
        self._remember(key, state=name, data=values or None)

    async def _read(self, key: StorageKey) -> Cached:
        cache = update_cache()
        built = self.key_builder.build(key)
        if cache is not None and built in cache:
            return cache[built]
        state, data = await self.redis.mget(
            self.key_builder.build(key, "state"), self.key_builder.build(key, "data")
        )
        found: Cached = (
            state.decode() if isinstance(state, bytes) else state,
            self.json_loads(data) if data is not None else None,
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


# Frees the lock only if it is still ours (it may have expired and been taken by another).
_RELEASE = """
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
        self, redis: Any, key_builder: KeyBuilder, *, timeout: float = 60.0, poll: float = 0.005
    ) -> None:
        self.redis = redis
        self.key_builder = key_builder
        self._timeout_ms = int(timeout * 1000)
        self._poll = poll
        self._release = redis.register_script(_RELEASE)
        self._tokens = (f"{secrets.token_hex(8)}:{n}" for n in itertools.count())

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        name = self.key_builder.build(key, "lock")
        token = next(self._tokens)
        # Held by another replica's update: nothing here can signal its release, so poll.
        while not await self.redis.set(name, token, nx=True, px=self._timeout_ms):  # noqa: ASYNC110
            await asyncio.sleep(self._poll)
        try:
            yield
        finally:
            if not await self._release(keys=[name], args=[token]):
                log.warning("an update held its user's lock past the lock's timeout")

    async def close(self) -> None:
        """The Redis client belongs to the app."""
