"""The staff filter reads the database on every check; start-up clears rights that only a
since-removed STAFF_IDS entry granted."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram.types import User as TelegramUser
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_app, prepare_database
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker, write_transaction
from bot.db.models import User
from bot.db.staff import Redeemed, create_invite, redeem_invite
from bot.emulator.telegram import TEST_TOKEN
from bot.handlers.staff import IsStaff
from bot.middlewares import load_user

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def tg(user_id: int) -> TelegramUser:
    return TelegramUser(id=user_id, is_bot=False, first_name="x")


async def test_staff_filter_follows_the_database(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    check = IsStaff()
    async with sessions() as session:
        await load_user(session, 1, NOW, frozenset({1}))
        await load_user(session, 2, NOW, frozenset())
        assert await check(object(), session=session, event_from_user=tg(1))
        assert not await check(object(), session=session, event_from_user=tg(2))
        assert not await check(object(), session=session, event_from_user=tg(3))
        assert not await check(object(), session=session, event_from_user=None)
        async with write_transaction(session):
            await session.execute(update(User).where(User.user_id == 1).values(staff=False))
        assert not await check(object(), session=session, event_from_user=tg(1))


async def _start_up(database_url: str, staff_ids: frozenset[int], tmp_path: Path) -> None:
    """What run, web and worker do on start, with ``STAFF_IDS`` set to ``staff_ids``."""
    settings = Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=database_url,
        staff_ids=staff_ids,
        catalog_path=tmp_path / "no-catalogue",
    )
    app = build_app(settings)
    try:
        await prepare_database(app)
    finally:
        await app.close()


async def test_start_up_clears_staff_rights_taken_out_of_staff_ids(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """1 stays in STAFF_IDS, 2 is taken out of it, 3 joined by an invite, 4 was never staff;
    after a start-up without 2 in STAFF_IDS, 2 has no rights left, and the log says so."""
    await _start_up(database_url, frozenset({1, 2}), tmp_path)
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            for user_id in (1, 2, 3, 4):
                await load_user(session, user_id, NOW, frozenset({1, 2}))
            invite = await create_invite(session, 1, "three", NOW)
            joined = await redeem_invite(session, f"staff-{invite.token}", 3, NOW)
            assert joined.outcome is Redeemed.JOINED

        with caplog.at_level(logging.INFO, logger="bot.app"):
            await _start_up(database_url, frozenset({1}), tmp_path)

        async with make_sessionmaker(engine)() as session:
            staff = set((await session.execute(select(User.user_id).where(User.staff))).scalars())
        assert staff == {1, 3}
        cleared = [
            r.getMessage() for r in caplog.records if "staff rights cleared" in r.getMessage()
        ]
        assert cleared == [
            "staff rights cleared for 1 user(s) no longer in STAFF_IDS and without an accepted "
            "invite: 2"
        ]
    finally:
        await engine.dispose()
