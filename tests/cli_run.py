"""``python -m bot ...`` started in the background for tests of the command line.

A process is forked from the session's launcher (tests.e2e.launcher), which has the bot's
modules imported: a new interpreter would spend seconds importing aiogram first. It is still
a process of its own, with its own environment, working directory, streams and exit code. A
test module starts its run in a module fixture and the test that checks it, placed last, waits
for the result, so the run overlaps the module's other tests.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tests.conftest import LAUNCHER, PG_URL, REPO
from tests.pg_databases import create_database, drop_database

T = TypeVar("T")


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


class CliRun:
    """One ``python -m bot ARGS`` process; its output goes to files, so it never blocks."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        output: Path,
        cwd: Path = REPO,
        stdin: str | None = None,
    ) -> None:
        output.mkdir(parents=True, exist_ok=True)
        self._stdout = output / "stdout.txt"
        self._stderr = output / "stderr.txt"
        given = output / "stdin.txt"
        given.write_text(stdin or "", encoding="utf-8")
        with (
            given.open("rb") as inp,
            self._stdout.open("wb") as out,
            self._stderr.open("wb") as err,
        ):
            self._process = LAUNCHER.spawn(
                args,
                env=env,
                cwd=cwd,
                stdin=inp.fileno(),
                stdout=out.fileno(),
                stderr=err.fileno(),
            )

    def result(self, timeout: float = 90.0) -> CliResult:
        returncode = self._process.wait(timeout)
        return CliResult(
            returncode,
            self._stdout.read_text(encoding="utf-8"),
            self._stderr.read_text(encoding="utf-8"),
        )

    def exited(self) -> bool:
        return self._process.poll() is not None

    def stop(self) -> None:
        self._process.kill()
        self._process.wait()


def cli_env(**settings: str) -> dict[str, str]:
    """This environment without the bot's settings, plus ``settings``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VALO_", "BOT_", "DATABASE_", "REDIS_", "TELEGRAM_", "CATALOG_"))
    }
    return {**env, **settings}


def run_in_new_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on a private event loop (module fixtures run outside the tests' loops)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(work)
    finally:
        loop.close()


@contextmanager
def module_database(directory: Path) -> Iterator[str]:
    """An empty database of the run's backend for a whole module, dropped afterwards."""
    if PG_URL is None:
        yield f"sqlite+aiosqlite:///{directory / f'{uuid.uuid4().hex[:8]}.db'}"
        return
    url = run_in_new_loop(create_database(PG_URL))
    try:
        yield url
    finally:
        run_in_new_loop(drop_database(PG_URL, url))
