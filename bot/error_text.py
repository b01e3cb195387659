"""What of an exception may be written to a log: its type, where it happened, and a message
only when the message cannot hold a family's data.

Exception messages are built from whatever the failing code held. A database error quotes the
statement's parameters (a Telegram user id, the dialog answers ``["crisis-urgent", ...]``), and
PostgreSQL's own messages quote values (``invalid input syntax for type integer: "..."``,
``Key (user_id)=(...) already exists``). Engines are made with ``hide_parameters=True``
(bot.db.engine), and the log formatters (bot.logs) print tracebacks through
:func:`format_traceback`, so no message of unknown origin reaches a log.
"""

from __future__ import annotations

import sqlite3
import traceback
from typing import Final

from aiogram.exceptions import TelegramAPIError
from sqlalchemy.exc import StatementError

WITHHELD: Final = "(message withheld: it may hold user data)"
_STATEMENT_CHARS = 300


def error_message(exc: BaseException) -> str:
    """The part of ``exc``'s message that holds no user data ("" or :data:`WITHHELD` when none).

    Kept: SQLite's own messages (fixed texts that name tables and columns, never values),
    PostgreSQL's error code and the names of the constraint, table and column involved (its
    message may quote values; kept only for connection errors), the SQL text of a failed
    statement without its parameters, operating-system errors (errno and the path or address),
    and the Bot API's description of a refused call (Telegram's own text).
    """
    if isinstance(exc, StatementError):
        statement = " ".join((exc.statement or "").split())
        if len(statement) > _STATEMENT_CHARS:
            statement = statement[:_STATEMENT_CHARS] + "..."
        cause = type(exc.orig).__name__ if exc.orig is not None else "-"
        return f"({cause}) [SQL: {statement}]"
    if isinstance(exc, sqlite3.Error | OSError):
        return str(exc)
    if isinstance(exc, TelegramAPIError):
        return exc.message
    sqlstate = getattr(exc, "sqlstate", None)  # asyncpg's server errors (not imported here)
    if isinstance(sqlstate, str):
        names = [
            f"{field} {value}"
            for field in ("constraint", "table", "column")
            if isinstance(value := getattr(exc, f"{field}_name", None), str)
        ]
        # Connection and operator-intervention errors (classes 08, 57) are fixed server texts
        # ("terminating connection due to administrator command"): worth keeping for outages.
        said = [str(exc).splitlines()[0]] if sqlstate.startswith(("08", "57")) and exc.args else []
        return ", ".join([f"sqlstate {sqlstate}", *names, *said])
    return WITHHELD if exc.args else ""


def describe(exc: BaseException) -> str:
    """``Type: message`` on one line, the message as :func:`error_message` allows."""
    message = error_message(exc)
    name = type(exc).__name__
    return (f"{name}: {message}" if message else name).splitlines()[0][:200]


def format_traceback(exc: BaseException) -> str:
    """The traceback Python would print for ``exc`` and the exceptions that led to it, with
    each message replaced by :func:`error_message` (frames are code, never data)."""
    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    link: str | None = None
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "direct cause"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "context"
        else:
            current = None
    parts: list[str] = []
    for error, how in reversed(chain):
        frames = traceback.extract_tb(error.__traceback__)
        if frames:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_list(frames))
        name = type(error).__qualname__
        module = type(error).__module__
        if module not in ("builtins", "__main__"):
            name = f"{module}.{name}"
        message = error_message(error)
        parts.append(f"{name}: {message}\n" if message else f"{name}\n")
        if how == "direct cause":
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
            )
        elif how == "context":
            parts.append(
                "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
    return "".join(parts).rstrip("\n")
