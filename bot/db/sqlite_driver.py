"""SQLAlchemy's aiosqlite dialect with one hand-off to SQLite's thread per statement.

aiosqlite runs SQLite on a thread of its own and every call into it is a hand-off: a queue
put, a thread wake-up, and a callback back into the event loop. SQLAlchemy's adapter makes
several per statement (open a cursor, execute, fetch, close the cursor), our ``BEGIN`` took
three more, and ending a session and returning its connection to the pool each rolled back
again, also when nothing was open: a one-row read cost 9 hand-offs, a one-statement write
transaction 9 (measured by counting ``aiosqlite.Connection._execute``). On the machines we
run on a hand-off costs about 0.2 ms of CPU, more than the statement itself, so they were most
of what a dialog step or a delivery cost.

Here a statement is one hand-off: the thread opens a cursor, runs the statement, fetches its
rows and closes the cursor in one go. ``BEGIN`` is not sent on its own: it is kept and sent in
the same hand-off as the transaction's first statement (nothing runs in the transaction before
that statement, so it begins at the same point for SQLite), and a transaction in which nothing
ran ends without a hand-off. A rollback or commit with no transaction open in SQLite is skipped.
A read session now costs 2 hand-offs (``BEGIN`` + the query, ``ROLLBACK``), a write
transaction 2 (``BEGIN IMMEDIATE`` + the statement, ``COMMIT``) plus one per further statement.

Given to SQLAlchemy's aiosqlite dialect by :func:`bot.db.engine.make_engine` (``module=``).
It uses aiosqlite's ``Connection._execute`` (run a function on its thread), as SQLAlchemy's
own adapter does for the isolation level; pyproject.toml pins the aiosqlite releases it was
tested with.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_


def _statement(
    connection: Any, begin: str | None, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any] | None, int, int | None]:
    """In SQLite's thread: the pending ``BEGIN``, then the statement and all its rows."""
    sqlite: sqlite3.Connection = connection._conn  # raises if the connection is closed
    if begin is not None:
        sqlite.execute(begin)
    cursor = sqlite.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement, rows and close take one hand-off (see the module)."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None  # the driver's cursor was closed in the thread already

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        adapt = self._adapt_connection
        assert isinstance(adapt, OneTripConnection)
        async with adapt._execute_mutex:
            begin, adapt.pending_begin = adapt.pending_begin, None
            driver = self._connection
            self._description, rows, self._rowcount, self._lastrowid = await driver._execute(
                _statement, driver, begin, operation, parameters, many
            )
            self._rows = collections.deque(rows or ())

    def nextset(self) -> None:
        raise NotImplementedError("SQLite has one result set per statement")

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """The adapted connection: keeps ``BEGIN`` until the first statement, skips empty ends."""

    __slots__ = ("pending_begin",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.pending_begin: str | None = None

    def begin(self, statement: str) -> None:
        """Begin a transaction with ``statement`` (``BEGIN`` or ``BEGIN IMMEDIATE``) at the
        next statement."""
        self.pending_begin = statement

    def cursor(self, server_side: bool = False) -> Any:
        if server_side and self.pending_begin is not None:
            # A streaming cursor runs on aiosqlite's own cursor: send BEGIN first, alone.
            begin, self.pending_begin = self.pending_begin, None
            driver = self._connection
            await_(driver._execute(_statement, driver, None, begin, None, False))
        return super().cursor(server_side)

    def _open(self) -> bool:
        """Whether SQLite has a transaction open (read in this thread: no statement runs on
        this connection meanwhile, SQLAlchemy uses it from one task at a time)."""
        sqlite = self._connection._connection
        return sqlite is None or sqlite.in_transaction  # closed: let the driver say so

    def rollback(self) -> None:
        self.pending_begin = None
        if self._open():
            super().rollback()

    def commit(self) -> None:
        self.pending_begin = None
        if self._open():
            super().commit()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module handed to SQLAlchemy's own aiosqlite dialect (``module=``)."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's: never keep the process alive
        return OneTripConnection(self, await_(connection))


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
