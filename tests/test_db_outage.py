"""Riding out a database outage (``bot.db.outage``), and the worker doing so, on both backends.

The database "goes away" through a session factory that refuses to open sessions while the
test says it is down, the way a refused connection surfaces from SQLAlchemy. The real outage,
a TCP proxy cutting PostgreSQL off from a ``valo-bot worker`` process, is in
``tests/e2e/test_database_outage.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.outage import Backoff, database_unreachable, describe, retry_unreachable
from bot.delivery.clock import ManualClock
from bot.delivery.ledger import Claimed, NewDelivery, enqueue
from bot.delivery.worker import Outgoing, Renderer
from bot.emulator.telegram import FakeTelegram
from bot.i18n import Translator
from tests.delivery_support import add_users, close_bot, ledger, make_worker, register_chats

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
CHAT = 8601
NOTICE = {"msg": "event-cancelled", "event": "gone", "title": {"fi": "Taide"}}
TEXT = "❌ Taide on peruttu. Muistutuksesi siitä on poistettu."


class _PgError(Exception):
    """Looks like an asyncpg error as SQLAlchemy's adapter carries it: it has a SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "unreachable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (ConnectionResetError(104, "Connection reset by peer"), True),
        (TimeoutError(), True),
        (DBAPIError("SELECT 1", None, _PgError("08006"), connection_invalidated=True), True),
        (DBAPIError("SELECT 1", None, _PgError("08003")), True),  # connection does not exist
        (DBAPIError("SELECT 1", None, _PgError("57P03")), True),  # cannot connect now
        (_PgError("57P01"), True),  # admin shutdown, raised before SQLAlchemy wraps it
        (IntegrityError("INSERT", None, _PgError("23505")), False),  # a duplicate key
        (DBAPIError("SELECT 1", None, _PgError("42P01")), False),  # a missing table: a bug
        (ValueError("not a database error"), False),
    ],
)
def test_which_errors_mean_the_database_is_unreachable(
    error: BaseException, unreachable: bool
) -> None:
    assert database_unreachable(error) is unreachable
    assert "\n" not in describe(error)


def test_backoff_doubles_up_to_the_cap_with_jitter_and_starts_over() -> None:
    backoff = Backoff(first=0.1, cap=1.0)
    waits = [backoff.next() for _ in range(8)]
    steps = [0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0]
    assert all(step / 2 <= wait <= step for wait, step in zip(waits, steps, strict=True)), waits
    backoff.reset()
    assert backoff.next() <= 0.1


async def test_retry_waits_out_an_outage_and_raises_anything_else_at_once() -> None:
    calls: list[str] = []

    async def flaky() -> str:
        calls.append("try")
        if len(calls) < 3:
            raise ConnectionResetError(104, "Connection reset by peer")
        return "done"

    assert await retry_unreachable(flaky, what="test", backoff=Backoff(first=0.001)) == "done"
    assert len(calls) == 3

    async def broken() -> str:
        calls.append("broken")
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        await retry_unreachable(broken, what="test")
    assert calls.count("broken") == 1


async def test_retry_gives_up_at_its_deadline() -> None:
    tries = 0

    async def down() -> None:
        nonlocal tries
        tries += 1
        raise ConnectionRefusedError(111, "Connect call failed")

    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        await retry_unreachable(down, what="test", until=started + 0.05, backoff=Backoff(0.01))
    assert tries >= 2  # it tried again, and once more at the deadline
    assert time.monotonic() - started < 1.0


# --------------------------------------------------------------------------- the worker


