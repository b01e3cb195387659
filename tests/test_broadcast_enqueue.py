"""A big broadcast's ledger rows are written in chunks: families are answered meanwhile, and a
crash in the middle resumes with exactly one row per family (bot.delivery.broadcasts).

The bot is the real dispatcher polling the fake Bot API in this process, on the run's
backends; the broadcast is started by the worker's own ``BroadcastProgress.tick``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import App, build_app, prepare_database
from bot.db.engine import write_transaction
from bot.db.models import Broadcast, Delivery, Subscription, User
from bot.delivery import broadcasts
from bot.delivery.broadcasts import (
    AudienceKind,
    BroadcastDraft,
    BroadcastProgress,
    CancelOutcome,
    cancel_broadcast,
    create_broadcast,
    ref,
)
from bot.delivery.clock import SystemClock
from bot.emulator.telegram import FakeTelegram
from tests.app_support import in_process_settings

STAFF = 900001
FIRST_FAMILY = 10_000_000
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


async def seed_families(sessions: async_sessionmaker[AsyncSession], count: int) -> list[int]:
    """``count`` families subscribed to everything in Kotka (what /start and /news store),
    made by the database (a recursive count): 50,000 take a fraction of a second."""
    ids = select(literal(FIRST_FAMILY).label("id")).cte("ids", recursive=True)
    ids = ids.union_all(select(ids.c.id + 1).where(ids.c.id < FIRST_FAMILY + count - 1))
    now = literal(NOW, User.first_seen.type)
    async with sessions() as session, write_transaction(session):
        await session.execute(
            insert(User).from_select(
                ["user_id", "locale", "first_seen", "last_seen"],
                select(ids.c.id, literal("fi"), now, now),
            )
        )
        await session.execute(
            insert(Subscription).from_select(
                ["user_id", "municipality", "topic", "created_at"],
                select(User.user_id, literal("285"), literal("all"), now),
            )
        )
    return list(range(FIRST_FAMILY, FIRST_FAMILY + count))


async def start_broadcast(sessions: async_sessionmaker[AsyncSession]) -> int:
    draft = BroadcastDraft(texts={"fi": "Hei kaikki!"}, audience=AudienceKind.ALL)
    async with sessions() as session:
        return (await create_broadcast(session, draft, STAFF, NOW, NOW)).id


async def ledger_rows(sessions: async_sessionmaker[AsyncSession], broadcast_id: int) -> list[int]:
    """The user ids of the broadcast's ledger rows, one per row."""
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery.user_id).where(Delivery.ref == ref(broadcast_id))
        )
        return list(rows.scalars())


async def broadcast_row(sessions: async_sessionmaker[AsyncSession], broadcast_id: int) -> Broadcast:
    async with sessions() as session:
        found = await session.get(Broadcast, broadcast_id)
        assert found is not None
        return found


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def app(
    fake: FakeTelegram,
    engine: AsyncEngine,  # the database comes migrated
    database_url: str,
    redis_url: str | None,
    tmp_path: Path,
) -> AsyncIterator[App]:
    settings = in_process_settings(fake, database_url, redis_url, tmp_path)
    built = build_app(settings)
    try:
        await prepare_database(built)
        fake.user(STAFF, language_code="en").has_written = True
        yield built
    finally:
        await built.close()


def progress(app: App, chunk: int = broadcasts.ENQUEUE_CHUNK) -> BroadcastProgress:
    return BroadcastProgress(
        bot=app.bot,
        sessions=app.sessions,
        i18n=app.i18n,
        default_locale="fi",
        clock=SystemClock(),
        rate_cap=25.0,
        every=timedelta(seconds=5),
        chunk=chunk,
    )


