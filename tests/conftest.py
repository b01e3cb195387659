"""Shared fixtures: a fresh, migrated database per test on the backend the run selects.

``VALO_TEST_DATABASE_URL`` (a PostgreSQL server URL) and ``VALO_TEST_REDIS_URL`` select the
scale-out backends; without them the suite runs on SQLite files in a temporary directory.
With ``CI=true`` a skipped test is a failure: CI must exercise every test it claims to run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("VALO_TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("VALO_TEST_REDIS_URL") or None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {report.longrepr}"


async def _create_pg_database(server_url: str) -> str:
    import asyncpg  # only needed for the PostgreSQL run

    url = make_url(server_url)
    name = f"valo_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(server_url: str, database_url: str) -> None:
    import asyncpg

    url = make_url(server_url)
    name = make_url(database_url).database
    admin = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the run's backend, dropped afterwards."""
    if PG_URL is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'valo.db'}"
        return
    url = await _create_pg_database(PG_URL)
    try:
        yield url
    finally:
        await _drop_pg_database(PG_URL, url)


@pytest.fixture
async def redis_url() -> AsyncIterator[str | None]:
    """The run's Redis (flushed), or None on the embedded-default run."""
    if REDIS_URL is None:
        yield None
        return
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    await client.aclose()
    yield REDIS_URL


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await migrate.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)
