"""Shared fixtures: a fresh, migrated database per test on the backend the run selects.

``VALO_TEST_DATABASE_URL`` (a PostgreSQL server URL) and ``VALO_TEST_REDIS_URL`` select the
scale-out backends; without them the suite runs on SQLite files in a temporary directory.
With ``CI=true`` a skipped test is a failure: CI must exercise every test it claims to run.

The schema is migrated once per test process into a template, and each test that asks for
``engine`` gets a copy of it (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL): the same database ``migrate.upgrade`` makes, without running the migrations again.
Under pytest-xdist each worker has its own template, PostgreSQL databases (random names) and
Redis database (the URL's index plus the worker's number).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from tests.e2e.launcher import Launcher
from tests.pg_databases import create_database, drop_database

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("VALO_TEST_DATABASE_URL") or None

# One fork server per test process (see tests.e2e.launcher): the end-to-end tests' bots and the
# command-line tests' processes are forks of it, not new interpreters importing aiogram again.
SETTING_PREFIXES = ("VALO_", "BOT_", "DATABASE_", "REDIS_", "TELEGRAM_")
LAUNCHER = Launcher(
    REPO, {k: v for k, v in os.environ.items() if not k.startswith(SETTING_PREFIXES)}
)
# The support modules whose tests start processes from it.
LAUNCHING = ("tests.cli_run", "tests.demo_support", "tests.e2e.launcher")


def _worker_redis_url(url: str | None) -> str | None:
    """``url`` with the database index moved up by the xdist worker's number (gw0 keeps it)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if url is None or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    index = int(parts.path.strip("/") or 0) + int(worker[2:])
    return urlunsplit(parts._replace(path=f"/{index}"))


REDIS_URL = _worker_redis_url(os.environ.get("VALO_TEST_REDIS_URL") or None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {report.longrepr}"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks (--dist loadgroup)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep a module whose tests share a module fixture on one xdist worker: the fixture
    (a CLI process started with the module, a loaded catalogue) is then made once.

    When a test will start processes, the launcher imports the bot now, while the tests
    before it run."""
    if any(_launches(item) for item in items):
        LAUNCHER.prestart()
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        if any(d.scope == "module" for ds in info.name2fixturedefs.values() for d in ds):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def _launches(item: pytest.Item) -> bool:
    """Whether the item's module is an end-to-end one or uses a module of LAUNCHING."""
    module = getattr(item, "module", None)
    return module is not None and (
        module.__name__.startswith("tests.e2e.")
        or any(getattr(value, "__module__", None) in LAUNCHING for value in vars(module).values())
    )


def pytest_sessionfinish() -> None:
    LAUNCHER.close()


async def _migrated(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()  # on SQLite the last close checkpoints the WAL into the file


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[str]:
    """A database migrated to head, made once per test process; only ever copied."""
    if PG_URL is None:
        directory = Path(tempfile.mkdtemp(prefix="valo-template-"))
        url = f"sqlite+aiosqlite:///{directory / 'template.db'}"
        asyncio.run(_migrated(url))
        yield url
        shutil.rmtree(directory, ignore_errors=True)
        return
    url = asyncio.run(create_database(PG_URL))
    try:
        asyncio.run(_migrated(url))
        yield url
    finally:
        asyncio.run(drop_database(PG_URL, url))


@pytest.fixture
def _template(request: pytest.FixtureRequest) -> str | None:
    """The template ``database_url`` copies: for a test that uses ``engine``, else none."""
    if "engine" in request.fixturenames:
        template: str = request.getfixturevalue("migrated_template")
        return template
    return None


@pytest.fixture
async def database_url(_template: str | None, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the run's backend, dropped afterwards.

    For a test that uses ``engine`` it is already migrated to head: a copy of the template.
    """
    template = _template
    if PG_URL is None:
        path = tmp_path / "valo.db"
        if template is not None:
            shutil.copyfile(make_url(template).database or "", path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = await create_database(PG_URL, template)
    try:
        yield url
    finally:
        await drop_database(PG_URL, url)


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
    """The test's database, migrated to head (``database_url`` copied it from the template)."""
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)
