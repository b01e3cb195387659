"""Which update_ids were handled already: Telegram redelivers after a timeout or an error.

``claim`` answers NEW (handle it), DONE (drop it) or BUSY (another replica is handling it right
now: answer an error so Telegram retries later and then finds it DONE, or NEW if that replica
died and its short busy mark expired).
"""

from __future__ import annotations

from collections import OrderedDict
from enum import Enum
from typing import Any, Protocol

BUSY_SECONDS = 30  # a replica that died mid-update stops blocking its redelivery after this


class Claim(Enum):
    NEW = "new"
    DONE = "done"
    BUSY = "busy"


class UpdateDedup(Protocol):
    async def claim(self, update_id: int) -> Claim:
        """Mark ``update_id`` busy if nobody has it; say what state it was in."""

    async def done(self, update_id: int) -> None:
        """Remember ``update_id`` as handled."""

    async def forget(self, update_id: int) -> None:
        """Handling failed: let a redelivery be handled afresh."""


class MemoryDedup:
    """One process's memory (a single web replica without Redis); bounded, oldest forgotten."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._seen: OrderedDict[int, Claim] = OrderedDict()
        self._capacity = capacity

    async def claim(self, update_id: int) -> Claim:
        state = self._seen.get(update_id)
        if state is not None:
            return state
        self._seen[update_id] = Claim.BUSY
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return Claim.NEW

    async def done(self, update_id: int) -> None:
        self._seen[update_id] = Claim.DONE

    async def forget(self, update_id: int) -> None:
        self._seen.pop(update_id, None)


class RedisDedup:
    """Shared by every replica: ``SET NX`` makes the claim atomic across processes."""

    def __init__(self, redis: Any, ttl: int, prefix: str = "valo:update") -> None:
        self._redis = redis
        self._ttl = ttl
        self._prefix = prefix

    def _key(self, update_id: int) -> str:
        return f"{self._prefix}:{update_id}"

    async def claim(self, update_id: int) -> Claim:
        key = self._key(update_id)
        if await self._redis.set(key, "busy", nx=True, ex=BUSY_SECONDS):
            return Claim.NEW
        value = await self._redis.get(key)
        if value is None:  # the busy mark expired between the two calls
            return await self.claim(update_id)
        return Claim.DONE if value in (b"done", "done") else Claim.BUSY

    async def done(self, update_id: int) -> None:
        await self._redis.set(self._key(update_id), "done", ex=self._ttl)

    async def forget(self, update_id: int) -> None:
        await self._redis.delete(self._key(update_id))
