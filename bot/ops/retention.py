"""Retention: what is older than RETENTION_DAYS stops being personal data.

- FSM states (the dialog position and answers) untouched for that long are deleted;
- delivered ledger rows (any final state) are reduced to anonymous per-day counts;
- card flag marks of past months are deleted.
With Redis, FSM keys expire by themselves (the storage is built with a TTL).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import upsert, write_transaction
from bot.db.models import CardFlagMark, Delivery, DeliveryCount, FsmState
from bot.delivery.ledger import FINAL_STATES

BATCH = 2000  # rows per transaction: short write locks on SQLite


@dataclass(frozen=True)
class RetentionReport:
    """How much one run removed."""

    fsm_states: int
    deliveries: int


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
    return RetentionReport(states, folded)
