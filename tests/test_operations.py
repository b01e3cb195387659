"""Operations pieces in-process: the worker lease, retention, update dedup, update logs."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Update
from prometheus_client import REGISTRY
from pydantic import ValidationError
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_app
from bot.config import Settings
from bot.db.engine import write_transaction
from bot.db.models import Delivery, DeliveryCount, FsmState
from bot.delivery.ledger import NewDelivery, enqueue
from bot.emulator.telegram import TEST_TOKEN, FakeTelegram
from bot.logs import QUIET_BELOW_DEBUG, JsonLogFormatter, configure_logging
from bot.ops import lease, retention
from bot.ops.dedup import Claim, MemoryDedup, RedisDedup
from bot.ops.observe import UpdateLogMiddleware
from bot.ops.roles import PolledUpdates, confirm_handled

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PERIOD = timedelta(seconds=30)


async def test_lease_one_holder_until_it_expires(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert await lease.try_acquire(sessions, "a", NOW, PERIOD)
    assert not await lease.try_acquire(sessions, "b", NOW + timedelta(seconds=29), PERIOD)
    assert await lease.try_acquire(sessions, "a", NOW + timedelta(seconds=20), PERIOD)  # renew
    assert not await lease.try_acquire(sessions, "b", NOW + timedelta(seconds=49), PERIOD)
    assert await lease.try_acquire(sessions, "b", NOW + timedelta(seconds=51), PERIOD)
    assert not await lease.try_acquire(sessions, "a", NOW + timedelta(seconds=52), PERIOD)
    await lease.release(sessions, "b", NOW + timedelta(seconds=60))
    assert await lease.try_acquire(sessions, "a", NOW + timedelta(seconds=61), PERIOD)


async def _holder_of_a_dead_process(worker: str) -> str:
    """The holder id a process had, taken while it ran, for a process now gone."""
    proc = await asyncio.create_subprocess_exec("sleep", "60")
    try:
        holder = lease.holder_id(worker, proc.pid)
    finally:
        proc.kill()
        await proc.wait()
    return holder


async def test_a_lease_held_by_a_dead_process_of_this_host_is_taken_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    dead = await _holder_of_a_dead_process("worker-old")
    assert await lease.try_acquire(sessions, dead, NOW, PERIOD)
    me = lease.holder_id("worker-new")
    later = NOW + timedelta(seconds=1)  # long before the dead one's lease runs out
    assert await lease.try_acquire(sessions, me, later, PERIOD, is_dead=lease.dead_on_this_host)
    # A live holder (another worker in this very process) keeps it...
    other = lease.holder_id("worker-other")
    assert not await lease.try_acquire(
        sessions, other, later, PERIOD, is_dead=lease.dead_on_this_host
    )
    # ...and so does a process on another host, whatever its pid.
    await lease.release(sessions, me, later)
    elsewhere = "elsewhere-host:" + dead.split(":", 1)[1]
    assert await lease.try_acquire(sessions, elsewhere, later + timedelta(seconds=1), PERIOD)
    assert not await lease.try_acquire(
        sessions, me, later + timedelta(seconds=2), PERIOD, is_dead=lease.dead_on_this_host
    )


async def test_who_counts_as_a_dead_predecessor() -> None:
    host, pid, start, _ = lease.holder_id("w").split(":", 3)
    assert start != "-"  # Linux: the start token is there
    dead = await _holder_of_a_dead_process("w")
    assert lease.dead_on_this_host(dead)
    assert not lease.dead_on_this_host(lease.holder_id("w"))  # this process
    parent = lease.holder_id("w", os.getppid())
    assert not lease.dead_on_this_host(parent)  # alive
    # The same pid, started at another time: the pid was reused (a container restarted in
    # place runs as pid 1 again), so the recorded process is gone.
    assert lease.dead_on_this_host(f"{host}:{pid}:00000000:w")
    assert lease.dead_on_this_host(f"{host}:{os.getppid()}:00000000:w")
    assert not lease.dead_on_this_host("elsewhere:" + dead.split(":", 1)[1])
    assert not lease.dead_on_this_host("a")  # an id of another shape (older releases)
    assert not lease.dead_on_this_host(f"{host}:{pid}:-:w")  # no token: cannot tell


async def test_retention_purges_old_states_and_folds_old_deliveries(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=1)
    async with sessions() as session, write_transaction(session):
        for key, at in (("old", old), ("recent", recent)):
            session.add(FsmState(key=key, user_id=1, state="s", data={"a": 1}, updated_at=at))
    async with sessions() as session:
        rows = [
            NewDelivery(n, "notice", "x", f"k{n}", {"msg": "m"}, old if n < 4 else recent)
            for n in range(6)
        ]
        await enqueue(session, rows, old)
    async with sessions() as session, write_transaction(session):
        states = ["sent", "sent", "failed", "pending", "sent", "sent"]
        for row_id, state in zip(
            sorted(await session.scalars(select(Delivery.id))), states, strict=True
        ):
            row = await session.get(Delivery, row_id)
            assert row is not None
            row.state = state
            row.updated_at = row.due_at

    report = await retention.purge(sessions, NOW, days=30)

    assert report == retention.RetentionReport(fsm_states=1, deliveries=3)
    async with sessions() as session:
        assert list(await session.scalars(select(FsmState.key))) == ["recent"]
        # The old pending row is not delivered: it stays; recent ones keep their detail.
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 3
        counts = {
            (c.day, c.kind, c.state): c.count for c in await session.scalars(select(DeliveryCount))
        }
    day = old.date().isoformat()
    assert counts == {(day, "notice", "sent"): 2, (day, "notice", "failed"): 1}
    # A second run adds nothing and keeps the counts.
    assert await retention.purge(sessions, NOW, days=30) == retention.RetentionReport(0, 0)


async def test_memory_dedup() -> None:
    dedup = MemoryDedup(capacity=2)
    assert await dedup.claim(1) is Claim.NEW
    assert await dedup.claim(1) is Claim.BUSY
    await dedup.forget(1)
    assert await dedup.claim(1) is Claim.NEW
    await dedup.done(1)
    assert await dedup.claim(1) is Claim.DONE


async def test_redis_dedup(redis_url: str | None) -> None:
    if redis_url is None:
        dedup: MemoryDedup | RedisDedup = MemoryDedup()
        client = None
    else:
        from redis.asyncio import Redis

        client = Redis.from_url(redis_url)
        dedup = RedisDedup(client, ttl=60)
    try:
        assert await dedup.claim(7) is Claim.NEW
        assert await dedup.claim(7) is Claim.BUSY
        await dedup.done(7)
        assert await dedup.claim(7) is Claim.DONE
    finally:
        if client is not None:
            await client.aclose()


async def test_update_log_line_has_no_text(caplog: pytest.LogCaptureFixture) -> None:
    from aiogram.types import Update

    update = Update.model_validate(
        {
            "update_id": 77,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 5, "is_bot": False, "first_name": "Secretname"},
                "text": "my private answer",
            },
        }
    )

    async def handler(_event: object, _data: dict[str, object]) -> str:
        return "ok"

    def counted() -> tuple[float, float]:
        handled = {"type": "message", "outcome": "handled"}
        return (
            REGISTRY.get_sample_value("valo_updates_total", handled) or 0.0,
            REGISTRY.get_sample_value("valo_handler_latency_seconds_count", {"type": "message"})
            or 0.0,
        )

    before = counted()
    with caplog.at_level(logging.INFO, logger="bot.updates"):
        assert await UpdateLogMiddleware()(handler, update, {}) == "ok"
    assert counted() == (before[0] + 1, before[1] + 1)  # the metrics saw it too
    [record] = caplog.records
    line = json.loads(JsonLogFormatter().format(record))
    assert line["update_id"] == 77
    assert line["update_type"] == "message"
    assert line["outcome"] == "handled"
    assert "latency_ms" in line
    assert "Secretname" not in json.dumps(line)
    assert "private answer" not in json.dumps(line)


@pytest.mark.parametrize(("level", "duplicates_shown"), [("INFO", False), ("debug", True)])
def test_an_update_is_logged_once_and_job_runs_not_at_all(
    level: str, duplicates_shown: bool
) -> None:
    """Our update line says what aiogram's "Update id=... is handled" and aiohttp's access
    line say; APScheduler's two lines per job run show only at DEBUG; warnings and errors
    stay."""
    root = logging.getLogger()
    saved = (root.level, root.handlers[:])
    try:
        configure_logging(Settings(_env_file=None, bot_token=TEST_TOKEN, log_level=level))  # type: ignore[call-arg]
        for duplicate in ("aiogram.event", "aiohttp.access", "apscheduler.executors.default"):
            assert logging.getLogger(duplicate).isEnabledFor(logging.INFO) is duplicates_shown
            assert logging.getLogger(duplicate).isEnabledFor(logging.WARNING)
        assert logging.getLogger("bot.updates").isEnabledFor(logging.INFO)
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for duplicate in QUIET_BELOW_DEBUG:
            logging.getLogger(duplicate).setLevel(logging.NOTSET)


def test_an_unknown_log_level_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="log_level"):
        Settings(_env_file=None, bot_token=TEST_TOKEN, log_level="verbose")  # type: ignore[call-arg]


async def test_a_closed_app_hands_its_routers_to_the_next_one(tmp_path: Path) -> None:
    """The feature routers are module-level: two Apps one after the other in one process."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TEST_TOKEN,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
    )
    first = build_app(settings)
    routers = list(first.dispatcher.sub_routers)
    await first.close()
    second = build_app(settings)
    try:
        assert second.dispatcher.sub_routers == routers
        assert all(r.parent_router is second.dispatcher for r in routers)
    finally:
        await second.close()


