"""The worker: sweeps the delivery ledger and sends what is due, under the global rate limit.

``sweep(now)`` is the whole algorithm and takes its time from the injected clock; APScheduler
only decides when sweeps happen. Every outcome is recorded in the ledger:

- sent: Telegram accepted the message;
- 429: every sender pauses for ``retry_after``, then the row is retried;
- 403 (blocked, deactivated): ``blocked``; the user is marked blocked and their other pending
  rows are withdrawn;
- 400 (chat not found, bad request): ``failed`` with Telegram's description;
- a timeout after the request was sent, a lost response, 5xx: ``unknown``, never resent;
- a connection that was refused (nothing was sent): back to ``pending``.

While the database cannot be reached, each row's reads and ledger writes are retried with
backoff as long as its claim holds: an outcome known from Telegram is recorded once the
database is back, instead of the row ending ``unknown``; a row whose database step never got
through is left to its lease (``pending`` again if it was not attempted).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import ParamSpec, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiohttp import ClientConnectorError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import Delivery, User
from bot.db.outage import Backoff, database_unreachable, retry_unreachable
from bot.delivery.clock import Clock
from bot.delivery.coalesce import Coalescer
from bot.delivery.ledger import Claimed, DeliveryLedger, State, cancel_pending
from bot.delivery.ratelimit import RateLimiter
from bot.i18n import I18n, Translator

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
MAX_RETRY_AFTER_ROUNDS = 5
# A recipient read for a later row of the sweep is used only this fresh (seconds); older, the
# row reads its recipient again. At the rate limit a send is due every 1/BROADCAST_RATE s.
READ_AHEAD_AGE = 1.0
READ_AHEAD_ROWS_PER_SEND = 8  # rows read ahead per concurrent send


@dataclass(frozen=True)
class Outgoing:
    """What to send for one ledger row, rendered in the recipient's language."""

    text: str
    parse_mode: str | None = None
    reply_markup: InlineKeyboardMarkup | None = None


# kind -> renderer; a renderer returns None when there is nothing to send any more. It opens a
# session only when it queries: most rows of a broadcast render from a cache.
Renderer = Callable[
    [async_sessionmaker[AsyncSession], Claimed, Translator], Awaitable[Outgoing | None]
]

# Called after a user turned out to have blocked the bot (e.g. to drop subscriptions).
BlockedHook = Callable[[AsyncSession, int, datetime], Awaitable[None]]


@dataclass(frozen=True)
class _Recipient:
    locale: str | None
    blocked: bool


@dataclass
class SweepReport:
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    expired_unknown: int = 0
    missed: int = 0

    def count(self, state: str) -> None:
        self.outcomes[state] = self.outcomes.get(state, 0) + 1


