"""Group commit: concurrent calls that each need one small database round trip share one.

The worker sends up to ``concurrency`` messages at once; each reads its recipient, stamps its
row before the request and records the outcome after it. Done one by one, those round trips
(not Telegram) limit the sender. A :class:`Coalescer` lets every caller wait for its own
result as before, while the calls made during one round trip are served together by the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class _Waiting(Generic[Item, Result]):
    item: Item
    done: asyncio.Future[Result]


class Coalescer(Generic[Item, Result]):
    """``await coalescer(item)`` runs ``process`` on a batch of items and returns this item's
    result; ``process`` returns the results in the order of the items it was given.

    A call waits only for the batch it joins; an error in ``process`` reaches every caller of
    that batch, as it would have reached each of them on its own.
    """

    def __init__(self, process: Callable[[list[Item]], Awaitable[Sequence[Result]]]) -> None:
        self._process = process
        self._waiting: list[_Waiting[Item, Result]] = []
        self._runner: asyncio.Task[None] | None = None

    async def __call__(self, item: Item) -> Result:
        return await self.submit(item)

    def submit(self, item: Item) -> asyncio.Future[Result]:
        """Queue ``item`` for the next batch now; the future resolves with its result."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(item, done))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run())
        return done

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                results = await self._process([waiting.item for waiting in batch])
            except asyncio.CancelledError:
                for waiting in batch:
                    waiting.done.cancel()
                raise
            except Exception as exc:
                for waiting in batch:
                    if not waiting.done.done():
                        waiting.done.set_exception(exc)
                continue
            for waiting, result in zip(batch, results, strict=True):
                if not waiting.done.done():
                    waiting.done.set_result(result)
