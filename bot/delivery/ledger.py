"""The delivery ledger: one row per (recipient, message), the only source of truth for sending.

States: ``pending -> sending -> sent | failed | blocked | missed | unknown`` (and ``cancelled``
for rows withdrawn before sending). A worker claims due rows atomically with its id and a
lease and commits the claim; just before each request it stamps ``attempted_at``; it sends
with no transaction open and records the outcome only while it still owns the row.

When a lease expires (the worker died), a row that was never attempted goes back to
``pending``, and a row that was attempted becomes ``unknown`` and is never sent again:
Telegram has no idempotency key, so a send that may have happened must not be repeated. So
after a crash the ``unknown`` rows are at most the requests that were in flight. A unique
``dedup_key`` makes enqueueing idempotent.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Select,
    Update,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import execute_alone, upsert, write_transaction
from bot.db.models import Delivery
from bot.delivery.coalesce import Coalescer


class State(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    MISSED = "missed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset(
    {State.SENT, State.FAILED, State.BLOCKED, State.MISSED, State.UNKNOWN, State.CANCELLED}
)


@dataclass(frozen=True)
class NewDelivery:
    user_id: int
    kind: str  # reminder | broadcast | notice
    ref: str  # what the row belongs to, e.g. "reminder:12" or "broadcast:3"
    dedup_key: str  # the same message to the same person is enqueued once, ever
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None = None  # not sent by then: ``missed``


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: int
    kind: str
    ref: str
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None
    attempts: int


async def enqueue(session: AsyncSession, rows: Sequence[NewDelivery], now: datetime) -> int:
    """Insert rows that are not in the ledger yet (by ``dedup_key``); returns how many.

    A row with the same key that was withdrawn (``cancelled``, so never sent) is revived;
    any other existing row is left alone, which is what makes a message go out once, ever.
    Runs inside the caller's write transaction when there is one, so a reminder and its
    ledger rows are written together.
    """
    if not rows:
        return 0
    values = [
        {
            "user_id": r.user_id,
            "kind": r.kind,
            "ref": r.ref,
            "dedup_key": r.dedup_key,
            "payload": r.payload,
            "due_at": r.due_at,
            "expires_at": r.expires_at,
            "state": State.PENDING.value,
            "attempts": 0,
            "updated_at": now,
        }
        for r in rows
    ]
    added = 0
    async with write_transaction(session):
        for start in range(0, len(values), 500):
            stmt = upsert(session, Delivery).values(values[start : start + 500])
            result = await session.execute(_new_or_revived(stmt, now))
            added += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return added


async def enqueue_each(
    session: AsyncSession,
    users: Select[Any],
    *,
    kind: str,
    ref: str,
    dedup_prefix: str,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
) -> int:
    """One row per user id that ``users`` selects, keyed ``<dedup_prefix><user id>``, in one
    ``INSERT ... SELECT``: the rows are made in the database, not in Python. Otherwise as
    :func:`enqueue` (rows already there are left alone, withdrawn ones revived; inside the
    caller's write transaction when there is one). Returns how many rows it added."""
    chosen = users.subquery()
    user_id = chosen.c[0]
    columns = Delivery.__table__.c
    rows = select(
        user_id,
        literal(kind, columns.kind.type),
        literal(ref, columns.ref.type),
        literal(dedup_prefix, columns.dedup_key.type) + cast(user_id, columns.dedup_key.type),
        literal(payload, columns.payload.type),
        literal(due_at, columns.due_at.type),
        literal(State.PENDING.value, columns.state.type),
        literal(0, columns.attempts.type),
        literal(now, columns.updated_at.type),
    ).where(true())  # SQLite reads "ON CONFLICT" after a bare FROM as a join's ON
    names = ["user_id", "kind", "ref", "dedup_key", "payload", "due_at", "state", "attempts"]
    stmt = upsert(session, Delivery).from_select([*names, "updated_at"], rows)
    async with write_transaction(session):
        result = await session.execute(_new_or_revived(stmt, now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _new_or_revived(stmt: Any, now: datetime) -> Any:
    """The ``INSERT`` ``stmt``, leaving a row with the same ``dedup_key`` alone unless it was
    withdrawn (``cancelled``, so never sent): that one is made pending again."""
    return stmt.on_conflict_do_update(
        index_elements=[Delivery.dedup_key],
        set_={
            "state": State.PENDING.value,
            "payload": stmt.excluded.payload,
            "due_at": stmt.excluded.due_at,
            "expires_at": stmt.excluded.expires_at,
            "detail": None,
            "updated_at": now,
        },
        where=Delivery.state == State.CANCELLED.value,
    )


# Rows an expiry statement changes at most (see DeliveryLedger.expire).
EXPIRE_BATCH = 500

# Timestamps that changes written by one statement share (the latest of them).
_SHARED_STAMPS = frozenset({"attempted_at", "updated_at"})


@dataclass(frozen=True)
class _Change:
    """An attempt or an outcome of a row, for the next group commit."""

    row_id: int
    owner: str
    group: tuple[Any, ...]  # changes of one owner with the same group set the same values
    values: dict[str, Any]


def _ids(name: str, dialect: str) -> Any:
    """``id`` is one of the list bound as ``name``. PostgreSQL gets one array parameter, so the
    statement's text, and with it asyncpg's prepared statement, is the same for any number
    of rows; elsewhere an expanding ``IN``."""
    if dialect == "postgresql":
        return Delivery.id == any_(bindparam(name, type_=postgresql.ARRAY(Delivery.id.type)))
    return Delivery.id.in_(bindparam(name, expanding=True))


@functools.lru_cache(maxsize=64)
def _owned_update(dialect: str, shape: tuple[tuple[str, ...], ...]) -> Update:
    """``UPDATE`` of rows ``ids`` still owned by ``owner``: group ``n`` (rows ``ids_<n>``)
    sets the columns ``shape[n]`` to ``new<n>_<column>``; a row keeps columns its group does
    not set."""
    table = Delivery.__table__
    cases: dict[str, list[tuple[Any, Any]]] = {}
    for n, columns in enumerate(shape):
        ids = _ids(f"ids_{n}", dialect)
        for column in columns:
            value = bindparam(f"new{n}_{column}", type_=table.c[column].type)
            cases.setdefault(column, []).append((ids, value))
    return (
        update(Delivery)
        .where(
            _ids("ids", dialect),
            Delivery.state == State.SENDING.value,
            Delivery.worker == bindparam("owner"),
        )
        .values({column: case(*whens, else_=table.c[column]) for column, whens in cases.items()})
        .returning(Delivery.id)
    )


class DeliveryLedger:
    """Claims and outcomes in short writes; concurrent attempts and outcomes of one ledger
    share one statement (group commit)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._dialect: str = sessions.kw["bind"].dialect.name
        self._recorder = Coalescer(self._write)  # attempts and outcomes: group commit

    async def _alone(self, statement: Any, params: dict[str, Any] | None = None) -> Any:
        async with self._sessions() as session:
            return await execute_alone(session, statement, params)

    async def claim(
        self, now: datetime, worker: str, lease: timedelta, limit: int
    ) -> list[Claimed]:
        """Atomically take up to ``limit`` due rows for ``worker`` until ``now + lease``."""
        due = (
            select(Delivery.id)
            .where(
                Delivery.state == State.PENDING.value,
                Delivery.due_at <= now,
                or_(Delivery.expires_at.is_(None), Delivery.expires_at > now),
            )
            .order_by(Delivery.due_at, Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has BEGIN IMMEDIATE
        )
        # Two statements in one transaction, not ``UPDATE ... WHERE id IN (SELECT ... LIMIT)``:
        # PostgreSQL may run such a subquery more than once and take more than ``limit`` rows.
        async with self._sessions() as session, write_transaction(session):
            connection = await session.connection()  # Core: no ORM entities to build
            ids = list((await connection.execute(due)).scalars())
            if not ids:
                return []
            result = await connection.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids), Delivery.state == State.PENDING.value)
                .values(
                    state=State.SENDING.value,
                    worker=worker,
                    lease_until=now + lease,
                    attempted_at=None,  # not attempted under this claim yet
                    attempts=Delivery.attempts + 1,
                    updated_at=now,
                )
                .returning(
                    Delivery.id,
                    Delivery.user_id,
                    Delivery.kind,
                    Delivery.ref,
                    Delivery.payload,
                    Delivery.due_at,
                    Delivery.expires_at,
                    Delivery.attempts,
                )
            )
            claimed = [Claimed(*row) for row in result.all()]
        return sorted(claimed, key=lambda c: (c.due_at, c.id))

    async def expire(self, now: datetime) -> tuple[int, int]:
        """Rows ``sending`` under an expired lease: attempted -> unknown, never attempted ->
        back to pending; then overdue pending -> missed.

        Every sweep runs these, on the event loop's thread on SQLite, so their work is bounded
        whatever the ledger holds: each finds its rows through an index on (state, lease_until)
        or (state, expires_at), reading only the rows it changes, and changes at most
        ``EXPIRE_BATCH`` per statement, letting the loop run between statements."""
        expired = and_(Delivery.state == State.SENDING.value, Delivery.lease_until <= now)
        unknown = await self._in_batches(
            and_(expired, Delivery.attempted_at.is_not(None)),
            state=State.UNKNOWN.value,
            detail="lease expired while sending",
            updated_at=now,
        )
        await self._in_batches(
            and_(expired, Delivery.attempted_at.is_(None)),
            state=State.PENDING.value,
            worker=None,
            lease_until=None,
            detail="lease expired before sending",
            updated_at=now,
        )
        missed = await self._in_batches(
            and_(
                Delivery.state == State.PENDING.value,
                Delivery.expires_at.is_not(None),
                Delivery.expires_at <= now,
            ),
            state=State.MISSED.value,
            detail="not sent before it expired",
            updated_at=now,
        )
        return unknown, missed

    async def _in_batches(self, condition: Any, **values: Any) -> int:
        """``UPDATE`` the rows matching ``condition``, ``EXPIRE_BATCH`` at a time; how many."""
        batch = select(Delivery.id).where(condition).limit(EXPIRE_BATCH).scalar_subquery()
        statement = (
            update(Delivery)
            .where(Delivery.id.in_(batch), condition)
            .values(**values)
            .returning(Delivery.id)
        )
        changed = 0
        while True:
            rows = await self._alone(statement)
            changed += len(rows)
            if len(rows) < EXPIRE_BATCH:
                return changed
            await asyncio.sleep(0)  # a lone statement on SQLite never yields: let others run

    async def _update_owned(self, row_id: int, owner: str, **values: Any) -> bool:
        """Change a row only while ``owner`` still holds it (``sending`` under its claim)."""
        rows = await self._alone(
            update(Delivery)
            .where(
                Delivery.id == row_id,
                Delivery.state == State.SENDING.value,
                Delivery.worker == owner,
            )
            .values(**values)
            .returning(Delivery.id),
        )
        return bool(rows)

    async def finish(
        self, row_id: int, worker: str, state: State, now: datetime, detail: str | None = None
    ) -> bool:
        """Record the outcome, only if ``worker`` still owns the row; returns whether it did."""
        return await self.finish_soon(row_id, worker, state, now, detail)

    def finish_soon(
        self, row_id: int, worker: str, state: State, now: datetime, detail: str | None = None
    ) -> asyncio.Future[bool]:
        """``finish``, queued for the next group commit at once; await the future for it."""
        values = {"state": state.value, "detail": detail, "lease_until": None, "updated_at": now}
        return self._recorder.submit(
            _Change(row_id, worker, ("finish", state.value, detail), values)
        )

    async def attempt(self, row_id: int, worker: str, now: datetime) -> bool:
        """Stamp the row as about to be sent; False if ``worker`` no longer owns it.

        Changes requested while a write is under way are written together by the next one
        (group commit). Each caller still waits until its own change is committed, so
        "stamped before the request" and "recorded before the send is done" hold; concurrent
        sends share the statements. Changes written by one statement share its latest
        timestamp."""
        change = _Change(row_id, worker, ("attempt",), {"attempted_at": now})
        return await self._recorder.submit(change)

    async def _write(self, batch: list[_Change]) -> list[bool]:
        """One ``UPDATE`` per owner (in practice one per batch), each a transaction of its own
        (:func:`execute_alone`): a row gets the values of its group, and only while ``owner``
        holds it. Built once per shape with bind parameters and run without ``BEGIN``/
        ``COMMIT``: per group commit, one hand-off to SQLite's thread or one round trip."""
        by_owner: dict[str, dict[tuple[Any, ...], list[_Change]]] = {}
        for change in batch:
            by_owner.setdefault(change.owner, {}).setdefault(change.group, []).append(change)
        written: set[tuple[str, int]] = set()
        for owner, groups in by_owner.items():
            params: dict[str, Any] = {"owner": owner}
            shape = []
            for n, changes in enumerate(groups.values()):
                values = dict(changes[0].values)
                for column in _SHARED_STAMPS & values.keys():
                    values[column] = max(change.values[column] for change in changes)
                params[f"ids_{n}"] = [change.row_id for change in changes]
                params.update((f"new{n}_{column}", value) for column, value in values.items())
                shape.append(tuple(sorted(values)))
            params["ids"] = [change.row_id for change in batch if change.owner == owner]
            rows = await self._alone(_owned_update(self._dialect, tuple(shape)), params)
            written.update((owner, row_id) for (row_id,) in rows)
        # A row has one change per batch: its attempt, or later its outcome.
        return [(c.owner, c.row_id) in written for c in batch]

    async def release(self, row_id: int, worker: str, now: datetime, detail: str) -> bool:
        """Give a row back to ``pending``: it was certainly not sent (e.g. connection refused)."""
        return await self._update_owned(
            row_id,
            worker,
            state=State.PENDING.value,
            worker=None,
            lease_until=None,
            attempted_at=None,
            detail=detail,
            updated_at=now,
        )

    async def renew(self, row_id: int, worker: str, until: datetime) -> bool:
        """Extend the lease before a long wait (a 429 pause) so the row is not given up."""
        return await self._update_owned(row_id, worker, lease_until=until)

    async def counts(self, ref: str | None = None) -> dict[str, int]:
        """Rows by state, for one ``ref`` or the whole ledger."""
        query = select(Delivery.state, func.count()).group_by(Delivery.state)
        if ref is not None:
            query = query.where(Delivery.ref == ref)
        async with self._sessions() as session:
            return {state: int(n) for state, n in (await session.execute(query)).all()}


async def cancel_pending(
    session: AsyncSession, *conditions: Any, now: datetime, detail: str
) -> int:
    """Withdraw pending rows matching ``conditions`` (e.g. a cancelled reminder's rows)."""
    async with write_transaction(session):
        result = await session.execute(
            update(Delivery)
            .where(and_(Delivery.state == State.PENDING.value, *conditions))
            .values(state=State.CANCELLED.value, detail=detail, updated_at=now)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
