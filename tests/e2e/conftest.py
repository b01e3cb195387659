"""End-to-end harness: the fake Bot API server, and the real bot as a subprocess against it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import make_engine
from bot.db.models import Base
from bot.emulator.telegram import TEST_TOKEN, FakeTelegram
from tests.conftest import LAUNCHER, REPO, SETTING_PREFIXES
from tests.e2e.launcher import LaunchedProcess

STOP_TIMEOUT = 15.0
T = TypeVar("T")


class BotProcess:
    """``valo-bot <role>`` in its own process group; a restart is a new process.

    The process is forked from the session's launcher, which has the bot's modules imported.
    """

    def __init__(self, env: dict[str, str], log_path: Path, role: str = "run") -> None:
        self.env = env
        self.log_path = log_path
        self.role = role
        self.proc: LaunchedProcess | None = None
        self.starts = 0

    async def start(self) -> None:
        assert self.proc is None, "already running"
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n----- start #{self.starts} -----\n".encode())
        # In its own session and process group, so SIGKILL takes everything.
        self.proc = await LAUNCHER.start([self.role], env=self.env, cwd=REPO, log=self.log_path)

    async def stop(self) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        assert self.proc is not None
        proc, self.proc = self.proc, None
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it exited on its own just now
                os.killpg(proc.pid, signal.SIGTERM)
        try:
            return await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
            raise AssertionError(f"bot did not stop on SIGTERM:\n{self.log()}") from None

    async def kill(self) -> None:
        """SIGKILL the whole process group: a crash, no clean-up of any kind."""
        assert self.proc is not None
        proc, self.proc = self.proc, None
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
def bot_env(
    fake: FakeTelegram, database_url: str, redis_url: str | None, tmp_path: Path
) -> dict[str, str]:
    """Settings for the bot under test; tests may change them before starting it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(SETTING_PREFIXES)}
    env.update(
        BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_BASE=fake.base_url,
        TELEGRAM_REQUEST_TIMEOUT="5",
        DATABASE_URL=database_url,
        STAFF_IDS="900001",
        THROTTLE_RATE="30",
        THROTTLE_WINDOW="60",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@pytest.fixture
async def bot_process(bot_env: dict[str, str], tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(bot_env, tmp_path / "bot.log")
    yield process
    if process.proc is not None:
        await process.kill()
    print(process.log())  # pytest shows captured output only for failed tests


@pytest.fixture
async def running_bot(bot_process: BotProcess, fake: FakeTelegram) -> AsyncIterator[BotProcess]:
    """The bot started and polling."""
    await start_and_wait(bot_process, fake)
    yield bot_process
    await bot_process.stop()


async def start_and_wait(process: BotProcess, fake: FakeTelegram) -> None:
    """Start the bot and wait until it polls for updates (it has migrated and is ready)."""
    polls = len(fake.calls("getUpdates"))
    await process.start()
    try:
        await fake.wait_until(lambda: len(fake.calls("getUpdates")) > polls, 30.0)
    except AssertionError:
        raise AssertionError(f"bot never polled:\n{process.log()}") from None


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A second connection to the bot's database, for checking what it stored."""
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


async def rows_mentioning(engine: AsyncEngine, value: int | str) -> dict[str, int]:
    """How many rows of every table hold ``value`` in any column (text or number)."""
    found: dict[str, int] = {}
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            hits = sum(1 for row in rows if any(str(value) in str(cell) for cell in row))
            if hits:
                found[table.name] = hits
        # Tables the models may not know of yet (created by migrations) are checked too.
        names = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
        for name in set(names) - set(Base.metadata.tables) - {"alembic_version"}:
            rows = (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()
            hits = sum(1 for row in rows if any(str(value) in str(cell) for cell in row))
            if hits:
                found[name] = hits
    return found


async def eventually(
    probe: Callable[[], Awaitable[T | None]], timeout: float, what: str, *logs: BotProcess
) -> T:
    """Re-run ``probe`` against the database until it returns a value, up to a deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(what + "\n" + "\n".join(p.log() for p in logs))
        await asyncio.sleep(0.1)  # polling the database, bounded by the deadline above
