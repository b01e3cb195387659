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
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
from bot.delivery.clock import Clock
from bot.delivery.coalesce import Coalescer
from bot.delivery.ledger import Claimed, DeliveryLedger, State, cancel_pending
from bot.delivery.ratelimit import RateLimiter
from bot.i18n import I18n, Translator

log = logging.getLogger(__name__)

MAX_RETRY_AFTER_ROUNDS = 5


@dataclass(frozen=True)
class Outgoing:
    """What to send for one ledger row, rendered in the recipient's language."""

    text: str
    parse_mode: str | None = None
    reply_markup: InlineKeyboardMarkup | None = None


# kind -> renderer; a renderer returns None when there is nothing to send any more.
Renderer = Callable[[AsyncSession, Claimed, Translator], Awaitable[Outgoing | None]]

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
        # Each send reads its recipient just before rendering; concurrent reads share a query.
        self._recipients = Coalescer(self._read_recipients)

    async def sweep(self, now: datetime | None = None) -> SweepReport:
        """Expire stale leases, then claim and send what is due at ``now``."""
        now = now or self.clock.now()
        report = SweepReport()
        report.expired_unknown, report.missed = await self.ledger.expire(now)
        claimed = await self.ledger.claim(now, self.id, self.lease, self.batch)
        report.claimed = len(claimed)
        gate = asyncio.Semaphore(self.concurrency)

        async def send(row: Claimed) -> None:
            async with gate:
                report.count(await self.deliver(row))

        # One row's unexpected error must not lose the others' outcomes; a row left
        # ``sending`` is settled by its lease (unknown if attempted, else pending again).
        for result in await asyncio.gather(*(send(row) for row in claimed), return_exceptions=True):
            if isinstance(result, BaseException):
                log.error(
                    "delivery failed unexpectedly: %s", type(result).__name__, exc_info=result
                )
        return report

    async def _render(self, row: Claimed) -> tuple[Outgoing | None, str | None]:
        """(message, None) or (None, final state) when it must not be sent."""
        recipient = await self._recipients(row.user_id)
        if recipient is None:
            return None, State.FAILED.value
        if recipient.blocked:
            return None, State.BLOCKED.value
        t = self.i18n[recipient.locale or self.default_locale]  # type: ignore[index]
        renderer = self.renderers.get(row.kind)
        if renderer is None:
            return None, State.FAILED.value
        async with self.sessions() as session:
            return await renderer(session, row, t), None

    async def _read_recipients(self, user_ids: list[int]) -> list[_Recipient | None]:
        """The recipients of concurrent sends, read together (see bot.delivery.coalesce)."""
        async with self.sessions() as session:
            rows = await session.execute(
                select(User.user_id, User.locale, User.blocked).where(
                    User.user_id.in_(set(user_ids))
                )
            )
            found = {
                user_id: _Recipient(locale, bool(blocked)) for user_id, locale, blocked in rows
            }
        return [found.get(user_id) for user_id in user_ids]

    async def deliver(self, row: Claimed) -> str:
        """Send one claimed row and record its outcome; returns the final state."""
        try:
            outgoing, final = await self._render(row)
        except Exception as exc:  # a broken row must not come back every sweep
            log.exception("could not render delivery %s", row.id)
            await self.ledger.finish(
                row.id, self.id, State.FAILED, self.clock.now(), f"render: {type(exc).__name__}"
            )
            return State.FAILED.value
        if outgoing is None:
            state = State(final or State.FAILED.value)
            detail = {State.BLOCKED: "user has blocked the bot"}.get(state, "nothing to send")
            await self.ledger.finish(row.id, self.id, state, self.clock.now(), detail)
            return state.value
        for _ in range(MAX_RETRY_AFTER_ROUNDS):
            await self.limiter.acquire(row.user_id)
            if not await self.ledger.attempt(row.id, self.id, self.clock.now()):
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
                await self.ledger.renew(
                    row.id, self.id, self.clock.now() + self.lease + timedelta(seconds=wait)
                )
                await self.limiter.pause(wait)
                continue
            except TelegramForbiddenError as exc:
                await self._blocked(row, exc.message)
                return State.BLOCKED.value
            except TelegramBadRequest as exc:
                await self.ledger.finish(
                    row.id, self.id, State.FAILED, self.clock.now(), exc.message[:255]
                )
                return State.FAILED.value
            except TelegramServerError as exc:
                await self._unknown(row, f"server error: {exc.message}")
                return State.UNKNOWN.value
            except TelegramNetworkError as exc:
                if isinstance(exc.__cause__, ClientConnectorError):
                    # The connection was never made: nothing reached Telegram.
                    await self.ledger.release(
                        row.id, self.id, self.clock.now(), "connection refused"
                    )
                    return State.PENDING.value
                await self._unknown(row, f"network: {exc.message}")
                return State.UNKNOWN.value
            except TelegramAPIError as exc:
                # Any other answer from Telegram (401, 404, 409, 413...): it refused the send.
                await self.ledger.finish(
                    row.id, self.id, State.FAILED, self.clock.now(), exc.message[:255]
                )
                return State.FAILED.value
            else:
                await self.ledger.finish(row.id, self.id, State.SENT, self.clock.now())
                return State.SENT.value
        await self.ledger.release(row.id, self.id, self.clock.now(), "still rate limited")
        return State.PENDING.value

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