async def test_a_family_step_is_answered_while_a_big_broadcast_is_enqueued(
    app: App, fake: FakeTelegram
) -> None:
    """50,000 recipients: the family's /find (a new user row and its dialog state written) is
    answered while the rows are still being written, not after the last one."""
    families = 50_000
    await seed_families(app.sessions, families)
    broadcast_id = await start_broadcast(app.sessions)
    enqueueing = asyncio.Event()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO deliveries"):
            enqueueing.set()

    event.listen(app.engine.sync_engine, "after_cursor_execute", on_statement)
    polling = asyncio.create_task(app.dispatcher.start_polling(app.bot, handle_signals=False))
    ticking = asyncio.create_task(progress(app).tick(NOW))  # chunks of 1,000
    try:
        await asyncio.wait_for(enqueueing.wait(), 30)
        family = 4242
        fake.user(family, language_code="en")
        fake.send_command(family, "/find")
        question = await fake.wait_message(family, timeout=10)
        written = len(await ledger_rows(app.sessions, broadcast_id))
        assert 0 < written < families, f"answered after the enqueue ({written} rows written)"
        assert "Answer a few quick questions" in (question.text or ""), question.text
        assert await asyncio.wait_for(ticking, 60) == [broadcast_id]
    finally:
        event.remove(app.engine.sync_engine, "after_cursor_execute", on_statement)
        await app.dispatcher.stop_polling()
        await polling
        if not ticking.done():
            ticking.cancel()
    rows = await ledger_rows(app.sessions, broadcast_id)
    assert len(rows) == len(set(rows)) == families
    row = await broadcast_row(app.sessions, broadcast_id)
    assert row.recipients == families
    assert row.enqueued_at is not None


class Crash(Exception):
    """The worker dies in the middle of the enqueue."""


async def test_a_crash_mid_enqueue_resumes_with_exactly_one_row_per_family(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    families = await seed_families(app.sessions, 2_500)
    broadcast_id = await start_broadcast(app.sessions)
    real = broadcasts.enqueue_each
    chunks = 0

    async def dies_in_the_third_chunk(*args: Any, **kwargs: Any) -> int:
        nonlocal chunks
        chunks += 1
        added = await real(*args, **kwargs)
        if chunks == 3:  # its rows are written, its transaction not committed
            raise Crash
        return added

    monkeypatch.setattr(broadcasts, "enqueue_each", dies_in_the_third_chunk)
    with pytest.raises(Crash):
        await progress(app, chunk=400).tick(NOW)
    assert sorted(await ledger_rows(app.sessions, broadcast_id)) == families[:800]
    row = await broadcast_row(app.sessions, broadcast_id)
    assert (row.status, row.recipients, row.enqueued_at) == ("sending", 800, None)

    monkeypatch.setattr(broadcasts, "enqueue_each", real)
    # A new worker (another chunk size, too) carries on where the last commit left off.
    assert await progress(app, chunk=700).tick(NOW + timedelta(seconds=30)) == []
    rows = await ledger_rows(app.sessions, broadcast_id)
    assert sorted(rows) == families  # each family exactly once
    row = await broadcast_row(app.sessions, broadcast_id)
    assert row.recipients == len(families)
    assert row.enqueued_at is not None
    assert await progress(app, chunk=700).tick(NOW + timedelta(seconds=60)) == []
    assert len(await ledger_rows(app.sessions, broadcast_id)) == len(families)


async def test_a_broadcast_cancelled_mid_enqueue_writes_no_more_rows(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_families(app.sessions, 1_000)
    broadcast_id = await start_broadcast(app.sessions)
    real = broadcasts.enqueue_chunk
    cancelled: list[tuple[CancelOutcome, int]] = []

    async def cancelled_after_the_first_chunk(
        session: AsyncSession, broadcast: int, now: datetime, chunk: int
    ) -> bool:
        done = await real(session, broadcast, now, chunk)
        if not cancelled:
            async with app.sessions() as other:
                cancelled.append(await cancel_broadcast(other, broadcast, now))
        return done

    monkeypatch.setattr(broadcasts, "enqueue_chunk", cancelled_after_the_first_chunk)
    await progress(app, chunk=300).tick(NOW)
    assert cancelled == [(CancelOutcome.STOPPED, 300)]
    async with app.sessions() as session:
        states = await session.execute(
            select(Delivery.state, func.count())
            .where(Delivery.ref == ref(broadcast_id))
            .group_by(Delivery.state)
        )
        assert dict(states.all()) == {"cancelled": 300}
    row = await broadcast_row(app.sessions, broadcast_id)
    assert (row.status, row.recipients) == ("cancelled", 300)
    assert row.finished_at is not None  # nothing left to send: it is reported
