"""Logs hold no statement parameters and no exception message that may quote user data.

The end-to-end proof is tests/e2e/test_private_logs.py; these pin each rule on its own.
"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.config import Settings
from bot.db.engine import make_engine
from bot.emulator.telegram import TEST_TOKEN
from bot.error_text import WITHHELD, describe, format_traceback
from bot.logs import JsonLogFormatter, TextLogFormatter, configure_logging

USER = "7654321"
ANSWERS = '{"needs": ["crisis-urgent"]}'


class FakePostgresError(Exception):
    """Shaped like asyncpg's server errors: the message quotes the value, the fields do not."""

    sqlstate = "23505"
    constraint_name = "pk_users"
    table_name = "users"
    column_name = None


def chained() -> BaseException:
    try:
        try:
            raise FakePostgresError(f"Key (user_id)=({USER}) already exists.")
        except FakePostgresError as inner:
            raise ValueError(f"answers {ANSWERS} of {USER}") from inner
    except ValueError as outer:
        return outer


def test_messages_that_may_hold_data_are_withheld_and_the_shape_stays() -> None:
    formatted = format_traceback(chained())
    assert USER not in formatted
    assert "crisis-urgent" not in formatted
    assert "Traceback (most recent call last):" in formatted
    assert "The above exception was the direct cause of the following exception:" in formatted
    assert "FakePostgresError: sqlstate 23505, constraint pk_users, table users" in formatted
    assert formatted.endswith(f"ValueError: {WITHHELD}")
    assert "in chained" in formatted  # the frames are there


def test_what_cannot_hold_data_is_kept() -> None:
    assert describe(sqlite3.OperationalError("database is locked")) == (
        "OperationalError: database is locked"
    )
    assert describe(ConnectionRefusedError(111, "Connection refused")) == (
        "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    assert describe(TimeoutError()) == "TimeoutError"

    class AdminShutdown(Exception):
        sqlstate = "57P01"

    assert describe(AdminShutdown("terminating connection due to administrator command")) == (
        "AdminShutdown: sqlstate 57P01, terminating connection due to administrator command"
    )


async def test_engines_never_quote_parameters(tmp_path: Path) -> None:
    """A real failed statement whose parameters are a user id and dialog answers."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'valo.db'}")
    insert = text("INSERT INTO t VALUES (:u, :d)")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("CREATE TABLE t (user_id INTEGER PRIMARY KEY, data TEXT)"))
            await conn.execute(insert, {"u": USER, "d": ANSWERS})
            with pytest.raises(DBAPIError) as caught:
                await conn.execute(insert, {"u": USER, "d": ANSWERS})
    finally:
        await engine.dispose()
    error = caught.value
    assert USER not in str(error)
    assert "crisis-urgent" not in str(error)
    formatted = format_traceback(error)
    assert "UNIQUE constraint failed: t.user_id" in formatted  # SQLite's own words stay
    assert "[SQL: INSERT INTO t VALUES (?, ?)]" in formatted
    assert USER not in formatted


@pytest.mark.parametrize("formatter", [TextLogFormatter("%(message)s"), JsonLogFormatter()])
def test_both_log_formats_redact_tracebacks(formatter: logging.Formatter) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("valo.test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        error = chained()
        logger.error("update 1 failed: %s", type(error).__name__, exc_info=error)
        logger.error("Cause exception while process update id=%d\n%s: %s", 1, "X", error)
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "update 1 failed: ValueError" in output
    assert "sqlstate 23505" in output
    assert USER not in output
    assert "crisis-urgent" not in output
    assert f"X: ValueError: {WITHHELD}" in output.replace("\\n", "\n")
    if isinstance(formatter, JsonLogFormatter):
        assert WITHHELD in json.loads(output.splitlines()[0])["exception"]


def test_debug_logging_does_not_switch_on_sqlalchemy_statements_and_rows() -> None:
    root = logging.getLogger()
    saved = (root.level, root.handlers[:])
    try:
        configure_logging(Settings(_env_file=None, bot_token=TEST_TOKEN, log_level="DEBUG"))  # type: ignore[call-arg]
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
        assert logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.WARNING)
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name in ("aiogram.event", "aiohttp.access", "sqlalchemy"):
            logging.getLogger(name).setLevel(logging.NOTSET)
