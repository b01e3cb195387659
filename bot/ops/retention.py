"""Retention: what is older than RETENTION_DAYS stops being personal data.

- FSM states (the dialog position and answers) untouched for that long are deleted;
- delivered ledger rows (any final state) are reduced to anonymous per-day counts;
- card flag marks of past months are deleted;
- service paths past their expiry (GUIDE_PATH_DAYS after they were handed over) are deleted.
With Redis, FSM keys expire by themselves (the storage is built with a TTL).

And INACTIVE_RETENTION_DAYS: a family that has sent Valo nothing for that long is erased
exactly as /delete erases it (every table, and its dialog state under every key in SQL and
Redis); staff keep their rights but lose their family data (:func:`erase_inactive`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import upsert, write_transaction
from bot.db.models import CardFlagMark, Delivery, DeliveryCount, FsmState, User
from bot.db.personal_data import erase_family_data, erase_inactive_users, reached_since
from bot.db.storage import ForgetsUsers
from bot.delivery.ledger import FINAL_STATES
from bot.guide.paths import purge_expired_paths

BATCH = 2000  # rows per transaction: short write locks on SQLite
# Inactive families erased per transaction (each deletes from every personal table).
USER_BATCH = 500


@dataclass(frozen=True)
class RetentionReport:
    """How much one run removed."""

    fsm_states: int
    deliveries: int
    paths: int = 0  # expired service paths deleted


async def purge(
    sessions: async_sessionmaker[AsyncSession], now: datetime, days: int
) -> RetentionReport:
    """Purge old FSM states and fold old delivered ledger rows into ``delivery_counts``."""
    cutoff = now - timedelta(days=days)
    async with sessions() as session, write_transaction(session):
        result = await session.execute(delete(FsmState).where(FsmState.updated_at < cutoff))
        states = int(result.rowcount or 0)  # type: ignore[attr-defined]
        # Who flagged which card matters only within its month (bot.catalog.store.flag_card).
        month = now.astimezone(UTC).strftime("%Y-%m")
        await session.execute(delete(CardFlagMark).where(CardFlagMark.month < month))
    folded = 0
    final = [s.value for s in FINAL_STATES]
    while True:
        async with sessions() as session, write_transaction(session):
            rows = (
                await session.execute(
                    select(Delivery.id, Delivery.kind, Delivery.state, Delivery.due_at)
                    .where(Delivery.state.in_(final), Delivery.updated_at < cutoff)
                    .order_by(Delivery.id)
                    .limit(BATCH)
                )
            ).all()
            if not rows:
                break
            # Counting and deleting in one transaction: a crash leaves neither half done.
            totals = Counter((due.date().isoformat(), kind, state) for _, kind, state, due in rows)
            for (day, kind, state), n in totals.items():
                insert = upsert(session, DeliveryCount).values(
                    day=day, kind=kind, state=state, count=n
                )
                await session.execute(
                    insert.on_conflict_do_update(
                        index_elements=[DeliveryCount.day, DeliveryCount.kind, DeliveryCount.state],
                        set_={"count": DeliveryCount.count + insert.excluded.count},
                    )
                )
            await session.execute(delete(Delivery).where(Delivery.id.in_([r[0] for r in rows])))
            folded += len(rows)
    async with sessions() as session:
        paths = await purge_expired_paths(session, now)
    return RetentionReport(states, folded, paths)


@dataclass(frozen=True)
class InactiveReport:
    """How many people one run of :func:`erase_inactive` concerned (counts only)."""

    families: int  # erased entirely
    staff_rows: int  # family data rows of inactive staff members


async def erase_inactive(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    days: int,
    storage: ForgetsUsers | None = None,
    *,
    reached_days: int,
) -> InactiveReport:
    """Erase everyone whose last update (``users.last_seen``, kept to the hour) is more than
    ``days`` ago and who was sent nothing (reminders, news) in the last ``reached_days``, in
    batches, as /delete does; ``days`` 0 erases nobody. (The delivery log keeps rows for
    RETENTION_DAYS, so that is how far back "was sent" can be known: the caller passes it.)

    Staff rights (the user row, the invite accepted) are not family data and stay; the staff
    member's reminders, subscriptions, dialog states, messages sent and card marks go. The
    FSM state outside the database goes through ``storage`` (Redis: under every key).
    """
    if days <= 0:
        return InactiveReport(0, 0)
    cutoff = now - timedelta(days=days)
    reached = now - timedelta(days=min(days, reached_days))
    families = 0
    after = -(2**63)  # user ids ascending: a batch kept (they came back) is not read again
    while True:
        async with sessions() as session:
            candidates = list(
                await session.scalars(
                    select(User.user_id)
                    .where(
                        User.last_seen < cutoff,
                        User.staff == false(),
                        User.user_id > after,
                        ~reached_since(reached),
                    )
                    .order_by(User.user_id)
                    .limit(USER_BATCH)
                )
            )
            if not candidates:
                break
            erased = await erase_inactive_users(session, candidates, cutoff, reached)
        after = candidates[-1]
        if erased and storage is not None:
            await storage.clear_users(erased)
        families += len(erased)
    async with sessions() as session:
        staff = list(
            await session.scalars(
                select(User.user_id).where(
                    User.last_seen < cutoff, User.staff == true(), ~reached_since(reached)
                )
            )
        )
        staff_rows = await erase_family_data(session, staff) if staff else 0
    if staff and storage is not None:
        await storage.clear_users(staff)
    return InactiveReport(families, staff_rows)
