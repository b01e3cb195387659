"""What the benchmarks share: the machine line printed above the figures, and a fresh,
migrated database on either backend."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.engine import make_engine
from tests.pg_databases import create_database, drop_database

REPO = Path(__file__).resolve().parent.parent


def machine(cores: str | None = None) -> str:
    """CPU, cores, load, Python, OS and commit, for the record above a benchmark's figures.
    ``cores``: how the run uses them (default: how many this process may use)."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if cores is None:
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        cores = f"{usable or os.cpu_count()} usable"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())  # other work skews the figures
    return (
        f"{model}, {os.cpu_count()} cores ({cores}), load average {load}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, commit {_commit()}"
    )


def _commit() -> str:
    try:
        git = ["git", "-C", str(REPO)]
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (+ working tree)" if dirty.stdout.strip() else head


@asynccontextmanager
async def fresh_database(
    backend: str, workdir: Path, name: str
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A migrated database and its URL: the SQLite file ``workdir/name.db``, or a new
    PostgreSQL database ``name_<random>`` on the server of ``VALO_TEST_DATABASE_URL``, dropped
    at the end."""
    async with _new_database(backend, workdir, name) as url:
        engine = make_engine(url)
        try:
            await migrate.upgrade(engine)
            yield url, engine
        finally:
            await engine.dispose()


@asynccontextmanager
async def _new_database(backend: str, workdir: Path, name: str) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
        return
    server = os.environ["VALO_TEST_DATABASE_URL"]
    url = await create_database(server, prefix=name)
    try:
        yield url
    finally:
        await drop_database(server, url)
