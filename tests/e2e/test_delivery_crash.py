"""Delivery in real time: the bot killed with SIGKILL in the middle of a send and restarted,
and APScheduler triggering the worker's sweeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_app, make_worker, start_scheduler
from bot.catalog.schema import Event
from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.models import Delivery
from bot.delivery.event_news import sync_catalog_path
from bot.delivery.ledger import FINAL_STATES, NewDelivery, enqueue
from bot.delivery.reminders import set_reminder
from bot.emulator.telegram import FakeTelegram
from bot.events.occurrences import occurrences
from tests.app_support import in_process_settings
from tests.conftest import REPO
from tests.delivery_support import TZ, add_users, event, ledger, register_chats, write_catalogue
from tests.e2e.conftest import BotProcess

FAMILIES = {8101: "fi", 8102: "en", 8103: "ar", 8104: "fi", 8105: "en", 8106: "fi"}
HELD = 3  # the third reminder send is held open, and the bot is killed right then
REMINDER_OPENINGS = ("⏰ Muistutus: huomenna on", "⏰ Reminder: tomorrow is", "⏰ ")


def coming_event(now: datetime) -> dict[str, object]:
    """An event starting five hours from now: its day-before reminder (18:00 the day before
    it) is already due, and it has not started."""
    start = (now + timedelta(hours=5)).astimezone(TZ).replace(second=0, microsecond=0)
    end = start + timedelta(hours=1)
    return event("crash-event", start.strftime("%Y-%m-%dT%H:%M"), end.strftime("%Y-%m-%dT%H:%M"))


async def prepare(database_url: str, catalog: Path, now: datetime) -> str:
    """What the families did days ago, while the bot was down: they asked for reminders.
    Returns the occurrence key."""
    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        await add_users(sessions, FAMILIES, now - timedelta(days=3))
        async with sessions() as session:
            await sync_catalog_path(session, catalog, TZ)  # the bot finds it imported already
        doc = coming_event(now)
        key = occurrences(Event.model_validate(doc), TZ)[0].key
        async with sessions() as session:
            for user_id in FAMILIES:
                result = await set_reminder(
                    session,
                    user_id,
                    "crash-event",
                    key,
                    ["day-before"],
                    TZ,
                    now - timedelta(days=3),
                )
                assert result is not None
                assert result[1] == 1
        rows = await ledger(sessions)
        assert len(rows) == len(FAMILIES)
        assert all(r.due_at <= now < (r.expires_at or now) for r in rows), "not due, or too late"
        return key
    finally:
        await engine.dispose()


async def wait_for_db(
    sessions: async_sessionmaker[AsyncSession],
    condition: Callable[[list[Delivery]], bool],
    timeout: float,
    process: BotProcess | None = None,
) -> list[Delivery]:
    """Poll the ledger until ``condition`` holds; fail at the deadline with the bot's log."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows = await ledger(sessions)
        if condition(rows):
            return rows
        if loop.time() > deadline:
            states = [(r.user_id, r.state, r.detail) for r in rows]
            log = process.log() if process is not None else ""
            raise AssertionError(f"ledger never settled: {states}\n{log}")
        await asyncio.sleep(0.1)  # polling the database, bounded by the deadline above


async def test_sigkill_during_a_send_then_restart_sends_every_reminder_once(
    fake: FakeTelegram,
    bot_process: BotProcess,
    bot_env: dict[str, str],
    database_url: str,
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    catalog = write_catalogue(tmp_path / "catalog", [coming_event(now)])
    await prepare(database_url, catalog, now)
    register_chats(fake, FAMILIES)
    bot_env.update(
        CATALOG_PATH=str(catalog),
        SWEEP_INTERVAL="0.2",
        WORKER_LEASE_SECONDS="2",
        # Four sends a second: the request after the held one is still waiting for its slot
        # when the bot dies, so exactly one request is in flight.
        BROADCAST_RATE="4",
        PER_CHAT_INTERVAL="0",
    )
    fault = fake.hold("sendMessage", nth=HELD)

    await bot_process.start()
    held = await fake.held_event(fault, timeout=30.0)
    await bot_process.kill()  # SIGKILL to the process group, with the request still open
    assert held.chat_id in FAMILIES
    fake.clear_faults()

    engine = make_engine(database_url)
    try:
        sessions = make_sessionmaker(engine)
        crashed = {r.user_id: r for r in await ledger(sessions)}
        # The held request was attempted; nothing records how it ended.
        assert crashed[held.chat_id].state == "sending"
        assert crashed[held.chat_id].attempted_at is not None

        await bot_process.start()  # a new process
        rows = await wait_for_db(
            sessions,
            lambda rows: all(r.state in FINAL_STATES for r in rows),
            timeout=30.0,
            process=bot_process,
        )
    finally:
        await engine.dispose()

    states = {r.user_id: (r.state, r.detail) for r in rows}
    assert states.pop(held.chat_id) == ("unknown", "lease expired while sending")
    assert set(states.values()) == {("sent", None)}, states
    for chat in FAMILIES:
        received = [m.text or "" for m in fake.messages(chat)]
        # Everyone has the reminder once: the in-flight one reached Telegram before the
        # crash (the fake stored it) and was never sent again.
        assert len(received) == 1, (chat, received)
        assert received[0].startswith(REMINDER_OPENINGS), received
        calls = [c for c in fake.calls("sendMessage") if int(c.params["chat_id"]) == chat]
        assert len(calls) == 1, (chat, len(calls))
    await bot_process.stop()


async def test_apscheduler_triggers_sweeps(
    fake: FakeTelegram, database_url: str, redis_url: str | None, tmp_path: Path
) -> None:
    """``start_scheduler`` in-process with SWEEP_INTERVAL=0.2: a row that comes due after
    the scheduler started is sent by a later sweep, with nobody calling ``sweep``."""
    settings = in_process_settings(
        fake, database_url, redis_url, tmp_path, sweep_interval=0.2, dialogs_path=REPO / "dialogs"
    )
    chat = 8201
    register_chats(fake, {chat: "en"})
    app = build_app(settings, locales=REPO / "locales")
    try:
        await migrate.upgrade(app.engine)
        now = datetime.now(UTC)
        await add_users(app.sessions, {chat: "en"}, now)
        scheduler = start_scheduler(app, make_worker(app))
        try:
            due = datetime.now(UTC) + timedelta(seconds=0.6)
            async with app.sessions() as session:
                notice = NewDelivery(
                    user_id=chat,
                    kind="notice",
                    ref="event:gone",
                    dedup_key="test:scheduler",
                    payload={"msg": "event-cancelled", "event": "gone", "title": {"en": "Art"}},
                    due_at=due,
                )
                assert await enqueue(session, [notice], now) == 1
            message = await fake.wait_message(chat, timeout=10.0)
            # The outcome is recorded right after Telegram's answer.
            [row] = await wait_for_db(
                app.sessions, lambda rows: rows[0].state in FINAL_STATES, timeout=5.0
            )
        finally:
            scheduler.shutdown(wait=False)
        assert message.text == "❌ Art has been cancelled. Your reminder for it has been removed."
        assert row.state == "sent"
        assert row.updated_at >= due  # sent by a sweep that ran after it came due
    finally:
        await app.close()