class DeliveryWorker:
    """Sends due ledger rows. Any number may run: claims are atomic, so nothing goes twice."""

    def __init__(
        self,
        *,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        i18n: I18n,
        default_locale: str,
        limiter: RateLimiter,
        clock: Clock,
        renderers: dict[str, Renderer],
        lease: timedelta,
        batch: int = 200,
        concurrency: int = 8,
        on_blocked: list[BlockedHook] | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.bot = bot
        self.sessions = sessions
        self.ledger = DeliveryLedger(sessions)
        self.i18n = i18n
        self.default_locale = default_locale
        self.limiter = limiter
        self.clock = clock
        self.renderers = renderers
        self.lease = lease
        self.batch = batch
        self.concurrency = concurrency
        self.on_blocked = on_blocked or []
        self.id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        # Each send reads its recipient just before rendering; concurrent reads share a query,
        # and that query also reads ahead the recipients of the sweep's next rows, which are
        # used if still fresh when their turn comes (one query per many sends, not per few).
        self._recipients = Coalescer(self._read_recipients)
        self._upcoming: dict[int, None] = {}  # user ids of claimed rows not yet read, in order
        self._read_ahead: dict[int, tuple[float, _Recipient | None]] = {}  # id -> (read at, it)
        # Row id -> time.monotonic() until which this sweep's claim on it surely holds.
        self._claimed_until: dict[int, float] = {}
        # Row id -> hands the sweep's send slot on to the next row (see ``deliver``).
        self._hand_on: dict[int, Callable[[], None]] = {}

    async def sweep(self, now: datetime | None = None) -> SweepReport:
        """Expire stale leases, then claim and send what is due at ``now``."""
        now = now or self.clock.now()
        started = time.monotonic()
        report = SweepReport()
        report.expired_unknown, report.missed = await self.ledger.expire(now)
        claimed = await self.ledger.claim(now, self.id, self.lease, self.batch)
        report.claimed = len(claimed)
        gate = asyncio.Semaphore(self.concurrency)
        # The claim runs out at now + lease; a margin covers clocks that drift apart.
        claimed_until = started + self.lease.total_seconds() * 0.9

        async def send(row: Claimed) -> None:
            held = False

            def hand_on() -> None:  # the send is done: the slot may take the next row
                nonlocal held
                if held:
                    held = False
                    gate.release()

            self._claimed_until[row.id] = claimed_until
            try:
                await gate.acquire()
                held = True
                self._hand_on[row.id] = hand_on
                report.count(await self.deliver(row))
            finally:
                hand_on()
                self._claimed_until.pop(row.id, None)
                self._hand_on.pop(row.id, None)

        self._upcoming.update((row.user_id, None) for row in claimed)
        # One row's unexpected error must not lose the others' outcomes; a row left
        # ``sending`` is settled by its lease (unknown if attempted, else pending again).
        try:
            results = await asyncio.gather(*(send(row) for row in claimed), return_exceptions=True)
        finally:
            for row in claimed:
                self._upcoming.pop(row.user_id, None)
                self._read_ahead.pop(row.user_id, None)
        for result in results:
            if isinstance(result, BaseException) and database_unreachable(result):
                log.warning("delivery left to its lease: the database stayed unreachable")
            elif isinstance(result, BaseException):
                log.error(
                    "delivery failed unexpectedly: %s", type(result).__name__, exc_info=result
                )
        return report

    async def _render(self, row: Claimed) -> tuple[Outgoing | None, str | None]:
        """(message, None) or (None, final state) when it must not be sent."""
        recipient = await self._recipient(row.user_id)
        if recipient is None:
            return None, State.FAILED.value
        if recipient.blocked:
            return None, State.BLOCKED.value
        t = self.i18n[recipient.locale or self.default_locale]  # type: ignore[index]
        renderer = self.renderers.get(row.kind)
        if renderer is None:
            return None, State.FAILED.value
        return await renderer(self.sessions, row, t), None

    async def _recipient(self, user_id: int) -> _Recipient | None:
        """The recipient as read at most ``READ_AHEAD_AGE`` seconds ago."""
        self._upcoming.pop(user_id, None)
        ahead = self._read_ahead.pop(user_id, None)
        if ahead is not None and time.monotonic() - ahead[0] <= READ_AHEAD_AGE:
            return ahead[1]
        return await self._recipients(user_id)

    async def _read_recipients(self, user_ids: list[int]) -> list[_Recipient | None]:
        """The recipients of concurrent sends, read together (see bot.delivery.coalesce), and
        those of the next rows of the running sweeps, kept for ``_recipient``."""
        wanted = set(user_ids)
        ahead = list(
            itertools.islice(
                (user_id for user_id in self._upcoming if user_id not in wanted),
                self.concurrency * READ_AHEAD_ROWS_PER_SEND,
            )
        )
        for user_id in ahead:
            del self._upcoming[user_id]
        read_at = time.monotonic()  # before the query: the age counts from the oldest it can be
        async with self.sessions() as session:
            connection = await session.connection()  # Core: no ORM entities to build
            rows = await connection.execute(
                select(User.user_id, User.locale, User.blocked).where(
                    User.user_id.in_(wanted.union(ahead))
                )
            )
            found = {
                user_id: _Recipient(locale, bool(blocked)) for user_id, locale, blocked in rows
            }
        for user_id in ahead:
            self._read_ahead[user_id] = (read_at, found.get(user_id))
        return [found.get(user_id) for user_id in user_ids]

    async def deliver(self, row: Claimed) -> str:
        """Send one claimed row and record its outcome; returns the final state.

        Within ``sweep``, once Telegram accepted the message and its outcome is queued for
        the next group commit (not yet committed), the row's send slot goes to the next row,
        so that row's ``attempt`` shares the statement that records this outcome.
        """
        # The database may go away at any step: wait for it (with backoff) while the row's
        # claim holds. Past that, another sweep may have given the row up and taken it again.
        lease = self.lease.total_seconds()
        until = self._claimed_until.get(row.id) or time.monotonic() + lease / 2

        async def persisted(
            first: Awaitable[T], call: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs
        ) -> T:
            """``first`` (a first try of ``call``), then ``call`` again while unreachable."""
            try:
                return await first
            except Exception as exc:
                if not database_unreachable(exc):
                    raise
                failed = exc
            # Waits capped at a tenth of the lease: the database coming back is noticed soon.
            return await retry_unreachable(
                partial(call, *args, **kwargs),
                what=f"delivery {row.id}",
                until=until,
                backoff=Backoff(cap=min(5.0, lease / 10)),
                failed=failed,
            )

        def persist(
            call: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs
        ) -> Awaitable[T]:
            return persisted(call(*args, **kwargs), call, *args, **kwargs)

        try:
            outgoing, final = await persist(self._render, row)
        except Exception as exc:
            if database_unreachable(exc):
                raise  # not the row's fault: its lease gives it back
            # A broken row must not come back every sweep.
            log.exception("could not render delivery %s", row.id)
            await persist(self._finish, row, State.FAILED, f"render: {type(exc).__name__}")
            return State.FAILED.value
        if outgoing is None:
            state = State(final or State.FAILED.value)
            detail = {State.BLOCKED: "user has blocked the bot"}.get(state, "nothing to send")
            await persist(self._finish, row, state, detail)
            return state.value
        for _ in range(MAX_RETRY_AFTER_ROUNDS):
            await self.limiter.acquire(row.user_id)
            if not await persist(self._attempt, row):
                return "lost-lease"  # another sweep gave the row up; it decides its fate
            try:
                await self.bot.send_message(
                    row.user_id,
                    outgoing.text,
                    parse_mode=outgoing.parse_mode,
                    reply_markup=outgoing.reply_markup,
                )
            except TelegramRetryAfter as exc:
                wait = float(exc.retry_after)
                await persist(self._renew, row, timedelta(seconds=wait))
                await self.limiter.pause(wait)
                continue
            except TelegramForbiddenError as exc:
                await persist(self._blocked, row, exc.message)
                return State.BLOCKED.value
            except TelegramBadRequest as exc:
                await persist(self._finish, row, State.FAILED, exc.message[:255])
                return State.FAILED.value
            except TelegramServerError as exc:
                await persist(self._unknown, row, f"server error: {exc.message}")
                return State.UNKNOWN.value
            except TelegramNetworkError as exc:
                if isinstance(exc.__cause__, ClientConnectorError):
                    # The connection was never made: nothing reached Telegram.
                    await persist(self._release, row, "connection refused")
                    return State.PENDING.value
                await persist(self._unknown, row, f"network: {exc.message}")
                return State.UNKNOWN.value
            except TelegramAPIError as exc:
                # Any other answer from Telegram (401, 404, 409, 413...): it refused the send.
                await persist(self._finish, row, State.FAILED, exc.message[:255])
                return State.FAILED.value
            else:
                # Queued for the next group commit before the slot goes to the next row, so
                # that row's attempt shares its statement; per send slot, at most one row is
                # stamped and not yet recorded, as before.
                recorded = self.ledger.finish_soon(row.id, self.id, State.SENT, self.clock.now())
                hand_on = self._hand_on.pop(row.id, None)
                if hand_on is not None:
                    hand_on()
                await persisted(recorded, self._finish, row, State.SENT)
                return State.SENT.value
        await persist(self._release, row, "still rate limited")
        return State.PENDING.value

    # Each ledger step of ``deliver`` reads the clock when it runs, also when it is retried.

    async def _attempt(self, row: Claimed) -> bool:
        return await self.ledger.attempt(row.id, self.id, self.clock.now())

    async def _finish(self, row: Claimed, state: State, detail: str | None = None) -> bool:
        return await self.ledger.finish(row.id, self.id, state, self.clock.now(), detail)

    async def _release(self, row: Claimed, detail: str) -> bool:
        return await self.ledger.release(row.id, self.id, self.clock.now(), detail)

    async def _renew(self, row: Claimed, wait: timedelta) -> bool:
        """Keep the claim through a 429 pause."""
        return await self.ledger.renew(row.id, self.id, self.clock.now() + self.lease + wait)

    async def _unknown(self, row: Claimed, detail: str) -> None:
        log.warning("delivery %s ended unknown: %s", row.id, detail)
        await self.ledger.finish(row.id, self.id, State.UNKNOWN, self.clock.now(), detail[:255])

    async def _blocked(self, row: Claimed, detail: str) -> None:
        now = self.clock.now()
        await self.ledger.finish(row.id, self.id, State.BLOCKED, now, detail[:255])
        async with self.sessions() as session:
            async with write_transaction(session):
                await session.execute(
                    update(User).where(User.user_id == row.user_id).values(blocked=True)
                )
            await cancel_pending(
                session, Delivery.user_id == row.user_id, now=now, detail="user has blocked the bot"
            )
            for hook in self.on_blocked:
                await hook(session, row.user_id, now)
