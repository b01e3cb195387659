"""INACTIVE_RETENTION_DAYS: a family that has sent Valo nothing for that long is erased as
/delete erases it (every table, dialog state under every key, in SQL or Redis); an active
family is kept; staff keep their rights and lose their family data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_transaction
from bot.db.models import Broadcast, Delivery, Subscription, User
from bot.db.personal_data import erase_inactive_users
from bot.db.storage import ForgetsUsers
from bot.delivery.broadcasts import AudienceKind, BroadcastDraft, create_broadcast, enqueue_chunk
from bot.ops import retention
from tests.privacy_support import (
    PERSON_TABLES,
    fsm_storage,
    has_state,
    rows_about,
    seed_every_kind,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
DAYS = 365


async def test_inactive_family_is_erased_active_one_kept_staff_keep_their_rights(
    sessions: async_sessionmaker[AsyncSession], redis_url: str | None
) -> None:
    inactive, active, staff = 7001, 7002, 7003
    async with fsm_storage(sessions, redis_url) as storage:
        assert isinstance(storage, ForgetsUsers)
        await seed_every_kind(sessions, storage, inactive, last_seen=NOW - timedelta(days=366))
        # Seen 364 days ago, a little more than a day before the limit (last_seen is hourly).
        await seed_every_kind(sessions, storage, active, last_seen=NOW - timedelta(days=364))
        await seed_every_kind(
            sessions, storage, staff, last_seen=NOW - timedelta(days=400), staff=True
        )
        in_sql = {"fsm_states"} if redis_url is None else set()
        before = await rows_about(sessions, active)
        assert set(before) == PERSON_TABLES - {"fsm_states"} | in_sql

        report = await retention.erase_inactive(sessions, NOW, DAYS, storage, reached_days=30)

        assert report.families == 1
        # The inactive family: nothing but the announcement they wrote (the organisation's).
        assert await rows_about(sessions, inactive) == {"broadcasts": 1}
        assert not await has_state(storage, inactive)
        # The active one: untouched.
        assert await rows_about(sessions, active) == before
        assert await has_state(storage, active)
        # Staff: their rights (user row, accepted invite) and their announcement stay; the
        # reminders, news, dialog states, messages and card marks a family would have go.
        assert await rows_about(sessions, staff) == {
            "users": 1,
            "staff_invites": 1,
            "broadcasts": 1,
        }
        assert not await has_state(storage, staff)
        assert report.staff_rows == 4 + len(in_sql) * 2

        # A second run finds no one more.
        again = await retention.erase_inactive(sessions, NOW, DAYS, storage, reached_days=30)
        assert again == retention.InactiveReport(families=0, staff_rows=0)


async def test_zero_days_erases_nobody(
    sessions: async_sessionmaker[AsyncSession], redis_url: str | None
) -> None:
    async with fsm_storage(sessions, redis_url) as storage:
        await seed_every_kind(sessions, storage, 7101, last_seen=NOW - timedelta(days=4000))
        assert await retention.erase_inactive(
            sessions,
            NOW,
            0,
            storage if isinstance(storage, ForgetsUsers) else None,
            reached_days=30,
        ) == retention.InactiveReport(0, 0)
        assert "users" in await rows_about(sessions, 7101)
        assert await has_state(storage, 7101)


async def test_a_family_that_came_back_after_being_chosen_is_kept(
    sessions: async_sessionmaker[AsyncSession], redis_url: str | None
) -> None:
    """The candidates are read, then the family writes (last_seen moves): the conditional
    delete of the user row keeps them, and with it every other row."""
    cutoff = NOW - timedelta(days=DAYS)
    async with fsm_storage(sessions, redis_url) as storage:
        await seed_every_kind(sessions, storage, 7201, last_seen=NOW - timedelta(days=500))
        async with sessions() as session, write_transaction(session):
            await session.execute(update(User).where(User.user_id == 7201).values(last_seen=NOW))
        before = await rows_about(sessions, 7201)
        async with sessions() as session:
            assert await erase_inactive_users(session, [7201], cutoff, cutoff) == []
        assert await rows_about(sessions, 7201) == before


async def test_batches_cover_every_inactive_family(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """More inactive families than one batch: every one goes, the active ones stay."""
    monkeypatch.setattr(retention, "USER_BATCH", 3)
    old, recent = NOW - timedelta(days=DAYS + 1), NOW - timedelta(days=1)
    async with sessions() as session, write_transaction(session):
        for user_id in range(1, 21):
            seen = old if user_id % 2 else recent
            session.add(User(user_id=user_id, first_seen=seen, last_seen=seen))
    report = await retention.erase_inactive(sessions, NOW, DAYS, reached_days=30)
    assert report.families == 10
    async with sessions() as session:
        left = list(await session.scalars(select(User.user_id).order_by(User.user_id)))
    assert left == list(range(2, 21, 2))


async def test_a_finished_announcement_names_no_family(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The enqueueing cursor (``broadcasts.enqueued_through``) is a family's Telegram id: it
    is cleared when the announcement is fully queued, so /delete and inactivity leave no
    trace of a family in the organisation's record of what was sent."""
    async with sessions() as session, write_transaction(session):
        for user_id in (7301, 7302, 7303):
            session.add(User(user_id=user_id, locale="fi", first_seen=NOW, last_seen=NOW))
            session.add(
                Subscription(user_id=user_id, municipality="all", topic="all", created_at=NOW)
            )
    draft = BroadcastDraft(texts={"fi": "Hei"}, audience=AudienceKind.ALL)
    async with sessions() as session:
        created = await create_broadcast(session, draft, 7000, NOW, NOW)
        async with write_transaction(session):
            await session.execute(
                update(Broadcast)
                .where(Broadcast.id == created.id)
                .values(status="sending", started_at=NOW, recipients=0)
            )
        assert not await enqueue_chunk(session, created.id, NOW, chunk=2)
        cursor = select(Broadcast.enqueued_through).where(Broadcast.id == created.id)
        assert await session.scalar(cursor) == 7302  # needed while queueing
        assert await enqueue_chunk(session, created.id, NOW, chunk=2)
        assert await session.scalar(select(Broadcast.recipients)) == 3
        assert await session.scalar(cursor) is None


async def test_a_family_still_receiving_what_it_asked_for_is_kept(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A family that never writes but was sent a reminder in the last ``reached_days`` is
    still using Valo (weekly reminders for a recurring event): it keeps everything. One sent
    something only before that window is erased like any inactive family."""
    old = NOW - timedelta(days=DAYS + 30)
    async with sessions() as session, write_transaction(session):
        for user_id, sent in ((7401, NOW - timedelta(days=6)), (7402, NOW - timedelta(days=31))):
            session.add(User(user_id=user_id, first_seen=old, last_seen=old))
            session.add(
                Delivery(
                    user_id=user_id,
                    kind="reminder",
                    ref="event:weekly",
                    dedup_key=f"sent:{user_id}",
                    payload={},
                    due_at=sent,
                    state="sent",
                    attempted_at=sent,
                    attempts=1,
                    updated_at=sent,
                )
            )
    report = await retention.erase_inactive(sessions, NOW, DAYS, reached_days=30)
    assert report.families == 1
    async with sessions() as session:
        left = list(await session.scalars(select(User.user_id).order_by(User.user_id)))
    assert left == [7401]
    assert "deliveries" in await rows_about(sessions, 7401)
    assert await rows_about(sessions, 7402) == {}
