"""The rate limit every bulk send goes through: at most BROADCAST_RATE messages per second
across all processes, at most one per PER_CHAT_INTERVAL to one chat, and a shared pause when
Telegram answers 429. In process memory by default; in Redis when REDIS_URL is set, so all
replicas and workers share one budget."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.delivery.coalesce import Coalescer

Sleep = Callable[[float], Awaitable[None]]


class RateLimiter(Protocol):
    async def acquire(self, chat_id: int) -> float:
        """Wait for a send slot to ``chat_id``; return the seconds waited."""

    async def pause(self, seconds: float) -> None:
        """Telegram said 429: every sender waits ``seconds`` before the next send."""


class MemoryRateLimiter:
    """Slots handed out in order: a global spacing of 1/rate and a per-chat interval."""

    def __init__(
        self,
        rate: float,
        per_chat_interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._spacing = 1.0 / rate
        self._per_chat = per_chat_interval
        self._clock = clock
        self._sleep = sleep
        self._next_global = 0.0
        self._next_chat: dict[int, float] = {}
        self._paused_until = 0.0

    async def acquire(self, chat_id: int) -> float:
        now = self._clock()
        slot = max(now, self._next_global, self._paused_until, self._next_chat.get(chat_id, 0.0))
        self._next_global = slot + self._spacing
        self._next_chat[chat_id] = slot + self._per_chat
        if len(self._next_chat) > 100_000:  # forget chats whose interval has long passed
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        wait = slot - now
        if wait > 0:
            await self._sleep(wait)
        return max(wait, 0.0)

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)


# Reserve the next slots atomically on Redis's clock (one clock for every process, read in the
# script), one per chat in KEYS[3..] in order; returns their slots, then now (seconds, as
# strings). Concurrent sends of one process reserve together: one round trip for many.
_RESERVE = """
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local spacing = tonumber(ARGV[1])
local per_chat = tonumber(ARGV[2])
local g = tonumber(redis.call('GET', KEYS[1]) or '0')
local p = tonumber(redis.call('GET', KEYS[2]) or '0')
local out = {}
for i = 3, #KEYS do
  local slot = now
  if g > slot then slot = g end
  if p > slot then slot = p end
  local c = tonumber(redis.call('GET', KEYS[i]) or '0')
  if c > slot then slot = c end
  g = slot + spacing
  redis.call('SET', KEYS[i], tostring(slot + per_chat), 'PX', math.floor(per_chat * 1000) + 60000)
  out[#out + 1] = tostring(slot)
end
redis.call('SET', KEYS[1], tostring(g), 'PX', 600000)
out[#out + 1] = tostring(now)
return out
"""


class RedisRateLimiter:
    """The same slots, reserved in Redis by a Lua script so every process shares them."""

    def __init__(
        self,
        redis: Any,
        rate: float,
        per_chat_interval: float,
        prefix: str = "valo:rate",
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._redis = redis
        self._spacing = 1.0 / rate
        self._per_chat = per_chat_interval
        self._prefix = prefix
        self._sleep = sleep
        self._script = redis.register_script(_RESERVE)
        self._reservations = Coalescer(self._reserve)

    async def _now(self) -> float:
        seconds, micros = await self._redis.time()  # one clock for every process
        return float(seconds) + float(micros) / 1e6

    async def _reserve(self, chat_ids: list[int]) -> list[tuple[float, float]]:
        keys = [f"{self._prefix}:global", f"{self._prefix}:pause"]
        keys += [f"{self._prefix}:chat:{chat_id}" for chat_id in chat_ids]
        *slots, now = map(
            float, await self._script(keys=keys, args=[self._spacing, self._per_chat])
        )
        return [(slot, now) for slot in slots]

    async def acquire(self, chat_id: int) -> float:
        slot, now = await self._reservations(chat_id)
        wait = slot - now
        if wait > 0:
            await self._sleep(wait)
        return max(wait, 0.0)

    async def pause(self, seconds: float) -> None:
        until = await self._now() + seconds
        key = f"{self._prefix}:pause"
        current = await self._redis.get(key)
        if current is None or float(current) < until:
            await self._redis.set(key, str(until), px=int(seconds * 1000) + 60000)
