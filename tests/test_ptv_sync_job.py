"""The nightly PTV sync in the worker: scheduled under the lease at PTV_SYNC_AT, a failure
logged in one line and counted, staff told once after PTV_SYNC_ALERT_AFTER failures in a
row (in their language), and told again only after a success ended the streak."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app, make_worker, prepare_database
from bot.catalog.ptv_sync import load_state
from bot.db.engine import write_transaction
from bot.db.models import CatalogService, Delivery, User
from bot.delivery.clock import ManualClock
from bot.emulator.telegram import FakeTelegram
from bot.ops.ptv_job import run_ptv_sync, sync_scope
from bot.ops.roles import LeaseKeeper
from tests.app_support import in_process_settings
from tests.ptv_fake import KOTKA, FakePtv

STAFF_FI, STAFF_EN = 900101, 900102
NIGHT = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)  # 03:30 in Helsinki


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def ptv() -> AsyncIterator[FakePtv]:
    async with FakePtv() as server:
        server.add(1)
        server.tick()
        yield server


@pytest.fixture
async def app(
    telegram: FakeTelegram,
    ptv: FakePtv,
    engine: AsyncEngine,  # the database comes migrated
    database_url: str,
    redis_url: str | None,
    tmp_path: Path,
) -> AsyncIterator[App]:
    settings = in_process_settings(
        telegram,
        database_url,
        redis_url,
        tmp_path,
        ptv_api_base=ptv.url,
        ptv_sync_municipalities=(KOTKA,),
        ptv_sync_at="03:30",
        ptv_sync_retries=0,
        ptv_sync_backoff=0,
        worker_lease_seconds=5,
    )
    built = build_app(settings)
    try:
        await prepare_database(built)
        async with built.sessions() as session, write_transaction(session):
            for user_id, locale in ((STAFF_FI, "fi"), (STAFF_EN, "en")):
                session.add(
                    User(
                        user_id=user_id,
                        locale=locale,
                        first_seen=NIGHT,
                        last_seen=NIGHT,
                        staff=True,
                    )
                )
                telegram.user(user_id, language_code=locale).has_written = True
        yield built
    finally:
        await built.close()


async def alerts(app: App) -> list[int]:
    async with app.sessions() as session:
        rows = await session.execute(select(Delivery.user_id).where(Delivery.kind == "staff-alert"))
        return sorted(rows.scalars())


def failures_counted() -> float:
    return REGISTRY.get_sample_value("valo_ptv_sync_failures_total") or 0.0


async def test_the_nightly_sync_runs_under_the_lease_and_alerts_staff_once_per_streak(
    app: App, telegram: FakeTelegram, ptv: FakePtv, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(NIGHT)
    keeper = LeaseKeeper(app, make_worker(app, clock), now=clock.now)
    keeper.start()
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while not keeper.active:
            assert asyncio.get_running_loop().time() < deadline, "the lease was never taken"
            await asyncio.sleep(0.01)
        assert keeper.scheduler is not None
        job = keeper.scheduler.get_job("ptv-sync")
        assert job is not None
        trigger = job.trigger
        assert isinstance(trigger, CronTrigger)
        assert str(trigger.timezone) == "Europe/Helsinki"
        assert {f.name: str(f) for f in trigger.fields}["hour"] == "3"
        assert {f.name: str(f) for f in trigger.fields}["minute"] == "30"

        ptv.fail("/api/v11/", status=503, times=10_000)
        counted = failures_counted()
        caplog.set_level(logging.WARNING, logger="bot.ops.ptv_job")
        for night in range(3):
            clock.set(NIGHT + timedelta(days=night))
            await job.func()
        assert failures_counted() == counted + 3
        failed = [r for r in caplog.records if "PTV sync failed" in r.getMessage()]
        assert failed
        assert all(r.exc_info is None for r in failed)
        assert all("\n" not in r.getMessage() for r in failed)
        assert await alerts(app) == [STAFF_FI, STAFF_EN]

        await keeper.worker.sweep(clock.now())
        [fi] = telegram.messages(STAFF_FI)
        [en] = telegram.messages(STAFF_EN)
        assert "Suomi.fi-palvelutietovarannosta" in fi.text
        assert ": 3." in fi.text
        assert en.text.startswith("⚠️ The nightly update from the Suomi.fi service catalogue")

        clock.set(NIGHT + timedelta(days=3))
        await job.func()  # a fourth failure: no second message
        assert await alerts(app) == [STAFF_FI, STAFF_EN]

        ptv.faults.clear()
        clock.set(NIGHT + timedelta(days=4))
        result = await run_ptv_sync(app, clock.now())
        assert result is not None
        assert result.report is not None
        assert result.report.added == 1
        async with app.sessions() as session:
            state = await load_state(session, sync_scope(app.settings))
        assert state is not None
        assert state.consecutive_failures == 0
        assert state.alerted_at is None
        assert (
            REGISTRY.get_sample_value("valo_ptv_sync_last_success_timestamp_seconds")
            == clock.now().timestamp()
        )

        ptv.fail("/api/v11/", status=503, times=10_000)
        for night in range(5, 8):  # a new streak: told again
            clock.set(NIGHT + timedelta(days=night))
            await job.func()
        assert await alerts(app) == [STAFF_FI, STAFF_FI, STAFF_EN, STAFF_EN]
    finally:
        await keeper.stop()


async def test_no_nightly_sync_unless_ptv_sync_at_is_set(
    telegram: FakeTelegram, database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    settings = in_process_settings(telegram, database_url, None, tmp_path)
    assert settings.ptv_sync_at == ""
    built = build_app(settings)
    try:
        await prepare_database(built)
        keeper = LeaseKeeper(built)
        keeper.start()
        try:
            deadline = asyncio.get_running_loop().time() + 10
            while not keeper.active:
                assert asyncio.get_running_loop().time() < deadline
                await asyncio.sleep(0.01)
            assert keeper.scheduler is not None
            assert keeper.scheduler.get_job("ptv-sync") is None
        finally:
            await keeper.stop()
    finally:
        await built.close()


async def test_a_broken_overlay_file_stops_the_sync_and_counts_as_a_failure(
    app: App, ptv: FakePtv, caplog: pytest.LogCaptureFixture
) -> None:
    """Syncing without the curated layer would bring hidden services back: a broken overlay
    file changes nothing, is logged in one line naming the file, and counts toward the alert."""
    overlays = app.settings.catalog_path / "overlays"
    overlays.mkdir(parents=True)
    (overlays / "broken.yaml").write_text("services:\n  not-a-ptv-id:\n    family: maybe\n")
    caplog.set_level(logging.WARNING, logger="bot.ops.ptv_job")
    counted = failures_counted()
    assert await run_ptv_sync(app, NIGHT) is None
    assert failures_counted() == counted + 1
    [line] = [r.getMessage() for r in caplog.records if "PTV sync failed" in r.getMessage()]
    assert "broken.yaml:3: services.not-a-ptv-id.family:" in line
    assert "\n" not in line
    async with app.sessions() as session:
        assert (await session.execute(select(CatalogService.id))).first() is None
        state = await load_state(session, sync_scope(app.settings))
    assert state is not None
    assert state.consecutive_failures == 1
