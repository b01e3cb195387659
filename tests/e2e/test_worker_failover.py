"""``valo-bot worker`` failover: the active worker is SIGKILLed mid-sending; the standby takes
the lease once it expires and finishes, and nobody gets a message twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.models import WorkerLease
from bot.delivery.ledger import FINAL_STATES, NewDelivery, enqueue
from bot.emulator.telegram import FakeTelegram
from tests.delivery_support import add_users, ledger, register_chats
from tests.e2e.conftest import BotProcess, eventually
from tests.e2e.test_web import free_port, wait_healthy

FAMILIES = {8301 + n: "en" for n in range(8)}
HELD = 3
NOTICE = {"msg": "event-cancelled", "event": "gone", "title": {"en": "Art"}}
TEXT = "❌ Art has been cancelled. Your reminder for it has been removed."


async def holder(sessions: async_sessionmaker[AsyncSession]) -> str | None:
    """Who holds a live lease right now."""
    async with sessions() as session:
        row = await session.scalar(select(WorkerLease))
    return row.holder if row is not None and row.until > datetime.now(UTC) else None


async def test_sigkill_active_worker_standby_finishes_without_duplicates(
    fake: FakeTelegram, bot_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    engine = make_engine(database_url)
    await migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    await add_users(sessions, FAMILIES, now - timedelta(days=1))
    register_chats(fake, FAMILIES)
    async with sessions() as session:
        rows = [
            NewDelivery(chat, "notice", "event:gone", f"test:failover:{chat}", NOTICE, now)
            for chat in FAMILIES
        ]
        assert await enqueue(session, rows, now) == len(FAMILIES)
    bot_env.update(
        CATALOG_PATH=str(tmp_path / "no-catalogue"),
        SWEEP_INTERVAL="0.2",
        WORKER_LEASE_SECONDS="2",
        BROADCAST_RATE="4",  # slow enough that the kill lands with most rows still to send
        PER_CHAT_INTERVAL="0",
    )
    active = BotProcess(bot_env, tmp_path / "worker-a.log", role="worker")
    standby = BotProcess(bot_env, tmp_path / "worker-b.log", role="worker")
    fault = fake.hold("sendMessage", nth=HELD)
    try:
        await active.start()
        assert active.proc is not None
        pid_a = f":{active.proc.pid}:"
        await eventually(
            lambda: _holds(sessions, pid_a), 60.0, "worker A never took the lease", active
        )
        await standby.start()
        assert standby.proc is not None
        pid_b = f":{standby.proc.pid}:"
        held = await fake.held_event(fault, timeout=30.0)
        await active.kill()
        fake.clear_faults()
        await eventually(
            lambda: _holds(sessions, pid_b), 30.0, "the standby never took over", standby
        )
        final = await eventually(
            lambda: _all_final(sessions), 30.0, "the standby never finished", standby
        )
        states = {r.user_id: (r.state, r.detail) for r in final}
        assert states.pop(held.chat_id) == ("unknown", "lease expired while sending")
        assert set(states.values()) == {("sent", None)}, states
        for chat in FAMILIES:
            calls = [c for c in fake.calls("sendMessage") if int(c.params["chat_id"]) == chat]
            assert len(calls) == 1, (chat, len(calls))
            assert [m.text for m in fake.messages(chat)] == [TEXT]
        assert await standby.stop() == 0, standby.log()
        # A clean stop gives the lease up at once.
        assert await holder(sessions) is None
    finally:
        for process in (active, standby):
            if process.proc is not None:
                await process.kill()
            print(process.log())
        await engine.dispose()


async def _holds(sessions: async_sessionmaker[AsyncSession], pid: str) -> bool:
    current = await holder(sessions)
    return current is not None and pid in current


async def _all_final(sessions: async_sessionmaker[AsyncSession]) -> list[object] | None:
    rows = await ledger(sessions)
    return list(rows) if rows and all(r.state in FINAL_STATES for r in rows) else None


async def _ready(base: str) -> dict[str, str] | None:
    """/readyz's checks once it answers 200 with the lease held, else None."""
    async with aiohttp.ClientSession() as client, client.get(f"{base}/readyz") as response:
        checks: dict[str, str] = await response.json()
    return checks if response.status == 200 and checks.get("lease") == "active" else None


@pytest.mark.parametrize("role", ["worker", "run"])
async def test_worker_and_run_answer_health_checks_on_the_metrics_port(
    fake: FakeTelegram, bot_env: dict[str, str], tmp_path: Path, role: str
) -> None:
    # The Docker health checks of these roles call these; they answered 404.
    port = free_port()
    bot_env.update(
        CATALOG_PATH=str(tmp_path / "no-catalogue"),
        METRICS_PORT=str(port),
        WEB_HOST="127.0.0.1",
        WORKER_LEASE_SECONDS="2",
    )
    process = BotProcess(bot_env, tmp_path / f"{role}.log", role=role)
    base = f"http://127.0.0.1:{port}"
    try:
        await process.start()
        await wait_healthy(process, base)
        checks = await eventually(lambda: _ready(base), 30.0, "never ready", process)
        assert checks == {"database": "ok", "lease": "active", "scheduler": "ok"}
        assert await process.stop() == 0, process.log()
    finally:
        if process.proc is not None:
            await process.kill()
    del fake  # the run role polls it
