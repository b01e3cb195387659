"""Reminders: a family's wish becomes ledger rows with due times; event changes reschedule them.

A reminder is for one occurrence or for a whole series. Its ledger rows are materialised for
occurrences within ``HORIZON`` (a periodic job extends series). Each row's ``expires_at`` is
the occurrence's start: a reminder that came due while the bot was down is still sent late if
the event has not started, and ends ``missed`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.schema import Event
from bot.db.engine import upsert, write_transaction
from bot.db.models import Delivery, Reminder
from bot.delivery.ledger import NewDelivery, cancel_pending, enqueue
from bot.events.occurrences import Occurrence, occurrences
from bot.events.store import StoredEvent, load_event

OFFSETS = ("day-before", "hour-before")
SERIES = "series"
HORIZON = timedelta(days=14)
DAY_BEFORE_AT = time(18, 0)


def due_time(offset: str, start: datetime, tz: tzinfo) -> datetime:
    """When the reminder for an occurrence starting at ``start`` is due."""
    if offset == "hour-before":
        return start - timedelta(hours=1)
    if offset == "day-before":
        day = start.astimezone(tz).date() - timedelta(days=1)
        return datetime.combine(day, DAY_BEFORE_AT, tzinfo=tz)
    raise ValueError(f"unknown reminder offset {offset!r}")


def planned(
    reminder: Reminder, stored: StoredEvent, tz: tzinfo, now: datetime
) -> list[NewDelivery]:
    """The ledger rows a reminder needs now (idempotent: keys include the event revision)."""
    if stored.event.cancelled:
        return []
    if reminder.occurrence == SERIES:
        wanted = occurrences(stored.event, tz, after=now, before=now + HORIZON)
    else:
        wanted = [
            o
            for o in occurrences(stored.event, tz, after=now, before=now + timedelta(days=400))
            if o.key == reminder.occurrence
        ]
    rows = []
    for occurrence in wanted:
        for offset in reminder.offsets.split(","):
            due = due_time(offset, occurrence.start, tz)
            if due <= now:
                continue  # too late for this one; the family is looking at the event now
            rows.append(
                NewDelivery(
                    user_id=reminder.user_id,
                    kind="reminder",
                    ref=f"reminder:{reminder.id}",
                    dedup_key=f"reminder:{reminder.id}:{stored.revision}:{occurrence.key}:{offset}",
                    payload={
                        "event": stored.row_id,
                        "occurrence": occurrence.key,
                        "offset": offset,
                    },
                    due_at=due,
                    expires_at=occurrence.start,
                )
            )
    return rows


async def set_reminder(
    session: AsyncSession,
    user_id: int,
    event_id: str,
    occurrence: str,
    offsets: Sequence[str],
    tz: tzinfo,
    now: datetime,
) -> tuple[Reminder, int] | None:
    """Create or update a reminder and its ledger rows; returns it and the rows added."""
    if not offsets or any(o not in OFFSETS for o in offsets):
        raise ValueError(f"offsets must be some of {OFFSETS}")
    stored = await load_event(session, event_id)
    if stored is None or stored.event.cancelled:
        return None
    text = ",".join(o for o in OFFSETS if o in offsets)
    async with write_transaction(session):
        await session.execute(
            upsert(session, Reminder)
            .values(
                user_id=user_id,
                event_id=event_id,
                occurrence=occurrence,
                offsets=text,
                created_at=now,
            )
            .on_conflict_do_update(
                index_elements=[Reminder.user_id, Reminder.event_id, Reminder.occurrence],
                set_={"offsets": text},
            )
        )
        reminder = (
            await session.execute(
                select(Reminder)
                .where(
                    Reminder.user_id == user_id,
                    Reminder.event_id == event_id,
                    Reminder.occurrence == occurrence,
                )
                .execution_options(populate_existing=True)
            )
        ).scalar_one()
        # Offsets may have changed: withdraw pending rows no longer wanted, add the new ones
        # (enqueue revives a withdrawn row whose key is wanted again).
        rows = planned(reminder, stored, tz, now)
        await cancel_pending(
            session,
            Delivery.ref == f"reminder:{reminder.id}",
            Delivery.dedup_key.not_in([r.dedup_key for r in rows]),
            now=now,
            detail="reminder changed",
        )
        added = await enqueue(session, rows, now)
    return reminder, added


async def cancel_reminder(
    session: AsyncSession, reminder_id: int, user_id: int, now: datetime
) -> bool:
    """Delete one of the user's reminders and withdraw its pending rows."""
    async with write_transaction(session):
        result = await session.execute(
            delete(Reminder).where(Reminder.id == reminder_id, Reminder.user_id == user_id)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        await cancel_pending(
            session, Delivery.ref == f"reminder:{reminder_id}", now=now, detail="reminder cancelled"
        )
    return True


async def extend_series(session: AsyncSession, tz: tzinfo, now: datetime) -> int:
    """Materialise rows for series reminders whose next occurrences came within the horizon."""
    added = 0
    reminders = (
        (await session.execute(select(Reminder).where(Reminder.occurrence == SERIES)))
        .scalars()
        .all()
    )
    events: dict[str, StoredEvent | None] = {}
    rows: list[NewDelivery] = []
    for reminder in reminders:
        if reminder.event_id not in events:
            events[reminder.event_id] = await load_event(session, reminder.event_id)
        stored = events[reminder.event_id]
        if stored is not None:
            rows.extend(planned(reminder, stored, tz, now))
    if rows:
        added = await enqueue(session, rows, now)
    return added


async def event_changed(
    session: AsyncSession,
    event_id: str,
    tz: tzinfo,
    now: datetime,
    *,
    removed: Event | None = None,
) -> int:
    """The event's time changed, it was cancelled or removed: tell every family with a
    reminder (in their language, when the worker sends it) and move their reminders.

    Call inside the write transaction that changed the event, with ``removed`` the event as
    it was when it no longer exists; returns the notices queued.
    """
    stored = None if removed is not None else await load_event(session, event_id)
    reminders = (
        (await session.execute(select(Reminder).where(Reminder.event_id == event_id)))
        .scalars()
        .all()
    )
    if not reminders:
        return 0
    gone = stored is None or stored.event.cancelled
    revision = stored.revision if stored is not None else 0
    notices: list[NewDelivery] = []
    new_rows: list[NewDelivery] = []
    change = "gone" if gone else "moved"
    described = removed if removed is not None else (stored.event if stored else None)
    title = described.title.model_dump() if described is not None else {}
    for reminder in reminders:
        await cancel_pending(
            session, Delivery.ref == f"reminder:{reminder.id}", now=now, detail="event changed"
        )
        notices.append(
            NewDelivery(
                user_id=reminder.user_id,
                kind="notice",
                ref=f"event:{event_id}",
                dedup_key=f"notice:{event_id}:{revision}:{change}:{reminder.user_id}",
                payload={
                    "msg": "event-cancelled" if gone else "event-moved",
                    "event": event_id,
                    # Kept in the row: a removed event can no longer be looked up.
                    "title": title,
                },
                due_at=now,
            )
        )
    # One notice per family even with several reminders for the event.
    unique = list({n.dedup_key: n for n in notices}.values())
    async with write_transaction(session):
        # A notice still queued from an earlier change would render the same (latest) news:
        # this one replaces it, so the family hears about the event once.
        await cancel_pending(
            session,
            Delivery.ref == f"event:{event_id}",
            now=now,
            detail="superseded by a later change",
        )
        if gone:
            await session.execute(delete(Reminder).where(Reminder.event_id == event_id))
        else:
            assert stored is not None
            for reminder in reminders:
                if reminder.occurrence != SERIES:
                    # A one-off event keeps its reminder at the new time.
                    following = occurrences(
                        stored.event, tz, after=now, before=now + timedelta(days=400)
                    )
                    if stored.event.rrule is None and following:
                        reminder.occurrence = following[0].key
                new_rows.extend(planned(reminder, stored, tz, now))
            await session.flush()
        await enqueue(session, unique + new_rows, now)
    return len(unique)


def occurrence_from_key(event: Event, tz: tzinfo, key: str, now: datetime) -> Occurrence | None:
    """The occurrence of ``event`` whose key is ``key`` (None if it is not in the coming year)."""
    for occurrence in occurrences(
        event, tz, after=now - timedelta(days=1), before=now + timedelta(days=400)
    ):
        if occurrence.key == key:
            return occurrence
    return None