class OutageSessions(async_sessionmaker[AsyncSession]):
    """Sessions that cannot be opened while ``down``; each refusal is counted and announced."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, expire_on_commit=False)
        self.down = False
        self.refused = 0
        self.knocked = asyncio.Event()

    def __call__(self, **local_kw: Any) -> AsyncSession:
        if self.down:
            self.refused += 1
            self.knocked.set()
            raise ConnectionResetError(104, "Connection reset by peer")
        return super().__call__(**local_kw)

    async def wait_refused(self, count: int) -> None:
        async with asyncio.timeout(10.0):
            while self.refused < count:
                self.knocked.clear()
                await self.knocked.wait()


@pytest.fixture
async def outage(engine: AsyncEngine) -> OutageSessions:
    sessions = OutageSessions(engine)
    await add_users(sessions, {CHAT: "fi"}, NOW - timedelta(days=1))
    async with sessions() as session:
        row = NewDelivery(CHAT, "notice", "event:gone", "test:outage", NOTICE, NOW)
        assert await enqueue(session, [row], NOW) == 1
    return sessions


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        register_chats(server, {CHAT: "fi"})
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    bot = fake.bot()
    yield bot
    await close_bot(bot)


async def test_an_outcome_known_during_an_outage_is_recorded_once_the_database_is_back(
    fake: FakeTelegram, bot: Bot, outage: OutageSessions
) -> None:
    worker = make_worker(bot, outage, ManualClock(NOW))
    held = fake.hold("sendMessage")
    sweep = asyncio.create_task(worker.sweep(NOW))
    request = await fake.held_event(held)
    outage.down = True  # the database goes while Telegram is accepting the message
    request.release()
    await outage.wait_refused(3)  # the worker keeps trying to record it
    outage.down = False
    report = await sweep
    assert report.outcomes == {"sent": 1}
    [row] = await ledger(outage)
    assert (row.state, row.detail) == ("sent", None)
    assert [m.text for m in fake.messages(CHAT)] == [TEXT]


async def test_a_database_error_while_rendering_does_not_fail_the_row(
    fake: FakeTelegram, bot: Bot, outage: OutageSessions
) -> None:
    worker = make_worker(bot, outage, ManualClock(NOW))
    renderer = worker.renderers["notice"]
    failures = 2

    async def unreachable_at_first(
        sessions: async_sessionmaker[AsyncSession], row: Claimed, t: Translator
    ) -> Outgoing | None:
        nonlocal failures
        if failures:
            failures -= 1
            raise ConnectionResetError(104, "Connection reset by peer")
        return await renderer(sessions, row, t)

    flaky: Renderer = unreachable_at_first
    worker.renderers["notice"] = flaky
    report = await worker.sweep(NOW)
    assert report.outcomes == {"sent": 1}
    assert [m.text for m in fake.messages(CHAT)] == [TEXT]


class GatedLimiter:
    """A rate limiter that holds each send until the test opens the gate."""

    def __init__(self) -> None:
        self.arrived = asyncio.Event()
        self.gate = asyncio.Event()

    async def acquire(self, chat_id: int) -> float:
        self.arrived.set()
        await self.gate.wait()
        return 0.0

    async def pause(self, seconds: float) -> None:
        del seconds


async def test_a_row_never_stamped_before_its_claim_ran_out_is_sent_later_once(
    fake: FakeTelegram, bot: Bot, outage: OutageSessions
) -> None:
    clock = ManualClock(NOW)
    limiter = GatedLimiter()
    lease = timedelta(seconds=0.3)
    worker = make_worker(bot, outage, clock, limiter=limiter, lease=lease)
    sweep = asyncio.create_task(worker.sweep(NOW))
    async with asyncio.timeout(10.0):
        await limiter.arrived.wait()  # rendered, about to stamp the attempt
    outage.down = True
    limiter.gate.set()
    report = await sweep  # the stamp never got through before the claim ran out
    assert outage.refused >= 2
    assert report.outcomes == {}
    assert fake.calls("sendMessage") == []
    outage.down = False
    [row] = await ledger(outage)
    assert (row.state, row.attempted_at) == ("sending", None)  # its lease decides
    clock.set(NOW + timedelta(seconds=1))
    report = await worker.sweep(clock.now())
    assert (report.expired_unknown, report.outcomes) == (0, {"sent": 1})
    assert [m.text for m in fake.messages(CHAT)] == [TEXT]
