"""The worker lease: one row in ``worker_leases`` says which worker is active until when.

The active worker renews it several times per lease period; a standby polls and takes it only
after ``until`` has passed, so after a crash the standby is active within about one lease.
The lease is an efficiency measure, not the safety net: ledger claims are atomic, so even two
workers that both believe they are active never send a row twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import upsert, write_transaction
from bot.db.models import WorkerLease

log = logging.getLogger(__name__)

LEASE_NAME = "delivery"


async def try_acquire(
    sessions: async_sessionmaker[AsyncSession],
    holder: str,
    now: datetime,
    period: timedelta,
    name: str = LEASE_NAME,
) -> bool:
    """Take or renew the lease for ``holder``; True when ``holder`` holds it until now+period.

    Both statements are single atomic writes: the insert creates the row once, the
    conditional update succeeds only for the current holder or after the lease expired.
    """
    async with sessions() as session, write_transaction(session):
        await session.execute(
            upsert(session, WorkerLease)
            .values(name=name, holder=holder, until=now + period)
            .on_conflict_do_nothing(index_elements=[WorkerLease.name])
        )
        result = await session.execute(
            update(WorkerLease)
            .where(
                WorkerLease.name == name,
                or_(WorkerLease.holder == holder, WorkerLease.until < now),
            )
            .values(holder=holder, until=now + period)
        )
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def release(
    sessions: async_sessionmaker[AsyncSession], holder: str, now: datetime, name: str = LEASE_NAME
) -> None:
    """Give the lease up at a clean shutdown so a standby need not wait for it to expire."""
    async with sessions() as session, write_transaction(session):
        await session.execute(
            update(WorkerLease)
            .where(WorkerLease.name == name, WorkerLease.holder == holder)
            .values(until=now)
        )