async def test_a_burst_of_updates_reuses_the_pools_connections(tmp_path: Path) -> None:
    """DATABASE_POOL_SIZE connections stay open: a second burst as wide opens none."""
    width = 12
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TEST_TOKEN,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        database_pool_size=width,
    )
    app = build_app(settings)
    opened = 0

    def count(*_args: object) -> None:
        nonlocal opened
        opened += 1

    event.listen(app.engine.sync_engine, "connect", count)
    try:

        async def busy(all_in: asyncio.Barrier) -> None:
            async with app.engine.connect() as conn:
                await conn.execute(select(1))
                await all_in.wait()  # all `width` connections checked out at once

        for _burst in range(2):
            all_in = asyncio.Barrier(width)
            await asyncio.gather(*(busy(all_in) for _ in range(width)))
        assert opened == width
    finally:
        await app.close()


def _update(update_id: int) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "text": "/start",
            },
        }
    )


async def test_polled_updates_confirm_only_what_is_handled() -> None:
    polled = PolledUpdates()
    assert polled.confirmable() is None  # nothing handled: nothing to confirm
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(_event: object, _data: dict[str, object]) -> None:
        started.set()
        await release.wait()

    async def failing(_event: object, _data: dict[str, object]) -> None:
        raise RuntimeError("handler bug")

    async def quick(_event: object, _data: dict[str, object]) -> None:
        return None

    await polled(quick, _update(10), {})
    assert polled.confirmable() == 11
    still = asyncio.create_task(polled(slow, _update(11), {}))
    await started.wait()
    with pytest.raises(RuntimeError):
        await polled(failing, _update(12), {})
    assert polled.confirmable() == 11  # 11 is being handled: confirm below it only
    release.set()
    await still
    assert polled.confirmable() == 13  # a failed update counts as handled, as in aiogram


async def test_a_failed_confirmation_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    polled = PolledUpdates()

    async def quick(_event: object, _data: dict[str, object]) -> None:
        return None

    await polled(quick, _update(20), {})
    async with FakeTelegram() as fake:
        fake.fail_5xx(502, methods="getUpdates")
        bot = Bot(
            TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
        )
        try:
            with caplog.at_level(logging.WARNING, logger="bot.ops.roles"):
                await confirm_handled(bot, polled)
            assert "could not confirm the handled updates" in caplog.text
            await confirm_handled(bot, polled)  # Telegram answers again: confirmed
            [call] = fake.calls("getUpdates")[-1:]
            assert int(call.params["offset"]) == 21
            assert call.status == 200
        finally:
            await bot.session.close()
