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

A statement that runs alone (:func:`bot.db.engine.execute_alone`: the user and FSM rows every
update reads and writes, the delivery ledger's group commits) takes no hand-off at all: it
runs on the event loop's own thread, on a connection of its own (:class:`OnLoop`). Such a
statement touches a row or a few by key and takes 10-20 us in SQLite, a tenth of a hand-off.
The loop must never wait, so that connection has no busy timeout: when SQLite is busy (another
process writes) the statement goes to SQLite's thread as before and waits there, and SQLite's
automatic checkpoint (which copies the log into the database file and syncs it) is left to
the other connections, with one run on SQLite's thread every ``CHECKPOINT_EVERY_WRITES``.
"""

from __future__ import annotations

import collections
import sqlite3
import weakref
from collections.abc import Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy import Engine, Row, create_engine, event
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# Every connection to a database file, whichever thread uses it (WAL is switched on apart).
# synchronous=FULL: in WAL mode every commit syncs the log before it returns. With NORMAL a
# commit is only synced at the next checkpoint, so a power cut or OS crash could undo a
# committed ledger stamp ("about to send") and the row be sent again, or a confirmed /delete.
# The cost is one fsync per write transaction (bench/README.md, durability).
CONNECTION_PRAGMAS = ("synchronous=FULL", "foreign_keys=ON")
# A write that may be lost in a power cut (OnLoop.run, durable=False) is committed with
# NORMAL: the fsync it skips blocked the loop on every dialog step (bench/README.md, eighth
# round). The connection goes back to FULL at once.
_SYNC_NORMAL = "PRAGMA synchronous=NORMAL"
_SYNC_FULL = "PRAGMA synchronous=FULL"

# Writes on the loop's connection between two checkpoints run on SQLite's thread: a write adds
# a page or two to the log, and SQLite's own automatic checkpoint comes every 1,000 pages.
CHECKPOINT_EVERY_WRITES = 500


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


class OnLoop:
    """Lone statements on the event loop's own thread, on a SQLite connection of their own.

    The connection is used only from the loop's thread and only by :meth:`run`, which never
    yields, so one connection serves every task. It runs each statement in autocommit (a lone
    statement is atomic by itself; a write takes the write lock when it starts, as
    ``BEGIN IMMEDIATE`` would), with no busy timeout and no automatic checkpoint (see the
    module). Statement events are forwarded to the async engine (``forward_to``), so whatever
    listens there sees these statements too.
    """

    def __init__(self, url: URL, forward_to: Engine) -> None:
        self.engine = create_engine(
            url.set(drivername="sqlite+pysqlite"),
            poolclass=StaticPool,
            connect_args={"timeout": 0, "check_same_thread": False},
            hide_parameters=True,  # as the async engine's (bot.db.engine.make_engine)
        )
        self._writes = 0
        event.listen(self.engine, "connect", _on_loop_connect)

        target = weakref.ref(forward_to)  # bot.db.engine keeps this object by forward_to

        def before(*args: Any) -> None:
            engine = target()
            if engine is not None:
                engine.dispatch.before_cursor_execute(*args)

        def after(*args: Any) -> None:
            engine = target()
            if engine is not None:
                engine.dispatch.after_cursor_execute(*args)

        event.listen(self.engine, "before_cursor_execute", before)
        event.listen(self.engine, "after_cursor_execute", after)
        event.listen(forward_to, "engine_disposed", lambda _engine: self.engine.dispose())

    def run(
        self,
        statement: Executable,
        params: dict[str, Any] | None,
        *,
        writes: bool,
        durable: bool = True,
    ) -> Sequence[Row[Any]] | None:
        """The statement's rows, or None if SQLite is busy: then nothing ran, and the caller
        runs it on SQLite's thread, where it may wait for the lock.

        ``durable=False``: a write whose loss in a power cut is harmless commits without
        waiting for its fsync (``synchronous=NORMAL`` for this statement only), so the loop
        is not blocked on the disk. The log is append-only, so the next durable commit or
        checkpoint syncs it too: a durable write never loses what came before it.
        """
        try:
            with self.engine.connect() as connection:
                sqlite = cast(sqlite3.Connection, connection.connection.driver_connection)
                relaxed = writes and not durable
                if relaxed:
                    sqlite.execute(_SYNC_NORMAL).close()
                try:
                    result = connection.execute(statement, params)
                    rows = result.all() if result.returns_rows else []
                    connection.commit()  # autocommit: nothing left to commit
                finally:
                    if relaxed:
                        sqlite.execute(_SYNC_FULL).close()
        except OperationalError as exc:
            if _busy(exc.orig):
                return None
            raise
        if writes:
            self._writes += 1
        return rows

    def checkpoint_due(self) -> bool:
        """Whether enough writes ran here since the last checkpoint (see the module)."""
        if self._writes < CHECKPOINT_EVERY_WRITES:
            return False
        self._writes = 0
        return True


def _on_loop_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit: no BEGIN before a write
    # Already WAL (the file's other connections switch it): answers at once. A file still
    # being switched is busy: the statement goes to SQLite's thread, and the next one
    # connects again.
    for pragma in ("journal_mode=WAL", *CONNECTION_PRAGMAS, "wal_autocheckpoint=0"):
        dbapi_connection.execute(f"PRAGMA {pragma}").close()


def _busy(error: BaseException | None) -> bool:
    return (
        isinstance(error, sqlite3.OperationalError)
        and error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
    )
